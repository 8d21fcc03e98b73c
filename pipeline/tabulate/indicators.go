package tabulate

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// indicatorRun evaluates the indicators on a tracts table.
type indicatorRun struct {
	cfg        *config.Config
	tracts     *frame.Table
	warn       func(format string, args ...any)
	indicators *result.Indicators
	notCounts  map[string]string
}

// Indicators evaluates cfg's indicators on every tract of tracts, adding
// the <name>, _moe, _cv, _reliability and _note columns to it; compares the
// areas from summed tract counts; measures segregation; and scores the need
// index (a column too). Data conditions that leave values out (a missing
// MOE, a tract without a count) are reported through warn. notCounts names
// the variables the Census metadata says are not counts, with the reason
// (result.Source.NotCounts); they are refused in sums and proportions on
// top of those the configuration knows from the variable codes.
// cfg.Indicators must not be nil.
func Indicators(cfg *config.Config, tracts *frame.Table, notCounts map[string]string, warn func(format string, args ...any)) (*result.Indicators, error) {
	st := &indicatorRun{cfg: cfg, tracts: tracts, warn: warn, notCounts: notCounts}
	err := st.evalIndicators(cfg.Indicators)
	return st.indicators, err
}

func (st *indicatorRun) evalIndicators(ind *config.Indicators) error {
	opts := ind.Options(st.cfg)
	for v, why := range st.notCounts {
		opts.NotSummable[v], opts.Reasons[v] = true, why // the metadata's reason replaces the code's
	}
	res := &result.Indicators{Confidence: opts.Confidence, Defs: ind.Define}
	st.indicators = res
	compiled := map[string]*indicator.Indicator{}
	for _, d := range ind.Define {
		rec, err := st.tracts.Record(nil)
		if err != nil {
			return err
		}
		spec, _ := d.Spec()
		ci, err := indicator.Compile(spec, st.tracts.Cols(), opts)
		if err != nil {
			rec.Release()
			return err
		}
		compiled[d.Name] = ci
		r, err := ci.Evaluate(rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("%s: %w", d.Name, err)
		}
		for _, col := range r.Columns() {
			if err := st.tracts.PutCol(col); err != nil {
				return fmt.Errorf("%s: %w", d.Name, err)
			}
		}
		for _, w := range r.Warnings {
			st.warn("indicator %s", w)
		}
		if miss := ci.MissingMOE(); len(miss) > 0 {
			st.warn("indicator %s: no margin of error for %s, so its MOE and reliability are unknown", d.Name, strings.Join(miss, ", "))
		}
	}
	if cmp := ind.Compare; cmp != nil {
		if err := st.compareAreas(res, cmp, compiled, opts); err != nil {
			return err
		}
	}
	if sg := ind.Segregation; sg != nil {
		r, err := st.segregation(sg)
		if err != nil {
			return err
		}
		res.Segregation = r
	}
	if n := ind.Need; n != nil {
		res.Need = st.need(n)
	}
	return nil
}

// compareAreas sums the tract counts each compared indicator needs into the
// areas, evaluates the indicator on the sums, and tests every pair of areas.
func (st *indicatorRun) compareAreas(res *result.Indicators, cmp *config.AreaCompare, compiled map[string]*indicator.Indicator, opts indicator.Options) error {
	res.Area = cmp.Area
	labels := make([]string, st.tracts.Len())
	for i := range labels {
		labels[i] = st.tracts.Str(i, cmp.Area)
	}
	areas, comparisons, err := compareGroups(st.cfg, st.tracts, labels, st.cfg.Areas[cmp.Area].Order, cmp.Indicators, compiled, opts, cmp.Disparities)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	res.Areas, res.Comparisons = areas, comparisons
	return nil
}

// CompareGroups sums the tract counts that the defined indicators names
// need into groups of tracts (labels[i] is the group of tracts row i, ""
// for none; order gives the groups' order, and a group of order with no
// tract is left out), evaluates each indicator on the sums, with its MOE
// by the ACS General Handbook's rules (2020, ch. 8), and tests every pair
// of groups (stats.Compare), as the comparison of indicators.compare does
// for areas. Values are in the groups' order, Comparisons in the order of
// the definitions (indicators.define). notCounts are the tract source's
// variables that are not counts (result.Source.NotCounts; may be nil); an
// indicator that sums one of them is an error. cfg.Indicators must not be
// nil.
func CompareGroups(cfg *config.Config, tracts *frame.Table, labels, order, names []string, notCounts map[string]string) ([]result.AreaValues, []result.Comparison, error) {
	opts := cfg.Indicators.Options(cfg)
	for v, why := range notCounts {
		opts.NotSummable[v], opts.Reasons[v] = true, why
	}
	compiled := map[string]*indicator.Indicator{}
	for _, d := range cfg.Indicators.Define {
		if !slices.Contains(names, d.Name) {
			continue
		}
		spec, err := d.Spec()
		if err != nil {
			return nil, nil, err
		}
		ci, err := indicator.Compile(spec, tracts.Cols(), opts)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		compiled[d.Name] = ci
	}
	return compareGroups(cfg, tracts, labels, order, names, compiled, opts, false)
}

// compareGroups is CompareGroups with the indicators compiled on the tracts'
// columns (compiled holds every one of names) and, with disparities, each
// pair's rate difference and ratio.
func compareGroups(cfg *config.Config, tracts *frame.Table, labels, order, names []string, compiled map[string]*indicator.Indicator, opts indicator.Options, disparities bool) ([]result.AreaValues, []result.Comparison, error) {
	var vars []string
	seen := map[string]bool{}
	for _, name := range names {
		for _, in := range compiled[name].Inputs() {
			if strings.HasSuffix(in, "E") && !seen[in] {
				seen[in] = true
				vars = append(vars, in)
			}
		}
	}
	rec, err := tracts.Record(nil)
	if err != nil {
		return nil, nil, err
	}
	defer rec.Release()
	agg, err := indicator.Aggregate(rec, labels, order, vars, opts.NotSummable, opts.Reasons)
	if err != nil {
		return nil, nil, err
	}
	defer agg.Release()
	aggArea, _, _ := table.Strings(agg, indicator.AreaColumn)
	units, _, _ := table.Floats(agg, indicator.UnitsColumn)
	rowOf := map[string]int{}
	for i, a := range aggArea {
		rowOf[a] = i
	}
	var aggCols []string
	for _, f := range agg.Schema().Fields() {
		aggCols = append(aggCols, f.Name)
	}
	var areas []result.AreaValues
	for _, a := range order {
		if _, ok := rowOf[a]; !ok {
			continue
		}
		areas = append(areas, result.AreaValues{Area: a, Tracts: int(units[rowOf[a]]), Values: map[string]result.AreaValue{}})
	}
	var comparisons []result.Comparison
	for _, d := range cfg.Indicators.Define {
		if !slices.Contains(names, d.Name) {
			continue
		}
		spec, _ := d.Spec()
		ci, err := indicator.Compile(spec, aggCols, opts)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		r, err := ci.Evaluate(agg)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		var groups []string
		var vals []stats.Value
		for k := range areas {
			i := rowOf[areas[k].Area]
			v := result.AreaValue{Value: stats.Value{Est: r.Est[i], MOE: r.MOE[i]}, Valid: r.Valid[i], CV: r.CV[i], Reliability: r.Reliability[i], Note: r.Note[i]}
			areas[k].Values[d.Name] = v
			groups = append(groups, areas[k].Area)
			vals = append(vals, v.Value)
		}
		comparisons = append(comparisons, pairwiseTests(d.Name, groups, vals, r.Confidence, disparities)...)
	}
	return areas, comparisons, nil
}

// pairwiseTests tests indicator's values vals of the units names (areas,
// or the features of an interpolation) pair by pair, in order (the first
// with each later one, then the second...), with stats.Compare at
// confidence c; with disparities, each pair also gets its rate difference
// and rate ratio with their MOEs.
func pairwiseTests(indicator string, names []string, vals []stats.Value, c stats.Confidence, disparities bool) []result.Comparison {
	var out []result.Comparison
	for _, pc := range stats.ComparePairs(names, vals, c) {
		rc := result.Comparison{Indicator: indicator, A: names[pc.A], B: names[pc.B], Comparison: pc.Comparison}
		if disparities {
			diff, ratio := stats.RateDifference(vals[pc.A], vals[pc.B]), stats.RateRatio(vals[pc.A], vals[pc.B])
			rc.RateDiff, rc.RateRatio = &diff, &ratio
		}
		out = append(out, rc)
	}
	return out
}

// segregation computes the multigroup Theil index and the pairwise
// dissimilarity indices across the tracts (in an area of sg.Area when set).
func (st *indicatorRun) segregation(sg *config.Segregation) (*result.Segregation, error) {
	var idx []int
	for i := range st.tracts.Len() {
		if sg.Area != "" && st.tracts.Get(i, sg.Area) == nil {
			continue
		}
		idx = append(idx, i)
	}
	sub := st.tracts.Subset(idx)
	rec, err := sub.Record(nil)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	var cols, gnames []string
	for _, g := range sg.Groups {
		cols, gnames = append(cols, g.Column), append(gnames, g.Name)
	}
	if sg.Total != "" {
		cols = append(cols, sg.Total)
	}
	counts, kept, dropped, err := indicator.GroupCounts(rec, cols)
	if err != nil {
		return nil, fmt.Errorf("segregation: %w", err)
	}
	res := &result.Segregation{Groups: gnames}
	if sg.Total != "" {
		res.Groups = append(res.Groups, "Other")
		for i, c := range counts {
			total := c[len(c)-1]
			other := total
			for _, x := range c[:len(c)-1] {
				other -= x
			}
			counts[i][len(c)-1] = math.Max(0, other)
		}
	}
	for _, i := range dropped {
		res.Dropped = append(res.Dropped, sub.Str(i, table.GEOID))
	}
	res.Tracts = len(counts)
	m := measures(counts, res.Groups, sg)
	res.Theil, res.Dissimilarity, res.Gini, res.PairTheil = m.Theil, m.Dissimilarity, m.Gini, m.PairTheil
	if sg.Within && sg.Area != "" {
		byArea := map[string][]int{}
		for i := range counts {
			if v, ok := sub.Get(kept[i], sg.Area).(string); ok {
				byArea[v] = append(byArea[v], i)
			}
		}
		for _, a := range areaOrder(st.cfg.Areas[sg.Area], byArea) {
			part := make([][]float64, len(byArea[a]))
			for k, i := range byArea[a] {
				part[k] = counts[i]
			}
			w := measures(part, res.Groups, sg)
			w.Area, w.Tracts = a, len(part)
			res.Within = append(res.Within, w)
		}
	}
	if len(sg.LocationQuotients) > 0 {
		res.LQColumns = map[string]string{}
		total := make([]float64, len(counts))
		for i, c := range counts {
			for _, x := range c {
				total[i] += x
			}
		}
		for _, g := range sg.LocationQuotients {
			j := slices.Index(res.Groups, g)
			if j < 0 {
				return nil, fmt.Errorf("segregation: location_quotients: no group %q", g)
			}
			x := make([]float64, len(counts))
			for i, c := range counts {
				x[i] = c[j]
			}
			lq := stats.LocationQuotients(x, total)
			name := config.LQColumn(g)
			st.tracts.AddCol(name, table.Float)
			for i, v := range lq {
				if !math.IsNaN(v) {
					st.tracts.Set(idx[kept[i]], name, v)
				}
			}
			res.LQColumns[g] = name
		}
	}
	res.Where = "all tracts"
	if sg.Area != "" {
		res.Where = fmt.Sprintf("the tracts assigned to a %s area", lowerFirst(cmp.Or(st.cfg.Areas[sg.Area].Title, sg.Area)))
	}
	if len(res.Dropped) > 0 {
		st.warn("segregation: %d tract(s) left out for a missing count: %s", len(res.Dropped), notes.List(res.Dropped, 0))
	}
	return res, nil
}

// need scores the composite need index per tract and adds it as a column.
func (st *indicatorRun) need(n *config.Need) *result.Need {
	var themes []stats.Theme
	var all []stats.Variable
	for _, th := range n.Themes {
		t := stats.Theme{Name: th.Name}
		for _, v := range th.Variables {
			dir, _ := stats.ParseDirection(v.Direction)
			vals := make([]float64, st.tracts.Len())
			for i := range vals {
				x, ok := frame.ToFloat(st.tracts.Get(i, v.Column))
				if !ok {
					x = math.NaN()
				}
				vals[i] = x
			}
			sv := stats.Variable{Name: v.Column, Values: vals, Dir: dir, Flagged: st.coded(v.Column)}
			t.Vars = append(t.Vars, sv)
			all = append(all, sv)
		}
		themes = append(themes, t)
	}
	var score []float64
	method := n.Method
	if method == "" {
		method = "percentile"
	}
	flagged := make([]bool, st.tracts.Len())
	if method == "zscore" {
		score = stats.ZComposite(all)
		for _, v := range all {
			for i, f := range v.Flagged {
				flagged[i] = flagged[i] || f
			}
		}
	} else {
		r := stats.SVIComposite(themes)
		score, flagged = r.Rank, r.Flagged
	}
	res := &result.Need{Name: n.Name, Label: cmp.Or(n.Label, n.Name), Method: method}
	for i, f := range flagged {
		if f && !math.IsNaN(score[i]) {
			res.Bounded = append(res.Bounded, frame.Cell(st.tracts.Get(i, table.GEOID)))
		}
	}
	for _, v := range all {
		if slices.Contains(v.Flagged, true) {
			res.BoundedInputs = append(res.BoundedInputs, v.Name)
		}
	}
	st.tracts.AddCol(n.Name, table.Float)
	for i := range st.tracts.Len() {
		if math.IsNaN(score[i]) {
			res.Unscored++
			continue
		}
		st.tracts.SetFloat(i, n.Name, score[i])
		res.Scored++
	}
	if res.Unscored > 0 {
		st.warn("need index %s: %d tract(s) not scored because a variable is missing", n.Name, res.Unscored)
	}
	return res
}

// measures computes Theil's H over the tracts' group counts and, for each
// configured pair, the index of dissimilarity and (when asked) the
// segregation Gini and the pair's two-group Theil's H; Area and Tracts are
// left for the caller.
func measures(counts [][]float64, groups []string, sg *config.Segregation) result.AreaSegregation {
	col := func(name string) []float64 {
		j := slices.Index(groups, name)
		out := make([]float64, len(counts))
		for i, c := range counts {
			out[i] = c[j]
		}
		return out
	}
	m := result.AreaSegregation{Theil: stats.Theil(counts)}
	for _, p := range sg.Pairs {
		a, b := col(p[0]), col(p[1])
		m.Dissimilarity = append(m.Dissimilarity, result.PairIndex{A: p[0], B: p[1], Value: stats.Dissimilarity(a, b)})
		if sg.Gini {
			m.Gini = append(m.Gini, result.PairIndex{A: p[0], B: p[1], Value: stats.GiniSegregation(a, b)})
		}
		if sg.PairTheil {
			m.PairTheil = append(m.PairTheil, result.PairIndex{A: p[0], B: p[1], Value: stats.TheilTwoGroup(a, b)})
		}
	}
	return m
}

// areaOrder lists the areas present in the area definition's order, then
// any other in name order.
func areaOrder(a *config.Area, present map[string][]int) []string {
	var out []string
	for _, o := range a.Order {
		if _, ok := present[o]; ok {
			out = append(out, o)
		}
	}
	rest := slices.Sorted(maps.Keys(present))
	for _, r := range rest {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// coded returns, per tract, whether column's value is a bound rather than
// an estimate: a top- or bottom-coded Census median, or an indicator
// computed from one (indicator.NoteBound on the <column>_note column). It
// returns nil when the column has no note column.
func (st *indicatorRun) coded(column string) []bool {
	nc := column + table.NoteSuffix
	if !slices.Contains(st.tracts.Cols(), nc) {
		return nil
	}
	out := make([]bool, st.tracts.Len())
	for i := range out {
		if s, ok := st.tracts.Get(i, nc).(string); ok {
			out[i] = indicator.NoteBound(s) != indicator.Exact
		}
	}
	return out
}

// lowerFirst lower-cases a title's first letter for use inside a sentence,
// unless it starts an acronym or a name in capitals ("DeKalb" stays).
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) < 2 || unicode.IsUpper(r[1]) {
		return s
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
