package scalebench

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/groundwork-org/groundwork/pipeline/config"
)

// PointsPass names the stages of cfg that work per point: each places
// set's source stage and places stage and the summaries and segments over
// places sets (not those over tracts). With their inputs cached they run
// in one pass (pipeline/feed), which Clock times.
func PointsPass(cfg *config.Config) []string {
	var names []string
	for _, name := range slices.Sorted(maps.Keys(cfg.Places)) {
		src := "source:" + cfg.Places[name].Source
		if !slices.Contains(names, src) {
			names = append(names, src)
		}
		names = append(names, "places:"+name)
	}
	for _, s := range cfg.Summaries {
		if cfg.Places[s.Of] != nil && s.Of != "tracts" {
			names = append(names, "summary:"+s.Name)
		}
	}
	for _, s := range cfg.Segments {
		if cfg.Places[s.Of] != nil && s.Of != "tracts" {
			names = append(names, "segment:"+s.Name)
		}
	}
	return names
}

// A Clock is a slog.Handler that passes records on to next and notes, for
// each "stage started" and "stage finished" record (the runner's, with a
// "stage" attribute), the wall time and the CPU time the process had used
// then (user and system, getrusage), so that the wall and CPU time of a
// group of stages that ran together is known (Window). It is safe for
// concurrent use.
type Clock struct {
	next slog.Handler
	mu   *sync.Mutex
	seen map[string]clockMark // "started "+stage or "finished "+stage
}

type clockMark struct {
	wall time.Time
	cpu  time.Duration
}

// NewClock returns a Clock passing records on to next.
func NewClock(next slog.Handler) *Clock {
	return &Clock{next: next, mu: &sync.Mutex{}, seen: map[string]clockMark{}}
}

// Enabled reports true for records the clock notes, and otherwise what
// next does.
func (c *Clock) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || c.next.Enabled(ctx, l)
}

// Handle notes stage records and passes the record on when next is enabled
// for it.
func (c *Clock) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "stage started" || r.Message == "stage finished" {
		m := clockMark{wall: r.Time, cpu: processCPU()}
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "stage" {
				c.mu.Lock()
				c.seen[r.Message[len("stage "):]+" "+a.Value.String()] = m
				c.mu.Unlock()
				return false
			}
			return true
		})
	}
	if !c.next.Enabled(ctx, r.Level) {
		return nil
	}
	return c.next.Handle(ctx, r)
}

// WithAttrs and WithGroup give a clock sharing c's notes.
func (c *Clock) WithAttrs(as []slog.Attr) slog.Handler {
	return &Clock{next: c.next.WithAttrs(as), mu: c.mu, seen: c.seen}
}

// WithGroup: see WithAttrs.
func (c *Clock) WithGroup(name string) slog.Handler {
	return &Clock{next: c.next.WithGroup(name), mu: c.mu, seen: c.seen}
}

// Reset forgets every note.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.seen)
}

// Window returns the wall and process CPU time from the first of stages to
// start to the last to finish, and false when one of them did not both
// start and finish (it was cached). The CPU time is the whole process's:
// it is the stages' own when nothing else ran meanwhile.
func (c *Clock) Window(stages []string) (wall, cpu time.Duration, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first, last clockMark
	for i, s := range stages {
		a, ok1 := c.seen["started "+s]
		b, ok2 := c.seen["finished "+s]
		if !ok1 || !ok2 {
			return 0, 0, false
		}
		if i == 0 || a.wall.Before(first.wall) {
			first = a
		}
		if i == 0 || b.wall.After(last.wall) {
			last = b
		}
	}
	return last.wall.Sub(first.wall), last.cpu - first.cpu, len(stages) > 0
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
