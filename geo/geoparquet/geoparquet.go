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
	"sort"

	"github.com/groundwork-org/groundwork/geo/crs"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

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
}

// NewWriter starts a GeoParquet file on w with the attribute columns cols
// (their Name and Kind: "string", "int64", "float64" or "bool"; Values are
// not used) and the further key/value metadata meta ("geo" is reserved).
func NewWriter(w io.Writer, cols []Column, meta map[string]string) (*Writer, error) {
	group := parquet.Group{
		GeometryColumn: parquet.Optional(parquet.Leaf(parquet.ByteArrayType)),
		BBoxColumn: parquet.Optional(parquet.Group{
			"xmin": parquet.Leaf(parquet.DoubleType), "ymin": parquet.Leaf(parquet.DoubleType),
			"xmax": parquet.Leaf(parquet.DoubleType), "ymax": parquet.Leaf(parquet.DoubleType),
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
			n = parquet.Int(64)
		case "float64":
			n = parquet.Leaf(parquet.DoubleType)
		case "bool":
			n = parquet.Leaf(parquet.BooleanType)
		default:
			n = parquet.String()
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
// with values of their kinds (or nil); t.CRS must be lon/lat.
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
	gi, bx, ci := gw.gi, gw.bx, gw.ci
	// Rows are converted and handed to parquet-go a batch at a time, into
	// one reused buffer of values: converting the whole table first held
	// about 1 KB per row besides the table (85 MB for 85,000 tracts of 30
	// columns). For a table given in one Write, the bytes are those of
	// converting it all first (checked on a made-up table of 132,306
	// rows).
	batch := min(len(t.Geoms), writeBatch)
	rows := make([]parquet.Row, 0, batch)
	vals := make([]parquet.Value, batch*gw.ncol)
	for r, g := range t.Geoms {
		if r%writeBatch == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(rows) > 0 {
				if _, err := gw.pw.WriteRows(rows); err != nil {
					return fmt.Errorf("write rows: %w", err)
				}
				rows = rows[:0]
			}
		}
		k := len(rows) * gw.ncol
		row := parquet.Row(vals[k : k+gw.ncol : k+gw.ncol])
		if g == nil {
			row[gi] = parquet.NullValue().Level(0, 0, gi)
			for _, k := range bx {
				row[k] = parquet.NullValue().Level(0, 0, k)
			}
		} else {
			data, err := wkb.Marshal(g)
			if err != nil {
				return fmt.Errorf("row %d: geometry: %w", r, err)
			}
			gw.types[g.GeoJSONType()] = true
			b := g.Bound()
			gw.all = gw.all.Union(b)
			row[gi] = parquet.ByteArrayValue(data).Level(0, 1, gi)
			for j, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
				row[bx[j]] = parquet.DoubleValue(v).Level(0, 1, bx[j])
			}
		}
		for i, c := range t.Columns {
			v, err := value(c.Values[r], gw.cols[i].Kind)
			if err != nil {
				return fmt.Errorf("row %d column %q: %w", r, c.Name, err)
			}
			if v.IsNull() {
				row[ci[i]] = v.Level(0, 0, ci[i])
			} else {
				row[ci[i]] = v.Level(0, 1, ci[i])
			}
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		if _, err := gw.pw.WriteRows(rows); err != nil {
			return fmt.Errorf("write rows: %w", err)
		}
	}
	return nil
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

func value(v any, kind string) (parquet.Value, error) {
	if v == nil {
		return parquet.NullValue(), nil
	}
	switch kind {
	case "string":
		return parquet.ByteArrayValue([]byte(v.(string))), nil
	case "int64":
		switch x := v.(type) {
		case int:
			return parquet.Int64Value(int64(x)), nil
		case int32:
			return parquet.Int64Value(int64(x)), nil
		default:
			return parquet.Int64Value(x.(int64)), nil
		}
	case "float64":
		return parquet.DoubleValue(v.(float64)), nil
	case "bool":
		return parquet.BooleanValue(v.(bool)), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return parquet.Value{}, err
	}
	return parquet.ByteArrayValue(b), nil
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
// refused.
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
					switch kinds[c] {
					case parquet.ByteArray, parquet.FixedLenByteArray:
						if strs[c] {
							vals[i] = string(v.ByteArray())
						} else {
							vals[i] = bytes.Clone(v.ByteArray())
						}
					case parquet.Int32, parquet.Int64:
						vals[i] = v.Int64()
					case parquet.Float:
						vals[i] = float64(v.Float())
					case parquet.Double:
						vals[i] = v.Double()
					case parquet.Boolean:
						vals[i] = v.Boolean()
					}
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
