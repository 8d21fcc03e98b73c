package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/groundwork-org/groundwork/internal/strarena"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

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
	var strs strarena.Arena
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
						c.AppendString(strs.String(v.ByteArray()), !null)
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
func appendPage(c *table.Column, pg parquet.Page, strs *strarena.Arena) bool {
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
			c.AppendString(strs.String(bytes[offs[x]:offs[x+1]]), true)
			k++
		}
	default:
		return false
	}
	return true
}
