// Package geoparquet reads and writes GeoParquet 1.1 files
// (https://geoparquet.org/releases/v1.1.0/): Parquet files whose "geo"
// key-value metadata names a primary geometry column of WKB-encoded
// geometries, with an optional bounding-box covering column.
//
// It reads and writes flat tables: a geometry per row and top-level columns of
// strings, 64-bit integers, doubles and booleans, all nullable. Nested and
// repeated columns are skipped when reading, and GeoArrow-encoded geometry is
// refused (only WKB is supported).
package geoparquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/groundwork-org/groundwork/geo/crs"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// columnEncoding, when set, gives an attribute column's encoding (nil:
// parquet-go's default, PLAIN or DELTA_LENGTH_BYTE_ARRAY): nil in
// groundwork; BenchmarkPlacesEncodings sets it to measure others, which
// would change the files' bytes.
var columnEncoding func(name, kind string) encoding.Encoding

// Table is a geometry column with its attribute columns, row by row.
type Table struct {
	// CRS is the CRS of Geoms: from the column's "crs" metadata when read
	// (absent means OGC:CRS84). Only lon/lat tables (nil or crs.LonLat) are
	// written.
	CRS *crs.CRS
	// Geoms holds one geometry per row; nil for a null geometry.
	Geoms []orb.Geometry
	// Columns are the attribute columns, each with len(Geoms) values.
	Columns []Column
	// Metadata are further Parquet key/value pairs to write ("geo" is
	// reserved); not read back.
	Metadata map[string]string
}

// Column is a named attribute column. Values are nil (null), string, int64,
// float64 or bool. When writing, a column whose non-null values all have one
// of these types (int also counts as int64) is written with that type; any
// other mix is written as strings holding each value's JSON encoding.
type Column struct {
	Name   string
	Values []any
	// Kind, when set ("string", "int64", "float64" or "bool"), is the
	// column's type whatever its values, so that a column keeps one type
	// across the files of a partitioned dataset (an all-null column is not
	// a string in one partition and a double in the next). Values must then
	// be nil or of that type.
	Kind string
}

// GeometryColumn and BBoxColumn are the names of the columns Write adds.
const (
	GeometryColumn = "geometry"
	BBoxColumn     = "bbox"
)

type covering struct {
	BBox map[string][]string `json:"bbox"`
}

type columnMeta struct {
	Encoding      string          `json:"encoding"`
	GeometryTypes []string        `json:"geometry_types"`
	CRS           json.RawMessage `json:"crs,omitempty"`
	BBox          []float64       `json:"bbox,omitempty"`
	Covering      *covering       `json:"covering,omitempty"`
}

type geoMeta struct {
	Version       string                `json:"version"`
	PrimaryColumn string                `json:"primary_column"`
	Columns       map[string]columnMeta `json:"columns"`
}

// WriteFile writes t to path atomically: to a temporary file in the same
// directory, renamed over path once complete. See Write.
func WriteFile(ctx context.Context, path string, t *Table) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = Write(ctx, tmp, t); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Write writes t as GeoParquet 1.1 to w: the attribute columns, the WKB
// column "geometry" and the covering column "bbox" (a struct of xmin, ymin,
// xmax, ymax doubles per row), with "geo" metadata giving the encoding, the
// geometry types present, the overall bbox and the covering. The output is
// deterministic for a given table. t.CRS must be lon/lat.
func Write(ctx context.Context, w io.Writer, t *Table) error {
	cols := make([]Column, len(t.Columns))
	for i, c := range t.Columns {
		if len(c.Values) != len(t.Geoms) {
			return fmt.Errorf("column %q has %d values for %d geometries", c.Name, len(c.Values), len(t.Geoms))
		}
		k := columnKind(c.Values)
		if c.Kind != "" {
			if k != c.Kind && !allNil(c.Values) {
				return fmt.Errorf("column %q: values are %s, declared %s", c.Name, k, c.Kind)
			}
			k = c.Kind
		}
		cols[i] = Column{Name: c.Name, Kind: k}
	}
	gw, err := NewWriter(w, cols, t.Metadata)
	if err != nil {
		return err
	}
	if err := gw.Write(ctx, t); err != nil {
		return err
	}
	return gw.Close()
}

// Writer writes a GeoParquet 1.1 file a table at a time (the layout of
// Write), holding one table in memory; the "geo" metadata (geometry types,
// overall bbox) is written by Close.
type Writer struct {
	pw    *parquet.Writer
	cols  []Column // names and kinds
	ncol  int
	gi    int
	bx    [4]int
	ci    []int
	types map[string]bool
	all   orb.Bound

	rgRows  int // rows in the row group being written
	scratch scratch
	workers []scratch // one per goroutine of writeSegment
}

// NewWriter starts a GeoParquet file on w with the attribute columns cols
// (their Name and Kind: "string", "int64", "float64" or "bool"; Values are
// not used) and the further key/value metadata meta ("geo" is reserved).
func NewWriter(w io.Writer, cols []Column, meta map[string]string) (*Writer, error) {
	group := parquet.Group{
		GeometryColumn: parquet.Optional(leafOnce(parquet.ByteArrayType)),
		BBoxColumn: parquet.Optional(parquet.Group{
			"xmin": leafOnce(parquet.DoubleType), "ymin": leafOnce(parquet.DoubleType),
			"xmax": leafOnce(parquet.DoubleType), "ymax": leafOnce(parquet.DoubleType),
		}),
	}
	for _, c := range cols {
		if c.Name == GeometryColumn || c.Name == BBoxColumn {
			return nil, fmt.Errorf("column %q: name reserved for the geometry", c.Name)
		}
		if _, dup := group[c.Name]; dup {
			return nil, fmt.Errorf("column %q: duplicate name", c.Name)
		}
		var n parquet.Node
		switch c.Kind {
		case "int64":
			n = leafOnce(parquet.Int(64).Type())
		case "float64":
			n = leafOnce(parquet.DoubleType)
		case "bool":
			n = leafOnce(parquet.BooleanType)
		default:
			n = leafOnce(parquet.String().Type())
		}
		if columnEncoding != nil {
			if e := columnEncoding(c.Name, c.Kind); e != nil {
				n = parquet.Encoded(n, e)
			}
		}
		group[c.Name] = parquet.Optional(n)
	}
	schema := parquet.NewSchema("schema", group)
	leaf := func(path ...string) int {
		lc, ok := schema.Lookup(path...)
		if !ok {
			panic(fmt.Sprintf("geoparquet: column %v missing from own schema", path)) // programmer error
		}
		return lc.ColumnIndex
	}
	gw := &Writer{cols: cols, ncol: len(schema.Columns()), types: map[string]bool{},
		all: orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}}
	gw.gi, gw.bx = leaf(GeometryColumn), [4]int{leaf(BBoxColumn, "xmin"), leaf(BBoxColumn, "ymin"), leaf(BBoxColumn, "xmax"), leaf(BBoxColumn, "ymax")}
	for _, c := range cols {
		gw.ci = append(gw.ci, leaf(c.Name))
	}
	opts := []parquet.WriterOption{schema, parquet.CreatedBy("groundwork", "", ""), parquet.MaxRowsPerRowGroup(RowGroupRows)}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		if k == "geo" {
			return nil, errors.New(`metadata key "geo" is reserved for the GeoParquet metadata`)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		opts = append(opts, parquet.KeyValueMetadata(k, meta[k]))
	}
	gw.pw = parquet.NewWriter(w, opts...)
	return gw, nil
}

// Write appends t's rows. t's columns must be the writer's, in its order,
// with values of their kinds (or nil); t.CRS must be lon/lat. The rows go
// through WriteBatch: the bytes are those of a Batch holding the same
// values.
func (gw *Writer) Write(ctx context.Context, t *Table) error {
	if t.CRS != nil && !t.CRS.IsLonLat() {
		return fmt.Errorf("table CRS is %s; geoparquet writes lon/lat (OGC:CRS84) only", t.CRS)
	}
	if len(t.Columns) != len(gw.cols) {
		return fmt.Errorf("table has %d columns, the file %d", len(t.Columns), len(gw.cols))
	}
	for i, c := range t.Columns {
		if c.Name != gw.cols[i].Name {
			return fmt.Errorf("column %d is %q, the file's %q", i, c.Name, gw.cols[i].Name)
		}
		if len(c.Values) != len(t.Geoms) {
			return fmt.Errorf("column %q has %d values for %d geometries", c.Name, len(c.Values), len(t.Geoms))
		}
	}
	// A piece at a time, so that the typed copy of the values stays small;
	// pieces of whole 1,024-row batches cut the runs one batch would.
	for lo := 0; lo < len(t.Geoms); lo += tablePiece {
		hi := min(len(t.Geoms), lo+tablePiece)
		b := &Batch{Len: hi - lo, Geoms: t.Geoms[lo:hi], Columns: make([]Values, len(t.Columns))}
		for i, c := range t.Columns {
			v, err := typedValues(c.Values[lo:hi], gw.cols[i].Kind)
			if err != nil {
				return fmt.Errorf("column %q: rows from %d: %w", c.Name, lo, err)
			}
			b.Columns[i] = v
		}
		if err := gw.WriteBatch(ctx, b); err != nil {
			return fmt.Errorf("rows from %d: %w", lo, err)
		}
	}
	return nil
}

// tablePiece is the number of rows Write converts to a Batch at a time, a
// multiple of writeBatch.
const tablePiece = 8 * writeBatch

// Batch is rows given column by column, what WriteBatch writes: the
// geometries, either Geoms or points (X, Y), and the attribute columns.
type Batch struct {
	// Len is the number of rows.
	Len int
	// Geoms holds one geometry per row (nil: a null geometry). When Geoms
	// is nil the rows are points instead: (X[i], Y[i]) where PointOK[i],
	// a null geometry elsewhere (PointOK nil: every row has its point).
	Geoms   []orb.Geometry
	X, Y    []float64
	PointOK []bool
	// Columns are the attribute columns, in the writer's order.
	Columns []Values
}

// Values is an attribute column of a Batch: Valid[i] false is a null;
// the values are in the slice of the column's kind ("string": Strings,
// "int64": Int64s, "float64": Float64s, "bool": Bools; kind "json" is
// written from Strings), of Len values (what it holds at a null is not
// read).
type Values struct {
	Valid    []bool
	Strings  []string
	Int64s   []int64
	Float64s []float64
	Bools    []bool
}

// typedValues is the Values of a Table column of the given kind.
func typedValues(vals []any, kind string) (Values, error) {
	v := Values{Valid: make([]bool, len(vals))}
	switch kind {
	case "int64":
		v.Int64s = make([]int64, len(vals))
	case "float64":
		v.Float64s = make([]float64, len(vals))
	case "bool":
		v.Bools = make([]bool, len(vals))
	default:
		v.Strings = make([]string, len(vals))
	}
	for r, x := range vals {
		if x == nil {
			continue
		}
		v.Valid[r] = true
		ok := true
		switch kind {
		case "string":
			v.Strings[r], ok = x.(string)
		case "int64":
			switch n := x.(type) {
			case int:
				v.Int64s[r] = int64(n)
			case int32:
				v.Int64s[r] = int64(n)
			case int64:
				v.Int64s[r] = n
			default:
				ok = false
			}
		case "float64":
			v.Float64s[r], ok = x.(float64)
		case "bool":
			v.Bools[r], ok = x.(bool)
		default:
			b, err := json.Marshal(x)
			if err != nil {
				return Values{}, fmt.Errorf("row %d: %w", r, err)
			}
			v.Strings[r] = string(b)
		}
		if !ok {
			return Values{}, fmt.Errorf("row %d: value of type %T in a column of kind %s", r, x, kind)
		}
	}
	return v, nil
}

// WriteBatch appends b's rows, column by column: each column's values go
// to its column writer a page-sized run at a time, and no row is ever
// assembled. b's columns must be the writer's, in its order. Geometries
// of Geoms are WKB-encoded with orb's encoder; points are encoded directly
// (the same 21 bytes, little-endian).
//
// The file's bytes are those the former row-by-row writer (parquet.Row per
// row, handed to parquet-go 1,024 at a time) made for the same rows and the
// same Write calls: values reach each column writer in the runs parquet-go
// cut rows into (64 rows, restarting at each 1,024-row batch of a call and
// at each row group), so pages end at the same rows (TestBatchBytesAsRows).
func (gw *Writer) WriteBatch(ctx context.Context, b *Batch) error {
	n := b.Len
	if len(b.Columns) != len(gw.cols) {
		return fmt.Errorf("batch has %d columns, the file %d", len(b.Columns), len(gw.cols))
	}
	if b.Geoms != nil {
		if len(b.Geoms) != n {
			return fmt.Errorf("batch has %d geometries for %d rows", len(b.Geoms), n)
		}
	} else if len(b.X) != n || len(b.Y) != n || (b.PointOK != nil && len(b.PointOK) != n) {
		return fmt.Errorf("batch has %d x, %d y, %d point flags for %d rows", len(b.X), len(b.Y), len(b.PointOK), n)
	}
	for i, c := range b.Columns {
		var m int
		switch gw.cols[i].Kind {
		case "int64":
			m = len(c.Int64s)
		case "float64":
			m = len(c.Float64s)
		case "bool":
			m = len(c.Bools)
		default:
			m = len(c.Strings)
		}
		if len(c.Valid) != n || m != n {
			return fmt.Errorf("column %q has %d values (%d flags) for %d rows", gw.cols[i].Name, m, len(c.Valid), n)
		}
	}
	cws := gw.pw.ColumnWriters()
	for lo := 0; lo < n; {
		if err := ctx.Err(); err != nil {
			return err
		}
		if gw.rgRows == RowGroupRows {
			if err := gw.pw.Flush(); err != nil {
				return fmt.Errorf("write rows: %w", err)
			}
			gw.rgRows = 0
		}
		// The segment: the rows of this call in this row group.
		hi := min(n, lo+RowGroupRows-gw.rgRows)
		if err := gw.writeSegment(cws, b, lo, hi, gw.rgRows+hi-lo == RowGroupRows); err != nil {
			return err
		}
		gw.rgRows += hi - lo
		lo = hi
	}
	return nil
}

// runRows is the number of rows parquet-go's writer hands each column at a
// time when given rows (its maxRowsPerWrite): WriteBatch cuts the same runs.
const runRows = 64

// parallelRows is the fewest rows of a segment that WriteBatch writes on
// more than one goroutine.
const parallelRows = 2048

// scratch is what one goroutine of writeSegment reuses: the values of a
// run of one column, the WKB of a run's geometries, where each ends (-1:
// null) and their bounds.
type scratch struct {
	vals   []parquet.Value
	wkb    []byte
	ends   []int
	bounds []orb.Bound
}

// writeSegment writes rows [lo, hi) of b, which fall in one row group, to
// the column writers: the geometry with its bbox columns as one task, each
// attribute column as another, on up to GOMAXPROCS goroutines (the column
// writers are independent; each column gets its runs in order). When full,
// the row group is complete: each column's last page is then encoded in its
// task rather than by the writer's flush (the same page).
func (gw *Writer) writeSegment(cws []*parquet.ColumnWriter, b *Batch, lo, hi int, full bool) error {
	tasks := 1 + len(b.Columns)
	task := func(s *scratch, t int) error {
		var err error
		if t == 0 {
			err = gw.writeGeometry(s, cws, b, lo, hi)
		} else {
			err = gw.writeColumn(s, cws[gw.ci[t-1]], b.Columns[t-1], gw.cols[t-1].Kind, gw.ci[t-1], lo, hi)
		}
		if err == nil && full {
			cols := []int{gw.ci[max(t-1, 0)]}
			if t == 0 {
				cols = append([]int{gw.gi}, gw.bx[:]...)
			}
			for _, c := range cols {
				if err = cws[c].Flush(); err != nil {
					break
				}
			}
		}
		return err
	}
	workers := min(runtime.GOMAXPROCS(0), tasks)
	if hi-lo < parallelRows || workers < 2 {
		for t := range tasks {
			if err := task(&gw.scratch, t); err != nil {
				return err
			}
		}
		return nil
	}
	if len(gw.workers) < workers {
		gw.workers = make([]scratch, workers)
		gw.workers[0] = gw.scratch
	}
	var next atomic.Int64
	errs := make([]error, tasks)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				t := int(next.Add(1) - 1)
				if t >= tasks {
					return
				}
				errs[t] = task(&gw.workers[w], t)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// runs calls fn with the runs of rows [lo, hi) of a call, as parquet-go
// cuts rows it is given: runRows at a time from lo, restarting at each
// writeBatch rows of the call.
func runs(lo, hi int, fn func(lo, hi int) error) error {
	for lo < hi {
		end := min(hi, lo+runRows, (lo/writeBatch+1)*writeBatch)
		if err := fn(lo, end); err != nil {
			return err
		}
		lo = end
	}
	return nil
}

// writeGeometry writes the geometries of rows [lo, hi) of b, WKB-encoded,
// and their bbox columns; it notes their types and bounds for the "geo"
// metadata.
func (gw *Writer) writeGeometry(s *scratch, cws []*parquet.ColumnWriter, b *Batch, lo, hi int) error {
	write := func(col int, vals []parquet.Value) error {
		s.vals = vals
		if _, err := cws[col].WriteRowValues(vals); err != nil {
			return fmt.Errorf("write rows: %w", err)
		}
		return nil
	}
	return runs(lo, hi, func(lo, hi int) error {
		s.wkb, s.ends, s.bounds = s.wkb[:0], s.ends[:0], s.bounds[:0]
		points := false // a point of X, Y was written
		for r := lo; r < hi; r++ {
			var bd orb.Bound
			switch {
			case b.Geoms != nil:
				g := b.Geoms[r]
				if g == nil {
					s.ends = append(s.ends, -1)
					s.bounds = append(s.bounds, bd)
					continue
				}
				var err error
				if s.wkb, err = appendWKB(s.wkb, g); err != nil {
					return fmt.Errorf("row %d: geometry: %w", r, err)
				}
				gw.types[g.GeoJSONType()] = true
				bd = g.Bound()
			case b.PointOK != nil && !b.PointOK[r]:
				s.ends = append(s.ends, -1)
				s.bounds = append(s.bounds, bd)
				continue
			default:
				p := orb.Point{b.X[r], b.Y[r]}
				s.wkb = appendPointWKB(s.wkb, p)
				points = true
				s.ends = append(s.ends, len(s.wkb))
				s.bounds = append(s.bounds, orb.Bound{Min: p, Max: p})
				// Union with a point's bound is Extend by the point
				// (the bound is never empty; its four corners are p).
				gw.all = gw.all.Extend(p)
				continue
			}
			s.ends = append(s.ends, len(s.wkb))
			s.bounds = append(s.bounds, bd)
			gw.all = gw.all.Union(bd)
		}
		if points {
			gw.types["Point"] = true
		}
		vals, start := slices.Grow(s.vals[:0], len(s.ends))[:len(s.ends)], 0
		null := parquet.NullValue().Level(0, 0, gw.gi)
		for k, e := range s.ends {
			if e < 0 {
				vals[k] = null
				continue
			}
			vals[k] = parquet.ByteArrayValue(s.wkb[start:e])
			vals[k].SetDefinitionLevel(1)
			vals[k].SetColumnIndex(gw.gi)
			start = e
		}
		if err := write(gw.gi, vals); err != nil {
			return err
		}
		for j, col := range gw.bx {
			null := parquet.NullValue().Level(0, 0, col)
			// corner j of a bound: Min x, Min y, Max x, Max y
			corner, axis := j/2, j%2
			for k, e := range s.ends {
				if e < 0 {
					vals[k] = null
					continue
				}
				bd := &s.bounds[k]
				v := bd.Min[axis]
				if corner == 1 {
					v = bd.Max[axis]
				}
				vals[k] = parquet.DoubleValue(v)
				vals[k].SetDefinitionLevel(1)
				vals[k].SetColumnIndex(col)
			}
			if err := write(col, vals); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeColumn writes rows [lo, hi) of the attribute column c, of kind
// kind, leaf col, to cw.
func (gw *Writer) writeColumn(s *scratch, cw *parquet.ColumnWriter, c Values, kind string, col, lo, hi int) error {
	null := parquet.NullValue().Level(0, 0, col)
	return runs(lo, hi, func(lo, hi int) error {
		vals := slices.Grow(s.vals[:0], hi-lo)[:hi-lo]
		valid := c.Valid[lo:hi]
		// One loop per kind, the value made inline and its levels set in
		// place (SetDefinitionLevel, SetColumnIndex: inlined, where
		// Value.Level is a call).
		switch kind {
		case "int64":
			for r, x := range c.Int64s[lo:hi] {
				if !valid[r] {
					vals[r] = null
					continue
				}
				vals[r] = parquet.Int64Value(x)
				vals[r].SetDefinitionLevel(1)
				vals[r].SetColumnIndex(col)
			}
		case "float64":
			for r, x := range c.Float64s[lo:hi] {
				if !valid[r] {
					vals[r] = null
					continue
				}
				vals[r] = parquet.DoubleValue(x)
				vals[r].SetDefinitionLevel(1)
				vals[r].SetColumnIndex(col)
			}
		case "bool":
			for r, x := range c.Bools[lo:hi] {
				if !valid[r] {
					vals[r] = null
					continue
				}
				vals[r] = parquet.BooleanValue(x)
				vals[r].SetDefinitionLevel(1)
				vals[r].SetColumnIndex(col)
			}
		default:
			for r, str := range c.Strings[lo:hi] {
				if !valid[r] {
					vals[r] = null
					continue
				}
				// The column writer copies the bytes: they may alias
				// the string.
				vals[r] = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(str), len(str)))
				vals[r].SetDefinitionLevel(1)
				vals[r].SetColumnIndex(col)
			}
		}
		s.vals = vals
		if _, err := cw.WriteRowValues(vals); err != nil {
			return fmt.Errorf("write rows: %w", err)
		}
		return nil
	})
}

// appendPointWKB appends the WKB of p (little-endian), the bytes orb's
// wkb.Marshal gives.
func appendPointWKB(dst []byte, p orb.Point) []byte {
	dst = append(dst, 1, 1, 0, 0, 0)
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[0]))
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[1]))
}

// appendWKB appends the WKB of g (orb's encoder, little-endian).
func appendWKB(dst []byte, g orb.Geometry) ([]byte, error) {
	if p, ok := g.(orb.Point); ok {
		return appendPointWKB(dst, p), nil
	}
	buf := bytes.NewBuffer(dst)
	if err := wkb.NewEncoder(buf).Encode(g); err != nil {
		return dst, err
	}
	return buf.Bytes(), nil
}

// writeBatch is the number of rows Writer.Write converts before handing
// them to parquet-go.
const writeBatch = 1024

// RowGroupRows is the most rows a row group of a file written here holds:
// parquet-go keeps a row group's pages in memory until it is flushed, and
// readers (pipeline/store's ScanColumns) take a file a row group at a time,
// so a bounded row group keeps both flat in the number of rows. Rows with
// polygons are large (tracts.parquet of the 85,000 generated national
// tracts: 1.3 KB a row), hence 16 Ki rather than the 64 Ki of
// pipeline/store's plain tables: a row group of tracts then holds about
// 21 MB instead of 82 MB.
// Files of at most RowGroupRows rows have one row group.
const RowGroupRows = 16 * 1024

// Close writes the "geo" metadata and the file's footer.
func (gw *Writer) Close() error {
	gtypes := make([]string, 0, len(gw.types))
	for k := range gw.types {
		gtypes = append(gtypes, k)
	}
	sort.Strings(gtypes)
	cm := columnMeta{Encoding: "WKB", GeometryTypes: gtypes, Covering: &covering{BBox: map[string][]string{
		"xmin": {BBoxColumn, "xmin"}, "ymin": {BBoxColumn, "ymin"}, "xmax": {BBoxColumn, "xmax"}, "ymax": {BBoxColumn, "ymax"},
	}}}
	if len(gw.types) > 0 {
		cm.BBox = []float64{gw.all.Min[0], gw.all.Min[1], gw.all.Max[0], gw.all.Max[1]}
	}
	meta, err := json.Marshal(geoMeta{Version: "1.1.0", PrimaryColumn: GeometryColumn, Columns: map[string]columnMeta{GeometryColumn: cm}})
	if err != nil {
		return err
	}
	gw.pw.SetKeyValueMetadata("geo", string(meta))
	if err := gw.pw.Close(); err != nil {
		return fmt.Errorf("close parquet writer: %w", err)
	}
	return nil
}

func allNil(vals []any) bool {
	for _, v := range vals {
		if v != nil {
			return false
		}
	}
	return true
}

func columnKind(vals []any) string {
	kind := ""
	for _, v := range vals {
		var k string
		switch v.(type) {
		case nil:
			continue
		case string:
			k = "string"
		case int, int64, int32:
			k = "int64"
		case float64:
			k = "float64"
		case bool:
			k = "bool"
		default:
			return "json"
		}
		if kind != "" && k != kind {
			return "json"
		}
		kind = k
	}
	if kind == "" {
		return "string"
	}
	return kind
}

// ReadFile reads the GeoParquet file at path; see Read.
func ReadFile(ctx context.Context, path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	t, err := Read(ctx, f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ErrNotGeoParquet is wrapped by Read's error for a Parquet file without
// usable "geo" metadata.
var ErrNotGeoParquet = errors.New("not a GeoParquet file")

// Read reads a GeoParquet file of size bytes from r: the primary geometry
// column (WKB) and every top-level primitive column (nested and repeated
// columns, and the covering column, are skipped). The table's CRS comes from
// the column's "crs" metadata: absent means OGC:CRS84; PROJJSON is identified
// by its id (see crs.FromPROJJSON); an explicit null (an undefined CRS) is
// refused. The columns are read a chunk at a time, the row groups in
// parallel (readColumns); a file that path does not read, or whose reading
// fails there, is read row by row, which reports the error and its row.
func Read(ctx context.Context, r io.ReaderAt, size int64) (t *Table, err error) {
	// parquet-go can panic on corrupt files; report them as errors.
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("corrupt parquet file: %v", p)
		}
	}()
	// parquet-go allocates the footer length the file claims before
	// checking it against the file size; check it first.
	var tail [8]byte
	if size < 12 {
		return nil, fmt.Errorf("not a parquet file: %d bytes", size)
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return nil, fmt.Errorf("not a parquet file: %w", err)
	}
	if footer := int64(binary.LittleEndian.Uint32(tail[:4])); string(tail[4:]) != "PAR1" || footer > size-12 {
		return nil, fmt.Errorf("not a parquet file: no PAR1 footer of a plausible size")
	}
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a parquet file: %w", err)
	}
	if err := checkSizes(f, size); err != nil {
		return nil, err
	}
	raw, ok := f.Lookup("geo")
	if !ok {
		return nil, fmt.Errorf("%w: no \"geo\" metadata; write it with a GeoParquet writer (GDAL, GeoPandas to_parquet)", ErrNotGeoParquet)
	}
	var meta geoMeta
	if err := json.Unmarshal([]byte(raw), &meta); err != nil {
		return nil, fmt.Errorf("%w: \"geo\" metadata is not JSON: %v", ErrNotGeoParquet, err)
	}
	cm, ok := meta.Columns[meta.PrimaryColumn]
	if !ok {
		return nil, fmt.Errorf("%w: primary column %q has no metadata", ErrNotGeoParquet, meta.PrimaryColumn)
	}
	if cm.Encoding != "WKB" {
		return nil, fmt.Errorf("geometry column %q is encoded %q; only WKB is supported (GeoPandas: to_parquet(geometry_encoding=\"WKB\"))", meta.PrimaryColumn, cm.Encoding)
	}
	t = &Table{CRS: crs.LonLat}
	switch c := bytes.TrimSpace(cm.CRS); {
	case len(c) == 0:
	case string(c) == "null":
		return nil, fmt.Errorf("geometry column %q has crs null (undefined); set the CRS when writing the file: %w", meta.PrimaryColumn, crs.ErrUnknown)
	default:
		if t.CRS, err = crs.FromPROJJSON(c); err != nil {
			return nil, fmt.Errorf("geometry column %q: %w", meta.PrimaryColumn, err)
		}
	}

	schema := f.Schema()
	geomLeaf := -1
	var attrs []int // leaf index per attribute column
	kinds := map[int]parquet.Kind{}
	strs := map[int]bool{}
	for _, path := range schema.Columns() {
		lc, _ := schema.Lookup(path...)
		if len(path) != 1 || lc.MaxRepetitionLevel > 0 {
			continue
		}
		if path[0] == meta.PrimaryColumn {
			geomLeaf = lc.ColumnIndex
			continue
		}
		if cm.Covering != nil && path[0] == BBoxColumn {
			continue
		}
		typ := lc.Node.Type()
		kinds[lc.ColumnIndex] = typ.Kind()
		strs[lc.ColumnIndex] = isString(typ)
		attrs = append(attrs, lc.ColumnIndex)
		t.Columns = append(t.Columns, Column{Name: path[0]})
	}
	if geomLeaf < 0 {
		return nil, fmt.Errorf("%w: primary column %q is not a top-level column", ErrNotGeoParquet, meta.PrimaryColumn)
	}
	if ok, err := readColumns(ctx, f, t, geomLeaf, attrs, kinds, strs); err != nil {
		return nil, err
	} else if ok {
		return t, nil
	} else if readMode == columnsOnly {
		return nil, errors.New("the columns were not read (columnsOnly)")
	}
	pos := map[int]int{}
	for i, leaf := range attrs {
		pos[leaf] = i
	}
	buf := make([]parquet.Row, 256)
	rowNum := 0
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		for {
			if err := ctx.Err(); err != nil {
				rows.Close()
				return nil, err
			}
			n, rerr := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				var g orb.Geometry
				vals := make([]any, len(attrs))
				for _, v := range row {
					c := v.Column()
					if v.IsNull() {
						continue
					}
					if c == geomLeaf {
						if g, err = wkb.Unmarshal(v.ByteArray()); err != nil {
							rows.Close()
							return nil, fmt.Errorf("row %d: geometry is not valid WKB: %w", rowNum, err)
						}
						continue
					}
					i, ok := pos[c]
					if !ok {
						continue
					}
					vals[i] = propertyValue(v, kinds[c], strs[c])
				}
				t.Geoms = append(t.Geoms, g)
				for i := range t.Columns {
					t.Columns[i].Values = append(t.Columns[i].Values, vals[i])
				}
				rowNum++
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				rows.Close()
				return nil, fmt.Errorf("row %d: %w", rowNum, rerr)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// isString reports whether a byte-array column holds UTF-8 text (the STRING
// logical type, or the legacy UTF8 converted type).
func isString(t parquet.Type) bool {
	if lt := t.LogicalType(); lt != nil {
		if _, ok := lt.Value.(*format.StringType); ok {
			return true
		}
	}
	ct := t.ConvertedType()
	return ct != nil && *ct == deprecated.UTF8
}

// checkSizes refuses files whose metadata claims column chunks larger than
// the file (compressed) or than deflate's best ratio allows (uncompressed),
// before the decoder allocates buffers of those sizes.
func checkSizes(f *parquet.File, size int64) error {
	var total int64
	for _, rg := range f.Metadata().RowGroups {
		if rg.NumRows < 0 || rg.NumRows > size*8 {
			return fmt.Errorf("corrupt parquet file: row group claims %d rows in %d bytes", rg.NumRows, size)
		}
		for _, c := range rg.Columns {
			m := c.MetaData
			if m.TotalCompressedSize < 0 || m.TotalCompressedSize > size || m.TotalUncompressedSize < 0 || m.TotalUncompressedSize > 1032*m.TotalCompressedSize+1<<16 || m.NumValues < 0 || m.NumValues > 8*size+1<<16 {
				return fmt.Errorf("corrupt parquet file: column chunk sizes (%d compressed, %d uncompressed, %d values) do not fit a %d-byte file", m.TotalCompressedSize, m.TotalUncompressedSize, m.NumValues, size)
			}
			total += m.TotalUncompressedSize
		}
	}
	if total > 1<<34 {
		return fmt.Errorf("corrupt parquet file: %d bytes of column data claimed", total)
	}
	return nil
}

// propertyValue is a non-null cell of an attribute column as a feature
// property: a string (str) or a copy of the bytes for a byte array, int64
// for an integer, float64 for a float or double, bool for a boolean; nil
// for any other kind.
func propertyValue(v parquet.Value, kind parquet.Kind, str bool) any {
	switch kind {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		if str {
			return string(v.ByteArray())
		}
		return bytes.Clone(v.ByteArray())
	case parquet.Int32, parquet.Int64:
		return v.Int64()
	case parquet.Float:
		return float64(v.Float())
	case parquet.Double:
		return v.Double()
	case parquet.Boolean:
		return v.Boolean()
	}
	return nil
}
