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
	var ys []float64
	for _, r := range poly {
		for _, p := range r {
			ys = append(ys, p[1])
		}
	}
	sort.Float64s(ys)
	mid := (ys[0] + ys[len(ys)-1]) / 2
	// The two distinct vertex latitudes around the middle.
	k := sort.SearchFloat64s(ys, mid)
	lo, hi := ys[max(k-1, 0)], ys[min(k, len(ys)-1)]
	for k > 0 && lo == hi {
		k--
		lo = ys[k]
	}
	for j := k; j < len(ys) && hi <= lo; j++ {
		hi = ys[j]
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
