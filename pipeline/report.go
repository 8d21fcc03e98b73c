package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/reports"
	"github.com/groundwork-org/groundwork/reports/svgmap"
)

// writeReport renders report.html from the computed tables.
func (st *state) writeReport(ctx context.Context) error {
	rc := st.cfg.Report
	if rc == nil {
		return nil
	}
	// The map's points are drawn one by one, so a streamed places set it
	// shows is read into memory here (this stage's copy of the map only).
	if m := rc.Map; m != nil && m.Points != nil && st.places[m.Points.Of] != nil {
		loaded, err := st.places[m.Points.Of].Load(ctx)
		if err != nil {
			return fmt.Errorf("report: places %s: %w", m.Points.Of, err)
		}
		st.places[m.Points.Of] = loaded
	}
	r := &reports.Report{Title: rc.Title, Subtitle: st.cfg.Name, Intro: rc.Intro, Caveats: rc.Caveats, Warnings: st.warnings}
	if r.Title == "" {
		r.Title = st.cfg.Name
	}
	if rc.Findings != nil {
		r.Findings = st.findings(rc.Findings)
	}
	if rc.Map != nil {
		r.MapSVG, r.MapLegend, r.MapNote = st.mapSVG(rc.Map)
		r.Methods = append(r.Methods,
			"Map projection: Albers equal-area conic on a sphere (Snyder, Map Projections: A Working Manual, USGS 1987, pp. 98-100), standard parallels at one sixth and five sixths of the map's latitude range, so areas compare fairly.",
			"Boundaries are simplified for the screen (Douglas-Peucker, 0.3 px at the map's drawing width), each boundary shared by two areas once, so neighbours still meet exactly.",
			"Shading: quantile classes, each holding about the same number of areas; the legend gives each class's range.",
		)
		if rc.Map.Shade != nil {
			r.Methods = append(r.Methods, fmt.Sprintf("Reliability of a mapped estimate with a margin of error: coefficient of variation CV = (MOE ÷ 1.645) ÷ estimate × 100 (ACS General Handbook 2020, ch. 7); under %g%% reliable, %g–%g%% use with caution, over %g%% unreliable and hatched on the map.",
				stats.DefaultBands.Caution, stats.DefaultBands.Caution, stats.DefaultBands.Unreliable, stats.DefaultBands.Unreliable))
		}
		if rc.Map.Points != nil {
			r.Methods = append(r.Methods, "Circles: area proportional to the value (radius ∝ √value), the largest 14 px across the radius; colours in quartiles of the places shown (ColorBrewer RdYlBu, colour-blind safe).")
		}
	}
	if rc.Map != nil {
		r.Charts = append(r.Charts, st.charts(rc.Map)...)
	}
	for _, s := range st.summaries {
		r.Tables = append(r.Tables, summaryTable(s, st.headers(s)))
	}
	r.Sections = st.sections()
	for _, s := range st.segments {
		t := reports.Table{Header: append([]string{"#"}, s.Columns...), Numeric: make([]bool, len(s.Columns)+1)}
		t.Numeric[0] = true
		for i, row := range s.Rows {
			cells := []string{fmt.Sprint(i + 1)}
			for j, c := range s.Columns {
				v := row[c]
				if _, ok := frame.ToFloat(v); ok {
					t.Numeric[j+1] = true
				}
				cells = append(cells, frame.Cell(v))
			}
			t.Rows = append(t.Rows, cells)
		}
		title := s.Title
		if title == "" {
			title = s.Name
		}
		rank := ""
		if s.Rank != nil {
			order := "highest first"
			if s.Rank.Order == "asc" {
				order = "lowest first"
			}
			rank = fmt.Sprintf("Ranked by %s, %s.", s.Rank.By, order)
		}
		t.Note = rank
		r.Segments = append(r.Segments, reports.Segment{Title: title, Rule: s.Where, Count: len(s.Rows), Files: s.Files, Table: t})
	}
	for _, name := range slices.Sorted(maps.Keys(st.unplaced)) {
		us := st.unplaced[name]
		if len(us) == 0 {
			continue
		}
		title := st.cfg.Places[name].Title
		if title == "" {
			title = name
		}
		set := reports.UnplacedSet{Title: title, Total: len(us)}
		for _, u := range us {
			set.Rows = append(set.Rows, []string{u.ID, u.Name, u.Reason})
		}
		r.Unplaced = append(r.Unplaced, set)
	}
	for _, s := range st.sourceInfo {
		title := s.Title
		if title == "" {
			title = s.Name
		}
		r.Sources = append(r.Sources, reports.Source{Title: title, About: s.About, File: s.File, Rows: s.Rows})
	}
	return st.writeFile("report.html", func(w io.Writer) error { return reports.Write(w, r) })
}

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
			row = append(row, statsCell(g.Stats[m.Column], g.Mean[m.Column], m))
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

func (st *state) summary(name string) *result.Summary {
	for _, s := range st.summaries {
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
func (st *state) findings(f *config.Findings) []string {
	s := st.summary(f.Summary)
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
	if inc := st.summary(f.Income); inc != nil && inc.Area != "" && len(inc.Measures) > 0 {
		m := inc.Measures[0]
		iai := slices.Index(inc.By, inc.Area)
		var parts []string
		for _, g := range inc.Groups {
			parts = append(parts, fmt.Sprintf("%s %s (%d tracts)", g.Keys[iai], reports.Format(g.Stats[m.Column].Median, m.Format), g.N))
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("Median of the tracts' %s: %s.", lowerFirst(measureLabel(m)), strings.Join(parts, "; ")))
		}
	}
	return out
}

// mapSVG draws tracts shaded by a column (see shadeTracts), area outlines,
// and places as circles.
func (st *state) mapSVG(mc *config.MapConfig) (svg, legend, note string) {
	m := &svgmap.Map{ID: "map", Width: 900, Title: st.cfg.Report.Title, MaxPathBytes: 1 << 20}
	var notes []string
	var shades []*config.Shade
	if mc.Shade != nil {
		shades = append(shades, mc.Shade)
	}
	shades = append(shades, mc.Shades...)
	if len(shades) > 0 && st.tracts != nil {
		limit := mc.MaxTracts
		if limit == 0 {
			limit = config.DefaultMaxMapTracts
		}
		m.Shapes, m.Indicators, notes = st.shadeTracts(shades, limit)
	}
	if mc.Outline != "" {
		a := st.cfg.Areas[mc.Outline]
		layer := st.layers[a.Boundary]
		groups := map[string][]orb.MultiPolygon{}
		for _, f := range layer.Features {
			if v, ok := st.areaOf[mc.Outline][f.ID]; ok {
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
			if v, ok := st.areaOf[mc.Outline][f.ID]; ok {
				name += " (" + v + ")"
			}
			m.Findable = append(m.Findable, svgmap.Findable{Name: name, Geom: f.Geom})
		}
		notes = append(notes, fmt.Sprintf("Coloured outlines: the %s areas, drawn around their %s.", strings.ToLower(a.Title), a.Boundary))
	}
	if pm := mc.Points; pm != nil {
		r := st.places[pm.Of]
		pl := st.cfg.Places[pm.Of]
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
			if pm.Size != "" {
				tip += fmt.Sprintf("\n%s: %s", cmp.Or(pm.SizeLabel, pm.Size), frame.Cell(r.Get(i, pm.Size)))
			}
			if pm.Color != "" {
				tip += fmt.Sprintf("\n%s: %s", cmp.Or(pm.ColorLabel, pm.Color), frame.Cell(r.Get(i, pm.Color)))
			}
			m.Points = append(m.Points, svgmap.Point{Name: name, Pos: orb.Point{lon, lat}, Size: size, Color: col, Valid: okc, Tip: tip})
		}
		m.ColorBreaks = svgmap.QuantileBreaks(cols, len(svgmap.PointPalette))
		m.SizeTitle = cmp.Or(pm.SizeLabel, pm.Size)
		m.ColorTitle = cmp.Or(pm.ColorLabel, pm.Color) + " (quartiles of the schools shown)"
		notes = append(notes, fmt.Sprintf("Circles: %s; area proportional to %s, colour by %s.", cmp.Or(pl.Title, pm.Of), lowerFirst(m.SizeTitle), lowerFirst(cmp.Or(pm.ColorLabel, pm.Color))))
	}
	notes = append(notes, "Albers equal-area projection. Hover or tap a shape or circle for its values.")
	// Frame the map on the places and outlined areas when there are any, so
	// a county-wide tract layer does not shrink a city to a corner.
	var b orb.Bound
	first := true
	grow := func(x orb.Bound) {
		if first {
			b, first = x, false
		} else {
			b = b.Union(x)
		}
	}
	for _, o := range m.Outlines {
		for _, g := range o.Geom {
			grow(g.Bound())
		}
	}
	for _, p := range m.Points {
		grow(orb.Bound{Min: p.Pos, Max: p.Pos})
	}
	if !first {
		m.Extent = b.Pad(0.005)
	}
	return svgmap.Render(m), svgmap.Legend(m), strings.Join(notes, " ")
}

// charts returns the charts that go with the map: for each summary by the
// outlined area alone, a bar per area of its first measure's median; and,
// when the map has circles and outlined areas, a scatter of the circles'
// colour value against their size, coloured by area as the outlines are.
func (st *state) charts(mc *config.MapConfig) []reports.Chart {
	var out []reports.Chart
	if mc.Outline == "" {
		return nil
	}
	a := st.cfg.Areas[mc.Outline]
	for _, s := range st.summaries {
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
	for _, k := range slices.Sorted(maps.Keys(st.areaOf[mc.Outline])) {
		if v := st.areaOf[mc.Outline][k]; !slices.Contains(order, v) {
			order = append(order, v)
		}
	}
	sc := &reports.Scatter{XTitle: cmp.Or(pm.SizeLabel, pm.Size), YTitle: cmp.Or(pm.ColorLabel, pm.Color)}
	colour := map[string]string{}
	for i, name := range order {
		colour[name] = svgmap.OutlinePalette[i%len(svgmap.OutlinePalette)]
	}
	seen := map[string]bool{}
	pl := st.cfg.Places[pm.Of]
	r := st.places[pm.Of]
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
func (st *state) shadeTracts(shades []*config.Shade, maxTracts int) ([]svgmap.Shape, []svgmap.Indicator, []string) {
	layer := st.layers[st.cfg.Tracts.Boundary]
	byID := map[string]int{}
	for i, f := range layer.Features {
		byID[f.ID] = i
	}
	var shapes []svgmap.Shape
	var inds []svgmap.Indicator
	var notes []string
	var unrel []int // unreliable shapes per shade
	rowOf := map[string]int{}
	for k, sh := range shades {
		format := func(x float64) string { return reports.Format(x, sh.Format) }
		in := svgmap.Indicator{Title: cmp.Or(sh.Label, sh.Column), Format: format}
		moeCol := ""
		switch {
		case st.tracts.Types()[sh.Column+indicator.MOESuffix] == table.Float && slices.Contains(st.tracts.Cols(), sh.Column+indicator.MOESuffix):
			moeCol = sh.Column + indicator.MOESuffix // a derived indicator's MOE
		case strings.HasSuffix(sh.Column, "E"):
			moeCol = strings.TrimSuffix(sh.Column, "E") + "M"
		}
		var vals []float64
		unreliable := 0
		for i := range st.tracts.Len() {
			id, _ := st.tracts.Get(i, "geoid").(string)
			fi, ok := byID[id]
			if !ok {
				continue
			}
			est, valid := frame.ToFloat(st.tracts.Get(i, sh.Column))
			v := svgmap.Value{Estimate: est, Valid: valid}
			if reason, ok := st.tracts.Get(i, sh.Column+"_note").(string); ok {
				v.Note = reason
			}
			if moe, ok := frame.ToFloat(st.tracts.Get(i, moeCol)); ok && valid && moeCol != "" {
				v.MOE = moe
				band := stats.DefaultBands.Classify(stats.CV(stats.Value{Est: est, MOE: moe}, stats.Conf90))
				if r, ok := st.tracts.Get(i, sh.Column+indicator.ReliabilitySuffix).(string); ok {
					band = stats.Reliability(r) // the indicator's own band, at the configured confidence and bands
				}
				v.Reliability = "reliability: " + string(band)
				if band == stats.Unreliable {
					v.Unreliable = true
					unreliable++
				}
			}
			if valid {
				vals = append(vals, est)
			}
			if k == 0 {
				name, _ := st.tracts.Get(i, "name").(string)
				if name == "" {
					name = id
				}
				rowOf[id] = len(shapes)
				shapes = append(shapes, svgmap.Shape{ID: id, Name: name, Geom: layer.Features[fi].Geom})
			}
			if i, ok := rowOf[id]; ok {
				shapes[i].Values = append(shapes[i].Values, v)
			}
		}
		in.Breaks = svgmap.QuantileBreaks(vals, len(svgmap.ShadePalette))
		inds = append(inds, in)
		unrel = append(unrel, unreliable)
	}
	what := "tracts"
	if len(shapes) > maxTracts {
		if cs, ci, ok := countyShapes(shapes, inds); ok {
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
	for k, in := range inds {
		if k == 0 {
			notes = append(notes, fmt.Sprintf("%s shaded by %s in five quantile classes (each class holds about a fifth of the %s).", upperFirst(what), lowerFirst(in.Title), what))
		}
		if unrel[k] > 0 {
			if what == "tracts" {
				notes = append(notes, fmt.Sprintf("%s: %d tracts are hatched, their estimate's coefficient of variation being over %g%%.", in.Title, unrel[k], stats.DefaultBands.Unreliable))
			} else {
				notes = append(notes, fmt.Sprintf("%s: %d counties are hatched, most of their tracts' estimates having a coefficient of variation over %g%%.", in.Title, unrel[k], stats.DefaultBands.Unreliable))
			}
		}
	}
	if len(shades) > 1 {
		notes = append(notes, fmt.Sprintf("Pick what the %s show in the menu above the legend.", what))
	}
	return shapes, inds, notes
}

// plural writes n and the noun in the number n calls for: "1 county",
// "4,286 counties".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return reports.Number(float64(n), 0) + " " + many
}

// upperFirst upper-cases the first letter of s.
func upperFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// singular turns a plural label ("elementary schools") into its singular.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "s"):
		return strings.TrimSuffix(s, "s")
	}
	return s
}

// lowerFirst lower-cases the first letter of a label unless it starts an
// acronym ("API 2000 score" stays, "Students tested" becomes "students tested").
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 || (len(r) > 1 && unicode.IsUpper(r[1])) {
		return s
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// article returns "an" before a vowel letter and "a" otherwise.
func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiou", rune(s[0])) {
		return "an"
	}
	return "a"
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

func statsCell(sm stats.Summary, mean float64, m *config.Measure) string {
	f := func(x float64) string { return reports.Format(x, m.Format) }
	if sm.N == 0 {
		return "–"
	}
	var parts []string
	st := m.Stats
	if hasMedianRange(st) {
		if sm.N == 1 {
			parts = append(parts, f(sm.Median))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%s–%s)", f(sm.Median), f(sm.Min), f(sm.Max)))
		}
		st = otherStats(st)
	}
	for _, name := range st {
		parts = append(parts, f(result.StatValue(sm, mean, name)))
	}
	return strings.Join(parts, ", ")
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
func (st *state) headers(s *result.Summary) map[string]string {
	h := map[string]string{}
	for _, b := range s.By {
		if a, ok := st.cfg.Areas[b]; ok && a.Title != "" {
			h[b] = a.Title
		}
	}
	for _, cs := range st.cfg.Summaries {
		if cs.Name == s.Name {
			for k, v := range cs.Headers {
				h[k] = v
			}
		}
	}
	return h
}
