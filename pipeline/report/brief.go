package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/reports"
)

// contrast is the main finding of the findings' summary: the median record
// of a kind (elementary schools) in the focus area against the reference
// area, by size and by score, and the areas' tract income. Fields are nil
// or NaN when the file does not give them.
type contrast struct {
	kind              string // plural, lower case: "elementary schools"
	focus, reference  string
	nFocus, nRef      int
	size, score       *config.Measure
	sizeF, sizeR      float64 // medians
	scoreF, scoreR    float64
	income            *config.Measure
	incomeF, incomeR  float64
	incomeNF, incomeN int // tracts in each
}

// contrastOf finds the main finding, or returns ok false when the summary
// has no area comparison or either area has no group.
func (in *Input) contrastOf(f *config.Findings) (c contrast, ok bool) {
	s := in.summary(f.Summary)
	if s == nil || s.Area == "" || s.Compare == nil {
		return c, false
	}
	ai := slices.Index(s.By, s.Area)
	var fg, rg *result.Group
	for _, g := range s.Groups {
		match := true
		for col, want := range f.Group {
			if i := slices.Index(s.By, col); i < 0 || g.Keys[i] != want {
				match = false
			}
		}
		if !match {
			continue
		}
		switch g.Keys[ai] {
		case s.Compare.Focus:
			fg = g
		case s.Compare.Reference:
			rg = g
		}
	}
	if fg == nil || rg == nil {
		return c, false
	}
	c = contrast{kind: "records", focus: s.Compare.Focus, reference: s.Compare.Reference, nFocus: fg.N, nRef: rg.N,
		sizeF: math.NaN(), sizeR: math.NaN(), scoreF: math.NaN(), scoreR: math.NaN(), incomeF: math.NaN(), incomeR: math.NaN()}
	var other []string
	for i, l := range fg.Labels {
		if i != ai {
			other = append(other, strings.ToLower(l))
		}
	}
	if len(other) > 0 {
		c.kind = strings.Join(other, ", ")
	}
	if c.size = measure(s, f.Size); c.size != nil {
		c.sizeF, c.sizeR = fg.Stats[c.size.Column].Median, rg.Stats[c.size.Column].Median
	}
	if c.score = measure(s, f.Score); c.score != nil {
		c.scoreF, c.scoreR = fg.Stats[c.score.Column].Median, rg.Stats[c.score.Column].Median
	}
	if inc := in.summary(f.Income); inc != nil && inc.Area != "" && len(inc.Measures) > 0 {
		iai := slices.Index(inc.By, inc.Area)
		for _, g := range inc.Groups {
			m := inc.Measures[0]
			switch g.Keys[iai] {
			case c.focus:
				c.income, c.incomeF, c.incomeNF = m, g.Stats[m.Column].Median, g.N
			case c.reference:
				c.incomeR, c.incomeN = g.Stats[m.Column].Median, g.N
			}
		}
	}
	return c, true
}

// points rounds a difference of scores for a headline: to two significant
// digits from 100 up (350.5 is "350"), else to a whole number. The exact
// values are said beside it.
func points(d float64) string {
	d = math.Abs(d)
	if d >= 100 {
		p := math.Pow(10, math.Floor(math.Log10(d))-1)
		return reports.Number(math.Round(d/p)*p, 0)
	}
	return reports.Number(math.Round(d), 0)
}

// sig3 rounds a headline figure to three significant digits ($53,873 is
// "$53,900"): medians of tract estimates are not exact to the dollar.
func sig3(x float64, format string) string {
	if x == 0 || math.IsNaN(x) || format == "percent" {
		return reports.Format(x, format)
	}
	p := math.Pow(10, math.Floor(math.Log10(math.Abs(x)))-2)
	return reports.Format(math.Round(x/p)*p, format)
}

// title states the main finding as the report's headline: "The median
// elementary school in the flatlands has 1.7 times the enrollment in
// tested grades and scores 350 points lower than in the hills".
func (c contrast) title() string {
	var parts []string
	if r := stats.Ratio(c.sizeF, c.sizeR); c.size != nil && !math.IsNaN(r) {
		parts = append(parts, fmt.Sprintf("has %s the %s", reports.Times(r), lowerFirst(measureLabel(c.size))))
	}
	if d := c.scoreF - c.scoreR; c.score != nil && !math.IsNaN(d) && d != 0 {
		dir := "lower"
		if d > 0 {
			dir = "higher"
		}
		parts = append(parts, fmt.Sprintf("scores %s points %s", points(d), dir))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("The median %s in the %s %s than in the %s", singular(c.kind), c.focus, strings.Join(parts, " and "), c.reference)
}

// lead says the finding in words under the title, the numbers being in
// the figures below it: "Elementary schools in the flatlands are bigger
// and score lower than in the hills, whose median tract has 2.9 times the
// median household income."
func (c contrast) lead() string {
	var parts []string
	if r := stats.Ratio(c.sizeF, c.sizeR); c.size != nil && !math.IsNaN(r) && reports.Times(r) != "about the same" {
		parts = append(parts, map[bool]string{true: "bigger", false: "smaller"}[r > 1])
	}
	if d := c.scoreF - c.scoreR; c.score != nil && !math.IsNaN(d) && d != 0 {
		parts = append(parts, "score "+map[bool]string{true: "higher", false: "lower"}[d > 0])
	}
	if len(parts) == 0 {
		return ""
	}
	s := fmt.Sprintf("%s in the %s are %s than in the %s", upperFirst(c.kind), c.focus, strings.Join(parts, " and "), c.reference)
	if r := stats.Ratio(c.incomeR, c.incomeF); c.income != nil && !math.IsNaN(r) && r > 0 {
		if t := reports.Times(r); t != "" && t != "about the same" {
			s += fmt.Sprintf(", whose median tract has %s the %s", t, lowerFirst(measureLabel(c.income)))
		}
	}
	return s + "."
}

// headlines are the brief's figures: the size ratio, the score gap, the
// income gap, then the first compared indicator with a margin of error.
func (in *Input) headlines(c contrast) []reports.Headline {
	var out []reports.Headline
	the := fmt.Sprintf(": median %s, %s", singular(c.kind), c.focus)
	if r := stats.Ratio(c.sizeF, c.sizeR); c.size != nil && !math.IsNaN(r) {
		out = append(out, reports.Headline{Value: reports.Times(r), Label: upperFirst(measureLabel(c.size)) + the,
			Comparison: fmt.Sprintf("%s against %s in the %s", reports.Format(c.sizeF, c.size.Format), reports.Format(c.sizeR, c.size.Format), c.reference)})
	}
	if d := c.scoreF - c.scoreR; c.score != nil && !math.IsNaN(d) {
		dir := "lower"
		if d > 0 {
			dir = "higher"
		}
		out = append(out, reports.Headline{Value: points(d) + " points " + dir, Label: upperFirst(measureLabel(c.score)) + the,
			Comparison: fmt.Sprintf("%s against %s in the %s", reports.Format(c.scoreF, c.score.Format), reports.Format(c.scoreR, c.score.Format), c.reference)})
	}
	if c.income != nil && !math.IsNaN(c.incomeF) {
		out = append(out, reports.Headline{Value: sig3(c.incomeF, c.income.Format), Label: fmt.Sprintf("%s: median tract, %s", upperFirst(measureLabel(c.income)), c.focus),
			Comparison: fmt.Sprintf("against %s in the %s (%d and %d tracts)", sig3(c.incomeR, c.income.Format), c.reference, c.incomeNF, c.incomeN),
			Margin:     "a median of tract estimates: no margin of error of its own"})
	}
	if h, ok := in.indicatorHeadline(c); ok {
		out = append(out, h)
	}
	return out
}

// indicatorHeadline is the first compared indicator of the focus area with
// a valid estimate: its value with its margin in words and reliability,
// against the reference, with whether the difference is significant.
func (in *Input) indicatorHeadline(c contrast) (reports.Headline, bool) {
	hs := in.indicatorHeadlines(c.focus, c.reference)
	if len(hs) == 0 {
		return reports.Headline{}, false
	}
	return hs[0].Headline, true
}

// indicatorGap is a compared indicator's headline with the size of the
// focus area's difference from the reference, in the indicator's units
// (zero when the difference could be chance).
type indicatorGap struct {
	reports.Headline
	name    string
	gap     float64
	f, r, k float64 // estimates and divisor for the format
	format  string
}

// indicatorHeadlines are the compared indicators of the focus area with a
// valid estimate in both areas, in the file's order: the value with its
// margin in words and reliability, against the reference, saying when the
// difference could be chance.
func (in *Input) indicatorHeadlines(focus, reference string) []indicatorGap {
	r := in.Indicators
	if r == nil || len(r.Areas) == 0 || in.Config.Indicators == nil || in.Config.Indicators.Compare == nil {
		return nil
	}
	var fa, ra *result.AreaValues
	for i := range r.Areas {
		switch r.Areas[i].Area {
		case focus:
			fa = &r.Areas[i]
		case reference:
			ra = &r.Areas[i]
		}
	}
	if fa == nil || ra == nil {
		return nil
	}
	return in.gapsOf(fa, ra, r.Comparisons, in.Config.Indicators.Compare.Indicators, focus, the(reference))
}

// gapsOf are the indicators names of fa (the focus) with a valid estimate
// in fa and ra, in names' order, as headlines: the value with its margin
// in words and reliability, labelled with focus ("Renter-occupied homes:
// flatlands"), against the reference's value in refWords ("in the hills"),
// saying when comparisons find the difference could be chance.
func (in *Input) gapsOf(fa, ra *result.AreaValues, comparisons []result.Comparison, names []string, focus, refWords string) []indicatorGap {
	var out []indicatorGap
	for _, name := range names {
		fv, rv := fa.Values[name], ra.Values[name]
		if !fv.Valid || !rv.Valid {
			continue
		}
		format, k := indicatorFormat(in.indicatorDef(name))
		h := reports.Headline{
			Value:       reports.Rounded(fv.Value.Est/k, fv.Value.MOE/k, format),
			Label:       fmt.Sprintf("%s: %s", upperFirst(in.indicatorLabel(name)), focus),
			Comparison:  fmt.Sprintf("against %s in %s", reports.Rounded(rv.Value.Est/k, rv.Value.MOE/k, format), refWords),
			Reliability: string(fv.Reliability),
		}
		if iv := in.interval(name, fv.Value.Est/k, fv.Value.MOE/k, format); strings.Contains(iv, "likely") {
			h.Margin = iv[strings.Index(iv, "likely"):]
		} else if fv.Reliability == stats.Unknown {
			h.Margin = "no margin of error: how sure this is cannot be said"
		}
		g := indicatorGap{Headline: h, name: name, gap: math.Abs(fv.Value.Est - rv.Value.Est), f: fv.Value.Est, r: rv.Value.Est, k: k, format: format}
		for _, cmp := range comparisons {
			if cmp.Indicator != name || !(cmp.A == fa.Area && cmp.B == ra.Area || cmp.A == ra.Area && cmp.B == fa.Area) || cmp.Significant {
				continue
			}
			// A Z that cannot be computed (a margin of error missing) is
			// no evidence that the difference is chance: say so.
			if math.IsNaN(cmp.Z) {
				g.Comparison += " (without margins of error it cannot be tested whether the difference is real)"
			} else {
				g.Comparison += " (the difference could be chance)"
			}
			g.gap = 0
		}
		out = append(out, g)
	}
	return out
}

// the puts "the" before an area named in lower case ("the flatlands"),
// not before a proper name ("DeKalb County").
func the(area string) string {
	if r := []rune(area); len(r) > 0 && unicode.IsLower(r[0]) {
		return "the " + area
	}
	return area
}

// areaBrief is the brief of a report without findings but with areas
// compared: the title states the largest difference that is not chance
// among the compared indicators, the figures give each indicator of the
// focus area against the reference, and the median tract income by area
// when a summary of tracts by that area gives one in dollars.
func (in *Input) areaBrief() (title, lead string, hs []reports.Headline, ok bool) {
	r := in.Indicators
	if r == nil || r.Area == "" {
		return "", "", nil, false
	}
	a, found := in.Config.Areas[r.Area]
	if !found || a.Compare == nil {
		return "", "", nil, false
	}
	focus, ref := a.Compare.Focus, a.Compare.Reference
	gaps := in.indicatorHeadlines(focus, ref)
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
		title = fmt.Sprintf("%s: %s in %s against %s in %s", upperFirst(label), reports.Rounded(g.f/g.k, 0, g.format), the(focus), reports.Rounded(g.r/g.k, 0, g.format), the(ref))
	} else {
		title = fmt.Sprintf("%s and %s: no difference larger than chance in the measures compared", upperFirst(the(focus)), the(ref))
	}
	real := 0
	for _, x := range gaps {
		if x.gap > 0 {
			real++
		}
	}
	lead = fmt.Sprintf("Of the %s compared between %s and %s, %s larger than chance; the widest gap is in %s.",
		plural(len(gaps), "measure", "measures"), the(focus), the(ref), plural(real, "difference is", "differences are"), label)
	hs = append(hs, g.Headline)
	for _, s := range in.Summaries {
		if s.Area != r.Area || len(s.By) != 1 || len(s.Measures) == 0 || s.Measures[0].Format != "dollars" {
			continue
		}
		m := s.Measures[0]
		var fm, rm float64
		var fn, rn int
		for _, grp := range s.Groups {
			switch grp.Keys[0] {
			case focus:
				fm, fn = grp.Stats[m.Column].Median, grp.N
			case ref:
				rm, rn = grp.Stats[m.Column].Median, grp.N
			}
		}
		if fn > 0 && rn > 0 {
			hs = append(hs, reports.Headline{Value: sig3(fm, m.Format), Label: fmt.Sprintf("%s: median tract, %s", upperFirst(measureLabel(m)), focus),
				Comparison: fmt.Sprintf("against %s in %s (%d and %d tracts)", sig3(rm, m.Format), the(ref), fn, rn),
				Margin:     "a median of tract estimates: no margin of error of its own"})
		}
		break
	}
	for i, x := range gaps {
		if i != top && len(hs) < 4 {
			hs = append(hs, x.Headline)
		}
	}
	return title, lead, hs, true
}

// indicatorFormat is the format of a defined indicator's area values and
// what to divide them by for it: "percent" and 100 for a proportion shown
// as a percent (its values are in points), else a plain number and 1.
func indicatorFormat(d *config.IndicatorDef) (format string, k float64) {
	if d != nil && d.Percent {
		return "percent", 100
	}
	return "number", 1
}

// howSure says in plain words how sure the numbers are: what a margin of
// error means, with an example from this report when it has one, what has
// none, when a difference is real, and the reliability words with the
// bands this run used.
func (in *Input) howSure(example *reports.Headline) *reports.HowSure {
	b := in.bands()
	conf := 90
	if in.Indicators != nil && in.Indicators.Confidence != 0 {
		conf = int(in.Indicators.Confidence)
	}
	odds := map[int]string{90: "9 times in 10", 95: "19 times in 20", 99: "99 times in 100"}[conf]
	if odds == "" {
		odds = fmt.Sprintf("%d%% of the time", conf)
	}
	h := &reports.HowSure{}
	p := fmt.Sprintf("Census figures here are estimates from the American Community Survey, which asks a sample of households, not everyone. Each comes with a margin of error: a range that holds the true value %s.", odds)
	if example != nil && example.Margin != "" {
		p += fmt.Sprintf(" So \"%s %s, %s\" means the true value is in that range %s", example.Label, example.Value, example.Margin, odds)
		p += map[string]string{
			"reliable":   "; the range is narrow: the figure is reliable.",
			"caution":    "; the range is wide: use the figure with caution.",
			"unreliable": "; the range is too wide: the figure is too uncertain to use.",
		}[example.Reliability]
		if !strings.HasSuffix(p, ".") {
			p += "."
		}
	}
	h.Paragraphs = append(h.Paragraphs, p,
		"Counts and scores from the other files (administrative records, your own lists) are not samples and have no margin of error; they can still be out of date or incomplete: see the sources below.",
		fmt.Sprintf("A difference between two areas is called real only when it is larger than both margins allow (a test at %d%% confidence); otherwise the report says it could be chance.", conf),
		"A median of tract estimates (the median tract's income, say) describes the tracts; it has no margin of error of its own.")
	h.Words = []reports.Word{
		{Band: "reliable", Meaning: fmt.Sprintf("the margin of error is small next to the estimate (coefficient of variation under %g%%): quote it with \"about\".", b.Caution)},
		{Band: "caution", Meaning: fmt.Sprintf("the margin is large (%g–%g%%): quote the range, not the number alone. Marked * in tables.", b.Caution, b.Unreliable)},
		{Band: "unreliable", Meaning: fmt.Sprintf("the margin is over %g%% of the estimate: do not quote it alone; combine areas or years. Marked † in tables and hatched on the map.", b.Unreliable)},
	}
	return h
}
