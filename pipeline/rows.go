package pipeline

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// rows is the columnar table the join, summary, segment and report stages
// share: one typed, nullable column (table.Column) per name, all of the same
// length. Values read through get are string, float64, int64, bool or nil
// (null).
//
// It holds no map per record: a million placed points cost their column
// slices alone, and turning rows into an Arrow record (record) copies each
// column once. A rows value is not safe for concurrent writes; stages share
// finished rows read only.
//
// Rows may instead live in a Parquet file (fileRows, for streamed tables):
// then only cols, types and len are known in memory, readers go through
// scan (a row group at a time) or load (all of it), and get or str panic
// (a programming error: the values are not there).
type rows struct {
	cols  []string
	types map[string]table.Type
	vecs  map[string]*table.Column
	n     int
	file  string // when set, the rows are in this Parquet file, not in vecs
}

// fileRows describes n rows held in the Parquet file at path.
func fileRows(path string, cols []string, types map[string]table.Type, n int) *rows {
	return &rows{cols: cols, types: types, vecs: map[string]*table.Column{}, n: n, file: path}
}

// streamed reports whether the rows are in a file rather than in memory.
func (r *rows) streamed() bool { return r.file != "" }

// scan calls fn with the rows a chunk at a time: in memory, once with r
// itself; from a file, once per row group, with base the index of the
// chunk's first record. fn may modify a chunk read from a file (it is its
// own copy) but not r's own rows.
func (r *rows) scan(ctx context.Context, fn func(chunk *rows, base int) error) error {
	if !r.streamed() {
		return fn(r, 0)
	}
	base := 0
	return store.ScanParquet(ctx, r.file, func(rec arrow.RecordBatch) error {
		c := fromRecord(rec)
		err := fn(c, base)
		base += c.len()
		return err
	})
}

// load returns the rows in memory: r itself, or the whole file read.
func (r *rows) load(ctx context.Context) (*rows, error) {
	if !r.streamed() {
		return r, nil
	}
	rec, err := store.ReadParquet(ctx, r.file)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return fromRecord(rec), nil
}

func newRows() *rows {
	return &rows{types: map[string]table.Type{}, vecs: map[string]*table.Column{}}
}

// len is the number of records.
func (r *rows) len() int { return r.n }

// addCol declares a column (once; later declarations are ignored). A column
// added to rows that already hold records is null in every one of them.
func (r *rows) addCol(name string, t table.Type) {
	if _, ok := r.types[name]; ok {
		return
	}
	r.cols = append(r.cols, name)
	r.types[name] = t
	r.vecs[name] = newColumn(name, t, r.n)
}

// newColumn returns a column of n nulls.
func newColumn(name string, t table.Type, n int) *table.Column {
	c := &table.Column{Name: name, Type: t, Valid: make([]bool, n)}
	switch t {
	case table.Float:
		c.Floats = make([]float64, n)
	case table.Int:
		c.Ints = make([]int64, n)
	case table.Bool:
		c.Bools = make([]bool, n)
	default:
		c.Strings = make([]string, n)
	}
	return c
}

// copyValue sets record j of dst to record i of src, a column of the same
// type.
func copyValue(dst *table.Column, j int, src *table.Column, i int) {
	dst.Valid[j] = src.Valid[i]
	switch src.Type {
	case table.Float:
		dst.Floats[j] = src.Floats[i]
	case table.Int:
		dst.Ints[j] = src.Ints[i]
	case table.Bool:
		dst.Bools[j] = src.Bools[i]
	default:
		dst.Strings[j] = src.Strings[i]
	}
}

// putCol adds c as a column, or replaces the column of that name (type
// included). c must have one value per record.
func (r *rows) putCol(c *table.Column) error {
	if c.Len() != r.n {
		return fmt.Errorf("column %q has %d rows, want %d", c.Name, c.Len(), r.n)
	}
	if _, ok := r.types[c.Name]; !ok {
		r.cols = append(r.cols, c.Name)
	}
	r.types[c.Name] = c.Type
	r.vecs[c.Name] = c
	return nil
}

// get returns the value of column name in record i, or nil when it is null
// or there is no such column.
func (r *rows) get(i int, name string) any {
	if r.file != "" {
		panic("pipeline: get on rows held in " + r.file + "; read them with scan or load")
	}
	c := r.vecs[name]
	if c == nil || !c.Valid[i] {
		return nil
	}
	switch c.Type {
	case table.Float:
		return c.Floats[i]
	case table.Int:
		return c.Ints[i]
	case table.Bool:
		return c.Bools[i]
	}
	return c.Strings[i]
}

// str returns a string column's value in record i ("" for null, for another
// type or for no such column).
func (r *rows) str(i int, name string) string {
	if r.file != "" {
		panic("pipeline: str on rows held in " + r.file + "; read them with scan or load")
	}
	c := r.vecs[name]
	if c == nil || c.Type != table.String || !c.Valid[i] {
		return ""
	}
	return c.Strings[i]
}

// set stores v in column name of record i; nil, and a value of the wrong
// type for the column (an int64 is accepted by a float column), store null.
// The column must exist.
func (r *rows) set(i int, name string, v any) {
	c := r.vecs[name]
	var ok bool
	switch c.Type {
	case table.Float:
		c.Floats[i], ok = toFloat(v)
	case table.Int:
		c.Ints[i], ok = v.(int64)
	case table.Bool:
		c.Bools[i], ok = v.(bool)
	default:
		c.Strings[i], ok = v.(string)
	}
	c.Valid[i] = ok
}

// setFloat stores x in float column name of record i.
func (r *rows) setFloat(i int, name string, x float64) {
	c := r.vecs[name]
	c.Floats[i], c.Valid[i] = x, true
}

// appendRow adds a record from a map of column name to value; columns it
// does not name are null, and names that are not columns are ignored.
func (r *rows) appendRow(m map[string]any) {
	r.n++
	for _, name := range r.cols {
		c := r.vecs[name]
		v := m[name]
		switch c.Type {
		case table.Float:
			x, ok := toFloat(v)
			c.AppendFloat(x, ok)
		case table.Int:
			x, ok := v.(int64)
			c.AppendInt(x, ok)
		case table.Bool:
			x, ok := v.(bool)
			c.AppendBool(x, ok)
		default:
			x, ok := v.(string)
			c.AppendString(x, ok)
		}
	}
}

// row returns record i as a new map of every column (nil for null). It
// allocates; loops over many records read single columns with get instead.
func (r *rows) row(i int) map[string]any {
	m := make(map[string]any, len(r.cols))
	for _, name := range r.cols {
		m[name] = r.get(i, name)
	}
	return m
}

// match evaluates rule on record i. env is a map the caller reuses across
// records: only the columns the rule reads are written to it.
func (r *rows) match(rule *segment.Rule, i int, env map[string]any) (bool, error) {
	for _, name := range rule.Columns() {
		env[name] = r.get(i, name)
	}
	return rule.Match(env)
}

// keep keeps the records whose indexes are listed (ascending) and drops the
// rest, in place.
func (r *rows) keep(idx []int) {
	for _, name := range r.cols {
		c := r.vecs[name]
		for j, i := range idx {
			copyValue(c, j, c, i)
		}
		c.Valid = c.Valid[:len(idx)]
		switch c.Type {
		case table.Float:
			c.Floats = c.Floats[:len(idx)]
		case table.Int:
			c.Ints = c.Ints[:len(idx)]
		case table.Bool:
			c.Bools = c.Bools[:len(idx)]
		default:
			clear(c.Strings[len(idx):]) // let the dropped strings go
			c.Strings = c.Strings[:len(idx)]
		}
	}
	r.n = len(idx)
}

// subset returns a new rows with the listed records (in that order) and the
// same columns.
func (r *rows) subset(idx []int) *rows {
	out := newRows()
	out.n = len(idx)
	for _, name := range r.cols {
		out.addCol(name, r.types[name]) // len(idx) nulls
		c, o := r.vecs[name], out.vecs[name]
		for j, i := range idx {
			copyValue(o, j, c, i)
		}
	}
	return out
}

// fromRecord copies an Arrow record into rows, column by column. String
// values share the record's buffers (Go-allocated, kept alive by the
// strings), so the record may be released afterwards. Columns of a type
// groundwork does not use become strings.
func fromRecord(rec arrow.RecordBatch) *rows {
	r := newRows()
	n := int(rec.NumRows())
	r.n = n
	for j, f := range rec.Schema().Fields() {
		t, _ := table.TypeOf(f.Type)
		r.addCol(f.Name, t) // n nulls
		c := r.vecs[f.Name]
		switch a := rec.Column(j).(type) {
		case *array.Float64:
			fillFrom(a, c.Floats, c.Valid)
		case *array.Int64:
			fillFrom(a, c.Ints, c.Valid)
		case *array.Boolean:
			fillFrom(a, c.Bools, c.Valid)
		case *array.String:
			fillFrom(a, c.Strings, c.Valid)
		default:
			for i := range n {
				if a.IsValid(i) {
					c.Strings[i], c.Valid[i] = a.ValueStr(i), true
				}
			}
		}
	}
	return r
}

// fillFrom copies a typed Arrow array's values and validity.
func fillFrom[T any](a interface {
	IsValid(int) bool
	Value(int) T
}, vals []T, valid []bool) {
	for i := range vals {
		if a.IsValid(i) {
			vals[i], valid[i] = a.Value(i), true
		}
	}
}

// record converts rows to an Arrow record with the columns in declaration
// order.
func (r *rows) record(meta map[string]string) (arrow.RecordBatch, error) {
	cols := make([]*table.Column, len(r.cols))
	for j, name := range r.cols {
		cols[j] = r.vecs[name]
	}
	if len(cols) == 0 {
		return table.Build(meta)
	}
	for _, c := range cols {
		if c.Len() != r.n {
			return nil, fmt.Errorf("column %q has %d rows, want %d", c.Name, c.Len(), r.n)
		}
	}
	return table.Build(meta, cols...)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}
