package geoparquet

import (
	"bytes"
	"encoding/binary"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// BoundsOnce is the column type t whose pages work out their bounds (the
// least and greatest value) once, byte arrays through an 8-byte prefix
// compare: parquet-go's ColumnWriter asks each page it writes for its
// bounds twice (the page header's statistics and the column index), and a
// byte-array page compares every value with bytes.Compare both times.
// Everything else is t's, so a file's bytes are those of t. pipeline/store
// uses it too.
func BoundsOnce(t parquet.Type) parquet.Type { return boundsOnce{t} }

// boundsOnce is BoundsOnce's type.
type boundsOnce struct{ parquet.Type }

func (t boundsOnce) NewColumnBuffer(columnIndex, numValues int) parquet.ColumnBuffer {
	return &boundsBuffer{t.Type.NewColumnBuffer(columnIndex, numValues)}
}

// boundsBuffer is a column buffer whose pages remember their bounds.
type boundsBuffer struct{ parquet.ColumnBuffer }

func (b *boundsBuffer) Clone() parquet.ColumnBuffer { return &boundsBuffer{b.ColumnBuffer.Clone()} }

func (b *boundsBuffer) Page() parquet.Page { return &boundsPage{Page: b.ColumnBuffer.Page()} }

// boundsPage is a page whose bounds are worked out on the first call.
type boundsPage struct {
	parquet.Page
	done     bool
	min, max parquet.Value
	ok       bool
}

func (p *boundsPage) Bounds() (min, max parquet.Value, ok bool) {
	if !p.done {
		if d := p.Page.Data(); d.Kind() == encoding.ByteArray {
			p.min, p.max, p.ok = byteArrayBounds(d, p.Page.Column())
		} else {
			p.min, p.max, p.ok = p.Page.Bounds()
		}
		p.done = true
	}
	return p.min, p.max, p.ok
}

// byteArrayBounds is the least and greatest of the byte arrays of d in
// bytes.Compare's order (what a byte-array page's Bounds gives, as values
// of column col); ok is false when d is empty.
func byteArrayBounds(d encoding.Values, col int) (min, max parquet.Value, ok bool) {
	data, offs := d.ByteArray()
	if len(offs) < 2 {
		return min, max, false
	}
	lo := data[offs[0]:offs[1]]
	hi := lo
	loKey := prefixKey(lo)
	hiKey := loKey
	for i := 1; i < len(offs)-1; i++ {
		v := data[offs[i]:offs[i+1]]
		// The keys' order is the bytes' where the keys differ.
		k := prefixKey(v)
		if k <= loKey {
			c := -1
			if k == loKey {
				c = bytes.Compare(v, lo)
			}
			if c < 0 {
				lo, loKey = v, k
			}
			if c <= 0 { // v is lo, or equal to it: not above hi
				continue
			}
		}
		if k > hiKey || k == hiKey && bytes.Compare(v, hi) > 0 {
			hi, hiKey = v, k
		}
	}
	min, max = parquet.ByteArrayValue(lo), parquet.ByteArrayValue(hi)
	min.SetColumnIndex(col)
	max.SetColumnIndex(col)
	return min, max, true
}

// prefixKey is the first 8 bytes of b as a big-endian number, zeros after
// a shorter b: a's key below b's means a sorts before b.
func prefixKey(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.BigEndian.Uint64(b)
	}
	var k uint64
	for i, c := range b {
		k |= uint64(c) << (56 - 8*i)
	}
	return k
}

// leafOnce is a leaf node of type t (BoundsOnce).
func leafOnce(t parquet.Type) parquet.Node { return parquet.Leaf(boundsOnce{t}) }
