package geoparquet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// rowWrite is the former Writer.Write, kept as the baseline of the
// differential tests and benchmarks: it assembles a parquet.Row per row
// (a parquet.Value per cell, converted from the table's any values) and
// hands parquet-go 1,024 rows at a time.
func rowWrite(ctx context.Context, gw *Writer, t *Table) error {
	gi, bx, ci := gw.gi, gw.bx, gw.ci
	batch := min(len(t.Geoms), writeBatch)
	rows := make([]pq.Row, 0, batch)
	vals := make([]pq.Value, batch*gw.ncol)
	for r, g := range t.Geoms {
		if r%writeBatch == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(rows) > 0 {
				if _, err := gw.pw.WriteRows(rows); err != nil {
					return fmt.Errorf("write rows: %w", err)
				}
				rows = rows[:0]
			}
		}
		k := len(rows) * gw.ncol
		row := pq.Row(vals[k : k+gw.ncol : k+gw.ncol])
		if g == nil {
			row[gi] = pq.NullValue().Level(0, 0, gi)
			for _, k := range bx {
				row[k] = pq.NullValue().Level(0, 0, k)
			}
		} else {
			data, err := wkb.Marshal(g)
			if err != nil {
				return fmt.Errorf("row %d: geometry: %w", r, err)
			}
			gw.types[g.GeoJSONType()] = true
			b := g.Bound()
			gw.all = gw.all.Union(b)
			row[gi] = pq.ByteArrayValue(data).Level(0, 1, gi)
			for j, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
				row[bx[j]] = pq.DoubleValue(v).Level(0, 1, bx[j])
			}
		}
		for i, c := range t.Columns {
			v, err := rowValue(c.Values[r], gw.cols[i].Kind)
			if err != nil {
				return fmt.Errorf("row %d column %q: %w", r, c.Name, err)
			}
			if v.IsNull() {
				row[ci[i]] = v.Level(0, 0, ci[i])
			} else {
				row[ci[i]] = v.Level(0, 1, ci[i])
			}
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		if _, err := gw.pw.WriteRows(rows); err != nil {
			return fmt.Errorf("write rows: %w", err)
		}
	}
	return nil
}

func rowValue(v any, kind string) (pq.Value, error) {
	if v == nil {
		return pq.NullValue(), nil
	}
	switch kind {
	case "string":
		return pq.ByteArrayValue([]byte(v.(string))), nil
	case "int64":
		switch x := v.(type) {
		case int:
			return pq.Int64Value(int64(x)), nil
		case int32:
			return pq.Int64Value(int64(x)), nil
		default:
			return pq.Int64Value(x.(int64)), nil
		}
	case "float64":
		return pq.DoubleValue(v.(float64)), nil
	case "bool":
		return pq.BooleanValue(v.(bool)), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return pq.Value{}, err
	}
	return pq.ByteArrayValue(b), nil
}

// writeIn writes the rows of tab with a Writer, given in tables of the
// sizes steps cycles through (nil: one table), by the row writer (rows) or
// the column writer.
func writeIn(t testing.TB, tab *Table, steps []int, rows bool) []byte {
	t.Helper()
	ctx := context.Background()
	cols := make([]Column, len(tab.Columns))
	for i, c := range tab.Columns {
		k := columnKind(c.Values)
		if c.Kind != "" {
			k = c.Kind
		}
		cols[i] = Column{Name: c.Name, Kind: k}
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, cols, map[string]string{"made-up": "yes"})
	if err != nil {
		t.Fatal(err)
	}
	n := len(tab.Geoms)
	if steps == nil {
		steps = []int{max(n, 1)}
	}
	for lo, s := 0, 0; lo < n || (n == 0 && s == 0); s++ {
		hi := min(n, lo+steps[s%len(steps)])
		part := slice(tab, lo, hi)
		if rows {
			err = rowWrite(ctx, w, part)
		} else {
			err = w.Write(ctx, part)
		}
		if err != nil {
			t.Fatal(err)
		}
		lo = hi
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBatchBytesAsRows is the differential test of the column writer
// against the former row writer (rowWrite): on made-up tables with every
// kind, nulls (rows, geometries) and polygons, given in one table or in
// pieces that straddle the 64-row runs, the 1,024-row batches and the row
// groups, the files are byte for byte the same.
func TestBatchBytesAsRows(t *testing.T) {
	big := bigTable(2*RowGroupRows + 1234)
	for _, tc := range []struct {
		name  string
		tab   *Table
		steps []int
	}{
		{"made-up, one table", madeUpTable(), nil},
		{"made-up, rows one by one", madeUpTable(), []int{1}},
		{"empty", &Table{Columns: []Column{{Name: "id", Kind: "string"}}}, nil},
		{"big, one table", big, nil},
		{"big, odd pieces", big, []int{1, 4, 13, 40, 121, 364, 1093, 3280, 9841, 29524}},
		{"big, row-group pieces", big, []int{RowGroupRows - 1, 65, 1023, 1025}},
		{"polygons and nulls", polygonTable(3000), []int{700, 2000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := writeIn(t, tc.tab, tc.steps, true)
			got := writeIn(t, tc.tab, tc.steps, false)
			if !bytes.Equal(got, want) {
				t.Errorf("column writer: %d bytes, row writer %d; they differ", len(got), len(want))
			}
		})
	}
}

// polygonTable is a made-up table of n rows of squares (every 7th null)
// with a string column of which every 5th is null.
func polygonTable(n int) *Table {
	t := &Table{Geoms: make([]orb.Geometry, n), Columns: []Column{{Name: "name", Values: make([]any, n)}}}
	for i := range n {
		x, y := float64(i%100)/10, float64(i/100)/10
		if i%7 != 0 {
			t.Geoms[i] = orb.Polygon{{{x, y}, {x + 0.1, y}, {x + 0.1, y + 0.1}, {x, y + 0.1}, {x, y}}}
		}
		if i%5 != 0 {
			t.Columns[0].Values[i] = fmt.Sprintf("square %d", i)
		}
	}
	return t
}

// columnsOf is the names and kinds of tab's columns (NewWriter's cols).
func columnsOf(tab *Table) []Column {
	cols := make([]Column, len(tab.Columns))
	for i, c := range tab.Columns {
		cols[i] = Column{Name: c.Name, Kind: c.Kind}
	}
	return cols
}

// pointsBatch is the Batch of tab's points (every geometry a point or nil).
func pointsBatch(t testing.TB, tab *Table) *Batch {
	n := len(tab.Geoms)
	b := &Batch{Len: n, X: make([]float64, n), Y: make([]float64, n), PointOK: make([]bool, n)}
	for i, g := range tab.Geoms {
		if p, ok := g.(orb.Point); ok {
			b.X[i], b.Y[i], b.PointOK[i] = p[0], p[1], true
		}
	}
	for _, c := range tab.Columns {
		v, err := typedValues(c.Values, c.Kind)
		if err != nil {
			t.Fatal(err)
		}
		b.Columns = append(b.Columns, v)
	}
	return b
}

// TestPointBatch checks a Batch of points (X, Y, PointOK) against the row
// writer given the same points as geometries, byte for byte, and reads the
// file back with Arrow (pqarrow): every value as written.
func TestPointBatch(t *testing.T) {
	ctx := context.Background()
	n := RowGroupRows + 3000
	tab := bigTable(n)
	tab.Columns[0].Kind = "string"
	want := writeIn(t, tab, nil, true)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, []Column{{Name: "id", Kind: "string"}, {Name: "n", Kind: "int64"}, {Name: "x", Kind: "float64"}}, map[string]string{"made-up": "yes"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBatch(ctx, pointsBatch(t, tab)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("batch of points: %d bytes, row writer %d; they differ", buf.Len(), len(want))
	}
	tbl, err := pqarrow.ReadTable(ctx, bytes.NewReader(buf.Bytes()), parquet.NewReaderProperties(memory.DefaultAllocator), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	col := func(name string) []any {
		var out []any
		for _, ch := range tbl.Column(tbl.Schema().FieldIndices(name)[0]).Data().Chunks() {
			for i := range ch.Len() {
				if ch.IsNull(i) {
					out = append(out, nil)
					continue
				}
				switch a := ch.(type) {
				case *array.String:
					out = append(out, a.Value(i))
				case *array.Int64:
					out = append(out, a.Value(i))
				case *array.Float64:
					out = append(out, a.Value(i))
				case *array.Binary:
					g, err := wkb.Unmarshal(a.Value(i))
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, g)
				}
			}
		}
		return out
	}
	geoms := col("geometry")
	if len(geoms) != n {
		t.Fatalf("arrow reads %d rows, want %d", len(geoms), n)
	}
	for i := range n {
		if g, w := geoms[i], tab.Geoms[i]; (g == nil) != (w == nil) || g != nil && !orb.Equal(g.(orb.Geometry), w) {
			t.Fatalf("row %d: geometry %v, want %v", i, g, w)
		}
	}
	for _, c := range tab.Columns {
		got := col(c.Name)
		for i := range n {
			if got[i] != c.Values[i] {
				t.Fatalf("row %d column %s: %v, want %v", i, c.Name, got[i], c.Values[i])
			}
		}
	}
}

// TestBatchErrors checks that a batch of the wrong shape is refused.
func TestBatchErrors(t *testing.T) {
	w, err := NewWriter(&bytes.Buffer{}, []Column{{Name: "id", Kind: "string"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []*Batch{
		{Len: 2, X: []float64{1, 2}, Y: []float64{1}, Columns: []Values{{Valid: []bool{true, true}, Strings: []string{"a", "b"}}}},
		{Len: 1, Geoms: []orb.Geometry{nil}, Columns: []Values{{Valid: []bool{true}}}},
		{Len: 1, Geoms: []orb.Geometry{nil}},
	} {
		if err := w.WriteBatch(context.Background(), b); err == nil {
			t.Errorf("batch %+v accepted", b)
		}
	}
	if err := w.Write(context.Background(), &Table{Geoms: []orb.Geometry{nil}, Columns: []Column{{Name: "id", Values: []any{1.5}}}}); err == nil {
		t.Error("a float in a string column accepted")
	}
}

// placesTable is a MADE-UP table shaped like places/people.parquet of the
// scale benchmark (seeded PCG): unique ids and names, a kind of 3 values,
// two ints, lon/lat points, located_by, a tract GEOID and a region.
func placesTable(n int) *Table {
	rng := rand.New(rand.NewPCG(1, 2))
	t := &Table{Geoms: make([]orb.Geometry, n)}
	names := []string{"id", "name", "kind", "score", "visits", "lat", "lon", "located_by", "tract", "region"}
	for _, c := range names {
		t.Columns = append(t.Columns, Column{Name: c, Values: make([]any, n)})
	}
	for i := range n {
		lon, lat := -84+4*rng.Float64(), 33+8*rng.Float64()
		t.Geoms[i] = orb.Point{lon, lat}
		v := []any{fmt.Sprintf("P%07d", i), fmt.Sprintf("Person %d", i), []string{"donor", "contact", "volunteer"}[rng.IntN(3)],
			int64(rng.IntN(100)), int64(rng.IntN(10)), lat, lon, "coordinates", fmt.Sprintf("39%09d", rng.IntN(3000)), fmt.Sprintf("region-%d", rng.IntN(20))}
		for c := range names {
			t.Columns[c].Values[i] = v[c]
		}
	}
	for c := range t.Columns {
		t.Columns[c].Kind = columnKind(t.Columns[c].Values)
	}
	return t
}

// BenchmarkWritePlaces writes 200,000 made-up places (placesTable) by the
// former row writer, by the column writer from the Table, and by the
// column writer from a Batch of points (the places stage's path), the
// latter also by the writer of 43cb557 (old-batch, oldWriter);
// cpu-ns/row is the process's CPU time (user + system) per row.
func BenchmarkWritePlaces(b *testing.B) {
	ctx := context.Background()
	tab := placesTable(200_000)
	batch, cols := pointsBatch(b, tab), columnsOf(tab)
	for _, bc := range []struct {
		name  string
		write func(w *Writer) error
	}{
		{"rows", func(w *Writer) error { return rowWrite(ctx, w, tab) }},
		{"table", func(w *Writer) error { return w.Write(ctx, tab) }},
		{"old-batch", nil}, // oldWriter (43cb557), the baseline
		{"batch", func(w *Writer) error { return w.WriteBatch(ctx, batch) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			cpu0 := cpuTime()
			for b.Loop() {
				var buf countWriter
				if bc.write == nil {
					w, err := newOldWriter(&buf, cols, nil)
					if err == nil {
						err = w.WriteBatch(ctx, batch)
					}
					if err == nil {
						err = w.Close()
					}
					if err != nil {
						b.Fatal(err)
					}
					size = buf.n
					continue
				}
				w, err := NewWriter(&buf, cols, nil)
				if err != nil {
					b.Fatal(err)
				}
				if err := bc.write(w); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				size = buf.n
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(len(tab.Geoms)), "cpu-ns/row")
			b.ReportMetric(float64(size), "bytes")
		})
	}
}

// countWriter counts the bytes written to it and drops them (a file's
// writes without the cost of growing a buffer).
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// cpuTime is the process's CPU time so far (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPlacesEncodings writes 200,000 made-up places (placesTable,
// the places stage's path) to a file with other encodings of the
// attribute columns than groundwork's (PLAIN, DELTA_LENGTH_BYTE_ARRAY
// strings): DELTA_BINARY_PACKED ints, dictionary pages for the columns of
// few values (kind, located_by, region), both. cpu-ns/row is the process's
// CPU (the file's write included); bytes the file's size. Measured for the
// lead: any of them changes the places files' bytes.
func BenchmarkPlacesEncodings(b *testing.B) {
	ctx := context.Background()
	tab := placesTable(200_000)
	batch, cols := pointsBatch(b, tab), columnsOf(tab)
	few := map[string]bool{"kind": true, "located_by": true, "region": true}
	path := filepath.Join(b.TempDir(), "places.parquet")
	for _, v := range []struct {
		name string
		enc  func(name, kind string) encoding.Encoding
	}{
		{"now", nil},
		{"delta-ints", func(_, kind string) encoding.Encoding {
			if kind == "int64" {
				return &pq.DeltaBinaryPacked
			}
			return nil
		}},
		{"dictionary-few", func(name, _ string) encoding.Encoding {
			if few[name] {
				return &pq.RLEDictionary
			}
			return nil
		}},
		{"both", func(name, kind string) encoding.Encoding {
			if kind == "int64" {
				return &pq.DeltaBinaryPacked
			}
			if few[name] {
				return &pq.RLEDictionary
			}
			return nil
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			defer func(e func(string, string) encoding.Encoding) { columnEncoding = e }(columnEncoding)
			columnEncoding = v.enc
			var size int64
			cpu0 := cpuTime()
			for b.Loop() {
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				w, err := NewWriter(f, cols, nil)
				if err == nil {
					err = w.WriteBatch(ctx, batch)
				}
				if err == nil {
					err = w.Close()
				}
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					b.Fatal(err)
				}
				st, _ := os.Stat(path)
				size = st.Size()
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(len(tab.Geoms)), "cpu-ns/row")
			b.ReportMetric(float64(size), "bytes")
		})
	}
}
