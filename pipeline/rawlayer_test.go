package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/censusread"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestRawLayerReadByPqarrow reads every raw/<source>.parquet of the demo run
// with Arrow's own Parquet reader (pqarrow, an implementation independent of
// parquet-go, which wrote them) and compares it, column by column and value
// by value, with the typed table the source was read into.
func TestRawLayerReadByPqarrow(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range cfg.Sources {
		var want arrow.RecordBatch
		if s.Kind == "csv" {
			want, err = source.ReadCSV(context.Background(), cfg.Path(s.File), s.CSVSpec())
		} else {
			var tbl *census.Table
			if tbl, err = censusread.ReadRecorded(cfg.Path(s.Recorded), s, censusread.ACSYear(s)); err == nil {
				want, err = tbl.Record()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		defer want.Release()
		got := readWithPqarrow(t, filepath.Join(out, "raw", name+".parquet"))
		if diff := cmp.Diff(dump(want), dump(got)); diff != "" {
			t.Errorf("raw/%s.parquet read by pqarrow differs from the input (-input +file):\n%.2000s", name, diff)
		}
		got.Release()
	}
}

func readWithPqarrow(t *testing.T, path string) arrow.RecordBatch {
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
		t.Fatalf("%s is empty", path)
	}
	rec := tr.RecordBatch()
	rec.Retain()
	return rec
}

// dump renders a record as column name and type, then its values.
func dump(rec arrow.RecordBatch) map[string][]any {
	m := map[string][]any{}
	for j, f := range rec.Schema().Fields() {
		col := []any{f.Type.String()}
		for i := 0; i < int(rec.NumRows()); i++ {
			col = append(col, table.Value(rec.Column(j), i))
		}
		m[f.Name] = col
	}
	return m
}
