package source

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// ReadParquet reads a flat Parquet file (string, double, int64 and boolean
// columns, as pipeline/store reads them) as a source, with the column types
// of the file's schema. With no Columns in spec every column is read as it
// is; otherwise the declared columns, in order, renamed from Header, each of
// which must exist and have the declared type (an int64 column may be
// declared float and is widened). Digits, Null (for string columns) and Key
// apply as for CSV. Every problem is a *ParseError naming the file, the row
// (1-based, in Line) and the column, up to 20, joined with errors.Join.
func ReadParquet(ctx context.Context, path string, spec Points) (arrow.RecordBatch, error) {
	rec, err := store.ReadParquet(ctx, path)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	defer rec.Release()
	s := rec.Schema()
	var have []string
	for _, f := range s.Fields() {
		have = append(have, f.Name)
	}
	cols := spec.Columns
	if len(cols) == 0 {
		for _, f := range s.Fields() {
			t, _ := table.TypeOf(f.Type)
			cols = append(cols, Column{Name: f.Name, Type: t})
		}
	}
	nulls := map[string]bool{"": true}
	for _, n := range spec.Null {
		nulls[n] = true
	}
	var errs []error
	out := make([]*table.Column, 0, len(cols))
	for _, c := range cols {
		h := headerOf(c)
		idx := s.FieldIndices(h)
		if len(idx) == 0 {
			errs = append(errs, &ParseError{File: path, Column: h, Err: fmt.Errorf("no such column in the file%s", didYouMean(h, have))})
			continue
		}
		a := rec.Column(idx[0])
		ft, _ := table.TypeOf(a.DataType())
		if ft != c.Type && !(ft == table.Int && c.Type == table.Float) {
			errs = append(errs, &ParseError{File: path, Column: h, Err: fmt.Errorf("the file's schema has %s, declared %s; declare it as %s", ft, c.Type, ft)})
			continue
		}
		col := &table.Column{Name: c.Name, Type: c.Type}
		keys := map[string]int{}
		checked, soft := spec.checked()
		for i := 0; i < int(rec.NumRows()); i++ {
			if i%65536 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			v := table.Value(a, i)
			if v == nil {
				appendCell(col, c, "", true)
				continue
			}
			switch x := v.(type) {
			case string:
				if err := appendCell(col, c, x, nulls[x]); err != nil {
					errs = append(errs, &ParseError{File: path, Line: i + 1, Column: h, Err: fmt.Errorf("row %d: %w", i+1, err)})
				}
			case float64:
				col.AppendFloat(x, true)
			case int64:
				if c.Type == table.Float {
					col.AppendFloat(float64(x), true)
				} else {
					col.AppendInt(x, true)
				}
			case bool:
				col.AppendBool(x, true)
			}
			if c.Name == checked {
				k := fmt.Sprint(v)
				if iv, ok := v.(int64); ok {
					k = strconv.FormatInt(iv, 10)
				}
				if first, dup := keys[k]; dup && soft {
					spec.repeated(path, fmt.Sprintf("row %d", i+1), fmt.Sprintf("row %d", first), k)
				} else if dup {
					errs = append(errs, &ParseError{File: path, Line: i + 1, Column: c.Name, Err: fmt.Errorf("row %d: duplicate key %q (first in row %d); keys must be unique", i+1, k, first)})
				} else {
					keys[k] = i + 1
				}
			}
			if len(errs) >= maxErrors {
				return nil, errors.Join(errs...)
			}
		}
		out = append(out, col)
	}
	if spec.Key != "" && findColumn(cols, spec.Key) == "" {
		errs = append(errs, &ParseError{File: path, Column: spec.Key, Err: errors.New("key column is not among the columns")})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return table.Build(map[string]string{"groundwork:file": path}, out...)
}
