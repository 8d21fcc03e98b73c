package pipeline

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// rows is a small row-oriented table used between the join, summary and
// segment stages, where records are looked at one at a time. Values are
// string, float64, int64, bool or nil (null).
type rows struct {
	cols  []string
	types map[string]table.Type
	data  []map[string]any
}

func newRows() *rows { return &rows{types: map[string]table.Type{}} }

// addCol declares a column (once; later declarations are ignored).
func (r *rows) addCol(name string, t table.Type) {
	if _, ok := r.types[name]; ok {
		return
	}
	r.cols = append(r.cols, name)
	r.types[name] = t
}

// fromRecord converts an Arrow record to rows.
func fromRecord(rec arrow.RecordBatch) *rows {
	r := newRows()
	for _, f := range rec.Schema().Fields() {
		t, _ := table.TypeOf(f.Type)
		r.addCol(f.Name, t)
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		r.data = append(r.data, table.Row(rec, i))
	}
	return r
}

// record converts rows to an Arrow record with the columns in declaration
// order. Values of the wrong type are written as null.
func (r *rows) record(meta map[string]string) (arrow.RecordBatch, error) {
	cols := make([]*table.Column, len(r.cols))
	for j, name := range r.cols {
		c := &table.Column{Name: name, Type: r.types[name]}
		for _, row := range r.data {
			v := row[name]
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
		cols[j] = c
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
