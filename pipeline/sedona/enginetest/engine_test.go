package enginetest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
)

// jobDone checks the run's log for the one Spark job and returns its
// "sedona job done" line: the demo's summary and segment over its places
// set (schools) were computed in the job, none natively.
func jobDone(t *testing.T, log string) string {
	t.Helper()
	var done []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "sedona job done") {
			done = append(done, line)
		}
		if strings.Contains(line, "computed natively") {
			t.Errorf("the job left a summary or segment to the native engine: %s", line)
		}
	}
	if len(done) != 1 {
		t.Fatalf("%d sedona jobs ran, want 1; log:\n%s", len(done), log)
	}
	for _, want := range []string{"stage=sedona", "summaries=1", "segments=1"} {
		if !strings.Contains(done[0], want) {
			t.Errorf("job line %q lacks %s", done[0], want)
		}
	}
	// A contact, survey or sign-in point missing from the job fails the
	// run (the outreach stage counts the points the job did not place).
	return done[0]
}

func logger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// TestOaklandSedonaEngine runs the embedded Oakland demo with `engine:
// sedona` in the pipeline file on local[2]: one Spark job places the schools,
// the contacts, the survey answers and the sign-ins and computes the schools
// summary and segment; every output file (placements, unplaced list,
// summaries, segments, exports, report) is byte-identical with the native
// run's.
func TestOaklandSedonaEngine(t *testing.T) {
	setupOrSkip(t)
	native := nativeOutputs(t)
	dir := demoDir(t)
	data, err := os.ReadFile(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, oakland.Pipeline), append([]byte("engine: sedona\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Engine != "sedona" {
		t.Fatalf("engine = %q, want sedona", cfg.Engine)
	}
	var log bytes.Buffer
	out := filepath.Join(t.TempDir(), "sedona")
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.Options{OutDir: out, NoCache: true, SparkMaster: "local[2]", Logger: logger(&log)}); err != nil {
		t.Fatal(err)
	}
	t.Log(jobDone(t, log.String()))
	t.Logf("%d output files byte-identical with the native run", sameOutputs(t, native, out))
}

// TestOaklandJobThenReport writes the demo's Sedona job without running it
// (groundwork job), runs it as a user would on their cluster (here
// sedona.Submit on local[2]), and builds the outputs from its results
// (groundwork report --from): they equal the native run's byte for byte. A
// job whose inputs do not match the pipeline is refused.
func TestOaklandJobThenReport(t *testing.T) {
	setup := setupOrSkip(t)
	native := nativeOutputs(t)
	cfg := loadDemo(t, demoDir(t))
	jobs := t.TempDir()
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.Options{OutDir: filepath.Join(t.TempDir(), "x"), NoCache: true, Engine: "sedona", JobsOut: jobs}); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(jobs, "job.py"))
	if err != nil || !bytes.Equal(script, sedona.JobScript) {
		t.Fatalf("job.py not written as embedded: %v", err)
	}
	from := filepath.Join(t.TempDir(), "from")
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.Options{OutDir: from, NoCache: true, Engine: "sedona", JobsFrom: jobs}); !errors.Is(err, sedona.ErrNoOutput) {
		t.Fatalf("report from a job that did not run: %v, want ErrNoOutput", err)
	}
	if err := sedona.Submit(context.Background(), jobs, setup, sedona.SubmitOptions{Master: "local[2]"}); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.Options{OutDir: from, NoCache: true, Engine: "sedona", JobsFrom: jobs, Logger: logger(&log)}); err != nil {
		t.Fatal(err)
	}
	jobDone(t, log.String())
	t.Logf("%d output files byte-identical with the native run", sameOutputs(t, native, from))

	// The same job for a pipeline whose segment changed is stale.
	cfg.Segments[0].Limit = 3
	_, err = pipeline.Run(context.Background(), cfg, pipeline.Options{OutDir: filepath.Join(t.TempDir(), "stale"), NoCache: true, Engine: "sedona", JobsFrom: jobs})
	if err == nil || !strings.Contains(err.Error(), "write it again") {
		t.Errorf("report from a stale job: %v, want an error saying to write it again", err)
	}
}
