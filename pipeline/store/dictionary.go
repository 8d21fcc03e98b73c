package store

import (
	"math"
	mathbits "math/bits"
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// floatDictType is the leaf type of a dictionary-encoded float64 column:
// t's, except that its dictionary (floatDict) finds each value's index in
// a table of its own, where parquet-go's hashes every value of a page
// into a table that starts small and grows as it goes (the largest cost
// of writing a census response: its values are mostly repeats). The
// dictionary holds the same values in the same order (first seen first,
// compared by their bits, so 0 and -0 differ and a NaN equals a NaN of the
// same bits), so the indexes, the pages and the file are parquet-go's
// byte for byte (TestEncoderMatchesOld: the old encoder writes through
// parquet-go's own dictionary).
type floatDictType struct{ parquet.Type }

func (t floatDictType) NewDictionary(columnIndex, numValues int, data encoding.Values) parquet.Dictionary {
	d := &floatDict{Dictionary: t.Type.NewDictionary(columnIndex, 0, data), base: t.Type, column: columnIndex}
	d.insertFloats(make([]int32, numValues), data.Double()[:numValues])
	return d
}

// floatDict is floatDictType's dictionary. Its values are vals; the
// parquet-go dictionary it embeds is never written to (the column writer
// calls only the methods below), and view gives one over vals where
// parquet-go's own code is wanted (pages, bounds, lookups).
type floatDict struct {
	parquet.Dictionary
	base   parquet.Type
	column int
	vals   []float64
	// slots is an open-addressing table of the values' bits and their
	// indexes in vals, plus one (0: empty), len(slots) a power of two at
	// least twice len(vals): a probe reads one slot, not vals too.
	slots []floatSlot
	shift uint
	// small holds the index, plus one (0: absent), of each value isSmall
	// by the value itself (smallInts entries, made when first needed);
	// those values are not in slots.
	small []int32
	// doubles holds Insert's values as float64s, reused from call to call.
	doubles []float64
}

type floatSlot struct {
	bits uint64
	idx  int32
}

// floatHash is the slot of a value's bits in a table of 64-shift bits
// (Fibonacci hashing: the product's top bits depend on every bit).
func floatHash(bits uint64, shift uint) uint64 { return (bits * 0x9e3779b97f4a7c15) >> shift }

// smallInts is how many of the least non-negative integers floatDict
// finds in a table indexed by the value (small) instead of by a hash: a
// census response's counts, nearly all of its dictionary-encoded values.
const smallInts = 1 << 16

// isSmall reports whether v (of bits b) is an integer in [0, smallInts)
// other than -0: small's, and only small's.
func isSmall(v float64, b uint64) bool {
	return b>>63 == 0 && v < smallInts && float64(int(v)) == v
}

// grow doubles the table (1,024 slots at first) and puts vals back in it.
func (d *floatDict) grow() {
	n := max(1024, 2*len(d.slots))
	d.slots = make([]floatSlot, n)
	d.shift = uint(64 - mathbits.TrailingZeros(uint(n)))
	mask := uint64(n - 1)
	for k, v := range d.vals {
		bits := math.Float64bits(v)
		if isSmall(v, bits) {
			continue
		}
		h := floatHash(bits, d.shift)
		for d.slots[h].idx != 0 {
			h = (h + 1) & mask
		}
		d.slots[h] = floatSlot{bits, int32(k + 1)}
	}
}

// view is a parquet-go dictionary of vals (sharing them), for the pages
// and bounds: valid until the next index.
func (d *floatDict) view() parquet.Dictionary {
	return d.base.NewDictionary(d.column, len(d.vals), encoding.DoubleValues(d.vals))
}

func (d *floatDict) Type() parquet.Type {
	return floatIndexedType{Type: d.Dictionary.Type(), d: d}
}

func (d *floatDict) Len() int { return len(d.vals) }

func (d *floatDict) Size() int64 { return int64(8 * len(d.vals)) }

func (d *floatDict) Index(i int32) parquet.Value { return d.view().Index(i) }

func (d *floatDict) Insert(indexes []int32, values []parquet.Value) {
	if len(indexes) < len(values) {
		panic("store: dictionary insert with fewer indexes than values")
	}
	d.doubles = slices.Grow(d.doubles[:0], len(values))[:len(values)]
	for k := range values {
		d.doubles[k] = values[k].Double()
	}
	d.insertFloats(indexes, d.doubles)
}

// insertFloats sets indexes[k] to the index of values[k], appending the
// values not yet in the dictionary (indexes is at least as long).
func (d *floatDict) insertFloats(indexes []int32, values []float64) {
	if len(d.slots) == 0 {
		d.grow()
	}
	// index, with the table in locals: the loop runs once per value
	// written.
	slots, vals, shift := d.slots, d.vals, d.shift
	mask := uint64(len(slots) - 1)
	small := d.small
	for k, v := range values {
		bits := math.Float64bits(v)
		if isSmall(v, bits) {
			if small == nil {
				d.small = make([]int32, smallInts)
				small = d.small
			}
			x := &small[int(v)]
			if *x == 0 {
				vals = append(vals, v)
				*x = int32(len(vals))
			}
			indexes[k] = *x - 1
			continue
		}
		h := floatHash(bits, shift)
		for {
			s := slots[h&mask]
			if s.idx == 0 {
				if 2*(len(vals)+1) > len(slots) {
					d.vals = vals
					d.grow()
					slots, shift = d.slots, d.shift
					mask = uint64(len(slots) - 1)
					h = floatHash(bits, shift)
					continue
				}
				vals = append(vals, v)
				slots[h&mask] = floatSlot{bits, int32(len(vals))}
				indexes[k] = int32(len(vals) - 1)
				break
			}
			if s.bits == bits {
				indexes[k] = s.idx - 1
				break
			}
			h++
		}
	}
	d.vals = vals
}

func (d *floatDict) Lookup(indexes []int32, values []parquet.Value) {
	d.view().Lookup(indexes, values)
}

func (d *floatDict) Bounds(indexes []int32) (min, max parquet.Value) {
	return d.view().Bounds(indexes)
}

func (d *floatDict) Reset() {
	for _, v := range d.vals {
		if isSmall(v, math.Float64bits(v)) {
			d.small[int(v)] = 0
		}
	}
	d.vals = d.vals[:0]
	clear(d.slots)
}

func (d *floatDict) Page() parquet.Page { return d.view().Page() }

// floatIndexedType is the type of a floatDict's column buffers and pages:
// parquet-go's indexed type (Type) but for those two.
type floatIndexedType struct {
	parquet.Type
	d *floatDict
}

func (t floatIndexedType) NewColumnBuffer(columnIndex, numValues int) parquet.ColumnBuffer {
	return &floatIndexBuffer{ColumnBuffer: t.Type.NewColumnBuffer(columnIndex, 0), t: t, column: columnIndex, idx: make([]int32, 0, numValues)}
}

func (t floatIndexedType) NewPage(columnIndex, numValues int, data encoding.Values) parquet.Page {
	return t.d.view().Type().NewPage(columnIndex, numValues, data)
}

// floatIndexBuffer is a column buffer of indexes into a floatDict: what
// parquet-go's indexed column buffer holds, with the indexes found by the
// floatDict. The parquet-go buffer it embeds is never written to: the
// column writer calls only the methods below on a buffer of an optional
// column (through its own optional buffer), and store writes through the
// column writers alone (writeColumns), so the methods a column writer
// does not call panic rather than read an empty buffer.
type floatIndexBuffer struct {
	parquet.ColumnBuffer
	t      floatIndexedType
	column int
	idx    []int32
}

func (b *floatIndexBuffer) WriteValues(values []parquet.Value) (int, error) {
	i := len(b.idx)
	b.idx = slices.Grow(b.idx, len(values))[:i+len(values)]
	b.t.d.Insert(b.idx[i:], values)
	return len(values), nil
}

func (b *floatIndexBuffer) Page() parquet.Page {
	return b.t.NewPage(b.column, len(b.idx), encoding.Int32Values(b.idx))
}

func (b *floatIndexBuffer) Clone() parquet.ColumnBuffer {
	c := *b
	c.idx = append([]int32(nil), b.idx...)
	return &c
}

func (b *floatIndexBuffer) Dictionary() parquet.Dictionary { return b.t.d }
func (b *floatIndexBuffer) Reset()                         { b.idx = b.idx[:0] }
func (b *floatIndexBuffer) Cap() int                       { return cap(b.idx) }
func (b *floatIndexBuffer) Len() int                       { return len(b.idx) }
func (b *floatIndexBuffer) NumValues() int64               { return int64(len(b.idx)) }
func (b *floatIndexBuffer) Size() int64                    { return 4 * int64(len(b.idx)) }
func (b *floatIndexBuffer) Swap(i, j int)                  { b.idx[i], b.idx[j] = b.idx[j], b.idx[i] }

func (b *floatIndexBuffer) Less(i, j int) bool {
	return b.t.Compare(b.t.d.Index(b.idx[i]), b.t.d.Index(b.idx[j])) < 0
}

func (b *floatIndexBuffer) Pages() parquet.Pages {
	panic("store: floatIndexBuffer.Pages is not used by the column writer")
}

func (b *floatIndexBuffer) ReadValuesAt([]parquet.Value, int64) (int, error) {
	panic("store: floatIndexBuffer.ReadValuesAt is not used by the column writer")
}

func (b *floatIndexBuffer) ColumnIndex() (parquet.ColumnIndex, error) {
	panic("store: floatIndexBuffer.ColumnIndex is not used by the column writer")
}

func (b *floatIndexBuffer) OffsetIndex() (parquet.OffsetIndex, error) {
	panic("store: floatIndexBuffer.OffsetIndex is not used by the column writer")
}

// stringDictType is the leaf type of a dictionary-encoded string column:
// t's, except that the bounds of its pages (their statistics and column
// index) are worked out over the distinct dictionary entries a page uses
// (distinctBounds), where parquet-go's compare every value of the page,
// bytes.Compare a row. Everything else is parquet-go's (its dictionary
// and insertion), and the least and greatest strings of a set are the
// same however it is walked, so the file's bytes are too
// (TestEncoderMatchesOld).
type stringDictType struct{ parquet.Type }

func (t stringDictType) NewDictionary(columnIndex, numValues int, data encoding.Values) parquet.Dictionary {
	return stringDict{t.Type.NewDictionary(columnIndex, numValues, data)}
}

// stringDict is parquet-go's dictionary with stringIndexedType as its type.
type stringDict struct{ parquet.Dictionary }

func (d stringDict) Type() parquet.Type { return stringIndexedType{d.Dictionary.Type()} }

// stringIndexedType is parquet-go's indexed type whose column buffers'
// pages are distinctBounds.
type stringIndexedType struct{ parquet.Type }

func (t stringIndexedType) NewColumnBuffer(columnIndex, numValues int) parquet.ColumnBuffer {
	return stringIndexBuffer{t.Type.NewColumnBuffer(columnIndex, numValues)}
}

type stringIndexBuffer struct{ parquet.ColumnBuffer }

func (b stringIndexBuffer) Page() parquet.Page { return &distinctBounds{Page: b.ColumnBuffer.Page()} }

func (b stringIndexBuffer) Clone() parquet.ColumnBuffer {
	return stringIndexBuffer{b.ColumnBuffer.Clone()}
}

// distinctBounds is a page of dictionary indexes whose Bounds are its
// dictionary's Bounds of the distinct indexes it holds, in ascending
// order, worked out on the first call (the column writer asks twice).
type distinctBounds struct {
	parquet.Page
	done     bool
	min, max parquet.Value
	ok       bool
}

func (p *distinctBounds) Bounds() (min, max parquet.Value, ok bool) {
	if !p.done {
		p.done = true
		data := p.Page.Data()
		idx, dict := data.Int32(), p.Page.Dictionary()
		if len(idx) == 0 || dict == nil {
			p.min, p.max, p.ok = p.Page.Bounds()
			return p.min, p.max, p.ok
		}
		used := make([]uint64, (dict.Len()+63)/64)
		for _, x := range idx {
			used[x>>6] |= 1 << (x & 63)
		}
		var distinct []int32
		for w, bits := range used {
			for ; bits != 0; bits &= bits - 1 {
				distinct = append(distinct, int32(w<<6+mathbits.TrailingZeros64(bits)))
			}
		}
		p.min, p.max = dict.Bounds(distinct)
		p.ok = true
	}
	return p.min, p.max, p.ok
}
