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
)

// progressPlan is a run of five stages, all to run, with the wall times of
// a last run for some of them.
func progressPlan() *plan {
	names := []string{"source:acs", "tracts", "places:schools", "summary:income", "report"}
	p := &plan{last: &runRecord{Millis: map[string]int64{"places:schools": 2000, "summary:income": 10000, "report": 1000}}}
	for _, n := range names {
		p.graph = append(p.graph, &stageDef{Name: n})
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

func TestBarLines(t *testing.T) {
	now := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		counters []fakeCounter
		finished int
		done     []int
		width    int
		want     []string
	}{
		{
			// 32768 rows in the 4 s after 1 s of setup is 8192/s; 52760
			// left take 6.44 s. The run has 6.44 + 2 + 10 + 1 s left on two
			// workers: 9.72 s.
			name:     "known total",
			counters: []fakeCounter{{stage: 1, ago: 5 * time.Second, setup: time.Second, total: 85528, done: 32768}},
			finished: -1, done: []int{0}, width: 80,
			want: []string{
				"tracts   [=========>                ]  38%  32.8k/85.5k   8192/s  eta 6.4s",
				"overall  1/5 stages done, eta 9.7s",
			},
		},
		{
			// no total: 1234 rows in 4 s (308/s); the last run took 10 s,
			// so 6 s are left. The run: 6 + 2 + 1 s on two workers,
			// tracts having finished.
			name:     "unknown total with last run",
			counters: []fakeCounter{{stage: 3, ago: 4 * time.Second, done: 1234}},
			finished: -1, done: []int{0, 1}, width: 80,
			want: []string{
				"summary:income                                1234 rows    308/s  eta ~6.0s",
				"overall         2/5 stages done, eta 4.5s",
			},
		},
		{
			// tracts counts nothing and has no last time: neither it nor
			// the run has an ETA; its time so far takes the bar's place.
			name:     "unknown total without last run",
			counters: []fakeCounter{{stage: 1, ago: 2500 * time.Millisecond}},
			finished: -1, done: []int{0}, width: 80,
			want: []string{
				"tracts   2.5s so far",
				"overall  1/5 stages done",
			},
		},
		{
			// summary:income has done all its rows, so no ETA from them;
			// it has run past the 10 s of the last run: ~0. The run: report's
			// 1 s on two workers.
			name: "finished and running",
			counters: []fakeCounter{
				{stage: 2, ago: 500 * time.Millisecond, total: 75, done: 75},
				{stage: 3, ago: 12 * time.Second, total: 360, done: 360},
			},
			finished: 2, done: []int{0, 1, 2}, width: 100,
			want: []string{
				"places:schools  [==============================] 100%        75/75    150/s  done in 0.5s",
				"summary:income  [==============================] 100%      360/360     30/s  eta ~0.0s",
				"overall         3/5 stages done, eta 0.5s",
			},
		},
		{
			name:     "all done",
			counters: []fakeCounter{{stage: 4, ago: 10 * time.Second}},
			finished: 4, done: []int{0, 1, 2, 3, 4}, width: 80,
			want: []string{
				"report   done in 10s",
				"overall  5/5 stages done",
			},
		},
		{
			// the bar shrinks to 10 and the line is cut at 39 columns
			name:     "narrow terminal",
			counters: []fakeCounter{{stage: 1, ago: 4 * time.Second, total: 85528, done: 32768}},
			finished: -1, done: []int{0}, width: 40,
			want: []string{
				"tracts   [===>      ]  38%  32.8k/85.5k",
				"overall  1/5 stages done, eta 9.7s",
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := barLines(snapshotAt(progressPlan(), now, c.counters, c.finished, c.done...), c.width, 0)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBarLinesLimits checks what keeps the bars on an 80-column terminal:
// long names are cut, and stages past maxBarStages are counted on a line.
func TestBarLinesLimits(t *testing.T) {
	long := Progress{Done: 1, Total: 20, Stages: []StageProgress{
		{Name: "segment:flatland_elementary_api_under_600", Elapsed: 400 * time.Millisecond},
		{Name: "tracts", Rows: 100, Total: 400, Rate: 250, Elapsed: time.Second, ETA: 1200 * time.Millisecond, ETAFrom: "rows"},
	}}
	want := []string{
		"segment:flatland_eleme…  0.4s so far",
		"tracts                   [==>       ]  25%      100/400    250/s  eta 1.2s",
		"overall                  1/20 stages done",
	}
	if diff := cmp.Diff(want, barLines(long, 80, 0)); diff != "" {
		t.Errorf("long name (-want +got):\n%s", diff)
	}

	p := Progress{Done: 1, Total: 20}
	for range maxBarStages + 3 {
		p.Stages = append(p.Stages, StageProgress{Name: "s", Elapsed: time.Second})
	}
	got := barLines(p, 80, 0)
	if len(got) != maxBarStages+2 {
		t.Fatalf("%d lines, want %d stage lines, one for the rest and the overall line", len(got), maxBarStages+2)
	}
	if want := "         and 3 more stage(s) running"; got[maxBarStages] != want {
		t.Errorf("line %d = %q, want %q", maxBarStages, got[maxBarStages], want)
	}
}

// TestBarsTerminal checks the escapes Bars writes: a frame ends each line
// with erase-to-end-of-line and erases what is below it; a log line moves
// up over the frame, erases it, and draws the frame again below itself;
// Clear erases the frame.
func TestBarsTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := NewBars(&buf, func() int { return 60 })
	step := func(name string, do func(), want string) {
		t.Helper()
		buf.Reset()
		do()
		if got := buf.String(); got != want {
			t.Errorf("%s wrote\n%q, want\n%q", name, got, want)
		}
	}
	two := Progress{Done: 1, Total: 3, Stages: []StageProgress{{Name: "tracts", Elapsed: time.Second}}}
	one := Progress{Done: 2, Total: 3}
	step("first frame", func() { b.Update(two) },
		"tracts   1.0s so far\x1b[K\noverall  1/3 stages done\x1b[K\n\x1b[J")
	step("log line", func() { b.Write([]byte("level=INFO msg=hello\n")) },
		"\x1b[2A\r\x1b[Jlevel=INFO msg=hello\ntracts   1.0s so far\noverall  1/3 stages done\n")
	step("log line without a newline", func() { b.Write([]byte("x")) },
		"\x1b[2A\r\x1b[Jx\ntracts   1.0s so far\noverall  1/3 stages done\n")
	step("shorter frame", func() { b.Update(one) },
		"\x1b[2A\roverall  2/3 stages done\x1b[K\n\x1b[J")
	step("clear", b.Clear, "\x1b[1A\r\x1b[J")
	step("clear again", b.Clear, "")
	step("log line without bars", func() { b.Write([]byte("bye\n")) }, "\x1b[Jbye\n")
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
		want["places:"+name] = st.places[name].Len() + len(st.unplaced[name])
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
