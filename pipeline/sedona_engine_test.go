package pipeline

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
)

// TestOaklandSedonaEngine runs the embedded Oakland demo twice, with the
// native engine and with `engine: sedona` in the pipeline file (the places
// set placed by a Spark job with Apache Sedona on local[2]), and compares
// every output file byte for byte: placements, unplaced list, summaries,
// segments, exports and the report. Skipped without the Sedona set-up
// (scripts/setup-python.sh), failed without it under CI.
func TestOaklandSedonaEngine(t *testing.T) {
	if _, err := sedona.FindSetup(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the Sedona engine is not set up: %v", err)
		}
		t.Skipf("Sedona engine not set up: %v", err)
	}
	dir := demoDir(t)
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	native := filepath.Join(t.TempDir(), "native")
	if _, err := Run(context.Background(), cfg, Options{OutDir: native, NoCache: true}); err != nil {
		t.Fatal(err)
	}

	// The engine from the pipeline file, as a user would set it.
	data, err := os.ReadFile(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, oakland.Pipeline), append([]byte("engine: sedona\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	scfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	if scfg.Engine != "sedona" {
		t.Fatalf("engine = %q, want sedona", scfg.Engine)
	}
	var log bytes.Buffer
	spark := filepath.Join(t.TempDir(), "sedona")
	_, err = Run(context.Background(), scfg, Options{OutDir: spark, NoCache: true, SparkMaster: "local[2]",
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	var ran string
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "sedona job done") {
			ran = line
		}
	}
	if ran == "" || !strings.Contains(ran, "stage=places:schools") {
		t.Fatalf("no sedona job ran for places:schools; log:\n%s", log.String())
	}
	t.Log(ran)

	n := sameOutputs(t, native, spark)
	t.Logf("%d output files byte-identical between the engines", n)
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

// TestOaklandJobThenReport writes the demo's Sedona job without running it
// (groundwork job), runs it as a user would on their cluster (here
// sedona.Submit on local[2]), and builds the outputs from its placements
// (groundwork report --from): they equal the native run's byte for byte.
func TestOaklandJobThenReport(t *testing.T) {
	setup, err := sedona.FindSetup("")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the Sedona engine is not set up: %v", err)
		}
		t.Skipf("Sedona engine not set up: %v", err)
	}
	dir := demoDir(t)
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	native := filepath.Join(t.TempDir(), "native")
	if _, err := Run(context.Background(), cfg, Options{OutDir: native, NoCache: true}); err != nil {
		t.Fatal(err)
	}
	jobs := t.TempDir()
	if _, err := Run(context.Background(), cfg, Options{OutDir: filepath.Join(t.TempDir(), "x"), NoCache: true, Engine: "sedona", JobsOut: jobs}); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(jobs, "schools", "job.py"))
	if err != nil || !bytes.Equal(script, sedona.JobScript) {
		t.Fatalf("job.py not written as embedded: %v", err)
	}
	from := filepath.Join(t.TempDir(), "from")
	if _, err := Run(context.Background(), cfg, Options{OutDir: from, NoCache: true, Engine: "sedona", JobsFrom: jobs}); !errors.Is(err, sedona.ErrNoOutput) {
		t.Fatalf("report from a job that did not run: %v, want ErrNoOutput", err)
	}
	if err := sedona.Submit(context.Background(), filepath.Join(jobs, "schools"), setup, sedona.SubmitOptions{Master: "local[2]"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg, Options{OutDir: from, NoCache: true, Engine: "sedona", JobsFrom: jobs}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d output files byte-identical with the native run", sameOutputs(t, native, from))
}
