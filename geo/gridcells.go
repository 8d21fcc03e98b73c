package geo

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// crossingPairs finds, for every polygon, the cells an edge of it reaches
// and those it holds whole (cellsOf), on GOMAXPROCS workers, and returns
// the pairs grouped by cell with a counting sort (one allocation instead of
// one list per cell): cell c's polygons are entries[start[c]:start[c+1]],
// in polygon order. inside[c] ends as the first polygon in ID order that
// holds the whole cell c, or -1.
func (gb *gridBuild) crossingPairs(inside []int32) (entries, start []int32) {
	x := gb.x
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
					regs, state = gb.cellsOf(pi, inside, regs, state, pairs)
				}
			}
		}()
	}
	wg.Wait()
	// start[c] ends as the first of cell c's entries (filled from the
	// cells' ends backwards: no second array of positions).
	start = make([]int32, gb.g.cells+1)
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
	entries = make([]int32, npairs)
	for _, pairs := range workerPairs {
		for _, c := range pairs.chunks {
			for _, p := range c {
				start[p.cell]--
				entries[start[p.cell]] = p.entry
			}
		}
	}
	return entries, start
}

// region is a polygon's part of a block its bounding box touches: cells
// [i0, i1] x [j0, j1] of block (bx, by), 1<<kb cells a side, whose states
// start at state[m] (cellsOf).
type region struct {
	bx, by, i0, i1, j0, j1, m int
	kb                        uint
}

// Cell states, for the polygon at hand (cellsOf): not yet known, an edge
// reaches the cell, or wholly inside or outside it.
const (
	stateUnknown = int8(iota)
	stateCrossing
	stateIn
	stateOut
)

// cellsOf adds to pairs a pair for each cell of the blocks polygon pi's
// bounding box touches that an edge of it reaches or whose side cannot be
// told, and records pi in inside for each cell it holds whole, where it is
// before the polygon there in ID order. regs and state are its scratch,
// returned for the next call.
func (gb *gridBuild) cellsOf(pi int, inside []int32, regs []region, state []int8, pairs *pairList) ([]region, []int8) {
	g, x, kbs, cellOff := gb.g, gb.x, gb.kbs, gb.cellOff
	cnx, cny := g.cnx, g.cny
	bp := &x.polys[pi]
	bb := &gb.boxes[pi]
	bx0, bx1, by0, by1 := bb.blocks(cnx, cny)
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
	ringEdges(gb.geoms[pi], func(a, b orb.Point) {
		ta, tb := orb.Point{g.tx(a[0]), g.ty(a[1])}, orb.Point{g.tx(b[0]), g.ty(b[1])}
		ex0, ex1 := min(ta[0], tb[0]), max(ta[0], tb[0])
		ey0, ey1 := min(ta[1], tb[1]), max(ta[1], tb[1])
		for by := blockAt(ey0, cny); by <= blockAt(ey1, cny); by++ {
			for bx := blockAt(ex0, cnx); bx <= blockAt(ex1, cnx); bx++ {
				r := &regs[(by-by0)*nbx+bx-bx0]
				c := cellRange{cellIn(ex0, bx, r.kb), cellIn(ex1, bx, r.kb), cellIn(ey0, by, r.kb), cellIn(ey1, by, r.kb)}
				rw := r.i1 - r.i0 + 1
				markSegment(ta, tb, bx, by, r.kb, c, func(i, j int) {
					state[r.m+(j-r.j0)*rw+i-r.i0] = stateCrossing
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
				if state[row+i] == stateCrossing {
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
				for e <= r.i1 && state[row+e] != stateCrossing {
					e++
				}
				d := stateUnknown
				if j > r.j0 {
					for c := i; c < e && d == stateUnknown; c++ {
						if v := state[row-rw+c]; v == stateIn || v == stateOut {
							d = v
						}
					}
				}
				for c := i; c < e && d == stateUnknown; c++ {
					if p, ok := centre(c, j); ok {
						d = stateOut
						if x.covers(bp, p) {
							d = stateIn
						}
					}
				}
				for c := i; c < e; c++ {
					state[row+c] = d
					cell := base + j<<r.kb + c
					switch d {
					case stateUnknown: // cannot tell: test each point
						pairs.add(cellPair{int32(cell), int32(pi)})
					case stateIn:
						for {
							q := atomic.LoadInt32(&inside[cell])
							if q >= 0 && x.before(q, int32(pi)) || atomic.CompareAndSwapInt32(&inside[cell], q, int32(pi)) {
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

// before reports whether polygon p comes before polygon q in ID order.
func (x *Index) before(p, q int32) bool {
	rp, rq := x.polys[p].rank, x.polys[q].rank
	return rp < rq || rp == rq && p < q
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
