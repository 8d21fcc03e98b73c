package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// grid is a uniform grid over the layer's bounding box in front of the
// R-tree. Each cell has one int32 word (see cellWord): most cells of a
// layer of tracts lie wholly inside one polygon, or outside every polygon,
// and their word is the answer itself, so a point there is placed with one
// load and no point-in-polygon test. The other cells point to a candidate
// list in lists: in ID order, the polygons with an edge in the cell
// ("crossing": tested with the band index), ended by a terminal word, the
// feature of the first polygon that holds the whole cell (every polygon
// after it in ID order is irrelevant, so the list stops there), or
// listEnd.
//
// Soundness rests on one monotone function per axis mapping a coordinate to
// its cell: a point on an edge maps to a cell within the edge's bounding-box
// cell range, which is marked as crossing, so a cell not marked for a
// polygon holds no point of that polygon's boundary, and all its points are
// on the same side of it. The same holds for a run of unmarked cells next to
// each other in a row: a boundary point on the line between two of them maps
// to one of them, which would be marked, so the run is on one side and one
// point-in-polygon test decides it.
type grid struct {
	bound  orb.Bound
	sx, sy float64 // cells per degree
	nx, ny int     // cells per row and per column, multiples of 1<<kb
	// The cells are grouped in blocks of k x k (k = 1<<kb). A block whose
	// cells all have the same direct word (a feature or cellEmpty) is that
	// word in coarse; the others are blockWord(b) there, and their cells'
	// words are blocks[b<<(2*kb):][(y%k)<<kb+x%k]. Most of the layer is
	// then answered from coarse, which is small enough for the cache, and
	// the cells near boundaries are k times finer than coarse's. With
	// kb = 0, coarse holds every cell's word (list words included) and
	// blocks is empty.
	kb     uint
	cnx    int     // blocks per row
	coarse []int32 // one word per block, row by row
	blocks []int32
	lists  []int32 // candidate lists, see grid
	// candidates is the number of (cell, polygon) pairs the cells stand
	// for, for tests and figures.
	candidates int
}

// Cell words: a feature index (>= 0) holds the whole cell; cellEmpty: no
// polygon covers any point of the cell; otherwise the cell's candidate list
// starts at lists[listOffset(w)]. In a list, an entry >= 0 is a polygon
// index to test, and the terminal entry is listEnd (no polygon) or
// insideTag|feature (that feature holds the rest of the cell).
const (
	cellEmpty = int32(-1)
	listEnd   = int32(-1)
	insideTag = int32(-1 << 31)
)

func listWord(off int) int32        { return int32(-2 - off) }
func listOffset(w int32) int        { return int(-2 - w) }
func blockWord(b int) int32         { return int32(-2 - b) }
func blockIndex(w int32) int        { return int(-2 - w) }
func terminalFeature(e int32) int32 { return e &^ insideTag }

// cellsPerPolygon sets the number of blocks: about this many per polygon,
// at most maxCells. Blocks are split in k x k cells, k the largest power of
// two up to maxBlockSide that keeps the cells at most maxFineCells.
// Past maxGridEntries (cell, polygon) pairs the grid is not built and
// Locate uses the R-tree.
const (
	cellsPerPolygon = 16
	maxCells        = 1 << 21
	maxBlockSide    = 8
	maxFineCells    = 1 << 20
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

// gridSize is the grid's shape: about perPolygon blocks per polygon, at
// most limit blocks, each of k x k cells with k <= maxSide, at most fine
// cells.
type gridSize struct{ perPolygon, limit, maxSide, fine int }

var defaultGridSize = gridSize{cellsPerPolygon, maxCells, maxBlockSide, maxFineCells}

func newGrid(x *Index, geoms []orb.Polygon, size gridSize) grid {
	var g grid
	if len(x.polys) == 0 {
		return g
	}
	g.bound = x.polys[0].bound
	for _, bp := range x.polys {
		g.bound = g.bound.Union(bp.bound)
	}
	w, h := g.bound.Max[0]-g.bound.Min[0], g.bound.Max[1]-g.bound.Min[1]
	n := min(len(x.polys)*size.perPolygon, size.limit)
	cnx, cny := 1, 1
	if w > 0 && h > 0 {
		cnx = max(1, min(4096, int(math.Round(math.Sqrt(float64(n)*w/h)))))
		cny = max(1, min(4096, n/cnx))
	}
	total := 0
	// k = 1<<kb: the largest power of two up to maxSide that keeps the
	// cells at most size.fine.
	for g.kb = 0; 2<<g.kb <= size.maxSide && cnx*cny<<(2*g.kb+2) <= size.fine; g.kb++ {
	}
	for {
		g.cnx, g.nx, g.ny = cnx, cnx<<g.kb, cny<<g.kb
		g.sx, g.sy = 0, 0
		if w > 0 {
			g.sx = float64(g.nx) / w
		}
		if h > 0 {
			g.sy = float64(g.ny) / h
		}
		// Heavily overlapping polygons (each spanning most of the layer)
		// would list every polygon in every cell; coarser cells, or the
		// R-tree, serve such layers.
		total = 0
		for _, bp := range x.polys {
			total += (g.cellX(bp.bound.Max[0]) - g.cellX(bp.bound.Min[0]) + 1) * (g.cellY(bp.bound.Max[1]) - g.cellY(bp.bound.Min[1]) + 1)
		}
		if total <= maxGridEntries {
			break
		}
		if g.kb == 0 {
			return grid{}
		}
		g.kb--
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
		marked = slices.Grow(marked[:0], cw*(y1-y0+1))[:cw*(y1-y0+1)]
		clear(marked)
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
			// run is the decision for the current run of unmarked cells
			// of row j: 0 undecided, 1 inside, 2 outside.
			run := 0
			for i := x0; i <= x1; i++ {
				c := j*g.nx + i
				if marked[(j-y0)*cw+i-x0] {
					pairs = append(pairs, pair{int32(c), int32(pi)})
					run = 0
					continue
				}
				if run == 0 {
					// No edge of the polygon reaches the cell: one point
					// that maps to the cell decides for all of it, and
					// for the unmarked cells next to it in the row.
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
					run = 2
					if x.covers(bp, p) {
						run = 1
					}
				}
				if run == 1 {
					pairs = append(pairs, pair{int32(c), int32(pi) | insideTag})
				}
			}
		}
	}
	start := make([]int32, g.nx*g.ny+1)
	for _, p := range pairs {
		start[p.cell+1]++
	}
	for c := 1; c < len(start); c++ {
		start[c] += start[c-1]
	}
	entries := make([]int32, len(pairs))
	fill := slices.Clone(start[:len(start)-1])
	for _, p := range pairs {
		entries[fill[p.cell]] = p.entry
		fill[p.cell]++
	}
	pairs = nil
	g.candidates = len(entries)
	// Each cell's word, lists shared by neighbouring cells that have the
	// same one (cells along a boundary mostly do).
	cells := make([]int32, g.nx*g.ny)
	var list []int32
	for c := range cells {
		l := entries[start[c]:start[c+1]]
		if len(l) == 0 {
			cells[c] = cellEmpty
			continue
		}
		if len(l) > 1 {
			slices.SortFunc(l, func(a, b int32) int {
				pa, pb := a&^insideTag, b&^insideTag
				ra, rb := x.polys[pa].rank, x.polys[pb].rank
				if ra != rb {
					return cmp.Compare(ra, rb)
				}
				return cmp.Compare(pa, pb)
			})
		}
		if l[0] < 0 {
			cells[c] = x.polys[l[0]&^insideTag].feature
			continue
		}
		list = list[:0]
		end := listEnd
		for _, e := range l {
			if e < 0 {
				end = insideTag | x.polys[e&^insideTag].feature
				break
			}
			list = append(list, e)
		}
		list = append(list, end)
		// Share the list of the cell to the left or below when equal.
		w := listWord(len(g.lists))
		for _, nb := range [2]int{c - 1, c - g.nx} {
			if nb < 0 || cells[nb] >= cellEmpty {
				continue
			}
			if off := listOffset(cells[nb]); off+len(list) <= len(g.lists) && slices.Equal(g.lists[off:off+len(list)], list) {
				w = cells[nb]
				break
			}
		}
		if w == listWord(len(g.lists)) {
			g.lists = append(g.lists, list...)
		}
		cells[c] = w
	}
	entries, start = nil, nil
	g.lists = slices.Clip(g.lists)
	// Blocks: one word where all the block's cells agree on a direct
	// answer, else the block's cells.
	if g.kb == 0 { // blocks of one cell: coarse holds the cells' words
		g.coarse = cells
		return g
	}
	k := 1 << g.kb
	g.coarse = make([]int32, g.cnx*(g.ny>>g.kb))
	for bc := range g.coarse {
		bx, by := bc%g.cnx, bc/g.cnx
		first := cells[(by<<g.kb)*g.nx+bx<<g.kb]
		same := first >= cellEmpty
		for j := 0; j < k && same; j++ {
			for i := 0; i < k; i++ {
				if cells[((by<<g.kb)+j)*g.nx+(bx<<g.kb)+i] != first {
					same = false
					break
				}
			}
		}
		if same {
			g.coarse[bc] = first
			continue
		}
		g.coarse[bc] = blockWord(len(g.blocks) >> (2 * g.kb))
		for j := 0; j < k; j++ {
			row := ((by<<g.kb)+j)*g.nx + bx<<g.kb
			g.blocks = append(g.blocks, cells[row:row+k]...)
		}
	}
	g.blocks = slices.Clip(g.blocks)
	return g
}

// Locate returns the index in the layer of the feature containing p under the
// boundary rule of Index, and false if no feature covers p. p is EPSG:4326
// lon/lat; a NaN coordinate is in no feature.
func (x *Index) Locate(p orb.Point) (int, bool) {
	f := x.locate32(p)
	return int(f), f != Unmatched
}

// locate32 is Locate with the answer as a feature index or Unmatched.
func (x *Index) locate32(p orb.Point) int32 {
	if x.grid.nx == 0 {
		f, ok := x.locateTree(p)
		if !ok {
			return Unmatched
		}
		return int32(f)
	}
	w := x.cellWord(p)
	if w >= cellEmpty { // a feature, or cellEmpty == Unmatched
		return w
	}
	return x.locateList(listOffset(w), p)
}

// cellWord is the word of p's cell: a feature, cellEmpty (also for points
// off the grid and NaN), or a list word. The grid must be built.
func (x *Index) cellWord(p orb.Point) int32 {
	g := &x.grid
	if !(p[0] >= g.bound.Min[0] && p[0] <= g.bound.Max[0] && p[1] >= g.bound.Min[1] && p[1] <= g.bound.Max[1]) {
		return cellEmpty
	}
	cx, cy := g.cellX(p[0]), g.cellY(p[1])
	w := g.coarse[(cy>>g.kb)*g.cnx+cx>>g.kb]
	if w >= cellEmpty || g.kb == 0 {
		return w
	}
	m := 1<<g.kb - 1
	return g.blocks[blockIndex(w)<<(2*g.kb)+(cy&m)<<g.kb+cx&m]
}

// locateList walks the candidate list at lists[off].
func (x *Index) locateList(off int, p orb.Point) int32 {
	for _, e := range x.grid.lists[off:] {
		if e < 0 {
			if e == listEnd {
				return Unmatched
			}
			return terminalFeature(e)
		}
		if bp := &x.polys[e]; x.covers(bp, p) {
			return bp.feature
		}
	}
	panic("geo: grid list without its terminal entry")
}
