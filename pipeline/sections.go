package pipeline

import (
	"fmt"
	"math"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/reports"
)

// sections returns the report sections beyond the area tables: indicators
// with their margins of error, area comparisons, segregation measures, and
// the outreach, listening and turnout summaries, in that order.
func (st *state) sections() []reports.Section {
	var out []reports.Section
	if r := st.indicators; r != nil {
		if s, ok := st.areaIndicatorSection(r); ok {
			out = append(out, s)
		}
		if sg := r.Segregation; sg != nil {
			out = append(out, segregationSection(sg))
		}
		if n := r.Need; n != nil {
			out = append(out, st.needSection(n))
		}
	}
	return out
}

func (st *state) indicatorDef(name string) *IndicatorDef {
	for _, d := range st.cfg.Indicators.Define {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func (st *state) indicatorLabel(name string) string {
	if d := st.indicatorDef(name); d != nil && d.Label != "" {
		return d.Label
	}
	return name
}

// areaIndicatorSection shows each compared indicator per area as
// "estimate ± MOE", marks unreliable values, and states which differences
// between areas are statistically significant.
func (st *state) areaIndicatorSection(r *IndicatorResults) (reports.Section, bool) {
	if len(r.Areas) == 0 {
		return reports.Section{}, false
	}
	a := st.cfg.Areas[r.Area]
	sec := reports.Section{ID: "indicators", Title: "Who lives in each area, with margins of error"}
	sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf(
		"Each value is computed from the tract counts summed over the %s area, with its margin of error at %d%% confidence (ACS General Handbook, chapter 8). "+
			"Values marked “use with caution” have a coefficient of variation of %g–%g%%; “unreliable” ones above %g%%.",
		strings.ToLower(labelOr(a.Title, r.Area)), int(r.Confidence), st.bands().Caution, st.bands().Unreliable, st.bands().Unreliable))
	t := reports.Table{Title: "Shares by " + strings.ToLower(labelOr(a.Title, r.Area)) + " (percent ± margin of error)"}
	t.Header = []string{labelOr(a.Title, r.Area), "Tracts"}
	for _, name := range st.cfg.Indicators.Compare.Indicators {
		t.Header = append(t.Header, st.indicatorLabel(name))
	}
	t.Numeric = make([]bool, len(t.Header))
	for i := 1; i < len(t.Numeric); i++ {
		t.Numeric[i] = true
	}
	for _, av := range r.Areas {
		row := []string{av.Area, fmt.Sprint(av.Tracts)}
		for _, name := range st.cfg.Indicators.Compare.Indicators {
			v := av.Values[name]
			if !v.Valid {
				row = append(row, "n/a")
				continue
			}
			cell := indicator.FormatValue(v.Value.Est, v.Value.MOE, 1)
			switch v.Reliability {
			case stats.Caution:
				cell += " (use with caution)"
			case stats.Unreliable:
				cell += " (unreliable)"
			}
			row = append(row, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	sec.Tables = append(sec.Tables, t)
	var sig, not []string
	for _, c := range r.Comparisons {
		line := fmt.Sprintf("%s: %s", st.indicatorLabel(c.Indicator), c.Statement)
		if c.Significant {
			sig = append(sig, line)
		} else {
			not = append(not, line)
		}
	}
	if len(sig) > 0 {
		sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("%d of %d differences between areas are statistically significant at the %d%% level.", len(sig), len(r.Comparisons), int(r.Confidence)))
	}
	ct := reports.Table{Title: "Are the differences real? (two-sided Z test, ACS General Handbook, chapter 7)", Header: []string{"Measure", "Areas", "Difference (points)", "Z", "Result"}, Numeric: []bool{false, false, true, true, false}}
	for _, c := range r.Comparisons {
		res := "not significant"
		if c.Significant {
			res = "significant"
		}
		z := "–"
		if !math.IsNaN(c.Z) {
			z = reports.Number(c.Z, 2)
		}
		ct.Rows = append(ct.Rows, []string{st.indicatorLabel(c.Indicator), c.A + " vs " + c.B, reports.Number(c.Diff, 1), z, res})
	}
	if len(not) > 0 {
		ct.Note = "Not significant: the data do not show that these areas differ; the gap may be sampling error. " + strings.Join(not, " ")
	}
	sec.Tables = append(sec.Tables, ct)
	return sec, true
}

func (st *state) bands() stats.Bands {
	return st.cfg.Indicators.options(st.cfg).Bands
}

func segregationSection(sg *SegregationResult) reports.Section {
	sec := reports.Section{ID: "segregation", Title: "How separated are the groups?"}
	sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf(
		"Across %s (%d tracts), Theil's entropy index H for the groups %s is %s (0 means every tract has the city's mix; 1 means every tract holds one group only; Reardon and Firebaugh 2002).",
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
	sec.Tables = append(sec.Tables, t)
	return sec
}

func (st *state) needSection(n *NeedResult) reports.Section {
	sec := reports.Section{ID: "need", Title: "Where the need is greatest"}
	var parts []string
	for _, th := range st.cfg.Indicators.Need.Themes {
		var vs []string
		for _, v := range th.Variables {
			lbl := st.indicatorLabel(v.Column)
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
	return sec
}
