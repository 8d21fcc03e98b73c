package geoparquet

import "github.com/parquet-go/parquet-go"

// boundsOnce is a column type t whose column buffers' pages work out their
// bounds (min, max) once: parquet-go's ColumnWriter asks a page written
// for its bounds twice, for the page header's statistics and for the
// column index. Everything else is t's: the file's bytes are the same.
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
		p.min, p.max, p.ok = p.Page.Bounds()
		p.done = true
	}
	return p.min, p.max, p.ok
}

// leafOnce is a leaf node of type t (boundsOnce).
func leafOnce(t parquet.Type) parquet.Node { return parquet.Leaf(boundsOnce{t}) }
