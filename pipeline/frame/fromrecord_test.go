package frame

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// fromRecordRef is the former FromRecord (main at 43cb557): one generic
// loop per column through an interface. TestFromRecordAsRef compares the
// typed loops with it.
func fromRecordRef(rec arrow.RecordBatch) *Table {
	r := New()
	n := int(rec.NumRows())
	r.n = n
	for j, f := range rec.Schema().Fields() {
		t, _ := table.TypeOf(f.Type)
		r.AddCol(f.Name, t)
		c := r.vecs[f.Name]
		switch a := rec.Column(j).(type) {
		case *array.Float64:
			fillFromRef(a, c.Floats, c.Valid)
		case *array.Int64:
			fillFromRef(a, c.Ints, c.Valid)
		case *array.Boolean:
			fillFromRef(a, c.Bools, c.Valid)
		case *array.String:
			fillFromRef(a, c.Strings, c.Valid)
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

func fillFromRef[T any](a interface {
	IsValid(int) bool
	Value(int) T
}, vals []T, valid []bool) {
	for i := range vals {
		if a.IsValid(i) {
			vals[i], valid[i] = a.Value(i), true
		}
	}
}

// sameTable reports how got differs from want: columns, types, length and
// every value, floats by their bits.
func sameTable(got, want *Table) string {
	if !slices.Equal(got.cols, want.cols) || got.n != want.n {
		return "columns or length differ"
	}
	for _, name := range want.cols {
		g, w := got.vecs[name], want.vecs[name]
		if got.types[name] != want.types[name] || g.Type != w.Type || !slices.Equal(g.Valid, w.Valid) ||
			!slices.Equal(g.Ints, w.Ints) || !slices.Equal(g.Bools, w.Bools) || !slices.Equal(g.Strings, w.Strings) ||
			len(g.Floats) != len(w.Floats) {
			return "column " + name + " differs"
		}
		for i := range w.Floats {
			if math.Float64bits(g.Floats[i]) != math.Float64bits(w.Floats[i]) {
				return "column " + name + " differs in a float"
			}
		}
	}
	return ""
}

// TestFromRecordAsRef compares FromRecord with the former one on MADE-UP
// records (seeded PCG) of every column type, with no nulls, some and all,
// whole and sliced (an offset into the arrays), an int32 column (the
// default branch), and on real files read as the pipeline reads them.
func TestFromRecordAsRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 21))
	mem := memory.NewGoAllocator()
	for trial := range 400 {
		n := rng.IntN(300)
		nulls := []float64{0, 0.1, 1}[trial%3]
		null := func() bool { return rng.Float64() < nulls }
		f := array.NewFloat64Builder(mem)
		in := array.NewInt64Builder(mem)
		b := array.NewBooleanBuilder(mem)
		s := array.NewStringBuilder(mem)
		i32 := array.NewInt32Builder(mem)
		for range n {
			if null() {
				f.AppendNull()
			} else {
				f.Append([]float64{rng.NormFloat64(), math.NaN(), math.Copysign(0, -1), math.Inf(1)}[rng.IntN(4)])
			}
			if null() {
				in.AppendNull()
			} else {
				in.Append(rng.Int64())
			}
			if null() {
				b.AppendNull()
			} else {
				b.Append(rng.IntN(2) == 0)
			}
			if null() {
				s.AppendNull()
			} else {
				s.Append(string(rune('a' + rng.IntN(26)))[:rng.IntN(2)])
			}
			if null() {
				i32.AppendNull()
			} else {
				i32.Append(rng.Int32())
			}
		}
		schema := arrow.NewSchema([]arrow.Field{{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
			{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true}}, nil)
		rec := array.NewRecordBatch(schema, []arrow.Array{f.NewArray(), in.NewArray(), b.NewArray(), s.NewArray(), i32.NewArray()}, int64(n))
		lo := rng.IntN(n + 1)
		hi := lo + rng.IntN(n-lo+1)
		for _, r := range []arrow.RecordBatch{rec, rec.NewSlice(int64(lo), int64(hi))} {
			if d := sameTable(FromRecord(r), fromRecordRef(r)); d != "" {
				t.Fatalf("trial %d (%d rows, nulls %.1f): %s", trial, r.NumRows(), nulls, d)
			}
		}
	}
	// Real files, typed as the pipeline types them, in chunks.
	for _, name := range []string{"../demo/oakland/api_2000_oakland.csv", "../../testdata/atlanta/atlanta_transit_stations_cnt_tod_database.csv"} {
		files, _ := filepath.Glob(name)
		if len(files) == 0 {
			t.Fatalf("%s: missing", name)
		}
		rec, err := source.ReadCSV(context.Background(), files[0], source.CSV{Null: []string{"NA"}, Columns: sniffColumns(t, files[0])})
		if err != nil {
			t.Fatal(err)
		}
		for lo := int64(0); lo < rec.NumRows(); lo += 97 {
			r := rec.NewSlice(lo, min(lo+97, rec.NumRows()))
			if d := sameTable(FromRecord(r), fromRecordRef(r)); d != "" {
				t.Fatalf("%s rows %d-: %s", name, lo, d)
			}
		}
	}
}

// sniffColumns declares every named column of the CSV file at path with
// the narrowest type all its cells (besides "" and NA) parse as.
func sniffColumns(t *testing.T, path string) []source.Column {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var cols []source.Column
	for j, h := range recs[0] {
		typ := table.Int
		for _, r := range recs[1:] {
			v := r[j]
			if v == "" || v == "NA" {
				continue
			}
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				continue
			}
			if _, err := strconv.ParseFloat(v, 64); err == nil && typ != table.String {
				typ = table.Float
				continue
			}
			typ = table.String
		}
		if h != "" {
			cols = append(cols, source.Column{Name: h, Type: typ})
		}
	}
	return cols
}
