package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/groundwork-org/groundwork/pipeline/feed"
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
// The stages of a pass (plan.passes: a streamed source, the places stage
// reading it, the summaries and segments over the places) start together,
// once the inputs of all of them from outside the pass are merged, joined
// by feeds (pipeline/feed), and take one of the opts.Parallel places between
// them: their goroutines hand each other chunks, so together they keep
// about as many cores busy as one internally parallel stage, and the
// stages that do not wait for the pass (the tracts stage) run beside it
// rather than after it. The stages of a pass are merged in graph order, as
// if each had started after the one before, and an error that only says
// another stage of the pass failed (feed.ErrPartnerFailed) is reported only when
// that stage's own error is missing.
//
// A pass's source stage may also start ahead of the rest of its pass, in
// a place no ready stage wants (aheadOK): it reads, types and writes up to
// aheadChunks chunks, held in the feed, while the places stage waits for
// the boundaries, then the rest of the pass starts, first in line for a
// place.
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
	passOf := p.passOf
	if passOf == nil {
		passOf = make([]int, len(g))
		for i := range passOf {
			passOf[i] = -1
		}
	}
	outs := make([]*stageOut, len(g))
	started := make([]bool, len(g))
	reports := make([]StageReport, len(g))
	done := make(chan stageDone)
	running := map[int]time.Time{}
	passLeft := make([]int, len(p.passes)) // the stages of each pass still running
	slots := 0                             // stages and passes running
	// ahead[k] holds pass k's links while its source stage runs ahead of
	// the others (see aheadOK), which have not started.
	ahead := make([]map[int]*passLinks, len(p.passes))
	waiting := 0                            // passes running ahead
	passSlot := make([]bool, len(p.passes)) // the pass holds a place
	var firstErr, partnerErr error
	depsMerged := func(i int) bool {
		for _, d := range g[i].Deps {
			if j := index[d]; outs[j] == nil && (passOf[i] < 0 || passOf[j] != passOf[i]) {
				return false
			}
		}
		return true
	}
	ready := func(i int) bool {
		k := passOf[i]
		if k < 0 {
			return depsMerged(i)
		}
		// A pass starts with its first stage.
		pass := p.passes[k]
		if pass[0] != i {
			return false
		}
		for _, m := range pass {
			if !depsMerged(m) {
				return false
			}
		}
		return true
	}
	// aheadOK says whether pass k's source stage (its first) may start
	// ahead of the others, its own inputs being merged: its chunks wait in
	// the feed (aheadChunks) while the others wait for theirs (the
	// boundaries). It runs ahead in a place left free: it takes none, so a
	// stage that becomes ready meanwhile does not wait for it (a source
	// that has filled its feed does nothing), and one pass at a time runs
	// ahead, with two places or more.
	aheadOK := func(i int) bool {
		k := passOf[i]
		return k >= 0 && p.passes[k][0] == i && g[i].Kind == "sources" && aheadChunks > 1 && !opts.NoReadAhead &&
			waiting == 0 && par > 1 && depsMerged(i)
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
	start := func(i int, l *passLinks) {
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
			if l != nil {
				f.feed, f.fanout, f.placedIn = l.feed, l.fanout, l.placedIn
				st.log.Info("stage started", "stage", s.Name, "why", sp.Why, "one_pass_with", l.with)
			} else {
				st.log.Info("stage started", "stage", s.Name, "why", sp.Why)
			}
			go func(i int) {
				t0 := time.Now()
				var err error
				// The stage's goroutines, and those they start, carry
				// its name in CPU profiles (bench-scale run --procs).
				pprof.Do(ctx, pprof.Labels("stage", s.Name), func(ctx context.Context) {
					err = guard(st.log, s.Name, func() error {
						if opts.inStage != nil {
							opts.inStage(s.Name)
						}
						return s.run(f, ctx)
					})
				})
				if l != nil {
					// Whatever happened, the other stages of the pass
					// must not wait on this one.
					for _, fd := range l.writes {
						fd.Close(err)
					}
					for _, fd := range l.reads {
						fd.Stop()
					}
				}
				done <- stageDone{i: i, fork: f, err: err, wall: time.Since(t0)}
			}(i)
		}
	}
	pending := map[int]stageDone{} // stages of passes finished before the stage before them
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
		for k, links := range ahead {
			// The rest of a pass whose source runs ahead, first: the
			// run waits for it.
			if links == nil || firstErr != nil || slots >= par || !ready(p.passes[k][0]) {
				continue
			}
			ahead[k], waiting = nil, waiting-1
			slots++
			passSlot[k] = true
			for _, m := range p.passes[k][1:] {
				start(m, links[m])
			}
		}
		for i := range g {
			if firstErr != nil || slots >= par {
				break
			}
			if started[i] || !ready(i) {
				continue
			}
			slots++
			if k := passOf[i]; k >= 0 {
				links := p.passLinks(k, 1)
				passLeft[k], passSlot[k] = len(p.passes[k]), true
				for _, m := range p.passes[k] {
					start(m, links[m])
				}
				continue
			}
			start(i, nil)
		}
		for i := range g {
			// A place left free: a pass's source may start reading.
			if firstErr != nil || slots >= par {
				break
			}
			if !started[i] && aheadOK(i) {
				k := passOf[i]
				waiting++
				ahead[k] = p.passLinks(k, aheadChunks)
				passLeft[k] = len(p.passes[k])
				start(i, ahead[k][i])
			}
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
		if k := passOf[d.i]; k < 0 {
			slots--
		} else if passLeft[k]--; passLeft[k] == 0 && passSlot[k] {
			slots--
		}
		reports[d.i].Wall = d.wall
		reports[d.i].PeakBytes = mem.End(d.i)
		if d.err != nil {
			switch {
			case errors.Is(d.err, feed.ErrPartnerFailed):
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
		if k := passOf[d.i]; k >= 0 {
			// Merged once the stages before it in its pass are.
			pending[d.i] = d
			for _, m := range p.passes[k] {
				pd, ok := pending[m]
				if outs[m] != nil {
					continue
				}
				if !ok {
					break
				}
				delete(pending, m)
				finish(pd)
			}
		} else {
			finish(d)
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

// passLinks are the feeds a stage of a pass shares with the others: those
// set on its fork (state.feed, fanout, placedIn), and those it writes
// (closed when it ends) and reads (stopped when it ends).
type passLinks struct {
	feed          *feed.Feed
	fanout        []*feed.Feed
	placedIn      *feed.Feed
	writes, reads []*feed.Feed
	with          string // the other stages of the pass, for the log
}

// aheadChunks is how many chunks a source stage started ahead of its
// places stage may read before the places stage starts (pipeline/feed): at 64K
// records a chunk, about 8 MB each at national size.
var aheadChunks = 4

// passLinks makes the feeds of pass k: from its source stage, if any, to
// its places stage (holding up to ahead chunks until the places stage
// starts), and from the places stage to each of its summaries and
// segments. It returns each stage's links by stage index.
func (p *plan) passLinks(k, ahead int) map[int]*passLinks {
	pass := p.passes[k]
	links := map[int]*passLinks{}
	places := -1
	for _, m := range pass {
		links[m] = &passLinks{}
		if p.graph[m].Kind == "places" {
			places = m
		}
	}
	pl, item := links[places], strings.TrimPrefix(p.graph[places].Name, "places:")
	for _, m := range pass {
		l := links[m]
		var with []string
		for _, o := range pass {
			if o != m {
				with = append(with, p.graph[o].Name)
			}
		}
		l.with = strings.Join(with, ",")
		switch {
		case m == places:
		case p.graph[m].Kind == "sources":
			fd := feed.New(strings.TrimPrefix(p.graph[m].Name, "source:"), p.graph[m].Name, p.graph[places].Name, ahead)
			l.feed, l.writes = fd, []*feed.Feed{fd}
			pl.feed, pl.reads = fd, append(pl.reads, fd)
		default:
			fd := feed.New(item, p.graph[places].Name, p.graph[m].Name, 1)
			l.placedIn, l.reads = fd, []*feed.Feed{fd}
			pl.fanout, pl.writes = append(pl.fanout, fd), append(pl.writes, fd)
		}
	}
	return links
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
