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
// band instead of the whole ring. Candidate polygons come from a two-level
// grid over the layer (see grid.go): uniform blocks, each split in up to
// 64 x 64 cells where boundaries are dense (a city's small tracts): a cell
// wholly inside one polygon (or outside all) is one int32 word holding the
// answer, stored once for a block whose cells all agree, so most points are
// placed with one or two loads and no point-in-polygon test; the other cells
// list, in ID order, the polygons with an edge in the cell. An R-tree
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
	polys []bandPolygon       // in Morton order of their bounding boxes' centres
	rank  []int32             // rank[feature] = position of the feature in ID order
	grid  grid
	bound orb.Bound // union of the polygons' bounds
	// sortBatches is set when the index is too large for the cache, so
	// batches of points are worth sorting along a curve (locality.go).
	sortBatches bool

	// Edges, shared by all polygons and laid out in the order of polys, so
	// that polygons near each other on the map are near each other in
	// memory. Edge v runs from verts[v] to verts[v+1]; the edges of band b
	// of a polygon are bandEdges[bandStart[bp.band+b]:bandStart[bp.band+b+1]].
	verts     []orb.Point
	bandStart []int32
	bandEdges []int32
}

// bandPolygon is one polygon of a feature with its edges grouped in bands.
type bandPolygon struct {
	bound   orb.Bound
	minY    float64
	scale   float64 // bands per degree of latitude
	feature int32
	rank    int32
	nb      int32 // number of bands
	band    int32 // position of its first band in Index.bandStart
}

// edgesPerBand is the target number of edges per band. Bands are cheap (one
// int32 each plus repeated long edges), so it is kept small.
const edgesPerBand = 2

// NewIndex indexes l. l must not be modified afterwards. Building time and
// memory are linear in the number of edges and of grid cells (about 16
// blocks per polygon, at most 2^21, split in at most 2^21 cells in all, or
// a uniform 2 x 2 to 8 x 8 split of the blocks boundaries cross when that
// is larger and at most 2^20 cells), plus the cells each polygon's bounding
// box covers. The grid's cells are decided on GOMAXPROCS goroutines.
// Memory is about 16 bytes per vertex plus 4 per (edge, band) pair plus 4
// per cell of the blocks split.
func NewIndex(l *Layer) *Index { return newIndex(l, false, defaultGridSize) }

// NewIndexShared is NewIndex that also re-points the rings of l's polygons
// into the index's vertex arena: every ring keeps its coordinates, in its
// order, but the layer and the index then hold one copy of them instead of
// two (at national size, 85,000 tracts, 73 MB less). Each ring's capacity is
// its length, so appending to one copies it. It writes l's ring headers:
// call it before l is shared with other goroutines (as the boundary stage
// does, right after reading the file); the same contract as NewIndex holds
// afterwards.
func NewIndexShared(l *Layer) *Index { return newIndex(l, true, defaultGridSize) }

func newIndex(l *Layer, share bool, size gridSize) *Index {
	x := &Index{layer: l, rank: make([]int32, len(l.Features))}
	order := make([]int, len(l.Features))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return l.Features[order[a]].ID < l.Features[order[b]].ID })
	for r, i := range order {
		x.rank[i] = int32(r)
	}
	type src struct {
		poly    orb.Polygon
		bound   orb.Bound
		feature int32
	}
	var srcs []src
	nv := 0
	for fi := range l.Features {
		for _, poly := range l.Features[fi].Geom {
			if len(poly) == 0 {
				continue
			}
			b := polygonBound(poly)
			if len(srcs) == 0 {
				x.bound = b
			}
			x.bound = x.bound.Union(b)
			srcs = append(srcs, src{poly: poly, bound: b, feature: int32(fi)})
			for _, r := range poly {
				nv += len(r) + 1
			}
		}
	}
	// Morton order of the polygons' centres, then feature order: stable and
	// independent of anything but the layer.
	var s sorter
	centres := make([]orb.Point, len(srcs))
	for i := range srcs {
		centres[i] = srcs[i].bound.Center()
	}
	sorted := s.order(x.bound, centres)
	x.verts = make([]orb.Point, 0, nv)
	x.polys = make([]bandPolygon, 0, len(srcs))
	geoms := make([]orb.Polygon, 0, len(srcs))
	for _, v := range sorted {
		sp := srcs[uint32(v)]
		bp := x.addBandPolygon(sp.poly, sp.bound, share)
		bp.feature, bp.rank = sp.feature, x.rank[sp.feature]
		b := bp.bound
		x.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, int32(len(x.polys)))
		x.polys = append(x.polys, bp)
		geoms = append(geoms, sp.poly)
	}
	x.grid = newGrid(x, geoms, size)
	// The band arenas grew by appending (up to twice their size in
	// capacity); the index lives as long as the run, so keep exact copies.
	x.bandEdges = slices.Clone(x.bandEdges)
	x.bandStart = slices.Clone(x.bandStart)
	x.sortBatches = x.sizeBytes() > sortAboveBytes
	if !x.sortBatches && !size.noRecords {
		x.addRecords()
	}
	return x
}

// ringEdges calls fn for every edge of poly's rings, each ring treated as
// closed (the crossing test does, and so does the brute-force twin: its loop
// pairs the last point with the first).
func ringEdges(poly orb.Polygon, fn func(a, b orb.Point)) {
	for _, r := range poly {
		for i := 1; i < len(r); i++ {
			fn(r[i-1], r[i])
		}
		if n := len(r); n > 0 && r[0] != r[n-1] {
			fn(r[n-1], r[0])
		}
	}
}

// polygonBound is poly.Bound() in one pass (orb's extends a bound point by
// point and was a third of the index's build time).
func polygonBound(poly orb.Polygon) orb.Bound {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, r := range poly {
		for _, p := range r {
			b.Min[0], b.Min[1] = min(b.Min[0], p[0]), min(b.Min[1], p[1])
			b.Max[0], b.Max[1] = max(b.Max[0], p[0]), max(b.Max[1], p[1])
		}
	}
	return b
}

// addBandPolygon appends poly's vertices and bands (b is poly's bound) to
// x's arenas; with share, poly's rings are re-pointed into the vertex arena
// (x.verts has its final capacity: appending never moves it).
func (x *Index) addBandPolygon(poly orb.Polygon, b orb.Bound, share bool) bandPolygon {
	// Vertices, rings one after the other, each closed; starts holds the
	// edge starts (an edge never runs from one ring's last vertex to the
	// next ring's first).
	var starts []int32
	for ri, r := range poly {
		if len(r) == 0 {
			continue
		}
		base := len(x.verts)
		x.verts = append(x.verts, r...)
		if share {
			poly[ri] = orb.Ring(x.verts[base : base+len(r) : base+len(r)])
		}
		if r[0] != r[len(r)-1] {
			x.verts = append(x.verts, r[0])
		}
		for v := base; v+1 < len(x.verts); v++ {
			starts = append(starts, int32(v))
		}
	}
	bp := bandPolygon{minY: b.Min[1], nb: 1, bound: b, band: int32(len(x.bandStart))}
	h := b.Max[1] - b.Min[1]
	if nb := len(starts) / edgesPerBand; nb > 1 && h > 0 {
		bp.nb = int32(nb)
		bp.scale = float64(nb) / h
	}
	// Counting sort of edges into bands. bandOf is monotone in y, so an edge
	// whose latitude range holds y is listed in bandOf(y).
	counts := make([]int32, bp.nb+1)
	for _, v := range starts {
		ay, by := x.verts[v][1], x.verts[v+1][1]
		lo, hi := bp.bandOf(min(ay, by)), bp.bandOf(max(ay, by))
		for k := lo; k <= hi; k++ {
			counts[k+1]++
		}
	}
	base := int32(len(x.bandEdges))
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	fill := slices.Clone(counts[:bp.nb])
	x.bandEdges = slices.Grow(x.bandEdges, int(counts[bp.nb]))[:int(base)+int(counts[bp.nb])]
	for _, v := range starts {
		ay, by := x.verts[v][1], x.verts[v+1][1]
		lo, hi := bp.bandOf(min(ay, by)), bp.bandOf(max(ay, by))
		for k := lo; k <= hi; k++ {
			x.bandEdges[base+fill[k]] = v
			fill[k]++
		}
	}
	for _, c := range counts {
		x.bandStart = append(x.bandStart, base+c)
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

// band returns the edge starts of p's band of bp.
func (x *Index) band(bp *bandPolygon, y float64) []int32 {
	k := bp.band + bp.bandOf(y)
	return x.bandEdges[x.bandStart[k]:x.bandStart[k+1]]
}

// covers reports whether p is inside bp or on one of its edges: on any edge,
// or an odd number of crossings of the ray from p towards +x over all rings.
func (x *Index) covers(bp *bandPolygon, p orb.Point) bool {
	px, py := p[0], p[1]
	in := false
	verts := x.verts
	for _, v := range x.band(bp, py) {
		a, b := verts[v], verts[v+1]
		// On the edge: the test of onSegment, bounding box first because
		// it is cheaper and rejects almost every edge.
		if px >= min(a[0], b[0]) && px <= max(a[0], b[0]) && py >= min(a[1], b[1]) && py <= max(a[1], b[1]) &&
			(b[0]-a[0])*(py-a[1])-(b[1]-a[1])*(px-a[0]) == 0 {
			return true
		}
		if (a[1] > py) != (b[1] > py) {
			// Same arithmetic as ringCovers, so both twins agree bit for bit.
			xc := a[0] + (py-a[1])*(b[0]-a[0])/(b[1]-a[1])
			if px < xc {
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
		if x.covers(bp, p) {
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
		if x.covers(bp, p) {
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
		for _, v := range x.band(&x.polys[i], p[1]) {
			if onSegment(x.verts[v], x.verts[v+1], p) {
				on = true
				return false
			}
		}
		return true
	})
	return on
}
