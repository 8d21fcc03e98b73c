package svgmap

import (
	"math"
	"runtime"
	"sync"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
)

// xy is a projected point in map pixels.
type xy [2]float64

func less(a, b xy) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }

// topology holds polygon rings cut into arcs at their junctions, so that an
// edge shared by two neighbours is simplified once, the same way for both,
// and stays shared after simplification (the approach of TopoJSON: Bostock,
// topojson/topojson-server, "extract/cut/dedup" stages).
//
// A junction is a vertex with more than two distinct neighbouring vertices
// over all rings: where the boundary between two areas meets a third area,
// or where a shared boundary ends. Neighbours must share vertices exactly,
// as polygons cut from one planar partition (Census tracts, TIGER-based
// cartographic boundaries) do; where they do not, each side is simplified on
// its own and slivers may open up to the tolerance.
type topology struct {
	rings [][]xy   // closed rings (first == last)
	isJ   [][]bool // isJ[r][i]: vertex i of ring r is a junction
}

// newTopology finds the junctions of rings (closed, first == last). It
// uses every core; the result does not depend on how many.
func newTopology(rings [][]xy) *topology {
	// Vertices are split by hash into shards, one per core; each shard's
	// goroutine reads every ring and keeps the vertices that hash to it.
	// A vertex's junction status does not depend on the order its
	// neighbours are seen in, so the result is the same for any number of
	// shards.
	n := 0
	for _, r := range rings {
		n += len(r)
	}
	shards := 1
	for shards < runtime.GOMAXPROCS(0) && shards < 16 && n > 1<<14 {
		shards <<= 1
	}
	tables := make([]nodeTable, shards)
	var wg sync.WaitGroup
	for s := range tables {
		wg.Go(func() {
			t := newNodeTable(2 * n / shards)
			for _, r := range rings {
				m := len(r) - 1 // r[m] == r[0]
				for i := 0; i < m; i++ {
					h := xyHash(r[i])
					if int(h>>32)&(shards-1) != s {
						continue
					}
					nd := t.find(r[i], h)
					nd.add(r[(i+m-1)%m])
					nd.add(r[i+1])
				}
			}
			tables[s] = t
		})
	}
	wg.Wait()
	// Mark junctions per vertex once, so that simplify (run again at each
	// tolerance the byte budget tries) looks nothing up.
	isJ := make([][]bool, len(rings))
	forChunks(len(rings), func(lo, hi int) {
		for ri := lo; ri < hi; ri++ {
			r := rings[ri]
			isJ[ri] = make([]bool, len(r))
			m := len(r) - 1
			for i := 0; i < m; i++ {
				h := xyHash(r[i])
				isJ[ri][i] = tables[int(h>>32)&(shards-1)].lookup(r[i], h).k > 2
			}
			if m > 0 {
				isJ[ri][m] = isJ[ri][0] // the closing point is the first
			}
		}
	})
	return &topology{rings: rings, isJ: isJ}
}

// node is a distinct vertex of a topology: its first two distinct
// neighbours, and whether it has a third (a junction).
type node struct {
	p  xy
	nb [2]xy
	k  uint8 // neighbours in nb; 3 once a third is seen (a junction)
}

func (nd *node) add(q xy) {
	if nd.k > 2 {
		return
	}
	for _, x := range nd.nb[:nd.k] {
		if x == q {
			return
		}
	}
	if nd.k == 2 {
		nd.k = 3
		return
	}
	nd.nb[nd.k] = q
	nd.k++
}

// nodeTable finds the node of a vertex through an open-addressing table of
// node numbers, kept at most half full (no Go map: no per-entry hashing
// of structs, no incremental growth).
type nodeTable struct {
	slots []int32 // node number + 1; 0 is empty; len is a power of two
	nodes []node
}

func newNodeTable(hint int) nodeTable {
	size := 16
	for size < hint {
		size <<= 1
	}
	return nodeTable{slots: make([]int32, size), nodes: make([]node, 0, hint/4+1)}
}

// find returns the node of p (h is xyHash(p)), adding it when new.
func (t *nodeTable) find(p xy, h uint64) *node {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		v := t.slots[i]
		if v == 0 {
			t.nodes = append(t.nodes, node{p: p})
			t.slots[i] = int32(len(t.nodes))
			if 2*len(t.nodes) > len(t.slots) {
				t.grow()
			}
			return &t.nodes[len(t.nodes)-1]
		}
		if t.nodes[v-1].p == p {
			return &t.nodes[v-1]
		}
	}
}

// lookup returns the node of p (h is xyHash(p)), which must be in t.
func (t *nodeTable) lookup(p xy, h uint64) *node {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if v := t.slots[i]; t.nodes[v-1].p == p {
			return &t.nodes[v-1]
		}
	}
}

func (t *nodeTable) grow() {
	t.slots = make([]int32, 2*len(t.slots))
	mask := uint64(len(t.slots) - 1)
	for k := range t.nodes {
		i := xyHash(t.nodes[k].p) & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = int32(k + 1)
	}
}

// xyHash is geo.PointHash of p.
func xyHash(p xy) uint64 { return geo.PointHash(orb.Point(p)) }

// simplify returns each ring simplified with Douglas-Peucker at tolerance
// tol (pixels), arc by arc. Rings that fall below three distinct points are
// returned empty. Rings are simplified on every core; each ring's result
// depends only on the ring and its junctions.
func (t *topology) simplify(tol float64) [][]xy {
	out := make([][]xy, len(t.rings))
	forChunks(len(t.rings), func(lo, hi int) {
		for ri := lo; ri < hi; ri++ {
			if s := t.simplifyRing(ri, tol); len(s) >= 4 {
				out[ri] = s
			}
		}
	})
	return out
}

// simplifyRing returns ring ri simplified at tolerance tol, arc by arc
// (nil for a ring of fewer than three distinct points).
func (t *topology) simplifyRing(ri int, tol float64) []xy {
	r := t.rings[ri]
	n := len(r) - 1
	if n < 3 {
		return nil
	}
	j := t.isJ[ri]
	start := -1
	for i := 0; i < n; i++ {
		if j[i] {
			start = i
			break
		}
	}
	var res []xy
	if start < 0 {
		res = simplifyClosed(r[:n], tol)
	} else {
		// walk the ring from the first junction, cutting at each junction
		res = append(res, r[start])
		arc := []xy{r[start]}
		for k := 1; k <= n; k++ {
			p := r[(start+k)%n]
			arc = append(arc, p)
			if j[(start+k)%n] {
				s := simplifyArc(arc, tol)
				res = append(res, s[1:]...)
				arc = append(arc[:0], p)
			}
		}
	}
	return res
}

// simplifyArc simplifies an open arc keeping its ends, in a canonical
// direction so that the same arc walked either way gives the same points.
func simplifyArc(arc []xy, tol float64) []xy {
	first, last := arc[0], arc[len(arc)-1]
	rev := less(last, first)
	if first == last && len(arc) > 2 {
		rev = less(arc[len(arc)-2], arc[1])
	}
	a := arc
	if rev {
		a = reversed(arc)
	}
	keep := douglasPeucker(a, tol)
	s := make([]xy, 0, len(keep))
	for i, k := range keep {
		if k {
			s = append(s, a[i])
		}
	}
	if rev {
		s = reversed(s)
	}
	return s
}

// simplifyClosed simplifies a ring without junctions (an island, or a hole
// filled by one area): it is rotated to start at its least vertex and
// oriented canonically, so the island and the hole it fills agree.
func simplifyClosed(r []xy, tol float64) []xy {
	n := len(r)
	m := 0
	for i := 1; i < n; i++ {
		if less(r[i], r[m]) {
			m = i
		}
	}
	rot := make([]xy, 0, n+1)
	for i := 0; i < n; i++ {
		rot = append(rot, r[(m+i)%n])
	}
	rev := less(rot[n-1], rot[1])
	if rev {
		rest := reversed(rot[1:])
		rot = append(rot[:1], rest...)
	}
	rot = append(rot, rot[0])
	// split at the vertex farthest from the start so both halves are arcs
	far, fd := 1, -1.0
	for i := 1; i < n; i++ {
		if d := dist2(rot[i], rot[0]); d > fd {
			far, fd = i, d
		}
	}
	a := simplifyArcFixed(rot[:far+1], tol)
	b := simplifyArcFixed(rot[far:], tol)
	s := append(a, b[1:]...)
	if rev {
		s = reversed(s)
	}
	return s
}

func simplifyArcFixed(a []xy, tol float64) []xy {
	keep := douglasPeucker(a, tol)
	s := make([]xy, 0, 8)
	for i, k := range keep {
		if k {
			s = append(s, a[i])
		}
	}
	return s
}

func reversed(a []xy) []xy {
	r := make([]xy, len(a))
	for i, p := range a {
		r[len(a)-1-i] = p
	}
	return r
}

func dist2(a, b xy) float64 {
	dx, dy := a[0]-b[0], a[1]-b[1]
	return dx*dx + dy*dy
}

// douglasPeucker marks the points of a to keep: the ends, and recursively
// the point farthest from the chord when it is more than tol from it
// (Douglas and Peucker 1973, Canadian Cartographer 10(2)). Ties go to the
// first point, so the result depends only on the sequence.
func douglasPeucker(a []xy, tol float64) []bool {
	keep := make([]bool, len(a))
	if len(a) == 0 {
		return keep
	}
	keep[0], keep[len(a)-1] = true, true
	type span struct{ i, j int }
	stack := []span{{0, len(a) - 1}}
	tol2 := tol * tol
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.j-s.i < 2 {
			continue
		}
		best, bd := -1, tol2
		for k := s.i + 1; k < s.j; k++ {
			if d := segDist2(a[k], a[s.i], a[s.j]); d > bd {
				best, bd = k, d
			}
		}
		if best >= 0 {
			keep[best] = true
			stack = append(stack, span{s.i, best}, span{best, s.j})
		}
	}
	return keep
}

// segDist2 is the squared distance from p to the segment ab.
func segDist2(p, a, b xy) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return dist2(p, a)
	}
	t := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
	t = math.Max(0, math.Min(1, t))
	return dist2(p, xy{a[0] + t*dx, a[1] + t*dy})
}
