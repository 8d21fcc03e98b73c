package store

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

func sample(t testing.TB) arrow.RecordBatch {
	t.Helper()
	rec, err := table.Build(map[string]string{"groundwork:source": "test"},
		&table.Column{Name: "geoid", Type: table.String, Strings: []string{"06001400100", "", "06001990000"}, Valid: []bool{true, false, true}},
		&table.Column{Name: "B19013_001E", Type: table.Float, Floats: []float64{200893, 0, math.Inf(1)}, Valid: []bool{true, false, true}},
		&table.Column{Name: "enroll", Type: table.Int, Ints: []int64{1278, -5, 0}, Valid: []bool{true, true, false}},
		&table.Column{Name: "charter", Type: table.Bool, Bools: []bool{true, false, false}, Valid: []bool{true, true, false}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// rows renders a record as comparable rows ("<nil>" for nulls).
func rows(rec arrow.RecordBatch) [][]any {
	var out [][]any
	for i := 0; i < int(rec.NumRows()); i++ {
		var r []any
		for j := 0; j < int(rec.NumCols()); j++ {
			r = append(r, table.Value(rec.Column(j), i))
		}
		out = append(out, r)
	}
	return out
}

func names(s *arrow.Schema) []string {
	var n []string
	for _, f := range s.Fields() {
		n = append(n, f.Name)
	}
	return n
}

// TestPqarrowReadsOurFiles checks our writer against Arrow's own Parquet
// reader, an independent implementation.
func TestPqarrowReadsOurFiles(t *testing.T) {
	rec := sample(t)
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "x.parquet")
	if err := WriteParquet(context.Background(), path, rec); err != nil {
		t.Fatal(err)
	}
	got := readPqarrow(t, path)
	defer got.Release()
	if diff := cmp.Diff(names(rec.Schema()), names(got.Schema())); diff != "" {
		t.Errorf("column order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(rows(rec), rows(got)); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	for i, f := range got.Schema().Fields() {
		if want := rec.Schema().Field(i).Type; !arrow.TypeEqual(f.Type, want) {
			t.Errorf("column %q: pqarrow type %s, want %s", f.Name, f.Type, want)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if v := pr.MetaData().KeyValueMetadata().FindValue("groundwork:source"); v == nil || *v != "test" {
		t.Errorf("key/value metadata groundwork:source = %v; want \"test\"", v)
	}
}

func readPqarrow(t testing.TB, path string) arrow.RecordBatch {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	tr := array.NewTableReader(tbl, tbl.NumRows()+1)
	defer tr.Release()
	if !tr.Next() {
		// empty table: build an empty record with its schema
		return array.NewRecordBatch(tbl.Schema(), nil, 0)
	}
	rec := tr.RecordBatch()
	rec.Retain()
	return rec
}

func TestRoundTrip(t *testing.T) {
	rec := sample(t)
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "x.parquet")
	ctx := context.Background()
	if err := WriteParquet(ctx, path, rec); err != nil {
		t.Fatal(err)
	}
	got, err := ReadParquet(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	if diff := cmp.Diff(rows(rec), rows(got)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestManyRowGroups(t *testing.T) {
	n := rowGroupRows*2 + 17
	c := &table.Column{Name: "i", Type: table.Int}
	for i := 0; i < n; i++ {
		c.AppendInt(int64(i), i%7 != 0)
	}
	rec, err := table.Build(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "big.parquet")
	if err := WriteParquet(context.Background(), path, rec); err != nil {
		t.Fatal(err)
	}
	got := readPqarrow(t, path)
	defer got.Release()
	if diff := cmp.Diff(rows(rec), rows(got)); diff != "" {
		t.Errorf("values differ after %d rows (-want +got):\n%.2000s", n, diff)
	}
}

func TestWriteAtomicKeepsOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "previous" {
		t.Errorf("file = %q, want the previous content", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("folder has %d entries, want only the original file (no temporary left)", len(ents))
	}
}

func TestReadParquetNotParquet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.parquet")
	os.WriteFile(path, []byte("not parquet at all"), 0o644)
	_, err := ReadParquet(context.Background(), path)
	if err == nil {
		t.Fatal("no error for a non-Parquet file")
	}
}

// FuzzRoundTrip writes arbitrary strings and floats and reads them back with
// both readers.
func FuzzRoundTrip(f *testing.F) {
	f.Add("06001400100", 1.5, int64(3), true)
	f.Add("", math.NaN(), int64(-1), false)
	f.Add("ünïcødé\x00,\n", -0.0, int64(math.MaxInt64), true)
	f.Fuzz(func(t *testing.T, s string, x float64, i int64, null bool) {
		rec, err := table.Build(nil,
			&table.Column{Name: "s", Type: table.String, Strings: []string{s, s}, Valid: []bool{true, !null}},
			&table.Column{Name: "x", Type: table.Float, Floats: []float64{x, x}, Valid: []bool{!null, true}},
			&table.Column{Name: "i", Type: table.Int, Ints: []int64{i, i}, Valid: []bool{true, !null}},
		)
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		path := filepath.Join(t.TempDir(), "f.parquet")
		if err := WriteParquet(context.Background(), path, rec); err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string]arrow.RecordBatch{"pqarrow": readPqarrow(t, path), "store": mustRead(t, path)} {
			if diff := cmp.Diff(rows(rec), rows(got), cmp.Comparer(sameFloat)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
			got.Release()
		}
	})
}

func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

func mustRead(t testing.TB, path string) arrow.RecordBatch {
	rec, err := ReadParquet(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}
