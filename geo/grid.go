package geo

import (
	"cmp"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

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
	g.cnx, g.cny = cnx, cny
	if w > 0 {
		g.sx = float64(cnx) / w
	}
	if h > 0 {
		g.sy = float64(cny) / h
	}
	nb := cnx * cny
	// boxes are the polygons' bounding boxes in block units.
	type box struct{ tx0, tx1, ty0, ty1 float64 }
	boxes := make([]box, len(x.polys))
	// kbs: -1 for a block no polygon's bounding box touches.
	kbs := make([]int8, nb)
	for b := range kbs {
		kbs[b] = -1
	}
	coarsePairs := 0
	for pi := range x.polys {
		bb := &x.polys[pi].bound
		bx := box{g.tx(bb.Min[0]), g.tx(bb.Max[0]), g.ty(bb.Min[1]), g.ty(bb.Max[1])}
		boxes[pi] = bx
		bx0, bx1, by0, by1 := blockAt(bx.tx0, cnx), blockAt(bx.tx1, cnx), blockAt(bx.ty0, cny), blockAt(bx.ty1, cny)
		coarsePairs += (bx1 - bx0 + 1) * (by1 - by0 + 1)
		for by := by0; by <= by1; by++ {
			for b := by*cnx + bx0; b <= by*cnx+bx1; b++ {
				kbs[b] = 0
			}
		}
	}
	// Heavily overlapping polygons (each spanning most of the layer) would
	// list every polygon in every cell: the R-tree serves such layers.
	if coarsePairs > maxGridEntries {
		return grid{}
	}
	// Boundary length in each block, in block sides (an edge's length
	// spread over the blocks of its bounding box).
	length := make([]float32, nb)
	for pi := range x.polys {
		ringEdges(geoms[pi], func(a, b orb.Point) {
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
	for b, kb := range kbs {
		if kb >= 0 && length[b] > 0 {
			crossed = append(crossed, int32(b))
			maxLength = max(maxLength, length[b])
		}
	}
	cellOff := make([]int32, nb+1)
	for density := size.maxDensity; ; density *= 0.75 {
		// Past the density at which every block is at the floor, lower
		// the floor.
		if float64(maxLength)*density < 1 && floor > 0 {
			floor, density = floor-1, size.maxDensity
		}
		last := float64(maxLength)*density < 1
		budget := max(min(len(x.polys)*size.fine, size.maxFine), len(crossed)<<(2*floor))
		total := 0
		for _, b := range crossed {
			v := float64(length[b]) * density
			k := floor
			for k < maxKb && float64(int(1)<<k) < v {
				k++
			}
			kbs[b] = int8(k)
			total += 1 << (2 * k)
		}
		if total > budget && !last {
			continue
		}
		// (cell, polygon) pairs the polygons' bounding boxes stand for.
		pairs := 0
		for pi := range x.polys {
			bx := &boxes[pi]
			bx0, bx1, by0, by1 := blockAt(bx.tx0, cnx), blockAt(bx.tx1, cnx), blockAt(bx.ty0, cny), blockAt(bx.ty1, cny)
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
		for b, kb := range kbs {
			cellOff[b] = int32(off)
			if kb >= 0 {
				off += 1 << (2 * uint(kb))
			}
		}
		cellOff[nb] = int32(off)
		g.cells, g.density = off, density
		break
	}
	if g.cells >= 1<<27 {
		return grid{}
	}
	// (cell, polygon) pairs for the polygons with an edge in the cell, in
	// polygon order, then grouped by cell with a counting sort: one
	// allocation instead of one list per cell. inside[c] is the first
	// polygon in ID order that holds the whole cell c, or -1; it becomes the
	// cell's word.
	cells := make([]int32, g.cells)
	for c := range cells {
		cells[c] = -1
	}
	inside := cells
	before := func(p, q int32) bool { // p before q in ID order
		rp, rq := x.polys[p].rank, x.polys[q].rank
		return rp < rq || rp == rq && p < q
	}
	// A polygon's part of each block its bounding box touches: cells
	// [i0, i1] x [j0, j1] of block (bx, by), whose states start at
	// state[m].
	type region struct {
		bx, by, i0, i1, j0, j1, m int
		kb                        uint
	}
	// Cell states, for the polygon at hand: an edge reaches the cell, or
	// not yet known, or wholly inside or outside it.
	const (
		unknown = int8(iota)
		crossing
		in
		out
	)
	cellsOf := func(pi int, regs []region, state []int8, pairs *pairList) ([]region, []int8) {
		bp := &x.polys[pi]
		bb := &boxes[pi]
		bx0, bx1, by0, by1 := blockAt(bb.tx0, cnx), blockAt(bb.tx1, cnx), blockAt(bb.ty0, cny), blockAt(bb.ty1, cny)
		regs = regs[:0]
		m := 0
		for by := by0; by <= by1; by++ {
			for bx := bx0; bx <= bx1; bx++ {
				kb := uint(kbs[by*cnx+bx])
				r := region{bx: bx, by: by, kb: kb, m: m,
					i0: cellIn(bb.tx0, bx, kb), i1: cellIn(bb.tx1, bx, kb), j0: cellIn(bb.ty0, by, kb), j1: cellIn(bb.ty1, by, kb)}
				regs = append(regs, r)
				m += (r.i1 - r.i0 + 1) * (r.j1 - r.j0 + 1)
			}
		}
		state = slices.Grow(state[:0], m)[:m]
		clear(state)
		nbx := bx1 - bx0 + 1
		ringEdges(geoms[pi], func(a, b orb.Point) {
			ta, tb := orb.Point{g.tx(a[0]), g.ty(a[1])}, orb.Point{g.tx(b[0]), g.ty(b[1])}
			ex0, ex1 := min(ta[0], tb[0]), max(ta[0], tb[0])
			ey0, ey1 := min(ta[1], tb[1]), max(ta[1], tb[1])
			for by := blockAt(ey0, cny); by <= blockAt(ey1, cny); by++ {
				for bx := blockAt(ex0, cnx); bx <= blockAt(ex1, cnx); bx++ {
					r := &regs[(by-by0)*nbx+bx-bx0]
					c := cellRange{cellIn(ex0, bx, r.kb), cellIn(ex1, bx, r.kb), cellIn(ey0, by, r.kb), cellIn(ey1, by, r.kb)}
					rw := r.i1 - r.i0 + 1
					markSegment(ta, tb, bx, by, r.kb, c, func(i, j int) {
						state[r.m+(j-r.j0)*rw+i-r.i0] = crossing
					})
				}
			}
		})
		for _, r := range regs {
			base := int(cellOff[r.by*cnx+r.bx])
			k := float64(int(1) << r.kb)
			rw := r.i1 - r.i0 + 1
			// centre is a point that maps to cell (i, j) of the block, if
			// its centre does.
			centre := func(i, j int) (orb.Point, bool) {
				p := orb.Point{g.bound.Min[0] + (float64(r.bx)+(float64(i)+0.5)/k)/g.sx, g.bound.Min[1] + (float64(r.by)+(float64(j)+0.5)/k)/g.sy}
				if g.sx == 0 {
					p[0] = g.bound.Min[0]
				}
				if g.sy == 0 {
					p[1] = g.bound.Min[1]
				}
				tx, ty := g.tx(p[0]), g.ty(p[1])
				return p, tx >= 0 && ty >= 0 && blockAt(tx, cnx) == r.bx && blockAt(ty, cny) == r.by && cellIn(tx, r.bx, r.kb) == i && cellIn(ty, r.by, r.kb) == j
			}
			for j := r.j0; j <= r.j1; j++ {
				row := r.m + (j-r.j0)*rw - r.i0
				for i := r.i0; i <= r.i1; {
					if state[row+i] == crossing {
						pairs.add(cellPair{int32(base + j<<r.kb + i), int32(pi)})
						i++
						continue
					}
					// A run [i, e) of cells no edge of the polygon reaches:
					// all on one side of it, and so is an unmarked cell
					// below one of them (the cells' points form a
					// connected set the boundary does not meet). One
					// point that maps to one of them decides.
					e := i
					for e <= r.i1 && state[row+e] != crossing {
						e++
					}
					d := unknown
					if j > r.j0 {
						for c := i; c < e && d == unknown; c++ {
							if v := state[row-rw+c]; v == in || v == out {
								d = v
							}
						}
					}
					for c := i; c < e && d == unknown; c++ {
						if p, ok := centre(c, j); ok {
							d = out
							if x.covers(bp, p) {
								d = in
							}
						}
					}
					for c := i; c < e; c++ {
						state[row+c] = d
						cell := base + j<<r.kb + c
						switch d {
						case unknown: // cannot tell: test each point
							pairs.add(cellPair{int32(cell), int32(pi)})
						case in:
							for {
								q := atomic.LoadInt32(&inside[cell])
								if q >= 0 && before(q, int32(pi)) || atomic.CompareAndSwapInt32(&inside[cell], q, int32(pi)) {
									break
								}
							}
						}
					}
					i = e
				}
			}
		}
		return regs, state
	}
	// The polygons are shared out to the workers polygonChunk at a time;
	// each keeps its own pairs. inside is written with compare-and-swap:
	// its final value (the first polygon in ID order) does not depend on
	// the order of the writes.
	workers := min(runtime.GOMAXPROCS(0), (len(x.polys)+polygonChunk-1)/polygonChunk)
	workerPairs := make([]pairList, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for wi := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pairs := &workerPairs[wi]
			var regs []region
			var state []int8
			for {
				lo := int(next.Add(polygonChunk)) - polygonChunk
				if lo >= len(x.polys) {
					break
				}
				for pi := lo; pi < min(lo+polygonChunk, len(x.polys)); pi++ {
					regs, state = cellsOf(pi, regs, state, pairs)
				}
			}
		}()
	}
	wg.Wait()
	// start[c] ends as the first of cell c's entries (filled from the
	// cells' ends backwards: no second array of positions).
	start := make([]int32, g.cells+1)
	npairs := 0
	for _, pairs := range workerPairs {
		for _, c := range pairs.chunks {
			for _, p := range c {
				start[p.cell]++
			}
			npairs += len(c)
		}
	}
	for c := 1; c < len(start); c++ {
		start[c] += start[c-1]
	}
	entries := make([]int32, npairs)
	for _, pairs := range workerPairs {
		for _, c := range pairs.chunks {
			for _, p := range c {
				start[p.cell]--
				entries[start[p.cell]] = p.entry
			}
		}
	}
	workerPairs = nil
	g.candidates = len(entries)
	// Each cell's word (in place of inside), lists shared by neighbouring
	// cells that have the same one (cells along a boundary mostly do).
	var list []int32
	for b, kb := range kbs {
		if kb < 0 {
			continue
		}
		side := 1 << uint(kb)
		for c := int(cellOff[b]); c < int(cellOff[b+1]); c++ {
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
				if in >= 0 && before(in, e) {
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
				if nb < 0 || nb == c-side && nb < int(cellOff[b]) || cells[nb] >= cellEmpty {
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
					return grid{}
				}
			}
			cells[c] = w
		}
	}
	entries, start = nil, nil
	g.lists = slices.Clip(g.lists)
	// Blocks: one word where all the block's cells have the same word,
	// else the block's cells.
	coarse := make([]int32, nb)
	split := 0
	for b, kb := range kbs {
		if kb < 0 {
			coarse[b] = cellEmpty
			continue
		}
		cs := cells[cellOff[b]:cellOff[b+1]]
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
			blocks = append(blocks, cells[cellOff[b]:cellOff[b+1]]...)
		}
	}
	g.setWords(blocks, coarse)
	return g
}

// setWords lays out the words of the blocks (coarse has one word per
// block: a direct answer, a list word, or a block word pointing into
// blocks) as index and words: blocks first, then the table of the
// unsplit blocks' words (see grid.index).
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

// coarseWord is block b's word: its cells' word when they all have the
// same one, else blockWord of its cells.
func (g *grid) coarseWord(b int) int32 {
	e := g.index[b/g.cnx*(g.cnx+1)+b%g.cnx]
	if kb := uint(e & 7); kb > 0 {
		return blockWord(int(e>>3), kb)
	}
	return g.words[e>>3]
}

// cellRange is the cells [i0, i1] x [j0, j1] of a block.
type cellRange struct{ i0, i1, j0, j1 int }

// cellMargin is the margin, in block units, by which markSegment widens
// each column (row) of cells and the segment's span across it: far more
// than the rounding of the coordinates' mapping to block units (a few ulps
// of numbers below 4096) and of the interpolation along the segment.
const cellMargin = 1e-9

// markSegment calls mark for every cell (i, j) within c of block (bx, by),
// 1<<kb cells per side, that the segment from a to b (in block units, the
// mapping of the edge's end points) passes through or comes within
// cellMargin of: a superset of the cells any point of the edge maps to.
// It walks the cells along the segment's longer axis, so that the
// interpolated coordinate's rounding is at most a few ulps, and a
// segment's cells are about the cells it spans in either axis, not the
// cells of its bounding box.
func markSegment(a, b orb.Point, bx, by int, kb uint, c cellRange, mark func(i, j int)) {
	if c.i0 == c.i1 || c.j0 == c.j1 {
		for j := c.j0; j <= c.j1; j++ {
			for i := c.i0; i <= c.i1; i++ {
				mark(i, j)
			}
		}
		return
	}
	// Walk the longer axis u (x unless the segment is steep); v is the
	// other one.
	u0, u1, lo, hi, bu := c.i0, c.i1, c.j0, c.j1, bx
	au, av, du, dv, bv := a[0], a[1], b[0]-a[0], b[1]-a[1], by
	steep := math.Abs(dv) > math.Abs(du)
	if steep {
		u0, u1, lo, hi, bu = c.j0, c.j1, c.i0, c.i1, by
		au, av, du, dv, bv = a[1], a[0], b[1]-a[1], b[0]-a[0], bx
	}
	k := float64(int(1) << kb)
	for u := u0; u <= u1; u++ {
		s0 := (float64(bu<<kb+u)/k - cellMargin - au) / du
		s1 := (float64(bu<<kb+u+1)/k + cellMargin - au) / du
		if s0 > s1 {
			s0, s1 = s1, s0
		}
		s0, s1 = max(s0, 0), min(s1, 1)
		if s0 > s1 {
			continue
		}
		v0, v1 := av+s0*dv, av+s1*dv
		if v0 > v1 {
			v0, v1 = v1, v0
		}
		v0, v1 = v0-cellMargin, v1+cellMargin
		if v1 < float64(bv) || v0 >= float64(bv+1) {
			continue // the segment is in another block there
		}
		w0, w1 := max(cellIn(v0, bv, kb), lo), min(cellIn(v1, bv, kb), hi)
		for w := w0; w <= w1; w++ {
			if steep {
				mark(w, u)
			} else {
				mark(u, w)
			}
		}
	}
}

// cellPair is a polygon (entry) with an edge in a cell, while the grid is
// built.
type cellPair struct{ cell, entry int32 }

// pairList is a list of pairs in chunks of pairChunk: growing it never
// copies.
type pairList struct{ chunks [][]cellPair }

const pairChunk = 1 << 16

func (l *pairList) add(p cellPair) {
	if n := len(l.chunks); n == 0 || len(l.chunks[n-1]) == pairChunk {
		l.chunks = append(l.chunks, make([]cellPair, 0, pairChunk))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = append(*c, p)
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
