//go:build unix

package outdir

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// writeOutput writes a complete output: three files whose contents all name
// version v, so a mix of two versions is visible.
func writeOutput(t testing.TB, dir, v string) {
	for _, f := range []string{"report.html", "tracts.parquet", ".groundwork-output"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(v+" "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readOutput returns the version out holds, or an error if it is missing or
// mixed.
func readOutput(out string) (string, error) {
	v := ""
	for _, f := range []string{"report.html", "tracts.parquet", ".groundwork-output"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			return "", err
		}
		got, _, _ := strings.Cut(string(b), " ")
		if v != "" && got != v {
			return "", fmt.Errorf("mixed output: %s and %s", v, got)
		}
		v = got
	}
	return v, nil
}

// TestHelperProcess is not a test: run by TestCrashBetweenSteps in a child
// process, it writes version OUTDIR_VERSION into OUTDIR_OUT and kills itself
// with SIGKILL at step OUTDIR_CRASH of Commit.
func TestHelperProcess(t *testing.T) {
	out := os.Getenv("OUTDIR_OUT")
	if out == "" {
		t.Skip("helper process only")
	}
	crash := os.Getenv("OUTDIR_CRASH")
	step = func(name string) {
		if name == crash {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // wait for the signal
		}
	}
	s, err := Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	writeOutput(t, s.Dir(), os.Getenv("OUTDIR_VERSION"))
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
}

func runHelper(t *testing.T, out, version, crash string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "OUTDIR_OUT="+out, "OUTDIR_VERSION="+version, "OUTDIR_CRASH="+crash)
	b, err := cmd.CombinedOutput()
	killed := false
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			killed = true
		}
	}
	switch {
	case crash == "" && err != nil:
		t.Fatalf("helper: %v\n%s", err, b)
	case crash != "" && !killed:
		t.Fatalf("helper was to be killed at %q: %v\n%s", crash, err, b)
	}
}

// TestCrashBetweenSteps kills a run (SIGKILL, in a child process) between
// every two steps of Commit, starting from an output written with links and
// from a real folder written before links, and checks that the output path
// always holds one complete version (the old one before the switch, the new
// one after), and that the next run removes what the killed one left.
func TestCrashBetweenSteps(t *testing.T) {
	steps := []struct {
		name    string
		wantNew bool
	}{{"written", false}, {"linked", false}, {"swapped", true}, {"cleaned", true}}
	for _, start := range []string{"link", "real folder"} {
		for _, st := range steps {
			t.Run(start+"/killed after "+st.name, func(t *testing.T) {
				parent := t.TempDir()
				out := filepath.Join(parent, "out")
				if start == "link" {
					runHelper(t, out, "v1", "")
				} else {
					os.Mkdir(out, 0o755)
					writeOutput(t, out, "v1")
				}
				runHelper(t, out, "v2", st.name)
				got, err := readOutput(out)
				if err != nil {
					t.Fatalf("after the kill: %v", err)
				}
				if want := map[bool]string{false: "v1", true: "v2"}[st.wantNew]; got != want {
					t.Errorf("after the kill the output is %s, want %s", got, want)
				}
				runHelper(t, out, "v3", "")
				if got, err := readOutput(out); err != nil || got != "v3" {
					t.Fatalf("next run: output %q, %v; want v3", got, err)
				}
				ents, _ := os.ReadDir(parent)
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				// Beside the output: its version, the previous one (v2 or v1;
				// a real folder from before links is kept under the name of
				// the link it was exchanged with) and nothing the killed run
				// left.
				target, _ := os.Readlink(out)
				var prev []string
				for _, n := range names {
					if n != "out" && n != target {
						prev = append(prev, n)
					}
				}
				if len(prev) != 1 {
					t.Fatalf("beside the output after the next run: %v; want out, %s and one previous version", names, target)
				}
				if got, err := readOutput(filepath.Join(parent, prev[0])); err != nil || got != map[bool]string{false: "v1", true: "v2"}[st.wantNew] {
					t.Errorf("previous version %s holds %q, %v", prev[0], got, err)
				}
			})
		}
	}
}

// readEach opens each file of out through the output path, as a browser
// following links in the report does: every file must exist and be whole.
// (Files read one by one through the path may come from two versions when a
// swap happens between the reads; a reader that needs one version resolves
// the link once.)
func readEach(out string) error {
	for _, f := range []string{"report.html", "tracts.parquet", ".groundwork-output"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			return err
		}
		if !strings.HasPrefix(string(b), "v") || !strings.HasSuffix(string(b), " "+f) {
			return fmt.Errorf("%s: partial content %q", f, b)
		}
	}
	return nil
}

// TestEveryInstantComplete reads the output continuously while 30 runs
// replace it: every file read through the output path exists and is whole.
//
// A version folder is removed when the run after the next one begins, so a
// reader that resolved the link to it and was then descheduled past that
// Begin (a loaded machine) finds its files gone: that is the documented
// retention, not an incomplete output. A failed read during which a Begin
// ran is therefore counted as expired and retried; a failed read with no
// Begin in between fails the test.
func TestEveryInstantComplete(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	s, err := Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	writeOutput(t, s.Dir(), "v0")
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads, expired, begun atomic.Int64
	errs := make(chan error, 1)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				before := begun.Load()
				if err := readEach(out); err != nil {
					if errors.Is(err, fs.ErrNotExist) && begun.Load() != before {
						expired.Add(1)
						continue
					}
					select {
					case errs <- err:
					default:
					}
					return
				}
				reads.Add(1)
			}
		}()
	}
	for i := 1; i <= 30; i++ {
		// A run takes seconds; the previous version is removed when the
		// next run begins, so a reader that followed the old link has that
		// long to finish.
		time.Sleep(20 * time.Millisecond)
		begun.Add(1)
		s, err := Begin(out)
		if err != nil {
			t.Fatal(err)
		}
		writeOutput(t, s.Dir(), fmt.Sprint("v", i))
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatalf("a read during the swaps failed: %v", err)
	default:
	}
	if got, _ := readOutput(out); got != "v30" {
		t.Errorf("final output %s, want v30", got)
	}
	if reads.Load() == 0 {
		t.Fatal("no complete read during the swaps")
	}
	t.Logf("%d complete reads during 30 swaps (%d retried after their version expired)", reads.Load(), expired.Load())
}

// TestLiveRunKept checks that Begin leaves the version folder of a running
// process alone, and that Abort leaves the output as it was.
func TestLiveRunKept(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	a, err := Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Begin(out) // another run while a is still writing (same pid: alive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a.Dir()); err != nil {
		t.Fatalf("the second Begin removed the first run's folder: %v", err)
	}
	writeOutput(t, b.Dir(), "b")
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	a.Abort()
	if got, err := readOutput(out); err != nil || got != "b" {
		t.Errorf("output %q, %v after Abort; want b", got, err)
	}
	if _, err := os.Stat(a.Dir()); !os.IsNotExist(err) {
		t.Errorf("Abort left %s", a.Dir())
	}
	// A lock whose process is gone: removed by the next Begin.
	dead := filepath.Join(filepath.Dir(out), ".out.v-dead")
	os.Mkdir(dead, 0o755)
	os.WriteFile(dead+".lock", []byte("999999999\n"), 0o644)
	c, err := Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Abort()
	if !bytes.Contains([]byte(strings.Join(c.Removed(), "\n")), []byte(".out.v-dead")) {
		t.Errorf("Removed = %v, want the dead run's folder and lock", c.Removed())
	}
}

// TestLegacyStaging removes the staging folders of versions before lock
// files once they are a day old, and keeps younger ones.
func TestLegacyStaging(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	old := filepath.Join(parent, ".out.staging-123")
	young := filepath.Join(parent, ".out.staging-456")
	os.Mkdir(old, 0o755)
	os.Mkdir(young, 0o755)
	day := time.Now().Add(-25 * time.Hour)
	os.Chtimes(old, day, day)
	s, err := Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("a day-old legacy staging folder was kept")
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("a young legacy staging folder was removed: %v", err)
	}
}

// TestSupersededNotReported: Begin removes the version before the current
// one, but lists in Removed only what runs that died left, so a run's log
// does not report routine clean-up as a crash.
func TestSupersededNotReported(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var first string
	for i := range 2 {
		s, err := Begin(out)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = s.Dir()
		}
		writeOutput(t, s.Dir(), fmt.Sprint("v", i))
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Errorf("the first version %s is still there (err %v)", first, err)
	}
	if got := s.Removed(); len(got) != 0 {
		t.Errorf("Removed = %v, want none (only a superseded version was removed)", got)
	}
}
