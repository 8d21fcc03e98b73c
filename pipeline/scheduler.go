package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/groundwork-org/groundwork/pipeline/peakmem"
)

// stageDone is a finished stage, sent from its goroutine to the scheduler.
type stageDone struct {
	i    int
	fork *state    // set when the stage ran
	out  *stageOut // set when restored from the cache
	err  error
	wall time.Duration
}

// execute runs the plan's stages on st: a stage starts once every stage it
// reads has been merged, at most opts.Parallel at a time. Only this
// goroutine touches st; stages run on forks. On the first error the
// context of the running stages is cancelled and, once they have stopped,
// the error is returned prefixed with the stage's name.
//
// A streamed source and the places stage paired with it (plan.partner)
// start together, once the places stage's other inputs are merged, joined
// by a feed (feed.go), even when that takes one more than opts.Parallel
// (the places stage mostly waits on the source's chunks). The places stage
// is merged after the source, as if it had started after it, and an error
// that only says the other side of the pair failed (errPartnerFailed) is
// reported only when that side's own error is missing.
func execute(ctx context.Context, st *state, p *plan, opts Options, mem *peakmem.Sampler) ([]StageReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g := p.graph
	par := opts.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	index := map[string]int{}
	for i, s := range g {
		index[s.Name] = i
	}
	partner := p.partner
	if partner == nil {
		partner = make([]int, len(g))
		for i := range partner {
			partner[i] = -1
		}
	}
	outs := make([]*stageOut, len(g))
	started := make([]bool, len(g))
	reports := make([]StageReport, len(g))
	done := make(chan stageDone)
	running := map[int]time.Time{}
	var firstErr, partnerErr error
	depsMerged := func(i int) bool {
		for _, d := range g[i].Deps {
			if j := index[d]; outs[j] == nil && j != partner[i] {
				return false
			}
		}
		return true
	}
	ready := func(i int) bool {
		if j := partner[i]; j >= 0 {
			// The source of a pair starts with its places stage; the
			// places stage does not start on its own.
			return j > i && depsMerged(i) && depsMerged(j)
		}
		return depsMerged(i)
	}
	var tick <-chan time.Time
	if opts.ProgressEvery > 0 {
		t := time.NewTicker(opts.ProgressEvery)
		defer t.Stop()
		tick = t.C
	}
	var redraw <-chan time.Time
	if opts.OnProgress != nil {
		t := time.NewTicker(redrawEvery)
		defer t.Stop()
		redraw = t.C
	}
	counters := make([]*stageCounter, len(g))
	start := func(i int, fd *feed) {
		started[i] = true
		running[i] = time.Now()
		counters[i] = p.newCounter(i, running[i])
		mem.Begin(i)
		s, sp := g[i], p.stages[i]
		reports[i] = StageReport{Name: s.Name, Why: sp.Why}
		switch {
		case !sp.Run && !(p.restore[i] && s.Reload):
			reports[i].Status = "cached"
			counters[i].last = 0 // the last run's time is running it, not restoring it
			st.log.Info("stage cached", "stage", s.Name)
			go func(i int, restore bool) {
				t0 := time.Now()
				var o *stageOut
				err := guard(st.log, s.Name, func() (err error) {
					o = &stageOut{}
					err = p.cache.Get(s.Name, p.keys[i].Key, st.out, o)
					if err == nil && restore {
						err = o.restore(ctx, st.out, st.cfg)
					}
					return err
				})
				done <- stageDone{i: i, out: o, err: err, wall: time.Since(t0)}
			}(i, p.restore[i])
		default:
			reports[i].Status = "ran"
			if !sp.Run {
				reports[i].Status = "reloaded"
			}
			cfg := st.cfg
			if s.Narrow != nil {
				cfg = s.Narrow(cfg)
			}
			f := st.fork(cfg)
			f.counter = counters[i]
			f.feed = fd
			if fd != nil {
				st.log.Info("stage started", "stage", s.Name, "why", sp.Why, "one_pass_with", g[partner[i]].Name)
			} else {
				st.log.Info("stage started", "stage", s.Name, "why", sp.Why)
			}
			go func(i int) {
				t0 := time.Now()
				err := guard(st.log, s.Name, func() error {
					if opts.inStage != nil {
						opts.inStage(s.Name)
					}
					return s.run(f, ctx)
				})
				if fd != nil {
					// Whatever happened, the other side must not wait
					// on this one.
					if partner[i] > i {
						fd.close(err)
					} else {
						fd.stop()
					}
				}
				done <- stageDone{i: i, fork: f, err: err, wall: time.Since(t0)}
			}(i)
		}
	}
	pending := map[int]stageDone{} // places stages finished before their source
	finish := func(d stageDone) {
		rep := &reports[d.i]
		s := g[d.i]
		for _, dep := range s.Deps {
			rep.RowsIn += outs[index[dep]].RowsOut
		}
		o := d.out
		if d.fork != nil {
			o = st.collect(d.fork)
			if p.stages[d.i].Run && !opts.NoCache {
				if err := p.cache.Put(s.Name, p.keys[d.i].Key, st.out, o); err != nil {
					st.log.Warn("could not save a stage in the cache; it will run again next time", "stage", s.Name, "err", err)
				}
			}
		}
		outs[d.i] = o
		st.merge(outs, o)
		rep.RowsOut, rep.Warnings = o.RowsOut, len(o.Warnings)
		logStage(st.log, rep)
		if opts.OnProgress != nil {
			opts.OnProgress(p.progress(time.Now(), counters, running, d.i, outs, par))
		}
		if opts.afterStage != nil {
			opts.afterStage(s.Name)
		}
	}
	for {
		for i := range g {
			if firstErr != nil || len(running) >= par {
				break
			}
			if started[i] || !ready(i) {
				continue
			}
			if j := partner[i]; j >= 0 {
				fd := newFeed(strings.TrimPrefix(g[i].Name, "source:"))
				start(i, fd)
				start(j, fd)
				continue
			}
			start(i, nil)
		}
		if len(running) == 0 {
			break
		}
		var d stageDone
		select {
		case d = <-done:
		case <-tick:
			st.log.Info("running", p.progress(time.Now(), counters, running, -1, outs, par).logArgs()...)
			continue
		case <-redraw:
			opts.OnProgress(p.progress(time.Now(), counters, running, -1, outs, par))
			continue
		}
		delete(running, d.i)
		reports[d.i].Wall = d.wall
		reports[d.i].PeakBytes = mem.End(d.i)
		if d.err != nil {
			switch {
			case errors.Is(d.err, errPartnerFailed):
				// The other side's own error tells what went wrong.
				if partnerErr == nil {
					partnerErr = fmt.Errorf("%s: %w", g[d.i].Name, d.err)
				}
			case firstErr == nil:
				firstErr = fmt.Errorf("%s: %w", g[d.i].Name, d.err)
				cancel()
			}
			continue
		}
		if j := partner[d.i]; j >= 0 && j < d.i && outs[j] == nil {
			pending[d.i] = d // merged after its source
			continue
		}
		finish(d)
		if j := partner[d.i]; j > d.i {
			if pd, ok := pending[j]; ok {
				delete(pending, j)
				finish(pd)
			}
		}
		if firstErr == nil && ctx.Err() != nil {
			firstErr = ctx.Err()
		}
	}
	if firstErr == nil {
		firstErr = partnerErr
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return reports, nil
}

// ErrInternal is wrapped by Run's error when a stage panicked: a bug in
// groundwork, not a problem with the user's data. The run fails as for any
// stage error (nothing is written to the output folder); the panic's value
// and stack are logged at debug level.
var ErrInternal = errors.New("internal error")

// guard runs a stage's work, turning a panic into an error that wraps
// ErrInternal and asks for a bug report. The stack goes to log at debug
// level only: the error is what the user reads.
func guard(log *slog.Logger, stage string, work func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Debug("stage panicked", "stage", stage, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: the stage crashed (%v). This is a bug in groundwork, not in your data: please report it at %s with the command you ran and, if you can share it, the pipeline file; rerun with --debug for the stack to attach",
				ErrInternal, r, bugURL)
		}
	}()
	return work()
}

// bugURL is where bug reports go.
const bugURL = "https://github.com/groundwork-org/groundwork/issues"

// eta estimates the time the run has left: the unfinished stages' times
// divided among par workers. A running stage's time left is in left (see
// StageProgress.ETA); any other stage that will run counts the wall time it
// took when it last ran into the same folder. It is false when some such
// stage has neither.
func (p *plan) eta(outs []*stageOut, left map[int]time.Duration, par int) (time.Duration, bool) {
	var sum time.Duration
	for i, s := range p.graph {
		if outs[i] != nil || !p.stages[i].Run {
			continue
		}
		if d, ok := left[i]; ok {
			sum += d
			continue
		}
		if p.last == nil {
			return 0, false
		}
		ms, ok := p.last.Millis[s.Name]
		if !ok {
			return 0, false
		}
		sum += time.Duration(ms) * time.Millisecond
	}
	return sum / time.Duration(max(1, par)), true
}

func logStage(log *slog.Logger, r *StageReport) {
	secs := r.Wall.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(r.RowsOut) / secs
	}
	log.Info("stage finished", "stage", r.Name, "status", r.Status, "rows_in", r.RowsIn, "rows_out", r.RowsOut,
		"rows_per_s", int64(rate), "warnings", r.Warnings, "wall", r.Wall.Round(time.Millisecond), "peak_mib", r.PeakBytes>>20)
}
