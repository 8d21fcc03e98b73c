package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/reports"
	"github.com/groundwork-org/groundwork/reports/svgmap"
)

// sections returns the report sections beyond the area tables: indicators
// with their margins of error, area comparisons, segregation measures, and
// the outreach, listening and turnout summaries, in that order.
func (in *Input) sections() []reports.Section {
	var out []reports.Section
	if r := in.Indicators; r != nil {
		if s, ok := in.areaIndicatorSection(r); ok {
			out = append(out, s)
		}
		if sg := r.Segregation; sg != nil {
			out = append(out, segregationSection(sg))
		}
		if n := r.Need; n != nil {
			out = append(out, in.needSection(n))
		}
		for i, ip := range r.Interpolations {
			out = append(out, in.interpolationSection(i, ip))
		}
	}
	for _, src := range in.Sources {
		if len(src.Changes) > 0 || len(src.LabelChanges) > 0 {
			out = append(out, yearsSection(src))
		}
	}
	if o := in.Outreach; o != nil {
		out = append(out, in.outreachSections(o)...)
	}
	// Reference sections start closed on every screen and in print: the
	// brief, the findings and the next steps say what they hold, and the
	// files hold the lists. What people said and who came stay open.
	for i := range out {
		switch out[i].ID {
		case "indicators", "segregation", "need", "outreach", "followup":
			out[i].Collapsed = true
		}
	}
	return out
}

// yearsSection states, for a census source pulled for several years, in how
// many tracts each estimate changed significantly between the years, and the
// variables whose labels changed.
func yearsSection(src result.Source) reports.Section {
	title := src.Title
	if title == "" {
		title = src.Name
	}
	sec := reports.Section{ID: "years-" + src.Name, Title: "Changes between years: " + title}
	if len(src.Changes) > 0 {
		c := src.Changes[0]
		z := stats.Confidence(c.Confidence).Z()
		sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf(
			"Each tract's estimate in one year is tested against its estimate in the earlier year with the Census Bureau's test for the difference of two estimates (ACS General Handbook 2020, chapter 7): Z = (X1 - X2) / sqrt(SE1² + SE2²), with SE = MOE / %.3f (the MOEs at %d%%). "+
				"A change is statistically significant at the %d%% confidence level when |Z| > %.3f; otherwise the data do not show that the tract changed. "+
				"Dollar amounts are as published for each year, not adjusted for inflation. With many tracts, a few changes are significant by chance.", z, c.Confidence, c.Confidence, z))
		t := reports.Table{Header: []string{"variable", "years", "significant rise", "significant fall", "no significant change", "not tested"}, Numeric: []bool{false, false, true, true, true, true}}
		for _, c := range src.Changes {
			t.Rows = append(t.Rows, []string{c.Variable, fmt.Sprintf("%d to %d", c.From, c.To), strconv.Itoa(c.Up), strconv.Itoa(c.Down), strconv.Itoa(c.Same), strconv.Itoa(c.Untested)})
			sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("%s, %d to %d: a statistically significant rise in %d tracts and a significant fall in %d; in %d tracts the change is within the margins of error; %d tracts could not be tested (an estimate or its margin of error is missing in one year).",
				c.Variable, c.From, c.To, c.Up, c.Down, c.Same, c.Untested))
		}
		t.Note = "Tracts counted by the significance test of the change of each estimate."
		sec.Tables = append(sec.Tables, t)
	}
	for _, l := range src.LabelChanges {
		sec.Paragraphs = append(sec.Paragraphs, "Label change: "+l+".")
	}
	return sec
}

// indicatorDef is the pipeline file's definition of the derived indicator
// name, or nil when it defines none (a pipeline without indicators).
func (in *Input) indicatorDef(name string) *config.IndicatorDef {
	if in.Config.Indicators == nil {
		return nil
	}
	for _, d := range in.Config.Indicators.Define {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// interval says est of column col with its margin of error in words
// (reports.Interval), the range within 0 and 100% when col is an indicator
// of kind proportion (reports.ProportionInterval).
func (in *Input) interval(col string, est, moe float64, format string) string {
	if d := in.indicatorDef(col); d != nil && d.Kind == "proportion" {
		return reports.ProportionInterval(est, moe, format)
	}
	return reports.Interval(est, moe, format)
}

// shortInterval is interval in a printed table's few characters
// (reports.ShortInterval): "69.6% (65.6–73.6)".
func (in *Input) shortInterval(col string, est, moe float64, format string) string {
	if d := in.indicatorDef(col); d != nil && d.Kind == "proportion" {
		return reports.ShortProportionInterval(est, moe, format)
	}
	return reports.ShortInterval(est, moe, format)
}

func (in *Input) indicatorLabel(name string) string {
	if d := in.indicatorDef(name); d != nil && d.Label != "" {
		return d.Label
	}
	return name
}

// areaIndicatorSection shows each compared indicator per area as
// "estimate ± MOE", marks unreliable values, and states which differences
// between areas are statistically significant.
func (in *Input) areaIndicatorSection(r *result.Indicators) (reports.Section, bool) {
	if len(r.Areas) == 0 {
		return reports.Section{}, false
	}
	a := in.Config.Areas[r.Area]
	sec := reports.Section{ID: "indicators", Title: "Who lives in each area, with margins of error"}
	sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf(
		"Each value is computed from the tract counts summed over the %s area, with its margin of error at %d%% confidence (ACS General Handbook, chapter 8); the whiskers on the bars show it. "+
			"Values marked * (use with caution) have a coefficient of variation of %g–%g%%; † (unreliable) above %g%%.",
		strings.ToLower(cmp.Or(a.Title, r.Area)), int(r.Confidence), in.bands().Caution, in.bands().Unreliable, in.bands().Unreliable))
	t := reports.Table{Title: "Shares by " + strings.ToLower(cmp.Or(a.Title, r.Area)) + ": the estimate and its likely range"}
	t.Header = []string{cmp.Or(a.Title, r.Area), "Tracts"}
	for _, name := range in.Config.Indicators.Compare.Indicators {
		t.Header = append(t.Header, in.indicatorLabel(name))
	}
	t.Numeric = make([]bool, len(t.Header))
	for i := 1; i < len(t.Numeric); i++ {
		t.Numeric[i] = true
	}
	for _, av := range r.Areas {
		row := []string{av.Area, fmt.Sprint(av.Tracts)}
		cells, marks := in.indicatorCells(in.Config.Indicators.Compare.Indicators, av.Values)
		t.Rows = append(t.Rows, append(row, cells...))
		t.Marks = append(t.Marks, append([]string{"", ""}, marks...))
	}
	for _, name := range in.Config.Indicators.Compare.Indicators {
		bc := &reports.BarChart{Unit: "percent", Format: func(x float64) string { return reports.Number(x, 1) }}
		for _, av := range r.Areas {
			v := av.Values[name]
			est := v.Value.Est
			if !v.Valid {
				est = math.NaN()
			}
			bc.Bars = append(bc.Bars, reports.Bar{Label: av.Area, Value: est, MOE: v.Value.MOE, Unreliable: v.Reliability == stats.Unreliable})
		}
		sec.Charts = append(sec.Charts, reports.Chart{Title: in.indicatorLabel(name), Bars: bc})
	}
	sec.Tables = append(sec.Tables, t)
	ct, sig := in.comparisonTable(r.Comparisons, "areas")
	if sig > 0 {
		sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("%d of %d differences between areas are statistically significant at the %d%% level.", sig, len(r.Comparisons), int(r.Confidence)))
	}
	sec.Tables = append(sec.Tables, ct)
	return sec, true
}

// comparisonTable lays out pairwise tests of units ("areas", or an
// interpolation's features): each pair's difference, Z and result, with
// rate differences and ratios when they were asked for, the tests that are
// not significant said in words in the note. It also returns how many are
// significant.
func (in *Input) comparisonTable(comps []result.Comparison, units string) (reports.Table, int) {
	var sig, not []string
	for _, c := range comps {
		line := fmt.Sprintf("%s: %s", in.indicatorLabel(c.Indicator), c.Statement)
		if c.Significant {
			sig = append(sig, line)
		} else {
			not = append(not, line)
		}
	}
	ct := reports.Table{Title: "Are the differences real? (two-sided Z test, ACS General Handbook, chapter 7)", Header: []string{"Measure", upperFirst(units), "Difference (points)", "Z", "Result"}, Numeric: []bool{false, false, true, true, false}}
	for _, c := range comps {
		res := "not significant"
		if c.Significant {
			res = "significant"
		}
		z := "–"
		if !math.IsNaN(c.Z) {
			z = reports.Number(c.Z, 2)
		}
		ct.Rows = append(ct.Rows, []string{in.indicatorLabel(c.Indicator), c.A + " vs " + c.B, reports.Number(c.Diff, 1), z, res})
		if c.RateDiff != nil && c.RateRatio != nil {
			row := &ct.Rows[len(ct.Rows)-1]
			*row = append(*row, reports.Number(c.RateDiff.Est, 1)+" ± "+reports.Number(c.RateDiff.MOE, 1), reports.Number(c.RateRatio.Est, 2)+"× ± "+reports.Number(c.RateRatio.MOE, 2))
		}
	}
	if len(comps) > 0 && comps[0].RateDiff != nil {
		ct.Header = append(ct.Header, "Rate difference ± MOE", "Rate ratio ± MOE")
		ct.Numeric = append(ct.Numeric, true, true)
		ct.Note = strings.TrimSpace("Rate difference: the first " + singular(units) + "'s value minus the second's; rate ratio: the first's divided by the second's; their MOEs by the ACS handbook's rules for a difference and a ratio (chapter 8). " + ct.Note)
	}
	if len(not) > 0 {
		ct.Note = strings.TrimSpace(ct.Note + " Not significant: the data do not show that these " + units + " differ; the gap may be sampling error. " + strings.Join(not, " "))
	}
	return ct, len(sig)
}

func (in *Input) bands() stats.Bands {
	return in.Config.Indicators.Options(in.Config).Bands
}

func segregationSection(sg *result.Segregation) reports.Section {
	sec := reports.Section{ID: "segregation", Title: "How separated are the groups?"}
	sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf(
		"Across %s (%d tracts), Theil's entropy index H for the groups %s is %s (0 means every tract has the mix of all these tracts together; 1 means every tract holds one group only; Reardon and Firebaugh 2002).",
		sg.Where, sg.Tracts, strings.Join(sg.Groups, ", "), reports.Number(sg.Theil, 3)))
	t := reports.Table{Title: "Index of dissimilarity (Massey and Denton 1988)", Header: []string{"Groups", "Index", "In words"}, Numeric: []bool{false, true, false}}
	for _, p := range sg.Dissimilarity {
		t.Rows = append(t.Rows, []string{p.A + " and " + p.B, reports.Number(p.Value, 3),
			fmt.Sprintf("%s%% of %s residents would have to move to another tract for the two groups to be spread alike", reports.Number(100*p.Value, 0), p.A)})
	}
	t.Note = "These indices are computed from survey estimates and carry sampling error that is not shown; read them as approximate."
	if len(sg.Dropped) > 0 {
		t.Note += fmt.Sprintf(" %d tract(s) with a missing count were left out.", len(sg.Dropped))
	}
	if len(sg.Gini) == len(sg.Dissimilarity) && len(sg.Gini) > 0 {
		t.Header = append(t.Header, "Gini")
		t.Numeric = append(t.Numeric, true)
		for i, g := range sg.Gini {
			t.Rows[i] = append(t.Rows[i], reports.Number(g.Value, 3))
		}
		t.Note += " Gini: the segregation Gini coefficient of the pair (Massey and Denton 1988), the mean difference of the tracts' group shares over its maximum; 0 is an even spread."
	}
	if len(sg.PairTheil) == len(sg.Dissimilarity) && len(sg.PairTheil) > 0 {
		t.Header = append(t.Header, "Theil's H (the two groups)")
		t.Numeric = append(t.Numeric, true)
		for i, h := range sg.PairTheil {
			t.Rows[i] = append(t.Rows[i], reports.Number(h.Value, 3))
		}
		t.Note += " Theil's H: the entropy index of the two groups alone (Reardon and Firebaugh 2002), how much less mixed the tracts are than the two groups together; 0 is the same mix in every tract, 1 each tract holding one of the two."
	}
	sec.Tables = append(sec.Tables, t)
	if len(sg.Within) > 0 {
		w := reports.Table{Title: "Within each area: the same measures among the tracts of one area", Header: []string{"Area", "Tracts", "Theil's H"}, Numeric: []bool{false, true, true}}
		for _, p := range sg.Within[0].Dissimilarity {
			w.Header = append(w.Header, "Dissimilarity "+p.A+"–"+p.B)
			w.Numeric = append(w.Numeric, true)
		}
		for _, p := range sg.Within[0].Gini {
			w.Header = append(w.Header, "Gini "+p.A+"–"+p.B)
			w.Numeric = append(w.Numeric, true)
		}
		for _, p := range sg.Within[0].PairTheil {
			w.Header = append(w.Header, "Theil's H "+p.A+"–"+p.B)
			w.Numeric = append(w.Numeric, true)
		}
		for _, a := range sg.Within {
			row := []string{a.Area, fmt.Sprint(a.Tracts), reports.Number(a.Theil, 3)}
			for _, p := range a.Dissimilarity {
				row = append(row, reports.Number(p.Value, 3))
			}
			for _, p := range a.Gini {
				row = append(row, reports.Number(p.Value, 3))
			}
			for _, p := range a.PairTheil {
				row = append(row, reports.Number(p.Value, 3))
			}
			w.Rows = append(w.Rows, row)
		}
		w.Note = "Across all the tracts, segregation is partly between the areas and partly within them; these rows measure it inside each area, against that area's own mix."
		sec.Tables = append(sec.Tables, w)
	}
	if len(sg.LQColumns) > 0 {
		var cols []string
		for _, g := range slices.Sorted(maps.Keys(sg.LQColumns)) {
			cols = append(cols, fmt.Sprintf("%s (%s)", sg.LQColumns[g], g))
		}
		sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("Location quotients, a tract's share of a group divided by the group's share across these tracts (above 1: over-represented; Isard 1960), are the tract columns %s, to map or rank.", strings.Join(cols, ", ")))
	}
	return sec
}

func (in *Input) needSection(n *result.Need) reports.Section {
	sec := reports.Section{ID: "need", Title: "Where the need is greatest"}
	var parts []string
	for _, th := range in.Config.Indicators.Need.Themes {
		var vs []string
		for _, v := range th.Variables {
			lbl := in.indicatorLabel(v.Column)
			if v.Column == "B19013_001E" {
				lbl = "median household income"
			}
			dir := "higher means more need"
			if strings.HasPrefix(v.Direction, "lower") {
				dir = "lower means more need"
			}
			vs = append(vs, fmt.Sprintf("%s (%s)", lowerFirst(lbl), dir))
		}
		parts = append(parts, fmt.Sprintf("%s: %s", th.Name, strings.Join(vs, "; ")))
	}
	how := "ranked as the CDC/ATSDR Social Vulnerability Index ranks its variables: each variable is percentile-ranked across tracts, a theme's ranks are summed and ranked again, then the themes are summed and ranked"
	if n.Method == "zscore" {
		how = "the mean of each variable's z-score, signed so that higher means more need"
	}
	sec.Paragraphs = append(sec.Paragraphs,
		fmt.Sprintf("%s is %s. %d tracts were scored; %d could not be (a variable is missing).", n.Label, how, n.Scored, n.Unscored),
		"Variables: "+strings.Join(parts, ". ")+".",
		"A rank says where a tract stands among the tracts of this table, not how much need there is; it ignores the margins of error of its inputs.")
	if len(n.Bounded) > 0 {
		sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("%d tract(s) were ranked on a top- or bottom-coded value of %s (where a median falls in the open-ended top or bottom interval, the Census publishes its edge, such as \"250,000 or more\"): their rank is a bound, not an exact place (%s).",
			len(n.Bounded), strings.Join(n.BoundedInputs, ", "), strings.Join(n.Bounded, ", ")))
	}
	return sec
}

// interpolationSection shows tract counts apportioned onto another
// boundary: one row per feature, each value with its margin of error; with
// indicators, each feature's indicators computed from its apportioned
// counts ("about 45%, likely between 40% and 50%", marked when unreliable),
// a map of the features shaded by them (interpolationMap), and with
// compare, the tests of every pair of features (comparisonTable).
func (in *Input) interpolationSection(i int, ip result.Interpolation) reports.Section {
	sec := reports.Section{ID: fmt.Sprintf("interpolated-%d", i), Title: ip.Title}
	how := "by the share of each tract's area that lies in the feature"
	if ip.Method != "area" {
		how = "by the share of each tract's people (" + strings.TrimPrefix(ip.Method, "population ") + ") who live in the feature"
	}
	sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf(
		"Tract counts apportioned onto the %s features, %s: a feature gets that share of each tract's count, which assumes the count is spread evenly (by area, or like the population). "+
			"Margins of error: the pieces of one tract are not independent samples, so the weighted MOEs of a tract's pieces are added, and the tracts' terms combined by the root of the sum of squares (ACS General Handbook 2020, chapter 8). Written to interpolated/%s.parquet.",
		ip.Onto, how, ip.Name))
	if len(ip.Indicators) > 0 {
		var labels []string
		for _, name := range ip.Indicators {
			labels = append(labels, in.indicatorLabel(name))
		}
		sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf(
			"%s: computed for each %s from its apportioned counts, as for the areas compared elsewhere in this report, with margins of error at %d%% confidence (ACS General Handbook 2020, chapter 8). "+
				"Values marked * (use with caution) have a coefficient of variation of %g–%g%%; † (unreliable) above %g%%.",
			upperFirst(joinAnd(labels)), words(ip.Onto), int(ip.Confidence), in.bands().Caution, in.bands().Unreliable, in.bands().Unreliable))
	}
	t := reports.Table{Header: append([]string{ip.Onto}, ip.Columns...), Numeric: []bool{false}}
	for range ip.Columns {
		t.Numeric = append(t.Numeric, true)
	}
	for _, name := range ip.Indicators {
		t.Header = append(t.Header, in.indicatorLabel(name))
		t.Numeric = append(t.Numeric, true)
	}
	marked := false
	for _, r := range ip.Rows {
		row := []string{r.ID}
		marks := make([]string, 1+len(ip.Columns))
		for k, v := range r.Values {
			switch {
			case !r.Valid[k]:
				row = append(row, "–")
			case math.IsNaN(v.MOE):
				row = append(row, reports.Number(v.Est, 0))
			default:
				row = append(row, reports.Number(v.Est, 0)+" ± "+reports.Number(v.MOE, 0))
			}
		}
		cells, imarks := in.indicatorCells(ip.Indicators, r.Indicators)
		t.Rows = append(t.Rows, append(row, cells...))
		marks = append(marks, imarks...)
		if len(ip.Indicators) > 0 {
			t.Marks = append(t.Marks, marks)
			marked = true
		}
	}
	t.Note = "– : a tract that feeds this feature has no value."
	if marked {
		t.Note += " n/a: the indicator cannot be computed for the feature (a count it needs is missing, or its denominator is 0)."
	}
	if m, ok := in.interpolationMap(i, ip); ok {
		sec.Map = m
	}
	sec.Tables = append(sec.Tables, t)
	if len(ip.Comparisons) > 0 {
		ct, sig := in.comparisonTable(ip.Comparisons, words(ip.Onto)+"s")
		sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("%d of %d differences between %ss are statistically significant at the %d%% level. "+
			"Two %ss that share a tract are not independent samples, as the test assumes: their counts move together, so for counts the test overstates the margin of their difference (it calls fewer differences significant than it could).",
			sig, len(ip.Comparisons), words(ip.Onto), int(ip.Confidence), words(ip.Onto)))
		sec.Tables = append(sec.Tables, ct)
	}
	return sec
}

// indicatorCells writes the values of the indicators names as table cells
// ("about 18.5%, likely between 17.0% and 20.0%", "n/a" when there is
// none), with each cell's reliability mark.
func (in *Input) indicatorCells(names []string, vals map[string]result.AreaValue) (cells, marks []string) {
	for _, name := range names {
		v := vals[name]
		marks = append(marks, reliabilityMark(v.Reliability))
		if !v.Valid {
			cells = append(cells, "n/a")
			continue
		}
		format, k := indicatorFormat(in.indicatorDef(name))
		cells = append(cells, in.interval(name, v.Value.Est/k, v.Value.MOE/k, format))
	}
	return cells, marks
}

// reliabilityMark is a table cell's mark for a reliability band.
func reliabilityMark(r stats.Reliability) string {
	switch r {
	case stats.Caution:
		return "caution"
	case stats.Unreliable:
		return "unreliable"
	}
	return ""
}

// interpolationMap draws the features of an interpolation shaded by its
// indicators (one to switch between per indicator), in classes by the
// interpolation's breaks (quantile unless it says otherwise),
// hatched where the value is too uncertain to use, each feature named and
// findable. It returns false when the interpolation has no indicators or
// its boundary is not loaded. Counts are not mapped: a choropleth of counts
// misleads (a larger feature holds more people).
func (in *Input) interpolationMap(i int, ip result.Interpolation) (*reports.SectionMap, bool) {
	layer := in.Layers[ip.Onto]
	if len(ip.Indicators) == 0 || layer == nil {
		return nil, false
	}
	m := &svgmap.Map{ID: fmt.Sprintf("map-interpolated-%d", i), Width: 900, Title: ip.Title, MaxPathBytes: 1 << 20}
	row := map[string]int{}
	for k, r := range ip.Rows {
		row[r.ID] = k
	}
	var area string // the area definition on this boundary, for the tooltips
	for _, a := range slices.Sorted(maps.Keys(in.Config.Areas)) {
		if in.Config.Areas[a].Boundary == ip.Onto && area == "" {
			area = a
		}
	}
	for _, name := range ip.Indicators {
		f, k := indicatorFormat(in.indicatorDef(name))
		m.Indicators = append(m.Indicators, svgmap.Indicator{Title: in.indicatorLabel(name),
			Format:   func(x float64) string { return reports.Rounded(x/k, 0, f) },
			Interval: func(est, moe float64) string { return in.interval(name, est/k, moe/k, f) }})
	}
	for _, feat := range layer.Features {
		r, ok := row[feat.ID]
		if !ok {
			continue
		}
		sh := svgmap.Shape{ID: feat.ID, Name: feat.ID, Detail: in.AreaOf[area][feat.ID], Geom: feat.Geom}
		for _, name := range ip.Indicators {
			v := ip.Rows[r].Indicators[name]
			sv := svgmap.Value{Estimate: v.Value.Est, Valid: v.Valid, Note: v.Note}
			if v.Valid && !math.IsNaN(v.Value.MOE) {
				sv.MOE = v.Value.MOE
				sv.Reliability = reports.ReliabilityWord(string(v.Reliability))
				sv.Unreliable = v.Reliability == stats.Unreliable
			}
			sh.Values = append(sh.Values, sv)
		}
		m.Shapes = append(m.Shapes, sh)
	}
	what := words(ip.Onto) + "s"
	breaks := ""
	for _, c := range in.Config.Interpolate {
		if c.Name == ip.Name {
			breaks = c.Breaks
		}
	}
	var notes []string
	for k := range m.Indicators {
		classes := classify(&m.Indicators[k], &config.Shade{Breaks: breaks}, m.Shapes, k, what)
		if k == 0 {
			notes = append(notes, fmt.Sprintf("%s shaded by %s in %s, each value computed from the tract counts apportioned onto it.", upperFirst(what), lowerFirst(m.Indicators[k].Title), classes))
		}
	}
	if len(m.Indicators) > 1 {
		notes = append(notes, fmt.Sprintf("Pick what the %s show in the menu above the legend.", what))
	}
	notes = append(notes, "Albers equal-area projection. Hover or tap a shape for its value and margin of error.")
	return &reports.SectionMap{SVG: svgmap.Render(m), Legend: svgmap.Legend(m), Note: strings.Join(notes, " ")}, true
}
