package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/pipeline/tabulate"
	"github.com/groundwork-org/groundwork/reports"
)

// Group labels of the tracts in a need brief's comparison.
const (
	inList    = "in the list"
	notInList = "not in the list"
)

// needList finds the segment a need brief is about: the first segment of
// tracts ranked by the need index that has rows.
func (in *Input) needList() *result.Segment {
	n := in.Indicators.Need
	for _, s := range in.Segments {
		if s.Of == "tracts" && s.Rank != nil && s.Rank.By == n.Name && len(s.Rows) > 0 {
			return s
		}
	}
	return nil
}

// listWords names the tracts of segment s with their count, from its
// title: "the 25 tracts with the highest need index" (title "Tracts with
// the highest need index"), "the 20 Oakland tracts with the highest need
// index"; a title that does not say tracts is quoted.
func listWords(s *result.Segment) string {
	t := cmp.Or(s.Title, s.Name)
	n := len(s.Rows)
	switch {
	case strings.HasPrefix(t, "Tracts ") || strings.HasPrefix(t, "tracts "):
		return fmt.Sprintf("the %d %s", n, lowerFirst(t))
	case strings.Contains(t, " tracts "):
		return fmt.Sprintf("the %d %s", n, t)
	}
	return fmt.Sprintf("the %s in the list %q", plural(n, "tract", "tracts"), t)
}

// needBrief is the brief of a report without findings or compared areas
// but with a need index and a segment of tracts ranked by it, as a
// scaffold's first run has: the tracts of that list against the other
// tracts of the table. Each defined indicator is computed from the tract
// counts summed over each of the two groups, with its margin of error and a
// test of the difference (tabulate.CompareGroups, the rules of the areas'
// comparison); the title states the largest difference that is not chance,
// as areaBrief does. The lead says how many people live in the list's
// tracts when the pipeline names a population total (the segregation
// total), and how many of the measures differ by more than chance. The
// figures are that indicator, the median tract's value of each plain
// column the need index ranks by (median household income), and the other
// indicators, four in all. ok is false when there is no need index, no such
// segment, or no indicator with a value in both groups.
func (in *Input) needBrief() (title, lead string, hs []reports.Headline, ok bool) {
	if in.Indicators == nil || in.Indicators.Need == nil || in.Tracts == nil || in.Config.Indicators == nil {
		return "", "", nil, false
	}
	s := in.needList()
	if s == nil {
		return "", "", nil, false
	}
	member := map[string]bool{}
	for _, row := range s.Rows {
		if g, ok := row[table.GEOID].(string); ok {
			member[g] = true
		}
	}
	labels := make([]string, in.Tracts.Len())
	for i := range labels {
		labels[i] = notInList
		if member[in.Tracts.Str(i, table.GEOID)] {
			labels[i] = inList
		}
	}
	var notCounts map[string]string
	for _, src := range in.Sources {
		if in.Config.Tracts != nil && src.Name == in.Config.Tracts.Source {
			notCounts = src.NotCounts
		}
	}
	var names []string
	if c := in.Config.Indicators.Compare; c != nil {
		names = c.Indicators
	} else {
		for _, d := range in.Config.Indicators.Define {
			names = append(names, d.Name)
		}
	}
	// Each indicator on its own: one that cannot be summed over tracts (a
	// change of medians) leaves the others.
	var fa, ra *result.AreaValues
	var comparisons []result.Comparison
	var compared []string
	for _, name := range names {
		vals, cmps, err := tabulate.CompareGroups(in.Config, in.Tracts, labels, []string{inList, notInList}, []string{name}, notCounts)
		if err != nil || len(vals) != 2 {
			continue
		}
		if fa == nil {
			fa, ra = &vals[0], &vals[1]
		}
		fa.Values[name], ra.Values[name] = vals[0].Values[name], vals[1].Values[name]
		comparisons = append(comparisons, cmps...)
		compared = append(compared, name)
	}
	if fa == nil {
		return "", "", nil, false
	}
	focus, ref := listWords(s), fmt.Sprintf("the other %s", plural(ra.Tracts, "tract", "tracts"))
	short := "highest-need tracts"
	if s.Rank.Order == "asc" {
		short = "lowest-need tracts"
	}
	gaps := in.gapsOf(fa, ra, comparisons, compared, short, ref)
	if len(gaps) == 0 {
		return "", "", nil, false
	}
	top := 0
	for i, g := range gaps {
		if g.gap > gaps[top].gap {
			top = i
		}
	}
	g := gaps[top]
	label := in.indicatorLabel(g.name)
	if g.gap > 0 {
		title = fmt.Sprintf("%s: %s in %s against %s in %s", upperFirst(label), reports.Rounded(g.f/g.k, 0, g.format), focus, reports.Rounded(g.r/g.k, 0, g.format), ref)
	} else {
		title = fmt.Sprintf("%s and %s: no difference larger than chance in the measures compared", upperFirst(focus), ref)
	}
	real := 0
	for _, x := range gaps {
		if x.gap > 0 {
			real++
		}
	}
	lead = in.needWords()
	if p := in.people(labels); p != "" {
		lead += fmt.Sprintf(" About %s live in them.", p)
	}
	// the widest gap is the title's: the lead says how many more there are
	switch {
	case real == len(gaps) && real > 1:
		lead += fmt.Sprintf(" All %d measures compared with %s differ by more than chance.", real, ref)
	default:
		lead += fmt.Sprintf(" Of the %s compared with %s, %s larger than chance.",
			plural(len(gaps), "measure", "measures"), ref, plural(real, "difference is", "differences are"))
	}
	lead = strings.TrimSpace(lead)
	hs = append(hs, g.Headline)
	hs = append(hs, in.needMedians(labels, short, ref)...)
	for i, x := range gaps {
		if i != top && len(hs) < 4 {
			hs = append(hs, x.Headline)
		}
	}
	return title, lead, hs[:min(len(hs), 4)], true
}

// people says how many people live in the list's tracts, from the sum of
// the pipeline's population total (the segregation total) in each group:
// "76,100 people, 7% of the 1,020,000 in all 204 tracts". It is empty
// without a total or with a tract that has none.
func (in *Input) people(labels []string) string {
	sg := in.Config.Indicators.Segregation
	if sg == nil || sg.Total == "" || !slices.Contains(in.Tracts.Cols(), sg.Total) {
		return ""
	}
	var inside, all float64
	for i, l := range labels {
		x, ok := frame.ToFloat(in.Tracts.Get(i, sg.Total))
		if !ok || math.IsNaN(x) || x < 0 {
			return ""
		}
		all += x
		if l == inList {
			inside += x
		}
	}
	if all == 0 {
		return ""
	}
	return fmt.Sprintf("%s people, %s of the %s in all %d tracts,",
		sig3(inside, "number"), reports.Number(math.Round(100*inside/all), 0)+"%", sig3(all, "number"), len(labels))
}

// needMedians are the figures of the plain columns the need index ranks
// by (not the defined indicators, which the comparison gives): the median
// tract's value in the list against the other tracts, as areaBrief gives
// the median tract income. A median of tract estimates has no margin of
// error of its own; the figure says so.
func (in *Input) needMedians(labels []string, short, ref string) []reports.Headline {
	var out []reports.Headline
	for _, th := range in.Config.Indicators.Need.Themes {
		for _, v := range th.Variables {
			if in.indicatorDef(v.Column) != nil || !slices.Contains(in.Tracts.Cols(), v.Column) {
				continue
			}
			var a, b []float64
			for i, l := range labels {
				x, ok := frame.ToFloat(in.Tracts.Get(i, v.Column))
				if !ok {
					continue
				}
				if l == inList {
					a = append(a, x)
				} else {
					b = append(b, x)
				}
			}
			ma, mb := stats.Summarize(a), stats.Summarize(b)
			if ma.N == 0 || mb.N == 0 {
				continue
			}
			format, k := in.columnFormat(v.Column, nil)
			out = append(out, reports.Headline{Value: sig3(ma.Median/k, format), Label: fmt.Sprintf("%s: median tract, %s", upperFirst(in.columnLabel(v.Column, nil)), short),
				Comparison: fmt.Sprintf("against %s in %s", sig3(mb.Median/k, format), ref),
				Margin:     "a median of tract estimates: no margin of error of its own"})
		}
	}
	return out
}

// needWords says in a sentence what the need index ranks by, grouped by
// direction: "The need index is highest where median household income and
// adults 25+ with a bachelor's degree or more are lowest, and
// renter-occupied homes highest."
func (in *Input) needWords() string {
	var low, high []string
	for _, th := range in.Config.Indicators.Need.Themes {
		for _, v := range th.Variables {
			l := lowerFirst(in.columnLabel(v.Column, nil))
			if v.Column == "B19013_001E" {
				l = "median household income" // as needSection says it
			}
			if strings.HasPrefix(v.Direction, "lower") {
				low = append(low, l)
			} else {
				high = append(high, l)
			}
		}
	}
	are := func(w []string) string {
		if len(w) == 1 {
			return joinAnd(w) + " is"
		}
		return joinAnd(w) + " are"
	}
	switch {
	case len(low) > 0 && len(high) > 0:
		return fmt.Sprintf("The need index is highest where %s lowest, and %s highest.", are(low), joinAnd(high))
	case len(low) > 0:
		return fmt.Sprintf("The need index is highest where %s lowest.", are(low))
	case len(high) > 0:
		return fmt.Sprintf("The need index is highest where %s highest.", are(high))
	}
	return ""
}
