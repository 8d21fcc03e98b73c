package pipeline

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// onePassLog is the log line of a stage started in one pass with another.
const onePassLog = "one_pass_with="

// TestOnePassMatchesReadBack runs the demo, whose schools list (api2000) is a
// streamed source read by one places set, in chunks of 10 records: the
// source and the places stage share one pass over the CSV (the log says so;
// the places stage did not read raw/api2000.parquet back). Then it reruns
// the places stage alone (--force places:schools) with the source cached,
// which reads the raw file back as before, and checks that every output file
// is byte for byte the same, raw and places Parquet included; a warm rerun
// runs nothing.
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
	out1 := filepath.Join(t.TempDir(), "out")
	res, log := run(out1)
	var paired []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "stage started") && strings.Contains(l, onePassLog) {
			paired = append(paired, l)
		}
	}
	if len(paired) != 2 || !strings.Contains(log, "stage=source:api2000 ") || !strings.Contains(log, onePassLog+"places:schools") || !strings.Contains(log, onePassLog+"source:api2000") {
		t.Fatalf("want source:api2000 and places:schools started in one pass; stages started so:\n%s", strings.Join(paired, "\n"))
	}
	for _, s := range res.Stages {
		if want, ok := map[string]int{"source:api2000": 75, "places:schools": 51}[s.Name]; ok && (s.RowsOut != want || s.Status != "ran") {
			t.Errorf("stage %s: %s, %d rows out; want ran, %d", s.Name, s.Status, s.RowsOut, want)
		}
		if s.Name == "places:schools" && s.RowsIn == 0 {
			t.Errorf("places:schools: no rows in")
		}
	}

	out2 := filepath.Join(t.TempDir(), "out")
	res2, log2 := run(out2, "places:schools")
	if st := status(res2); st["source:api2000"] != "cached" || st["places:schools"] != "ran" {
		t.Fatalf("forced places: source:api2000 %s, places:schools %s; want cached, ran", st["source:api2000"], st["places:schools"])
	}
	if strings.Contains(log2, onePassLog) {
		t.Error("the places stage ran in one pass with a cached source")
	}
	a, b := snapshot(t, out1), snapshot(t, out2)
	if len(a) == 0 {
		t.Fatal("no outputs")
	}
	for _, f := range []string{"raw/api2000.parquet", "places/schools.parquet", "unplaced/schools.csv"} {
		if _, ok := a[f]; !ok {
			t.Errorf("no %s", f)
		}
	}
	for name, want := range a {
		if !bytes.Equal(want, b[name]) {
			t.Errorf("%s differs between the one pass and reading the raw file back", name)
		}
	}
	if len(a) != len(b) {
		t.Errorf("%d files in one pass, %d read back", len(a), len(b))
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
		if errors.Is(err, errPartnerFailed) {
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
