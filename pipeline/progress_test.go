package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/stagegraph"
)

// progressPlan is a run of five stages, all to run, with the wall times of
// a last run for some of them.
func progressPlan() *plan {
	names := []string{"source:acs", "tracts", "places:schools", "summary:income", "report"}
	p := &plan{last: &runRecord{Millis: map[string]int64{"places:schools": 2000, "summary:income": 10000, "report": 1000}}}
	for _, n := range names {
		p.graph = append(p.graph, &stageDef{Stage: &stagegraph.Stage{Name: n}})
		p.stages = append(p.stages, StagePlan{Name: n, Run: true})
	}
	return p
}

// fakeCounter is a stage's counter as a test sets it: started ago before
// the snapshot's time, counting rows after setup, with total and done rows.
type fakeCounter struct {
	stage       int
	ago, setup  time.Duration
	total, done int64
}

// snapshotAt returns the progress of p at now with the given counters
// running (or, for the stage finished, just finished), the stages in done
// finished, and two workers.
func snapshotAt(p *plan, now time.Time, cs []fakeCounter, finished int, done ...int) Progress {
	counters := make([]*stageCounter, len(p.graph))
	running := map[int]time.Time{}
	for _, c := range cs {
		sc := p.newCounter(c.stage, now.Add(-c.ago))
		sc.total.Store(c.total)
		sc.done.Store(c.done)
		sc.counting.Store(int64(c.setup))
		counters[c.stage] = sc
		if c.stage != finished {
			running[c.stage] = sc.started
		}
	}
	outs := make([]*stageOut, len(p.graph))
	for _, i := range done {
		outs[i] = &stageOut{}
	}
	return p.progress(now, counters, running, finished, outs, 2)
}

// TestProgressSnapshots checks the numbers a Progress snapshot gives for
// stages part way through (cmd/groundwork/cli's TestBarLines draws the
// same snapshots): rows, rates and ETAs, the stage's and the run's.
func TestProgressSnapshots(t *testing.T) {
	now := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	ms := time.Millisecond
	for _, c := range []struct {
		name     string
		counters []fakeCounter
		finished int
		done     []int
		want     Progress
	}{
		{
			// 32768 rows in the 4 s after 1 s of setup is 8192/s; 52760
			// left take 6.44 s. The run has 6.44 + 2 + 10 + 1 s left on two
			// workers: 9.72 s.
			name:     "known total",
			counters: []fakeCounter{{stage: 1, ago: 5 * time.Second, setup: time.Second, total: 85528, done: 32768}},
			finished: -1, done: []int{0},
			want: Progress{Done: 1, Total: 5, ETA: 9720 * ms, ETAKnown: true, Stages: []StageProgress{
				{Name: "tracts", Rows: 32768, Total: 85528, Rate: 8192, Elapsed: 5 * time.Second, ETA: 6440 * ms, ETAFrom: "rows"},
			}},
		},
		{
			// no total: 1234 rows in 4 s (308.5/s); the last run took 10 s,
			// so 6 s are left. The run: 6 + 2 + 1 s on two workers,
			// tracts having finished.
			name:     "unknown total with last run",
			counters: []fakeCounter{{stage: 3, ago: 4 * time.Second, done: 1234}},
			finished: -1, done: []int{0, 1},
			want: Progress{Done: 2, Total: 5, ETA: 4500 * ms, ETAKnown: true, Stages: []StageProgress{
				{Name: "summary:income", Rows: 1234, Rate: 308.5, Elapsed: 4 * time.Second, Last: 10 * time.Second, ETA: 6 * time.Second, ETAFrom: "last run"},
			}},
		},
		{
			// tracts counts nothing and has no last time: neither it nor
			// the run has an ETA.
			name:     "unknown total without last run",
			counters: []fakeCounter{{stage: 1, ago: 2500 * ms}},
			finished: -1, done: []int{0},
			want: Progress{Done: 1, Total: 5, Stages: []StageProgress{
				{Name: "tracts", Elapsed: 2500 * ms},
			}},
		},
		{
			// summary:income has done all its rows, so no ETA from them;
			// it has run past the 10 s of the last run: ~0. The run: report's
			// 1 s on two workers.
			name: "finished and running",
			counters: []fakeCounter{
				{stage: 2, ago: 500 * ms, total: 75, done: 75},
				{stage: 3, ago: 12 * time.Second, total: 360, done: 360},
			},
			finished: 2, done: []int{0, 1, 2},
			want: Progress{Done: 3, Total: 5, ETA: 500 * ms, ETAKnown: true, Stages: []StageProgress{
				{Name: "places:schools", Rows: 75, Total: 75, Rate: 150, Elapsed: 500 * ms, Last: 2 * time.Second, Finished: true},
				{Name: "summary:income", Rows: 360, Total: 360, Rate: 30, Elapsed: 12 * time.Second, Last: 10 * time.Second, ETAFrom: "last run"},
			}},
		},
		{
			name:     "all done",
			counters: []fakeCounter{{stage: 4, ago: 10 * time.Second}},
			finished: 4, done: []int{0, 1, 2, 3, 4},
			want: Progress{Done: 5, Total: 5, ETAKnown: true, Stages: []StageProgress{
				{Name: "report", Elapsed: 10 * time.Second, Last: time.Second, Finished: true},
			}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := snapshotAt(progressPlan(), now, c.counters, c.finished, c.done...)
			// ETAs to the hundredth of a second, as the bars show them
			round := cmp.Transformer("round", func(d time.Duration) time.Duration { return d.Round(10 * ms) })
			if diff := cmp.Diff(c.want, got, round); diff != "" {
				t.Errorf("progress (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRowProgress(t *testing.T) {
	// A state built directly (as tests do) has no counter: a no-op.
	st := &state{}
	p := st.progress(10)
	p.done(5)
	p.done(10)

	// Phases add up.
	st.counter = &stageCounter{}
	p = st.progress(10)
	p.done(4096)
	p.done(10)
	q := st.progress(0)
	q.done(3)
	if got, want := [2]int64{st.counter.done.Load(), st.counter.total.Load()}, [2]int64{13, 10}; got != want {
		t.Errorf("rows done, total = %v, want %v", got, want)
	}
}

// TestRunningRecord checks the periodic "running" log record in JSON: the
// run's fields and a group per running stage.
func TestRunningRecord(t *testing.T) {
	now := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	pr := snapshotAt(progressPlan(), now, []fakeCounter{
		{stage: 1, ago: 4 * time.Second, total: 85528, done: 32768},
		{stage: 2, ago: 2500 * time.Millisecond},
	}, -1, 0)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: dropTimeAttr})).Info("running", pr.logArgs()...)
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	// Durations are nanoseconds. The run: (6.44 + 0 + 10 + 1 s) / 2,
	// places:schools' 2 s last time less its 2.5 s so far counting 0.
	want := map[string]any{
		"level": "INFO", "msg": "running", "done": "1/5", "eta": 9e9,
		"stages": map[string]any{
			"tracts": map[string]any{
				"elapsed": 4e9, "rows_done": 32768.0, "rows_total": 85528.0, "rows_per_s": 8192.0,
				"eta": 6e9, "eta_from": "rows",
			},
			"places:schools": map[string]any{
				"elapsed": 2.5e9, "rows_done": 0.0, "rows_per_s": 0.0, "eta": 0.0, "eta_from": "last run",
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

func dropTimeAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// TestDemoProgress runs the demo with a progress sink and checks the final
// counts each stage reported when it finished: the places and tracts stages
// counted every record they considered, the summaries every row of their
// table.
func TestDemoProgress(t *testing.T) {
	dir := demoDir(t)
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	final := map[string]StageProgress{}
	res, err := Run(context.Background(), cfg, Options{OutDir: filepath.Join(t.TempDir(), "out"), OnProgress: func(p Progress) {
		for _, s := range p.Stages {
			if s.Finished {
				if _, dup := final[s.Name]; dup {
					t.Errorf("%s reported finished twice", s.Name)
				}
				final[s.Name] = s
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Stages {
		if _, ok := final[s.Name]; !ok {
			t.Errorf("no finished snapshot of %s", s.Name)
		}
	}
	st := res.state
	rowsOf := func(source string) int {
		for _, si := range st.sourceInfo {
			if si.Name == source {
				return si.Rows
			}
		}
		t.Fatalf("no source %s", source)
		return 0
	}
	want := map[string]int{
		// tracts considers every row of its census source (one has no
		// polygon and is dropped)
		"tracts": rowsOf(cfg.Tracts.Source),
	}
	for name := range cfg.Places {
		// placed and unplaced records
		want["places:"+name] = st.places[name].Len() + st.unplaced[name].Total
	}
	for _, s := range cfg.Summaries {
		want["summary:"+s.Name] = st.tableRows(s.Of).Len()
	}
	if len(cfg.Places) == 0 || len(cfg.Summaries) == 0 {
		t.Fatal("the demo has no places or no summaries")
	}
	for name, n := range want {
		s := final[name]
		if s.Rows != int64(n) || s.Total != int64(n) || n == 0 {
			t.Errorf("%s finished with %d of %d rows; want %d of %d", name, s.Rows, s.Total, n, n)
		}
	}
}
