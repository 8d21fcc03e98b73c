//go:build unix

package enginetest

import (
	"bytes"
	"context"
	"log/slog"
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
// pyspark's spark-class), runs the embedded Oakland demo with `--engine
// sedona --spark-master spark://127.0.0.1:PORT`, checks that the job's
// tasks ran in an executor of that worker, and compares every output file
// with the native run's, byte for byte.
func TestOaklandStandaloneCluster(t *testing.T) {
	setup := setupOrSkip(t)
	native := nativeOutputs(t)
	url, worker := startStandalone(t, setup)
	t.Logf("standalone master %s", url)

	cfg := loadDemo(t, demoDir(t))
	var log bytes.Buffer
	out := filepath.Join(t.TempDir(), "sedona")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	_, err := pipeline.Run(ctx, cfg, pipeline.Options{OutDir: out, NoCache: true, Engine: "sedona", SparkMaster: url,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatalf("run on %s: %v\nworker log:\n%s", url, err, worker.String())
	}
	var done []string
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, `msg="sedona job"`) && !strings.Contains(line, "master="+url) {
			t.Errorf("job not submitted to %s: %s", url, line)
		}
		if strings.Contains(line, "sedona job done") {
			done = append(done, line)
		}
	}
	if len(done) == 0 {
		t.Fatalf("no sedona job ran; log:\n%s", log.String())
	}
	for _, l := range done {
		t.Log(l)
	}
	// The worker launched an executor for the job's application: the
	// placement ran on the cluster, not in the driver.
	if !regexp.MustCompile(`Launching executor app-\S+ on worker`).MatchString(worker.String()) &&
		!strings.Contains(worker.String(), "Asked to launch executor") {
		t.Errorf("the worker launched no executor; its log:\n%s", worker.String())
	}
	t.Logf("%d output files byte-identical with the native run", sameOutputs(t, native, out))
}
