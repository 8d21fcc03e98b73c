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
	"errors"
	"fmt"
	"io"
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
// column's encoding from c (nil, or no rows: dictionary-encoded strings
// and PLAIN floats). The page writer makes the same choice itself, in
// its first row group's column work (pageWriter).
func (e *encoder) start(c *chunk) error {
	// Decided once per file: the page writer where it covers the
	// columns, else parquet-go's column writers.
	if pageWrites && pagesCover(e.s) {
		p, err := newPageWriter(e.w, e.s, e.options)
		if err != nil {
			return err
		}
		if c == nil || c.len() == 0 {
			if err := p.fix(nil, nil); err != nil {
				return err
			}
		}
		e.pages = p
		return nil
	}
	unique := make([]bool, len(e.s.Fields()))
	dict := make([]bool, len(e.s.Fields()))
	if c != nil {
		n := min(c.len(), rowGroupRows)
		for j := range unique {
			unique[j] = c.isString(j) && !c.dictionaryPays(j, n)
			dict[j] = c.isFloat(j) && c.floatDictionaryPays(j, n)
		}
	}
	opts, err := e.options(unique, dict)
	if err != nil {
		return err
	}
	e.pw = parquet.NewWriter(e.w, opts...)
	return nil
}

// options are parquet-go's writer options for the file, its string
// columns DELTA_BYTE_ARRAY where unique and its float64 columns
// dictionary-encoded where dict (parquetSchema).
func (e *encoder) options(unique, dict []bool) ([]parquet.WriterOption, error) {
	schema, err := parquetSchema(e.s, unique, dict)
	if err != nil {
		return nil, err
	}
	opts := []parquet.WriterOption{schema, parquet.Compression(pageCodec), parquet.CreatedBy("groundwork", "", "")}
	if md := e.s.Metadata(); md.Len() > 0 {
		for i, k := range md.Keys() {
			opts = append(opts, parquet.KeyValueMetadata(k, md.Values()[i]))
		}
	}
	return opts, nil
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
	if e.pages != nil {
		return e.pages.writeRowGroups(ctx, c)
	}
	n := c.len()
	for start := 0; start < n; start += rowGroupRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(n, start+rowGroupRows)
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
