package geo

import (
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
)

// signedArea is the shoelace area of ring r in its coordinates' units
// squared (square degrees for lon/lat), positive when r runs
// counter-clockwise. The edge from the last point back to the first is
// included, so r may be closed (first point repeated, as GeoJSON and orb
// rings are) or open (as in polygol's output); the sum runs over the edges
// in ring order. It is the one ring-area formula of the module: Area,
// dissolve and validation all use it.
func signedArea[P interface{ ~[]float64 | ~[2]float64 }, R ~[]P](r R) float64 {
	n := len(r)
	if n == 0 {
		return 0
	}
	s := 0.0
	for i := 1; i < n; i++ {
		s += r[i-1][0]*r[i][1] - r[i][0]*r[i-1][1]
	}
	if last := r[n-1]; last[0] != r[0][0] || last[1] != r[0][1] {
		s += last[0]*r[0][1] - r[0][0]*last[1]
	}
	return s / 2
}

// orient is the sign of the cross product (b-a) x (c-a).
func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func segmentsMeet(a, b, c, d orb.Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return o1 == 0 && onSegment(a, b, c) || o2 == 0 && onSegment(a, b, d) ||
		o3 == 0 && onSegment(c, d, a) || o4 == 0 && onSegment(c, d, b)
}

// selfIntersection finds two non-adjacent edges of a closed ring without
// repeated points that meet, by a sweep over x (edges sorted by their
// smallest x; only edges whose x ranges overlap are compared).
func selfIntersection(r orb.Ring) (int, int, bool) {
	n := len(r) - 1 // edges
	if n < 4 {
		return 0, 0, false
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	lo := func(i int) float64 { return min(r[i][0], r[i+1][0]) }
	hi := func(i int) float64 { return max(r[i][0], r[i+1][0]) }
	sort.Slice(idx, func(a, b int) bool { return lo(idx[a]) < lo(idx[b]) })
	var active []int
	for _, e := range idx {
		x := lo(e)
		k := 0
		for _, a := range active {
			if hi(a) >= x {
				active[k] = a
				k++
			}
		}
		active = active[:k]
		for _, a := range active {
			i, j := min(a, e), max(a, e)
			if j == i+1 || i == 0 && j == n-1 {
				continue // adjacent edges share a vertex
			}
			if segmentsMeet(r[i], r[i+1], r[j], r[j+1]) {
				return i, j, true
			}
		}
		active = append(active, e)
	}
	return 0, 0, false
}

// sweepScratch holds the buffers of meets, reused from ring to ring.
type sweepScratch struct {
	spans, sorted, active []span
	count                 []int32
}

// span is an edge's x range.
type span struct {
	lo, hi float64
	e      int32
}

// meets reports whether two non-adjacent edges of a closed ring without
// repeated points meet: exactly when selfIntersection finds a pair. It tests
// the same pairs (the edges whose closed x ranges overlap) with the same
// answer for each (segmentsMeetLazy, which is segmentsMeet with its tests
// reordered, each pair as (r[i], r[i+1], r[j], r[j+1]) with i < j), only in
// another order; the edges are ordered by their smallest x with a counting
// sort into one bucket per edge followed by an insertion sort, which is
// linear for the short edges of boundary rings. It does not say which pair
// selfIntersection finds first; the caller asks selfIntersection for that.
func (sc *sweepScratch) meets(r orb.Ring) bool {
	n := len(r) - 1 // edges
	if n < 4 {
		return false
	}
	spans := sc.spans[:0]
	x0, x1 := math.Inf(1), math.Inf(-1)
	for i := range n {
		a, b := r[i][0], r[i+1][0]
		s := span{min(a, b), max(a, b), int32(i)}
		x0, x1 = min(x0, s.lo), max(x1, s.hi)
		spans = append(spans, s)
	}
	sorted := append(sc.sorted[:0], spans...)
	if scale := float64(n) / (x1 - x0); scale > 0 && !math.IsInf(scale, 0) && !math.IsNaN(scale) {
		count := slices.Grow(sc.count[:0], n+1)[:n+1]
		clear(count)
		bucket := func(x float64) int { return min(int((x-x0)*scale), n-1) }
		for _, s := range spans {
			count[bucket(s.lo)+1]++
		}
		for i := 1; i <= n; i++ {
			count[i] += count[i-1]
		}
		for _, s := range spans {
			k := bucket(s.lo)
			sorted[count[k]] = s
			count[k]++
		}
		sc.count = count
	}
	for i := 1; i < n; i++ { // insertion sort, by lo
		s := sorted[i]
		j := i
		for j > 0 && sorted[j-1].lo > s.lo {
			sorted[j] = sorted[j-1]
			j--
		}
		sorted[j] = s
	}
	active := sc.active[:0]
	found := false
	for _, s := range sorted {
		k := 0
		for _, a := range active {
			if a.hi >= s.lo {
				active[k] = a
				k++
			}
		}
		active = active[:k]
		for _, a := range active {
			i, j := int(min(a.e, s.e)), int(max(a.e, s.e))
			if j == i+1 || i == 0 && j == n-1 {
				continue // adjacent edges share a vertex
			}
			if segmentsMeetLazy(r[i], r[i+1], r[j], r[j+1]) {
				found = true
				break
			}
		}
		if found {
			break
		}
		active = append(active, s)
	}
	sc.spans, sc.sorted, sc.active = spans, sorted, active
	return found
}

// segmentsMeetLazy is segmentsMeet(a, b, c, d), computing only the
// orientations and bound tests that decide it. segmentsMeet is
//
//	o1 != o2 && o3 != o4 || o1 == 0 && onSegment(a, b, c) || o2 == 0 && onSegment(a, b, d) ||
//	o3 == 0 && onSegment(c, d, a) || o4 == 0 && onSegment(c, d, b)
//
// where onSegment(a, b, c) is orient(a, b, c) == 0 (the same expression as
// o1, so o1 == 0 again) and c within a-b's bounding box. When the segments'
// y ranges are disjoint no point is within the other segment's box, so only
// the first term can hold, and not when o1 == o2. When o1 == o2 != 0 the
// first three terms are false and the last two need a or b within c-d's box.
func segmentsMeetLazy(a, b, c, d orb.Point) bool {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	if max(min(a[1], b[1]), min(c[1], d[1])) > min(max(a[1], b[1]), max(c[1], d[1])) {
		return o1 != o2 && orient(c, d, a) != orient(c, d, b)
	}
	if o1 == o2 && o1 != 0 && !inBox(c, d, a) && !inBox(c, d, b) {
		return false
	}
	return segmentsMeet(a, b, c, d)
}

// inBox reports whether p is within the bounding box of a and b, as
// onSegment tests it.
func inBox(a, b, p orb.Point) bool {
	return p[0] >= min(a[0], b[0]) && p[0] <= max(a[0], b[0]) && p[1] >= min(a[1], b[1]) && p[1] <= max(a[1], b[1])
}
