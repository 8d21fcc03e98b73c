package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// grid is a uniform grid over the layer's bounding box in front of the
// R-tree. Each cell lists, in ID order, the polygons that can cover a point
// of the cell: those with an edge in the cell ("crossing": tested with the
// band index) and those that hold the whole cell ("inside": no test needed).
// Most points of a layer of tracts fall in cells inside one polygon and are
// placed without any point-in-polygon test.
//
// Soundness rests on one monotone function per axis mapping a coordinate to
// its cell: a point on an edge maps to a cell within the edge's bounding-box
// cell range, which is marked as crossing, so a cell not marked for a
// polygon holds no point of that polygon's boundary, and all its points are
// on the same side of it.
type grid struct {
	bound      orb.Bound
	sx, sy     float64 // cells per degree
	nx, ny     int
	start      []int32 // entries of cell c are entries[start[c]:start[c+1]]
	entries    []int32 // polygon index, with insideFlag when the cell is inside it
	candidates int     // total entries, for tests and figures
}

const insideFlag = int32(-1 << 31)

// cellsPerPolygon sets the grid size: about this many cells per polygon,
// at most maxCells.
// Past maxGridEntries (cell, polygon) pairs the grid is not built and
// Locate uses the R-tree.
const (
	cellsPerPolygon = 16
	maxCells        = 1 << 21
	maxGridEntries  = 1 << 25
)

func (g *grid) cellX(x float64) int {
	k := math.Floor((x - g.bound.Min[0]) * g.sx)
	switch {
	case k < 0:
		return 0
	case k >= float64(g.nx):
		return g.nx - 1
	}
	return int(k)
}

func (g *grid) cellY(y float64) int {
	k := math.Floor((y - g.bound.Min[1]) * g.sy)
	switch {
	case k < 0:
		return 0
	case k >= float64(g.ny):
		return g.ny - 1
	}
	return int(k)
}

func newGrid(x *Index, geoms []orb.Polygon) grid {
	var g grid
	if len(x.polys) == 0 {
		return g
	}
	g.bound = x.polys[0].bound
	for _, bp := range x.polys {
		g.bound = g.bound.Union(bp.bound)
	}
	w, h := g.bound.Max[0]-g.bound.Min[0], g.bound.Max[1]-g.bound.Min[1]
	n := min(len(x.polys)*cellsPerPolygon, maxCells)
	g.nx, g.ny = 1, 1
	if w > 0 && h > 0 {
		g.nx = max(1, min(4096, int(math.Round(math.Sqrt(float64(n)*w/h)))))
		g.ny = max(1, min(4096, n/g.nx))
	}
	if w > 0 {
		g.sx = float64(g.nx) / w
	}
	if h > 0 {
		g.sy = float64(g.ny) / h
	}
	// Heavily overlapping polygons (each spanning most of the layer) would
	// list every polygon in every cell; the R-tree serves such layers.
	total := 0
	for _, bp := range x.polys {
		total += (g.cellX(bp.bound.Max[0]) - g.cellX(bp.bound.Min[0]) + 1) * (g.cellY(bp.bound.Max[1]) - g.cellY(bp.bound.Min[1]) + 1)
	}
	if total > maxGridEntries {
		return grid{}
	}
	// (cell, entry) pairs in polygon order, then grouped by cell with a
	// counting sort: one allocation instead of one list per cell.
	type pair struct{ cell, entry int32 }
	pairs := make([]pair, 0, total)
	var marked []bool
	for pi := range x.polys {
		bp := &x.polys[pi]
		x0, x1 := g.cellX(bp.bound.Min[0]), g.cellX(bp.bound.Max[0])
		y0, y1 := g.cellY(bp.bound.Min[1]), g.cellY(bp.bound.Max[1])
		cw := x1 - x0 + 1
		marked = append(marked[:0], make([]bool, cw*(y1-y0+1))...)
		ringEdges(geoms[pi], func(a, b orb.Point) {
			ex0, ex1 := g.cellX(min(a[0], b[0])), g.cellX(max(a[0], b[0]))
			ey0, ey1 := g.cellY(min(a[1], b[1])), g.cellY(max(a[1], b[1]))
			for j := ey0; j <= ey1; j++ {
				for i := ex0; i <= ex1; i++ {
					marked[(j-y0)*cw+i-x0] = true
				}
			}
		})
		for j := y0; j <= y1; j++ {
			for i := x0; i <= x1; i++ {
				c := j*g.nx + i
				if marked[(j-y0)*cw+i-x0] {
					pairs = append(pairs, pair{int32(c), int32(pi)})
					continue
				}
				// No edge of the polygon reaches the cell: one point
				// that maps to the cell decides for all of it.
				p := orb.Point{g.bound.Min[0] + (float64(i)+0.5)/g.sx, g.bound.Min[1] + (float64(j)+0.5)/g.sy}
				if g.sx == 0 {
					p[0] = g.bound.Min[0]
				}
				if g.sy == 0 {
					p[1] = g.bound.Min[1]
				}
				if g.cellX(p[0]) != i || g.cellY(p[1]) != j {
					pairs = append(pairs, pair{int32(c), int32(pi)}) // cannot tell: test each point
					continue
				}
				if x.covers(bp, p) {
					pairs = append(pairs, pair{int32(c), int32(pi) | insideFlag})
				}
			}
		}
	}
	g.start = make([]int32, g.nx*g.ny+1)
	for _, p := range pairs {
		g.start[p.cell+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.entries = make([]int32, len(pairs))
	fill := slices.Clone(g.start[:len(g.start)-1])
	for _, p := range pairs {
		g.entries[fill[p.cell]] = p.entry
		fill[p.cell]++
	}
	for c := 0; c+1 < len(g.start); c++ {
		l := g.entries[g.start[c]:g.start[c+1]]
		if len(l) < 2 {
			continue
		}
		slices.SortFunc(l, func(a, b int32) int {
			pa, pb := a&^insideFlag, b&^insideFlag
			ra, rb := x.polys[pa].rank, x.polys[pb].rank
			if ra != rb {
				return cmp.Compare(ra, rb)
			}
			return cmp.Compare(pa, pb)
		})
	}
	g.candidates = len(g.entries)
	return g
}

// Locate returns the index in the layer of the feature containing p under the
// boundary rule of Index, and false if no feature covers p. p is EPSG:4326
// lon/lat; a NaN coordinate is in no feature.
func (x *Index) Locate(p orb.Point) (int, bool) {
	g := &x.grid
	if g.nx == 0 {
		return x.locateTree(p)
	}
	if !(p[0] >= g.bound.Min[0] && p[0] <= g.bound.Max[0] && p[1] >= g.bound.Min[1] && p[1] <= g.bound.Max[1]) {
		return -1, false
	}
	c := g.cellY(p[1])*g.nx + g.cellX(p[0])
	for _, e := range g.entries[g.start[c]:g.start[c+1]] {
		if e < 0 {
			return int(x.polys[e&^insideFlag].feature), true
		}
		if bp := &x.polys[e]; x.covers(bp, p) {
			return int(bp.feature), true
		}
	}
	return -1, false
}
