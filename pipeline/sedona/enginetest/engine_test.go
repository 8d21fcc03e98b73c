package enginetest

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
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
	fromJob(t, log)
	for _, want := range []string{"stage=sedona", "summaries=1", "segments=1"} {
		if !strings.Contains(done[0], want) {
			t.Errorf("job line %q lacks %s", done[0], want)
		}
	}
	// A contact, survey or sign-in point missing from the job fails the
	// run (the outreach stage counts the points the job did not place).
	return done[0]
}

// fromJob checks that the places, summary, segment and outreach stages took
// their results from the job (without it they fall back to the native
// code, which gives the same outputs).
func fromJob(t *testing.T, log string) {
	t.Helper()
	for _, want := range []string{"placements from the job\" places=schools", "summary from the job\" summary=schools",
		"segment from the job\" segment=flatland_elementary_api_under_600", "contact placements from the job"} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q in the run's log", want)
		}
	}
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
	cache := filepath.Join(t.TempDir(), "cache")
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.Options{OutDir: out, CacheDir: cache, SparkMaster: "local[2]", Logger: logger(&log)}); err != nil {
		t.Fatal(err)
	}
	t.Log(jobDone(t, log.String()))
	t.Logf("%d output files byte-identical with the native run", sameOutputs(t, native, out))

	log.Reset()
	if _, err := pipeline.Run(context.Background(), cfg, pipeline.Options{OutDir: out, CacheDir: cache, SparkMaster: "local[2]", Logger: logger(&log),
		Force: []string{"places:schools", "summary:schools", "segment:flatland_elementary_api_under_600", "outreach"}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "sedona job") {
		t.Errorf("the rerun ran a job; want the cached one:\n%s", log.String())
	}
	fromJob(t, log.String())
	t.Logf("rerun from the cached job: %d output files byte-identical with the native run", sameOutputs(t, native, out))
}
