// Package svgmap draws maps as inline SVG for the HTML report: choropleths
// of polygons (one or several indicators to switch between), outlined and
// labelled areas, proportional circles coloured by a value, a scale bar, and
// HTML legends that state method and units.
//
// Input coordinates are EPSG:4326 lon/lat. Maps are drawn in the Albers
// equal-area conic projection chosen for their extent (AlbersFor), so areas
// compare fairly across the map and north is up at the centre. Polygons are
// simplified arc by arc so that shared boundaries stay shared (see
// topology), to a tolerance in pixels and, optionally, a byte budget.
//
// Every text that comes from data (names, tooltips, titles, IDs) is written
// through html.EscapeString into element content or double-quoted attribute
// values, which is the correct escaping for both contexts in HTML and SVG;
// colours are checked against a hex pattern. No data reaches an event
// handler, a URL, a style or a script. TestHostileText parses the output to
// hold that. Output is deterministic: coordinates are rounded to 0.1 px and
// everything is written in input order.
//
// A Map is read, not modified, by Render and Legend; they are safe to call
// concurrently on the same Map.
package svgmap

import (
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Map is what to draw.
type Map struct {
	// ID prefixes the SVG's element ids so that several maps can share a
	// page; letters, digits and '-' are kept, anything else dropped. Empty
	// means "map".
	ID    string
	Width float64 // px; the height follows the extent. Zero means 800.
	Title string

	// Shapes are the shaded polygons; Indicators say what their Values
	// mean. Shape.Values[i] belongs to Indicators[i]. The first indicator
	// is shown; with JavaScript the reader can switch to the others.
	Shapes     []Shape
	Indicators []Indicator

	Outlines []Outline
	// Findable are areas drawn only when the report's search box finds
	// them (neighborhoods, say): invisible until highlighted, and never in
	// the way of a tooltip.
	Findable []Findable
	Points   []Point
	// SizeTitle and ColorTitle name what the circles' area and colour show,
	// with units; ColorBreaks are the upper bounds of the colour classes
	// but the last (len(PointPalette)-1 of them). ColorFormat formats them.
	SizeTitle   string
	ColorTitle  string
	ColorBreaks []float64
	ColorFormat func(float64) string

	// Extent limits the drawing to a box; zero means the bound of
	// everything.
	Extent orb.Bound

	// Tolerance is the Douglas-Peucker tolerance in px for polygon
	// simplification; zero means 0.3 px, negative means none.
	Tolerance float64
	// MaxPathBytes, when positive, is a budget for the polygon path data:
	// the tolerance is raised step by step (×1.5) until the paths fit. The
	// budget is best effort: arc ends (junctions) are never dropped, so
	// past a 64 px tolerance the smallest paths are used even if over.
	MaxPathBytes int
}

// Indicator is one mapped value of the shapes.
type Indicator struct {
	Title  string // legend heading with units: "Median household income (2018 dollars)"
	Method string // how classes were made, shown in the legend; empty means quantile classes
	Format func(float64) string
	// Breaks are the upper bounds of the classes but the last: a value x
	// is in class i when Breaks[i-1] < x <= Breaks[i]. len(Breaks) must be
	// len(Palette)-1.
	Breaks  []float64
	Palette []string // hex colours light to dark; nil means ShadePalette
	// Interval, when set, says a value and its margin of error in the
	// tooltip ("about 18.5%, likely between 17.0% and 20.0%"); nil writes
	// "18.5% ± 1.5%" with Format.
	Interval func(est, moe float64) string
}

// Shape is a shaded polygon.
type Shape struct {
	ID   string // written as data-id
	Name string // shown in the tooltip and found by the report's search box
	// Detail is a line under the name in the tooltip (the areas the shape
	// is in: "flatlands · Fruitvale"); empty writes none.
	Detail string
	Geom   orb.MultiPolygon
	Values []Value // one per Map.Indicators; missing ones are "no estimate"
}

// Value is a shape's value for one indicator.
type Value struct {
	Estimate float64
	// MOE is the margin of error (90% for ACS) in the same units; zero or
	// NaN means none is given.
	MOE   float64
	Valid bool // false shades the shape as "no estimate"
	// Unreliable hatches the shape over its class colour.
	Unreliable bool
	// Reliability is said in the tooltip ("reliable", "use with caution:
	// CV 34%"); empty says nothing.
	Reliability string
	// Note is a reason shown in the tooltip, such as why there is no
	// estimate.
	Note string
}

// Outline is an area drawn as a labelled outline over the shapes: the
// outer edges of its polygons, which must share vertices where they touch.
type Outline struct {
	Label string
	Geom  []orb.MultiPolygon
	Color string // hex; empty picks from OutlinePalette
}

// Findable is a named area for the search box.
type Findable struct {
	Name string
	Geom orb.MultiPolygon
}

// Point is a circle.
type Point struct {
	Name  string // found by the search box
	Pos   orb.Point
	Size  float64 // value mapped to circle area
	Color float64 // value mapped to a colour class
	Valid bool    // Color is known
	Tip   string  // tooltip lines, separated by "\n"
}

// Palettes. All are colour-blind safe per ColorBrewer 2.0 (Brewer,
// colorbrewer2.org) or viridis (van der Walt and Smith 2015, matplotlib).
var (
	// ShadePalette is the five lightest classes of ColorBrewer's 6-class
	// YlGn (yellow to green), sequential: light enough that the circles
	// drawn over it (PointPalette's reds and blues) stay legible, in a hue
	// none of them uses.
	ShadePalette = []string{"#ffffcc", "#d9f0a3", "#addd8e", "#78c679", "#31a354"}
	// Diverging4 is ColorBrewer's 4-class BrBG (brown to blue-green), for
	// an indicator with a meaningful midpoint: browns below it,
	// blue-greens above.
	Diverging4 = []string{"#a6611a", "#dfc27d", "#80cdc1", "#018571"}
	// Blues5 is ColorBrewer's 5-class Blues, for maps without circles.
	Blues5 = []string{"#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"}
	// Viridis5 is viridis sampled at five evenly spaced points.
	Viridis5 = []string{"#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"}
	// PointPalette is ColorBrewer's 4-class RdYlBu, low to high.
	PointPalette = []string{"#d7191c", "#fdae61", "#abd9e9", "#2c7bb6"}
	// OutlinePalette is purple, magenta, orange and blue from ColorBrewer's
	// Paired and Dark2: no green, which would vanish on ShadePalette.
	OutlinePalette = []string{"#6a3d9a", "#e7298a", "#d95f02", "#1f78b4"}
)

func classOf(x float64, breaks []float64) int {
	for i, b := range breaks {
		if x <= b {
			return i
		}
	}
	return len(breaks)
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{3,8}$`)

// color returns c if it is a hex colour and def otherwise.
func color(c, def string) string {
	if hexColor.MatchString(c) {
		return c
	}
	return def
}

func (m *Map) id() string {
	var b strings.Builder
	for _, r := range m.ID {
		if r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "map"
	}
	return b.String()
}

func (in *Indicator) palette() []string {
	if len(in.Palette) > 0 {
		return in.Palette
	}
	return ShadePalette
}

func (in *Indicator) format(x float64) string {
	if in.Format != nil {
		return in.Format(x)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// frame maps lon/lat to pixels: Albers for the extent, scaled to the width.
type frame struct {
	a         Albers
	proj      albersProjector // a's constants
	x0, y1    float64         // projected min x and max y, metres
	scale     float64         // px per projected metre
	w, h, pad float64
	kCentre   float64 // scale factor along the centre parallel
}

func newFrame(b orb.Bound, width float64) frame {
	a := AlbersFor(b)
	// project a dense outline of the bound: the parallels are arcs
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i <= 16; i++ {
		f := float64(i) / 16
		for _, p := range []orb.Point{
			{b.Min[0] + f*(b.Max[0]-b.Min[0]), b.Min[1]},
			{b.Min[0] + f*(b.Max[0]-b.Min[0]), b.Max[1]},
			{b.Min[0], b.Min[1] + f*(b.Max[1]-b.Min[1])},
			{b.Max[0], b.Min[1] + f*(b.Max[1]-b.Min[1])},
		} {
			x, y := a.Project(p)
			minX, maxX = math.Min(minX, x), math.Max(maxX, x)
			minY, maxY = math.Min(minY, y), math.Max(maxY, y)
		}
	}
	pad := 8.0
	dx, dy := maxX-minX, maxY-minY
	if dx <= 0 {
		dx = 1
	}
	if dy <= 0 {
		dy = 1
	}
	scale := (width - 2*pad) / dx
	return frame{a: a, proj: a.projector(), x0: minX, y1: maxY, scale: scale, w: width, h: math.Round(dy*scale + 2*pad), pad: pad,
		kCentre: a.ScaleAlongParallel(a.Lat0)}
}

func (f frame) xy(p orb.Point) xy {
	x, y := f.proj.project(p)
	return xy{f.pad + (x-f.x0)*f.scale, f.pad + (f.y1-y)*f.scale}
}

// tenths rounds a pixel coordinate to an integer count of 0.1 px.
func tenths(v float64) int { return int(math.Round(v * 10)) }

// num writes n tenths as a decimal: 1234 -> "123.4", -5 -> "-.5", 30 -> "3".
func num(sb *strings.Builder, n int) {
	if n < 0 {
		sb.WriteByte('-')
		n = -n
	}
	if q := n / 10; q > 0 {
		sb.WriteString(strconv.Itoa(q))
	} else if n%10 == 0 {
		sb.WriteByte('0')
	}
	if r := n % 10; r != 0 {
		sb.WriteByte('.')
		sb.WriteByte(byte('0' + r))
	}
}

func pxs(v float64) string {
	var sb strings.Builder
	num(&sb, tenths(v))
	return sb.String()
}

// ringsPath writes rings (pixels) as SVG path data with relative moves on a
// 0.1 px grid; points that round onto the previous one are dropped.
func ringsPath(sb *strings.Builder, rings [][]xy) {
	cx, cy := 0, 0
	started := false
	for _, r := range rings {
		if len(r) < 4 {
			continue
		}
		n := 0
		var lx, ly int
		for i, p := range r[:len(r)-1] {
			x, y := tenths(p[0]), tenths(p[1])
			if i > 0 && x == lx && y == ly {
				continue
			}
			switch {
			case n == 0 && !started:
				sb.WriteByte('M')
				num(sb, x)
				sb.WriteByte(' ')
				num(sb, y)
			case n == 0:
				sb.WriteByte('m')
				pair(sb, x-cx, y-cy)
			case n == 1:
				sb.WriteByte('l')
				pair(sb, x-cx, y-cy)
			default:
				if x-cx >= 0 {
					sb.WriteByte(' ')
				}
				pair(sb, x-cx, y-cy)
			}
			cx, cy, lx, ly = x, y, x, y
			n++
			started = true
		}
		sb.WriteByte('z')
		// after z the current point is the ring's start
		cx, cy = tenths(r[0][0]), tenths(r[0][1])
	}
}

func pair(sb *strings.Builder, dx, dy int) {
	num(sb, dx)
	if dy >= 0 {
		sb.WriteByte(' ')
	}
	num(sb, dy)
}

func esc(s string) string { return html.EscapeString(s) }

// bound returns the extent to draw: Extent when set, else the bound of
// everything on the map.
func (m *Map) bound() orb.Bound {
	if b := m.Extent; !(b.IsEmpty() || b == (orb.Bound{})) {
		return b
	}
	if b, ok := m.contentBound(true); ok {
		return b
	}
	return m.Extent
}

// FrameOnOverlays sets Extent to the bound of the outlines and points,
// padded by pad degrees on every side, so that a county-wide layer of shapes
// does not shrink a city's areas and places to a corner. Without outlines
// or points it leaves Extent as it is.
func (m *Map) FrameOnOverlays(pad float64) {
	if b, ok := m.contentBound(false); ok {
		m.Extent = b.Pad(pad)
	}
}

// contentBound is the union of the bounds of the outlines and points (and
// of the shapes when shapes is true); ok is false when there is nothing.
func (m *Map) contentBound(shapes bool) (b orb.Bound, ok bool) {
	grow := func(x orb.Bound) {
		if !ok {
			b, ok = x, true
		} else {
			b = b.Union(x)
		}
	}
	if shapes {
		for _, s := range m.Shapes {
			grow(s.Geom.Bound())
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
	return b, ok
}

// projectRings projects every ring of the multipolygons (of at least four
// points), closing it when open, and returns them flat with, per
// multipolygon, the range of its rings. Multipolygons are projected on
// every core.
func projectRings(f frame, geoms []orb.MultiPolygon) (rings [][]xy, spans [][2]int) {
	spans = make([][2]int, len(geoms))
	n := 0
	for gi, g := range geoms {
		start := n
		for _, poly := range g {
			for _, r := range poly {
				if len(r) >= 4 {
					n++
				}
			}
		}
		spans[gi] = [2]int{start, n}
	}
	rings = make([][]xy, n)
	forChunks(len(geoms), func(lo, hi int) {
		for gi := lo; gi < hi; gi++ {
			k := spans[gi][0]
			for _, poly := range geoms[gi] {
				for _, r := range poly {
					if len(r) < 4 {
						continue
					}
					pr := make([]xy, len(r), len(r)+1)
					for i, p := range r {
						pr[i] = f.xy(p)
					}
					if pr[0] != pr[len(pr)-1] {
						pr = append(pr, pr[0])
					}
					rings[k] = pr
					k++
				}
			}
		}
	})
	return rings, spans
}

// simplifiedPaths returns the path data of each multipolygon, simplified
// with shared edges kept shared, within budget bytes when budget > 0.
func simplifiedPaths(f frame, geoms []orb.MultiPolygon, tol float64, budget int) ([]string, float64) {
	rings, spans := projectRings(f, geoms)
	topo := newTopology(rings)
	if tol == 0 {
		tol = 0.3
	}
	for {
		var simp [][]xy
		if tol < 0 {
			simp = rings
		} else {
			simp = topo.simplify(tol)
		}
		paths := make([]string, len(spans))
		forChunks(len(spans), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				var sb strings.Builder
				ringsPath(&sb, simp[spans[i][0]:spans[i][1]])
				paths[i] = sb.String()
			}
		})
		total := 0
		for _, p := range paths {
			total += len(p)
		}
		if budget <= 0 || total <= budget || tol < 0 || tol > 64 {
			return paths, tol
		}
		tol *= 1.5
	}
}
