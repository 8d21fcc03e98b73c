package geoparquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/groundwork-org/groundwork/geo/crs"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

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
