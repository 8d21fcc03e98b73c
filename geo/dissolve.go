package geo

import (
	"math"
	"slices"
	"sort"
	"sync"

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
// gives an empty MultiPolygon. Points are equal by == (0 and -0 are one
// point); coordinates must not be NaN (Read rejects them).
//
// Dissolve is safe for concurrent use; its working memory is reused across
// calls (a sync.Pool), so dissolving many counties in turn allocates little
// more than the output.
func Dissolve(polys []orb.MultiPolygon) orb.MultiPolygon {
	d := scratchPool.Get().(*scratch)
	defer scratchPool.Put(d)
	d.orientedWalks(polys)
	d.vertexIDs()
	d.cancelShared()
	ws := d.ws

	// the ends of the surviving edges leaving each vertex, in input order:
	// a slice per vertex cut from one array (CSR), shrunk in place as rings
	// take edges
	nv := d.nv
	start := grow(&d.start, nv+1)
	clear(start)
	for i := range ws {
		if d.survives[i] {
			start[ws[i].ia+1]++
		}
	}
	for v := range nv {
		start[v+1] += start[v]
	}
	fill := grow(&d.fill, nv) // ends placed so far, per vertex
	clear(fill)
	ends := grow(&d.ends, int(start[nv])) // walk index of each end
	for i := range ws {
		if d.survives[i] {
			a := ws[i].ia
			ends[start[a]+fill[a]] = int32(i)
			fill[a]++
		}
	}
	out := func(v int32) []int32 { return ends[start[v] : start[v]+fill[v]] }
	take := func(a, b int32) bool {
		l := out(a)
		for i, w := range l {
			if ws[w].ib == b {
				copy(l[i:], l[i+1:])
				fill[a]--
				return true
			}
		}
		return false
	}

	var rings []orb.Ring
	for i := range ws {
		if !d.appended[i] {
			continue
		}
		e := &ws[i]
		if !take(e.ia, e.ib) {
			continue // used by an earlier ring (or cancelled)
		}
		ring := append(d.ring[:0], e.a, e.b)
		prev, cur, curID := e.a, e.b, e.ib
		for curID != e.ia {
			w, ok := leftmost(ws, out(curID), prev, cur)
			if !ok {
				break // cannot happen for closed inputs; leave the ring open
			}
			next := &ws[w]
			take(curID, next.ib)
			ring = append(ring, next.b)
			prev, cur, curID = cur, next.b, next.ib
		}
		d.ring = ring
		if curID == e.ia && len(ring) >= 4 {
			rings = append(rings, slices.Clone(ring))
		}
	}
	return assemble(rings)
}

// walk is one directed edge a->b of an oriented input ring, with the ids
// of its ends (equal ids for equal points).
type walk struct {
	a, b   orb.Point
	ia, ib int32
}

// scratch is the working memory of one Dissolve call.
type scratch struct {
	ws                      []walk
	next                    []int32 // next[i]: the walk that starts where walk i ends
	table                   []int32 // vertexIDs' open-addressing table
	nv                      int     // distinct vertices
	start, fill, ends, byLo []int32
	appended, survives      []bool
	ring                    orb.Ring
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// grow returns (*s)[:n], reallocating *s when it is shorter; the contents
// are not cleared.
func grow[T any](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	}
	*s = (*s)[:n]
	return *s
}

// orientedWalks sets d.ws to the non-degenerate edges of every ring with
// at least three distinct points, outer rings walked counter-clockwise and
// holes clockwise, in input order, and d.next.
func (d *scratch) orientedWalks(polys []orb.MultiPolygon) {
	ws, next := d.ws[:0], d.next[:0]
	for _, mp := range polys {
		for _, poly := range mp {
			for ri, r := range poly {
				r = openRing(r)
				n := len(r)
				if n < 3 {
					continue
				}
				ccw := signedArea(r) > 0
				first := len(ws)
				if (ri == 0) == ccw {
					for i := range n {
						a, b := r[i], r[0]
						if i+1 < n {
							b = r[i+1]
						}
						if a != b {
							ws = append(ws, walk{a: a, b: b})
							next = append(next, int32(len(ws)))
						}
					}
				} else {
					// outer rings counter-clockwise, holes clockwise: walk
					// the ring backwards, from its last point
					for j := n - 1; j >= 0; j-- {
						a, b := r[j], r[n-1]
						if j > 0 {
							b = r[j-1]
						}
						if a != b {
							ws = append(ws, walk{a: a, b: b})
							next = append(next, int32(len(ws)))
						}
					}
				}
				if len(ws) > first {
					// between two kept edges only zero-length ones were
					// skipped: each walk ends where the next one starts
					next[len(ws)-1] = int32(first)
				}
			}
		}
	}
	d.ws, d.next = ws, next
}

// vertexIDs numbers the distinct points of the walks (equal by ==, as map
// keys are: 0 and -0 are one point; coordinates are not NaN, as Read
// guarantees) in order of first appearance, and sets each walk's ia, and
// its ib from the start of walk next[i]. The lookup table is open
// addressing over walk numbers (the first walk from each vertex), sized
// once for all the walks, at most half full: no map, no growth.
func (d *scratch) vertexIDs() {
	ws := d.ws
	size := 1
	for size < 2*len(ws) {
		size <<= 1
	}
	table := grow(&d.table, size) // walk whose start is the vertex, + 1; 0 is empty
	clear(table)
	mask := uint64(size - 1)
	nid := int32(0)
	for i := range ws {
		p := ws[i].a
		h := PointHash(p) & mask
		for {
			w := table[h]
			if w == 0 {
				table[h] = int32(i + 1)
				ws[i].ia = nid
				nid++
				break
			}
			if ws[w-1].a == p {
				ws[i].ia = ws[w-1].ia
				break
			}
			h = (h + 1) & mask
		}
	}
	for i := range ws {
		ws[i].ib = ws[d.next[i]].ia
	}
	d.nv = int(nid)
}

// PointHash mixes the bits of p's coordinates into 64 bits (the finalizer
// of SplitMix64), equal for equal points: 0 and -0 hash alike, as they
// compare equal. It is for open-addressing tables of points, which look
// nothing up in a Go map (geo.Dissolve, the map's shared-edge topology in
// reports/svgmap).
func PointHash(p orb.Point) uint64 {
	h := math.Float64bits(p[0]+0)*0x9e3779b97f4a7c15 ^ math.Float64bits(p[1]+0)
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// cancelShared cancels edges walked both ways as a count per directed edge
// does in input order: a walk cancels an earlier unmatched walk of the
// reverse edge, or else is appended (becomes a candidate). Of the appended
// walks of a directed edge, the first ones (as many as the count left at
// the end) survive. Walks are grouped by undirected edge with a counting
// sort on the lower vertex id, so no map is needed. It sets d.appended and
// d.survives.
func (d *scratch) cancelShared() {
	ws, nv := d.ws, d.nv
	lo := func(w *walk) int32 { return min(w.ia, w.ib) }
	hi := func(w *walk) int32 { return max(w.ia, w.ib) }
	start := grow(&d.start, nv+1)
	clear(start)
	for i := range ws {
		start[lo(&ws[i])+1]++
	}
	for v := range nv {
		start[v+1] += start[v]
	}
	byLo := grow(&d.byLo, len(ws))
	fill := grow(&d.fill, nv)
	copy(fill, start[:nv])
	for i := range ws {
		l := lo(&ws[i])
		byLo[fill[l]] = int32(i)
		fill[l]++
	}
	appended := grow(&d.appended, len(ws))
	survives := grow(&d.survives, len(ws))
	clear(appended)
	clear(survives)
	for v := range nv {
		b := byLo[start[v]:start[v+1]]
		// stable insertion sort by the higher end: the walks of one edge
		// stay in input order (a bucket holds the few edges at a vertex)
		for i := 1; i < len(b); i++ {
			for j := i; j > 0 && hi(&ws[b[j]]) < hi(&ws[b[j-1]]); j-- {
				b[j], b[j-1] = b[j-1], b[j]
			}
		}
		for g := 0; g < len(b); {
			h := hi(&ws[b[g]])
			e := g + 1
			for e < len(b) && hi(&ws[b[e]]) == h {
				e++
			}
			dir := func(w int32) int { // 0 leaving vertex v, 1 arriving
				if ws[w].ia == int32(v) {
					return 0
				}
				return 1
			}
			var count [2]int
			for _, w := range b[g:e] {
				d := dir(w)
				if count[1-d] > 0 {
					count[1-d]--
					continue
				}
				count[d]++
				appended[w] = true
			}
			for _, w := range b[g:e] {
				if d := dir(w); appended[w] && count[d] > 0 {
					count[d]--
					survives[w] = true
				}
			}
			g = e
		}
	}
}

// leftmost picks, among the walks ends leaving cur, the one whose end
// turns furthest left (counter-clockwise) from the direction prev->cur,
// the first of equal turns.
func leftmost(ws []walk, ends []int32, prev, cur orb.Point) (int32, bool) {
	switch len(ends) {
	case 0:
		return 0, false
	case 1:
		return ends[0], true // the only way on, whatever its turn
	}
	in := math.Atan2(cur[1]-prev[1], cur[0]-prev[0])
	best, bestTurn := ends[0], math.Inf(-1)
	for _, w := range ends {
		e := ws[w].b
		turn := math.Atan2(e[1]-cur[1], e[0]-cur[0]) - in
		for turn <= -math.Pi {
			turn += 2 * math.Pi
		}
		for turn > math.Pi {
			turn -= 2 * math.Pi
		}
		if turn > bestTurn {
			best, bestTurn = w, turn
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
