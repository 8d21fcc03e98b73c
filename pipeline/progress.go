package pipeline

import (
	"fmt"
	"log/slog"
	"sort"
	"sync/atomic"
	"time"
)

// Live progress of a run. A stage's loop reports the rows it has worked
// through to its counter (state.progress). The scheduler reads the running
// stages' counters into a Progress snapshot, which goes to
// Options.OnProgress (cmd/groundwork draws it as progress bars) and into the periodic
// "running" log record (Options.ProgressEvery).

// redrawEvery is how often Run calls Options.OnProgress while stages run.
const redrawEvery = 200 * time.Millisecond

// Progress is a snapshot of a running pipeline.
type Progress struct {
	// Stages are the running stages in run order. The snapshot taken when a
	// stage finishes lists that stage too, with Finished set and its final
	// counts.
	Stages []StageProgress
	// Done counts the finished stages, of Total in the run.
	Done, Total int
	// ETA, when ETAKnown, is the time the run has left: the unfinished
	// stages' times left (StageProgress.ETA for running stages, the last
	// run's wall time for the others) divided among the parallel workers.
	// It is unknown when a stage has no estimate.
	ETA      time.Duration
	ETAKnown bool
}

// StageProgress is one stage of a Progress.
type StageProgress struct {
	Name string
	// Rows is the rows the stage has worked through, of Total it expects
	// (0: unknown, or a stage that does not count its rows: loading a source
	// or restoring from the cache, for instance).
	Rows, Total int64
	// Rate is Rows per second since the stage began counting them (its
	// first loop, after any setup); Elapsed is the time since it started.
	Rate    float64
	Elapsed time.Duration
	// Last is the stage's wall time when it last ran into the same output
	// folder; 0 when unknown.
	Last time.Duration
	// ETA is the stage's estimated time left. ETAFrom says how it was
	// estimated: "rows" (the rows left at Rate, when Total is known and some
	// but not all rows are done; what the stage does after its rows, such as
	// writing its files, is not in it), "last run" (Last less Elapsed, at
	// least 0), or "" when neither applies and ETA is unknown.
	ETA     time.Duration
	ETAFrom string
	// Finished is set in the snapshot taken when the stage has finished.
	Finished bool
}

// stageCounter counts the rows of one running stage. The stage's goroutine
// writes total and done (through state.progress); the scheduler reads them.
type stageCounter struct {
	name    string
	started time.Time
	last    time.Duration // see StageProgress.Last
	total   atomic.Int64
	done    atomic.Int64
	// counting is when the first phase began, in nanoseconds after
	// started (0: not yet), so that setup does not count in the rate.
	counting atomic.Int64
}

// rowProgress is what a stage's loop reports its rows to; see
// state.progress. Its zero value does nothing.
type rowProgress struct {
	c    *stageCounter
	base int64 // rows done before this phase
}

// progress starts a phase of the running stage's work over total rows (0
// when the number is not known) and returns what the phase's loop reports
// to. A stage's phases add up: their totals and rows are summed. On a state
// without a counter (one built directly, as tests do) the result does
// nothing. It must be called from the stage's goroutine.
func (st *state) progress(total int) rowProgress {
	c := st.counter
	if c == nil {
		return rowProgress{}
	}
	c.counting.CompareAndSwap(0, max(1, int64(time.Since(c.started))))
	c.total.Add(int64(total))
	return rowProgress{c: c, base: c.done.Load()}
}

// counted adds n rows to the total of a phase started with 0 (rows not
// known then), once they are known.
func (p rowProgress) counted(n int) {
	if p.c != nil {
		p.c.total.Add(int64(n))
	}
}

// done records that the phase's first i rows are done; i must not decrease
// between calls. It is one atomic store: call it every few thousand rows,
// and once after the loop with the phase's total.
func (p rowProgress) done(i int) {
	if p.c != nil {
		p.c.done.Store(p.base + int64(i))
	}
}

// snapshot returns the stage's progress at now.
func (c *stageCounter) snapshot(now time.Time) StageProgress {
	s := StageProgress{Name: c.name, Rows: c.done.Load(), Total: c.total.Load(), Elapsed: now.Sub(c.started), Last: c.last}
	counting := s.Elapsed - time.Duration(c.counting.Load())
	if secs := counting.Seconds(); secs > 0 {
		s.Rate = float64(s.Rows) / secs
	}
	switch {
	case s.Total > 0 && s.Rows > 0 && s.Rows < s.Total && s.Rate > 0:
		s.ETA, s.ETAFrom = time.Duration(float64(s.Total-s.Rows)/s.Rate*float64(time.Second)), "rows"
	case s.Last > 0:
		s.ETA, s.ETAFrom = max(0, s.Last-s.Elapsed), "last run"
	}
	return s
}

// newCounter returns the counter of stage i, started at now.
func (p *plan) newCounter(i int, now time.Time) *stageCounter {
	c := &stageCounter{name: p.graph[i].Name, started: now}
	if p.last != nil {
		if ms, ok := p.last.Millis[c.name]; ok {
			c.last = time.Duration(ms) * time.Millisecond
		}
	}
	return c
}

// progress returns the run's progress at now: the running stages (the
// indexes in running, whose counters are in counters) and, when finished is
// not -1, the stage that has just finished, with outs the finished stages'
// outputs (nil for the others) and par the parallel workers.
func (p *plan) progress(now time.Time, counters []*stageCounter, running map[int]time.Time, finished int, outs []*stageOut, par int) Progress {
	idx := make([]int, 0, len(running)+1)
	for i := range running {
		idx = append(idx, i)
	}
	if finished >= 0 {
		idx = append(idx, finished)
	}
	sort.Ints(idx)
	pr := Progress{Total: len(p.graph)}
	left := map[int]time.Duration{}
	for _, i := range idx {
		s := counters[i].snapshot(now)
		if i == finished {
			s.Finished, s.ETA, s.ETAFrom = true, 0, ""
		} else if s.ETAFrom != "" {
			left[i] = s.ETA
		}
		pr.Stages = append(pr.Stages, s)
	}
	for _, o := range outs {
		if o != nil {
			pr.Done++
		}
	}
	pr.ETA, pr.ETAKnown = p.eta(outs, left, par)
	return pr
}

// logArgs returns the attributes of the periodic "running" log record: the
// stages done of the total, the run's ETA when known, and a group per
// running stage (under "stages") with its elapsed time, rows done (and the
// total when known), rows per second, and its ETA when known with how it was
// estimated.
func (pr Progress) logArgs() []any {
	args := []any{"done", fmt.Sprintf("%d/%d", pr.Done, pr.Total)}
	if pr.ETAKnown {
		args = append(args, "eta", pr.ETA.Round(time.Second))
	}
	var stages []any
	for _, s := range pr.Stages {
		a := []any{"elapsed", s.Elapsed.Round(time.Millisecond), "rows_done", s.Rows}
		if s.Total > 0 {
			a = append(a, "rows_total", s.Total)
		}
		a = append(a, "rows_per_s", int64(s.Rate))
		if s.ETAFrom != "" {
			a = append(a, "eta", s.ETA.Round(time.Second), "eta_from", s.ETAFrom)
		}
		stages = append(stages, slog.Group(s.Name, a...))
	}
	return append(args, slog.Group("stages", stages...))
}
