package sedona

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// SetupCommand is the command that installs what the Sedona engine needs
// (pyspark and the pinned Sedona jars in .venv); errors about a missing
// set-up name it.
const SetupCommand = "scripts/setup-python.sh"

// Setup is where the Python interpreter (with pyspark) and the Sedona jars
// are.
type Setup struct {
	Python string   // a Python with pyspark installed
	Jars   []string // the jars of jars.lock, in its order
}

// Jar is one pinned jar of jars.lock.
type Jar struct {
	Coordinate string // group:artifact:version on Maven Central
	File       string // artifact-version.jar
	SHA256     string
}

// Jars returns the jars pinned in jars.lock (embedded in the binary).
func Jars() []Jar {
	var out []Jar
	for _, line := range strings.Split(jarsLock, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		p := strings.Split(f[0], ":")
		if len(p) != 3 {
			continue
		}
		out = append(out, Jar{Coordinate: f[0], File: p[1] + "-" + p[2] + ".jar", SHA256: f[1]})
	}
	return out
}

// Packages returns the jars' Maven coordinates, comma-separated, as
// spark-submit's --packages takes them (for a cluster that reaches Maven
// Central).
func Packages() string {
	var c []string
	for _, j := range Jars() {
		c = append(c, j.Coordinate)
	}
	return strings.Join(c, ",")
}

// FindSetup locates the Python interpreter and the jars: python if given,
// else $GROUNDWORK_PYTHON, else .venv/bin/python in the working folder or
// the nearest parent that has one. The jars are in $GROUNDWORK_SEDONA_JARS,
// else in the interpreter's virtual environment under share/groundwork/jars
// (where scripts/setup-sedona.sh puts them). A missing piece is an error that
// names SetupCommand.
func FindSetup(python string) (*Setup, error) {
	if python == "" {
		python = os.Getenv("GROUNDWORK_PYTHON")
	}
	if python == "" {
		dir, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("sedona engine: %w", err)
		}
		for {
			p := filepath.Join(dir, ".venv", "bin", "python")
			if _, err := os.Stat(p); err == nil {
				python = p
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return nil, fmt.Errorf("sedona engine: no .venv/bin/python here or in a parent folder and GROUNDWORK_PYTHON is not set; run %s in the groundwork checkout (it installs pyspark and the Sedona jars), or set GROUNDWORK_PYTHON to a Python with pyspark", SetupCommand)
			}
			dir = parent
		}
	}
	if _, err := os.Stat(python); err != nil {
		return nil, fmt.Errorf("sedona engine: python %s: %w; run %s", python, err, SetupCommand)
	}
	jarDir := os.Getenv("GROUNDWORK_SEDONA_JARS")
	if jarDir == "" {
		// The venv's python may be a link to the system one: the venv
		// is the folder above bin, not the link's target.
		jarDir = filepath.Join(filepath.Dir(filepath.Dir(python)), "share", "groundwork", "jars")
	}
	s := &Setup{Python: python}
	var missing []string
	for _, j := range Jars() {
		p := filepath.Join(jarDir, j.File)
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, j.File)
			continue
		}
		s.Jars = append(s.Jars, p)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("sedona engine: %s missing from %s; run %s (or scripts/setup-sedona.sh VENV) to download the pinned Sedona jars", strings.Join(missing, ", "), jarDir, SetupCommand)
	}
	return s, nil
}

// SubmitOptions are the settings of Submit.
type SubmitOptions struct {
	// Master is the Spark master URL; "" means local[*].
	Master string
	// Log receives the job's output (Spark's log and the job's progress
	// lines); nil discards it. The last lines are also in a failure's
	// error.
	Log io.Writer
	// DriverMemory is the Spark driver's heap (spark.driver.memory, e.g.
	// "4g"); "" means 4g for a local master (the driver is also the
	// executor and holds the broadcast boundaries: 85,000 tracts need more
	// than Spark's default of 1g) and Spark's default otherwise.
	DriverMemory string
	// Env adds environment variables (KEY=VALUE) for the job.
	Env []string
	// Usage, when not nil, receives what the job's processes (Python and
	// the Spark driver JVM, local executors included) used: on Linux,
	// sampled from /proc every 250 ms.
	Usage *Usage
}

// Usage is what a job's processes used.
type Usage struct {
	Wall time.Duration
	// CPU is the user and system CPU time of the job's process group at
	// its last sample (a process that ends between samples loses at most
	// its last 250 ms).
	CPU time.Duration
	// PeakRSS is the largest sum of the group's resident memory seen;
	// 0 when it cannot be measured.
	PeakRSS int64
}

// Submit runs the job written by Write in dir with setup's Python (pyspark's
// own launcher starts the Spark driver) and waits for it. Cancelling ctx
// stops the job: the Python process is sent SIGTERM, then killed after ten
// seconds; the Spark driver it started exits with it. The job's outputs go to
// dir/out, replacing any previous ones.
func Submit(ctx context.Context, dir string, setup *Setup, opts SubmitOptions) error {
	master := opts.Master
	if master == "" {
		master = "local[*]"
	}
	if err := os.RemoveAll(filepath.Join(dir, "out")); err != nil {
		return fmt.Errorf("sedona job: %w", err)
	}
	args := []string{"job.py", "job.json", "--master", master, "--jars", strings.Join(setup.Jars, ",")}
	mem := opts.DriverMemory
	if mem == "" && strings.HasPrefix(master, "local") {
		mem = "4g"
	}
	if mem != "" {
		args = append(args, "--driver-memory", mem)
	}
	cmd := exec.CommandContext(ctx, setup.Python, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYSPARK_PYTHON="+setup.Python, "PYSPARK_DRIVER_PYTHON="+setup.Python, "PYTHONUNBUFFERED=1")
	cmd.Env = append(cmd.Env, opts.Env...)
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return terminate(cmd) }
	cmd.WaitDelay = 10 * time.Second
	tail := &tailWriter{max: 40}
	var w io.Writer = tail
	if opts.Log != nil {
		w = io.MultiWriter(opts.Log, tail)
	}
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("sedona job: start %s: %w; run %s", setup.Python, err, SetupCommand)
	}
	done := make(chan struct{})
	sampled := make(chan Usage, 1)
	go func() {
		var u Usage
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if cpu, rss, ok := groupUsage(cmd.Process.Pid); ok && rss > 0 {
				u.CPU = max(u.CPU, time.Duration(cpu*float64(time.Second)))
				u.PeakRSS = max(u.PeakRSS, rss)
			}
			select {
			case <-done:
				sampled <- u
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	u := <-sampled
	u.Wall = time.Since(start)
	if opts.Usage != nil {
		*opts.Usage = u
	}
	if ctx.Err() != nil {
		return fmt.Errorf("sedona job: %w", ctx.Err())
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("sedona job in %s failed (%s); its last lines:\n%s", dir, ee, tail.String())
		}
		return fmt.Errorf("sedona job: start %s: %w; run %s", setup.Python, err, SetupCommand)
	}
	return nil
}

// tailWriter keeps the last max lines written to it.
type tailWriter struct {
	max   int
	lines []string
	part  string
}

func (t *tailWriter) Write(p []byte) (int, error) {
	s := bufio.NewScanner(strings.NewReader(t.part + string(p)))
	t.part = ""
	complete := len(p) > 0 && p[len(p)-1] == '\n'
	var got []string
	for s.Scan() {
		got = append(got, s.Text())
	}
	if !complete && len(got) > 0 {
		t.part = got[len(got)-1]
		got = got[:len(got)-1]
	}
	t.lines = append(t.lines, got...)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	return strings.Join(append(t.lines, t.part), "\n")
}
