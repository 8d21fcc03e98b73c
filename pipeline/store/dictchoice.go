package store

import (
	"math"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// dictionaryPays reports whether the first n values of string column j
// hold at most one distinct value per dictMinRepeat rows (nulls are not
// counted).
func (c *chunk) dictionaryPays(j, n int) bool {
	var a *array.String
	var tc *table.Column
	if c.rec != nil {
		a = c.rec.Column(j).(*array.String)
	} else {
		tc = c.cols[j]
	}
	limit := n / dictMinRepeat
	seen := stringSets.Get().(map[string]struct{})
	defer func() {
		clear(seen)
		stringSets.Put(seen)
	}()
	var prev string
	var have bool // prev is a value seen
	for i := range n {
		var v string
		if a != nil {
			if a.IsNull(i) {
				continue
			}
			v = a.Value(i)
		} else {
			if !tc.Valid[i] {
				continue
			}
			v = tc.Strings[i]
		}
		// A run of one value (a sorted column: states, counties) is
		// looked up once.
		if v == prev && have {
			continue
		}
		prev, have = v, true
		if _, ok := seen[v]; !ok {
			if len(seen) == limit {
				return false
			}
			seen[v] = struct{}{}
		}
	}
	return true
}

// stringSets keeps dictionaryPays's sets from column to column: built
// afresh, a set of a row group's unique strings (GEOIDs, names) was most
// of its cost, in its growth.
var stringSets = sync.Pool{New: func() any { return map[string]struct{}{} }}

// distinctBits is the size of the bitmap of floatDictionaryPays's
// estimate: the rows of a row group, 4 times the threshold, so that the
// estimate is within about 1% near it (linear counting at a load of a
// quarter), in 8 KiB.
const distinctBits = 1 << distinctLog

const distinctLog = 16 // rowGroupRows

// floatDictionaryPays reports whether the first n values of float64
// column j hold at most one distinct value per dictMinRepeat valid rows,
// by the estimate of a distinctSketch of them.
func (c *chunk) floatDictionaryPays(j, n int) bool {
	// Row i is valid where its bit of bitmap (from offset) is set, or
	// valid[i]: read in the loop, not through a call per value.
	var vals []float64
	var bitmap []byte
	var offset int
	var valid []bool
	if c.rec != nil {
		a := c.rec.Column(j).(*array.Float64)
		vals = a.Float64Values()
		if a.NullN() > 0 {
			bitmap, offset = a.NullBitmapBytes(), a.Data().Offset()
		}
	} else {
		vals, valid = c.cols[j].Floats, c.cols[j].Valid[:n]
	}
	rows := n
	switch {
	case bitmap != nil:
		rows = bitutil.CountSetBits(bitmap, offset, n)
	case valid != nil:
		rows = 0
		for _, ok := range valid {
			if ok {
				rows++
			}
		}
	}
	var s distinctSketch
	s.reset(rows)
	for i, v := range vals[:n] {
		if bitmap != nil && bitmap[(offset+i)>>3]>>((offset+i)&7)&1 == 0 || valid != nil && !valid[i] {
			continue
		}
		s.add(v)
		if i&1023 == 1023 && s.over() {
			return false
		}
	}
	return s.pays()
}

// distinctSketch estimates the distinct values among rows values, and
// whether they are at most one per dictMinRepeat rows, by linear counting
// (Whang et al. 1990): each value sets one bit of a bitmap of
// distinctBits bits (a mixing hash of its bits, so 0 and -0 differ, as in
// the dictionary), and k distinct values among them leave about
// m·e^(-k/m) bits unset, so k ≈ m·ln(m/unset). A bit per value, where a
// map of the values would cost more than the dictionary saves.
//
// A value added again sets the bit it set before, so the estimate depends
// only on the set of values added, not on their order or repeats: adding
// each distinct value once decides as adding every row does
// (chunkEncoder.floatIndexes relies on it). The bits set only grow, so
// once over, a sketch stays over (a near-unique column, coordinates, can
// stop early).
type distinctSketch struct {
	seen   [distinctBits / 64]uint64
	set    int // bits of seen set
	maxSet int
	rows   int
	limit  float64
}

// reset empties s for a column chunk of rows valid values.
func (s *distinctSketch) reset(rows int) {
	clear(s.seen[:])
	s.set, s.rows = 0, rows
	s.limit = float64(rows / dictMinRepeat)
	// The most bits limit distinct values set (expected), plus 1%: more
	// set means more values.
	const m = distinctBits
	s.maxSet = int(m*(1-math.Exp(-s.limit/m))*1.01) + 1
}

// add sets v's bit.
func (s *distinctSketch) add(v float64) {
	// A mixing hash (MurmurHash3's finalizer): linear counting takes the
	// bits as random; a multiplicative hash alone spreads evenly spaced
	// values more evenly than that, and the estimate would be high.
	h := math.Float64bits(v)
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	b := (h ^ h>>33) >> (64 - distinctLog)
	// Branch-free: whether the bit was unset is added to set.
	w := &s.seen[b>>6]
	s.set += int(^*w >> (b & 63) & 1)
	*w |= 1 << (b & 63)
}

// over reports whether the bits set already mean too many values: pays
// is false, whatever is added.
func (s *distinctSketch) over() bool { return s.set > s.maxSet }

// pays reports whether the values added are estimated to be at most one
// per dictMinRepeat rows (and rows is not 0).
func (s *distinctSketch) pays() bool {
	const m = distinctBits
	return !s.over() && s.rows > 0 && float64(m)*math.Log(float64(m)/float64(m-s.set)) <= s.limit
}
