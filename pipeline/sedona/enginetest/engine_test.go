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

	t.Run("segment edit", func(t *testing.T) { segmentEdit(t, native, dir, out, cache) })
}

// The demo's segment over its places set, and the edit segmentEdit makes
// to its rule (it selects more schools).
const (
	editedSegment = "flatland_elementary_api_under_600"
	ruleBefore    = `api00 < 600'`
	ruleAfter     = `api00 < 650'`
)

// segmentEdit edits the rule of the demo's segment over schools in the
// sedona run's pipeline file (in dir, with the output folder out and the
// stage cache cache of a run that ran the job) and runs it again: the
// Spark job does not run (the sedona stage's key covers placement only),
// the segment stage selects the edited segment natively over the cached
// job's placements, and every output equals a native run of the edited
// pipeline.
func segmentEdit(t *testing.T, native, dir, out, cache string) {
	edit := func(dir string) *config.Config {
		t.Helper()
		path := filepath.Join(dir, oakland.Pipeline)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(data, []byte(ruleBefore)) != 1 {
			t.Fatalf("%s: want one %q to edit", path, ruleBefore)
		}
		if err := os.WriteFile(path, bytes.Replace(data, []byte(ruleBefore), []byte(ruleAfter), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		return loadDemo(t, dir)
	}
	nativeDir := demoDir(t)
	nativeOut := filepath.Join(t.TempDir(), "native")
	if _, err := pipeline.Run(context.Background(), edit(nativeDir), pipeline.Options{OutDir: nativeOut, NoCache: true}); err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join("segments", editedSegment+".csv")
	before, _ := os.ReadFile(filepath.Join(native, seg))
	after, _ := os.ReadFile(filepath.Join(nativeOut, seg))
	if len(before) == 0 || bytes.Equal(before, after) {
		t.Fatalf("the edit does not change %s (%d bytes before)", seg, len(before))
	}

	var log bytes.Buffer
	res, err := pipeline.Run(context.Background(), edit(dir), pipeline.Options{OutDir: out, CacheDir: cache, SparkMaster: "local[2]", Logger: logger(&log)})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range res.Stages {
		status[r.Name] = r.Status
	}
	for stage, want := range map[string]string{"sedona": "cached", "places:schools": "cached", "summary:schools": "cached",
		"segment:" + editedSegment: "ran", "report": "ran"} {
		if status[stage] != want {
			t.Errorf("stage %s: status %q, want %q", stage, status[stage], want)
		}
	}
	if strings.Contains(log.String(), "sedona job") {
		t.Errorf("the rerun after a segment edit ran the Spark job:\n%s", log.String())
	}
	if want := `segment computed natively" segment=` + editedSegment + ` reason="changed since the cached job ran"`; !strings.Contains(log.String(), want) {
		t.Errorf("no %q in the rerun's log:\n%s", want, log.String())
	}
	t.Logf("segment edit: %d output files byte-identical with a native run of the edited pipeline", sameOutputs(t, nativeOut, out))
}
