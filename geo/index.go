package geo

import (
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Index finds the feature of a layer that contains a point. Every polygon
// with more than a few edges gets a band index: its bounding box is cut into
// horizontal bands of equal height and each band lists the edges whose
// latitude range meets it, so a point-in-polygon test walks the edges of one
// band instead of the whole ring. Candidate polygons come from a uniform grid
// over the layer (see grid.go): each cell lists, in ID order, the polygons
// with an edge in the cell and those that hold the whole cell, so most points
// are placed with no point-in-polygon test at all. An R-tree
// (github.com/tidwall/rtree) over the polygons' bounding boxes serves OnEdge
// and a second lookup path that the differential tests check against the
// grid.
//
// Boundary rule: a point inside a polygon, or on one of its edges or vertices
// (outer ring or hole), is covered by it; a point strictly inside a hole is
// not. When several features cover a point (a point on an edge shared by
// neighbouring tracts, or overlapping features) it goes to the one with the
// smallest ID in byte order, so every point is placed in at most one feature,
// deterministically and independently of the file's feature order. "On an
// edge" is exact in float64 arithmetic (a zero cross product): a point a few
// ulps off an edge is decided by the crossing-number test like any other.
//
// Rings are expected to be valid (holes inside their shell, rings not
// crossing each other); for such polygons Index and BruteIndex give the same
// answer for every point, which the differential tests check.
//
// An Index is safe for concurrent use once built.
type Index struct {
	layer *Layer
	tree  rtree.RTreeG[int32] // polygon bounds -> position in polys
	polys []bandPolygon
	rank  []int32 // rank[feature] = position of the feature in ID order
	grid  grid
}

// bandPolygon is one polygon of a feature with its edges grouped in bands.
type bandPolygon struct {
	bound   orb.Bound
	all     []edge // every edge once, for building the grid
	feature int32
	rank    int32
	minY    float64
	scale   float64 // bands per degree of latitude
	nb      int32   // number of bands
	start   []int32 // edges of band b are edges[start[b]:start[b+1]]
	edges   []edge
}

type edge struct{ ax, ay, bx, by float64 }

// edgesPerBand is the target number of edges per band. Bands are cheap (one
// int32 each plus repeated long edges), so it is kept small.
const edgesPerBand = 2

// NewIndex indexes l. l must not be modified afterwards. Building time and
// memory are linear in the number of edges and of grid cells (about 16 per
// polygon, at most 2^21), plus the cells each polygon's bounding box covers.
func NewIndex(l *Layer) *Index {
	x := &Index{layer: l, rank: make([]int32, len(l.Features))}
	order := make([]int, len(l.Features))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return l.Features[order[a]].ID < l.Features[order[b]].ID })
	for r, i := range order {
		x.rank[i] = int32(r)
	}
	for fi := range l.Features {
		for _, poly := range l.Features[fi].Geom {
			if len(poly) == 0 {
				continue
			}
			bp := newBandPolygon(poly)
			bp.feature, bp.rank = int32(fi), x.rank[fi]
			b := poly.Bound()
			x.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, int32(len(x.polys)))
			x.polys = append(x.polys, bp)
		}
	}
	x.grid = newGrid(x)
	for i := range x.polys {
		x.polys[i].all = nil // only the grid build needs the plain edge list
	}
	return x
}

func newBandPolygon(poly orb.Polygon) bandPolygon {
	b := poly.Bound()
	n := 0
	for _, r := range poly {
		n += len(r)
	}
	all := make([]edge, 0, n)
	for _, r := range poly {
		for i := 1; i < len(r); i++ {
			all = append(all, edge{r[i-1][0], r[i-1][1], r[i][0], r[i][1]})
		}
		// The crossing test treats every ring as closed; so does the
		// brute-force twin (its loop pairs the last point with the first).
		if n := len(r); n > 0 && r[0] != r[n-1] {
			all = append(all, edge{r[n-1][0], r[n-1][1], r[0][0], r[0][1]})
		}
	}
	bp := bandPolygon{minY: b.Min[1], nb: 1, bound: b, all: all}
	h := b.Max[1] - b.Min[1]
	if nb := len(all) / edgesPerBand; nb > 1 && h > 0 {
		bp.nb = int32(nb)
		bp.scale = float64(nb) / h
	}
	// Counting sort of edges into bands. bandOf is monotone in y, so an edge
	// whose latitude range holds y is listed in bandOf(y).
	counts := make([]int32, bp.nb+1)
	for _, e := range all {
		lo, hi := bp.bandOf(min(e.ay, e.by)), bp.bandOf(max(e.ay, e.by))
		for k := lo; k <= hi; k++ {
			counts[k+1]++
		}
	}
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	bp.start = counts
	bp.edges = make([]edge, counts[bp.nb])
	fill := slices.Clone(counts[:bp.nb])
	for _, e := range all {
		lo, hi := bp.bandOf(min(e.ay, e.by)), bp.bandOf(max(e.ay, e.by))
		for k := lo; k <= hi; k++ {
			bp.edges[fill[k]] = e
			fill[k]++
		}
	}
	return bp
}

// bandOf maps a latitude to its band, clamped to the polygon's bands.
func (bp *bandPolygon) bandOf(y float64) int32 {
	if bp.nb == 1 {
		return 0
	}
	k := math.Floor((y - bp.minY) * bp.scale)
	switch {
	case k < 0:
		return 0
	case k >= float64(bp.nb):
		return bp.nb - 1
	}
	return int32(k)
}

// covers reports whether p is inside bp or on one of its edges: on any edge,
// or an odd number of crossings of the ray from p towards +x over all rings.
func (bp *bandPolygon) covers(p orb.Point) bool {
	k := bp.bandOf(p[1])
	x, y := p[0], p[1]
	in := false
	for _, e := range bp.edges[bp.start[k]:bp.start[k+1]] {
		// On the edge: the test of onSegment, bounding box first because
		// it is cheaper and rejects almost every edge.
		if x >= min(e.ax, e.bx) && x <= max(e.ax, e.bx) && y >= min(e.ay, e.by) && y <= max(e.ay, e.by) &&
			(e.bx-e.ax)*(y-e.ay)-(e.by-e.ay)*(x-e.ax) == 0 {
			return true
		}
		if (e.ay > y) != (e.by > y) {
			// Same arithmetic as ringCovers, so both twins agree bit for bit.
			xc := e.ax + (y-e.ay)*(e.bx-e.ax)/(e.by-e.ay)
			if x < xc {
				in = !in
			}
		}
	}
	return in
}

// maxStack is the number of candidate polygons kept on the stack per lookup;
// more spill to the heap.
const maxStack = 16

type candidate struct{ rank, poly int32 }

// locateTree is Locate through the R-tree alone, without the grid.
func (x *Index) locateTree(p orb.Point) (int, bool) {
	var buf [maxStack]candidate
	cands := buf[:0]
	x.tree.Search([2]float64{p[0], p[1]}, [2]float64{p[0], p[1]}, func(_, _ [2]float64, i int32) bool {
		cands = append(cands, candidate{x.polys[i].rank, i})
		return true
	})
	switch len(cands) {
	case 0:
		return -1, false
	case 1:
		bp := &x.polys[cands[0].poly]
		if bp.covers(p) {
			return int(bp.feature), true
		}
		return -1, false
	}
	// Insertion sort by rank (then polygon, for a total order): candidate
	// lists are short.
	for i := 1; i < len(cands); i++ {
		for j := i; j > 0 && (cands[j].rank < cands[j-1].rank || cands[j].rank == cands[j-1].rank && cands[j].poly < cands[j-1].poly); j-- {
			cands[j], cands[j-1] = cands[j-1], cands[j]
		}
	}
	for _, c := range cands {
		bp := &x.polys[c.poly]
		if bp.covers(p) {
			return int(bp.feature), true
		}
	}
	return -1, false
}

// Layer returns the indexed layer.
func (x *Index) Layer() *Layer { return x.layer }

// BruteIndex is the brute-force twin of Index: it tests every feature in ID
// order, walking every edge of every ring whose feature's bounding box holds
// the point. It is the reference the differential tests compare Index with,
// and the naive baseline of the benchmarks; use Index.
type BruteIndex struct {
	layer *Layer
	order []int // feature indices sorted by ID
}

// NewBruteIndex indexes l for BruteIndex.Locate. l must not be modified
// afterwards.
func NewBruteIndex(l *Layer) *BruteIndex {
	order := make([]int, len(l.Features))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return l.Features[order[a]].ID < l.Features[order[b]].ID })
	return &BruteIndex{layer: l, order: order}
}

// Locate has the contract of Index.Locate.
func (x *BruteIndex) Locate(p orb.Point) (int, bool) {
	for _, i := range x.order {
		f := &x.layer.Features[i]
		if !f.Bound.Contains(p) {
			continue
		}
		if multiPolygonCovers(f.Geom, p) {
			return i, true
		}
	}
	return -1, false
}

// OnEdge reports whether p lies exactly on an edge or vertex of any polygon
// of the layer (the zero cross product test of the boundary rule). Such
// points are where tools that leave the boundary out (PostGIS ST_Contains,
// GeoPandas "within") legitimately differ from Locate.
func (x *Index) OnEdge(p orb.Point) bool {
	on := false
	x.tree.Search([2]float64{p[0], p[1]}, [2]float64{p[0], p[1]}, func(_, _ [2]float64, i int32) bool {
		bp := &x.polys[i]
		k := bp.bandOf(p[1])
		for _, e := range bp.edges[bp.start[k]:bp.start[k+1]] {
			if onSegment(orb.Point{e.ax, e.ay}, orb.Point{e.bx, e.by}, p) {
				on = true
				return false
			}
		}
		return true
	})
	return on
}
