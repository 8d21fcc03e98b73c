package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/reports"
	"github.com/groundwork-org/groundwork/reports/svgmap"
)

// mapSVG draws tracts shaded by a column (see shadeTracts), area outlines,
// and places as circles.
func (in *Input) mapSVG(mc *config.MapConfig) (svg, legend, note string) {
	m := &svgmap.Map{ID: "map", Width: 900, Title: in.Config.Report.Title, MaxPathBytes: 1 << 20}
	var notes []string
	var shades []*config.Shade
	if mc.Shade != nil {
		shades = append(shades, mc.Shade)
	}
	shades = append(shades, mc.Shades...)
	if len(shades) > 0 && in.Tracts != nil {
		limit := mc.MaxTracts
		if limit == 0 {
			limit = config.DefaultMaxMapTracts
		}
		m.Shapes, m.Indicators, notes = in.shadeTracts(shades, limit)
	}
	if mc.Outline != "" {
		a := in.Config.Areas[mc.Outline]
		layer := in.Layers[a.Boundary]
		groups := map[string][]orb.MultiPolygon{}
		for _, f := range layer.Features {
			if v, ok := in.AreaOf[mc.Outline][f.ID]; ok {
				groups[v] = append(groups[v], f.Geom)
			}
		}
		order := append([]string{}, a.Order...)
		for _, k := range slices.Sorted(maps.Keys(groups)) {
			if !slices.Contains(order, k) {
				order = append(order, k)
			}
		}
		for _, name := range order {
			if len(groups[name]) == 0 {
				continue
			}
			m.Outlines = append(m.Outlines, svgmap.Outline{Label: name, Geom: groups[name]})
		}
		// each boundary feature (a neighborhood) can be found by name
		for _, f := range layer.Features {
			name := f.ID
			if v, ok := in.AreaOf[mc.Outline][f.ID]; ok {
				name += " (" + v + ")"
			}
			m.Findable = append(m.Findable, svgmap.Findable{Name: name, Geom: f.Geom})
		}
		notes = append(notes, fmt.Sprintf("Coloured outlines: the %s areas, drawn around their %s.", lowerFirst(a.Title), a.Boundary))
	}
	if pm := mc.Points; pm != nil {
		r := in.Places[pm.Of]
		pl := in.Config.Places[pm.Of]
		var cols []float64
		for i := range r.Len() {
			lon, _ := frame.ToFloat(r.Get(i, "lon"))
			lat, _ := frame.ToFloat(r.Get(i, "lat"))
			size, _ := frame.ToFloat(r.Get(i, pm.Size))
			col, okc := frame.ToFloat(r.Get(i, pm.Color))
			if okc {
				cols = append(cols, col)
			}
			name, _ := r.Get(i, pl.Name).(string)
			tip := name
			if mc.Outline != "" {
				var where []string
				for _, col := range []string{mc.Outline, in.Config.Areas[mc.Outline].Boundary} {
					if v, _ := r.Get(i, col).(string); v != "" {
						where = append(where, v)
					}
				}
				if len(where) > 0 {
					tip += "\n" + strings.Join(where, " · ")
				}
			}
			if pm.Size != "" {
				tip += fmt.Sprintf("\n%s: %s", cmp.Or(pm.SizeLabel, pm.Size), frame.Cell(r.Get(i, pm.Size)))
			}
			if pm.Color != "" {
				tip += fmt.Sprintf("\n%s: %s", cmp.Or(pm.ColorLabel, pm.Color), frame.Cell(r.Get(i, pm.Color)))
			}
			m.Points = append(m.Points, svgmap.Point{Name: name, Pos: orb.Point{lon, lat}, Size: size, Color: col, Valid: okc, Tip: tip})
		}
		m.ColorBreaks = classBreaks(cols, len(svgmap.PointPalette), config.BreaksQuantile)
		note := "Circles: " + cmp.Or(pl.Title, pm.Of)
		var shows []string
		if pm.Size != "" {
			m.SizeTitle = cmp.Or(pm.SizeLabel, pm.Size)
			shows = append(shows, "area proportional to "+lowerFirst(m.SizeTitle))
		}
		if pm.Color != "" {
			m.ColorTitle = cmp.Or(pm.ColorLabel, pm.Color) + " (quartiles of the " + words(pm.Of) + " shown)"
			shows = append(shows, "colour by "+lowerFirst(cmp.Or(pm.ColorLabel, pm.Color)))
		}
		if len(shows) > 0 {
			note += "; " + strings.Join(shows, ", ")
		}
		notes = append(notes, note+".")
	}
	notes = append(notes, "Albers equal-area projection. Hover or tap a shape or circle for its values.")
	// Frame the map on the places and outlined areas when there are any, so
	// a county-wide tract layer does not shrink a city to a corner.
	m.FrameOnOverlays(0.005)
	return svgmap.Render(m), svgmap.Legend(m), strings.Join(notes, " ")
}

// charts returns the charts that go with the map: for each summary by the
// outlined area alone, a bar per area of its first measure's median; and,
// when the map has circles and outlined areas, a scatter of the circles'
// colour value against their size, coloured by area as the outlines are.
func (in *Input) charts(mc *config.MapConfig) []reports.Chart {
	var out []reports.Chart
	if mc.Outline == "" {
		return nil
	}
	a := in.Config.Areas[mc.Outline]
	for _, s := range in.Summaries {
		if len(s.By) != 1 || s.Area != mc.Outline || len(s.Measures) == 0 {
			continue
		}
		m := s.Measures[0]
		bc := &reports.BarChart{Format: func(x float64) string { return reports.Format(x, m.Format) }}
		for _, g := range s.Groups {
			bc.Bars = append(bc.Bars, reports.Bar{Label: g.Labels[0], Value: g.Stats[m.Column].Median})
		}
		bc.Unit = "Median over the records in each area (count in the table below); a median of medians carries no margin of error, so no whiskers are drawn"
		out = append(out, reports.Chart{Title: fmt.Sprintf("%s, median by %s", measureLabel(m), strings.ToLower(cmp.Or(a.Title, mc.Outline))), Bars: bc})
	}
	pm := mc.Points
	if pm == nil || pm.Size == "" || pm.Color == "" {
		return out
	}
	order := append([]string{}, a.Order...)
	for _, k := range slices.Sorted(maps.Keys(in.AreaOf[mc.Outline])) {
		if v := in.AreaOf[mc.Outline][k]; !slices.Contains(order, v) {
			order = append(order, v)
		}
	}
	sc := &reports.Scatter{XTitle: cmp.Or(pm.SizeLabel, pm.Size), YTitle: cmp.Or(pm.ColorLabel, pm.Color)}
	colour := map[string]string{}
	for i, name := range order {
		colour[name] = svgmap.OutlinePalette[i%len(svgmap.OutlinePalette)]
	}
	seen := map[string]bool{}
	pl := in.Config.Places[pm.Of]
	r := in.Places[pm.Of]
	for i := range r.Len() {
		x, okx := frame.ToFloat(r.Get(i, pm.Size))
		y, oky := frame.ToFloat(r.Get(i, pm.Color))
		if !okx || !oky {
			continue
		}
		area, _ := r.Get(i, mc.Outline).(string)
		if colour[area] == "" {
			area = "outside the areas"
			colour[area] = "#999999"
		}
		seen[area] = true
		name, _ := r.Get(i, pl.Name).(string)
		sc.Points = append(sc.Points, reports.ScatterPoint{Label: name, X: x, Y: y, Group: area})
	}
	for _, name := range append(order, "outside the areas") {
		if seen[name] {
			sc.Groups = append(sc.Groups, reports.Group{Name: name, Color: colour[name]})
		}
	}
	out = append(out, reports.Chart{
		Title:   fmt.Sprintf("%s against %s", cmp.Or(pm.ColorLabel, pm.Color), lowerFirst(cmp.Or(pm.SizeLabel, pm.Size))),
		Note:    fmt.Sprintf("Each dot is one of the %s with both values, coloured by %s as on the map.", cmp.Or(pl.Title, pm.Of), strings.ToLower(cmp.Or(a.Title, mc.Outline))),
		Scatter: sc,
	})
	return out
}

// shadeTracts builds the tract shapes with one indicator per shade, the
// first shown; with several, the reader switches between them in the
// report. The shaded column's margin of error is the column of the same
// name ending in M instead of E (Census convention, B19013_001E and
// B19013_001M) when the tracts have it; the reliability band then follows
// the coefficient of variation (stats.CV at 90%, stats.DefaultBands) and
// unreliable tracts are hatched.
func (in *Input) shadeTracts(shades []*config.Shade, maxTracts int) ([]svgmap.Shape, []svgmap.Indicator, []string) {
	layer := in.Layers[in.Config.Tracts.Boundary]
	byID := make(map[string]int, len(layer.Features))
	for i, f := range layer.Features {
		byID[f.ID] = i
	}
	var shapes []svgmap.Shape
	var inds []svgmap.Indicator
	var notes []string
	var unrel []int // unreliable shapes per shade
	rowOf := make(map[string]int, in.Tracts.Len())
	// A map of more than maxTracts tracts shows their counties instead.
	// The counties' geometry needs no values: dissolve them (on every
	// core) while this goroutine reads the values.
	var early chan *counties
	if len(shades) > 0 {
		var ids []string
		var geoms []orb.MultiPolygon
		for i := range in.Tracts.Len() {
			id, _ := in.Tracts.Get(i, "geoid").(string)
			if fi, ok := byID[id]; ok {
				ids = append(ids, id)
				geoms = append(geoms, layer.Features[fi].Geom)
			}
		}
		if len(ids) > maxTracts {
			early = make(chan *counties, 1)
			go func() {
				cg, _ := dissolveCounties(ids, geoms) // nil when the IDs are not tract GEOIDs
				early <- cg
			}()
		}
	}
	for k, sh := range shades {
		f, div := in.columnFormat(sh.Column, map[string]string{sh.Column: sh.Format})
		format := func(x float64) string { return reports.Rounded(x/div, 0, f) }
		ind := svgmap.Indicator{Title: cmp.Or(sh.Label, sh.Column), Format: format,
			Interval: func(est, moe float64) string { return in.interval(sh.Column, est/div, moe/div, f) }}
		moeCol := ""
		switch {
		case in.Tracts.Types()[sh.Column+indicator.MOESuffix] == table.Float && slices.Contains(in.Tracts.Cols(), sh.Column+indicator.MOESuffix):
			moeCol = sh.Column + indicator.MOESuffix // a derived indicator's MOE
		case strings.HasSuffix(sh.Column, "E"):
			moeCol = strings.TrimSuffix(sh.Column, "E") + "M"
		}
		unreliable := 0
		for i := range in.Tracts.Len() {
			id, _ := in.Tracts.Get(i, "geoid").(string)
			fi, ok := byID[id]
			if !ok {
				continue
			}
			est, valid := frame.ToFloat(in.Tracts.Get(i, sh.Column))
			v := svgmap.Value{Estimate: est, Valid: valid}
			if reason, ok := in.Tracts.Get(i, sh.Column+"_note").(string); ok {
				v.Note = reason
			}
			if moe, ok := frame.ToFloat(in.Tracts.Get(i, moeCol)); ok && valid && moeCol != "" {
				v.MOE = moe
				band := stats.DefaultBands.Classify(stats.CV(stats.Value{Est: est, MOE: moe}, stats.Conf90))
				if r, ok := in.Tracts.Get(i, sh.Column+indicator.ReliabilitySuffix).(string); ok {
					band = stats.Reliability(r) // the indicator's own band, at the configured confidence and bands
				}
				v.Reliability = reports.ReliabilityWord(string(band))
				if band == stats.Unreliable {
					v.Unreliable = true
					unreliable++
				}
			}
			if k == 0 {
				name, _ := in.Tracts.Get(i, "name").(string)
				if name == "" {
					name = id
				}
				rowOf[id] = len(shapes)
				shapes = append(shapes, svgmap.Shape{ID: id, Name: name, Detail: in.tractAreas(i), Geom: layer.Features[fi].Geom})
			}
			if i, ok := rowOf[id]; ok {
				shapes[i].Values = append(shapes[i].Values, v)
			}
		}
		inds = append(inds, ind)
		unrel = append(unrel, unreliable)
	}
	what := "tracts"
	if early != nil { // len(shapes) > maxTracts
		if cg := <-early; cg != nil {
			cs, ci := countyValues(shapes, inds, cg)
			notes = append(notes, fmt.Sprintf("This map shows %s, not the %s tracts: more than %s tracts are too many to draw in one report that opens on a laptop or a phone. Each county shows the median of its tracts' values, not the county's own estimate, and is hatched when more than half of its tracts' estimates are unreliable. Every tract's value is in tracts.parquet.",
				plural(len(cs), "county", "counties"), reports.Number(float64(len(shapes)), 0), reports.Number(float64(maxTracts), 0)))
			shapes, inds, what = cs, ci, "counties"
			unrel = unrel[:0]
			for k := range inds {
				n := 0
				for _, s := range shapes {
					if k < len(s.Values) && s.Values[k].Unreliable {
						n++
					}
				}
				unrel = append(unrel, n)
			}
		}
	}
	for k, sh := range shades {
		classes := classify(&inds[k], sh, shapes, k, what)
		if k == 0 {
			notes = append(notes, fmt.Sprintf("%s shaded by %s in %s.", upperFirst(what), lowerFirst(inds[k].Title), classes))
		}
	}
	// the legend says for the measure shown whether any area is hatched
	if slices.ContainsFunc(unrel, func(n int) bool { return n > 0 }) {
		if what == "tracts" {
			notes = append(notes, fmt.Sprintf("Hatched: the estimate is too uncertain to use (coefficient of variation over %g%%).", stats.DefaultBands.Unreliable))
		} else {
			notes = append(notes, fmt.Sprintf("Hatched: most of the county's tract estimates are too uncertain to use (coefficient of variation over %g%%).", stats.DefaultBands.Unreliable))
		}
	}
	if len(shades) > 1 {
		notes = append(notes, fmt.Sprintf("Pick what the %s show in the menu above the legend.", what))
	}
	return shapes, inds, notes
}

// tractAreas names the areas tract row i is in, for its tooltip: each
// area definition's area and boundary feature ("flatlands · Fruitvale"),
// in the definitions' name order.
func (in *Input) tractAreas(i int) string {
	var parts []string
	for _, a := range slices.Sorted(maps.Keys(in.Config.Areas)) {
		for _, col := range []string{a, in.Config.Areas[a].Boundary} {
			if v, _ := in.Tracts.Get(i, col).(string); v != "" && !slices.Contains(parts, v) {
				parts = append(parts, v)
			}
		}
	}
	return strings.Join(parts, " · ")
}

// classify sets the classes of indicator k, ind, over the valid values
// the shapes (tracts, or the counties that replace them) have for it: by
// the shade's midpoint (divergingBreaks, in svgmap.Diverging4) or else in
// len(svgmap.ShadePalette) classes, by the shade's breaks method
// (classBreaks). It sets ind.Method, the legend's words for a method other
// than plain quantiles, and returns the caption's words for the classes
// ("five quantile classes (each class holds about a fifth of the
// tracts)"); what names the shapes ("tracts" or "counties").
func classify(ind *svgmap.Indicator, sh *config.Shade, shapes []svgmap.Shape, k int, what string) string {
	var vals []float64
	for _, s := range shapes {
		if k < len(s.Values) && s.Values[k].Valid {
			vals = append(vals, s.Values[k].Estimate)
		}
	}
	format := ind.Format
	method := cmp.Or(sh.Breaks, config.BreaksQuantile)
	if mid := sh.Midpoint; mid != nil {
		ind.Breaks, ind.Palette = divergingBreaks(vals, *mid, 2, method), svgmap.Diverging4
		each := map[string]string{
			config.BreaksQuantile:      "two classes of about equal count",
			config.BreaksEqualInterval: "two classes of equal width",
			config.BreaksFisherJenks:   "two natural-break classes (Fisher-Jenks)",
		}[method]
		ind.Method = fmt.Sprintf("browns below %s, blue-greens above; each side in %s", format(*mid), each)
		return fmt.Sprintf("four classes around %s: browns below it, blue-greens above, each side in %s", format(*mid), each)
	}
	n := len(svgmap.ShadePalette)
	ind.Breaks = classBreaks(vals, n, method)
	nw := numberWord(n)
	switch method {
	case config.BreaksEqualInterval:
		width := ""
		if len(ind.Breaks) > 0 {
			lo, hi := slices.Min(vals), slices.Max(vals)
			width = format((hi-lo)/float64(n)) + " each; "
		}
		ind.Method = fmt.Sprintf("%s classes of equal width, %s%s", nw, width, classCounts(vals, ind.Breaks, what))
		return fmt.Sprintf("%s classes of equal width (%s%s)", nw, width, classCounts(vals, ind.Breaks, what))
	case config.BreaksFisherJenks:
		ind.Method = fmt.Sprintf("natural breaks (Fisher-Jenks): %s classes, each grouping values that lie close together; %s", nw, classCounts(vals, ind.Breaks, what))
		return fmt.Sprintf("%s natural-break classes (Fisher-Jenks: the classes with the least spread of values within them; %s)", nw, classCounts(vals, ind.Breaks, what))
	}
	return fmt.Sprintf("%s quantile classes (each class holds about a %s of the %s)", nw, svgmap.Fraction(n), what)
}

// numberWord writes a small class count as a word ("five").
func numberWord(n int) string {
	if n >= 0 && n < 10 {
		return []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}[n]
	}
	return fmt.Sprint(n)
}

// classCounts says how many of the values fall in each class bounded by
// inner (stats.ClassOf, the rule the map shades by), lowest class first:
// "12, 80, 150, 90 and 28 tracts, lowest class first". It returns "" when
// there are no classes.
func classCounts(vals, inner []float64, what string) string {
	if len(inner) == 0 || len(vals) == 0 {
		return ""
	}
	bounds := append(append([]float64{slices.Min(vals)}, inner...), slices.Max(vals))
	counts := make([]int, len(bounds)-1)
	for _, x := range vals {
		if c := stats.ClassOf(x, bounds); c >= 0 {
			counts[c]++
		}
	}
	w := make([]string, len(counts))
	for i, c := range counts {
		w[i] = reports.Number(float64(c), 0)
	}
	return joinAnd(w) + " " + what + ", lowest class first"
}

// classBreaks returns the n-1 inner bounds of n classes of the non-NaN
// values, or nil with no values or n < 2, as svgmap.Indicator.Breaks and
// svgmap.Map.ColorBreaks take them. method is a config.BreakMethods value
// (empty means quantile): stats.QuantileBreaks (the one type 1 quantile
// implementation), stats.EqualIntervalBreaks or stats.JenksBreaks. When
// Fisher-Jenks finds fewer distinct values than n, the missing upper bounds
// repeat the highest value (empty classes at the top), as quantile bounds
// repeat on ties, so the palette keeps its n colours.
func classBreaks(vals []float64, n int, method string) []float64 {
	if n < 2 {
		return nil
	}
	breaks := stats.QuantileBreaks
	switch method {
	case config.BreaksEqualInterval:
		breaks = stats.EqualIntervalBreaks
	case config.BreaksFisherJenks:
		breaks = stats.JenksBreaks
	}
	b, err := breaks(vals, n)
	if err != nil {
		return nil
	}
	inner := b[1 : len(b)-1]
	for len(inner) < n-1 {
		inner = append(inner, b[len(b)-1])
	}
	return inner
}

// divergingBreaks returns the breaks of 2*perSide classes around a
// midpoint mid (zero for a change, 0.5 for a percentile rank, the city's
// value): mid itself is a break, the valid values at or below it are split
// into perSide classes by method (classBreaks), and so are those above
// it. A side without values gets bounds equal to mid, so its classes stay
// empty and the colours keep their meaning (below is always brown). It
// returns nil when perSide < 1. Use it with a palette of 2*perSide colours
// (svgmap.Diverging4 for perSide 2).
func divergingBreaks(vals []float64, mid float64, perSide int, method string) []float64 {
	if perSide < 1 {
		return nil
	}
	var lo, hi []float64
	for _, x := range vals {
		switch {
		case math.IsNaN(x):
		case x <= mid:
			lo = append(lo, x)
		default:
			hi = append(hi, x)
		}
	}
	side := func(v []float64) []float64 {
		b := classBreaks(v, perSide, method)
		if len(b) == 0 && perSide > 1 {
			b = make([]float64, perSide-1)
			for i := range b {
				b[i] = mid
			}
		}
		return b
	}
	out := append(side(lo), mid)
	return append(out, side(hi)...)
}
