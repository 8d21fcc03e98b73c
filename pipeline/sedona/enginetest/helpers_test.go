package enginetest

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
)

// setupOrSkip returns the Sedona set-up, skipping the test when it is absent
// and failing it under CI (where .ci/run installs it).
func setupOrSkip(t *testing.T) *sedona.Setup {
	t.Helper()
	s, err := sedona.FindSetup("")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the Sedona engine is not set up: %v", err)
		}
		t.Skipf("Sedona engine not set up (run %s): %v", sedona.SetupCommand, err)
	}
	return s
}

// demoDir copies the embedded Oakland demo into a temporary folder.
func demoDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := oakland.Files.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := oakland.Files.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func loadDemo(t testing.TB, dir string) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// nativeRun is the demo's native run, made once for every test of the
// package (in a folder TestMain removes).
var nativeRun struct {
	once sync.Once
	dir  string
	err  error
}

func nativeOutputs(t *testing.T) string {
	t.Helper()
	nativeRun.once.Do(func() {
		if nativeRun.dir, nativeRun.err = os.MkdirTemp("", "groundwork-native-"); nativeRun.err != nil {
			return
		}
		demo := filepath.Join(nativeRun.dir, "demo")
		if nativeRun.err = os.CopyFS(demo, oakland.Files); nativeRun.err != nil {
			return
		}
		cfg, err := config.Load(filepath.Join(demo, oakland.Pipeline))
		if err != nil {
			nativeRun.err = err
			return
		}
		_, nativeRun.err = pipeline.Run(context.Background(), cfg, pipeline.Options{OutDir: filepath.Join(nativeRun.dir, "out"), NoCache: true})
	})
	if nativeRun.err != nil {
		t.Fatal(nativeRun.err)
	}
	return filepath.Join(nativeRun.dir, "out")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if nativeRun.dir != "" {
		os.RemoveAll(nativeRun.dir)
	}
	os.Exit(code)
}

// sameOutputs compares every file of two output folders byte for byte and
// returns how many it compared.
func sameOutputs(t *testing.T, native, spark string) int {
	t.Helper()
	// An output folder is a link to its version folder (package outdir).
	for _, p := range []*string{&native, &spark} {
		if target, err := filepath.EvalSymlinks(*p); err == nil {
			*p = target
		}
	}
	n := 0
	err := filepath.WalkDir(native, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(native, path)
		want, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(spark, rel))
		if err != nil {
			t.Errorf("%s: in the native run, not the sedona run: %v", rel, err)
			return nil
		}
		n++
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs between the native and the sedona engine (%d and %d bytes)", rel, len(want), len(got))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(spark, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(spark, path)
		if _, err := os.Stat(filepath.Join(native, rel)); err != nil {
			t.Errorf("%s: only in the sedona run (the job folder must not be left behind)", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("compared only %d files", n)
	}
	return n
}
