package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// grid is a two-level grid over the layer's bounding box in front of the
// R-tree. The top level is a uniform grid of blocks; each block is split in
// k x k cells, k a power of two chosen per block from the length of
// polygon boundary inside it (k = 1 far from boundaries, up to maxBlockSide
// in a city's small tracts), so that most cells hold no boundary wherever
// the boundaries are. Each cell has one int32 word (see cellWord): most
// cells lie wholly inside one polygon, or outside every polygon, and their
// word is the answer itself, so a point there is placed with one or two
// loads and no point-in-polygon test. The other cells point to a candidate
// list in lists: in ID order, the polygons with an edge in the cell
// ("crossing": tested with the band index), ended by a terminal word, the
// feature of the first polygon that holds the whole cell (every polygon
// after it in ID order is irrelevant, so the list stops there), or
// listEnd.
//
// Soundness rests on one monotone function per axis mapping a coordinate to
// its cell: t = (x - min) * blocks per degree, block floor(t), cell
// floor(t*k) - block*k within the block (k a power of two, so t*k is
// exact), clamped to the grid. A point on an edge maps to a cell within the
// edge's bounding-box cell range, which is marked as crossing, so a cell not
// marked for a polygon holds no point of that polygon's boundary, and all
// its points are on the same side of it. The same holds for a run of
// unmarked cells next to each other in a row of a block: the points mapping
// to the run form a rectangle, and a boundary point in it would map to one
// of the run's cells, which would be marked, so one point-in-polygon test
// decides the run.
type grid struct {
	bound    orb.Bound
	sx, sy   float64 // blocks per degree
	cnx, cny int     // blocks per row and per column; cnx == 0: no grid
	// index has one entry per block, row by row, cnx+1 a row: the
	// block's cells' words are words[off:], 1<<kb x 1<<kb of them row by
	// row, for the entry off<<3 | kb (see slots). The last column and
	// row are for the points that map to block column cnx (row cny):
	// those on the grid's right (top) side, which belong to the last
	// block's last column (row) of cells. A block split in cells (kb > 0) has
	// its own run of words, in blocks; one whose cells all have the same
	// word (kb == 0) points to that word in the table after blocks:
	// cellEmpty, then the words of such blocks in block order, one per
	// run of equal words (neighbouring blocks' words are near each
	// other; Ohio's table is 16 KB). coarseWord(b) is the block's word as
	// newGrid made it.
	index []uint32
	// words is blocks, then the table; blocks is a slice of it.
	words  []int32
	blocks []int32
	// empty is the slot of cellEmpty in the table (points off the grid).
	empty int
	lists []int32 // candidate lists, see grid
	// recs holds the cells' records (strip.go), when the index has them:
	// then every list word of words is a record word.
	recs []uint64
	// candidates is the number of (cell, polygon) pairs the cells stand
	// for, cells the number of cells, for tests and figures.
	candidates, cells int
	density           float64
}

// Cell words: a feature index (>= 0) holds the whole cell; cellEmpty: no
// polygon covers any point of the cell; a list word (listWord(off), from
// -2 down to minListWord): the cell's candidate list starts at
// lists[off]; as a block's word (coarseWord), a block word (below
// minListWord) points to the block's cells. In a list, an entry >= 0 is a polygon index to test, and
// the terminal entry is listEnd (no polygon) or insideTag|feature (that
// feature holds the rest of the cell).
const (
	cellEmpty   = int32(-1)
	listEnd     = int32(-1)
	insideTag   = int32(-1 << 31)
	minListWord = int32(-1 << 30)
)

func listWord(off int) int32        { return int32(-2 - off) }
func listOffset(w int32) int        { return int(-2 - w) }
func terminalFeature(e int32) int32 { return e &^ insideTag }

// blockWord is the coarse word of a block whose cells' words start at
// blocks[off], 1<<kb per side (kb < 8); off < 1<<27.
func blockWord(off int, kb uint) int32 { return insideTag | int32(off<<3|int(kb)) }

// blockCells is the inverse of blockWord.
func blockCells(w int32) (off int, kb uint) {
	v := int(w &^ insideTag)
	return v >> 3, uint(v & 7)
}

// tx and ty map a coordinate to block units: block floor(t), clamped.
func (g *grid) tx(x float64) float64 { return (x - g.bound.Min[0]) * g.sx }
func (g *grid) ty(y float64) float64 { return (y - g.bound.Min[1]) * g.sy }

// blockAt is the block column (or row, n = cny) of t >= 0.
func blockAt(t float64, n int) int { return min(int(t), n-1) }

// cellIn is the column (or row) of t within block b of 1<<kb cells per
// side, clamped to the block: 0 for t left of it, 1<<kb - 1 right of it.
func cellIn(t float64, b int, kb uint) int {
	return min(max(int(t*float64(int(1)<<kb))-b<<kb, 0), 1<<kb-1)
}

// coarseWord is block b's word: its cells' word when they all have the
// same one, else blockWord of its cells.
func (g *grid) coarseWord(b int) int32 {
	e := g.index[b/g.cnx*(g.cnx+1)+b%g.cnx]
	if kb := uint(e & 7); kb > 0 {
		return blockWord(int(e>>3), kb)
	}
	return g.words[e>>3]
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
	if x.grid.cnx == 0 {
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
func (x *Index) cellWord(p orb.Point) int32 { return x.grid.words[x.grid.slot(p)] }

// slot is the position in words of p's cell word: in blocks for a block
// split in cells, in the table for one that is not, g.empty for points
// off the grid and NaN: slots for one point. The grid must be built.
func (g *grid) slot(p orb.Point) int {
	if !(p[0] >= g.bound.Min[0] && p[0] <= g.bound.Max[0] && p[1] >= g.bound.Min[1] && p[1] <= g.bound.Max[1]) {
		return g.empty
	}
	tx, ty := g.tx(p[0]), g.ty(p[1])
	bx, by := int(tx), int(ty)
	e := g.index[by*(g.cnx+1)+bx]
	kb := uint(e & 7)
	k := math.Float64frombits(uint64(1023+kb) << 52) // 1<<kb, exactly
	return int(e>>3) + (int(ty*k)-by<<kb)<<kb + int(tx*k) - bx<<kb
}

// slots writes slot(pts[k]) into out[k] for every k (len(out) >=
// len(pts)). It reads index, not words, so a batch can compute the slots
// of many points before it reads their words (many cache misses in
// flight at once). It has no branch on the kind of block, whose outcome
// would be as good as random from point to point: an unsplit block has
// kb == 0, so its cell (i, j) is (0, 0). The grid's fields are copied to
// locals so that the loop keeps them in registers.
//
// It computes the cells of blockAt and cellIn without their clamps. A
// point on the grid (bound.Min <= p <= bound.Max) has 0 <= t =
// (x - min) * scale <= n (1 + 2^-51) for n blocks a side (n <= 4096), so
// its block is floor(t) <= n, and t*k is exact for k = 1<<kb, so its
// cell floor(t*k) - floor(t)*k is in [0, k): a point of block column n
// has t*k < n*k + 1, cell 0, which index's column n maps to the last
// cell of block n-1, where blockAt and cellIn put it.
func (g *grid) slots(pts []orb.Point, out []int32) {
	minX, minY, maxX, maxY := g.bound.Min[0], g.bound.Min[1], g.bound.Max[0], g.bound.Max[1]
	sx, sy := g.sx, g.sy
	stride, index, empty := g.cnx+1, g.index, int32(g.empty)
	out = out[:len(pts)]
	for n := range pts {
		px, py := pts[n][0], pts[n][1]
		if !(px >= minX && px <= maxX && py >= minY && py <= maxY) {
			out[n] = empty
			continue
		}
		tx, ty := (px-minX)*sx, (py-minY)*sy // g.tx, g.ty
		bx, by := int(tx), int(ty)
		e := index[by*stride+bx]
		kb := uint(e & 7)
		k := math.Float64frombits(uint64(1023+kb) << 52) // 1<<kb, exactly
		i, j := int(tx*k)-bx<<kb, int(ty*k)-by<<kb
		out[n] = int32(int(e>>3) + j<<kb + i)
	}
}

// locateList walks the candidate list at lists[off], or the record at
// recs[off-recordBase].
func (x *Index) locateList(off int, p orb.Point) int32 {
	if off >= recordBase {
		return x.locateRecord(off-recordBase, p)
	}
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
