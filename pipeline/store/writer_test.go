package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestWriterStreamsRecords writes three records through a Writer and reads
// the file back with pqarrow (independent) and with ScanParquet, which must
// give one record per row group.
func TestWriterStreamsRecords(t *testing.T) {
	ctx := context.Background()
	part := func(from, n int) arrow.RecordBatch {
		c := &table.Column{Name: "i", Type: table.Int}
		s := &table.Column{Name: "s", Type: table.String}
		for i := from; i < from+n; i++ {
			c.AppendInt(int64(i), i%5 != 0)
			s.AppendString(string(rune('a'+i%26)), true)
		}
		rec, err := table.Build(map[string]string{"k": "v"}, c, s)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	parts := []arrow.RecordBatch{part(0, 10), part(10, rowGroupRows+3), part(rowGroupRows+13, 0), part(rowGroupRows+13, 7)}
	var want [][]any
	for _, p := range parts {
		want = append(want, rows(p)...)
	}
	path := filepath.Join(t.TempDir(), "streamed.parquet")
	if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(path, parts[0].Schema())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if err := w.Write(ctx, p); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != "previous" {
			t.Fatal("the file changed before Close")
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readPqarrow(t, path)
	defer got.Release()
	if diff := cmp.Diff(want, rows(got)); diff != "" {
		t.Errorf("pqarrow reads (-want +got):\n%.2000s", diff)
	}

	var sizes []int
	var scanned [][]any
	if err := ScanParquet(ctx, path, func(rec arrow.RecordBatch) error {
		sizes = append(sizes, int(rec.NumRows()))
		if v, _ := rec.Schema().Metadata().GetValue("k"); v != "v" {
			t.Errorf("metadata k = %q", v)
		}
		scanned = append(scanned, rows(rec)...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, scanned); diff != "" {
		t.Errorf("ScanParquet reads (-want +got):\n%.2000s", diff)
	}
	if wantSizes := []int{10, rowGroupRows, 3, 7}; !cmp.Equal(sizes, wantSizes) {
		t.Errorf("row groups %v, want %v", sizes, wantSizes)
	}
}

func TestWriterAbortAndEmpty(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	rec := sample(t)
	defer rec.Release()

	path := filepath.Join(dir, "aborted.parquet")
	w, err := NewWriter(path, rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(ctx, rec); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("abort left %d file(s)", len(ents))
	}
	if err := w.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}

	// An empty file still tells ScanParquet its columns.
	path = filepath.Join(dir, "empty.parquet")
	w, err = NewWriter(path, rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	calls := 0
	if err := ScanParquet(ctx, path, func(got arrow.RecordBatch) error {
		calls++
		if got.NumRows() != 0 || !cmp.Equal(names(got.Schema()), names(rec.Schema())) {
			t.Errorf("empty file scanned as %d rows, columns %v", got.NumRows(), names(got.Schema()))
		}
		return nil
	}); err != nil || calls != 1 {
		t.Errorf("ScanParquet on an empty file: %d call(s), %v", calls, err)
	}
}

// BenchmarkScanParquet reads a 262,144-row file of a string, a float and
// an int column (made-up values) a row group at a time.
func BenchmarkScanParquet(b *testing.B) {
	const n = 4 * rowGroupRows
	id := &table.Column{Name: "id", Type: table.String}
	x := &table.Column{Name: "x", Type: table.Float}
	k := &table.Column{Name: "k", Type: table.Int}
	for i := range n {
		id.AppendString(fmt.Sprintf("person-%07d", i), true)
		x.AppendFloat(float64(i)/7, i%9 != 0)
		k.AppendInt(int64(i%100), true)
	}
	rec, err := table.Build(nil, id, x, k)
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	path := filepath.Join(b.TempDir(), "scan.parquet")
	if err := WriteParquet(context.Background(), path, rec); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rows := 0
		if err := ScanParquet(context.Background(), path, func(r arrow.RecordBatch) error { rows += int(r.NumRows()); return nil }); err != nil {
			b.Fatal(err)
		}
		if rows != n {
			b.Fatalf("%d rows, want %d", rows, n)
		}
	}
}

// TestColumnsInParallelSameBytes checks that encoding a row group's columns
// on several goroutines (writeColumns) gives the bytes of encoding them one
// after the other (GOMAXPROCS 1), on a made-up places-like record of three
// row groups and a half.
func TestColumnsInParallelSameBytes(t *testing.T) {
	rec := placesLike(t, 3*rowGroupRows+rowGroupRows/2)
	defer rec.Release()
	encodeWith := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var buf bytes.Buffer
		if err := encode(context.Background(), &buf, rec); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	want := encodeWith(1)
	for _, procs := range []int{2, 4} {
		if got := encodeWith(procs); !bytes.Equal(got, want) {
			t.Errorf("GOMAXPROCS %d: %d bytes that differ from the serial encoding's %d", procs, len(got), len(want))
		}
	}
}

// TestRowGroupsMatchOneByOne checks that the page writer's row groups
// encoded with no barrier between them (writeRowGroups: one queue of
// column chunks, largest first, written as each row group is done) give
// the bytes of encoding and writing them one at a time (writeRowGroup),
// on records and table columns of several row groups, the first choosing
// the encodings and the later ones not, on 2 and 4 goroutines.
func TestRowGroupsMatchOneByOne(t *testing.T) {
	places := withoutBools(t, placesLike(t, 3*rowGroupRows+rowGroupRows/2))
	big := withoutBools(t, varied(t, 2*rowGroupRows+123, 9, 1))
	edge := edges(t, 2*rowGroupRows+5)
	floats := repeatingFloats(t, 3*rowGroupRows+77, 12)
	for _, r := range []arrow.RecordBatch{places, big, edge, floats} {
		defer r.Release()
	}
	cases := []struct {
		name   string
		chunks []*chunk
	}{
		{"places-like", []*chunk{{rec: places}}},
		{"varied", []*chunk{{rec: big}}},
		{"nulls at row group edges", []*chunk{{rec: edge}}},
		{"repeating floats", []*chunk{{rec: floats}}},
		{"several records", []*chunk{{rec: big.NewSlice(0, 10)}, {rec: big.NewSlice(10, 2*rowGroupRows+50)}, {rec: big.NewSlice(5, rowGroupRows+7)}}},
		{"columns", []*chunk{{cols: recordColumns(edge)}, {cols: recordColumns(edge)}}},
	}
	write := func(t *testing.T, s *arrow.Schema, chunks []*chunk, oneByOne bool) []byte {
		var buf bytes.Buffer
		e, err := newEncoder(&buf, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.start(chunks[0]); err != nil {
			t.Fatal(err)
		}
		if e.pages == nil {
			t.Fatal("not the page writer's schema")
		}
		for _, c := range chunks {
			if !oneByOne {
				if err := e.writeChunk(context.Background(), c); err != nil {
					t.Fatal(err)
				}
				continue
			}
			for start := 0; start < c.len(); start += rowGroupRows {
				if err := e.pages.writeRowGroup(c, start, min(c.len(), start+rowGroupRows)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := e.close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s *arrow.Schema
			if c := tc.chunks[0]; c.rec != nil {
				s = c.rec.Schema()
			} else {
				var err error
				if s, err = ColumnsSchema(nil, c.cols); err != nil {
					t.Fatal(err)
				}
			}
			want := write(t, s, tc.chunks, true)
			for _, procs := range []int{2, 4} {
				prev := runtime.GOMAXPROCS(procs)
				got := write(t, s, tc.chunks, false)
				runtime.GOMAXPROCS(prev)
				if !bytes.Equal(got, want) {
					t.Errorf("GOMAXPROCS %d: %d bytes that differ from one row group at a time's %d", procs, len(got), len(want))
				}
			}
		})
	}
}
