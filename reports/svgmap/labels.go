package svgmap

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// box is an axis-aligned rectangle in pixels.
type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

// labelSize estimates the box of a label in bold text of the given size:
// 0.62 em per character on average for system sans-serif fonts, plus the
// halo.
func labelSize(s string, size float64) (w, h float64) {
	return float64(len([]rune(s)))*size*0.62 + 6, size * 1.3
}

// writeLabels names each outlined area once, inside it, where the label
// does not overlap a circle or another label. Candidates are the centres
// of a 24×24 grid over the area's bound that fall inside it, tried from the
// one farthest from the area's edge; where none is free the label is tried
// at 80% and 60% of its size, then at those sizes over circles (never over
// another label); an area where still none is free is left unlabelled (its
// colour in the legend still names it). Larger areas
// are placed first. Labels are written twice, in 14 px text for wide
// screens (class "labels") and in text size 30 for phones (class
// "labels-lg", where the map shows at about a third of its width); the
// report's CSS shows one of them.
func (m *Map) writeLabels(sb *strings.Builder, f frame, taken []box) {
	m.writeLabelSet(sb, f, taken, 14, "labels")
	m.writeLabelSet(sb, f, taken, 30, "labels-lg")
}

func (m *Map) writeLabelSet(sb *strings.Builder, f frame, taken []box, size float64, class string) {
	nCircles := len(taken)
	taken = append([]box(nil), taken...)
	type cand struct {
		x, y, d float64
	}
	type job struct {
		label string
		area  float64
		cands []cand
		color string
	}
	var jobs []job
	for i, o := range m.Outlines {
		if o.Label == "" {
			continue
		}
		rings, _ := projectRings(f, o.Geom)
		edges := outerEdges(rings)
		if len(edges) == 0 {
			continue
		}
		bx := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		area := 0.0
		for _, r := range rings {
			for j, p := range r {
				bx.x0, bx.y0 = math.Min(bx.x0, p[0]), math.Min(bx.y0, p[1])
				bx.x1, bx.y1 = math.Max(bx.x1, p[0]), math.Max(bx.y1, p[1])
				if j+1 < len(r) {
					area += p[0]*r[j+1][1] - r[j+1][0]*p[1]
				}
			}
		}
		var cs []cand
		const n = 24
		for gy := 0; gy < n; gy++ {
			for gx := 0; gx < n; gx++ {
				x := bx.x0 + (float64(gx)+0.5)*(bx.x1-bx.x0)/n
				y := bx.y0 + (float64(gy)+0.5)*(bx.y1-bx.y0)/n
				if !inside(rings, xy{x, y}) {
					continue
				}
				d := math.Inf(1)
				for _, e := range edges {
					d = math.Min(d, segDist2(xy{x, y}, e.a, e.b))
				}
				cs = append(cs, cand{x, y, math.Sqrt(d)})
			}
		}
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].d > cs[b].d })
		jobs = append(jobs, job{o.Label, math.Abs(area), cs, color(o.Color, OutlinePalette[i%len(OutlinePalette)])})
	}
	sort.SliceStable(jobs, func(a, b int) bool { return jobs[a].area > jobs[b].area })
	fmt.Fprintf(sb, `<g class="%s" font-size="%g" font-weight="700" text-anchor="middle" paint-order="stroke" stroke="#fff" stroke-width="%g" stroke-linejoin="round">`, class, size, size/3.5)
	for _, j := range jobs {
		// the full size where it fits, else smaller (down to 60%), else
		// over circles (never over another label)
		placed := false
		for _, try := range []struct {
			k       float64
			circles bool
		}{{1, true}, {0.8, true}, {0.6, true}, {0.8, false}, {0.6, false}} {
			sz := size * try.k
			w, h := labelSize(j.label, sz)
			for _, c := range j.cands {
				b := box{c.x - w/2, c.y - h/2, c.x + w/2, c.y + h/2}
				if b.x0 < 2 || b.y0 < 2 || b.x1 > f.w-2 || b.y1 > f.h-2 {
					continue
				}
				free := true
				for k, t := range taken {
					if (try.circles || k >= nCircles) && b.overlaps(t) {
						free = false
						break
					}
				}
				if !free {
					continue
				}
				taken = append(taken, b)
				if try.k == 1 {
					fmt.Fprintf(sb, `<text x="%s" y="%s" fill="%s">%s</text>`, pxs(c.x), pxs(c.y+sz*0.36), darker(j.color), esc(j.label))
				} else {
					fmt.Fprintf(sb, `<text x="%s" y="%s" fill="%s" font-size="%s">%s</text>`, pxs(c.x), pxs(c.y+sz*0.36), darker(j.color), pxs(sz), esc(j.label))
				}
				placed = true
				break
			}
			if placed {
				break
			}
		}
	}
	sb.WriteString(`</g>`)
}

// inside reports whether p is inside the rings by the even-odd rule.
func inside(rings [][]xy, p xy) bool {
	in := false
	for _, r := range rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
				in = !in
			}
		}
	}
	return in
}

// darker returns a hex colour at 70% brightness, for label text that must
// read on light fills.
func darker(c string) string {
	if len(c) != 7 {
		return "#222222"
	}
	var r, g, b int
	if _, err := fmt.Sscanf(c, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return "#222222"
	}
	return fmt.Sprintf("#%02x%02x%02x", r*7/10, g*7/10, b*7/10)
}
