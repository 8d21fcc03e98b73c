package store

import (
	"bytes"
	"hash/maphash"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// chunkEncoder encodes column chunks for pageWriter; its buffers are
// reused from chunk to chunk. One goroutine uses it at a time.
type chunkEncoder struct {
	levels   []byte // the rows' definition levels, 1 valid, 0 null
	defs     []byte // levels, RLE-encoded
	floats   []float64
	ints     []int64
	strs     []string
	idx      []int32
	data     []byte
	offs     []uint32
	page     []byte // the values, encoded
	comp     []byte // page, compressed
	fdict    floatDict
	sketch   distinctSketch
	stable   stringTable // stringIndexes's
	dictData []byte
	dictOffs []uint32
	hdr      bytes.Buffer
	proto    thrift.CompactProtocol
}

// columnIndexLimit is parquet-go's default bound on the bytes of a page's
// least and greatest values in the column index.
const columnIndexLimit = parquet.DefaultColumnIndexSizeLimit

// encode writes rows [start, end) of column j of c, a whole row group, as
// one column chunk into o: what parquet-go's ColumnWriter writes for the
// same values (writeDataPage, writeDictionaryPage, recordPageStats).
// Where choose, *col is the file's default for its type (a string
// dictionary, PLAIN floats) and encode first chooses the column's
// encoding as encoder.start does for parquet-go's writer over the same
// rows (the first row group), sets *col to it, then encodes.
func (e *chunkEncoder) encode(o *columnChunk, pc *pageColumn, choose bool, c *chunk, j, start, end int) (err error) {
	n := end - start
	nulls := e.setLevels(c, j, start, end)
	valid := n - nulls
	var lo, hi parquet.Value
	var dictPage []byte
	dictLen := 0
	var unencoded int64
	// indexed: e.idx and the dictionary are this chunk's already (the
	// choice found them).
	indexed := false
	var vals []float64
	var strs stringSource
	switch {
	case pc.kind == kindFloatPlain:
		vals = e.floatValues(c, j, start, end, nulls)
		if choose && e.floatIndexes(vals, pc.typ, j, true) {
			if *pc, err = newPageColumn(pc.name, arrow.PrimitiveTypes.Float64, false, true); err != nil {
				return err
			}
			indexed = true
		}
	case pc.kind == kindFloatDict:
		vals = e.floatValues(c, j, start, end, nulls)
	case pc.kind == kindStringDict:
		// The values are looked up where they are: typed columns' strings
		// need no copy into one buffer (only the dictionary does).
		if c.rec != nil {
			data, offs := e.stringValues(c, j, start, end)
			strs = byteArrays{data, offs}
		} else {
			strs = stringSlice(nonNull(&e.strs, c.cols[j].Strings[start:end], e.levels, nulls))
		}
		if choose {
			if !e.stringIndexesUpTo(strs, n/dictMinRepeat) {
				if *pc, err = newPageColumn(pc.name, arrow.BinaryTypes.String, true, false); err != nil {
					return err
				}
			}
			indexed = true
		}
	}
	col := *pc
	kind := col.typ.Kind()
	switch col.kind {
	case kindFloatPlain, kindFloatDict:
		if col.kind == kindFloatPlain {
			if e.page, err = col.enc.EncodeDouble(e.page[:0], vals); err != nil {
				return err
			}
			if valid > 0 {
				lo, hi, _ = col.typ.NewPage(j, valid, encoding.DoubleValues(vals)).Bounds()
			}
			break
		}
		if !indexed {
			e.floatIndexes(vals, col.typ, j, false)
		}
		if e.page, err = col.enc.EncodeInt32(e.page[:0], e.idx); err != nil {
			return err
		}
		if valid > 0 {
			lo, hi = e.fdict.view().Bounds(e.idx)
		}
		dictLen = len(e.fdict.vals)
		if dictPage, err = parquet.Plain.EncodeDouble(e.dictData[:0], e.fdict.vals); err != nil {
			return err
		}
	case kindInt:
		vals := e.intValues(c, j, start, end, nulls)
		if e.page, err = col.enc.EncodeInt64(e.page[:0], vals); err != nil {
			return err
		}
		if valid > 0 {
			lo, hi, _ = col.typ.NewPage(j, valid, encoding.Int64Values(vals)).Bounds()
		}
	case kindStringUnique:
		data, offs := e.stringValues(c, j, start, end)
		unencoded = int64(len(data))
		if e.page, err = col.enc.EncodeByteArray(e.page[:0], data, offs); err != nil {
			return err
		}
		if valid > 0 {
			lo, hi, _ = col.typ.NewPage(j, valid, encoding.ByteArrayValues(noBytes(data), offs)).Bounds()
		}
	case kindStringDict:
		if !indexed {
			e.stringIndexesUpTo(strs, -1)
		}
		if e.page, err = col.enc.EncodeInt32(e.page[:0], e.idx); err != nil {
			return err
		}
		dictLen = len(e.dictOffs) - 1
		if valid > 0 {
			// Every entry of a chunk's dictionary is used by its one
			// page: the distinct indexes, ascending (distinctBounds).
			all := make([]int32, dictLen)
			for k := range all {
				all[k] = int32(k)
			}
			dict := col.typ.NewDictionary(j, dictLen, encoding.ByteArrayValues(e.dictData, e.dictOffs))
			lo, hi = dict.Bounds(all)
		}
		if dictPage, err = parquet.Plain.EncodeByteArray(e.page[len(e.page):], e.dictData, e.dictOffs); err != nil {
			return err
		}
	}
	compressed := pageCodec != nil && pageCodec.CompressionCodec() != format.Uncompressed
	md := format.ColumnMetaData{
		Type:         format.Type(kind),
		Encoding:     col.encodings,
		PathInSchema: []string{col.name},
		Codec:        pageCodec.CompressionCodec(),
		NumValues:    int64(n),
		SizeStatistics: format.SizeStatistics{
			UnencodedByteArrayDataBytes: unencoded,
			DefinitionLevelHistogram:    []int64{int64(nulls), int64(valid)},
		},
		Statistics: format.Statistics{NullCount: int64(nulls)},
	}
	if valid > 0 {
		md.Statistics.MaxValue = append([]byte{}, hi.Bytes()...)
		md.Statistics.MinValue = append([]byte{}, lo.Bytes()...)
	}

	// The data page: its header, the levels, the values compressed.
	if e.defs, err = levelEncoding.EncodeLevels(e.defs[:0], e.levels); err != nil {
		return err
	}
	body := e.page
	if compressed {
		if e.comp, err = pageCodec.Encode(e.comp[:0], e.page); err != nil {
			return err
		}
		body = e.comp
	}
	minBytes, maxBytes := lo.Bytes(), hi.Bytes()
	h := format.PageHeader{
		Type:                 format.DataPageV2,
		UncompressedPageSize: int32(len(e.defs) + len(e.page)),
		CompressedPageSize:   int32(len(e.defs) + len(body)),
		CRC:                  crc(e.defs, body),
		DataPageHeaderV2: thrift.New(format.DataPageHeaderV2{
			NumValues:                  int32(n),
			NumNulls:                   int32(nulls),
			NumRows:                    int32(n),
			Encoding:                   col.enc.Encoding(),
			DefinitionLevelsByteLength: int32(len(e.defs)),
			IsCompressed:               thrift.New(compressed),
			Statistics: format.Statistics{
				Min: minBytes, Max: maxBytes, NullCount: int64(nulls), MinValue: minBytes, MaxValue: maxBytes,
			},
		}),
	}
	if err := e.header(&h); err != nil {
		return err
	}
	hdr := int32(e.hdr.Len())
	o.data = append(append(append(o.data[:0], e.hdr.Bytes()...), e.defs...), body...)
	o.dataSize = hdr + h.CompressedPageSize
	md.TotalUncompressedSize = int64(hdr + h.UncompressedPageSize)
	md.TotalCompressedSize = int64(o.dataSize)
	md.EncodingStats = []format.PageEncodingStats{{PageType: format.DataPageV2, Encoding: col.enc.Encoding(), Count: 1}}

	ci := col.typ.NewColumnIndexer(columnIndexLimit)
	ci.IndexPage(int64(n), int64(nulls), lo, hi)
	o.colIdx = ci.ColumnIndex()
	o.colIdx.DefinitionLevelHistogram = []int64{int64(nulls), int64(valid)}

	o.dict = nil
	if col.kind == kindStringDict || col.kind == kindFloatDict {
		body := dictPage
		if compressed {
			if e.comp, err = pageCodec.Encode(e.comp[:0], dictPage); err != nil {
				return err
			}
			body = e.comp
		}
		h := format.PageHeader{
			Type:                 format.DictionaryPage,
			UncompressedPageSize: int32(len(dictPage)),
			CompressedPageSize:   int32(len(body)),
			CRC:                  crc(nil, body),
			DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: int32(dictLen), Encoding: format.Plain}),
		}
		if err := e.header(&h); err != nil {
			return err
		}
		o.dict = append(append(o.dictBuf[:0], e.hdr.Bytes()...), body...)
		o.dictBuf = o.dict
		hdr := int64(e.hdr.Len())
		md.TotalUncompressedSize += hdr + int64(h.UncompressedPageSize)
		md.TotalCompressedSize += hdr + int64(h.CompressedPageSize)
		// Sorted by page type: the dictionary page's first.
		md.EncodingStats = append([]format.PageEncodingStats{{PageType: format.DictionaryPage, Encoding: format.Plain, Count: 1}}, md.EncodingStats...)
	}
	o.meta = md
	return nil
}

// header encodes h into e.hdr.
func (e *chunkEncoder) header(h *format.PageHeader) error {
	e.hdr.Reset()
	return thrift.NewEncoder(e.proto.NewWriter(&e.hdr)).Encode(h)
}

// setLevels sets e.levels to the definition levels of rows [start, end)
// of column j and returns how many are null.
func (e *chunkEncoder) setLevels(c *chunk, j, start, end int) (nulls int) {
	n := end - start
	e.levels = slices.Grow(e.levels[:0], n)[:n]
	if c.rec == nil {
		for k, ok := range c.cols[j].Valid[start:end] {
			b := *(*byte)(unsafe.Pointer(&ok))
			e.levels[k] = b
			nulls += int(1 - b)
		}
		return nulls
	}
	a := c.rec.Column(j)
	if a.NullN() == 0 {
		for k := range e.levels {
			e.levels[k] = 1
		}
		return 0
	}
	bitmap, off := a.NullBitmapBytes(), a.Data().Offset()
	for k := range e.levels {
		i := off + start + k
		b := bitmap[i>>3] >> (i & 7) & 1
		e.levels[k] = b
		nulls += int(1 - b)
	}
	return nulls
}

// floatValues is the non-null values of rows [start, end) of float64
// column j, in order (the column's own slice when none is null).
func (e *chunkEncoder) floatValues(c *chunk, j, start, end, nulls int) []float64 {
	if c.rec != nil {
		return nonNull(&e.floats, c.rec.Column(j).(*array.Float64).Float64Values()[start:end], e.levels, nulls)
	}
	return nonNull(&e.floats, c.cols[j].Floats[start:end], e.levels, nulls)
}

// intValues is floatValues for an int64 column.
func (e *chunkEncoder) intValues(c *chunk, j, start, end, nulls int) []int64 {
	if c.rec != nil {
		return nonNull(&e.ints, c.rec.Column(j).(*array.Int64).Int64Values()[start:end], e.levels, nulls)
	}
	return nonNull(&e.ints, c.cols[j].Ints[start:end], e.levels, nulls)
}

// nonNull is the values of src whose levels are not 0, in order: src
// itself when there are no nulls, else copies in *buf.
func nonNull[T any](buf *[]T, src []T, levels []byte, nulls int) []T {
	if nulls == 0 {
		return src
	}
	out := (*buf)[:0]
	for k, v := range src {
		if levels[k] != 0 {
			out = append(out, v)
		}
	}
	*buf = out
	return out
}

// stringValues is the non-null values of rows [start, end) of string
// column j, in order, as bytes and offsets into them (from 0): the Arrow
// buffer itself where the null cells are empty, else copies.
func (e *chunkEncoder) stringValues(c *chunk, j, start, end int) (data []byte, offs []uint32) {
	e.offs = append(e.offs[:0], 0)
	if c.rec != nil {
		a := c.rec.Column(j).(*array.String)
		ao := a.ValueOffsets()
		var buf []byte
		if b := a.Data().Buffers()[2]; b != nil {
			buf = b.Bytes()
		}
		base := ao[start]
		for k, l := range e.levels {
			switch {
			case l != 0:
				e.offs = append(e.offs, uint32(ao[start+k+1]-base))
			case ao[start+k+1] != ao[start+k]:
				return e.copyStrings(c, j, start, end)
			}
		}
		return buf[base:ao[end]], e.offs
	}
	return e.copyStrings(c, j, start, end)
}

// copyStrings is stringValues copying each value into e.data.
func (e *chunkEncoder) copyStrings(c *chunk, j, start, end int) ([]byte, []uint32) {
	e.data, e.offs = e.data[:0], append(e.offs[:0], 0)
	for k, l := range e.levels {
		if l == 0 {
			continue
		}
		var v string
		if c.rec != nil {
			v = c.rec.Column(j).(*array.String).Value(start + k)
		} else {
			v = c.cols[j].Strings[start+k]
		}
		e.data = append(e.data, v...)
		e.offs = append(e.offs, uint32(len(e.data)))
	}
	return e.data, e.offs
}

// stringSource is the non-null values of a column chunk, in order.
type stringSource interface {
	Len() int
	At(k int) string // valid while the chunk is encoded
}

// byteArrays is values in one buffer (data), value k at
// data[offs[k]:offs[k+1]].
type byteArrays struct {
	data []byte
	offs []uint32
}

func (b byteArrays) Len() int { return len(b.offs) - 1 }

func (b byteArrays) At(k int) string {
	v := b.data[b.offs[k]:b.offs[k+1]]
	return unsafe.String(unsafe.SliceData(v), len(v))
}

type stringSlice []string

func (s stringSlice) Len() int        { return len(s) }
func (s stringSlice) At(k int) string { return s[k] }

// stringIndexesUpTo is stringIndexes of src, a byteArrays or a
// stringSlice.
func (e *chunkEncoder) stringIndexesUpTo(src stringSource, limit int) bool {
	if b, ok := src.(byteArrays); ok {
		return stringIndexes(e, b, limit)
	}
	return stringIndexes(e, src.(stringSlice), limit)
}

// stringIndexes sets e.idx to the dictionary index of each value of src,
// and e.dictData and e.dictOffs to the dictionary: each distinct value
// once, first seen first (parquet-go's dictionary order), and reports
// true; or, when limit >= 0 and src holds more than limit distinct
// values, stops at the first value past it and reports false (the
// dictionary does not pay: dictionaryPays's rule, counted exactly as it
// counts).
func stringIndexes[S stringSource](e *chunkEncoder, src S, limit int) bool {
	// Never nil, as parquet-go's dictionary buffer: a dictionary of ""
	// alone has an empty least value, not a nil one (noBytes).
	if e.dictData == nil {
		e.dictData = make([]byte, 0, 64)
	}
	e.dictData, e.dictOffs = e.dictData[:0], append(e.dictOffs[:0], 0)
	e.idx = e.idx[:0]
	want := min(src.Len(), 1024)
	if limit >= 0 {
		want = min(src.Len(), limit+1)
	}
	t := &e.stable
	t.reset(want)
	var prev string
	x := int32(-1)
	for k := range src.Len() {
		v := src.At(k)
		// A run of one value (a sorted column) looks it up once.
		if x >= 0 && v == prev {
			e.idx = append(e.idx, x)
			continue
		}
		prev = v
		h := maphash.String(t.seed, v)
		i := h & t.mask
		for {
			sl := t.slots[i]
			if sl == 0 {
				// A new value.
				x = int32(len(e.dictOffs) - 1)
				if int(x) == limit {
					return false
				}
				t.slots[i] = h&^0xffffffff | uint64(x+1)
				e.dictData = append(e.dictData, v...)
				e.dictOffs = append(e.dictOffs, uint32(len(e.dictData)))
				if 2*int(x+1) > len(t.slots) {
					t.grow(e.dictData, e.dictOffs)
				}
				break
			}
			if sl>>32 == h>>32 {
				if y := int32(uint32(sl)) - 1; string(e.dictData[e.dictOffs[y]:e.dictOffs[y+1]]) == v {
					x = y
					break
				}
			}
			i = (i + 1) & t.mask
		}
		e.idx = append(e.idx, x)
	}
	return true
}

// stringTable is stringIndexes's set of the dictionary's values: open
// addressing with linear probing, at most half full, a slot the high 32
// bits of its value's hash and its dictionary index + 1 (0: empty); the
// values themselves are the dictionary's bytes (no strings kept, no
// pointers for the collector). The indexes are the dictionary's, first
// seen first, whatever the seed.
type stringTable struct {
	seed  maphash.Seed
	slots []uint64
	mask  uint64
}

// reset empties t for about want values.
func (t *stringTable) reset(want int) {
	if t.slots == nil {
		t.seed = maphash.MakeSeed()
	}
	size := max(16, 1<<bits.Len(uint(2*want)))
	if cap(t.slots) < size {
		t.slots = make([]uint64, size)
	} else {
		t.slots = t.slots[:size]
		clear(t.slots)
	}
	t.mask = uint64(size - 1)
}

// grow doubles t's slots and puts back the dictionary's values (data,
// offs).
func (t *stringTable) grow(data []byte, offs []uint32) {
	size := 2 * len(t.slots)
	t.slots = make([]uint64, size)
	t.mask = uint64(size - 1)
	for y := range len(offs) - 1 {
		h := maphash.Bytes(t.seed, data[offs[y]:offs[y+1]])
		i := h & t.mask
		for t.slots[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = h&^0xffffffff | uint64(y+1)
	}
}

// floatIndexes sets e.idx to the dictionary index of each of vals (a
// column chunk's valid values, column j of type typ) and e.fdict to their
// dictionary, and reports true; where choose, it reports whether the
// dictionary pays, as floatDictionaryPays over the same values, and stops
// early when it cannot (e.idx and e.fdict are then not the chunk's). The
// estimate is made from the dictionary's values as they are added, each
// distinct value once (distinctSketch: the same bits as every row's).
func (e *chunkEncoder) floatIndexes(vals []float64, typ parquet.Type, j int, choose bool) bool {
	e.fdict.Reset()
	e.fdict.base, e.fdict.column = typ, j
	e.idx = slices.Grow(e.idx[:0], len(vals))[:len(vals)]
	if !choose {
		e.fdict.insertFloats(e.idx, vals)
		return true
	}
	s := &e.sketch
	s.reset(len(vals))
	// In blocks: a near-unique column (coordinates) is over after about
	// a quarter of a row group's values.
	const block = 4096
	for k := 0; k < len(vals); k += block {
		end := min(k+block, len(vals))
		seen := len(e.fdict.vals)
		e.fdict.insertFloats(e.idx[k:end], vals[k:end])
		for _, v := range e.fdict.vals[seen:] {
			s.add(v)
		}
		if s.over() {
			return false
		}
	}
	return s.pays()
}

// noBytes is b, or nil when b is empty: parquet-go's buffers of byte
// arrays hold nil until a value of one byte or more is written, and an
// empty least or greatest value of a page is then a nil slice (left out
// of the page header's statistics), else an empty one (written).
func noBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
