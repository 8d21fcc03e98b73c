package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/stagegraph"
	"github.com/groundwork-org/groundwork/pipeline/store"
)

// editFile replaces old with new in dir/name, failing when old is absent, so
// a test edit that stops matching the demo is noticed.
func editFile(t *testing.T, dir, name, old, new string) {
	t.Helper()
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q; update the test to the demo", name, old)
	}
	if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runOpts(t *testing.T, dir string, opts Options) (*Result, error) {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	return Run(context.Background(), cfg, opts)
}

func ran(res *Result) []string {
	var n []string
	for _, s := range res.Stages {
		if s.Status == "ran" {
			n = append(n, s.Name)
		}
	}
	sort.Strings(n)
	return n
}

// allStages is the Oakland demo's stage graph in run order.
var allStages = []string{
	"source:acs", "source:api2000", "source:directory", "source:terrain_lookup",
	"boundary:city", "boundary:neighborhood", "boundary:tract", "area:terrain", "tracts", "places:schools",
	"summary:schools", "summary:income", "segment:flatland_elementary_api_under_600", "segment:highest_need_tracts",
	"outreach", "report",
}

func TestGraphOfDemo(t *testing.T) {
	cfg, err := config.Load(filepath.Join(demoDir(t), oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	deps := map[string][]string{}
	for _, s := range buildGraph(cfg, false) {
		got = append(got, s.Name)
		deps[s.Name] = s.Deps
	}
	if diff := cmp.Diff(allStages, got); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		stage string
		want  []string
	}{
		{"area:terrain", []string{"source:terrain_lookup", "boundary:neighborhood"}},
		{"tracts", []string{"source:acs", "boundary:city", "boundary:neighborhood", "boundary:tract", "area:terrain"}},
		{"places:schools", []string{"source:api2000", "source:directory", "boundary:city", "boundary:neighborhood", "boundary:tract", "area:terrain"}},
		{"summary:income", []string{"tracts", "area:terrain"}},
		{"segment:flatland_elementary_api_under_600", []string{"places:schools"}},
	} {
		if diff := cmp.Diff(c.want, deps[c.stage]); diff != "" {
			t.Errorf("%s reads (-want +got):\n%s", c.stage, diff)
		}
	}
}

// TestIncrementalRerun runs the demo, makes one edit, and runs again into
// the same folder: only the stages downstream of the edit may run, and the
// outputs must be byte-identical to a run without the cache.
func TestIncrementalRerun(t *testing.T) {
	seg := "segment:flatland_elementary_api_under_600"
	for _, c := range []struct {
		name           string
		file, old, new string
		force          []string
		want           []string
	}{
		{name: "nothing changed", want: nil},
		{name: "one segment's rule", file: oakland.Pipeline, old: "api00 < 600", new: "api00 < 650", want: []string{"report", seg}},
		{name: "one summary's statistics", file: oakland.Pipeline,
			old:  "{column: B19013_001E, label: Median household income, format: dollars, stats: [min, median, max]}",
			new:  "{column: B19013_001E, label: Median household income, format: dollars, stats: [median]}",
			want: []string{"report", "summary:income"}},
		// Indicators are computed in the tracts stage; the school stages do
		// not depend on it and stay cached.
		{name: "one indicator's expression", file: oakland.Pipeline,
			old:  `expr: "(B25034_010E + B25034_011E) / B25034_001E"`,
			new:  `expr: "B25034_011E / B25034_001E"`,
			want: []string{"outreach", "report", "segment:highest_need_tracts", "summary:income", "tracts"}},
		{name: "report text only", file: oakland.Pipeline, old: `title: "Oakland: schools`, new: `title: "Oakland (edited): schools`, want: []string{"report"}},
		{name: "one input file's bytes", file: "api_2000_oakland.csv", old: "\n", new: "\r\n",
			want: []string{"places:schools", "report", seg, "source:api2000", "summary:schools"}},
		{name: "forced segment", force: []string{seg}, want: []string{seg}},
		{name: "forced kind", force: []string{"summaries"}, want: []string{"summary:income", "summary:schools"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := demoDir(t)
			base := t.TempDir()
			out := filepath.Join(base, "out")
			first, err := runOpts(t, dir, Options{OutDir: out})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(allStages, sortedRan(first)); diff != "" {
				t.Errorf("first run: stages that ran (-want +got):\n%s", diff)
			}
			if c.file != "" {
				editFile(t, dir, c.file, c.old, c.new)
			}
			second, err := runOpts(t, dir, Options{OutDir: out, Force: c.force})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, ran(second)); diff != "" {
				t.Errorf("second run: stages that ran (-want +got):\n%s", diff)
			}
			fresh := filepath.Join(base, "fresh")
			clean, err := runOpts(t, dir, Options{OutDir: fresh, NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(clean.Files, second.Files); diff != "" {
				t.Errorf("files of the cached run differ from a clean run (-clean +cached):\n%s", diff)
			}
			for _, f := range clean.Files {
				a, _ := os.ReadFile(filepath.Join(fresh, f))
				b, _ := os.ReadFile(filepath.Join(out, f))
				if !bytes.Equal(a, b) {
					t.Errorf("%s differs between the incremental run and a clean run", f)
				}
			}
			if diff := cmp.Diff(clean.Warnings, second.Warnings); diff != "" {
				t.Errorf("warnings (-clean +cached):\n%s", diff)
			}
		})
	}
}

func sortedRan(res *Result) []string {
	var n []string
	for _, s := range res.Stages {
		if s.Status == "ran" {
			n = append(n, s.Name)
		}
	}
	return n
}

// TestInterruptedRunResumes cancels the run after the places stage, as
// SIGINT does: the previous outputs must be intact, no staging folder left,
// and the next run must reuse every stage that had finished.
func TestInterruptedRunResumes(t *testing.T) {
	dir := demoDir(t)
	base := t.TempDir()
	out := filepath.Join(base, "out")
	if _, err := runOpts(t, dir, Options{OutDir: out}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)

	editFile(t, dir, oakland.Pipeline, "api00 < 600", "api00 < 700")
	editFile(t, dir, oakland.Pipeline, "stats: [min, median, max]}\n  - name: income", "stats: [median]}\n  - name: income")
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var finished []string
	_, err = Run(ctx, cfg, Options{OutDir: out, Parallel: 1, afterStage: func(name string) {
		finished = append(finished, name)
		if name == "summary:schools" {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: got error %v, want context.Canceled", err)
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("outputs changed by an interrupted run (-before +after):\n%s", diff)
	}
	ents, _ := os.ReadDir(base)
	for _, e := range ents {
		if strings.Contains(e.Name(), "staging") {
			t.Errorf("staging folder %s left behind", e.Name())
		}
	}
	res, err := runOpts(t, dir, Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	// summary:schools finished before the interruption and is reused; the
	// segment and the report had not run.
	want := []string{"report", "segment:flatland_elementary_api_under_600"}
	if diff := cmp.Diff(want, ran(res)); diff != "" {
		t.Errorf("resumed run: stages that ran (-want +got):\n%s (finished before the interruption: %v)", diff, finished)
	}
	b, err := os.ReadFile(filepath.Join(out, "segments", "flatland_elementary_api_under_600.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(b, before["segments/flatland_elementary_api_under_600.csv"]) {
		t.Error("the resumed run did not apply the edited segment rule")
	}
}

// snapshot reads every file under dir, by relative path.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	if target, err := filepath.EvalSymlinks(dir); err == nil {
		dir = target // the output folder is a link to its version
	}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPlan(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := Plan(ctx, cfg, Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p {
		if !s.Run || s.Why != "no earlier run into this output folder" {
			t.Errorf("before any run: %s run=%v why=%q; want run, no earlier run", s.Name, s.Run, s.Why)
		}
	}
	if _, err := os.Stat(filepath.Dir(out)); err == nil {
		if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 0 {
			t.Errorf("plan wrote files: %v", ents)
		}
	}
	if _, err := Run(ctx, cfg, Options{OutDir: out}); err != nil {
		t.Fatal(err)
	}
	editFile(t, dir, "oakland_hills_flatlands.csv", "\n", "\r\n")
	editFile(t, dir, oakland.Pipeline, "api00 < 600", "api00 < 500")
	cfg, err = config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	p, err = Plan(ctx, cfg, Options{OutDir: out, Force: []string{"source:acs"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range p {
		got[s.Name] = s.Why
	}
	want := map[string]string{
		"source:acs":            "forced",
		"source:api2000":        "cached: inputs unchanged",
		"source:directory":      "cached: inputs unchanged",
		"source:terrain_lookup": "input oakland_hills_flatlands.csv changed",
		"boundary:city":         "cached: inputs unchanged",
		"boundary:neighborhood": "cached: inputs unchanged",
		"boundary:tract":        "cached: inputs unchanged",
		"area:terrain":          "upstream source:terrain_lookup changed",
		"tracts":                "upstream area:terrain changed",
		"places:schools":        "upstream area:terrain changed",
		"summary:schools":       "upstream area:terrain, places:schools changed",
		"summary:income":        "upstream area:terrain, tracts changed",
		"segment:flatland_elementary_api_under_600": "its configuration changed; upstream places:schools changed",
		"segment:highest_need_tracts":               "upstream tracts changed",
		"outreach":                                  "upstream area:terrain, segment:highest_need_tracts, tracts changed",
		"report":                                    "its configuration changed; upstream area:terrain, outreach, places:schools, segment:flatland_elementary_api_under_600, segment:highest_need_tracts, source:terrain_lookup, summary:income, summary:schools, tracts changed",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan reasons (-want +got):\n%s", diff)
	}
	n := 0
	for _, s := range p {
		if s.Run {
			n++
		}
	}
	if n != 11 || len(p) != 16 {
		t.Errorf("%d of %d stages would run, want 11 of 16", n, len(p))
	}
	if _, err := Plan(ctx, cfg, Options{OutDir: out, Force: []string{"segment:nope"}}); err == nil || !strings.Contains(err.Error(), "--force segment:nope: no such stage") {
		t.Errorf("unknown --force stage: got %v", err)
	}
}

// TestPartitionedOutputs writes the demo's tracts and schools as partitioned
// GeoParquet and reads them back: every row of tracts.parquet and
// places/schools.parquet is in exactly one partition file, with its
// geometry.
func TestPartitionedOutputs(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	res, err := runOpts(t, dir, Options{OutDir: out, Partitioned: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		name, flat, prefix string
		geom               string
	}{
		{"tracts", "tracts.parquet", "partitioned/tracts/state=06/county=001/", "MultiPolygon"},
		{"schools", "places/schools.parquet", "partitioned/places/schools/state=06/county=001/", "Point"},
	} {
		t.Run(c.name, func(t *testing.T) {
			flat, err := store.ReadParquet(ctx, filepath.Join(out, c.flat))
			if err != nil {
				t.Fatal(err)
			}
			defer flat.Release()
			n := 0
			for _, f := range res.Files {
				if !strings.HasPrefix(f, strings.SplitN(c.prefix, "state=", 2)[0]) {
					continue
				}
				if !strings.HasPrefix(f, c.prefix) {
					t.Errorf("partition %s outside Alameda County (06001)", f)
				}
				tb, err := geoparquet.ReadFile(ctx, filepath.Join(out, f))
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range tb.Geoms {
					if g == nil || g.GeoJSONType() != c.geom {
						t.Errorf("%s: geometry %v, want a %s", f, g, c.geom)
						break
					}
				}
				n += len(tb.Geoms)
			}
			if n != int(flat.NumRows()) {
				t.Errorf("partitions hold %d rows; %s has %d", n, c.flat, flat.NumRows())
			}
		})
	}
	again, err := runOpts(t, dir, Options{OutDir: out, Partitioned: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := ran(again); len(r) != 0 {
		t.Errorf("second run ran %v; want every stage from the cache", r)
	}
	if diff := cmp.Diff(res.Files, again.Files); diff != "" {
		t.Errorf("files of the cached run (-first +second):\n%s", diff)
	}
}

// BenchmarkRunDemo runs the Oakland demo without the cache (the baseline)
// and with every stage cached.
func BenchmarkRunDemo(b *testing.B) {
	dir := demoDir(b)
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"nocache", Options{NoCache: true}},
		{"cached", Options{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.opts.OutDir = filepath.Join(b.TempDir(), "out")
			if _, err := Run(context.Background(), cfg, c.opts); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Run(context.Background(), cfg, c.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestETA(t *testing.T) {
	g := []*stageDef{{Stage: &stagegraph.Stage{Name: "a"}}, {Stage: &stagegraph.Stage{Name: "b"}}, {Stage: &stagegraph.Stage{Name: "c"}}, {Stage: &stagegraph.Stage{Name: "d"}}}
	p := &plan{graph: g, stages: []StagePlan{{Run: true}, {Run: true}, {Run: true}, {Run: false}},
		last: &runRecord{Millis: map[string]int64{"a": 1000, "b": 4000, "c": 6000}}}
	for _, c := range []struct {
		name string
		outs []*stageOut
		left map[int]time.Duration
		par  int
		want time.Duration
		ok   bool
	}{
		// b and c left (4 s + 6 s) on two workers; d is cached and costs nothing.
		{"two workers", []*stageOut{{}, nil, nil, nil}, nil, 2, 5 * time.Second, true},
		{"one worker", []*stageOut{{}, nil, nil, nil}, nil, 1, 10 * time.Second, true},
		{"all done", []*stageOut{{}, {}, {}, {}}, nil, 2, 0, true},
		// b is running with 1 s left by its own estimate: 1 s + 6 s.
		{"running stage's estimate", []*stageOut{{}, nil, nil, nil}, map[int]time.Duration{1: time.Second}, 1, 7 * time.Second, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := p.eta(c.outs, c.left, c.par)
			if got != c.want || ok != c.ok {
				t.Errorf("eta = %v, %v; want %v, %v", got, ok, c.want, c.ok)
			}
		})
	}
	delete(p.last.Millis, "c")
	if _, ok := p.eta([]*stageOut{{}, nil, nil, nil}, nil, 2); ok {
		t.Error("eta claimed without an earlier time for stage c")
	}
	// c has no earlier time, but it is running and has an estimate.
	if got, ok := p.eta([]*stageOut{{}, nil, nil, nil}, map[int]time.Duration{2: 2 * time.Second}, 2); got != 3*time.Second || !ok {
		t.Errorf("eta with c's own estimate = %v, %v; want 3s, true", got, ok)
	}
	p.last = nil
	if got, ok := p.eta([]*stageOut{{}, {}, nil, nil}, map[int]time.Duration{2: 2 * time.Second}, 1); got != 2*time.Second || !ok {
		t.Errorf("eta without a last run, c running = %v, %v; want 2s, true", got, ok)
	}
}

// TestCrashedRunResumes runs the demo in a child process (this test binary)
// that exits abruptly, without running deferred cleanups, after the places
// stage, as a crash or kill -9 would. The previous outputs must be intact and
// the next run must reuse every stage that had finished.
func TestCrashedRunResumes(t *testing.T) {
	if dir := os.Getenv("GROUNDWORK_CRASH_DEMO"); dir != "" {
		cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
		if err != nil {
			os.Exit(2)
		}
		Run(context.Background(), cfg, Options{OutDir: os.Getenv("GROUNDWORK_CRASH_OUT"), Parallel: 1, afterStage: func(name string) {
			if name == "places:schools" {
				os.Exit(3) // the crash
			}
		}})
		os.Exit(4) // the run did not reach places:schools
	}
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runOpts(t, dir, Options{OutDir: out}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	// an edit upstream of places, so that places and all after it must run
	editFile(t, dir, "oakland_hills_flatlands.csv", "\n", "\r\n")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashedRunResumes$")
	cmd.Env = append(os.Environ(), "GROUNDWORK_CRASH_DEMO="+dir, "GROUNDWORK_CRASH_OUT="+out)
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("child run: got %v, want exit status 3 (crashed after places:schools)", err)
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("outputs changed by a crashed run (-before +after):\n%s", diff)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".out.v-*.lock"))
	if len(left) != 1 {
		t.Fatalf("locks after the crash: %v; want the one of the version folder the crash left", left)
	}
	left = append(left, strings.TrimSuffix(left[0], ".lock"))
	// its process is gone: the next run removes its folder and lock
	res, err := runOpts(t, dir, Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"outreach", "report", "segment:flatland_elementary_api_under_600", "segment:highest_need_tracts", "summary:income", "summary:schools"}
	if diff := cmp.Diff(want, ran(res)); diff != "" {
		t.Errorf("run after the crash: stages that ran (-want +got):\n%s", diff)
	}
	for _, p := range left {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s, left by the crashed run, not removed (%v)", p, err)
		}
	}
}
