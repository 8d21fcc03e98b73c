package svgmap

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// Render returns the map as an SVG element for inline use in HTML. The
// element has class "map" and "show-0"; the report's script switches
// indicators by changing "show-i" and reads each shape's tooltip from its
// title (indicator 0) or data-t<i> attribute. Without script the first
// indicator shows and titles are the browser's own tooltips.
func Render(m *Map) string {
	id := m.id()
	width := m.Width
	if width == 0 {
		width = 800
	}
	f := newFrame(m.bound(), width)
	var sb strings.Builder
	sb.Grow(64 << 10)
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" id="%s" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%s-title" class="map show-0">`, id, pxs(width), pxs(f.h), pxs(width), pxs(f.h), id)
	fmt.Fprintf(&sb, `<title id="%s-title">%s</title>`, id, esc(m.Title))
	sb.WriteString(`<defs>`)
	hatch := func(pid, bg string) {
		sb.WriteString(hatchPattern(pid, bg, 6))
	}
	sb.WriteString(dotPattern(id+"-nd", 6))
	for i := range m.Indicators {
		for c, col := range m.Indicators[i].palette() {
			if m.hasUnreliable(i, c) {
				hatch(fmt.Sprintf("%s-h%d-%d", id, i, c), color(col, "#cccccc"))
			}
		}
	}
	fmt.Fprintf(&sb, `<clipPath id="%s-frame"><rect width="%s" height="%s"/></clipPath>`, id, pxs(width), pxs(f.h))
	sb.WriteString(`</defs><style>`)
	for i := range m.Indicators {
		for c, col := range m.Indicators[i].palette() {
			fmt.Fprintf(&sb, `#%s.show-%d .c%d-%d{fill:%s}`, id, i, i, c, color(col, "#cccccc"))
			if m.hasUnreliable(i, c) {
				fmt.Fprintf(&sb, `#%s.show-%d .c%d-%d.u%d{fill:url(#%s-h%d-%d)}`, id, i, i, c, i, id, i, c)
			}
		}
		fmt.Fprintf(&sb, `#%s.show-%d .n%d{fill:url(#%s-nd)}`, id, i, i, id)
	}
	sb.WriteString(`</style>`)
	fmt.Fprintf(&sb, `<g clip-path="url(#%s-frame)">`, id)

	if len(m.Shapes) > 0 {
		geoms := make([]orb.MultiPolygon, len(m.Shapes))
		for i, s := range m.Shapes {
			geoms[i] = s.Geom
		}
		paths, _ := simplifiedPaths(f, geoms, m.Tolerance, m.MaxPathBytes)
		// thinner borders where areas are many, so small urban areas keep
		// their colour
		sw := ".6"
		if len(m.Shapes) > 500 {
			sw = ".25"
		}
		fmt.Fprintf(&sb, `<g class="shapes" fill="#eee" stroke="#fff" stroke-width="%s" stroke-linejoin="round">`, sw)
		for i, s := range m.Shapes {
			if paths[i] == "" {
				continue
			}
			sb.WriteString(`<path class="`)
			for k := range m.Indicators {
				if k > 0 {
					sb.WriteByte(' ')
				}
				v := m.value(s, k)
				switch {
				case !v.Valid:
					fmt.Fprintf(&sb, "n%d", k)
				case v.Unreliable:
					fmt.Fprintf(&sb, "c%d-%d u%d", k, classOf(v.Estimate, m.Indicators[k].Breaks), k)
				default:
					fmt.Fprintf(&sb, "c%d-%d", k, classOf(v.Estimate, m.Indicators[k].Breaks))
				}
			}
			fmt.Fprintf(&sb, `" d="%s"`, paths[i])
			if s.ID != "" {
				fmt.Fprintf(&sb, ` data-id="%s"`, esc(s.ID))
			}
			if s.Name != "" {
				fmt.Fprintf(&sb, ` data-name="%s"`, esc(s.Name))
			}
			for k := 1; k < len(m.Indicators); k++ {
				fmt.Fprintf(&sb, ` data-t%d="%s"`, k, esc(m.shapeTip(s, k)))
			}
			fmt.Fprintf(&sb, `><title>%s</title></path>`, esc(m.shapeTip(s, 0)))
		}
		sb.WriteString(`</g>`)
	}

	var boxes []box // placed circles and labels, for label collisions
	if len(m.Outlines) > 0 {
		geoms := make([]orb.MultiPolygon, 0)
		for _, o := range m.Outlines {
			geoms = append(geoms, o.Geom...)
		}
		rings, spans := projectRings(f, geoms)
		simp := newTopology(rings).simplify(0.3)
		sb.WriteString(`<g class="outlines" fill="none" stroke-width="2.4" stroke-linejoin="round" stroke-linecap="round">`)
		gi := 0
		for i, o := range m.Outlines {
			var group [][]xy
			for range o.Geom {
				sp := spans[gi]
				group = append(group, simp[sp[0]:sp[1]]...)
				gi++
			}
			col := color(o.Color, OutlinePalette[i%len(OutlinePalette)])
			fmt.Fprintf(&sb, `<path stroke="%s" d="%s" data-name="%s"><title>%s</title></path>`, col, edgesPath(outerEdges(group)), esc(o.Label), esc(o.Label))
		}
		sb.WriteString(`</g>`)
	}

	if len(m.Findable) > 0 {
		geoms := make([]orb.MultiPolygon, len(m.Findable))
		for i, a := range m.Findable {
			geoms[i] = a.Geom
		}
		paths, _ := simplifiedPaths(f, geoms, 0.5, 0)
		sb.WriteString(`<g class="findable" fill="none" stroke="none" pointer-events="none">`)
		for i, a := range m.Findable {
			if paths[i] != "" {
				fmt.Fprintf(&sb, `<path d="%s" data-name="%s"/>`, paths[i], esc(a.Name))
			}
		}
		sb.WriteString(`</g>`)
	}
	radius := m.radius
	pts := make([]Point, len(m.Points))
	copy(pts, m.Points)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Size > pts[j].Size }) // small circles on top
	if len(pts) > 0 {
		sb.WriteString(`<g class="points" stroke="#222" stroke-width=".8" fill-opacity=".9">`)
		for _, p := range pts {
			c := f.xy(p.Pos)
			r := radius(p.Size)
			boxes = append(boxes, box{c[0] - r, c[1] - r, c[0] + r, c[1] + r})
			fill := "#bbbbbb"
			if p.Valid {
				fill = PointPalette[classOf(p.Color, m.ColorBreaks)]
			}
			fmt.Fprintf(&sb, `<circle cx="%s" cy="%s" r="%s" fill="%s"`, pxs(c[0]), pxs(c[1]), pxs(r), fill)
			if p.Name != "" {
				fmt.Fprintf(&sb, ` data-name="%s"`, esc(p.Name))
			}
			fmt.Fprintf(&sb, `><title>%s</title></circle>`, esc(p.Tip))
		}
		sb.WriteString(`</g>`)
	}
	if len(m.Outlines) > 0 {
		m.writeLabels(&sb, f, boxes)
	}
	sb.WriteString(`</g>`)
	writeScaleBar(&sb, f, 12, "scale")
	writeScaleBar(&sb, f, 28, "scale-lg")
	fmt.Fprintf(&sb, `<rect x=".5" y=".5" width="%s" height="%s" fill="none" stroke="#999"/>`, pxs(width-1), pxs(f.h-1))
	sb.WriteString(`</svg>`)
	return sb.String()
}

func (m *Map) value(s Shape, k int) Value {
	if k < len(s.Values) {
		return s.Values[k]
	}
	return Value{}
}

func (m *Map) hasUnreliable(ind, class int) bool {
	for _, s := range m.Shapes {
		v := m.value(s, ind)
		if v.Valid && v.Unreliable && classOf(v.Estimate, m.Indicators[ind].Breaks) == class {
			return true
		}
	}
	return false
}

// shapeTip is the tooltip of a shape for indicator k: its name, then
// "title: estimate ± MOE", then reliability and note, one per line.
func (m *Map) shapeTip(s Shape, k int) string {
	lines := []string{s.Name}
	if s.Name == "" {
		lines[0] = s.ID
	}
	if s.Detail != "" {
		lines = append(lines, s.Detail)
	}
	if k < len(m.Indicators) {
		in := &m.Indicators[k]
		v := m.value(s, k)
		if v.Valid {
			var val string
			switch {
			case in.Interval != nil:
				val = in.Interval(v.Estimate, v.MOE)
			case v.MOE > 0:
				val = in.format(v.Estimate) + " ± " + in.format(v.MOE)
			default:
				val = in.format(v.Estimate)
			}
			lines = append(lines, in.Title+": "+val)
		} else {
			lines = append(lines, in.Title+": no estimate")
		}
		if v.Reliability != "" {
			lines = append(lines, v.Reliability)
		}
		if v.Note != "" {
			lines = append(lines, v.Note)
		}
	}
	return strings.Join(lines, "\n")
}

// maxSize is the largest point size.
func (m *Map) maxSize() float64 {
	mx := 0.0
	for _, p := range m.Points {
		mx = math.Max(mx, p.Size)
	}
	return mx
}

// radius maps a size to a circle radius in px: the circle's area is
// proportional to the value (square-root scaling), the largest value gets
// 14 px, and no circle is smaller than 3 px.
func (m *Map) radius(v float64) float64 {
	mx := m.maxSize()
	if mx <= 0 || v <= 0 {
		return 3
	}
	return math.Round(math.Max(3, 14*math.Sqrt(v/mx))*10) / 10
}

// hatchPattern is the hatch that marks an estimate too uncertain to use:
// dark diagonal lines over the class colour bg, one every size px.
func hatchPattern(id, bg string, size float64) string {
	return fmt.Sprintf(`<pattern id="%s" width="%s" height="%s" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="%s" height="%s" fill="%s"/><line x1="0" y1="0" x2="0" y2="%s" stroke="#222" stroke-width="%s"/></pattern>`,
		id, pxs(size), pxs(size), pxs(size), pxs(size), bg, pxs(size), pxs(size/3))
}

// dotPattern marks a shape without an estimate: grey dots on white, which
// no class colour or hatch resembles.
func dotPattern(id string, size float64) string {
	return fmt.Sprintf(`<pattern id="%s" width="%s" height="%s" patternUnits="userSpaceOnUse"><rect width="%s" height="%s" fill="#fff"/><circle cx="%s" cy="%s" r="%s" fill="#888"/></pattern>`,
		id, pxs(size), pxs(size), pxs(size), pxs(size), pxs(size/2), pxs(size/2), pxs(size/6+0.2))
}

type seg struct{ a, b xy }

// outerEdges returns the edges of the rings that are not shared by two of
// them: the outline of their union where neighbours share vertices exactly.
// Order follows the input.
func outerEdges(rings [][]xy) []seg {
	count := map[seg]int{}
	key := func(a, b xy) seg {
		a = xy{float64(tenths(a[0])), float64(tenths(a[1]))}
		b = xy{float64(tenths(b[0])), float64(tenths(b[1]))}
		if less(a, b) {
			return seg{a, b}
		}
		return seg{b, a}
	}
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			count[key(r[i], r[i+1])]++
		}
	}
	var out []seg
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			if count[key(r[i], r[i+1])] == 1 {
				out = append(out, seg{r[i], r[i+1]})
			}
		}
	}
	return out
}

// edgesPath writes segments as one path, joining consecutive segments.
func edgesPath(segs []seg) string {
	var sb strings.Builder
	var lx, ly int
	open := false
	for _, s := range segs {
		ax, ay := tenths(s.a[0]), tenths(s.a[1])
		bx, by := tenths(s.b[0]), tenths(s.b[1])
		if ax == bx && ay == by {
			continue
		}
		if !open || ax != lx || ay != ly {
			sb.WriteByte('M')
			num(&sb, ax)
			sb.WriteByte(' ')
			num(&sb, ay)
		}
		sb.WriteByte('L')
		num(&sb, bx)
		sb.WriteByte(' ')
		num(&sb, by)
		lx, ly, open = bx, by, true
	}
	return sb.String()
}

// writeScaleBar draws a bar in the lower left of a round length in miles
// and in kilometres, about a fifth of the map wide, measured along the
// central parallel (where the scale factor is kCentre), in text of the
// given size (px of the map's own units) and with rows spaced for it, so
// that the labels never overlap whatever the size. The report shows the
// group of class "scale" on wide screens and "scale-lg" (written with
// text about 2.3 times larger) on phones, where the map is drawn at about
// 40% of its width.
func writeScaleBar(sb *strings.Builder, f frame, size float64, class string) {
	pxPerM := f.scale * f.kCentre
	if pxPerM <= 0 || math.IsInf(pxPerM, 0) || math.IsNaN(pxPerM) {
		return
	}
	target := f.w / 5 / pxPerM // metres
	mi := nice(target / 1609.344)
	km := nice(target / 1000)
	lmi := mi * 1609.344 * pxPerM
	lkm := km * 1000 * pxPerM
	row := size * 1.3 // one row of text and bar
	tick := size / 3
	sw := size / 8
	x, y := size, f.h-2*row-size/2 // baseline of the first row
	labelW := 4*0.62*size + size/2 // "10 mi": about four characters
	fmt.Fprintf(sb, `<g class="%s" font-size="%s" fill="#333"><rect x="%s" y="%s" width="%s" height="%s" fill="#fff" fill-opacity=".85"/>`,
		class, pxs(size), pxs(x-size/2), pxs(y-row+size*0.2), pxs(math.Max(lmi, lkm)+labelW+size), pxs(2*row+size/2))
	bar := func(y, l float64, label string) {
		fmt.Fprintf(sb, `<path d="M%s %sh%sM%s %sv%sM%s %sv%s" stroke="#333" stroke-width="%s" fill="none"/>`, pxs(x), pxs(y), pxs(l), pxs(x), pxs(y-tick), pxs(tick), pxs(x+l), pxs(y-tick), pxs(tick), pxs(sw))
		fmt.Fprintf(sb, `<text x="%s" y="%s">%s</text>`, pxs(x+l+size/3), pxs(y+size*0.35), label)
	}
	bar(y, lmi, trimFloat(mi)+" mi")
	bar(y+row, lkm, trimFloat(km)+" km")
	sb.WriteString(`</g>`)
}

// nice rounds x down to 1, 2 or 5 times a power of ten.
func nice(x float64) float64 {
	if x <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, s := range []float64{5, 2, 1} {
		if s*p <= x {
			return s * p
		}
	}
	return p
}

func trimFloat(x float64) string { return fmt.Sprintf("%g", x) }
