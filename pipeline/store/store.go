// Package store writes and reads groundwork's Parquet files: Arrow records in
// and out through parquet-go.
//
// Files are written atomically: to a temporary file in the destination folder,
// synced, then renamed over the destination, so a reader (or a crash) never
// sees a half-written file. Column order, nullability and the record's schema
// metadata (as Parquet key/value metadata) are preserved. Supported column
// types are those of package table: string, float64, int64 and bool, all
// nullable.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// rowGroupRows bounds the rows buffered per row group, so memory stays flat in
// the size of the record.
const rowGroupRows = 64 * 1024

// WriteParquet writes rec to path atomically (Zstandard-compressed). A failed
// write leaves any previous file at path untouched and no temporary file
// behind.
func WriteParquet(ctx context.Context, path string, rec arrow.RecordBatch) error {
	return WriteAtomic(path, func(w io.Writer) error { return encode(ctx, w, rec) })
}

// WriteAtomic calls write with a temporary file in path's folder and renames it
// to path once write and the file's sync and close have succeeded. On any
// error the temporary file is removed and path is left as it was.
func WriteAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create folder for %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func encode(ctx context.Context, w io.Writer, rec arrow.RecordBatch) error {
	e, err := newEncoder(w, rec.Schema())
	if err != nil {
		return err
	}
	if err := e.write(ctx, rec); err != nil {
		return err
	}
	return e.close()
}

// encoder writes records of one schema to a Parquet stream, a row group per
// rowGroupRows rows (or fewer, at the end of each record), column by column:
// each column's values of a row group go to its column writer in one call,
// so no row is ever assembled.
//
// String columns are dictionary-encoded when that pays: when the first
// record's first row group (up to rowGroupRows rows) has at most one
// distinct value per dictMinRepeat rows; otherwise (identifiers, names,
// addresses: mostly unique) they are DELTA_BYTE_ARRAY (uniqueStrings),
// which is faster to write and smaller than a dictionary as large as the
// column. Float64 columns are dictionary-encoded by the same rule, their
// distinct values estimated (floatDictionaryPays), else PLAIN: counts and
// margins of error repeat (a census response's columns), coordinates and
// measurements do not (lat, lon). The choices are made once per file, when
// the first record arrives, and depend only on the data, so the same
// records always give the same bytes. Int64 columns are
// DELTA_BINARY_PACKED (ints), booleans PLAIN.
type encoder struct {
	w  io.Writer
	s  *arrow.Schema
	pw *parquet.Writer // nil until the first record (and with pages)
	// pages writes the file instead of pw where it covers the schema.
	pages *pageWriter
	vals  []parquet.Value // one column's values of a row group, reused: the writer copies them
	// scratch are the vals of each goroutine of writeColumns.
	scratch [][]parquet.Value
}

// zstdCodec compresses pages at Zstandard's fastest level: compression was
// the largest cost of writing (40% at the default level) and the fastest
// level keeps most of the size gain (BenchmarkWriteParquet reports both).
var zstdCodec = &zstd.Codec{Level: zstd.SpeedFastest}

// pageCodec compresses every page written (zstdCodec; the benchmarks swap
// it to measure other codecs).
var pageCodec compress.Codec = zstdCodec

// dictMinRepeat is how many rows per distinct value a string column needs
// in its first row group to be dictionary-encoded.
const dictMinRepeat = 4

func newEncoder(w io.Writer, s *arrow.Schema) (*encoder, error) {
	if _, err := parquetSchema(s, nil, nil); err != nil {
		return nil, err
	}
	return &encoder{w: w, s: s}, nil
}

// start makes the Parquet writer, choosing each string and float64
// column's encoding from c (nil: no rows, dictionary-encoded strings and
// PLAIN floats).
func (e *encoder) start(c *chunk) error {
	unique := make([]bool, len(e.s.Fields()))
	dict := make([]bool, len(e.s.Fields()))
	if c != nil {
		n := min(c.len(), rowGroupRows)
		for j := range unique {
			unique[j] = c.isString(j) && !c.dictionaryPays(j, n)
			dict[j] = c.isFloat(j) && c.floatDictionaryPays(j, n)
		}
	}
	schema, err := parquetSchema(e.s, unique, dict)
	if err != nil {
		return err
	}
	opts := []parquet.WriterOption{schema, parquet.Compression(pageCodec), parquet.CreatedBy("groundwork", "", "")}
	if md := e.s.Metadata(); md.Len() > 0 {
		for i, k := range md.Keys() {
			opts = append(opts, parquet.KeyValueMetadata(k, md.Values()[i]))
		}
	}
	// Decided once per file: the page writer where it covers the
	// columns, else parquet-go's column writers.
	if pageWrites && pagesCover(e.s) {
		e.pages, err = newPageWriter(e.w, e.s, unique, dict, opts)
		return err
	}
	e.pw = parquet.NewWriter(e.w, opts...)
	return nil
}

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
// column j hold at most one distinct value per dictMinRepeat valid rows.
// The distinct values are estimated by linear counting (Whang et al.
// 1990): each value sets one bit of a bitmap of distinctBits bits (a
// mixing hash of its bits, so 0 and -0 differ, as in the dictionary),
// and k distinct values among them leave about m·e^(-k/m) bits unset, so
// k ≈ m·ln(m/unset). A bit per value, where a map of the values would cost
// more than the dictionary saves; it stops once the bits set already mean
// too many values (a near-unique column: coordinates).
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
	limit := float64(rows / dictMinRepeat)
	// The most bits limit distinct values set (expected), plus 1%: more
	// set means more values.
	const m = distinctBits
	maxSet := int(m*(1-math.Exp(-limit/m))*1.01) + 1
	var seen [m / 64]uint64
	set := 0
	for i, v := range vals[:n] {
		if bitmap != nil && bitmap[(offset+i)>>3]>>((offset+i)&7)&1 == 0 || valid != nil && !valid[i] {
			continue
		}
		// A mixing hash (MurmurHash3's finalizer): linear counting
		// takes the bits as random; a multiplicative hash alone
		// spreads evenly spaced values more evenly than that, and the
		// estimate would be high.
		h := math.Float64bits(v)
		h ^= h >> 33
		h *= 0xff51afd7ed558ccd
		h ^= h >> 33
		h *= 0xc4ceb9fe1a85ec53
		b := (h ^ h>>33) >> (64 - distinctLog)
		// Branch-free: whether the bit was unset is added to set.
		w := &seen[b>>6]
		set += int(^*w >> (b & 63) & 1)
		*w |= 1 << (b & 63)
		if i&1023 == 1023 && set > maxSet {
			return false
		}
	}
	if set > maxSet {
		return false
	}
	return rows > 0 && float64(m)*math.Log(float64(m)/float64(m-set)) <= limit
}

// chunk is rows given to the encoder: an Arrow record (rec) or typed
// columns (cols) of the encoder's schema.
type chunk struct {
	rec  arrow.RecordBatch
	cols []*table.Column
}

func (c *chunk) len() int {
	if c.rec != nil {
		return int(c.rec.NumRows())
	}
	if len(c.cols) == 0 {
		return 0
	}
	return c.cols[0].Len()
}

func (c *chunk) isFloat(j int) bool {
	if c.rec != nil {
		_, ok := c.rec.Column(j).(*array.Float64)
		return ok
	}
	return c.cols[j].Type == table.Float
}

func (c *chunk) isString(j int) bool {
	if c.rec != nil {
		_, ok := c.rec.Column(j).(*array.String)
		return ok
	}
	return c.cols[j].Type == table.String
}

// values appends the Parquet values of rows [start, end) of column j
// (columnValues, tableValues).
func (c *chunk) values(vals []parquet.Value, j, start, end int) []parquet.Value {
	if c.rec != nil {
		return columnValues(vals, c.rec.Column(j), j, start, end)
	}
	return tableValues(vals, c.cols[j], j, start, end)
}

// close finishes the Parquet stream.
func (e *encoder) close() error {
	if e.pw == nil && e.pages == nil {
		if err := e.start(nil); err != nil {
			return err
		}
	}
	if e.pages != nil {
		return e.pages.close()
	}
	return e.pw.Close()
}

// write appends rec's rows, flushing a row group every rowGroupRows rows
// and at its end.
func (e *encoder) write(ctx context.Context, rec arrow.RecordBatch) error {
	if int(rec.NumCols()) != len(e.s.Fields()) {
		return fmt.Errorf("record has %d columns, the file %d", rec.NumCols(), len(e.s.Fields()))
	}
	return e.writeChunk(ctx, &chunk{rec: rec})
}

// writeTable appends the rows of cols, the columns of the encoder's
// schema in its order (names and types), all of one length.
func (e *encoder) writeTable(ctx context.Context, cols []*table.Column) error {
	fields := e.s.Fields()
	if len(cols) != len(fields) {
		return fmt.Errorf("%d columns, the file %d", len(cols), len(fields))
	}
	for j, c := range cols {
		if c.Name != fields[j].Name || !arrow.TypeEqual(c.Type.ArrowType(), fields[j].Type) {
			return fmt.Errorf("column %d is %q of type %s, the file's %q of type %s", j, c.Name, c.Type.ArrowType(), fields[j].Name, fields[j].Type)
		}
		if c.Len() != cols[0].Len() || typedLen(c) != c.Len() {
			return fmt.Errorf("column %q has %d rows (%d values), column %q %d", c.Name, c.Len(), typedLen(c), cols[0].Name, cols[0].Len())
		}
	}
	return e.writeChunk(ctx, &chunk{cols: cols})
}

// typedLen is the length of c's slice of values of its type.
func typedLen(c *table.Column) int {
	switch c.Type {
	case table.String:
		return len(c.Strings)
	case table.Float:
		return len(c.Floats)
	case table.Int:
		return len(c.Ints)
	case table.Bool:
		return len(c.Bools)
	}
	return -1
}

// writeChunk appends c's rows, flushing a row group every rowGroupRows
// rows and at its end.
func (e *encoder) writeChunk(ctx context.Context, c *chunk) error {
	if e.pw == nil && e.pages == nil {
		if err := e.start(c); err != nil {
			return err
		}
	}
	n := c.len()
	for start := 0; start < n; start += rowGroupRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(n, start+rowGroupRows)
		if e.pages != nil {
			if err := e.pages.writeRowGroup(c, start, end); err != nil {
				return err
			}
			continue
		}
		if err := e.writeColumns(c, start, end); err != nil {
			return err
		}
		if err := e.pw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// parallelRows is the fewest rows of a row group whose columns write
// encodes on more than one goroutine.
const parallelRows = 4096

// writeColumns writes rows [start, end) of c, a whole row group, column
// by column: each column's values, then its last page encoded and
// compressed (ColumnWriter.Flush: the page the writer's flush would make),
// on up to GOMAXPROCS goroutines, as the column writers are independent.
func (e *encoder) writeColumns(c *chunk, start, end int) error {
	cws := e.pw.ColumnWriters()
	column := func(vals *[]parquet.Value, j int) error {
		*vals = c.values((*vals)[:0], j, start, end)
		if _, err := cws[j].WriteRowValues(*vals); err != nil {
			return err
		}
		return cws[j].Flush()
	}
	workers := min(runtime.GOMAXPROCS(0), len(cws))
	if end-start < parallelRows || workers < 2 {
		for j := range cws {
			if err := column(&e.vals, j); err != nil {
				return err
			}
		}
		return nil
	}
	if len(e.scratch) < workers {
		e.scratch = make([][]parquet.Value, workers)
	}
	var next atomic.Int64
	errs := make([]error, len(cws))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for j := int(next.Add(1) - 1); j < len(cws); j = int(next.Add(1) - 1) {
				errs[j] = column(&e.scratch[w], j)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// columnValues appends the Parquet values of a[start:end], leveled for
// column j of a flat schema of optional columns. It reads the Arrow
// buffers directly (values, offsets, validity bitmap) and sets the levels
// of each value in place (SetDefinitionLevel, SetColumnIndex: inlined),
// so a cell costs a store of one Value; the values are those of
// oldColumnValues (the code before, kept in oldencode_test.go), cell for
// cell.
func columnValues(vals []parquet.Value, a arrow.Array, j, start, end int) []parquet.Value {
	base := len(vals)
	vals = slices.Grow(vals, end-start)[:base+end-start]
	out := vals[base:]
	switch c := a.(type) {
	case *array.String:
		// ValueOffsets are absolute offsets into the whole values buffer
		// (ValueBytes starts at the first value's, for a sliced array).
		offs := c.ValueOffsets()
		var data []byte
		if b := c.Data().Buffers()[2]; b != nil {
			data = b.Bytes()
		}
		for k := range out {
			// The column writer copies the bytes, so they may alias the
			// Arrow buffer.
			lo, hi := offs[start+k], offs[start+k+1]
			out[k] = parquet.ByteArrayValue(data[lo:hi:hi])
		}
	case *array.Float64:
		for k, v := range c.Float64Values()[start:end] {
			out[k] = parquet.DoubleValue(v)
		}
	case *array.Int64:
		for k, v := range c.Int64Values()[start:end] {
			out[k] = parquet.Int64Value(v)
		}
	case *array.Boolean:
		for k := range out {
			out[k] = parquet.BooleanValue(c.Value(start + k))
		}
	default:
		panic("store: unsupported column type " + a.DataType().String()) // rejected by parquetSchema
	}
	if a.NullN() == 0 {
		for k := range out {
			out[k].SetDefinitionLevel(1)
			out[k].SetColumnIndex(j)
		}
		return vals
	}
	null := parquet.NullValue().Level(0, 0, j)
	for k := range out {
		if a.IsNull(start + k) {
			out[k] = null
			continue
		}
		out[k].SetDefinitionLevel(1)
		out[k].SetColumnIndex(j)
	}
	return vals
}

// tableValues is columnValues for the typed column c: the same values,
// cell for cell, as columnValues gives for c's Arrow array (table.Build).
func tableValues(vals []parquet.Value, c *table.Column, j, start, end int) []parquet.Value {
	base := len(vals)
	vals = slices.Grow(vals, end-start)[:base+end-start]
	out := vals[base:]
	switch c.Type {
	case table.String:
		for k, v := range c.Strings[start:end] {
			// The column writer copies the bytes, so they may alias the
			// string.
			out[k] = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(v), len(v)))
		}
	case table.Float:
		for k, v := range c.Floats[start:end] {
			out[k] = parquet.DoubleValue(v)
		}
	case table.Int:
		for k, v := range c.Ints[start:end] {
			out[k] = parquet.Int64Value(v)
		}
	case table.Bool:
		for k, v := range c.Bools[start:end] {
			out[k] = parquet.BooleanValue(v)
		}
	default:
		panic(fmt.Sprintf("store: unsupported column type %v", c.Type)) // rejected by writeTable
	}
	null := parquet.NullValue().Level(0, 0, j)
	for k, ok := range c.Valid[start:end] {
		if !ok {
			out[k] = null
			continue
		}
		out[k].SetDefinitionLevel(1)
		out[k].SetColumnIndex(j)
	}
	return vals
}

// Writer writes a Parquet file record by record, so that a table larger
// than memory can be written as it is produced. Like WriteParquet it is
// atomic: the file appears at its path only when Close succeeds; Abort, or
// a failed Write or Close, removes the temporary file and leaves any
// previous file in place. A Writer is not safe for concurrent use.
type Writer struct {
	path string
	f    *os.File
	enc  *encoder
	err  error
}

// NewWriter starts a Parquet file at path for records of schema s (its
// metadata becomes the file's key/value metadata).
func NewWriter(path string, s *arrow.Schema) (*Writer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create folder for %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	enc, err := newEncoder(f, s)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &Writer{path: path, f: f, enc: enc}, nil
}

// Write appends rec's rows (its schema must be the Writer's).
func (w *Writer) Write(ctx context.Context, rec arrow.RecordBatch) error {
	return w.do(func() error { return w.enc.write(ctx, rec) })
}

// do runs write unless the Writer has failed or is closed; a failed write
// aborts the file.
func (w *Writer) do(write func() error) error {
	if w.err != nil {
		return w.err
	}
	if err := write(); err != nil {
		w.Abort()
		w.err = fmt.Errorf("write %s: %w", w.path, err)
	}
	return w.err
}

// WriteColumns appends the rows of cols, typed columns of the Writer's
// schema in its order (names and types) of one length, without an Arrow
// record: the bytes are those Write gives for table.Build(meta, cols...)
// (TestWriteColumnsAsRecord).
func (w *Writer) WriteColumns(ctx context.Context, cols []*table.Column) error {
	return w.do(func() error { return w.enc.writeTable(ctx, cols) })
}

// ColumnsSchema is the schema of table.Build(meta, cols...) (the columns'
// names and types, and the key/value metadata meta), for a Writer that
// WriteColumns feeds.
func ColumnsSchema(meta map[string]string, cols []*table.Column) (*arrow.Schema, error) {
	empty := make([]*table.Column, len(cols))
	for j, c := range cols {
		empty[j] = &table.Column{Name: c.Name, Type: c.Type}
	}
	rec, err := table.Build(meta, empty...)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return rec.Schema(), nil
}

// Close finishes the file and renames it into place.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	tmp := w.f.Name()
	err := w.enc.close()
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, w.path)
	}
	if err != nil {
		os.Remove(tmp)
		w.err = fmt.Errorf("write %s: %w", w.path, err)
		return w.err
	}
	w.err = errors.New("writer closed")
	return nil
}

// Abort discards the file being written. It may be called after Close (it
// then does nothing).
func (w *Writer) Abort() {
	if w.err != nil {
		return
	}
	w.f.Close()
	os.Remove(w.f.Name())
	w.err = errors.New("writer aborted")
}

// uniqueStrings is the encoding of the string columns that are not
// dictionary-encoded, ints that of int64 columns and floats that of
// float64 columns (nil: PLAIN). The delta encodings leave Zstandard much
// less to compress: identifiers that share their starts and small
// integers shrink before compression, which took most of the encoder's
// time (BenchmarkEncodings, on a national run's raw points: 0.5-0.6x the
// CPU of PLAIN, the same size). Files written with PLAIN (before session
// 6) read the same (TestReadsPlainFiles). They are variables so that the
// benchmarks can measure other encodings; another encoding changes the
// bytes of every file written here.
var (
	uniqueStrings encoding.Encoding = &parquet.DeltaByteArray
	ints          encoding.Encoding = &parquet.DeltaBinaryPacked
	floats        encoding.Encoding // nil: PLAIN
)

// parquetSchema maps s to a flat Parquet schema of optional columns; string
// columns are dictionary-encoded unless unique[j] (unique may be nil), then
// uniqueStrings; float64 columns are dictionary-encoded where dict[j]
// (dict may be nil), else floats; int64 columns are ints. Dictionary
// columns go through floatDictType and stringDictType, which give
// parquet-go's bytes faster.
func parquetSchema(s *arrow.Schema, unique, dict []bool) (*parquet.Schema, error) {
	g := &orderedGroup{}
	for j, f := range s.Fields() {
		var n parquet.Node
		// Each leaf's type computes a page's bounds once
		// (geoparquet.BoundsOnce: the same bytes).
		switch f.Type.ID() {
		case arrow.STRING:
			str := geoparquet.BoundsOnce(parquet.String().Type())
			n = parquet.Encoded(parquet.Leaf(stringDictType{str}), &parquet.RLEDictionary)
			if unique != nil && unique[j] {
				n = parquet.Encoded(parquet.Leaf(str), uniqueStrings)
			}
		case arrow.FLOAT64:
			n = parquet.Leaf(geoparquet.BoundsOnce(parquet.DoubleType))
			switch {
			case dict != nil && dict[j]:
				n = parquet.Encoded(parquet.Leaf(floatDictType{parquet.DoubleType}), &parquet.RLEDictionary)
			case floats != nil:
				n = parquet.Encoded(n, floats)
			}
		case arrow.INT64:
			n = parquet.Encoded(parquet.Leaf(geoparquet.BoundsOnce(parquet.Int(64).Type())), ints)
		case arrow.BOOL:
			n = parquet.Leaf(geoparquet.BoundsOnce(parquet.BooleanType))
		default:
			return nil, fmt.Errorf("column %q: type %s is not supported (want string, float64, int64 or bool)", f.Name, f.Type)
		}
		if strings.Contains(f.Name, ",") {
			return nil, fmt.Errorf("column %q: names must not contain commas", f.Name)
		}
		g.fields = append(g.fields, &groupField{Node: parquet.Optional(n), name: f.Name})
	}
	return parquet.NewSchema("groundwork", g), nil
}

// orderedGroup is a Parquet group node that keeps its fields in the given
// order (parquet.Group sorts them by name).
type orderedGroup struct{ fields []parquet.Field }

func (g *orderedGroup) ID() int                     { return 0 }
func (g *orderedGroup) String() string              { return "group" }
func (g *orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g *orderedGroup) Optional() bool              { return false }
func (g *orderedGroup) Repeated() bool              { return false }
func (g *orderedGroup) Required() bool              { return true }
func (g *orderedGroup) Leaf() bool                  { return false }
func (g *orderedGroup) Fields() []parquet.Field     { return g.fields }
func (g *orderedGroup) Encoding() encoding.Encoding { return nil }
func (g *orderedGroup) Compression() compress.Codec { return nil }
func (g *orderedGroup) GoType() reflect.Type        { return reflect.TypeOf(map[string]any{}) }

type groupField struct {
	parquet.Node
	name string
}

func (f *groupField) Name() string { return f.name }
func (f *groupField) Value(base reflect.Value) reflect.Value {
	return base.MapIndex(reflect.ValueOf(f.name))
}

// ReadParquet reads a file written by WriteParquet (or any flat Parquet file of
// optional or required string, double, int64 and boolean columns) into a
// record. Parquet key/value metadata become the schema's metadata.
func ReadParquet(ctx context.Context, path string) (arrow.RecordBatch, error) {
	var cols []*table.Column
	var meta map[string]string
	err := scan(ctx, path, false, nil, func(_ int64, c []*table.Column, m map[string]string) error {
		cols, meta = c, m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return table.Build(meta, cols...)
}

// Describe returns the columns (names and types) and the number of rows of
// the Parquet file at path, reading only its footer.
func Describe(path string) (names []string, types []table.Type, rows int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, 0, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, nil, 0, fmt.Errorf("%s: not a Parquet file: %w", path, err)
	}
	skip := geoColumns(pf)
	for _, fd := range pf.Schema().Fields() {
		if skip[fd.Name()] {
			continue
		}
		t, err := columnType(path, fd)
		if err != nil {
			return nil, nil, 0, err
		}
		names, types = append(names, fd.Name()), append(types, t)
	}
	return names, types, pf.NumRows(), nil
}

// geoColumns names the top-level columns of a GeoParquet file that are not
// attributes: its geometry columns and their bbox coverings (from the "geo"
// metadata). They are skipped when reading: the tables read here are flat.
func geoColumns(pf *parquet.File) map[string]bool {
	v, ok := pf.Lookup("geo")
	if !ok {
		return nil
	}
	var m struct {
		Columns map[string]struct {
			Covering struct {
				BBox map[string][]string `json:"bbox"`
			} `json:"covering"`
		} `json:"columns"`
	}
	if json.Unmarshal([]byte(v), &m) != nil {
		return nil
	}
	skip := map[string]bool{}
	for name, c := range m.Columns {
		skip[name] = true
		for _, p := range c.Covering.BBox {
			if len(p) > 0 {
				skip[p[0]] = true
			}
		}
	}
	return skip
}

// leaves is the number of leaf columns under a Parquet field.
func leaves(fd parquet.Field) int {
	if fd.Leaf() {
		return 1
	}
	n := 0
	for _, f := range fd.Fields() {
		n += leaves(f)
	}
	return n
}

// columnType maps a flat Parquet column to its table type.
func columnType(path string, fd parquet.Field) (table.Type, error) {
	if !fd.Leaf() || fd.Repeated() {
		return 0, fmt.Errorf("%s: column %q is nested or repeated; only flat tables are read", path, fd.Name())
	}
	switch fd.Type().Kind() {
	case parquet.ByteArray:
		return table.String, nil
	case parquet.Double:
		return table.Float, nil
	case parquet.Int64:
		return table.Int, nil
	case parquet.Boolean:
		return table.Bool, nil
	}
	return 0, fmt.Errorf("%s: column %q has Parquet type %s, not supported", path, fd.Name(), fd.Type())
}

// ScanParquet reads the Parquet file at path one row group at a time and
// calls fn with each as a record, which fn must not keep (it is released
// when fn returns). A file without rows gives one empty record, so fn
// always sees the columns. Memory is that of one row group (at most
// rowGroupRows rows in files groundwork writes).
func ScanParquet(ctx context.Context, path string, fn func(rec arrow.RecordBatch) error) error {
	return scan(ctx, path, true, nil, func(_ int64, cols []*table.Column, meta map[string]string) error {
		rec, err := table.Build(meta, cols...)
		if err != nil {
			return err
		}
		defer rec.Release()
		return fn(rec)
	})
}

// ScanColumns is ScanParquet without Arrow, and reading only some columns:
// fn gets, per row group, the file's columns named in names (all when names
// is nil; names the file lacks are ignored) in file order, as table
// columns that fn may keep, and the row group's number of rows n. Columns not asked for are not decoded at all.
func ScanColumns(ctx context.Context, path string, names []string, fn func(n int, cols []*table.Column) error) error {
	return scan(ctx, path, true, names, func(n int64, cols []*table.Column, _ map[string]string) error { return fn(int(n), cols) })
}

// scan reads path's columns (those in names, or all when names is nil),
// calling fn once per row group when byGroup, else once with every row.
func scan(ctx context.Context, path string, byGroup bool, names []string, fn func(n int64, cols []*table.Column, meta map[string]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("%s: not a Parquet file: %w", path, err)
	}
	// chunkOf is the position among the row group's column chunks (leaf
	// columns) of each field read; the geometry and bbox columns of a
	// GeoParquet file are skipped (geoColumns).
	skip := geoColumns(pf)
	var fields []parquet.Field
	var chunkOf []int
	leaf := 0
	for _, fd := range pf.Schema().Fields() {
		n := leaves(fd)
		if skip[fd.Name()] || (names != nil && !slices.Contains(names, fd.Name())) {
			leaf += n
			continue
		}
		fields, chunkOf = append(fields, fd), append(chunkOf, leaf)
		leaf += n
	}
	types := make([]table.Type, len(fields))
	for i, fd := range fields {
		if types[i], err = columnType(path, fd); err != nil {
			return err
		}
	}
	meta := map[string]string{}
	for _, kv := range pf.Metadata().KeyValueMetadata {
		if kv.Key == "ARROW:schema" || kv.Key == "geo" {
			continue
		}
		meta[kv.Key] = kv.Value
	}
	newCols := func(n int64) []*table.Column {
		cols := make([]*table.Column, len(fields))
		for i, fd := range fields {
			c := &table.Column{Name: fd.Name(), Type: types[i], Valid: make([]bool, 0, n)}
			switch c.Type {
			case table.String:
				c.Strings = make([]string, 0, n)
			case table.Float:
				c.Floats = make([]float64, 0, n)
			case table.Int:
				c.Ints = make([]int64, 0, n)
			case table.Bool:
				c.Bools = make([]bool, 0, n)
			}
			cols[i] = c
		}
		return cols
	}
	var strs arena
	buf := make([]parquet.Value, 4096)
	// readColumn appends the values of one column chunk to c, a page at a
	// time: columns are read apart, never assembled into rows.
	readColumn := func(cc parquet.ColumnChunk, c *table.Column) error {
		pages := cc.Pages()
		defer pages.Close()
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			pg, err := pages.ReadPage()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: column %s: %w", path, c.Name, err)
			}
			if typedPages && appendPage(c, pg, &strs) {
				parquet.Release(pg)
				continue
			}
			vr := pg.Values()
			for {
				n, err := vr.ReadValues(buf)
				for _, v := range buf[:n] {
					null := v.IsNull()
					switch c.Type {
					case table.String:
						c.AppendString(strs.string(v.ByteArray()), !null)
					case table.Float:
						c.AppendFloat(v.Double(), !null)
					case table.Int:
						c.AppendInt(v.Int64(), !null)
					case table.Bool:
						c.AppendBool(v.Boolean(), !null)
					}
				}
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					parquet.Release(pg)
					return fmt.Errorf("%s: column %s: %w", path, c.Name, err)
				}
			}
			parquet.Release(pg)
		}
	}
	readGroup := func(rg parquet.RowGroup, cols []*table.Column) error {
		chunks := rg.ColumnChunks()
		if len(chunks) != leaf {
			return fmt.Errorf("%s: a row group has %d columns, the schema %d", path, len(chunks), leaf)
		}
		for i, c := range cols {
			if err := readColumn(chunks[chunkOf[i]], c); err != nil {
				return err
			}
		}
		return nil
	}
	if !byGroup || len(pf.RowGroups()) == 0 {
		cols := newCols(pf.NumRows())
		for _, rg := range pf.RowGroups() {
			if err := readGroup(rg, cols); err != nil {
				return err
			}
		}
		return fn(pf.NumRows(), cols, meta)
	}
	for _, rg := range pf.RowGroups() {
		cols := newCols(rg.NumRows())
		if err := readGroup(rg, cols); err != nil {
			return err
		}
		if err := fn(rg.NumRows(), cols, meta); err != nil {
			return err
		}
	}
	return nil
}

// typedPages turns on appendPage (a variable so that the tests can read
// through parquet.Value alone and compare).
var typedPages = true

// appendPage appends the values of pg, a page of a flat column, to c
// straight from the page's typed data (its definition levels, then the
// non-null values as float64s, int64s, or byte arrays, a dictionary's
// through its indexes), without a parquet.Value per cell; the cells are
// those the page's ValueReader gives. It reports false, having appended
// nothing, for any page it does not know (booleans, an unexpected kind or
// count): the caller then reads its values.
func appendPage(c *table.Column, pg parquet.Page, strs *arena) bool {
	defs := pg.DefinitionLevels() // nil: a required column, every row valid
	n := int(pg.NumRows())
	if defs != nil && len(defs) != n {
		return false
	}
	valid := n
	if defs != nil {
		valid = 0
		for _, d := range defs {
			if d != 0 {
				valid++
			}
		}
	}
	data := pg.Data()
	switch c.Type {
	case table.Float:
		var vals []float64
		var idx []int32
		if dict := pg.Dictionary(); dict != nil {
			dv := dict.Page().Data()
			if data.Kind() != encoding.Int32 || len(data.Int32()) != valid || dv.Kind() != encoding.Double {
				return false
			}
			vals, idx = dv.Double(), data.Int32()
			for _, x := range idx {
				if x < 0 || int(x) >= len(vals) {
					return false
				}
			}
		} else {
			if data.Kind() != encoding.Double || len(data.Double()) != valid {
				return false
			}
			vals = data.Double()
		}
		k := 0
		for i := range n {
			if defs != nil && defs[i] == 0 {
				c.AppendFloat(0, false)
				continue
			}
			x := k
			if idx != nil {
				x = int(idx[k])
			}
			c.AppendFloat(vals[x], true)
			k++
		}
	case table.Int:
		if data.Kind() != encoding.Int64 || len(data.Int64()) != valid {
			return false
		}
		vals, k := data.Int64(), 0
		for i := range n {
			if defs == nil || defs[i] != 0 {
				c.AppendInt(vals[k], true)
				k++
			} else {
				c.AppendInt(0, false)
			}
		}
	case table.String:
		var bytes []byte
		var offs []uint32
		var idx []int32
		if dict := pg.Dictionary(); dict != nil {
			if data.Kind() != encoding.Int32 || len(data.Int32()) != valid {
				return false
			}
			dv := dict.Page().Data()
			if dv.Kind() != encoding.ByteArray {
				return false
			}
			bytes, offs = dv.ByteArray()
			idx = data.Int32()
			for _, x := range idx {
				if x < 0 || int(x)+1 >= len(offs) {
					return false
				}
			}
		} else {
			if data.Kind() != encoding.ByteArray {
				return false
			}
			bytes, offs = data.ByteArray()
			if len(offs) != valid+1 {
				return false
			}
		}
		k := 0
		for i := range n {
			if defs != nil && defs[i] == 0 {
				c.AppendString("", false)
				continue
			}
			x := k
			if idx != nil {
				x = int(idx[k])
			}
			c.AppendString(strs.string(bytes[offs[x]:offs[x+1]]), true)
			k++
		}
	default:
		return false
	}
	return true
}

// arena makes strings from byte slices without one allocation each: it
// copies them into shared blocks and returns strings that point into them.
// A block is never appended to past its capacity, so its bytes never move
// or change once a string points at them; it lives as long as any of its
// strings.
type arena struct{ block []byte }

func (a *arena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.block)-len(a.block) < len(b) {
		a.block = make([]byte, 0, max(64<<10, len(b)))
	}
	start := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[start], len(b))
}
