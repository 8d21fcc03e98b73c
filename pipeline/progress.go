package pipeline

import (
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Live progress of a run. A stage's loop reports the rows it has worked
// through to its counter (state.progress). The scheduler reads the running
// stages' counters into a Progress snapshot, which goes to
// Options.OnProgress (Bars draws it on a terminal) and into the periodic
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

// maxBarStages bounds the stage lines Bars draws; the others are counted
// on one line.
const maxBarStages = 12

// Bars draws a run's progress on a terminal: a line per running stage (its
// name; a bar and percentage when its rows to do are known; rows done and
// per second; the ETA) and an overall line (stages done, the run's ETA),
// redrawn in place with ANSI escapes (cursor up, erase line). Lines are cut
// to the terminal's width so that none wraps.
//
// Bars is also an io.Writer for the run's log: each Write (a log record,
// ending in a newline) is printed above the bars, which are then drawn
// again below it, so that log lines and bars do not garble each other.
//
// Pass Update as Options.OnProgress and call Clear once Run has returned,
// before anything else is printed to the terminal. Bars is safe for
// concurrent use.
type Bars struct {
	mu    sync.Mutex
	w     io.Writer
	width func() int
	lines []string // the frame on screen
	nameW int      // the longest stage name drawn so far, so columns stay put
}

// NewBars returns Bars drawing on w, a terminal whose width in columns
// width reports (it is asked at every redraw, so that resizing works).
func NewBars(w io.Writer, width func() int) *Bars {
	return &Bars{w: w, width: width}
}

// Update draws p in place of the previous frame.
func (b *Bars) Update(p Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var buf strings.Builder
	b.up(&buf)
	for _, s := range p.Stages {
		b.nameW = max(b.nameW, utf8.RuneCountInString(s.Name))
	}
	b.lines = barLines(p, b.width(), b.nameW)
	for _, l := range b.lines {
		buf.WriteString(l)
		buf.WriteString("\x1b[K\n") // erase the rest of the old line
	}
	buf.WriteString("\x1b[J") // and any old lines below
	io.WriteString(b.w, buf.String())
}

// Write prints p above the bars. A missing final newline is added.
func (b *Bars) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var buf strings.Builder
	b.up(&buf)
	buf.WriteString("\x1b[J")
	buf.Write(p)
	if len(p) > 0 && p[len(p)-1] != '\n' {
		buf.WriteByte('\n')
	}
	for _, l := range b.lines {
		buf.WriteString(l)
		buf.WriteString("\n")
	}
	if _, err := io.WriteString(b.w, buf.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Clear erases the bars, leaving the cursor where they began.
func (b *Bars) Clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lines) == 0 {
		return
	}
	var buf strings.Builder
	b.up(&buf)
	buf.WriteString("\x1b[J")
	b.lines = nil
	io.WriteString(b.w, buf.String())
}

// up moves the cursor to the start of the frame's first line.
func (b *Bars) up(buf *strings.Builder) {
	if n := len(b.lines); n > 0 {
		fmt.Fprintf(buf, "\x1b[%dA\r", n)
	}
}

// barLines renders p as Bars draws it on a terminal width columns wide,
// with stage names padded to at least nameW. A stage that counts rows gets
// columns: a bar and percentage when its total is known, rows done (of the
// total), rows per second, ETA. One that does not gets its ETA, or its time
// so far, in the bar's place. Names too long for the terminal are cut
// with an ellipsis; every line is cut to width-1 columns.
func barLines(p Progress, width, nameW int) []string {
	if width <= 0 {
		width = 80
	}
	stages := p.Stages
	more := 0
	if len(stages) > maxBarStages {
		stages, more = stages[:maxBarStages], len(stages)-maxBarStages
	}
	nameW = max(nameW, len("overall"))
	for _, s := range stages {
		nameW = max(nameW, utf8.RuneCountInString(s.Name))
	}
	// A line is the name, the bar (barW and 7 for brackets and percentage),
	// rows, rate and ETA columns, two spaces apart: nameW + barW + fixed.
	const rowsW, rateW, etaW, minBar, maxBar = 11, 7, 13, 10, 30
	const fixed = 2 + 7 + 2 + rowsW + 2 + rateW + 2 + etaW
	nameW = min(nameW, max(12, width-1-fixed-minBar))
	barW := min(max(width-1-fixed-nameW, minBar), maxBar)
	var lines []string
	for _, s := range stages {
		name := s.Name
		if r := []rune(name); len(r) > nameW {
			name = string(r[:nameW-1]) + "…"
		}
		var when string
		switch {
		case s.Finished:
			when = "done in " + duration(s.Elapsed)
		case s.ETAFrom == "rows":
			when = "eta " + duration(s.ETA)
		case s.ETAFrom != "":
			when = "eta ~" + duration(s.ETA)
		default:
			when = duration(s.Elapsed) + " so far"
		}
		if s.Rows == 0 && s.Total == 0 {
			lines = append(lines, fmt.Sprintf("%-*s  %s", nameW, name, when))
			continue
		}
		cell, rows := "", count(s.Rows)+" rows"
		if s.Total > 0 {
			frac := min(float64(s.Rows)/float64(s.Total), 1)
			fill := int(frac * float64(barW))
			bar := strings.Repeat("=", fill)
			if fill < barW {
				bar += ">" + strings.Repeat(" ", barW-fill-1)
			}
			cell = fmt.Sprintf("[%s] %3d%%", bar, int(frac*100))
			rows = count(s.Rows) + "/" + count(s.Total)
		}
		rate := count(int64(s.Rate)) + "/s"
		lines = append(lines, fmt.Sprintf("%-*s  %-*s  %*s  %*s  %s", nameW, name, barW+7, cell, rowsW, rows, rateW, rate, when))
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("%-*s  and %d more stage(s) running", nameW, "", more))
	}
	all := fmt.Sprintf("%-*s  %d/%d stages done", nameW, "overall", p.Done, p.Total)
	if p.ETAKnown && p.Done < p.Total {
		all += ", eta " + duration(p.ETA)
	}
	lines = append(lines, all)
	for i, l := range lines {
		lines[i] = cut(strings.TrimRight(l, " "), width-1)
	}
	return lines
}

// count formats a row count in at most 6 characters: 9999, 12.3k, 4.5M.
func count(n int64) string {
	switch {
	case n < 10_000:
		return fmt.Sprint(n)
	case n < 999_950:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	case n < 999_950_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1fG", float64(n)/1e9)
}

// duration formats d with a tenth of a second under 10 seconds, whole
// seconds above: 0.4s, 7.2s, 42s, 3m5s.
func duration(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
