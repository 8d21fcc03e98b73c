//go:build unix

package enginetest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/groundwork-org/groundwork/pipeline"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
)

// daemon is a Spark master or worker started by the test, with its log.
type daemon struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	log bytes.Buffer
}

func (d *daemon) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.Write(p)
}

func (d *daemon) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

// wait returns the first submatch of re in the daemon's log, waiting up to
// timeout for it (and failing the test when the daemon exits first).
func (d *daemon) wait(t *testing.T, re *regexp.Regexp, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(d.String()); m != nil {
			return m[len(m)-1]
		}
		if d.cmd.ProcessState != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: no %q in its log after %s; log:\n%s", strings.Join(d.cmd.Args, " "), re, timeout, d.String())
	return ""
}

// startDaemon runs spark-class CLASS ARGS in its own process group and stops
// the group (SIGTERM, then SIGKILL) when the test ends.
func startDaemon(t *testing.T, sparkClass string, env []string, class string, args ...string) *daemon {
	t.Helper()
	d := &daemon{cmd: exec.Command(sparkClass, append([]string{class}, args...)...)}
	d.cmd.Env = env
	d.cmd.Stdout, d.cmd.Stderr = d, d
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", class, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = d.cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		pgid := d.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
		// An executor the worker started sits in the worker's group.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	})
	return d
}

// startStandalone starts a Spark standalone master and one worker (2 cores,
// 2 GiB) on 127.0.0.1 with pyspark's own spark-class, each on a port the
// system picks, and returns the master's URL and the worker. Both are
// stopped when the test ends.
func startStandalone(t *testing.T, setup *sedona.Setup) (string, *daemon) {
	t.Helper()
	sparkClass := filepath.Join(filepath.Dir(setup.Python), "spark-class")
	if _, err := os.Stat(sparkClass); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and pyspark's spark-class is missing: %v; run %s", err, sedona.SetupCommand)
		}
		t.Skipf("no spark-class beside %s (run %s): %v", setup.Python, sedona.SetupCommand, err)
	}
	tmp := t.TempDir()
	env := append(os.Environ(),
		// spark-class finds SPARK_HOME with this interpreter (pyspark's
		// pip package), not whatever python3 is first on the PATH.
		"PYSPARK_PYTHON="+setup.Python, "PYSPARK_DRIVER_PYTHON="+setup.Python,
		"SPARK_LOCAL_IP=127.0.0.1", "SPARK_NO_DAEMONIZE=1",
		"SPARK_LOG_DIR="+filepath.Join(tmp, "logs"), "SPARK_WORKER_DIR="+filepath.Join(tmp, "work"),
	)
	master := startDaemon(t, sparkClass, env, "org.apache.spark.deploy.master.Master",
		"--host", "127.0.0.1", "--port", "0", "--webui-port", "0")
	url := master.wait(t, regexp.MustCompile(`Starting Spark master at (spark://127\.0\.0\.1:\d+)`), 2*time.Minute)
	master.wait(t, regexp.MustCompile(`New state: ALIVE`), time.Minute)
	worker := startDaemon(t, sparkClass, env, "org.apache.spark.deploy.worker.Worker",
		"--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", "2", "--memory", "2g",
		"--work-dir", filepath.Join(tmp, "work"), url)
	worker.wait(t, regexp.MustCompile(`Successfully registered with master`), 2*time.Minute)
	return url, worker
}

// TestOaklandStandaloneCluster starts a Spark standalone cluster on
// localhost (a master and one worker, the way a user's cluster runs, with
// pyspark's spark-class) and runs the embedded Oakland demo on it twice:
//
//   - `groundwork run --engine sedona --spark-master spark://127.0.0.1:PORT`
//     (the job submitted by groundwork, client mode);
//   - `groundwork job`, then the documented `spark-submit --master
//     spark://127.0.0.1:PORT --jars SEDONA_JAR job.py job.json` from the job
//     folder, then `groundwork report --from` (which first refuses the job
//     before it ran, and after it ran refuses it for a pipeline whose
//     segment changed).
//
// Each time it checks that the worker launched an executor for the job
// (the placement ran on the cluster, not in the driver) and compares every
// output file with the native run's, byte for byte.
func TestOaklandStandaloneCluster(t *testing.T) {
	setup := setupOrSkip(t)
	native := nativeOutputs(t)
	url, worker := startStandalone(t, setup)
	t.Logf("standalone master %s", url)
	executors := func() int {
		return len(regexp.MustCompile(`Asked to launch executor (app-\S+)`).FindAllString(worker.String(), -1))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	t.Run("groundwork run --spark-master", func(t *testing.T) {
		cfg := loadDemo(t, demoDir(t))
		var log bytes.Buffer
		out := filepath.Join(t.TempDir(), "sedona")
		before := executors()
		_, err := pipeline.Run(ctx, cfg, pipeline.Options{OutDir: out, NoCache: true, Engine: "sedona", SparkMaster: url, Logger: logger(&log)})
		if err != nil {
			t.Fatalf("run on %s: %v\nworker log:\n%s", url, err, worker.String())
		}
		for _, line := range strings.Split(log.String(), "\n") {
			if strings.Contains(line, `msg="sedona job"`) && !strings.Contains(line, "master="+url) {
				t.Errorf("job not submitted to %s: %s", url, line)
			}
		}
		t.Log(jobDone(t, log.String()))
		if executors() == before {
			t.Errorf("the worker launched no executor; its log:\n%s", worker.String())
		}
		t.Logf("%d output files byte-identical with the native run", sameOutputs(t, native, out))
	})

	t.Run("groundwork job + spark-submit + report --from", func(t *testing.T) {
		cfg := loadDemo(t, demoDir(t))
		jobs := t.TempDir()
		if _, err := pipeline.Run(ctx, cfg, pipeline.Options{OutDir: filepath.Join(t.TempDir(), "x"), NoCache: true, Engine: "sedona", JobsOut: jobs}); err != nil {
			t.Fatal(err)
		}
		script, err := os.ReadFile(filepath.Join(jobs, "job.py"))
		if err != nil || !bytes.Equal(script, sedona.JobScript) {
			t.Fatalf("job.py not written as embedded: %v", err)
		}
		from := filepath.Join(t.TempDir(), "from")
		if _, err := pipeline.Run(ctx, cfg, pipeline.Options{OutDir: from, NoCache: true, Engine: "sedona", JobsFrom: jobs}); !errors.Is(err, sedona.ErrNoOutput) {
			t.Fatalf("report from a job that did not run: %v, want ErrNoOutput", err)
		}
		before := executors()
		submit := exec.CommandContext(ctx, filepath.Join(filepath.Dir(setup.Python), "spark-submit"),
			"--master", url, "--jars", strings.Join(setup.Jars, ","), "job.py", "job.json")
		submit.Dir = jobs
		submit.Env = append(os.Environ(), "PYSPARK_PYTHON="+setup.Python, "PYSPARK_DRIVER_PYTHON="+setup.Python, "SPARK_LOCAL_IP=127.0.0.1")
		if out, err := submit.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(submit.Args, " "), err, out)
		}
		if executors() == before {
			t.Errorf("the worker launched no executor; its log:\n%s", worker.String())
		}
		var log bytes.Buffer
		if _, err := pipeline.Run(ctx, cfg, pipeline.Options{OutDir: from, NoCache: true, Engine: "sedona", JobsFrom: jobs, Logger: logger(&log)}); err != nil {
			t.Fatal(err)
		}
		jobDone(t, log.String())
		t.Logf("%d output files byte-identical with the native run", sameOutputs(t, native, from))

		// The same job for a pipeline whose segment changed is stale.
		cfg.Segments[0].Limit = 3
		_, err = pipeline.Run(ctx, cfg, pipeline.Options{OutDir: filepath.Join(t.TempDir(), "stale"), NoCache: true, Engine: "sedona", JobsFrom: jobs})
		if err == nil || !strings.Contains(err.Error(), "write it again") {
			t.Errorf("report from a stale job: %v, want an error saying to write it again", err)
		}
	})
}
