package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// RepresentativePoint returns a point strictly inside mp (for valid
// polygons): on the polygon with the largest area, the horizontal line
// through the middle of its latitudes (placed halfway between two vertex
// latitudes, so it meets no vertex) cuts the interior into intervals, and the
// point is the midpoint of the widest. Unlike the centroid it is never in a
// hole or outside a crescent-shaped polygon. Empty input returns the zero
// point.
func RepresentativePoint(mp orb.MultiPolygon) orb.Point {
	best, bestArea := -1, -1.0
	for i, p := range mp {
		if len(p) == 0 {
			continue
		}
		a := math.Abs(signedArea(p[0]))
		for _, h := range p[1:] {
			a -= math.Abs(signedArea(h))
		}
		if a > bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 {
		return orb.Point{}
	}
	poly := mp[best]
	// lo and hi are the vertex latitudes either side of the middle: the
	// largest below mid and the smallest at or above it (as a sorted list
	// of the latitudes searched for mid gives them, without sorting it).
	y0, y1 := math.Inf(1), math.Inf(-1)
	for _, r := range poly {
		for _, p := range r {
			y0, y1 = min(y0, p[1]), max(y1, p[1])
		}
	}
	mid := (y0 + y1) / 2
	lo, hi := math.Inf(-1), math.Inf(1)
	for _, r := range poly {
		for _, p := range r {
			if v := p[1]; v < mid {
				lo = max(lo, v)
			} else {
				hi = min(hi, v)
			}
		}
	}
	if math.IsInf(lo, -1) {
		// No latitude below the middle (all equal, or mid rounded down
		// to the smallest): the smallest and the next one up.
		lo, hi = y0, math.Inf(1)
		for _, r := range poly {
			for _, p := range r {
				if v := p[1]; v > lo {
					hi = min(hi, v)
				}
			}
		}
		if math.IsInf(hi, 1) {
			hi = lo
		}
	}
	y := (lo + hi) / 2
	var xs []float64
	for _, r := range poly {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	bx, bw := poly[0][0][0], -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bw {
			bx, bw = (xs[i]+xs[i+1])/2, w
		}
	}
	return orb.Point{bx, y}
}

// RepresentativePoints returns RepresentativePoint of every feature of l, in
// feature order, computed on up to GOMAXPROCS goroutines.
func RepresentativePoints(l *Layer) []orb.Point {
	pts := make([]orb.Point, len(l.Features))
	const chunk = 1024
	parallel((len(pts)+chunk-1)/chunk, func(c int) {
		for i := c * chunk; i < min(len(pts), (c+1)*chunk); i++ {
			pts[i] = RepresentativePoint(l.Features[i].Geom)
		}
	})
	return pts
}
