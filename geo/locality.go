package geo

import (
	"math/bits"
	"slices"
	"unsafe"

	"github.com/paulmach/orb"
)

// Spatial locality for batches of points. Random points over a large layer
// make every lookup a cache miss (grid cell, polygon, band, edges); the same
// points visited in the order of a space-filling curve reuse the cache lines
// of their neighbours. For an index larger than the cache, locateBatch sorts
// a batch along a space-filling curve over the index's bounding box, locates
// in that order and writes each answer at the point's own position, so the
// result is the same as locating the points one by one in input order. A
// smaller index answers most points from the grid's cell words in input
// order, and groups only the others (the points near boundaries, which need
// point-in-polygon tests) by candidate list.
//
// The curve is Morton's (Z-order): its key is a few shifts, where the
// Hilbert curve's walk costs more per point than its better locality saves
// (BenchmarkLocateNational measures both; hilbertKey is kept for it).

// curveOrder is the order of the curve: 2^curveOrder cells per side of the
// layer's bounding box, keys of 2*curveOrder bits.
const curveOrder = 11

// mortonKey interleaves the bits of x and y (x in the even bits).
func mortonKey(x, y uint32) uint32 { return spread(x) | spread(y)<<1 }

// spread moves bit i of v (v < 2^16) to bit 2i.
func spread(v uint32) uint32 {
	v &= 0xffff
	v = (v | v<<8) & 0x00ff00ff
	v = (v | v<<4) & 0x0f0f0f0f
	v = (v | v<<2) & 0x33333333
	v = (v | v<<1) & 0x55555555
	return v
}

// curveKey is the key the batches are sorted by.
var curveKey = mortonKey

// hilbertKey maps cell (x, y) of a 2^curveOrder square to its distance
// along the Hilbert curve (the classic rotate-and-flip walk, one quadrant per
// bit from the top).
func hilbertKey(x, y uint32) uint32 {
	var d uint32
	for s := uint32(1) << (curveOrder - 1); s > 0; s >>= 1 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		if ry == 0 {
			if rx == 1 {
				x, y = s-1-x, s-1-y
			}
			x, y = y, x
		}
	}
	return d
}

// sorter holds the buffers of one goroutine's batch sorts.
type sorter struct {
	a, b            []uint64
	pending, sorted []pendingPoint
	count           [1<<pendingBucketBits + 1]int
}

// order returns, in the low 32 bits of each entry, the positions 0..len(pts)-1
// sorted by the curve key of the points over bound (points outside it, and
// NaN coordinates, are clamped to its edge); ties keep input order. The slice
// is reused by the next call.
func (s *sorter) order(bound orb.Bound, pts []orb.Point) []uint64 {
	n := len(pts)
	if cap(s.a) < n {
		s.a, s.b = make([]uint64, n), make([]uint64, n)
	}
	a, b := s.a[:n], s.b[:n]
	const side = 1 << curveOrder
	w, h := bound.Max[0]-bound.Min[0], bound.Max[1]-bound.Min[1]
	sx, sy := 0.0, 0.0
	if w > 0 {
		sx = side / w
	}
	if h > 0 {
		sy = side / h
	}
	cell := func(v float64) uint32 {
		switch {
		case !(v > 0): // also NaN
			return 0
		case v >= side-1:
			return side - 1
		}
		return uint32(v)
	}
	for i, p := range pts {
		k := curveKey(cell((p[0]-bound.Min[0])*sx), cell((p[1]-bound.Min[1])*sy))
		a[i] = uint64(k)<<32 | uint64(i)
	}
	// LSD radix sort on the key's bits, radixBits at a time (stable).
	const radixBits = curveOrder
	var count [1 << radixBits]int
	for shift := uint(32); shift < 32+2*curveOrder; shift += radixBits {
		count = [1 << radixBits]int{}
		for _, v := range a {
			count[(v>>shift)&(1<<radixBits-1)]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, v := range a {
			d := (v >> shift) & (1<<radixBits - 1)
			b[count[d]] = v
			count[d]++
		}
		a, b = b, a
	}
	return a
}

// locateBatch writes into out[i] the feature holding pts[i] (or Unmatched).
// An index too large for the cache (sortBatches) visits the points in curve
// order. Otherwise the points whose cell word is the answer are placed in
// input order, and the others, which need point-in-polygon tests, are
// placed afterwards grouped by candidate list (lists are laid out in cell
// order), so consecutive tests reuse the same polygons' bands and vertices.
// Batches of fewer than minSortedBatch points are located in input order.
func (x *Index) locateBatch(s *sorter, pts []orb.Point, out []int32) {
	if len(pts) < minSortedBatch || x.grid.cnx == 0 {
		for i, p := range pts {
			out[i] = x.locate32(p)
		}
		return
	}
	if x.sortBatches {
		x.locateSorted(s.order(x.bound, pts), pts, out)
		return
	}
	g := &x.grid
	pending := s.pending[:0]
	var slots [lookupGroup]int32
	maxKey := uint32(0)
	for g0 := 0; g0 < len(pts); g0 += lookupGroup {
		grp := pts[g0:min(g0+lookupGroup, len(pts))]
		// The slots first, then the words: the second loop's loads do
		// not depend on each other, so their cache misses overlap.
		g.slots(grp, slots[:])
		pending, maxKey = gather(g.words, slots[:len(grp)], grp, g0, out[g0:g0+len(grp)], pending, maxKey)
	}
	// Grouped by list (or record) position with one counting sort on
	// its high bits: points whose lists are near each other in memory
	// are tested one after the other, with the points themselves at
	// hand (reading them back from pts would be a cache miss each).
	shift := max(bits.Len32(maxKey)-pendingBucketBits, 0)
	count := &s.count
	*count = [len(s.count)]int{}
	for _, q := range pending {
		count[(q.off&(recordBase-1))>>shift+1]++
	}
	for k := 1; k < len(count); k++ {
		count[k] += count[k-1]
	}
	sorted := slices.Grow(s.sorted[:0], len(pending))[:len(pending)]
	for _, q := range pending {
		b := (q.off & (recordBase - 1)) >> shift
		sorted[count[b]] = q
		count[b]++
	}
	if len(g.recs) > 0 {
		x.placeRecords(sorted, out)
	} else {
		for _, q := range sorted {
			out[q.i] = x.locateList(int(q.off), q.p)
		}
	}
	s.pending, s.sorted = pending[:0], sorted[:0]
}

// gather writes words[slots[k]] into out[k], then appends the points
// whose word is a list (or record) word, at position base+k of the
// batch, to pending; maxKey is the largest pending list (or record)
// position, less recordBase. The first loop has no branch on the words,
// which are as good as random, so their cache misses all overlap; the
// second reads them back from out, at hand.
func gather(words, slots []int32, grp []orb.Point, base int, out []int32, pending []pendingPoint, maxKey uint32) ([]pendingPoint, uint32) {
	out, grp = out[:len(slots)], grp[:len(slots)]
	for k, sl := range slots {
		out[k] = words[sl]
	}
	for k, w := range out {
		if w < cellEmpty {
			off := uint32(listOffset(w))
			pending = append(pending, pendingPoint{off: off, i: uint32(base + k), p: grp[k]})
			maxKey = max(maxKey, off&(recordBase-1))
		}
	}
	return pending, maxKey
}

// pendingPoint is a point of a batch whose cell word is a list (or
// record) word at off, at position i of the batch.
type pendingPoint struct {
	off, i uint32
	p      orb.Point
}

// pendingBucketBits sets the number of buckets (2^pendingBucketBits) of
// locateBatch's counting sort.
const pendingBucketBits = 12

// locateSorted places pts[uint32(v)] for each v of order, in that order,
// lookupGroup points at a time: first the group's points are copied from
// their scattered positions, then their cell words are read, then the
// points whose word is a list are tested. Each of the first two loops is
// short, with no dependence between its iterations, so the processor has
// many cache misses in flight at once instead of one per point.
func (x *Index) locateSorted(order []uint64, pts []orb.Point, out []int32) {
	var gp [lookupGroup]orb.Point
	var gw [lookupGroup]int32
	words := x.grid.words
	for g0 := 0; g0 < len(order); g0 += lookupGroup {
		ord := order[g0:min(g0+lookupGroup, len(order))]
		for k, v := range ord {
			gp[k] = pts[uint32(v)]
		}
		x.grid.slots(gp[:len(ord)], gw[:])
		for k := range ord {
			gw[k] = words[gw[k]]
		}
		for k, v := range ord {
			w := gw[k]
			if w < cellEmpty {
				w = x.locateList(listOffset(w), gp[k])
			}
			out[uint32(v)] = w
		}
	}
}

// lookupGroup is the number of points locateSorted moves through each
// step at a time (4 KiB of points: they stay in the first-level cache).
const lookupGroup = 256

// minSortedBatch is the batch size below which sorting does not pay.
const minSortedBatch = 256

// sortAboveBytes is the index size past which batches are sorted along the
// curve instead of placed in two passes. On the 2-core benchmark machine
// (shared, load 18-21), one worker, chunks of 2^20, CPU ns per point
// (BenchmarkLocateAllSmallLayers, BenchmarkLocateNational): Ohio's 2,948
// tracts (index 4.3 MiB) 116 in input order, 112 sorted, 74 in two passes;
// Alameda's 360 (0.9 MiB) 55, 108, 56; the national-size layer (85,492
// tracts, 95 MiB) 535-564 sorted, 598-628 in two passes.
const sortAboveBytes = 32 << 20

// sizeBytes is the memory of x's arenas and grid.
func (x *Index) sizeBytes() int {
	return 16*len(x.verts) + 4*len(x.bandEdges) + 4*len(x.bandStart) + 4*len(x.grid.lists) + 4*len(x.grid.words) + 4*len(x.grid.index) + 8*len(x.grid.recs) + int(unsafe.Sizeof(bandPolygon{}))*len(x.polys)
}
