package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Dissolve returns the union of polygons that tile a region without
// overlapping and share their common edges vertex for vertex, as tracts of
// one Census partition do (TIGER/Line and cartographic boundary files): the
// tracts of a county dissolve into the county.
//
// It cancels every edge that two of the polygons walk in opposite directions
// (a shared boundary) and chains the remaining edges into rings, turning as
// far left as possible where rings touch at a vertex so that each ring stays
// simple. Counter-clockwise rings become outer rings and clockwise rings
// holes, each hole assigned to the smallest outer ring that contains it. The
// result is deterministic for a given input order.
//
// Inputs may have either orientation (rings are oriented first: outers
// counter-clockwise, holes clockwise). Where neighbours do not share
// vertices exactly, both sides of their common boundary survive and the
// result has zero-width seams there: still the right area and coverage, but
// not a single clean ring; Union (polygol) is the general, slower operation.
// Rings with fewer than three distinct points are ignored. An empty input
// gives an empty MultiPolygon.
func Dissolve(polys []orb.MultiPolygon) orb.MultiPolygon {
	type edge struct{ a, b orb.Point }
	var order []edge        // surviving candidates in input order
	count := map[edge]int{} // directed edge -> times walked, net of cancellations
	for _, mp := range polys {
		for _, poly := range mp {
			for ri, r := range poly {
				r = openRing(r)
				if len(r) < 3 {
					continue
				}
				ccw := signedArea(r) > 0
				if (ri == 0) != ccw { // outer rings counter-clockwise, holes clockwise
					r = reversed(r)
				}
				for i := range r {
					e := edge{r[i], r[(i+1)%len(r)]}
					if e.a == e.b {
						continue
					}
					rev := edge{e.b, e.a}
					if count[rev] > 0 {
						count[rev]--
						continue
					}
					count[e]++
					order = append(order, e)
				}
			}
		}
	}
	out := map[orb.Point][]orb.Point{} // vertex -> ends of its surviving outgoing edges
	for _, e := range order {
		if count[e] > 0 {
			count[e]--
			out[e.a] = append(out[e.a], e.b)
		}
	}
	var rings []orb.Ring
	for _, e := range order {
		if !take(out, e.a, e.b) {
			continue // used by an earlier ring (or cancelled)
		}
		ring := orb.Ring{e.a, e.b}
		prev, cur := e.a, e.b
		for cur != e.a {
			next, ok := leftmost(out[cur], prev, cur)
			if !ok {
				break // cannot happen for closed inputs; leave the ring open
			}
			take(out, cur, next)
			ring = append(ring, next)
			prev, cur = cur, next
		}
		if cur == e.a && len(ring) >= 4 {
			rings = append(rings, ring)
		}
	}
	return assemble(rings)
}

// take removes one edge a->b from out, reporting whether there was one.
func take(out map[orb.Point][]orb.Point, a, b orb.Point) bool {
	ends := out[a]
	for i, e := range ends {
		if e == b {
			out[a] = append(ends[:i], ends[i+1:]...)
			return true
		}
	}
	return false
}

// leftmost picks, among the ends of the edges leaving cur, the one that
// turns furthest left (counter-clockwise) from the direction prev->cur.
func leftmost(ends []orb.Point, prev, cur orb.Point) (orb.Point, bool) {
	if len(ends) == 0 {
		return orb.Point{}, false
	}
	in := math.Atan2(cur[1]-prev[1], cur[0]-prev[0])
	best, bestTurn := ends[0], math.Inf(-1)
	for _, e := range ends {
		turn := math.Atan2(e[1]-cur[1], e[0]-cur[0]) - in
		for turn <= -math.Pi {
			turn += 2 * math.Pi
		}
		for turn > math.Pi {
			turn -= 2 * math.Pi
		}
		if turn > bestTurn {
			best, bestTurn = e, turn
		}
	}
	return best, true
}

// assemble groups closed rings into polygons: counter-clockwise rings are
// outers, ordered by decreasing area; each clockwise ring is a hole of the
// smallest outer that contains it (or, failing that, becomes an outer of its
// own, reversed).
func assemble(rings []orb.Ring) orb.MultiPolygon {
	var outers, holes []orb.Ring
	for _, r := range rings {
		if signedArea(r) > 0 {
			outers = append(outers, r)
		} else {
			holes = append(holes, r)
		}
	}
	sort.SliceStable(outers, func(i, j int) bool { return signedArea(outers[i]) > signedArea(outers[j]) })
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = orb.Polygon{o}
	}
	for _, h := range holes {
		owner := -1
		for i := len(outers) - 1; i >= 0; i-- { // smallest first
			if holeInside(h, outers[i]) {
				owner = i
				break
			}
		}
		if owner < 0 {
			mp = append(mp, orb.Polygon{reversed(h)})
			continue
		}
		mp[owner] = append(mp[owner], h)
	}
	return mp
}

// holeInside reports whether ring h lies inside ring o, judged at the first
// vertex of h that is not on o (holes may touch their outer at a vertex).
func holeInside(h, o orb.Ring) bool {
	b := o.Bound()
	for _, p := range h {
		if !b.Contains(p) {
			return false
		}
		onO := false
		for _, q := range o {
			if q == p {
				onO = true
				break
			}
		}
		if !onO {
			return planar.RingContains(o, p)
		}
	}
	return false
}

// openRing returns r without its closing point (when first == last).
func openRing(r orb.Ring) orb.Ring {
	if n := len(r); n > 1 && r[0] == r[n-1] {
		return r[:n-1]
	}
	return r
}
