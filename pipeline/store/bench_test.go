package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/lz4"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/uncompressed"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/groundwork-org/groundwork/internal/strarena"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// placesLike is a MADE-UP record shaped like a places file (seeded PCG):
// a unique record key, a unique address, a category of 8 values, a tract
// GEOID out of 3,000, coordinates, an integer and a flag, 1 in 50 cells null.
func placesLike(tb testing.TB, n int) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(1, 2))
	id := &table.Column{Name: "id", Type: table.String}
	addr := &table.Column{Name: "address", Type: table.String}
	cat := &table.Column{Name: "category", Type: table.String}
	tract := &table.Column{Name: "tract", Type: table.String}
	lat := &table.Column{Name: "lat", Type: table.Float}
	lon := &table.Column{Name: "lon", Type: table.Float}
	cnt := &table.Column{Name: "hours", Type: table.Int}
	flag := &table.Column{Name: "active", Type: table.Bool}
	for i := range n {
		ok := rng.IntN(50) != 0
		id.AppendString(fmt.Sprintf("P%08d", i), true)
		addr.AppendString(fmt.Sprintf("%d Street %d", rng.IntN(9999), rng.IntN(100000)), ok)
		cat.AppendString(fmt.Sprintf("category-%d", rng.IntN(8)), ok)
		tract.AppendString(fmt.Sprintf("39%09d", rng.IntN(3000)), ok)
		lat.AppendFloat(39+rng.Float64(), ok)
		lon.AppendFloat(-83+rng.Float64(), ok)
		cnt.AppendInt(int64(rng.IntN(100)), ok)
		flag.AppendBool(rng.IntN(2) == 0, ok)
	}
	rec, err := table.Build(map[string]string{"groundwork:source": "made-up"}, id, addr, cat, tract, lat, lon, cnt, flag)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// rowEncode is the previous encoder, kept as the benchmarks' baseline: it
// assembles a parquet.Row per record row (every string column dictionary
// encoded) and writes rows.
func rowEncode(w io.Writer, rec arrow.RecordBatch) error {
	schema, err := parquetSchema(rec.Schema(), nil, nil)
	if err != nil {
		return err
	}
	pw := parquet.NewWriter(w, schema, parquet.Compression(&parquet.Zstd))
	n, cols := int(rec.NumRows()), int(rec.NumCols())
	rows := make([]parquet.Row, min(n, rowGroupRows))
	backing := make([]parquet.Value, len(rows)*cols)
	for k := range rows {
		rows[k] = backing[k*cols : (k+1)*cols : (k+1)*cols]
	}
	for start := 0; start < n; start += rowGroupRows {
		end := min(n, start+rowGroupRows)
		for i := start; i < end; i++ {
			for j := range cols {
				a := rec.Column(j)
				d := 1
				if a.IsNull(i) {
					d = 0
				}
				var v parquet.Value
				switch c := a.(type) {
				case *array.String:
					v = parquet.ByteArrayValue([]byte(c.Value(i)))
				case *array.Float64:
					v = parquet.DoubleValue(c.Value(i))
				case *array.Int64:
					v = parquet.Int64Value(c.Value(i))
				case *array.Boolean:
					v = parquet.BooleanValue(c.Value(i))
				}
				if d == 0 {
					v = parquet.NullValue()
				}
				rows[i-start][j] = v.Level(0, d, j)
			}
		}
		if _, err := pw.WriteRows(rows[:end-start]); err != nil {
			return err
		}
		if err := pw.Flush(); err != nil {
			return err
		}
	}
	return pw.Close()
}

// BenchmarkWriteParquet writes 1,000,000 made-up places-like rows with the
// column encoder (encode) and the previous row encoder (rowEncode), to
// io.Discard and to a file; it reports CPU ns per row and the file size.
func BenchmarkWriteParquet(b *testing.B) {
	rec := placesLike(b, 1_000_000)
	defer rec.Release()
	for _, enc := range []struct {
		name string
		fn   func(io.Writer, arrow.RecordBatch) error
	}{
		{"columns", func(w io.Writer, r arrow.RecordBatch) error { return encode(context.Background(), w, r) }},
		{"columns-zstd-default", func(w io.Writer, r arrow.RecordBatch) error {
			defer func(c compress.Codec) { pageCodec = c }(pageCodec)
			pageCodec = &zstd.Codec{Level: zstd.SpeedDefault}
			return encode(context.Background(), w, r)
		}},
		{"rows-baseline", rowEncode},
	} {
		b.Run(enc.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "x.parquet")
			b.ReportAllocs()
			b.ResetTimer()
			c0 := cpuNanos()
			for range b.N {
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := enc.fn(f, rec); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
			b.ReportMetric(float64(cpuNanos()-c0)/float64(b.N)/float64(rec.NumRows()), "cpu-ns/row")
			st, _ := os.Stat(path)
			b.ReportMetric(float64(st.Size())/(1<<20), "MiB")
		})
	}
}

func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// TestColumnEncoderMatchesRowEncoder reads the made-up places-like record
// written by both encoders back with pqarrow (an independent reader): same
// values; and the column encoder's encodings are the raw files' (it fails
// if they change back): unique strings DELTA_BYTE_ARRAY, repeated ones
// dictionary, int64 DELTA_BINARY_PACKED, doubles and booleans PLAIN.
func TestColumnEncoderMatchesRowEncoder(t *testing.T) {
	rec := placesLike(t, 3*rowGroupRows/2)
	defer rec.Release()
	dir := t.TempDir()
	paths := map[string]func(io.Writer) error{
		"columns.parquet": func(w io.Writer) error { return encode(context.Background(), w, rec) },
		"rows.parquet":    func(w io.Writer) error { return rowEncode(w, rec) },
	}
	for name, fn := range paths {
		if err := WriteAtomic(filepath.Join(dir, name), fn); err != nil {
			t.Fatal(err)
		}
	}
	a, b := readPqarrow(t, filepath.Join(dir, "columns.parquet")), readPqarrow(t, filepath.Join(dir, "rows.parquet"))
	defer a.Release()
	defer b.Release()
	ra, rb := rows(a), rows(b)
	if len(ra) != int(rec.NumRows()) || fmt.Sprint(ra) != fmt.Sprint(rb) || fmt.Sprint(ra) != fmt.Sprint(rows(rec)) {
		t.Fatalf("the column encoder's file reads back differently (%d rows)", len(ra))
	}
	pf := openParquet(t, filepath.Join(dir, "columns.parquet"))
	want := map[string]string{"id": "DELTA_BYTE_ARRAY", "address": "DELTA_BYTE_ARRAY", "category": "RLE_DICTIONARY", "tract": "RLE_DICTIONARY",
		"hours": "DELTA_BINARY_PACKED", "lat": "PLAIN", "lon": "PLAIN", "active": "PLAIN"}
	for _, cc := range pf.Metadata().RowGroups[0].Columns {
		name := cc.MetaData.PathInSchema[0]
		w, ok := want[name]
		if !ok {
			continue
		}
		got := fmt.Sprint(cc.MetaData.Encoding)
		if !containsWord(got, w) {
			t.Errorf("column %s: encodings %s, want %s", name, got, w)
		}
		delete(want, name)
	}
	if len(want) > 0 {
		t.Errorf("columns %v not in the file", want)
	}
}

func containsWord(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i:i+len(w)] == w && (i+len(w) == len(s) || s[i+len(w)] == ' ' || s[i+len(w)] == ']') && (i == 0 || s[i-1] == ' ' || s[i-1] == '[') {
			return true
		}
	}
	return false
}

// rowScan is the previous reader, kept as the baseline of
// BenchmarkScanParquet: rows through parquet.RowReader, then split into
// columns. It returns the number of values read.
func rowScan(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return 0, err
	}
	var strs strarena.Arena
	var sink []string
	n := 0
	for _, rg := range pf.RowGroups() {
		rr := rg.Rows()
		buf := make([]parquet.Row, 1024)
		for {
			k, err := rr.ReadRows(buf)
			for _, row := range buf[:k] {
				for _, v := range row {
					if v.Kind() == parquet.ByteArray {
						sink = append(sink[:0], strs.String(v.ByteArray()))
					}
					n++
				}
			}
			if err != nil {
				break
			}
		}
		rr.Close()
	}
	return n, nil
}

// BenchmarkScanPlacesLike reads 1,000,000 made-up places-like rows back, a row
// group at a time: ScanParquet (columns read apart, typed pages),
// ScanParquet with each cell through a parquet.Value (typedPages off, the
// reader before appendPage) and the previous row reader (rowScan).
func BenchmarkScanPlacesLike(b *testing.B) {
	rec := placesLike(b, 1_000_000)
	path := filepath.Join(b.TempDir(), "x.parquet")
	if err := WriteParquet(context.Background(), path, rec); err != nil {
		b.Fatal(err)
	}
	rec.Release()
	for _, r := range []struct {
		name  string
		typed bool
	}{{"columns", true}, {"columns-values", false}} {
		b.Run(r.name, func(b *testing.B) {
			defer func(v bool) { typedPages = v }(typedPages)
			typedPages = r.typed // columns-values: each cell through a parquet.Value, as before appendPage
			b.ReportAllocs()
			c0 := cpuNanos()
			for range b.N {
				if err := ScanParquet(context.Background(), path, func(arrow.RecordBatch) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuNanos()-c0)/float64(b.N)/1e6, "cpu-ns/row")
		})
	}
	b.Run("rows-baseline", func(b *testing.B) {
		b.ReportAllocs()
		c0 := cpuNanos()
		for range b.N {
			if _, err := rowScan(path); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuNanos()-c0)/float64(b.N)/1e6, "cpu-ns/row")
	})
}

// TestScanColumnsProjection reads some columns of a made-up places-like
// file: only those, in file order, with their values; names the file lacks
// are ignored, and an empty list still gives each row group's row count.
func TestScanColumnsProjection(t *testing.T) {
	rec := placesLike(t, rowGroupRows+10)
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "p.parquet")
	if err := WriteParquet(context.Background(), path, rec); err != nil {
		t.Fatal(err)
	}
	want := rows(rec)
	tests := []struct {
		name  string
		names []string
		cols  []string
		idx   []int // positions in rec
	}{
		{"two columns, asked out of order, one unknown", []string{"lat", "nope", "tract"}, []string{"tract", "lat"}, []int{3, 4}},
		{"none", []string{}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total := 0
			err := ScanColumns(context.Background(), path, tt.names, func(n int, cols []*table.Column) error {
				var got []string
				for _, c := range cols {
					got = append(got, c.Name)
					if c.Len() != n {
						return fmt.Errorf("column %s has %d rows, the group %d", c.Name, c.Len(), n)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.cols) {
					return fmt.Errorf("columns %v, want %v", got, tt.cols)
				}
				for i := range n {
					for k, c := range cols {
						if g, w := fmt.Sprint(cellOf(c, i)), fmt.Sprint(want[total+i][tt.idx[k]]); g != w {
							return fmt.Errorf("row %d column %s: %s, want %s", total+i, c.Name, g, w)
						}
					}
				}
				total += n
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if total != len(want) {
				t.Errorf("%d rows, want %d", total, len(want))
			}
		})
	}
}

// cellOf is a column's value i as table.Value gives it (nil when null).
func cellOf(c *table.Column, i int) any {
	if !c.Valid[i] {
		return nil
	}
	switch c.Type {
	case table.Float:
		return c.Floats[i]
	case table.Int:
		return c.Ints[i]
	case table.Bool:
		return c.Bools[i]
	}
	return c.Strings[i]
}

// BenchmarkCodecs writes benchInputs with each page codec parquet-go offers that groundwork could use, to
// memory: CPU ms per op and the file's size. Only zstd-fastest is what
// groundwork writes; the others are measured so that the choice can be made
// on figures (a different codec changes every raw file's bytes).
func BenchmarkCodecs(b *testing.B) {
	codecs := []struct {
		name  string
		codec compress.Codec
	}{
		{"zstd-fastest", zstdCodec},
		{"zstd-default", &zstd.Codec{Level: zstd.SpeedDefault}},
		{"snappy", &snappy.Codec{}},
		{"lz4raw", &lz4.Codec{}},
		{"uncompressed", &uncompressed.Codec{}},
	}
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			rec := in.rec(b)
			defer rec.Release()
			var buf bytes.Buffer
			for _, c := range codecs {
				b.Run(c.name, func(b *testing.B) {
					defer func(c compress.Codec) { pageCodec = c }(pageCodec)
					pageCodec = c.codec
					benchEncode(b, &buf, func() error { return encode(context.Background(), &buf, rec) })
				})
			}
		})
	}
}

// benchInputs are the records of the encoder benchmarks: the national scale
// bench's census record (GENERATED, GROUNDWORK_CENSUS_BENCH; skipped
// without it) and 1,000,000 made-up places-like and points-like rows.
var benchInputs = []struct {
	name string
	rec  func(testing.TB) arrow.RecordBatch
}{
	{"census", nationalRecord},
	{"places-1M", func(tb testing.TB) arrow.RecordBatch { return placesLike(tb, 1_000_000) }},
	{"points-1M", func(tb testing.TB) arrow.RecordBatch { return pointsLike(tb, 1_000_000) }},
}

// benchEncode runs encode (which writes to buf) b.N times and reports its
// CPU ms per op and the size written.
func benchEncode(b *testing.B, buf *bytes.Buffer, encode func() error) {
	c0 := cpuNanos()
	for b.Loop() {
		buf.Reset()
		if err := encode(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuNanos()-c0)/1e6/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(buf.Len())/(1<<20), "MiB")
}

// BenchmarkEncodings writes the national scale bench's raw points
// (GENERATED; GROUNDWORK_POINTS_BENCH names a raw/points.parquet of a run,
// skipped without it) and its census record (nationalRecord) with other page codecs and encodings than
// groundwork's (zstd fastest, DELTA_BYTE_ARRAY unique strings, DELTA_BINARY_PACKED ints): CPU ms per
// op, the file's size, and the CPU of reading it back (ScanParquet) per
// op. Measured for the lead's decision: any of them changes the raw
// files' bytes.
func BenchmarkEncodings(b *testing.B) {
	ctx := context.Background()
	inputs := []struct {
		name string
		rec  func(testing.TB) arrow.RecordBatch
	}{
		{"points", func(tb testing.TB) arrow.RecordBatch {
			path := os.Getenv("GROUNDWORK_POINTS_BENCH")
			if path == "" {
				tb.Skip("GROUNDWORK_POINTS_BENCH (a raw/points.parquet) not set")
			}
			rec, err := ReadParquet(ctx, path)
			if err != nil {
				tb.Fatal(err)
			}
			return rec
		}},
		{"census", nationalRecord},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			rec := in.rec(b)
			defer rec.Release()
			benchEncodings(b, rec)
		})
	}
}

// benchEncodings is BenchmarkEncodings on rec.
func benchEncodings(b *testing.B, rec arrow.RecordBatch) {
	ctx := context.Background()
	for _, v := range []struct {
		name   string
		codec  compress.Codec
		strs   encoding.Encoding
		ints   encoding.Encoding
		floats encoding.Encoding
	}{
		{"zstd-plain (before)", zstdCodec, &parquet.Plain, &parquet.Plain, nil},
		{"zstd-delta (now)", zstdCodec, &parquet.DeltaByteArray, &parquet.DeltaBinaryPacked, nil},
		{"zstd-delta-bytestreamsplit", zstdCodec, &parquet.DeltaByteArray, &parquet.DeltaBinaryPacked, &parquet.ByteStreamSplit},
		{"zstd-deltalength", zstdCodec, &parquet.DeltaLengthByteArray, &parquet.DeltaBinaryPacked, nil},
		{"zstd-deltaints", zstdCodec, &parquet.Plain, &parquet.DeltaBinaryPacked, nil},
		{"snappy-plain", &snappy.Codec{}, &parquet.Plain, &parquet.Plain, nil},
		{"snappy-delta", &snappy.Codec{}, &parquet.DeltaByteArray, &parquet.DeltaBinaryPacked, nil},
		{"uncompressed-plain", &uncompressed.Codec{}, &parquet.Plain, &parquet.Plain, nil},
		{"uncompressed-delta", &uncompressed.Codec{}, &parquet.DeltaByteArray, &parquet.DeltaBinaryPacked, nil},
	} {
		b.Run(v.name, func(b *testing.B) {
			defer func(c compress.Codec, s, i, f encoding.Encoding) {
				pageCodec, uniqueStrings, ints, floats = c, s, i, f
			}(pageCodec, uniqueStrings, ints, floats)
			pageCodec, uniqueStrings, ints, floats = v.codec, v.strs, v.ints, v.floats
			var buf bytes.Buffer
			var read time.Duration
			file := filepath.Join(b.TempDir(), "points.parquet")
			c0 := cpuNanos()
			for b.Loop() {
				buf.Reset()
				if err := encode(ctx, &buf, rec); err != nil {
					b.Fatal(err)
				}
				if keep := os.Getenv("GROUNDWORK_ENCODINGS_KEEP"); keep != "" {
					file = filepath.Join(keep, strings.NewReplacer(" ", "", "(", "", ")", "").Replace(v.name)+".parquet")
				}
				if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
					b.Fatal(err)
				}
				r0 := cpuNanos()
				n := 0
				err := ScanColumns(ctx, file, nil, func(rows int, _ []*table.Column) error {
					n += rows
					return nil
				})
				if err != nil || n != int(rec.NumRows()) {
					b.Fatalf("read back %d rows: %v", n, err)
				}
				read += time.Duration(cpuNanos() - r0)
				c0 += cpuNanos() - r0
			}
			b.ReportMetric(float64(cpuNanos()-c0)/1e6/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(read.Nanoseconds())/1e6/float64(b.N), "read-cpu-ms/op")
			b.ReportMetric(float64(buf.Len())/(1<<20), "MiB")
		})
	}
}

// BenchmarkWriteColumns writes the national raw points (GROUNDWORK_POINTS_BENCH,
// GENERATED, 1M rows) a 64 Ki-row chunk at a time, as the source stage
// does: from typed columns through table.Build and Write (record), and
// through WriteColumns (columns). CPU ms per op; B/op is what each
// allocates.
func BenchmarkWriteColumns(b *testing.B) {
	path := os.Getenv("GROUNDWORK_POINTS_BENCH")
	if path == "" {
		b.Skip("GROUNDWORK_POINTS_BENCH (a raw/points.parquet) not set")
	}
	ctx := context.Background()
	var chunks [][]*table.Column
	if err := ScanColumns(ctx, path, nil, func(_ int, cols []*table.Column) error {
		chunks = append(chunks, cols)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	meta := map[string]string{"groundwork:file": "points.csv"}
	out := filepath.Join(b.TempDir(), "points.parquet")
	for _, byColumns := range []bool{false, true} {
		name := "record"
		if byColumns {
			name = "columns"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuNanos()
			for b.Loop() {
				w, err := newColumnsWriter(out, meta, chunks[0])
				if err != nil {
					b.Fatal(err)
				}
				for _, cols := range chunks {
					if byColumns {
						err = w.WriteColumns(ctx, cols)
					} else {
						var rec arrow.RecordBatch
						if rec, err = table.Build(meta, cols...); err == nil {
							err = w.Write(ctx, rec)
							rec.Release()
						}
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuNanos()-c0)/1e6/float64(b.N), "cpu-ms/op")
		})
	}
}
