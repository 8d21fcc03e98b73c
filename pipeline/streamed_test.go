package pipeline

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/store"
)

// TestStreamedPlacesMatchInMemory runs the demo with the streamed schools
// source (api2000: a csv source that only a places set reads) cut into chunks
// of 10 records, so the 75 schools cross eight row groups, and checks that
// every output file is byte for byte what the default chunk gives, and that
// the placed schools were left in their Parquet file, not in memory.
func TestStreamedPlacesMatchInMemory(t *testing.T) {
	dir := demoDir(t)
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.StreamedSource("api2000") || cfg.StreamedSource("directory") || cfg.StreamedSource("acs") {
		t.Fatal("want api2000 streamed, and directory (a locate directory) and acs (census) in memory")
	}
	// A copy of the schools segment with a limit, so that the top-k path
	// (trimmed at the end of each chunk) is compared too.
	top := *cfg.Segments[0]
	top.Name, top.Limit = top.Name+"_top5", 5
	cfg.Segments = append(cfg.Segments, &top)
	out1 := filepath.Join(t.TempDir(), "out")
	res, err := Run(context.Background(), cfg, Options{OutDir: out1, NoCache: true, Partitioned: true})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.state.places["schools"]; p == nil || !p.Streamed() || p.Len() != 51 {
		t.Errorf("places schools: %+v, want 51 streamed records", p)
	}
	for _, s := range res.Stages {
		if want, ok := map[string]int{"source:api2000": 75, "places:schools": 51}[s.Name]; ok && s.RowsOut != want {
			t.Errorf("stage %s: %d rows out, want %d", s.Name, s.RowsOut, want)
		}
		if s.Name == "boundary:tract" && s.RowsOut != len(res.state.layers["tract"].Features) {
			t.Errorf("boundary:tract: %d rows out, the layer has %d features", s.RowsOut, len(res.state.layers["tract"].Features))
		}
	}
	defer func(n int) { streamChunk = n }(streamChunk)
	streamChunk = 10
	out2 := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), cfg, Options{OutDir: out2, NoCache: true, Partitioned: true}); err != nil {
		t.Fatal(err)
	}
	a, b := snapshot(t, out1), snapshot(t, out2)
	// The limited segment is the unlimited one's first five rows.
	all := bytes.SplitAfter(b["segments/"+cfg.Segments[0].Name+".csv"], []byte("\n"))
	if got, want := b["segments/"+top.Name+".csv"], bytes.Join(all[:min(6, len(all))], nil); len(all) < 7 || !bytes.Equal(got, want) {
		t.Errorf("segment %s with chunks of 10:\n%s\nwant the first five rows of %s:\n%s", top.Name, got, cfg.Segments[0].Name, want)
	}
	for name, want := range a {
		if name == "raw/api2000.parquet" || name == "places/schools.parquet" {
			continue // row groups differ; compared by value below
		}
		if !bytes.Equal(want, b[name]) {
			t.Errorf("%s differs with chunks of 10", name)
		}
	}
	if len(a) != len(b) {
		t.Errorf("%d files, with chunks of 10 %d", len(a), len(b))
	}
	for _, f := range []string{"raw/api2000.parquet", "places/schools.parquet"} {
		r1, err := store.ReadParquet(context.Background(), filepath.Join(out1, f))
		if err != nil {
			t.Fatal(err)
		}
		r2, err := store.ReadParquet(context.Background(), filepath.Join(out2, f))
		if err != nil {
			t.Fatal(err)
		}
		x, y := frame.FromRecord(r1), frame.FromRecord(r2)
		r1.Release()
		r2.Release()
		if x.Len() != y.Len() || !reflect.DeepEqual(x.Cols(), y.Cols()) {
			t.Fatalf("%s: %d rows %v, with chunks of 10 %d rows %v", f, x.Len(), x.Cols(), y.Len(), y.Cols())
		}
		for i := range x.Len() {
			if !reflect.DeepEqual(x.Row(i), y.Row(i)) {
				t.Errorf("%s row %d: %v, with chunks of 10 %v", f, i, x.Row(i), y.Row(i))
				break
			}
		}
	}
	// The streamed set was partitioned through one temporary file per
	// state; partitioning it from memory gives the same files.
	rec, err := store.ReadParquet(context.Background(), filepath.Join(out1, "places", "schools.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	mem := frame.FromRecord(rec)
	rec.Release()
	st := res.state
	st.out, st.files = t.TempDir(), nil
	st.places = map[string]*frame.Table{"schools": mem}
	if err := st.partitionPlaces(context.Background()); err != nil {
		t.Fatal(err)
	}
	direct := snapshot(t, filepath.Join(st.out, "partitioned", "places", "schools"))
	streamed := snapshot(t, filepath.Join(out1, "partitioned", "places", "schools"))
	if len(direct) == 0 || len(direct) != len(streamed) {
		t.Errorf("%d partition files from memory, %d streamed", len(direct), len(streamed))
	}
	for name, want := range direct {
		if !bytes.Equal(want, streamed[name]) {
			t.Errorf("partition %s differs between memory and streamed", name)
		}
	}

	var groups int
	if err := store.ScanParquet(context.Background(), filepath.Join(out2, "raw", "api2000.parquet"), func(arrow.RecordBatch) error { groups++; return nil }); err != nil || groups != 8 {
		t.Errorf("raw/api2000.parquet with chunks of 10: %d row groups (%v), want 8", groups, err)
	}
}
