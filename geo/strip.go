package geo

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// Cell records: for a layer whose index is small enough (a state's
// tracts), every grid cell that has a candidate list also gets a record
// holding, for each polygon of its list, only the edges that can change
// that polygon's crossing-number test for a point of the cell, with their
// coordinates inline. A point near a boundary then reads one short run of
// memory (the record) instead of walking the list, each polygon's band
// bounds, its band's edge numbers and their vertices: a chain of dependent
// loads each of which can miss the cache.
//
// The answer is the one covers gives, bit for bit: the record keeps the
// edges whose outcome depends on where the point is in the cell, and
// drops only those whose outcome is the same for every point that maps to
// the cell, found with bounds that allow for the rounding of the test
// itself. For polygon P and a cell whose points lie in [x0, x1] x [y0, y1]
// (bounds widened by far more than the rounding of the cell mapping), an
// edge a -> b of P
//   - whose latitude range misses [y0, y1] never straddles a point's
//     latitude and holds no point of the cell: it is dropped;
//   - that lies wholly left of x0 by more than the rounding bound of its
//     crossing abscissa xc (see crossBound) never counts (xc <= px), and
//     wholly right of x1 by more than it always has px < xc, so it counts
//     exactly when it straddles py: such "far" edges keep only their two
//     latitudes, and those that straddle every latitude of the cell fold
//     into one parity bit;
//   - any other is "local" and is tested as covers tests it (on-edge test,
//     then the crossing with the same arithmetic).
// A closed ring straddles any latitude an even number of times, so the
// parity of the edges with px < xc is also that of the straddling edges
// with !(px < xc): each polygon's record counts its crossings on the side
// (left or right of the cell) with fewer far edges to keep, often none.
//
// A record is a run of uint64 words in grid.recs: a header (number of
// entries in the high 32 bits, the list's terminal entry in the low 32),
// then for each polygon of the list, in list order, an entry word (feature
// in the low 32 bits, local edges in bits 32-47, far edges in bits 48-61,
// bit 62 set when the far edges are the left ones, the parity bit in bit
// 63), its far edges (two words each: a's and b's latitude) and its local
// edges (four words: a[0], a[1], b[0], b[1], as float64 bits).

// recordBase splits the list words: an offset below it is in grid.lists,
// one at or above it is recordBase + the record's position in grid.recs.
const recordBase = 1 << 29

// maxRecordBytes caps the records of one index; past it the cells keep
// their lists (the national layer, whose index is far larger than the
// cache, is never given records: see newIndex).
const maxRecordBytes = 48 << 20

// crossBound bounds the rounding of covers' crossing abscissa
// xc = a0 + (py-a1)*(b0-a0)/(b1-a1) for a py the edge straddles
// (|py-a1| <= |b1-a1|): each of the three subtractions, the product and
// the quotient add a relative error of at most 2^-53 to a term of size at
// most |b0-a0|, and the sum one of 2^-53 (|a0| + |b0-a0|), so |xc - exact|
// <= 2^-53 (|a0| + 7.01 |b0-a0|). The bound is eight times that.
func crossBound(a0, dx float64) float64 {
	return 0x1p-50 * (math.Abs(a0) + 8*math.Abs(dx))
}

// addRecords gives every listed cell of x's grid a record, unless the
// records would pass maxRecordBytes (then the grid keeps its lists and
// addRecords reports false). The blocks are shared out to GOMAXPROCS
// goroutines recordChunk at a time; each chunk's records are laid out
// in block order whatever the scheduling.
func (x *Index) addRecords() bool {
	g := &x.grid
	if g.cnx == 0 || g.sx == 0 || g.sy == 0 {
		return false
	}
	blocks, coarse := slices.Clone(g.blocks), make([]int32, g.cnx*g.cny)
	for b := range coarse {
		coarse[b] = g.coarseWord(b)
	}
	nchunks := (len(coarse) + recordChunk - 1) / recordChunk
	chunks := make([][]uint64, nchunks)
	var failed atomic.Bool
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), nchunks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rb recordBuilder
			for !failed.Load() {
				c := int(next.Add(1)) - 1
				if c >= nchunks {
					return
				}
				rb.recs = rb.recs[:0]
				// Words are written with offsets within the chunk's
				// records, moved to their place below.
				if !rb.blocks(x, c*recordChunk, min((c+1)*recordChunk, len(coarse)), blocks, coarse) {
					failed.Store(true)
					return
				}
				chunks[c] = slices.Clone(rb.recs)
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, c := range chunks {
		total += len(c)
	}
	if failed.Load() || total > int(-2-minListWord)-recordBase || 8*total > maxRecordBytes {
		return false
	}
	recs := make([]uint64, 0, total)
	move := func(w int32, base int) int32 {
		if w < cellEmpty {
			return listWord(listOffset(w) + base)
		}
		return w
	}
	for c, cr := range chunks {
		base := len(recs)
		recs = append(recs, cr...)
		for b := c * recordChunk; b < min((c+1)*recordChunk, len(coarse)); b++ {
			w := coarse[b]
			switch {
			case w >= cellEmpty:
			case w >= minListWord:
				coarse[b] = move(w, base)
			default:
				off, kb := blockCells(w)
				for i := off; i < off+1<<(2*kb); i++ {
					blocks[i] = move(blocks[i], base)
				}
			}
		}
	}
	g.setWords(blocks, coarse)
	g.recs = recs
	return true
}

// recordChunk is the number of coarse blocks an addRecords goroutine
// takes at a time.
const recordChunk = 256

// recordBuilder holds one goroutine's buffers while records are built.
type recordBuilder struct {
	recs, body []uint64
	sides      []int8
	// The strips of the polygons met in the current row of cells
	// (latitudes [y0, y1]): polygon stripPolys[i]'s edges are
	// strip[stripOff[i]:stripOff[i+1]].
	y0, y1     float64
	stripPolys []int32
	stripOff   []int
	strip      []stripEdge
	// sub holds the sub-cells' states while a record's sub-grid is
	// built (subgrid.go).
	sub [subgridSide * subgridSide]int32
}

// stripEdge is an edge a -> b whose latitude range meets a row of cells,
// with its abscissa range widened by crossBound (lo, hi) and whether it
// straddles every latitude of the row (spans).
type stripEdge struct {
	a, b   orb.Point
	lo, hi float64
	spans  bool
}

// stripOf returns polygon e's edges whose latitude range meets [y0, y1]
// (those of its bands from y0's to y1's, each once), computed once per
// row of cells. The slice is valid until the next call.
func (rb *recordBuilder) stripOf(x *Index, e int32, y0, y1 float64) []stripEdge {
	if y0 != rb.y0 || y1 != rb.y1 || len(rb.stripPolys) == 64 || len(rb.stripOff) == 0 {
		rb.y0, rb.y1 = y0, y1
		rb.stripPolys, rb.strip, rb.stripOff = rb.stripPolys[:0], rb.strip[:0], append(rb.stripOff[:0], 0)
	}
	for i, q := range rb.stripPolys {
		if q == e {
			return rb.strip[rb.stripOff[i]:rb.stripOff[i+1]]
		}
	}
	bp := &x.polys[e]
	start := len(rb.strip)
	k0, k1 := bp.bandOf(y0), bp.bandOf(y1)
	for k := k0; k <= k1; k++ {
		for _, v := range x.bandEdges[x.bandStart[bp.band+k]:x.bandStart[bp.band+k+1]] {
			a, b := x.verts[v], x.verts[v+1]
			ylo, yhi := min(a[1], b[1]), max(a[1], b[1])
			// Once: in the first of these bands that lists it.
			if k != k0 && bp.bandOf(ylo) != k || yhi < y0 || ylo > y1 {
				continue
			}
			eb := crossBound(a[0], b[0]-a[0])
			rb.strip = append(rb.strip, stripEdge{a: a, b: b, lo: min(a[0], b[0]) - eb, hi: max(a[0], b[0]) + eb, spans: ylo <= y0 && yhi > y1})
		}
	}
	rb.stripPolys = append(rb.stripPolys, e)
	rb.stripOff = append(rb.stripOff, len(rb.strip))
	return rb.strip[start:]
}

// blocks writes the records of coarse blocks [lo, hi) into rb.recs and
// their words (recordBase + offset in rb.recs) into blocks and coarse;
// false if a record does not fit its counts' bits.
func (rb *recordBuilder) blocks(x *Index, lo, hi int, blocks, coarse []int32) bool {
	g := &x.grid
	// span is the range of coordinates whose cell, at level kb, is c
	// (c counted from the grid's origin), widened by far more than the
	// rounding of the mapping; the last cell takes the clamped ones.
	span := func(c int, kb uint, origin, scale, top float64, last bool) (lo, hi float64) {
		k := float64(int(1) << kb)
		lo = origin + (float64(c)/k-cellMargin)/scale
		hi = origin + (float64(c+1)/k+cellMargin)/scale
		if last {
			hi = max(hi, top)
		}
		slack := 0x1p-50 * (math.Abs(origin) + math.Abs(lo) + math.Abs(hi))
		return lo - slack, hi + slack
	}
	for b := lo; b < hi; b++ {
		w := coarse[b]
		bx, by := b%g.cnx, b/g.cnx
		switch {
		case w >= cellEmpty:
		case w >= minListWord: // the whole block
			x0, x1 := span(bx, 0, g.bound.Min[0], g.sx, g.bound.Max[0], bx == g.cnx-1)
			y0, y1 := span(by, 0, g.bound.Min[1], g.sy, g.bound.Max[1], by == g.cny-1)
			nw, ok := rb.record(x, w, recordCell{x0, x1, y0, y1, bx, by, 0, 0, 0})
			if !ok {
				return false
			}
			coarse[b] = nw
		default:
			off, kb := blockCells(w)
			side := 1 << kb
			for c := range side * side {
				cw := blocks[off+c]
				if cw >= cellEmpty {
					continue
				}
				i, j := c&(side-1), c>>kb
				x0, x1 := span(bx<<kb+i, kb, g.bound.Min[0], g.sx, g.bound.Max[0], bx == g.cnx-1 && i == side-1)
				y0, y1 := span(by<<kb+j, kb, g.bound.Min[1], g.sy, g.bound.Max[1], by == g.cny-1 && j == side-1)
				nw, ok := rb.record(x, cw, recordCell{x0, x1, y0, y1, bx, by, kb, i, j})
				if !ok {
					return false
				}
				blocks[off+c] = nw
			}
		}
	}
	return true
}

// recordCell is a cell given a record: its points lie in
// [x0, x1] x [y0, y1]; it is cell (i, j) of block (bx, by), split in
// 1<<kb x 1<<kb cells (kb == 0: the whole block).
type recordCell struct {
	x0, x1, y0, y1 float64
	bx, by         int
	kb             uint
	i, j           int
}

// record appends the record of cell c, with list word w, to rb.recs and
// returns its word (recordBase + its offset in rb.recs); false when a
// count does not fit its bits.
func (rb *recordBuilder) record(x *Index, w int32, c recordCell) (int32, bool) {
	g := &x.grid
	off := listOffset(w)
	body := rb.body[:0]
	n := 0
	var term int32
	sub := rb.startSubgrid(x, c)
	for _, e := range g.lists[off:] {
		if e < 0 {
			term = e
			break
		}
		bp := &x.polys[e]
		strip := rb.stripOf(x, e, c.y0, c.y1)
		// Each edge's side: wholly left of the cell (-1), wholly right
		// (+1), or local (0); the crossings are counted on the side
		// with fewer edges to keep (see above).
		var keep, fold [3]int
		sides := rb.sides[:0]
		for _, se := range strip {
			side := int8(0)
			switch {
			case se.hi < c.x0:
				side = -1
			case se.lo > c.x1:
				side = 1
			}
			if side != 0 && se.spans {
				side *= 3 // straddles every latitude of the cell
				fold[side/3+1]++
			} else {
				keep[side+1]++
			}
			if side == 0 && sub {
				rb.markSubgrid(g, c, se.a, se.b)
			}
			sides = append(sides, side)
		}
		rb.sides = sides
		far, left := int8(1), uint64(0)
		if keep[0] < keep[2] {
			far, left = -1, 1
		}
		parity := uint64(fold[far+1] & 1)
		at := len(body)
		body = append(body, 0)
		for i, se := range strip {
			if sides[i] == far {
				body = append(body, math.Float64bits(se.a[1]), math.Float64bits(se.b[1]))
			}
		}
		for i, se := range strip {
			if sides[i] == 0 {
				body = append(body, math.Float64bits(se.a[0]), math.Float64bits(se.a[1]), math.Float64bits(se.b[0]), math.Float64bits(se.b[1]))
			}
		}
		local, right := uint64(keep[1]), uint64(keep[far+1])
		if local >= 1<<16 || right >= 1<<14 {
			rb.body = body
			return w, false
		}
		body[at] = uint64(uint32(bp.feature)) | local<<32 | right<<48 | left<<62 | parity<<63
		n++
	}
	rb.body = body
	r := len(rb.recs)
	if n >= 1<<16 {
		return w, false
	}
	rb.recs = append(rb.recs, uint64(uint32(term))|uint64(n)<<32)
	if sub {
		// Room for the sub-grid, decided from the record itself.
		rb.recs[r] |= subgridFlag
		rb.recs = append(rb.recs, make([]uint64, 1+subgridWords)...)
	}
	rb.recs = append(rb.recs, body...)
	if sub {
		rb.recs = rb.fillSubgrid(x, c, rb.recs, r)
	}
	if len(rb.recs) > int(-2-minListWord)-recordBase {
		return w, false
	}
	return listWord(recordBase + r), true
}

// locateRecord is locateList for the record at recs[off] (see addRecords):
// the same answer, from the record's sub-grid or its edges.
func (x *Index) locateRecord(off int, p orb.Point) int32 {
	h := x.grid.recs[off]
	if h&subgridFlag != 0 {
		if v, ok := x.subgridWord(x.grid.recs[off+1:], h, p); ok {
			return v
		}
	}
	return recordEdges(x.grid.recs, off, h, p)
}

// recordEdges is locateRecord from the edges of the record at recs[off],
// whose header is h.
func recordEdges(recs []uint64, off int, h uint64, p orb.Point) int32 {
	k := off + 1
	if h&subgridFlag != 0 {
		k += 1 + subgridWords
	}
	px, py := p[0], p[1]
	for n := int(h >> 32 & (1<<16 - 1)); n > 0; n-- {
		e := recs[k]
		k++
		// The crossings' parity, without branches: which edges straddle
		// py, and where, is as good as random from point to point.
		in, left := e>>63, e>>62&1
		for r := int(e >> 48 & (1<<14 - 1)); r > 0; r-- {
			in ^= b2u(math.Float64frombits(recs[k]) > py) ^ b2u(math.Float64frombits(recs[k+1]) > py)
			k += 2
		}
		for l := int(e >> 32 & (1<<16 - 1)); l > 0; l-- {
			a0, a1 := math.Float64frombits(recs[k]), math.Float64frombits(recs[k+1])
			b0, b1 := math.Float64frombits(recs[k+2]), math.Float64frombits(recs[k+3])
			k += 4
			// covers' tests, the same arithmetic (its on-edge test with
			// the cross product first: the same answer, and it is almost
			// never zero). xc is only used when the edge straddles py,
			// so b1 != a1 then.
			if (b0-a0)*(py-a1)-(b1-a1)*(px-a0) == 0 && px >= min(a0, b0) && px <= max(a0, b0) && py >= min(a1, b1) && py <= max(a1, b1) {
				return int32(uint32(e))
			}
			xc := a0 + (py-a1)*(b0-a0)/(b1-a1)
			in ^= (b2u(a1 > py) ^ b2u(b1 > py)) & (b2u(px < xc) ^ left)
		}
		if in != 0 {
			return int32(uint32(e))
		}
	}
	if t := int32(uint32(h)); t != listEnd {
		return terminalFeature(t)
	}
	return Unmatched
}

// b2u is 1 for true, 0 for false (the compiler makes it a flag move, not
// a branch).
func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
