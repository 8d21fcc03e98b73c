// Package svgmap draws maps as inline SVG: a choropleth of polygons, outlined
// areas, and proportional circles coloured by a value, with legends.
//
// Input coordinates are EPSG:4326 lon/lat. The projection is an
// equirectangular one with its standard parallel at the map's central
// latitude (x = lon*cos(lat0), y = lat): at city scale its scale error is
// well under 1% across the map, and it keeps north up. Output is
// deterministic (coordinates rounded to 0.1 px) and every text is
// XML-escaped.
package svgmap

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// Shape is a shaded polygon.
type Shape struct {
	ID    string
	Geom  orb.MultiPolygon
	Value float64
	Valid bool   // false draws the shape hatched grey as "no estimate"
	Tip   string // hover text
}

// Outline is an area drawn as a labelled outline over the shapes.
type Outline struct {
	Label string
	Geom  []orb.MultiPolygon
	Color string
}

// Point is a circle.
type Point struct {
	Pos   orb.Point
	Size  float64 // value mapped to circle area
	Color float64 // value mapped to a colour class
	Valid bool    // Color is known
	Tip   string
}

// Map is what to draw.
type Map struct {
	Width      float64 // px; the height follows the extent
	Title      string
	Shapes     []Shape
	ShadeTitle string
	Format     func(float64) string // formats legend values
	Breaks     []float64            // upper bounds of shade classes but the last; len = len(ShadePalette)-1
	Outlines   []Outline
	Points     []Point
	SizeTitle  string
	ColorTitle string
	// ColorBreaks are the upper bounds of point colour classes but the last.
	ColorBreaks []float64
	// Extent limits the drawing to a box; zero means the bound of everything.
	Extent orb.Bound
}

// ShadePalette is the five lightest classes of ColorBrewer's 7-class Greys
// (Brewer, colorbrewer2.org), light to dark: a quiet background on which the
// coloured circles stay legible even in the darkest class.
var ShadePalette = []string{"#f7f7f7", "#d9d9d9", "#bdbdbd", "#969696", "#737373"}

// PointPalette is ColorBrewer's 4-class RdYlBu (colour-blind safe), low to
// high.
var PointPalette = []string{"#d7191c", "#fdae61", "#abd9e9", "#2c7bb6"}

// OutlinePalette colours area outlines.
var OutlinePalette = []string{"#1b9e77", "#7570b3", "#d95f02", "#e7298a"}

// QuantileBreaks returns n-1 class bounds splitting the valid values into n
// classes of (nearly) equal count: bound k is the value at rank
// ceil(k*len/n) of the sorted values.
func QuantileBreaks(vals []float64, n int) []float64 {
	v := make([]float64, 0, len(vals))
	for _, x := range vals {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	sort.Float64s(v)
	if len(v) == 0 || n < 2 {
		return nil
	}
	b := make([]float64, n-1)
	for k := 1; k < n; k++ {
		i := int(math.Ceil(float64(k*len(v))/float64(n))) - 1
		b[k-1] = v[max(0, i)]
	}
	return b
}

func classOf(x float64, breaks []float64) int {
	for i, b := range breaks {
		if x <= b {
			return i
		}
	}
	return len(breaks)
}

type proj struct {
	b         orb.Bound
	k, scale  float64
	w, h, pad float64
}

func newProj(b orb.Bound, width float64) proj {
	lat0 := (b.Min[1] + b.Max[1]) / 2
	k := math.Cos(lat0 * math.Pi / 180)
	pad := 8.0
	dx := (b.Max[0] - b.Min[0]) * k
	dy := b.Max[1] - b.Min[1]
	if dx <= 0 {
		dx = 1e-6
	}
	if dy <= 0 {
		dy = 1e-6
	}
	scale := (width - 2*pad) / dx
	return proj{b: b, k: k, scale: scale, w: width, h: dy*scale + 2*pad, pad: pad}
}

func (p proj) xy(pt orb.Point) (float64, float64) {
	x := p.pad + (pt[0]-p.b.Min[0])*p.k*p.scale
	y := p.pad + (p.b.Max[1]-pt[1])*p.scale
	return math.Round(x*10) / 10, math.Round(y*10) / 10
}

func (p proj) path(mp orb.MultiPolygon) string {
	var sb strings.Builder
	for _, poly := range mp {
		for _, ring := range poly {
			lx, ly := math.Inf(1), math.Inf(1)
			n := 0
			for i, pt := range ring {
				x, y := p.xy(pt)
				if x == lx && y == ly && i != len(ring)-1 {
					continue // drop points that round to the previous one
				}
				if n == 0 {
					fmt.Fprintf(&sb, "M%g %g", x, y)
				} else {
					fmt.Fprintf(&sb, "L%g %g", x, y)
				}
				lx, ly = x, y
				n++
			}
			sb.WriteString("Z")
		}
	}
	return sb.String()
}

// Render returns the map as an SVG element. Legend returns its legend.
func Render(m *Map) string {
	b := m.Extent
	if b.IsEmpty() || b == (orb.Bound{}) {
		first := true
		grow := func(x orb.Bound) {
			if first {
				b, first = x, false
			} else {
				b = b.Union(x)
			}
		}
		for _, s := range m.Shapes {
			grow(s.Geom.Bound())
		}
		for _, o := range m.Outlines {
			for _, g := range o.Geom {
				grow(g.Bound())
			}
		}
		for _, p := range m.Points {
			grow(orb.Bound{Min: p.Pos, Max: p.Pos})
		}
	}
	width := m.Width
	if width == 0 {
		width = 800
	}
	pj := newProj(b, width)
	H := pj.h
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" role="img" aria-labelledby="map-title" class="map">`, width, math.Round(H))
	fmt.Fprintf(&sb, `<title id="map-title">%s</title>`, esc(m.Title))
	sb.WriteString(`<defs><pattern id="nodata" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>`)
	clip := fmt.Sprintf(`<clipPath id="frame"><rect x="0" y="0" width="%g" height="%g"/></clipPath>`, width, pj.h)
	sb.WriteString(clip)
	sb.WriteString(`<g clip-path="url(#frame)">`)
	sb.WriteString(`<g class="shapes" stroke="#ffffff" stroke-width="0.6">`)
	for _, s := range m.Shapes {
		fill := "url(#nodata)"
		if s.Valid {
			fill = ShadePalette[classOf(s.Value, m.Breaks)]
		}
		fmt.Fprintf(&sb, `<path d="%s" fill="%s"><title>%s</title></path>`, pj.path(s.Geom), fill, esc(s.Tip))
	}
	sb.WriteString(`</g>`)
	for i, o := range m.Outlines {
		col := o.Color
		if col == "" {
			col = OutlinePalette[i%len(OutlinePalette)]
		}
		fmt.Fprintf(&sb, `<path class="outline" fill="none" stroke="%s" stroke-width="2.4" stroke-linejoin="round" stroke-linecap="round" d="%s"><title>%s</title></path>`, col, pj.edges(outerEdges(o.Geom)), esc(o.Label))
	}
	radius := m.radius
	pts := append([]Point(nil), m.Points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Size > pts[j].Size }) // small circles on top
	sb.WriteString(`<g class="points" stroke="#222" stroke-width="0.8" fill-opacity="0.9">`)
	for _, p := range pts {
		x, y := pj.xy(p.Pos)
		fill := "#bbbbbb"
		if p.Valid {
			fill = PointPalette[classOf(p.Color, m.ColorBreaks)]
		}
		fmt.Fprintf(&sb, `<circle cx="%g" cy="%g" r="%g" fill="%s"><title>%s</title></circle>`, x, y, radius(p.Size), fill, esc(p.Tip))
	}
	sb.WriteString(`</g></g>`)
	fmt.Fprintf(&sb, `<rect x="0.5" y="0.5" width="%g" height="%g" fill="none" stroke="#999"/>`, width-1, pj.h-1)

	sb.WriteString(`</svg>`)
	return sb.String()
}

func format0(x float64) string { return fmt.Sprintf("%.0f", x) }

func esc(s string) string { return html.EscapeString(s) }

// maxSize is the largest point size.
func (m *Map) maxSize() float64 {
	mx := 0.0
	for _, p := range m.Points {
		mx = math.Max(mx, p.Size)
	}
	return mx
}

// radius maps a size to a circle radius in px: the circle's area is
// proportional to the value (Flannery-free, plain square-root scaling), the
// largest value gets 14 px, and no circle is smaller than 3 px.
func (m *Map) radius(v float64) float64 {
	mx := m.maxSize()
	if mx <= 0 || v <= 0 {
		return 3
	}
	return math.Round(math.Max(3, 14*math.Sqrt(v/mx))*10) / 10
}

type seg struct{ a, b orb.Point }

// outerEdges returns the edges of the polygons that are not shared by two of
// them: the outline of their union where neighbours share vertices exactly,
// as polygons cut from one planar partition do. Order follows the input.
func outerEdges(geoms []orb.MultiPolygon) []seg {
	count := map[seg]int{}
	key := func(a, b orb.Point) seg {
		if a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) {
			return seg{a, b}
		}
		return seg{b, a}
	}
	for _, g := range geoms {
		for _, poly := range g {
			for _, r := range poly {
				for i := 0; i+1 < len(r); i++ {
					count[key(r[i], r[i+1])]++
				}
			}
		}
	}
	var out []seg
	for _, g := range geoms {
		for _, poly := range g {
			for _, r := range poly {
				for i := 0; i+1 < len(r); i++ {
					if count[key(r[i], r[i+1])] == 1 {
						out = append(out, seg{r[i], r[i+1]})
					}
				}
			}
		}
	}
	return out
}

// edges writes segments as one path, joining consecutive segments.
func (p proj) edges(segs []seg) string {
	var sb strings.Builder
	var lx, ly float64
	open := false
	for _, s := range segs {
		ax, ay := p.xy(s.a)
		bx, by := p.xy(s.b)
		if !open || ax != lx || ay != ly {
			fmt.Fprintf(&sb, "M%g %g", ax, ay)
		}
		fmt.Fprintf(&sb, "L%g %g", bx, by)
		lx, ly, open = bx, by, true
	}
	return sb.String()
}

// Legend returns the map's legend as HTML (escaped; safe to insert as is):
// the shade classes with their ranges, the outlined areas, circle sizes and
// circle colours. It is HTML rather than SVG text so that it wraps and stays
// legible on a phone.
func Legend(m *Map) string {
	format := m.Format
	if format == nil {
		format = func(x float64) string { return fmt.Sprintf("%g", x) }
	}
	var sb strings.Builder
	sb.WriteString(`<div class="legend">`)
	swatch := func(svg, label string) {
		fmt.Fprintf(&sb, `<span class="key"><svg width="22" height="16" aria-hidden="true">%s</svg>%s</span>`, svg, esc(label))
	}
	if len(m.Shapes) > 0 {
		fmt.Fprintf(&sb, `<div class="lg"><strong>%s</strong> <span class="how">quantile classes, about a fifth of the areas each</span><div>`, esc(m.ShadeTitle))
		for i, col := range ShadePalette {
			swatch(fmt.Sprintf(`<rect x="1" y="1" width="20" height="14" fill="%s" stroke="#777"/>`, col), rangeLabel(i, m.Breaks, format))
		}
		swatch(`<defs><pattern id="lgnd" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#fff"/><line x1="0" y1="0" x2="0" y2="5" stroke="#999" stroke-width="2"/></pattern></defs><rect x="1" y="1" width="20" height="14" fill="url(#lgnd)" stroke="#777"/>`, "no estimate")
		sb.WriteString(`</div></div>`)
	}
	if len(m.Outlines) > 0 {
		sb.WriteString(`<div class="lg"><strong>Areas</strong><div>`)
		for i, o := range m.Outlines {
			col := o.Color
			if col == "" {
				col = OutlinePalette[i%len(OutlinePalette)]
			}
			swatch(fmt.Sprintf(`<rect x="2" y="2" width="18" height="12" fill="none" stroke="%s" stroke-width="2.4"/>`, col), o.Label)
		}
		sb.WriteString(`</div></div>`)
	}
	if len(m.Points) > 0 {
		mx := m.maxSize()
		fmt.Fprintf(&sb, `<div class="lg"><strong>Circle size: %s</strong><div>`, esc(m.SizeTitle))
		for _, f := range []float64{0.25, 0.5, 1} {
			r := m.radius(mx * f)
			d := 2*r + 2
			fmt.Fprintf(&sb, `<span class="key"><svg width="%g" height="%g" aria-hidden="true"><circle cx="%g" cy="%g" r="%g" fill="none" stroke="#222"/></svg>%s</span>`, d, d, r+1, r+1, r, esc(format0(mx*f)))
		}
		sb.WriteString(`</div></div>`)
		fmt.Fprintf(&sb, `<div class="lg"><strong>Circle colour: %s</strong><div>`, esc(m.ColorTitle))
		for i, col := range PointPalette {
			swatch(fmt.Sprintf(`<circle cx="11" cy="8" r="7" fill="%s" stroke="#222"/>`, col), rangeLabel(i, m.ColorBreaks, format0))
		}
		swatch(`<circle cx="11" cy="8" r="7" fill="#bbbbbb" stroke="#222"/>`, "no score")
		sb.WriteString(`</div></div>`)
	}
	sb.WriteString(`</div>`)
	return sb.String()
}

// rangeLabel names class i of the classes bounded by breaks: "≤ b0",
// "b0–b1", ..., "> bn".
func rangeLabel(i int, breaks []float64, format func(float64) string) string {
	switch {
	case len(breaks) == 0:
		return ""
	case i == 0:
		return "≤ " + format(breaks[0])
	case i < len(breaks):
		return format(breaks[i-1]) + "–" + format(breaks[i])
	case i == len(breaks):
		return "> " + format(breaks[len(breaks)-1])
	}
	return ""
}
