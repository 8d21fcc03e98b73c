package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// pagesInput is what TestPagesMatchParquetGo writes: records through
// Write, or typed columns (a chunk each) through WriteColumns.
type pagesInput struct {
	name string
	recs []arrow.RecordBatch
	cols [][]*table.Column
}

// writeWith encodes in with the page writer (pages) or parquet-go's
// column writers, and reports whether the page writer wrote it.
func writeWith(t *testing.T, in pagesInput, pages bool) ([]byte, bool) {
	t.Helper()
	defer func(old bool) { pageWrites = old }(pageWrites)
	pageWrites = pages
	var buf bytes.Buffer
	var s *arrow.Schema
	if in.recs != nil {
		s = in.recs[0].Schema()
	} else {
		var err error
		if s, err = ColumnsSchema(map[string]string{"groundwork:source": "columns"}, in.cols[0]); err != nil {
			t.Fatal(err)
		}
	}
	e, err := newEncoder(&buf, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range in.recs {
		if err := e.write(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range in.cols {
		if err := e.writeTable(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), e.pages != nil
}

// checkPagesMatch fails unless the page writer writes in (it covers its
// columns) and its bytes are parquet-go's; on a difference it shows the
// first differing byte and the footers' differences.
func checkPagesMatch(t *testing.T, in pagesInput) {
	t.Helper()
	want, _ := writeWith(t, in, false)
	got, used := writeWith(t, in, true)
	if !used {
		t.Fatal("the page writer did not write the file (the test's inputs are all covered)")
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%d bytes, parquet-go's %d: first difference at %d", len(got), len(want), firstDiff(got, want))
		if d := cmp.Diff(footer(t, want), footer(t, got)); d != "" {
			t.Errorf("footer (-parquet-go +pages):\n%s", d)
		}
	}
}

// footer decodes a Parquet file's metadata.
func footer(t *testing.T, b []byte) *format.FileMetaData {
	t.Helper()
	n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
	md := new(format.FileMetaData)
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), b[len(b)-8-n:len(b)-8], md); err != nil {
		t.Fatal(err)
	}
	return md
}

// withoutBools is rec without its boolean columns (which the page writer
// leaves to parquet-go).
func withoutBools(t testing.TB, rec arrow.RecordBatch) arrow.RecordBatch {
	var keep []int
	var fields []arrow.Field
	for j, f := range rec.Schema().Fields() {
		if f.Type.ID() != arrow.BOOL {
			keep, fields = append(keep, j), append(fields, f)
		}
	}
	md := rec.Schema().Metadata()
	cols := make([]arrow.Array, len(keep))
	for k, j := range keep {
		cols[k] = rec.Column(j)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, &md), cols, rec.NumRows())
}

// recordedResponses are the recorded Census responses under
// pipeline/census/testdata, each as the census source's record.
func recordedResponses(t testing.TB) []pagesInput {
	var ins []pagesInput
	for _, f := range []struct {
		file string
		year int
	}{{"alameda_acs5_2018_tracts.json", 2018}, {"alameda_acs5_2012_udp_rent_value.json", 2012}} {
		r, err := os.Open(filepath.Join("..", "census", "testdata", f.file))
		if err != nil {
			t.Fatal(err)
		}
		tab, err := census.Decode(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		tab.CodeMedians(f.year)
		rec, err := tab.Record()
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, pagesInput{name: f.file, recs: []arrow.RecordBatch{rec}})
	}
	return ins
}

// edges is a MADE-UP record whose nulls sit at the row groups' edges:
// the first and last rows of each row group null in every column, and
// one column null but at the edges; strings empty and not, floats -0,
// NaN and repeats (dictionary-encoded) or unique (PLAIN).
func edges(t testing.TB, n int) arrow.RecordBatch {
	s := &table.Column{Name: "s", Type: table.String}
	rep := &table.Column{Name: "rep", Type: table.String}
	f := &table.Column{Name: "f", Type: table.Float}
	u := &table.Column{Name: "u", Type: table.Float}
	i := &table.Column{Name: "i", Type: table.Int}
	onlyEdges := &table.Column{Name: "edges", Type: table.Float}
	odd := []float64{math.Copysign(0, -1), 0, math.NaN(), 1, 2}
	for k := range n {
		r := k % rowGroupRows
		edge := r == 0 || r == rowGroupRows-1 || k == n-1
		s.AppendString(fmt.Sprint(k), !edge)
		rep.AppendString([]string{"", "x", "yy"}[k%3], !edge)
		f.AppendFloat(odd[k%len(odd)], !edge)
		u.AppendFloat(float64(k)/7, !edge)
		i.AppendInt(int64(k*k), !edge)
		onlyEdges.AppendFloat(odd[k%len(odd)], edge)
	}
	rec, err := table.Build(map[string]string{"groundwork:source": "made-up"}, s, rep, f, u, i, onlyEdges)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestPagesMatchParquetGo writes files with the page writer and with
// parquet-go's column writers (pageWrites false: the path before it, and
// the fallback): the same bytes, on the recorded Census responses, the
// real Atlanta file, places- and points-like records, nulls (none, some,
// only; at row group edges), empty strings, -0 and NaN, dictionary and
// PLAIN floats, 0 and 1 rows, many row groups, several records, slices,
// and typed columns through WriteColumns; at 1 and 2 goroutines.
func TestPagesMatchParquetGo(t *testing.T) {
	ctx := context.Background()
	atlanta, err := ReadParquet(ctx, filepath.Join("..", "..", "testdata", "atlanta", "atlanta_transit_stations.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	big := withoutBools(t, varied(t, 2*rowGroupRows+123, 9, 1))
	v := func(n, nullEvery int, seed uint64) arrow.RecordBatch {
		return withoutBools(t, varied(t, n, nullEvery, seed))
	}
	ins := append(recordedResponses(t),
		pagesInput{name: "atlanta", recs: []arrow.RecordBatch{atlanta}},
		pagesInput{name: "places-like", recs: []arrow.RecordBatch{withoutBools(t, placesLike(t, rowGroupRows+500))}},
		pagesInput{name: "points-like", recs: []arrow.RecordBatch{pointsLike(t, 3000)}},
		pagesInput{name: "no nulls", recs: []arrow.RecordBatch{v(5000, 0, 2)}},
		pagesInput{name: "nulls", recs: []arrow.RecordBatch{v(5000, 3, 3)}},
		pagesInput{name: "all nulls", recs: []arrow.RecordBatch{v(300, 1, 4)}},
		pagesInput{name: "empty", recs: []arrow.RecordBatch{v(0, 3, 5)}},
		pagesInput{name: "one row", recs: []arrow.RecordBatch{v(1, 0, 6)}},
		pagesInput{name: "one null row", recs: []arrow.RecordBatch{v(1, 1, 6)}},
		pagesInput{name: "small, serial", recs: []arrow.RecordBatch{v(parallelRows-1, 4, 7)}},
		pagesInput{name: "many row groups", recs: []arrow.RecordBatch{big}},
		pagesInput{name: "nulls at row group edges", recs: []arrow.RecordBatch{edges(t, 2*rowGroupRows+5)}},
		pagesInput{name: "several records", recs: []arrow.RecordBatch{v(10, 2, 8), v(rowGroupRows+3, 5, 9), v(0, 2, 10), v(7000, 0, 11)}},
		pagesInput{name: "slices", recs: []arrow.RecordBatch{big.NewSlice(17, 17+rowGroupRows+40), big.NewSlice(rowGroupRows+99, 2*rowGroupRows+100)}},
		pagesInput{name: "repeating floats", recs: []arrow.RecordBatch{repeatingFloats(t, 3*rowGroupRows+77, 12)}},
		pagesInput{name: "repeating floats, several records", recs: []arrow.RecordBatch{repeatingFloats(t, 5000, 13), repeatingFloats(t, rowGroupRows+9, 14), repeatingFloats(t, 1, 15)}},
		pagesInput{name: "columns", cols: [][]*table.Column{recordColumns(v(5000, 3, 16)), recordColumns(v(rowGroupRows+1, 0, 17))}},
		pagesInput{name: "columns, edges", cols: [][]*table.Column{recordColumns(edges(t, rowGroupRows+2))}},
		pagesInput{name: "float choice near the threshold", recs: []arrow.RecordBatch{distinctColumns(t)}},
		pagesInput{name: "float choice near the threshold, slice", recs: []arrow.RecordBatch{distinctColumns(t).NewSlice(5, 40000)}},
		pagesInput{name: "float choice near the threshold, columns", cols: [][]*table.Column{recordColumns(distinctColumns(t))}},
		pagesInput{name: "string choice near the threshold", recs: []arrow.RecordBatch{stringsNearThreshold(t, 4000)}},
		pagesInput{name: "string choice near the threshold, columns", cols: [][]*table.Column{recordColumns(stringsNearThreshold(t, 4000))}},
	)
	for _, in := range ins {
		for _, procs := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/procs=%d", in.name, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				checkPagesMatch(t, in)
			})
		}
	}
}

// TestPagesMatchParquetGoNational is TestPagesMatchParquetGo on the
// national scale bench's response (GENERATED; GROUNDWORK_CENSUS_BENCH),
// skipped without it.
func TestPagesMatchParquetGoNational(t *testing.T) {
	checkPagesMatch(t, pagesInput{name: "national", recs: []arrow.RecordBatch{nationalRecord(t)}})
}

// TestPagesMatchParquetGoPlaces re-encodes a places file of a national
// run (GROUNDWORK_PLACES_FILE; GENERATED by `groundwork run` on the scale
// bench), its row groups as the chunks of typed columns the places stage
// writes, skipped without it.
func TestPagesMatchParquetGoPlaces(t *testing.T) {
	p := os.Getenv("GROUNDWORK_PLACES_FILE")
	if p == "" {
		t.Skip("GROUNDWORK_PLACES_FILE (a national run's places file) not set")
	}
	var in pagesInput
	err := ScanColumns(context.Background(), p, nil, func(_ int, cols []*table.Column) error {
		in.cols = append(in.cols, cols)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	in.name = p
	checkPagesMatch(t, in)
}

// BenchmarkPagesAgainstParquetGo writes benchInputs (their boolean
// columns dropped, which the page writer leaves to parquet-go) with the page writer and with parquet-go's column writers
// (pageWrites false), to memory: CPU ms per op; the bytes are the same
// (TestPagesMatchParquetGo).
func BenchmarkPagesAgainstParquetGo(b *testing.B) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			rec := in.rec(b)
			defer rec.Release()
			if !pagesCover(rec.Schema()) {
				rec = withoutBools(b, rec)
			}
			var buf bytes.Buffer
			for _, pages := range []bool{false, true} {
				name := map[bool]string{false: "parquet-go", true: "pages"}[pages]
				b.Run(name, func(b *testing.B) {
					defer func(old bool) { pageWrites = old }(pageWrites)
					pageWrites = pages
					benchEncode(b, &buf, func() error { return encode(context.Background(), &buf, rec) })
				})
			}
		})
	}
}

// nearSmallInts is a MADE-UP record (seeded PCG) of float64 columns that
// are dictionary-encoded, drawn around floatDict's table of small
// integers (smallInts): 0 and -0, the last integers in it and the first
// past it, halves, negatives, NaN and infinities; "wide" draws integers
// up to 3·smallInts, so that the hash table grows inside a row group
// while the small table holds others.
func nearSmallInts(t testing.TB, n int, seed uint64) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(seed, 21))
	edge := []float64{0, math.Copysign(0, -1), smallInts - 1, smallInts, smallInts + 1, smallInts - 0.5, -1, -smallInts, 1.5, math.NaN(), math.Inf(1), math.Inf(-1), 1e18}
	near := &table.Column{Name: "near", Type: table.Float}
	wide := &table.Column{Name: "wide", Type: table.Float}
	for range n {
		near.AppendFloat(edge[rng.IntN(len(edge))], rng.IntN(20) != 0)
		v := float64(rng.IntN(n / 8))
		if rng.IntN(2) == 0 {
			v += smallInts
		}
		wide.AppendFloat(v, true)
	}
	rec, err := table.Build(map[string]string{"groundwork:source": "made-up"}, near, wide)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestDictionaryPaysMatchesOld compares dictionaryPays (a run of one
// value looked up once, its set kept from column to column) with the
// old encoder's (oldDictionaryPays) on MADE-UP string columns (seeded
// PCG) of distinct values around the threshold (n/dictMinRepeat), sorted
// (runs) and not, with leading nulls before an empty string, nulls
// between the runs, and columns of "" alone.
func TestDictionaryPaysMatchesOld(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 31))
	const n = 4000
	for _, distinct := range []int{1, 2, n/dictMinRepeat - 1, n / dictMinRepeat, n/dictMinRepeat + 1, n} {
		for _, sorted := range []bool{false, true} {
			for _, nulls := range []int{0, 3, 50} {
				c := &table.Column{Name: "s", Type: table.String}
				for i := range n {
					k := rng.IntN(distinct)
					if sorted {
						k = i * distinct / n
					}
					v := fmt.Sprint(k)
					if k == 0 {
						v = ""
					}
					c.AppendString(v, i >= nulls && (nulls == 0 || rng.IntN(nulls) != 0))
				}
				rec, err := table.Build(nil, c)
				if err != nil {
					t.Fatal(err)
				}
				a := rec.Column(0).(*array.String)
				for _, m := range []int{1, 17, n} {
					got := (&chunk{rec: rec}).dictionaryPays(0, m)
					gotCols := (&chunk{cols: []*table.Column{c}}).dictionaryPays(0, m)
					if want := oldDictionaryPays(a, m); got != want || gotCols != want {
						t.Errorf("%d distinct, sorted %v, nulls 1/%d, first %d rows: %v (columns %v), the old %v", distinct, sorted, nulls, m, got, gotCols, want)
					}
				}
			}
		}
	}
}

// stringsNearThreshold is a MADE-UP record (seeded PCG) of n rows of
// string columns of distinct values around the dictionary's threshold
// (n/dictMinRepeat), sorted (runs) and not, with nulls: the page writer's
// choice (stringIndexes with a limit) against dictionaryPays's.
func stringsNearThreshold(t testing.TB, n int) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(5, 41))
	var cols []*table.Column
	for _, distinct := range []int{1, n/dictMinRepeat - 1, n / dictMinRepeat, n/dictMinRepeat + 1, n} {
		for _, sorted := range []bool{false, true} {
			c := &table.Column{Name: fmt.Sprintf("d%d_sorted%v", distinct, sorted), Type: table.String}
			for i := range n {
				k := rng.IntN(distinct)
				if sorted {
					k = i * distinct / n
				} else if i < distinct {
					k = i // every distinct value at least once
				}
				c.AppendString(fmt.Sprint(k), i%50 != 7)
			}
			cols = append(cols, c)
		}
	}
	rec, err := table.Build(nil, cols...)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}
