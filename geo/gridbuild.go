package geo

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/paulmach/orb"
)

// cellsPerPolygon sets the number of blocks: about this many per polygon,
// at most maxCells. Each block has k x k cells, k the smallest power of two
// (at most maxBlockSide) of at least density times the Manhattan length of
// the boundary in the block, in block sides, so that about 1/density of its
// cells hold a boundary (at national size, where points are drawn per
// tract, most points are in small tracts, so the cells follow the boundary
// length). Every block a boundary crosses also has at least floorSide
// cells per side when that keeps the cells at most floorCells (a state
// layer's uniform split, for uniform points). density is the largest of
// maxDensity, 3/4 of it, 9/16 ... that keeps the cells at most
// finePerPolygon per polygon and maxFineCells in all (or the floor's
// number). Past maxGridEntries (cell, polygon) pairs the grid is not built
// and Locate uses the R-tree.
const (
	cellsPerPolygon = 16
	maxCells        = 1 << 21
	maxBlockSide    = 64
	finePerPolygon  = 256
	maxFineCells    = 1 << 21
	maxDensity      = 64
	maxGridEntries  = 1 << 25
	floorSide       = 8
	floorCells      = 1 << 20
	// polygonChunk is the number of polygons a worker of the grid's
	// build takes at a time.
	polygonChunk = 256
)

// gridSize is the grid's shape: about perPolygon blocks per polygon, at
// most limit blocks, each of k x k cells with k <= maxSide, at most
// fine cells per polygon and maxFine in all, the density at most
// maxDensity.
type gridSize struct {
	perPolygon, limit, maxSide, fine, maxFine int
	maxDensity                                float64
	floorSide, floorCells                     int
	// noRecords keeps the cells' lists even where records would fit
	// (for the tests and benchmarks that compare both paths).
	noRecords bool
}

var defaultGridSize = gridSize{perPolygon: cellsPerPolygon, limit: maxCells, maxSide: maxBlockSide, fine: finePerPolygon, maxFine: maxFineCells, maxDensity: maxDensity, floorSide: floorSide, floorCells: floorCells}

// newGrid builds the layer's grid (see grid), or none (cnx == 0: Locate uses
// the R-tree) for a layer of heavily overlapping polygons or one that needs
// too many cells or list entries. Its steps are gridBuild's methods, in
// order.
func newGrid(x *Index, geoms []orb.Polygon, size gridSize) grid {
	var g grid
	if len(x.polys) == 0 {
		return g
	}
	gb := gridBuild{g: &g, x: x, geoms: geoms}
	// Heavily overlapping polygons (each spanning most of the layer) would
	// list every polygon in every cell: the R-tree serves such layers.
	if gb.layBlocks(size) > maxGridEntries {
		return grid{}
	}
	gb.chooseSides(size, gb.boundaryLength())
	if g.cells >= 1<<27 {
		return grid{}
	}
	// cells[c] is first the first polygon in ID order that holds the whole
	// cell c, or -1 (crossingPairs), then the cell's word (cellWords).
	cells := make([]int32, g.cells)
	for c := range cells {
		cells[c] = -1
	}
	entries, start := gb.crossingPairs(cells)
	if !gb.cellWords(cells, entries, start) {
		return grid{}
	}
	gb.blockWords(cells)
	return g
}

// gridBuild is newGrid's working state: the grid it fills, the layer, the
// polygons' bounding boxes in block units, and per block the side of its
// cells (kbs: 1<<kb cells a side; -1 for a block no polygon's bounding box
// touches) and, once the sides are chosen, the position of its first cell
// (cellOff, with the number of cells at the end).
type gridBuild struct {
	g       *grid
	x       *Index
	geoms   []orb.Polygon
	boxes   []blockBox
	kbs     []int8
	cellOff []int32
}

// blockBox is a polygon's bounding box in block units.
type blockBox struct{ tx0, tx1, ty0, ty1 float64 }

// blocks is the range of blocks bx touches, of a grid of cnx x cny.
func (bx *blockBox) blocks(cnx, cny int) (bx0, bx1, by0, by1 int) {
	return blockAt(bx.tx0, cnx), blockAt(bx.tx1, cnx), blockAt(bx.ty0, cny), blockAt(bx.ty1, cny)
}

// layBlocks sets the grid's bound and blocks, the polygons' boxes and the
// blocks their boxes touch (kb 0, the others -1), and returns the number
// of (block, polygon) pairs the boxes stand for.
func (gb *gridBuild) layBlocks(size gridSize) int {
	g, x := gb.g, gb.x
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
	g.cnx, g.cny = cnx, cny
	if w > 0 {
		g.sx = float64(cnx) / w
	}
	if h > 0 {
		g.sy = float64(cny) / h
	}
	gb.boxes = make([]blockBox, len(x.polys))
	gb.kbs = make([]int8, cnx*cny)
	kbs := gb.kbs
	for i := range kbs {
		kbs[i] = -1
	}
	pairs := 0
	for pi := range x.polys {
		bb := &x.polys[pi].bound
		bx := blockBox{g.tx(bb.Min[0]), g.tx(bb.Max[0]), g.ty(bb.Min[1]), g.ty(bb.Max[1])}
		gb.boxes[pi] = bx
		bx0, bx1, by0, by1 := bx.blocks(cnx, cny)
		pairs += (bx1 - bx0 + 1) * (by1 - by0 + 1)
		for by := by0; by <= by1; by++ {
			for i := by*cnx + bx0; i <= by*cnx+bx1; i++ {
				kbs[i] = 0
			}
		}
	}
	return pairs
}

// boundaryLength is the boundary length in each block, in block sides (an
// edge's length spread over the blocks of its bounding box).
func (gb *gridBuild) boundaryLength() []float32 {
	g := gb.g
	cnx, cny := g.cnx, g.cny
	length := make([]float32, cnx*cny)
	for pi := range gb.x.polys {
		ringEdges(gb.geoms[pi], func(a, b orb.Point) {
			ax, ay, bx, by := g.tx(a[0]), g.ty(a[1]), g.tx(b[0]), g.ty(b[1])
			x0, x1 := blockAt(min(ax, bx), cnx), blockAt(max(ax, bx), cnx)
			y0, y1 := blockAt(min(ay, by), cny), blockAt(max(ay, by), cny)
			l := float32(math.Abs(bx-ax) + math.Abs(by-ay))
			if x0 == x1 && y0 == y1 {
				length[y0*cnx+x0] += l
				return
			}
			// Spread over the blocks of the edge's bounding box: each of
			// them counts as crossed.
			l = max(l/float32((x1-x0+1)*(y1-y0+1)), math.SmallestNonzeroFloat32)
			for j := y0; j <= y1; j++ {
				for i := x0; i <= x1; i++ {
					length[j*cnx+i] += l
				}
			}
		})
	}
	return length
}

// chooseSides sets the side of each block's cells a boundary crosses (the
// rule at cellsPerPolygon) from its boundary length, then cellOff, and the
// grid's cells and density.
func (gb *gridBuild) chooseSides(size gridSize, length []float32) {
	g, x, kbs := gb.g, gb.x, gb.kbs
	cnx, cny := g.cnx, g.cny
	nb := cnx * cny
	maxKb := uint(bits.Len(uint(size.maxSide)) - 1)
	// floor: every block a boundary crosses has at least 1<<floor cells per
	// side, the largest power of two up to size.floorSide that keeps them
	// at most size.floorCells (uniform points far from cities are placed
	// from cells this fine); the boundary-length rule adds cells where
	// the budget allows more.
	floor := uint(0)
	for 2<<floor <= size.floorSide && nb<<(2*floor+2) <= size.floorCells {
		floor++
	}
	// The blocks a boundary crosses (the others have one cell).
	var crossed []int32
	maxLength := float32(0)
	for i, kb := range kbs {
		if kb >= 0 && length[i] > 0 {
			crossed = append(crossed, int32(i))
			maxLength = max(maxLength, length[i])
		}
	}
	gb.cellOff = make([]int32, nb+1)
	for density := size.maxDensity; ; density *= 0.75 {
		// Past the density at which every block is at the floor, lower
		// the floor.
		if float64(maxLength)*density < 1 && floor > 0 {
			floor, density = floor-1, size.maxDensity
		}
		last := float64(maxLength)*density < 1
		budget := max(min(len(x.polys)*size.fine, size.maxFine), len(crossed)<<(2*floor))
		total := 0
		for _, i := range crossed {
			v := float64(length[i]) * density
			k := floor
			for k < maxKb && float64(int(1)<<k) < v {
				k++
			}
			kbs[i] = int8(k)
			total += 1 << (2 * k)
		}
		if total > budget && !last {
			continue
		}
		// (cell, polygon) pairs the polygons' bounding boxes stand for.
		pairs := 0
		for pi := range x.polys {
			bx := &gb.boxes[pi]
			bx0, bx1, by0, by1 := bx.blocks(cnx, cny)
			for by := by0; by <= by1; by++ {
				for bx_ := bx0; bx_ <= bx1; bx_++ {
					kb := uint(kbs[by*cnx+bx_])
					pairs += (cellIn(bx.tx1, bx_, kb) - cellIn(bx.tx0, bx_, kb) + 1) * (cellIn(bx.ty1, by, kb) - cellIn(bx.ty0, by, kb) + 1)
				}
			}
		}
		if pairs > maxGridEntries && !last {
			continue
		}
		off := 0
		for i, kb := range kbs {
			gb.cellOff[i] = int32(off)
			if kb >= 0 {
				off += 1 << (2 * uint(kb))
			}
		}
		gb.cellOff[nb] = int32(off)
		g.cells, g.density = off, density
		return
	}
}

// cellWords turns each cell's polygons (entries[start[c]:start[c+1]]) and
// the polygon that holds it whole (cells[c], as crossingPairs left it)
// into the cell's word, in place in cells, with the lists of the cells
// that need one (shared by neighbouring cells that have the same one:
// cells along a boundary mostly do), and sets the grid's candidates. It
// reports false when the lists outgrow their words.
func (gb *gridBuild) cellWords(cells, entries, start []int32) bool {
	g, x := gb.g, gb.x
	inside := cells
	g.candidates = len(entries)
	var list []int32
	for b, kb := range gb.kbs {
		if kb < 0 {
			continue
		}
		side := 1 << uint(kb)
		for c := int(gb.cellOff[b]); c < int(gb.cellOff[b+1]); c++ {
			l := entries[start[c]:start[c+1]]
			in := inside[c]
			if in >= 0 {
				g.candidates++
			}
			if len(l) > 1 {
				slices.SortFunc(l, func(a, b int32) int {
					ra, rb := x.polys[a].rank, x.polys[b].rank
					if ra != rb {
						return cmp.Compare(ra, rb)
					}
					return cmp.Compare(a, b)
				})
			}
			list = list[:0]
			for _, e := range l {
				if in >= 0 && x.before(in, e) {
					break
				}
				list = append(list, e)
			}
			switch {
			case len(list) == 0 && in < 0:
				cells[c] = cellEmpty
				continue
			case len(list) == 0:
				cells[c] = x.polys[in].feature
				continue
			case in < 0:
				list = append(list, listEnd)
			default:
				list = append(list, insideTag|x.polys[in].feature)
			}
			// Share the list of the cell to the left or below (or the
			// previous block's last cell) when equal.
			w := listWord(len(g.lists))
			for _, nb := range [2]int{c - 1, c - side} {
				if nb < 0 || nb == c-side && nb < int(gb.cellOff[b]) || cells[nb] >= cellEmpty {
					continue
				}
				if off := listOffset(cells[nb]); off+len(list) <= len(g.lists) && slices.Equal(g.lists[off:off+len(list)], list) {
					w = cells[nb]
					break
				}
			}
			if w == listWord(len(g.lists)) {
				g.lists = append(g.lists, list...)
				if len(g.lists) > recordBase {
					return false
				}
			}
			cells[c] = w
		}
	}
	g.lists = slices.Clip(g.lists)
	return true
}

// blockWords gives each block one word where all its cells have the same
// word, else its cells' words in blocks, and lays them out (setWords).
func (gb *gridBuild) blockWords(cells []int32) {
	coarse := make([]int32, len(gb.kbs))
	split := 0
	for b, kb := range gb.kbs {
		if kb < 0 {
			coarse[b] = cellEmpty
			continue
		}
		cs := cells[gb.cellOff[b]:gb.cellOff[b+1]]
		coarse[b] = cs[0]
		for _, c := range cs[1:] {
			if c != cs[0] {
				coarse[b] = blockWord(split, uint(kb))
				split += len(cs)
				break
			}
		}
	}
	blocks := make([]int32, 0, split)
	for b, w := range coarse {
		if w < minListWord {
			blocks = append(blocks, cells[gb.cellOff[b]:gb.cellOff[b+1]]...)
		}
	}
	gb.g.setWords(blocks, coarse)
}

func (g *grid) setWords(blocks, coarse []int32) {
	stride := g.cnx + 1
	g.index = make([]uint32, stride*(g.cny+1))
	// The table's size first: one word per run of equal words.
	n, last := 1, cellEmpty
	for _, c := range coarse {
		if c >= minListWord && c != last {
			n, last = n+1, c
		}
	}
	w := make([]int32, len(blocks), len(blocks)+n)
	copy(w, blocks)
	g.empty = len(w)
	w = append(w, cellEmpty)
	for b, c := range coarse {
		e := &g.index[b/g.cnx*stride+b%g.cnx]
		if c < minListWord {
			off, kb := blockCells(c)
			*e = uint32(off<<3) | uint32(kb)
			continue
		}
		// In block order, shared with the previous unsplit block when
		// equal: neighbouring blocks' words are near each other.
		if w[len(w)-1] != c {
			w = append(w, c)
		}
		*e = uint32(len(w)-1) << 3
	}
	// Column cnx and row cny: slots finds cell (0, 0) of their blocks,
	// which must be the last block's last cell in that column (row).
	for by := range g.cny + 1 {
		for bx := range stride {
			if bx < g.cnx && by < g.cny {
				continue
			}
			e := g.index[min(by, g.cny-1)*stride+min(bx, g.cnx-1)]
			kb := e & 7
			m := uint32(1)<<kb - 1
			off := e >> 3
			if bx == g.cnx {
				off += m
			}
			if by == g.cny {
				off += m << kb
			}
			g.index[by*stride+bx] = off<<3 | kb
		}
	}
	g.words = w
	g.blocks = w[:len(blocks):len(blocks)]
}
