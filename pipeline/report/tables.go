package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/reports"
)

func measureLabel(m *config.Measure) string {
	if m.Label != "" {
		return m.Label
	}
	return m.Column
}

// summaryTable lays a summary out as a table: one row per group, a column
// per statistic, and, when the summary is by an area with a comparison, a
// row of focus-to-reference ratios of the medians for each other group.
func summaryTable(s *result.Summary, headers map[string]string) reports.Table {
	t := reports.Table{Title: s.Title}
	for _, b := range s.By {
		t.Header = append(t.Header, cmp.Or(headers[b], b))
	}
	t.Header = append(t.Header, "Count")
	for _, m := range s.Measures {
		t.Header = append(t.Header, measureLabel(m)+": "+statsHeading(m.Stats))
	}
	t.Numeric = make([]bool, len(t.Header))
	for i := len(s.By); i < len(t.Header); i++ {
		t.Numeric[i] = true
	}
	for _, g := range s.Groups {
		row := append([]string{}, g.Labels...)
		row = append(row, reports.Number(float64(g.N), 0))
		for _, m := range s.Measures {
			row = append(row, statsCell(g.Stats[m.Column], g.Mean[m.Column], m, g.Bounds[m.Column]))
		}
		t.Rows = append(t.Rows, row)
	}
	if s.Compare != nil {
		ai := slices.Index(s.By, s.Area)
		var notes []string
		for _, g := range s.Groups {
			if g.Keys[ai] != s.Compare.Focus {
				continue
			}
			keys := append([]string{}, g.Keys...)
			keys[ai] = s.Compare.Reference
			ref := s.Find(keys...)
			if ref == nil {
				continue
			}
			var parts []string
			for _, m := range s.Measures {
				ratio := stats.Ratio(g.Stats[m.Column].Median, ref.Stats[m.Column].Median)
				if !math.IsNaN(ratio) {
					parts = append(parts, fmt.Sprintf("%s %s×", lowerFirst(measureLabel(m)), reports.Number(ratio, 2)))
				}
			}
			other := append(append([]string{}, g.Labels[:ai]...), g.Labels[ai+1:]...)
			what := strings.Join(other, ", ")
			if what != "" {
				what = " (" + what + ")"
			}
			if len(parts) > 0 {
				notes = append(notes, fmt.Sprintf("Median in %s ÷ median in %s%s: %s.", s.Compare.Focus, s.Compare.Reference, what, strings.Join(parts, "; ")))
			}
		}
		t.Note = strings.Join(notes, " ")
	}
	return t
}

func (in *Input) summary(name string) *result.Summary {
	for _, s := range in.Summaries {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func measure(s *result.Summary, col string) *config.Measure {
	for _, m := range s.Measures {
		if m.Column == col {
			return m
		}
	}
	return nil
}

// findings writes plain sentences from the computed numbers: for each area
// in order, the range and median of size and score; then the focus area
// against the reference; then tract income. Nothing is claimed that a
// number shown in the tables does not support.
func (in *Input) findings(f *config.Findings) []string {
	s := in.summary(f.Summary)
	if s == nil || s.Area == "" {
		return nil
	}
	ai := slices.Index(s.By, s.Area)
	match := func(g *result.Group) bool {
		for col, want := range f.Group {
			i := slices.Index(s.By, col)
			if i < 0 || g.Keys[i] != want {
				return false
			}
		}
		return true
	}
	var groups []*result.Group
	for _, g := range s.Groups {
		if match(g) {
			groups = append(groups, g)
		}
	}
	kind := "records"
	if len(groups) > 0 {
		var other []string
		for i, l := range groups[0].Labels {
			if i != ai {
				other = append(other, strings.ToLower(l))
			}
		}
		if len(other) > 0 {
			kind = strings.Join(other, ", ")
		}
	}
	size, score := measure(s, f.Size), measure(s, f.Score)
	var out []string
	byArea := map[string]*result.Group{}
	for _, g := range groups {
		area := g.Keys[ai]
		byArea[area] = g
		var parts []string
		if size != nil {
			sm := g.Stats[size.Column]
			parts = append(parts, fmt.Sprintf("%s %s to %s (median %s)", lowerFirst(measureLabel(size)), reports.Format(sm.Min, size.Format), reports.Format(sm.Max, size.Format), reports.Format(sm.Median, size.Format)))
		}
		if score != nil {
			sm := g.Stats[score.Column]
			parts = append(parts, fmt.Sprintf("%s %s to %s (median %s)", lowerFirst(measureLabel(score)), reports.Format(sm.Min, score.Format), reports.Format(sm.Max, score.Format), reports.Format(sm.Median, score.Format)))
		}
		noun := kind
		if g.N == 1 {
			noun = singular(kind)
		}
		out = append(out, fmt.Sprintf("In the %s, %d %s: %s.", area, g.N, noun, strings.Join(parts, "; ")))
	}
	if c := s.Compare; c != nil {
		fg, rg := byArea[c.Focus], byArea[c.Reference]
		if fg != nil && rg != nil {
			var parts []string
			if size != nil {
				fm, rm := fg.Stats[size.Column].Median, rg.Stats[size.Column].Median
				if r := stats.Ratio(fm, rm); !math.IsNaN(r) {
					parts = append(parts, fmt.Sprintf("%s times the %s (%s against %s)", reports.Number(r, 1), lowerFirst(measureLabel(size)), reports.Format(fm, size.Format), reports.Format(rm, size.Format)))
				}
			}
			if score != nil {
				fm, rm := fg.Stats[score.Column].Median, rg.Stats[score.Column].Median
				if d := fm - rm; !math.IsNaN(d) {
					dir := "lower"
					if d > 0 {
						dir = "higher"
					}
					if d == 0 {
						parts = append(parts, fmt.Sprintf("the same %s (%s)", measureLabel(score), reports.Format(fm, score.Format)))
					} else {
						parts = append(parts, fmt.Sprintf("%s %s %s points %s (%s against %s)", article(measureLabel(score)), measureLabel(score), reports.Format(math.Abs(d), score.Format), dir, reports.Format(fm, score.Format), reports.Format(rm, score.Format)))
					}
				}
			}
			if len(parts) > 0 {
				out = append(out, fmt.Sprintf("Compared with the %s, the median %s in the %s has %s.", c.Reference, singular(kind), c.Focus, strings.Join(parts, " and ")))
			}
			if fg.N < 5 || rg.N < 5 {
				out = append(out, fmt.Sprintf("These are small groups (%d and %d): read them as a description of these places, not as a statistical estimate.", fg.N, rg.N))
			}
		}
	}
	if inc := in.summary(f.Income); inc != nil && inc.Area != "" && len(inc.Measures) > 0 {
		m := inc.Measures[0]
		iai := slices.Index(inc.By, inc.Area)
		var parts []string
		for _, g := range inc.Groups {
			parts = append(parts, fmt.Sprintf("%s %s (%d tracts)", g.Keys[iai], boundFormat(g.Stats[m.Column].Median, g.Bounds[m.Column]["median"], m.Format), g.N))
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("Median of the tracts' %s: %s.", lowerFirst(measureLabel(m)), strings.Join(parts, "; ")))
		}
	}
	return out
}

// statsHeading and statsCell lay out a measure's statistics in one column:
// "median (min–max)" when those three are asked for, else the values joined
// in the order given.
func statsHeading(st []string) string {
	if hasMedianRange(st) {
		rest := otherStats(st)
		if len(rest) > 0 {
			return "median (min–max), " + strings.Join(rest, ", ")
		}
		return "median (min–max)"
	}
	return strings.Join(st, ", ")
}

func statsCell(sm stats.Summary, mean float64, m *config.Measure, bounds map[string]string) string {
	f := func(x float64) string { return reports.Format(x, m.Format) }
	fs := func(stat string, x float64) string { return boundFormat(x, bounds[stat], m.Format) }
	if sm.N == 0 {
		return "–"
	}
	var parts []string
	st := m.Stats
	if hasMedianRange(st) {
		if sm.N == 1 {
			parts = append(parts, fs("median", sm.Median))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%s–%s)", fs("median", sm.Median), fs("min", sm.Min), fs("max", sm.Max)))
		}
		st = otherStats(st)
	}
	for _, name := range st {
		if name == "count" {
			parts = append(parts, f(result.StatValue(sm, mean, name)))
			continue
		}
		parts = append(parts, fs(name, result.StatValue(sm, mean, name)))
	}
	return strings.Join(parts, ", ")
}

// boundFormat formats x with the words of a bound (result.Group.Bounds): a
// Census top or bottom code as the Bureau words it, the interval's edge in
// the column's format and the words after it (250001 is "$250,000 or
// more", 2499 "$2,500 or less", 1939 "1939 or earlier"); a value computed
// from one as "at least $X" or "at most $X"; an exact value (words "") as
// itself.
func boundFormat(x float64, words, format string) string {
	if edge, rest, ok := indicator.CodeWords(words); ok {
		return reports.Format(edge, format) + " " + rest
	}
	switch words {
	case "":
		return reports.Format(x, format)
	case "not exact:":
		return reports.Format(x, format) + " (not exact: from a coded value)"
	}
	return words + " " + reports.Format(x, format)
}

func hasMedianRange(st []string) bool {
	return slices.Contains(st, "median") && slices.Contains(st, "min") && slices.Contains(st, "max")
}

func otherStats(st []string) []string {
	var out []string
	for _, s := range st {
		if s != "median" && s != "min" && s != "max" {
			out = append(out, s)
		}
	}
	return out
}

// headers names the By columns of a summary for display: an area's title, or
// the summary's headers entry.
func (in *Input) headers(s *result.Summary) map[string]string {
	h := map[string]string{}
	for _, b := range s.By {
		if a, ok := in.Config.Areas[b]; ok && a.Title != "" {
			h[b] = a.Title
		}
	}
	for _, cs := range in.Config.Summaries {
		if cs.Name == s.Name {
			for k, v := range cs.Headers {
				h[k] = v
			}
		}
	}
	return h
}
