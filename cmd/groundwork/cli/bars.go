package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/groundwork-org/groundwork/pipeline"
)

// maxBarStages bounds the stage lines progressBars draws; the others are counted
// on one line.
const maxBarStages = 12

// progressBars draws a run's progress on a terminal: a line per running stage (its
// name; a bar and percentage when its rows to do are known; rows done and
// per second; the ETA) and an overall line (stages done, the run's ETA),
// redrawn in place with ANSI escapes (cursor up, erase line). Lines are cut
// to the terminal's width so that none wraps.
//
// progressBars is also an io.Writer for the run's log: each Write (a log record,
// ending in a newline) is printed above the bars, which are then drawn
// again below it, so that log lines and bars do not garble each other.
//
// Pass Update as Options.OnProgress and call Clear once Run has returned,
// before anything else is printed to the terminal. progressBars is safe for
// concurrent use.
type progressBars struct {
	mu    sync.Mutex
	w     io.Writer
	width func() int
	lines []string // the frame on screen
	nameW int      // the longest stage name drawn so far, so columns stay put
}

// newBars returns progressBars drawing on w, a terminal whose width in columns
// width reports (it is asked at every redraw, so that resizing works).
func newBars(w io.Writer, width func() int) *progressBars {
	return &progressBars{w: w, width: width}
}

// Update draws p in place of the previous frame.
func (b *progressBars) Update(p pipeline.Progress) {
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
func (b *progressBars) Write(p []byte) (int, error) {
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
func (b *progressBars) Clear() {
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
func (b *progressBars) up(buf *strings.Builder) {
	if n := len(b.lines); n > 0 {
		fmt.Fprintf(buf, "\x1b[%dA\r", n)
	}
}

// barLines renders p as progressBars draws it on a terminal width columns wide,
// with stage names padded to at least nameW. A stage that counts rows gets
// columns: a bar and percentage when its total is known, rows done (of the
// total), rows per second, ETA. One that does not gets its ETA, or its time
// so far, in the bar's place. Names too long for the terminal are cut
// with an ellipsis; every line is cut to width-1 columns.
func barLines(p pipeline.Progress, width, nameW int) []string {
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
