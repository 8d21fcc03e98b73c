package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Sub-grids: a cell's record (strip.go) can start with the answers of
// the cell's 1<<subgridLevel x 1<<subgridLevel sub-cells, the cells of
// level kb+subgridLevel of the grid's mapping (grid.slot) within the
// cell: a point in a sub-cell that no edge of the cell's polygons
// reaches is placed from the sub-grid, without testing an edge. The
// soundness argument is the grid's (see grid): the mapping is monotone,
// markSegment marks every sub-cell a point of an edge maps to, so an
// unmarked sub-cell holds no boundary point of the cell's polygons, and
// neither does a run of unmarked sub-cells in a row, nor such a run with
// an unmarked sub-cell below one of them: the points that map to them
// form a connected set, all on the same side of each of the cell's
// polygons, with one answer, found by placing one point that maps to
// one of them (with the cell's list: the same answer as its record).
//
// In the record, the header's subgridFlag says there is a sub-grid, its
// bits 49-52 hold the sub-cells' level kb2 in the block; the next word
// holds the cell's first sub-cell column and row at that level, counted
// from the grid's origin (low and high 32 bits); then subgridWords words
// of 16-bit entries, four a word, row by row: a feature, subEmpty (no
// feature), or subTest (test the record's edges).
const (
	subgridLevel = 2
	subgridSide  = 1 << subgridLevel
	subgridWords = subgridSide * subgridSide / 4
	subgridFlag  = uint64(1) << 48
	subTest      = 0xfffe
	subEmpty     = 0xffff
)

// subgridWord is the answer of the sub-grid at sg (the record's words
// after its header h) for p; false when p's sub-cell needs the record's
// edges.
func (x *Index) subgridWord(sg []uint64, h uint64, p orb.Point) (int32, bool) {
	q := subCell(sg[0], h, x.grid.tx(p[0]), x.grid.ty(p[1]))
	return subAnswer(uint16(sg[1+q>>2] >> (16 * (q & 3))))
}

// subCell is the position in its sub-grid of the sub-cell of a point at
// (tx, ty) in block units, for the record whose header is h and whose
// sub-grid's first word is o: as slot computes a cell at level kb2, the
// column within the grid less the cell's first one, clamped as cellIn
// clamps.
func subCell(o, h uint64, tx, ty float64) int {
	k := math.Float64frombits((1023 + h>>49&15) << 52) // 1<<kb2, exactly
	i := min(max(int(tx*k)-int(int32(uint32(o))), 0), subgridSide-1)
	j := min(max(int(ty*k)-int(int32(uint32(o>>32))), 0), subgridSide-1)
	return j<<subgridLevel + i
}

// subAnswer is the answer of a sub-grid entry; false for subTest.
func subAnswer(v uint16) (int32, bool) {
	switch v {
	case subTest:
		return 0, false
	case subEmpty:
		return Unmatched, true
	}
	return int32(v), true
}

// placeRecords writes into out[q.i] the feature holding q.p for every
// q of pending, whose words are record words (the index has records):
// locateRecord with the grid's fields in registers.
func (x *Index) placeRecords(pending []pendingPoint, out []int32) {
	g := &x.grid
	recs := g.recs
	minX, minY, sx, sy := g.bound.Min[0], g.bound.Min[1], g.sx, g.sy
	for _, q := range pending {
		off := int(q.off) - recordBase
		h := recs[off]
		if h&subgridFlag != 0 {
			s := subCell(recs[off+1], h, (q.p[0]-minX)*sx, (q.p[1]-minY)*sy)
			if v, ok := subAnswer(uint16(recs[off+2+s>>2] >> (16 * (s & 3)))); ok {
				out[q.i] = v
				continue
			}
		}
		out[q.i] = recordEdges(recs, off, h, q.p)
	}
}

// startSubgrid reports whether cell c's record gets a sub-grid, and
// clears the sub-cells' marks.
func (rb *recordBuilder) startSubgrid(x *Index, c recordCell) bool {
	if len(x.layer.Features) >= subTest || c.kb+subgridLevel > 15 {
		return false
	}
	rb.sub = [subgridSide * subgridSide]int32{}
	return true
}

// markSubgrid marks the sub-cells of cell c that points of the edge from
// a to b may map to (markSegment at the sub-cells' level).
func (rb *recordBuilder) markSubgrid(g *grid, c recordCell, a, b orb.Point) {
	kb2 := c.kb + subgridLevel
	ta, tb := orb.Point{g.tx(a[0]), g.ty(a[1])}, orb.Point{g.tx(b[0]), g.ty(b[1])}
	i0, j0 := c.i<<subgridLevel, c.j<<subgridLevel
	r := cellRange{
		max(cellIn(min(ta[0], tb[0]), c.bx, kb2), i0), min(cellIn(max(ta[0], tb[0]), c.bx, kb2), i0+subgridSide-1),
		max(cellIn(min(ta[1], tb[1]), c.by, kb2), j0), min(cellIn(max(ta[1], tb[1]), c.by, kb2), j0+subgridSide-1),
	}
	if r.i0 > r.i1 || r.j0 > r.j1 {
		return
	}
	markSegment(ta, tb, c.bx, c.by, kb2, r, func(i, j int) {
		rb.sub[(j-j0)<<subgridLevel+i-i0] = subMarked
	})
}

// subMarked marks a sub-cell an edge reaches while a sub-grid is built
// (the other states are subUnknown and a decided answer).
const (
	subMarked  = int32(-3)
	subUnknown = int32(0)
)

// fillSubgrid decides cell c's unmarked sub-cells and writes the
// sub-grid of the record at recs[r], which has room for it, with the
// answers of the record's edges. Without a decided sub-cell, it drops
// the sub-grid. It returns recs.
func (rb *recordBuilder) fillSubgrid(x *Index, c recordCell, recs []uint64, r int) []uint64 {
	g := &x.grid
	kb2 := c.kb + subgridLevel
	k := float64(int(1) << kb2)
	i0, j0 := c.i<<subgridLevel, c.j<<subgridLevel
	// Decided answers are stored as answer+2 (subUnknown is 0, Unmatched
	// is -1).
	decide := func(i, j int) int32 {
		p := orb.Point{g.bound.Min[0] + (float64(c.bx)+(float64(i0+i)+0.5)/k)/g.sx, g.bound.Min[1] + (float64(c.by)+(float64(j0+j)+0.5)/k)/g.sy}
		tx, ty := g.tx(p[0]), g.ty(p[1])
		if !(tx >= 0 && ty >= 0 && p[0] <= g.bound.Max[0] && p[1] <= g.bound.Max[1]) || blockAt(tx, g.cnx) != c.bx || blockAt(ty, g.cny) != c.by || cellIn(tx, c.bx, kb2) != i0+i || cellIn(ty, c.by, kb2) != j0+j {
			return subUnknown
		}
		return recordEdges(recs, r, recs[r], p) + 2
	}
	s := &rb.sub
	decided := 0
	for j := range subgridSide {
		row := j << subgridLevel
		for i := 0; i < subgridSide; {
			if s[row+i] == subMarked {
				i++
				continue
			}
			e := i
			for e < subgridSide && s[row+e] != subMarked {
				e++
			}
			d := subUnknown
			if j > 0 {
				for q := i; q < e && d == subUnknown; q++ {
					if v := s[row-subgridSide+q]; v > subUnknown {
						d = v
					}
				}
			}
			for q := i; q < e && d == subUnknown; q++ {
				d = decide(q, j)
			}
			for q := i; q < e; q++ {
				s[row+q] = d
			}
			if d != subUnknown {
				decided += e - i
			}
			i = e
		}
	}
	if decided == 0 {
		recs[r] &^= subgridFlag
		n := copy(recs[r+1:], recs[r+2+subgridWords:])
		return recs[:r+1+n]
	}
	recs[r] |= uint64(kb2) << 49
	recs[r+1] = uint64(uint32(int32(c.bx<<kb2+i0))) | uint64(uint32(int32(c.by<<kb2+j0)))<<32
	for q, v := range s {
		e := uint64(subTest)
		switch {
		case v == Unmatched+2:
			e = subEmpty
		case v > subUnknown:
			e = uint64(v - 2)
		}
		recs[r+2+q>>2] |= e << (16 * (q & 3))
	}
	return recs
}
