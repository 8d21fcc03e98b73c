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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/groundwork-org/groundwork/geo/crs"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/paulmach/orb"
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
	pw    *parquet.GenericWriter[any]
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
	gw.pw = parquet.NewGenericWriter[any](w, opts...)
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
