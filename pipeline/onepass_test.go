package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/groundwork-org/groundwork/pipeline/feed"
)

// onePassLog is the log line of a stage started in one pass with another.
const onePassLog = "one_pass_with="

// onePassStages returns, from a run's log, each stage started in one pass
// with others and the stages it was started with.
func onePassStages(log string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(log, "\n") {
		if !strings.Contains(l, "stage started") {
			continue
		}
		_, with, ok := strings.Cut(l, onePassLog)
		_, stage, _ := strings.Cut(l, "stage=")
		if ok {
			stage, _, _ = strings.Cut(stage, " ")
			with, _, _ = strings.Cut(with, " ")
			m[stage] = with
		}
	}
	return m
}

// The demo's stages over its schools list (api2000, a streamed source read
// by one places set, one summary and one segment).
const (
	demoSchoolsSource  = "source:api2000"
	demoSchoolsPlaces  = "places:schools"
	demoSchoolsSummary = "summary:schools"
	demoSchoolsSegment = "segment:flatland_elementary_api_under_600"
)

// TestOnePassMatchesReadBack runs the demo, whose schools list (api2000) is a
// streamed source read by one places set, with a summary and a segment over
// it, in chunks of 10 records: the source, the places stage, the summary
// and the segment share one pass over the CSV (the log says so; the places
// stage did not read raw/api2000.parquet back, nor the summary and segment
// places/schools.parquet). Then it reruns, into fresh folders with the same
// cache, the summary and segment alone (--force, the places cached), which
// read places/schools.parquet back as before; the places stage and its
// summary and segment with the source cached (one pass of three, the places
// stage reading the raw file back); and the places stage alone (its summary
// and segment cached). Every output file is byte for byte the same in every
// run, raw, places and summary Parquet and segment CSV and GeoJSON
// included; a warm rerun runs nothing.
func TestOnePassMatchesReadBack(t *testing.T) {
	defer func(n int) { streamChunk = n }(streamChunk)
	streamChunk = 10
	dir := demoDir(t)
	cache := t.TempDir()
	run := func(out string, force ...string) (*Result, string) {
		t.Helper()
		var log bytes.Buffer
		res, err := runOpts(t, dir, Options{OutDir: out, CacheDir: cache, Force: force,
			Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo}))})
		if err != nil {
			t.Fatal(err)
		}
		return res, log.String()
	}
	status := func(res *Result) map[string]string {
		m := map[string]string{}
		for _, s := range res.Stages {
			m[s.Name] = s.Status
		}
		return m
	}
	// passWant checks that exactly the stages of pass started together.
	passWant := func(what, log string, pass ...string) {
		t.Helper()
		got := onePassStages(log)
		want := map[string]string{}
		for _, s := range pass {
			var with []string
			for _, o := range pass {
				if o != s {
					with = append(with, o)
				}
			}
			want[s] = strings.Join(with, ",")
		}
		if len(pass) == 0 {
			want = map[string]string{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: stages started in one pass (-want +got):\n%s", what, diff)
		}
	}
	out1 := filepath.Join(t.TempDir(), "out")
	res, log := run(out1)
	passWant("cold run", log, demoSchoolsSource, demoSchoolsPlaces, demoSchoolsSummary, demoSchoolsSegment)
	for _, s := range res.Stages {
		if want, ok := map[string]int{demoSchoolsSource: 75, demoSchoolsPlaces: 51}[s.Name]; ok && (s.RowsOut != want || s.Status != "ran") {
			t.Errorf("stage %s: %s, %d rows out; want ran, %d", s.Name, s.Status, s.RowsOut, want)
		}
		if (s.Name == demoSchoolsPlaces || s.Name == demoSchoolsSummary || s.Name == demoSchoolsSegment) && s.RowsIn == 0 {
			t.Errorf("%s: no rows in", s.Name)
		}
	}
	a := snapshot(t, out1)
	if len(a) == 0 {
		t.Fatal("no outputs")
	}
	for _, f := range []string{"raw/api2000.parquet", "places/schools.parquet", "unplaced/schools.csv", "summaries/schools.parquet",
		"segments/flatland_elementary_api_under_600.csv", "segments/flatland_elementary_api_under_600.geojson"} {
		if _, ok := a[f]; !ok {
			t.Errorf("no %s", f)
		}
	}
	for _, c := range []struct {
		what  string
		force []string
		ran   []string // the stages over the schools that run; the others are cached
		pass  []string // those in one pass
	}{
		{"summary and segment alone", []string{demoSchoolsSummary, demoSchoolsSegment}, []string{demoSchoolsSummary, demoSchoolsSegment}, nil},
		{"places, summary and segment", []string{demoSchoolsPlaces, demoSchoolsSummary, demoSchoolsSegment},
			[]string{demoSchoolsPlaces, demoSchoolsSummary, demoSchoolsSegment}, []string{demoSchoolsPlaces, demoSchoolsSummary, demoSchoolsSegment}},
		{"places alone", []string{demoSchoolsPlaces}, []string{demoSchoolsPlaces}, nil},
	} {
		out := filepath.Join(t.TempDir(), "out")
		res, log := run(out, c.force...)
		st := status(res)
		for _, s := range []string{demoSchoolsSource, demoSchoolsPlaces, demoSchoolsSummary, demoSchoolsSegment} {
			want := "cached"
			if slices.Contains(c.ran, s) {
				want = "ran"
			}
			if st[s] != want {
				t.Errorf("%s: %s %s, want %s", c.what, s, st[s], want)
			}
		}
		passWant(c.what, log, c.pass...)
		b := snapshot(t, out)
		for name, want := range a {
			if !bytes.Equal(want, b[name]) {
				t.Errorf("%s: %s differs from the cold run's", c.what, name)
			}
		}
		if len(a) != len(b) {
			t.Errorf("%s: %d files, %d in the cold run", c.what, len(b), len(a))
		}
	}

	res3, log3 := run(out1)
	for name, s := range status(res3) {
		if s != "cached" {
			t.Errorf("warm rerun: %s %s, want cached", name, s)
		}
	}
	if strings.Contains(log3, onePassLog) {
		t.Error("a warm rerun started stages in one pass")
	}
}

// TestOnePassSummaryCrash makes the summary, then the segment, in the
// schools pass crash while the places stage streams to it: the run fails
// with that stage's own error (ErrInternal), not with the places stage's
// or the source's echo of it, on one worker as on two, and nothing waits
// forever on a reader that is gone.
func TestOnePassSummaryCrash(t *testing.T) {
	defer func(n int) { streamChunk = n }(streamChunk)
	streamChunk = 10
	dir := demoDir(t)
	for _, stage := range []string{demoSchoolsSummary, demoSchoolsSegment} {
		for _, par := range []int{1, 2} {
			out := filepath.Join(t.TempDir(), "out")
			var log bytes.Buffer
			_, err := runOpts(t, dir, Options{OutDir: out, NoCache: true, Parallel: par,
				Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo})),
				inStage: func(name string) {
					if name == stage {
						var s *state
						_ = s.cfg // the crash
					}
				}})
			if err == nil || !errors.Is(err, ErrInternal) || !strings.HasPrefix(err.Error(), stage+": ") || errors.Is(err, feed.ErrPartnerFailed) {
				t.Errorf("%s, %d worker(s): error %v; want %s's crash (ErrInternal)", stage, par, err, stage)
			}
			if _, ok := onePassStages(log.String())[stage]; !ok {
				t.Errorf("%s, %d worker(s): not started in one pass", stage, par)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s, %d worker(s): the failed run made %s", stage, par, out)
			}
		}
	}
}

// TestOnePassSourceError makes the streamed source fail in its fifth chunk
// (a bad number on line 43), after the places stage has placed the first
// chunks: the run fails with the source's own error (stage, file, line),
// on one worker as on two, nothing waits forever, and the earlier outputs
// stay as they were.
func TestOnePassSourceError(t *testing.T) {
	defer func(n int) { streamChunk = n }(streamChunk)
	streamChunk = 10
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	file := filepath.Join(dir, "api_2000_oakland.csv")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	// api00 is the 13th column of "156","0161...",...: make it text
	f := strings.Split(lines[42], ",")
	f[12] = "high"
	lines[42] = strings.Join(f, ",")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, par := range []int{1, 2} {
		var log bytes.Buffer
		_, err := runOpts(t, dir, Options{OutDir: out, NoCache: true, Parallel: par,
			Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo}))})
		if err == nil {
			t.Fatalf("%d worker(s): the run succeeded with a bad row", par)
		}
		msg := err.Error()
		for _, want := range []string{"source:api2000: ", "api_2000_oakland.csv", "43", "api00"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%d worker(s): error %q does not say %q", par, msg, want)
			}
		}
		if errors.Is(err, feed.ErrPartnerFailed) {
			t.Errorf("%d worker(s): the error is the places stage's echo of the source's: %q", par, msg)
		}
		if !strings.Contains(log.String(), onePassLog) {
			t.Errorf("%d worker(s): the stages did not share a pass", par)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("the failed runs changed the earlier outputs (-before +after):\n%.2000s", diff)
	}
	if left := beside(t, out, false); len(left) > 0 {
		t.Errorf("the failed runs left %v beside the output folder", left)
	}
}

// TestOnePassPlacesCrash makes the places stage crash while its source
// streams: the run fails with the places stage's error (ErrInternal), not
// with the source's "reader stopped", and the source does not wait forever
// on a reader that is gone.
func TestOnePassPlacesCrash(t *testing.T) {
	defer func(n int) { streamChunk = n }(streamChunk)
	streamChunk = 10
	dir := demoDir(t)
	for _, par := range []int{1, 2} {
		out := filepath.Join(t.TempDir(), "out")
		_, err := runOpts(t, dir, Options{OutDir: out, NoCache: true, Parallel: par, inStage: func(name string) {
			if name == "places:schools" {
				var s *state
				_ = s.cfg // the crash
			}
		}})
		if err == nil || !errors.Is(err, ErrInternal) || !strings.HasPrefix(err.Error(), "places:schools: ") {
			t.Errorf("%d worker(s): error %v; want places:schools's crash (ErrInternal)", par, err)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%d worker(s): the failed run made %s", par, out)
		}
	}
}

// TestOnePassSourceAhead holds boundary:tract (which the places stage
// needs) until source:api2000 has finished: on two workers the source runs
// ahead of its places stage, into a place no ready stage wants, its chunks
// (8 of 10 records) waiting in the feed, and the places stage then reads
// them; on one worker, or with NoReadAhead, it does not run ahead (and
// nothing waits forever). Every run writes the same files.
func TestOnePassSourceAhead(t *testing.T) {
	defer func(n, a int) { streamChunk, aheadChunks = n, a }(streamChunk, aheadChunks)
	streamChunk, aheadChunks = 10, 10
	dir := demoDir(t)
	var first map[string][]byte
	for _, c := range []struct {
		par         int
		noReadAhead bool
		ahead       bool
	}{{2, false, true}, {1, false, false}, {2, true, false}} {
		what := fmt.Sprintf("%d worker(s), NoReadAhead %v", c.par, c.noReadAhead)
		out := filepath.Join(t.TempDir(), "out")
		var log bytes.Buffer
		sourceDone := make(chan struct{})
		var sourceFirst bool
		_, err := runOpts(t, dir, Options{OutDir: out, NoCache: true, Parallel: c.par, NoReadAhead: c.noReadAhead,
			Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo})),
			afterStage: func(name string) {
				if name == demoSchoolsSource {
					close(sourceDone)
				}
			},
			inStage: func(name string) {
				if name == "boundary:tract" && c.ahead {
					select {
					case <-sourceDone:
						sourceFirst = true
					case <-time.After(time.Minute): // the source did not run ahead
					}
				}
			}})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if c.ahead && !sourceFirst {
			t.Errorf("%s: %s did not finish ahead of boundary:tract", what, demoSchoolsSource)
		}
		order := func(msg, stage string) int {
			return strings.Index(log.String(), fmt.Sprintf("msg=%q stage=%s ", msg, stage))
		}
		srcStart, tractDone, placesStart := order("stage started", demoSchoolsSource), order("stage finished", "boundary:tract"), order("stage started", demoSchoolsPlaces)
		if srcStart < 0 || tractDone < 0 || placesStart < tractDone {
			t.Fatalf("%s: the log lacks the stages, or places started before its boundary was merged:\n%s", what, log.String())
		}
		if ahead := srcStart < tractDone; ahead != c.ahead {
			t.Errorf("%s: the source ran ahead of boundary:tract %v, want %v", what, ahead, c.ahead)
		}
		snap := snapshot(t, out)
		if first == nil {
			first = snap
		} else if diff := cmp.Diff(first, snap); diff != "" {
			t.Errorf("%s: the outputs differ from the run ahead's (-ahead +this):\n%.2000s", what, diff)
		}
	}
}
