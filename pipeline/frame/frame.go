// Package frame holds the in-memory columnar table (Table) that the
// pipeline's stages pass each other: typed nullable columns, record edits,
// rule matching, and conversion to and from Arrow records and Parquet files.
package frame

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Table is the columnar table the join, summary, segment and report stages
// share: one typed, nullable column (table.Column) per name, all of the same
// length. Values read through Get are string, float64, int64, bool or nil
// (null).
//
// It holds no map per record: a million placed points cost their column
// slices alone, and turning a Table into an Arrow record (Record) copies
// each column once. A Table is not safe for concurrent writes; stages share
// finished tables read only.
//
// A Table may instead live in a Parquet file (InFile, for streamed tables):
// then only Cols, Types and Len are known in memory, readers go through
// Scan (a row group at a time) or Load (all of it), and Get or Str panic
// (a programming error: the values are not there). Or its chunks may arrive
// once, as another stage makes them (Stream).
type Table struct {
	cols  []string
	types map[string]table.Type
	vecs  map[string]*table.Column
	n     int
	file  string // when set, the rows are in this Parquet file, not in vecs
	// stream, when set, gives the chunks (see Stream); nil once used.
	stream func(ctx context.Context, fn func(chunk *Table, base int) error) error
	// streamed is set with stream and stays set.
	streamed bool
}

// Stream describes a table whose chunks arrive once, in order, from scan:
// the placed chunks of a places stage handed to a summary as they are made,
// rather than read back from the file the places stage writes. Cols and
// Types are those of the chunks (the file's columns); Len counts the
// records scanned so far (all of them once Scan has returned). It can be
// scanned once: a second Scan or ScanCols fails. ScanCols gives chunks with
// only the columns named, in chunk order, as reading them from the file
// would; fn must not modify the chunks (other readers share them).
func Stream(cols []string, types map[string]table.Type, scan func(ctx context.Context, fn func(chunk *Table, base int) error) error) *Table {
	return &Table{cols: cols, types: types, vecs: map[string]*table.Column{}, stream: scan, streamed: true}
}

// Project returns a table of r's records with only the columns in names
// that r has, in r's column order, sharing r's column data: neither may be
// modified while the other is read.
func (r *Table) Project(names []string) *Table {
	p := New()
	p.n = r.n
	for _, c := range r.cols {
		if slices.Contains(names, c) {
			p.cols = append(p.cols, c)
			p.types[c] = r.types[c]
			p.vecs[c] = r.vecs[c]
		}
	}
	return p
}

// OpenFile describes the rows of the Parquet file at path (store.Describe)
// as InFile does.
func OpenFile(path string) (*Table, error) {
	names, types, n, err := store.Describe(path)
	if err != nil {
		return nil, err
	}
	tm := map[string]table.Type{}
	for i, c := range names {
		tm[c] = types[i]
	}
	return InFile(path, names, tm, int(n)), nil
}

// InFile describes n rows held in the Parquet file at path.
func InFile(path string, cols []string, types map[string]table.Type, n int) *Table {
	return &Table{cols: cols, types: types, vecs: map[string]*table.Column{}, n: n, file: path}
}

// Cols returns the column names in declaration order; the caller must not
// change the slice.
func (r *Table) Cols() []string { return r.cols }

// Types returns the type of every column by name; the caller must not change
// the map.
func (r *Table) Types() map[string]table.Type { return r.types }

// Streamed reports whether the rows are in a file or a stream rather than
// in memory.
func (r *Table) Streamed() bool { return r.file != "" || r.streamed }

// Scan calls fn with the rows a chunk at a time: in memory, once with r
// itself; from a file, once per row group, with base the index of the
// chunk's first record. fn may modify a chunk read from a file (it is its
// own copy) but not r's own rows.
func (r *Table) Scan(ctx context.Context, fn func(chunk *Table, base int) error) error {
	return r.ScanCols(ctx, nil, fn)
}

// ScanCols is Scan reading, from a file, only the columns in names (all when
// names is nil): a chunk then holds only those, so a stage that needs two
// columns of a wide table decodes two. In memory, fn gets r itself.
func (r *Table) ScanCols(ctx context.Context, names []string, fn func(chunk *Table, base int) error) error {
	if !r.Streamed() {
		return fn(r, 0)
	}
	if r.streamed {
		scan := r.stream
		if scan == nil {
			return errors.New("frame: a stream scanned twice (a bug: please report it)")
		}
		r.stream = nil
		return scan(ctx, func(c *Table, base int) error {
			r.n = base + c.Len()
			if names != nil {
				c = c.Project(names)
			}
			return fn(c, base)
		})
	}
	base := 0
	return store.ScanColumns(ctx, r.file, names, func(n int, cols []*table.Column) error {
		c := New()
		c.n = n
		for _, col := range cols {
			if err := c.PutCol(col); err != nil {
				return err
			}
		}
		err := fn(c, base)
		base += c.Len()
		return err
	})
}

// Load returns the rows in memory: r itself, or the whole file read.
func (r *Table) Load(ctx context.Context) (*Table, error) {
	if !r.Streamed() {
		return r, nil
	}
	if r.streamed {
		return nil, errors.New("frame: Load on a stream (a bug: please report it)")
	}
	rec, err := store.ReadParquet(ctx, r.file)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return FromRecord(rec), nil
}

// New returns an empty table with no columns.
func New() *Table {
	return &Table{types: map[string]table.Type{}, vecs: map[string]*table.Column{}}
}

// Len is the number of records.
func (r *Table) Len() int { return r.n }

// AddCol declares a column (once; later declarations are ignored). A column
// added to rows that already hold records is null in every one of them.
func (r *Table) AddCol(name string, t table.Type) {
	if _, ok := r.types[name]; ok {
		return
	}
	r.cols = append(r.cols, name)
	r.types[name] = t
	r.vecs[name] = newColumn(name, t, r.n)
}

// newColumn returns a column of n nulls (table.NewColumn: a recycled
// one when there is one).
func newColumn(name string, t table.Type, n int) *table.Column {
	return table.NewColumn(name, t, n, n)
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

// PutCol adds c as a column, or replaces the column of that name (type
// included). c must have one value per record.
func (r *Table) PutCol(c *table.Column) error {
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

// Get returns the value of column name in record i, or nil when it is null
// or there is no such column.
func (r *Table) Get(i int, name string) any {
	if r.Streamed() {
		panic("frame: Get on a table held in " + r.file + " or a stream; read them with scan or load")
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

// Str returns a string column's value in record i ("" for null, for another
// type or for no such column).
func (r *Table) Str(i int, name string) string {
	if r.Streamed() {
		panic("frame: Str on a table held in " + r.file + " or a stream; read them with scan or load")
	}
	c := r.vecs[name]
	if c == nil || c.Type != table.String || !c.Valid[i] {
		return ""
	}
	return c.Strings[i]
}

// StrMap maps each record's text in column key to its text in column col
// (Str); a later record replaces an earlier one with the same key.
func (r *Table) StrMap(key, col string) map[string]string {
	m := make(map[string]string, r.n)
	for i := range r.n {
		m[r.Str(i, key)] = r.Str(i, col)
	}
	return m
}

// Set stores v in column name of record i; nil, and a value of the wrong
// type for the column (an int64 is accepted by a float column), store null.
// The column must exist.
func (r *Table) Set(i int, name string, v any) {
	c := r.vecs[name]
	var ok bool
	switch c.Type {
	case table.Float:
		c.Floats[i], ok = ToFloat(v)
	case table.Int:
		c.Ints[i], ok = v.(int64)
	case table.Bool:
		c.Bools[i], ok = v.(bool)
	default:
		c.Strings[i], ok = v.(string)
	}
	c.Valid[i] = ok
}

// SetFloat stores x in float column name of record i.
func (r *Table) SetFloat(i int, name string, x float64) {
	c := r.vecs[name]
	c.Floats[i], c.Valid[i] = x, true
}

// AppendRow adds a record from a map of column name to value; columns it
// does not name are null, and names that are not columns are ignored.
func (r *Table) AppendRow(m map[string]any) {
	r.n++
	for _, name := range r.cols {
		c := r.vecs[name]
		v := m[name]
		switch c.Type {
		case table.Float:
			x, ok := ToFloat(v)
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

// Row returns record i as a new map of every column (nil for null). It
// allocates; loops over many records read single columns with Get instead.
func (r *Table) Row(i int) map[string]any {
	m := make(map[string]any, len(r.cols))
	for _, name := range r.cols {
		m[name] = r.Get(i, name)
	}
	return m
}

// Match evaluates rule on record i. env is a map the caller reuses across
// records: only the columns the rule reads are written to it.
func (r *Table) Match(rule *segment.Rule, i int, env map[string]any) (bool, error) {
	for _, name := range rule.Columns() {
		env[name] = r.Get(i, name)
	}
	return rule.Match(env)
}

// Matcher returns a function that decides rule on record i of r, as
// Match does: on r's columns read typed when the rule allows it
// (segment.Rule.Over), otherwise through Match with env, a map the
// function reuses. r's columns must not be replaced while it is used.
func (r *Table) Matcher(rule *segment.Rule, env map[string]any) func(i int) (bool, error) {
	if f := rule.Over(r.Column); f != nil {
		return f
	}
	return func(i int) (bool, error) { return r.Match(rule, i, env) }
}

// Keep keeps the records whose indexes are listed (ascending) and drops the
// rest, in place.
func (r *Table) Keep(idx []int) {
	// Records before the first dropped one stay where they are.
	same := 0
	for same < len(idx) && idx[same] == same {
		same++
	}
	if same == r.n {
		return // every record kept
	}
	// The kept records after it, as runs of consecutive records, each
	// moved with one copy per column (usually one run: few are dropped).
	type run struct{ to, from, n int }
	var runs []run
	for j := same; j < len(idx); {
		k := j + 1
		for k < len(idx) && idx[k] == idx[k-1]+1 {
			k++
		}
		runs = append(runs, run{j, idx[j], k - j})
		j = k
	}
	for _, name := range r.cols {
		c := r.vecs[name]
		for _, u := range runs {
			copy(c.Valid[u.to:u.to+u.n], c.Valid[u.from:u.from+u.n])
			switch c.Type {
			case table.Float:
				copy(c.Floats[u.to:u.to+u.n], c.Floats[u.from:u.from+u.n])
			case table.Int:
				copy(c.Ints[u.to:u.to+u.n], c.Ints[u.from:u.from+u.n])
			case table.Bool:
				copy(c.Bools[u.to:u.to+u.n], c.Bools[u.from:u.from+u.n])
			default:
				copy(c.Strings[u.to:u.to+u.n], c.Strings[u.from:u.from+u.n])
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

// Subset returns a new rows with the listed records (in that order) and the
// same columns.
func (r *Table) Subset(idx []int) *Table {
	out := New()
	out.n = len(idx)
	for _, name := range r.cols {
		out.AddCol(name, r.types[name]) // len(idx) nulls
		c, o := r.vecs[name], out.vecs[name]
		for j, i := range idx {
			copyValue(o, j, c, i)
		}
	}
	return out
}

// Record converts rows to an Arrow record with the columns in declaration
// order.
func (r *Table) Record(meta map[string]string) (arrow.RecordBatch, error) {
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

// ToFloat returns a float64 or int64 value as a float64; false for nil and
// any other type.
func ToFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// Cell formats a value for CSV: integers without decimals, floats in the
// shortest form that reads back exactly, nulls empty.
func Cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// Column returns the column named name, nil when there is none; the
// caller must not change it (writers read whole columns through it). It
// panics on a table held in a file, as Get does.
func (r *Table) Column(name string) *table.Column {
	if r.file != "" {
		panic("frame: Column on a table held in " + r.file + "; read them with scan or load")
	}
	return r.vecs[name]
}
