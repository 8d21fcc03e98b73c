// Package table is groundwork's shared table vocabulary on Apache Arrow records:
// column constructors, typed accessors and the naming conventions every stage
// uses.
//
// Conventions:
//   - Geographic identifiers are zero-padded strings in a column named "geoid"
//     (11 characters for a tract: state 2 + county 3 + tract 6). They are never
//     numbers.
//   - A Census estimate keeps its variable code as column name (B19013_001E) and
//     its margin of error likewise (B19013_001M); both are nullable float64.
//   - Where a value is null or flagged for a reason (an ACS annotation value, a
//     top-coded median), the reason is in a nullable string column named
//     "<column>_note".
//
// Records returned by this package are owned by the caller, who must Release
// them. Functions are safe for concurrent use on distinct records.
package table

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// GEOID is the column name that holds Census geographic identifiers.
const GEOID = "geoid"

// NoteSuffix is appended to a column name to name the column that explains
// its nulls and flags.
const NoteSuffix = "_note"

// Type is the logical type of a column.
type Type int

// Column types. Every column is nullable.
const (
	String Type = iota
	Float
	Int
	Bool
)

func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Float:
		return "float"
	case Int:
		return "int"
	case Bool:
		return "bool"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// ParseType reads a type name as written in a pipeline file.
func ParseType(s string) (Type, bool) {
	switch strings.ToLower(s) {
	case "string", "text":
		return String, true
	case "float", "number", "float64":
		return Float, true
	case "int", "integer", "int64":
		return Int, true
	case "bool", "boolean":
		return Bool, true
	}
	return 0, false
}

// TypeNames lists the accepted type names, for error messages.
var TypeNames = []string{"string", "float", "int", "bool"}

// ArrowType returns the Arrow data type used for t.
func (t Type) ArrowType() arrow.DataType {
	switch t {
	case Float:
		return arrow.PrimitiveTypes.Float64
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	default:
		return arrow.BinaryTypes.String
	}
}

// Column is a column under construction: a name, a type and values with a
// validity mask. Exactly one of the value slices matching Type is used; Valid
// has one entry per row (false means null).
type Column struct {
	Name    string
	Type    Type
	Strings []string
	Floats  []float64
	Ints    []int64
	Bools   []bool
	Valid   []bool
}

// Len is the number of rows in c.
func (c *Column) Len() int { return len(c.Valid) }

// Number returns row i's value as a float64 when c is a float or int
// column and the value is not null; false otherwise, and for a nil c (no
// such column).
func (c *Column) Number(i int) (float64, bool) {
	if c == nil || !c.Valid[i] {
		return 0, false
	}
	switch c.Type {
	case Float:
		return c.Floats[i], true
	case Int:
		return float64(c.Ints[i]), true
	}
	return 0, false
}

// AppendString appends a string value (valid) or a null.
func (c *Column) AppendString(v string, valid bool) {
	c.Strings = append(c.Strings, v)
	c.Valid = append(c.Valid, valid)
}

// AppendFloat appends a float value (valid) or a null.
func (c *Column) AppendFloat(v float64, valid bool) {
	c.Floats = append(c.Floats, v)
	c.Valid = append(c.Valid, valid)
}

// AppendInt appends an integer value (valid) or a null.
func (c *Column) AppendInt(v int64, valid bool) {
	c.Ints = append(c.Ints, v)
	c.Valid = append(c.Valid, valid)
}

// AppendBool appends a boolean value (valid) or a null.
func (c *Column) AppendBool(v bool, valid bool) {
	c.Bools = append(c.Bools, v)
	c.Valid = append(c.Valid, valid)
}

// NewString returns a valid-everywhere string column.
func NewString(name string, vals []string) *Column {
	c := &Column{Name: name, Type: String, Strings: vals, Valid: make([]bool, len(vals))}
	for i := range c.Valid {
		c.Valid[i] = true
	}
	return c
}

// Build assembles columns into a record with the given schema metadata (may be
// nil). It panics if the columns differ in length (a programmer error) and
// returns an error if two columns share a name.
func Build(meta map[string]string, cols ...*Column) (arrow.RecordBatch, error) {
	seen := map[string]bool{}
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := -1
	for i, c := range cols {
		if seen[c.Name] {
			for _, a := range arrs[:i] {
				a.Release()
			}
			return nil, fmt.Errorf("table: duplicate column %q", c.Name)
		}
		seen[c.Name] = true
		if n >= 0 && c.Len() != n {
			panic(fmt.Sprintf("table: column %q has %d rows, want %d", c.Name, c.Len(), n))
		}
		n = c.Len()
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: true}
		arrs[i] = c.array()
	}
	if n < 0 {
		n = 0
	}
	var md *arrow.Metadata
	if len(meta) > 0 {
		keys := make([]string, 0, len(meta))
		for k := range meta {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		vals := make([]string, len(keys))
		for i, k := range keys {
			vals[i] = meta[k]
		}
		m := arrow.NewMetadata(keys, vals)
		md = &m
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, md), arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec, nil
}

func (c *Column) array() arrow.Array {
	mem := memory.DefaultAllocator
	switch c.Type {
	case Float:
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		b.AppendValues(c.Floats, c.Valid)
		return b.NewArray()
	case Int:
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(c.Ints, c.Valid)
		return b.NewArray()
	case Bool:
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		b.AppendValues(c.Bools, c.Valid)
		return b.NewArray()
	default:
		b := array.NewStringBuilder(mem)
		defer b.Release()
		// The value buffer sized once, not grown by doubling.
		size := 0
		for _, s := range c.Strings {
			size += len(s)
		}
		b.Reserve(len(c.Strings))
		b.ReserveData(size)
		b.AppendValues(c.Strings, c.Valid)
		return b.NewArray()
	}
}

// ColumnError reports a missing or mistyped column.
type ColumnError struct {
	Column    string
	Want      string   // wanted type, empty when the column is missing
	Got       string   // actual type
	Available []string // column names present, when missing
}

func (e *ColumnError) Error() string {
	if e.Want != "" {
		return fmt.Sprintf("column %q is %s, want %s", e.Column, e.Got, e.Want)
	}
	return fmt.Sprintf("no column %q (have %s)", e.Column, strings.Join(e.Available, ", "))
}

// Lookup returns the array named name.
func Lookup(rec arrow.RecordBatch, name string) (arrow.Array, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		names := make([]string, 0, rec.NumCols())
		for _, f := range rec.Schema().Fields() {
			names = append(names, f.Name)
		}
		return nil, &ColumnError{Column: name, Available: names}
	}
	return rec.Column(idx[0]), nil
}

// Has reports whether rec has a column named name.
func Has(rec arrow.RecordBatch, name string) bool {
	return len(rec.Schema().FieldIndices(name)) > 0
}

// Strings returns the values of a string column and its validity (nulls are "").
func Strings(rec arrow.RecordBatch, name string) ([]string, []bool, error) {
	a, err := Lookup(rec, name)
	if err != nil {
		return nil, nil, err
	}
	s, ok := a.(*array.String)
	if !ok {
		return nil, nil, &ColumnError{Column: name, Want: "string", Got: a.DataType().String()}
	}
	vals := make([]string, s.Len())
	valid := make([]bool, s.Len())
	for i := range vals {
		if s.IsValid(i) {
			vals[i] = s.Value(i)
			valid[i] = true
		}
	}
	return vals, valid, nil
}

// Floats returns a numeric column as float64 values and its validity (nulls
// are 0). Int64 columns are converted.
func Floats(rec arrow.RecordBatch, name string) ([]float64, []bool, error) {
	a, err := Lookup(rec, name)
	if err != nil {
		return nil, nil, err
	}
	n := a.Len()
	vals := make([]float64, n)
	valid := make([]bool, n)
	switch c := a.(type) {
	case *array.Float64:
		for i := 0; i < n; i++ {
			if c.IsValid(i) {
				vals[i], valid[i] = c.Value(i), true
			}
		}
	case *array.Int64:
		for i := 0; i < n; i++ {
			if c.IsValid(i) {
				vals[i], valid[i] = float64(c.Value(i)), true
			}
		}
	default:
		return nil, nil, &ColumnError{Column: name, Want: "float or int", Got: a.DataType().String()}
	}
	return vals, valid, nil
}

// Value returns the value at row i of column a as a Go value: string,
// float64, int64, bool, or nil for null.
func Value(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch c := a.(type) {
	case *array.String:
		return c.Value(i)
	case *array.Float64:
		return c.Value(i)
	case *array.Int64:
		return c.Value(i)
	case *array.Boolean:
		return c.Value(i)
	}
	return a.ValueStr(i)
}

// Row returns row i of rec as a map from column name to Value.
func Row(rec arrow.RecordBatch, i int) map[string]any {
	m := make(map[string]any, rec.NumCols())
	for j, f := range rec.Schema().Fields() {
		m[f.Name] = Value(rec.Column(j), i)
	}
	return m
}

// TypeOf returns the logical type of an Arrow data type, and false for types
// groundwork does not use.
func TypeOf(dt arrow.DataType) (Type, bool) {
	switch dt.ID() {
	case arrow.STRING:
		return String, true
	case arrow.FLOAT64:
		return Float, true
	case arrow.INT64:
		return Int, true
	case arrow.BOOL:
		return Bool, true
	}
	return 0, false
}
