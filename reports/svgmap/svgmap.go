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

// ShadePalette is ColorBrewer's 5-class Greys (Brewer, colorbrewer2.org),
// light to dark: a quiet background that keeps coloured symbols legible.
var ShadePalette = []string{"#f7f7f7", "#cccccc", "#969696", "#636363", "#3a3a3a"}

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

// Render returns the map as an SVG element, with its legends below the map.
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
	format := m.Format
	if format == nil {
		format = func(x float64) string { return fmt.Sprintf("%g", x) }
	}
	legendH := 0.0
	if len(m.Shapes) > 0 {
		legendH += 64
	}
	if len(m.Points) > 0 {
		legendH += 120
	}
	if len(m.Outlines) > 0 {
		legendH += 34
	}
	H := pj.h + legendH
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
		fmt.Fprintf(&sb, `<g class="outline" fill="none" stroke="%s" stroke-width="2.2" stroke-linejoin="round">`, col)
		for _, g := range o.Geom {
			fmt.Fprintf(&sb, `<path d="%s"><title>%s</title></path>`, pj.path(g), esc(o.Label))
		}
		sb.WriteString(`</g>`)
	}
	maxSize := 0.0
	for _, p := range m.Points {
		maxSize = math.Max(maxSize, p.Size)
	}
	radius := func(v float64) float64 {
		if maxSize <= 0 || v <= 0 {
			return 3
		}
		return math.Round(math.Max(3, 14*math.Sqrt(v/maxSize))*10) / 10 // area proportional to value
	}
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

	// legends
	y := pj.h + 22
	if len(m.Shapes) > 0 {
		fmt.Fprintf(&sb, `<text x="8" y="%g" class="lt">%s (quantile classes)</text>`, y, esc(m.ShadeTitle))
		lo := ""
		for i, col := range ShadePalette {
			x := 8 + float64(i)*110
			fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="26" height="16" fill="%s" stroke="#777"/>`, x, y+8, col)
			var lbl string
			switch {
			case i == 0 && len(m.Breaks) > 0:
				lbl = "≤ " + format(m.Breaks[0])
			case i < len(m.Breaks):
				lbl = lo + "–" + format(m.Breaks[i])
			case len(m.Breaks) > 0:
				lbl = "> " + format(m.Breaks[len(m.Breaks)-1])
			}
			if i < len(m.Breaks) {
				lo = format(m.Breaks[i])
			}
			fmt.Fprintf(&sb, `<text x="%g" y="%g" class="ll">%s</text>`, x+30, y+21, esc(lbl))
		}
		x := 8 + float64(len(ShadePalette))*110
		fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="26" height="16" fill="url(#nodata)" stroke="#777"/><text x="%g" y="%g" class="ll">no estimate</text>`, x, y+8, x+30, y+21)
		y += 64
	}
	if len(m.Outlines) > 0 {
		x := 8.0
		for i, o := range m.Outlines {
			col := o.Color
			if col == "" {
				col = OutlinePalette[i%len(OutlinePalette)]
			}
			fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="26" height="14" fill="none" stroke="%s" stroke-width="2.2"/><text x="%g" y="%g" class="ll">%s</text>`, x, y-10, col, x+32, y+1, esc(o.Label))
			x += 40 + 8*float64(len([]rune(o.Label)))
		}
		y += 34
	}
	if len(m.Points) > 0 {
		fmt.Fprintf(&sb, `<text x="8" y="%g" class="lt">Circle size: %s</text>`, y, esc(m.SizeTitle))
		x := 20.0
		for _, f := range []float64{0.25, 0.5, 1} {
			v := maxSize * f
			r := radius(v)
			fmt.Fprintf(&sb, `<circle cx="%g" cy="%g" r="%g" fill="none" stroke="#222"/><text x="%g" y="%g" class="ll">%s</text>`, x+r, y+22, r, x+2*r+6, y+26, esc(format0(v)))
			x += 2*r + 70
		}
		y += 54
		fmt.Fprintf(&sb, `<text x="8" y="%g" class="lt">Circle colour: %s</text>`, y, esc(m.ColorTitle))
		lo := ""
		for i, col := range PointPalette {
			x := 8 + float64(i)*120
			var lbl string
			switch {
			case i == 0 && len(m.ColorBreaks) > 0:
				lbl = "≤ " + format0(m.ColorBreaks[0])
			case i < len(m.ColorBreaks):
				lbl = lo + "–" + format0(m.ColorBreaks[i])
			case len(m.ColorBreaks) > 0:
				lbl = "> " + format0(m.ColorBreaks[len(m.ColorBreaks)-1])
			}
			if i < len(m.ColorBreaks) {
				lo = format0(m.ColorBreaks[i])
			}
			fmt.Fprintf(&sb, `<circle cx="%g" cy="%g" r="7" fill="%s" stroke="#222"/><text x="%g" y="%g" class="ll">%s</text>`, x+7, y+18, col, x+20, y+23, esc(lbl))
		}
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

func format0(x float64) string { return fmt.Sprintf("%.0f", x) }

func esc(s string) string { return html.EscapeString(s) }
