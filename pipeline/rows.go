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
// then only cols, types and len are known in memory, get and friends see
// no values, and readers go through scan (a row group at a time) or load
// (all of it).
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
	c := &table.Column{Name: name, Type: t, Valid: make([]bool, r.n)}
	switch t {
	case table.Float:
		c.Floats = make([]float64, r.n)
	case table.Int:
		c.Ints = make([]int64, r.n)
	case table.Bool:
		c.Bools = make([]bool, r.n)
	default:
		c.Strings = make([]string, r.n)
	}
	r.vecs[name] = c
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

// setString stores s in string column name of record i, or null when s is
// empty.
func (r *rows) setString(i int, name, s string) {
	c := r.vecs[name]
	c.Strings[i], c.Valid[i] = s, s != ""
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
			c.Valid[j] = c.Valid[i]
			switch c.Type {
			case table.Float:
				c.Floats[j] = c.Floats[i]
			case table.Int:
				c.Ints[j] = c.Ints[i]
			case table.Bool:
				c.Bools[j] = c.Bools[i]
			default:
				c.Strings[j] = c.Strings[i]
			}
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
	for _, name := range r.cols {
		out.addCol(name, r.types[name])
	}
	out.n = len(idx)
	for _, name := range r.cols {
		c, o := r.vecs[name], out.vecs[name]
		o.Valid = make([]bool, len(idx))
		switch c.Type {
		case table.Float:
			o.Floats = make([]float64, len(idx))
		case table.Int:
			o.Ints = make([]int64, len(idx))
		case table.Bool:
			o.Bools = make([]bool, len(idx))
		default:
			o.Strings = make([]string, len(idx))
		}
		for j, i := range idx {
			o.Valid[j] = c.Valid[i]
			switch c.Type {
			case table.Float:
				o.Floats[j] = c.Floats[i]
			case table.Int:
				o.Ints[j] = c.Ints[i]
			case table.Bool:
				o.Bools[j] = c.Bools[i]
			default:
				o.Strings[j] = c.Strings[i]
			}
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
	for j, f := range rec.Schema().Fields() {
		t, _ := table.TypeOf(f.Type)
		r.addCol(f.Name, t)
		c := r.vecs[f.Name]
		c.Valid = make([]bool, n)
		a := rec.Column(j)
		switch t {
		case table.Float:
			c.Floats = make([]float64, n)
			v := a.(*array.Float64)
			for i := range n {
				if v.IsValid(i) {
					c.Floats[i], c.Valid[i] = v.Value(i), true
				}
			}
		case table.Int:
			c.Ints = make([]int64, n)
			v := a.(*array.Int64)
			for i := range n {
				if v.IsValid(i) {
					c.Ints[i], c.Valid[i] = v.Value(i), true
				}
			}
		case table.Bool:
			c.Bools = make([]bool, n)
			v := a.(*array.Boolean)
			for i := range n {
				if v.IsValid(i) {
					c.Bools[i], c.Valid[i] = v.Value(i), true
				}
			}
		default:
			c.Strings = make([]string, n)
			v, isString := a.(*array.String)
			for i := range n {
				switch {
				case a.IsNull(i):
				case isString:
					c.Strings[i], c.Valid[i] = v.Value(i), true
				default:
					c.Strings[i], c.Valid[i] = a.ValueStr(i), true
				}
			}
		}
	}
	r.n = n
	return r
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
