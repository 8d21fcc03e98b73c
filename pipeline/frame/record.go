package frame

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// FromRecord copies an Arrow record into rows, column by column. String
// values share the record's buffers (Go-allocated, kept alive by the
// strings), so the record may be released afterwards. Columns of a type
// groundwork does not use become strings.
func FromRecord(rec arrow.RecordBatch) *Table {
	r := New()
	n := int(rec.NumRows())
	r.n = n
	for j, f := range rec.Schema().Fields() {
		t, _ := table.TypeOf(f.Type)
		r.AddCol(f.Name, t) // n nulls
		c := r.vecs[f.Name]
		switch a := rec.Column(j).(type) {
		case *array.Float64:
			// Typed loops, not one generic over an interface: the
			// accessors inline.
			vals := a.Float64Values()
			if a.NullN() == 0 {
				copy(c.Floats, vals)
				fillTrue(c.Valid)
				break
			}
			for i := range n {
				if a.IsValid(i) {
					c.Floats[i], c.Valid[i] = vals[i], true
				}
			}
		case *array.Int64:
			vals := a.Int64Values()
			if a.NullN() == 0 {
				copy(c.Ints, vals)
				fillTrue(c.Valid)
				break
			}
			for i := range n {
				if a.IsValid(i) {
					c.Ints[i], c.Valid[i] = vals[i], true
				}
			}
		case *array.Boolean:
			for i := range n {
				if a.IsValid(i) {
					c.Bools[i], c.Valid[i] = a.Value(i), true
				}
			}
		case *array.String:
			if a.NullN() == 0 {
				for i := range n {
					c.Strings[i] = a.Value(i)
				}
				fillTrue(c.Valid)
				break
			}
			for i := range n {
				if a.IsValid(i) {
					c.Strings[i], c.Valid[i] = a.Value(i), true
				}
			}
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

// FromColumns returns the table of columns cols, which it keeps (the
// caller must not change them afterwards): what FromRecord gives for the
// record table.Build makes of them. The columns must have the same length
// and distinct names.
func FromColumns(cols []*table.Column) (*Table, error) {
	r := New()
	for i, c := range cols {
		if i == 0 {
			r.n = c.Len()
		}
		if _, ok := r.types[c.Name]; ok {
			return nil, fmt.Errorf("duplicate column %q", c.Name)
		}
		if err := r.PutCol(c); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// fillTrue sets every element of v.
func fillTrue(v []bool) {
	for i := range v {
		v[i] = true
	}
}

// Recycle hands the columns of r back for reuse (table.Recycle) and
// leaves r without records; its column names and types stay. The caller
// promises that no reader of r, or of a table sharing its columns
// (Project, Stream), reads them afterwards.
func (r *Table) Recycle() {
	for _, name := range r.cols {
		table.Recycle(r.vecs[name])
	}
	r.vecs, r.n = map[string]*table.Column{}, 0
}
