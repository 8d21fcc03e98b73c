package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	parquetpq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/groundwork-org/groundwork/internal/pyref"
	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// oldEncoder is the encoder as it was at 0373dfb (session 5's start),
// kept as the reference of TestEncoderMatchesOld and the baseline of
// BenchmarkEncoderAgainstOld: one parquet.Value per cell built with
// Value.Level, the columns of a row group on up to GOMAXPROCS goroutines.
type oldEncoder struct {
	w           io.Writer
	s           *arrow.Schema
	pw          *parquet.Writer
	vals        []parquet.Value
	plainFormat bool // the format of 43cb557 (oldParquetSchema)
}

// oldEncode writes recs with the old encoder in today's format (the
// encodings of parquetSchema).
func oldEncode(w io.Writer, recs ...arrow.RecordBatch) error {
	return oldEncodeFormat(w, false, recs...)
}

// oldEncodeFormat writes recs with the old encoder, in the format of
// 43cb557 when plain (PLAIN unique strings and ints), else in today's.
func oldEncodeFormat(w io.Writer, plain bool, recs ...arrow.RecordBatch) error {
	e := &oldEncoder{w: w, s: recs[0].Schema(), plainFormat: plain}
	for _, rec := range recs {
		if err := e.write(rec); err != nil {
			return err
		}
	}
	if e.pw == nil {
		if err := e.start(nil); err != nil {
			return err
		}
	}
	return e.pw.Close()
}

func (e *oldEncoder) start(rec arrow.RecordBatch) error {
	plain := make([]bool, len(e.s.Fields()))
	dict := make([]bool, len(e.s.Fields())) // today's choice of float encodings (none in the format of 43cb557)
	if rec != nil {
		n := min(int(rec.NumRows()), rowGroupRows)
		for j := range plain {
			if c, ok := rec.Column(j).(*array.String); ok {
				plain[j] = !oldDictionaryPays(c, n)
			}
			if _, ok := rec.Column(j).(*array.Float64); ok && !e.plainFormat {
				dict[j] = (&chunk{rec: rec}).floatDictionaryPays(j, n)
			}
		}
	}
	schema, err := oldParquetSchema(e.s, plain, dict, e.plainFormat)
	if err != nil {
		return err
	}
	opts := []parquet.WriterOption{schema, parquet.Compression(zstdCodec), parquet.CreatedBy("groundwork", "", "")}
	if md := e.s.Metadata(); md.Len() > 0 {
		for i, k := range md.Keys() {
			opts = append(opts, parquet.KeyValueMetadata(k, md.Values()[i]))
		}
	}
	e.pw = parquet.NewWriter(e.w, opts...)
	return nil
}

func oldDictionaryPays(c *array.String, n int) bool {
	limit := n / dictMinRepeat
	seen := make(map[string]struct{}, min(limit, 1024)+1)
	for i := range n {
		if c.IsNull(i) {
			continue
		}
		if _, ok := seen[c.Value(i)]; !ok {
			if len(seen) == limit {
				return false
			}
			seen[c.Value(i)] = struct{}{}
		}
	}
	return true
}

func (e *oldEncoder) write(rec arrow.RecordBatch) error {
	n := int(rec.NumRows())
	if e.pw == nil {
		if err := e.start(rec); err != nil {
			return err
		}
	}
	for start := 0; start < n; start += rowGroupRows {
		end := min(n, start+rowGroupRows)
		if err := e.writeColumns(rec, start, end); err != nil {
			return err
		}
		if err := e.pw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func (e *oldEncoder) writeColumns(rec arrow.RecordBatch, start, end int) error {
	cws := e.pw.ColumnWriters()
	column := func(vals *[]parquet.Value, j int) error {
		*vals = oldColumnValues((*vals)[:0], rec.Column(j), j, start, end)
		if _, err := cws[j].WriteRowValues(*vals); err != nil {
			return err
		}
		return cws[j].Flush()
	}
	workers := min(runtime.GOMAXPROCS(0), len(cws))
	if end-start < parallelRows || workers < 2 {
		for j := range cws {
			if err := column(&e.vals, j); err != nil {
				return err
			}
		}
		return nil
	}
	scratch := make([][]parquet.Value, workers)
	var next atomic.Int64
	errs := make([]error, len(cws))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for j := int(next.Add(1) - 1); j < len(cws); j = int(next.Add(1) - 1) {
				errs[j] = column(&scratch[w], j)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func oldColumnValues(vals []parquet.Value, a arrow.Array, j, start, end int) []parquet.Value {
	null := parquet.NullValue().Level(0, 0, j)
	switch c := a.(type) {
	case *array.String:
		for i := start; i < end; i++ {
			if c.IsNull(i) {
				vals = append(vals, null)
				continue
			}
			v := c.Value(i)
			vals = append(vals, parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(v), len(v))).Level(0, 1, j))
		}
	case *array.Float64:
		for i := start; i < end; i++ {
			if c.IsNull(i) {
				vals = append(vals, null)
				continue
			}
			vals = append(vals, parquet.DoubleValue(c.Value(i)).Level(0, 1, j))
		}
	case *array.Int64:
		for i := start; i < end; i++ {
			if c.IsNull(i) {
				vals = append(vals, null)
				continue
			}
			vals = append(vals, parquet.Int64Value(c.Value(i)).Level(0, 1, j))
		}
	case *array.Boolean:
		for i := start; i < end; i++ {
			if c.IsNull(i) {
				vals = append(vals, null)
				continue
			}
			vals = append(vals, parquet.BooleanValue(c.Value(i)).Level(0, 1, j))
		}
	default:
		panic("unsupported " + a.DataType().String())
	}
	return vals
}

// varied is a MADE-UP record of every column type with the given share of
// nulls (seeded PCG): unique and repeated strings, empty strings, floats
// including ±Inf, -0, huge and tiny values, integers at their limits,
// booleans; a column of nulls only.
func varied(tb testing.TB, n int, nullEvery int, seed uint64) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(seed, 7))
	null := func() bool { return nullEvery > 0 && rng.IntN(nullEvery) == 0 }
	uniq := &table.Column{Name: "key", Type: table.String}
	rep := &table.Column{Name: "kind", Type: table.String}
	empty := &table.Column{Name: "note", Type: table.String}
	f := &table.Column{Name: "value", Type: table.Float}
	i := &table.Column{Name: "count", Type: table.Int}
	b := &table.Column{Name: "flag", Type: table.Bool}
	none := &table.Column{Name: "nothing", Type: table.Float}
	floats := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64, -1e300, 0.1, 12345.678}
	ints := []int64{0, -1, 1, math.MaxInt64, math.MinInt64, 42}
	for k := range n {
		uniq.AppendString(fmt.Sprintf("id-%d-%d", k, rng.IntN(1000)), !null())
		rep.AppendString([]string{"a", "bb", "", "ccc"}[rng.IntN(4)], !null())
		empty.AppendString("", !null())
		if rng.IntN(3) == 0 {
			f.AppendFloat(floats[rng.IntN(len(floats))], !null())
		} else {
			f.AppendFloat(rng.NormFloat64()*1e4, !null())
		}
		if rng.IntN(3) == 0 {
			i.AppendInt(ints[rng.IntN(len(ints))], !null())
		} else {
			i.AppendInt(rng.Int64N(1000)-500, !null())
		}
		b.AppendBool(rng.IntN(2) == 0, !null())
		none.AppendFloat(0, false)
	}
	rec, err := table.Build(map[string]string{"groundwork:source": "made-up", "z": "last"}, uniq, rep, empty, f, i, b, none)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// repeatingFloats is a MADE-UP record (seeded PCG) of float64 columns that
// the encoder dictionary-encodes (few distinct values in the first row
// group), for its own dictionary (floatDict) against parquet-go's: small
// integers and halves, 0 and -0, NaNs of two payloads, infinities and
// nulls; "growing" draws from more distinct values in each row group
// (past 16,384 from the third: the table grows inside a row group),
// "sparse" is mostly nulls.
func repeatingFloats(tb testing.TB, n int, seed uint64) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(seed, 11))
	odd := []float64{0, math.Copysign(0, -1), math.NaN(), math.Float64frombits(0x7ff8000000000001), math.Inf(1), math.Inf(-1), -666666666}
	small := &table.Column{Name: "small", Type: table.Float}
	growing := &table.Column{Name: "growing", Type: table.Float}
	sparse := &table.Column{Name: "sparse", Type: table.Float}
	for k := range n {
		if rng.IntN(5) == 0 {
			small.AppendFloat(odd[rng.IntN(len(odd))], rng.IntN(10) != 0)
		} else {
			small.AppendFloat(float64(rng.IntN(400))/2, true)
		}
		growing.AppendFloat(float64(rng.IntN(1000+(k/rowGroupRows)*20000)), true)
		sparse.AppendFloat(float64(rng.IntN(3)), rng.IntN(50) == 0)
	}
	rec, err := table.Build(map[string]string{"groundwork:source": "made-up"}, small, growing, sparse)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// pointsLike is a MADE-UP record shaped like the ohio-10M job's points
// (seeded PCG): a unique id, a value, a latitude and a longitude, in
// chunks as pipeline/source hands them to the raw writer.
func pointsLike(tb testing.TB, n int) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(3, 4))
	id := &table.Column{Name: "id", Type: table.String}
	val := &table.Column{Name: "value", Type: table.Float}
	lat := &table.Column{Name: "lat", Type: table.Float}
	lon := &table.Column{Name: "lon", Type: table.Float}
	for i := range n {
		id.AppendString(fmt.Sprintf("P%08d", i), true)
		val.AppendFloat(float64(rng.IntN(100000))/100, true)
		lat.AppendFloat(38.4+rng.Float64()*3.6, true)
		lon.AppendFloat(-84.8+rng.Float64()*4.3, true)
	}
	rec, err := table.Build(nil, id, val, lat, lon)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// recorded is the real Alameda ACS response under pipeline/census/testdata
// as the census source records it (GEOID, NAME, the variables).
func recorded(tb testing.TB) arrow.RecordBatch {
	t, err := census.ReadRecorded(filepath.Join("..", "census", "testdata", "alameda_acs5_2018_tracts.json"),
		census.Request{Dataset: "acs/acs5", Year: 2018, Variables: []string{"NAME", "B19013_001E", "B25064_001E"}, For: "tract:*", In: "state:06 county:001"})
	if err != nil {
		tb.Fatal(err)
	}
	t.CodeMedians(2018)
	rec, err := t.Record()
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// oldParquetSchema is parquetSchema as it was at 43cb557, parquet-go's
// leaf types as they are: with that commit's encodings (PLAIN unique
// strings and ints) when plainFormat, else with today's (DELTA_BYTE_ARRAY,
// DELTA_BINARY_PACKED, dictionary-encoded floats where dict[j]), so that
// TestEncoderMatchesOld compares the encoders' work and not the choice of
// encodings (which TestColumnEncoderMatchesRowEncoder and
// TestFloatDictionaryChoice check).
func oldParquetSchema(s *arrow.Schema, plain, dict []bool, plainFormat bool) (*parquet.Schema, error) {
	var strEnc, intEnc encoding.Encoding = &parquet.DeltaByteArray, &parquet.DeltaBinaryPacked
	if plainFormat {
		strEnc, intEnc = &parquet.Plain, nil
	}
	g := &orderedGroup{}
	for j, f := range s.Fields() {
		var n parquet.Node
		switch f.Type.ID() {
		case arrow.STRING:
			n = parquet.Encoded(parquet.String(), &parquet.RLEDictionary)
			if plain != nil && plain[j] {
				n = parquet.Encoded(parquet.String(), strEnc)
			}
		case arrow.FLOAT64:
			n = parquet.Leaf(parquet.DoubleType)
			if dict != nil && dict[j] {
				n = parquet.Encoded(n, &parquet.RLEDictionary)
			}
		case arrow.INT64:
			n = parquet.Int(64)
			if intEnc != nil {
				n = parquet.Encoded(n, intEnc)
			}
		case arrow.BOOL:
			n = parquet.Leaf(parquet.BooleanType)
		default:
			return nil, fmt.Errorf("column %q: type %s is not supported (want string, float64, int64 or bool)", f.Name, f.Type)
		}
		g.fields = append(g.fields, &groupField{Node: parquet.Optional(n), name: f.Name})
	}
	return parquet.NewSchema("groundwork", g), nil
}

// TestEncoderMatchesOld writes records through the encoder and through the
// old one (oldEncoder): the files must be byte for byte the same, at
// GOMAXPROCS 1 and 2. Records: the real Alameda response, a real GeoParquet
// file's attributes (testdata/atlanta), made-up records of every type with
// no, some and only nulls, empty, one row, many row groups, several records
// through one Writer (one of them empty), and slices of records (Arrow
// offsets not zero).
func TestEncoderMatchesOld(t *testing.T) {
	ctx := context.Background()
	atlanta, err := ReadParquet(ctx, filepath.Join("..", "..", "testdata", "atlanta", "atlanta_transit_stations.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	big := varied(t, 2*rowGroupRows+123, 9, 1)
	cases := []struct {
		name string
		recs []arrow.RecordBatch
	}{
		{"alameda acs response (real)", []arrow.RecordBatch{recorded(t)}},
		{"atlanta transit stations (real)", []arrow.RecordBatch{atlanta}},
		{"places-like", []arrow.RecordBatch{placesLike(t, rowGroupRows+500)}},
		{"no nulls", []arrow.RecordBatch{varied(t, 5000, 0, 2)}},
		{"nulls", []arrow.RecordBatch{varied(t, 5000, 3, 3)}},
		{"all nulls", []arrow.RecordBatch{varied(t, 300, 1, 4)}},
		{"empty", []arrow.RecordBatch{varied(t, 0, 3, 5)}},
		{"one row", []arrow.RecordBatch{varied(t, 1, 0, 6)}},
		{"small, serial", []arrow.RecordBatch{varied(t, parallelRows-1, 4, 7)}},
		{"many row groups", []arrow.RecordBatch{big}},
		{"several records", []arrow.RecordBatch{varied(t, 10, 2, 8), varied(t, rowGroupRows+3, 5, 9), varied(t, 0, 2, 10), varied(t, 7000, 0, 11)}},
		{"slices", []arrow.RecordBatch{big.NewSlice(17, 17+rowGroupRows+40), big.NewSlice(rowGroupRows+99, 2*rowGroupRows+100)}},
		{"repeating floats, many row groups", []arrow.RecordBatch{repeatingFloats(t, 3*rowGroupRows+77, 12)}},
		{"repeating floats, several records", []arrow.RecordBatch{repeatingFloats(t, 5000, 13), repeatingFloats(t, rowGroupRows+9, 14), repeatingFloats(t, 1, 15)}},
		{"floats near the small integers", []arrow.RecordBatch{nearSmallInts(t, 2*rowGroupRows+50, 16), nearSmallInts(t, 3000, 17)}},
	}
	for _, tc := range cases {
		var want bytes.Buffer
		if err := oldEncode(&want, tc.recs...); err != nil {
			t.Fatal(err)
		}
		for _, procs := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/procs=%d", tc.name, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				var got bytes.Buffer
				e, err := newEncoder(&got, tc.recs[0].Schema())
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range tc.recs {
					if err := e.write(ctx, r); err != nil {
						t.Fatal(err)
					}
				}
				if err := e.close(); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Fatalf("%d bytes, the old encoder's %d: first difference at %d", got.Len(), want.Len(), firstDiff(got.Bytes(), want.Bytes()))
				}
			})
		}
	}
}

// TestEncoderMatchesOldNational is TestEncoderMatchesOld on the national
// scale bench's response (GENERATED; GROUNDWORK_CENSUS_BENCH names its
// acs.json), skipped without it.
func TestEncoderMatchesOldNational(t *testing.T) {
	rec := nationalRecord(t)
	var want, got bytes.Buffer
	if err := oldEncode(&want, rec); err != nil {
		t.Fatal(err)
	}
	if err := encode(context.Background(), &got, rec); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("%d bytes, the old encoder's %d: first difference at %d", got.Len(), want.Len(), firstDiff(got.Bytes(), want.Bytes()))
	}
}

func nationalRecord(tb testing.TB) arrow.RecordBatch {
	p := os.Getenv("GROUNDWORK_CENSUS_BENCH")
	if p == "" {
		tb.Skip("GROUNDWORK_CENSUS_BENCH (the scale bench's acs.json) not set")
	}
	head, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	// The variables are the header row's names but the geography's.
	line, _, _ := strings.Cut(string(head[:min(len(head), 4096)]), "]")
	var vars []string
	for _, v := range strings.Split(strings.TrimLeft(line, "["), ",") {
		if v = strings.Trim(v, `"`); v != "state" && v != "county" && v != "tract" {
			vars = append(vars, v)
		}
	}
	req := census.Request{Dataset: "acs/acs5", Year: 2018, Variables: vars, For: "tract:*"}
	t, err := census.ReadRecorded(p, req)
	if err != nil {
		tb.Fatal(err)
	}
	t.CodeMedians(req.Year)
	rec, err := t.Record()
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// BenchmarkEncoderAgainstOld writes benchInputs with the encoder and the
// old one, to memory; CPU ms per op beside the wall time.
func BenchmarkEncoderAgainstOld(b *testing.B) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			rec := in.rec(b)
			defer rec.Release()
			var buf bytes.Buffer
			b.Run("old", func(b *testing.B) { benchEncode(b, &buf, func() error { return oldEncode(&buf, rec) }) })
			b.Run("new", func(b *testing.B) {
				benchEncode(b, &buf, func() error { return encode(context.Background(), &buf, rec) })
			})
		})
	}
}

// TestTypedPagesMatchValues reads files with the typed page path
// (appendPage) and with parquet.Value alone (typedPages false): the same
// columns, cell for cell (float bits), per row group and whole. Files: the
// real Atlanta GeoParquet file (written by another tool), files this
// package writes (dictionary and DELTA_BYTE_ARRAY strings, DELTA_BINARY_PACKED
// ints, every type, no/some/only nulls, empty, many row groups), the same
// in the PLAIN format of 43cb557, and files written by Arrow's own Parquet
// writer (pqarrow: data page V1, its own dictionary choices, required
// columns).
func TestTypedPagesMatchValues(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	paths := []string{filepath.Join("..", "..", "testdata", "atlanta", "atlanta_transit_stations.parquet")}
	for i, rec := range []arrow.RecordBatch{
		recorded(t), placesLike(t, rowGroupRows+500), varied(t, 5000, 0, 2), varied(t, 5000, 3, 3),
		varied(t, 300, 1, 4), varied(t, 0, 3, 5), varied(t, 2*rowGroupRows+123, 9, 1),
	} {
		p := filepath.Join(dir, fmt.Sprintf("ours-%d.parquet", i))
		if err := WriteParquet(ctx, p, rec); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		// the raw files of 43cb557 (PLAIN unique strings and ints)
		p = filepath.Join(dir, fmt.Sprintf("plain-%d.parquet", i))
		if err := WriteAtomic(p, func(w io.Writer) error { return oldEncodeFormat(w, true, rec) }); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		for _, required := range []bool{false, true} {
			if required && rec.NumRows() > 0 && varietyHasNulls(rec) {
				continue
			}
			p := filepath.Join(dir, fmt.Sprintf("pqarrow-%d-%v.parquet", i, required))
			writePqarrow(t, p, rec, required)
			paths = append(paths, p)
		}
	}
	read := func(path string, typed bool) [][]*table.Column {
		defer func(v bool) { typedPages = v }(typedPages)
		typedPages = typed
		var groups [][]*table.Column
		if err := ScanColumns(ctx, path, nil, func(_ int, cols []*table.Column) error {
			groups = append(groups, cols)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return groups
	}
	for _, p := range paths {
		want, got := read(p, false), read(p, true)
		if len(got) != len(want) {
			t.Fatalf("%s: %d row groups, %d through values", filepath.Base(p), len(got), len(want))
		}
		for g := range want {
			for j := range want[g] {
				if d := columnDiff(got[g][j], want[g][j]); d != "" {
					t.Fatalf("%s: row group %d column %s: %s", filepath.Base(p), g, want[g][j].Name, d)
				}
			}
		}
	}
}

func varietyHasNulls(rec arrow.RecordBatch) bool {
	for _, c := range rec.Columns() {
		if c.NullN() > 0 {
			return true
		}
	}
	return false
}

// writePqarrow writes rec with Arrow's Parquet writer (data page V1,
// dictionary on), its columns required when required is true.
func writePqarrow(t *testing.T, path string, rec arrow.RecordBatch, required bool) {
	t.Helper()
	if required {
		fields := slices.Clone(rec.Schema().Fields())
		for i := range fields {
			fields[i].Nullable = false
		}
		rec = array.NewRecordBatch(arrow.NewSchema(fields, nil), rec.Columns(), rec.NumRows())
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props := parquetpq.NewWriterProperties(parquetpq.WithDataPageVersion(parquetpq.DataPageV1), parquetpq.WithMaxRowGroupLength(40000))
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// columnDiff describes the first difference of two table columns, "" when
// they are the same (floats compared by their bits).
func columnDiff(got, want *table.Column) string {
	if got.Name != want.Name || got.Type != want.Type || got.Len() != want.Len() {
		return fmt.Sprintf("%s %v %d rows, want %s %v %d rows", got.Name, got.Type, got.Len(), want.Name, want.Type, want.Len())
	}
	for i := range want.Len() {
		same := got.Valid[i] == want.Valid[i]
		switch want.Type {
		case table.String:
			same = same && got.Strings[i] == want.Strings[i]
		case table.Float:
			same = same && math.Float64bits(got.Floats[i]) == math.Float64bits(want.Floats[i])
		case table.Int:
			same = same && got.Ints[i] == want.Ints[i]
		case table.Bool:
			same = same && got.Bools[i] == want.Bools[i]
		}
		if !same {
			return fmt.Sprintf("row %d: %v %v, want %v %v", i, cellOf(got, i), got.Valid[i], cellOf(want, i), want.Valid[i])
		}
	}
	return ""
}

// TestReadsPlainFiles checks that raw files written before session 6
// (43cb557's format: PLAIN unique strings and ints; oldEncodeFormat) read
// as the files written now (DELTA_BYTE_ARRAY, DELTA_BINARY_PACKED) do,
// through ReadParquet and ScanColumns: the same columns cell for cell. On
// the real Alameda ACS response, the real Atlanta stations' attributes,
// and made-up records of every type with nulls and several row groups.
func TestReadsPlainFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	atlanta, err := ReadParquet(ctx, filepath.Join("..", "..", "testdata", "atlanta", "atlanta_transit_stations.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range []arrow.RecordBatch{recorded(t), atlanta, placesLike(t, rowGroupRows+500), varied(t, 2*rowGroupRows+123, 9, 1), varied(t, 300, 1, 4), pointsLike(t, 5000)} {
		oldPath, newPath := filepath.Join(dir, fmt.Sprintf("old-%d.parquet", i)), filepath.Join(dir, fmt.Sprintf("new-%d.parquet", i))
		if err := WriteAtomic(oldPath, func(w io.Writer) error { return oldEncodeFormat(w, true, rec) }); err != nil {
			t.Fatal(err)
		}
		if err := WriteParquet(ctx, newPath, rec); err != nil {
			t.Fatal(err)
		}
		a, b := readFileBytes(t, oldPath), readFileBytes(t, newPath)
		if bytes.Equal(a, b) {
			t.Fatalf("record %d: the old and new formats wrote the same bytes", i)
		}
		ro, err := ReadParquet(ctx, oldPath)
		if err != nil {
			t.Fatal(err)
		}
		rn, err := ReadParquet(ctx, newPath)
		if err != nil {
			t.Fatal(err)
		}
		if !array.RecordEqual(ro, rn) || ro.NumRows() != rec.NumRows() {
			t.Fatalf("record %d: ReadParquet reads the new file differently from the plain one", i)
		}
		ro.Release()
		rn.Release()
		scanned := func(path string) [][]*table.Column {
			var groups [][]*table.Column
			if err := ScanColumns(ctx, path, nil, func(_ int, cols []*table.Column) error {
				groups = append(groups, cols)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return groups
		}
		so, sn := scanned(oldPath), scanned(newPath)
		if len(so) != len(sn) {
			t.Fatalf("record %d: %d row groups, the plain file %d", i, len(sn), len(so))
		}
		for g := range so {
			for j := range so[g] {
				if d := columnDiff(sn[g][j], so[g][j]); d != "" {
					t.Fatalf("record %d row group %d column %s through ScanColumns: %s", i, g, so[g][j].Name, d)
				}
			}
		}
	}
}

func readFileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRawReadByPyarrowAndDuckDB writes raw files in today's format
// (DELTA_BYTE_ARRAY unique strings, DELTA_BINARY_PACKED ints,
// dictionary-encoded floats where that pays and PLAIN ones, zstd) and
// reads them with pyarrow and DuckDB (testdata/read_raw.py): every cell as
// written, in order. Records: the real Alameda ACS response, and made-up
// records of every type with nulls, extreme ints (the deltas of MinInt64
// and MaxInt64 wrap) and floats (infinities, -0), over two row groups, and
// points-like ids.
func TestRawReadByPyarrowAndDuckDB(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	recs := []arrow.RecordBatch{recorded(t), varied(t, rowGroupRows+500, 3, 3), varied(t, 2000, 0, 12), pointsLike(t, 3000)}
	var files []string
	for i, rec := range recs {
		p := filepath.Join(dir, fmt.Sprintf("raw-%d.parquet", i))
		if err := WriteParquet(ctx, p, rec); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	dict, plain := 0, 0
	for _, p := range files {
		for _, d := range floatEncodings(t, p) {
			if d {
				dict++
			} else {
				plain++
			}
		}
	}
	if dict == 0 || plain == 0 {
		t.Fatalf("%d dictionary-encoded float columns and %d PLAIN ones: both must be read", dict, plain)
	}
	var got map[string]map[string]map[string][]*string
	pyref.Run(t, filepath.Join("testdata", "read_raw.py"), map[string]any{"files": files}, &got)
	for i, rec := range recs {
		for _, reader := range []string{"pyarrow", "duckdb"} {
			cols := got[files[i]][reader]
			if len(cols) != int(rec.NumCols()) {
				t.Fatalf("record %d: %s reads %d columns, want %d", i, reader, len(cols), rec.NumCols())
			}
			for j, f := range rec.Schema().Fields() {
				cells := cols[f.Name]
				if len(cells) != int(rec.NumRows()) {
					t.Fatalf("record %d: %s reads %d rows of %s, want %d", i, reader, len(cells), f.Name, rec.NumRows())
				}
				a := rec.Column(j)
				for r, c := range cells {
					want := cellText(a, r)
					if (c == nil) != (want == nil) || c != nil && *c != *want {
						t.Fatalf("record %d: %s reads %s row %d as %v, want %v", i, reader, f.Name, r, deref(c), deref(want))
					}
				}
			}
		}
	}
}

// cellText is row r of a as read_raw.py writes a cell (nil: null).
func cellText(a arrow.Array, r int) *string {
	if a.IsNull(r) {
		return nil
	}
	var s string
	switch a := a.(type) {
	case *array.String:
		s = a.Value(r)
	case *array.Int64:
		s = strconv.FormatInt(a.Value(r), 10)
	case *array.Float64:
		s = strconv.FormatInt(int64(math.Float64bits(a.Value(r))), 10)
	case *array.Boolean:
		s = strconv.FormatBool(a.Value(r))
	default:
		panic("cellText: " + a.DataType().String())
	}
	return &s
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// recordColumns is rec's columns as typed columns (what table.Build was
// given), the values at nulls zero.
func recordColumns(rec arrow.RecordBatch) []*table.Column {
	cols := make([]*table.Column, rec.NumCols())
	for j, f := range rec.Schema().Fields() {
		a := rec.Column(j)
		c := &table.Column{Name: f.Name}
		for i := range a.Len() {
			ok := a.IsValid(i)
			switch a := a.(type) {
			case *array.String:
				c.Type = table.String
				c.AppendString(a.Value(i), ok)
			case *array.Float64:
				c.Type = table.Float
				c.AppendFloat(a.Value(i), ok)
			case *array.Int64:
				c.Type = table.Int
				c.AppendInt(a.Value(i), ok)
			case *array.Boolean:
				c.Type = table.Bool
				c.AppendBool(a.Value(i), ok)
			}
		}
		if a.Len() == 0 {
			c.Type, _ = table.TypeOf(f.Type)
		}
		cols[j] = c
	}
	return cols
}

// TestWriteColumnsAsRecord checks WriteColumns (typed columns, no Arrow
// record) against Write of the record table.Build makes of the same
// columns: the files are the same byte for byte, at GOMAXPROCS 1 and 2.
// Columns: the real Alameda ACS response, the real Atlanta stations'
// attributes, made-up records of every type with no, some and only nulls,
// empty, several row groups, and chunks written one after another (one
// empty) with their dictionary choice made on the first.
func TestWriteColumnsAsRecord(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	atlanta, err := ReadParquet(ctx, filepath.Join("..", "..", "testdata", "atlanta", "atlanta_transit_stations.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]string{"groundwork:file": "test.csv", "z": "last"}
	cases := []struct {
		name   string
		chunks [][]*table.Column
	}{
		{"alameda acs response (real)", [][]*table.Column{recordColumns(recorded(t))}},
		{"atlanta transit stations (real)", [][]*table.Column{recordColumns(atlanta)}},
		{"nulls, many row groups", [][]*table.Column{recordColumns(varied(t, 2*rowGroupRows+123, 9, 1))}},
		{"all nulls", [][]*table.Column{recordColumns(varied(t, 300, 1, 4))}},
		{"no nulls, small", [][]*table.Column{recordColumns(varied(t, parallelRows-1, 0, 2))}},
		{"empty", [][]*table.Column{recordColumns(varied(t, 0, 3, 5))}},
		{"chunks", [][]*table.Column{recordColumns(varied(t, 10, 2, 8)), recordColumns(varied(t, rowGroupRows+3, 5, 9)), recordColumns(varied(t, 0, 2, 10)), recordColumns(varied(t, 7000, 0, 11))}},
		{"points-like", [][]*table.Column{recordColumns(pointsLike(t, 20000))}},
	}
	for _, tc := range cases {
		for _, procs := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/procs=%d", tc.name, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				want, got := filepath.Join(dir, "want.parquet"), filepath.Join(dir, "got.parquet")
				var w *Writer
				for i, cols := range tc.chunks {
					rec, err := table.Build(meta, cols...)
					if err != nil {
						t.Fatal(err)
					}
					if i == 0 {
						if w, err = NewWriter(want, rec.Schema()); err != nil {
							t.Fatal(err)
						}
					}
					if err := w.Write(ctx, rec); err != nil {
						t.Fatal(err)
					}
					rec.Release()
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				cw, err := newColumnsWriter(got, meta, tc.chunks[0])
				if err != nil {
					t.Fatal(err)
				}
				for _, cols := range tc.chunks {
					if err := cw.WriteColumns(ctx, cols); err != nil {
						t.Fatal(err)
					}
				}
				if err := cw.Close(); err != nil {
					t.Fatal(err)
				}
				a, b := readFileBytes(t, got), readFileBytes(t, want)
				if !bytes.Equal(a, b) {
					t.Fatalf("%d bytes, the record's file %d: first difference at %d", len(a), len(b), firstDiff(a, b))
				}
			})
		}
	}
}

// newColumnsWriter is a Writer at path for the columns of cols and the
// metadata meta (ColumnsSchema), as the source stage makes one.
func newColumnsWriter(path string, meta map[string]string, cols []*table.Column) (*Writer, error) {
	s, err := ColumnsSchema(meta, cols)
	if err != nil {
		return nil, err
	}
	return NewWriter(path, s)
}

// TestWriteColumnsRefuses checks that columns unlike the file's are
// refused, and the file left out.
func TestWriteColumnsRefuses(t *testing.T) {
	ctx := context.Background()
	cols := []*table.Column{table.NewString("id", []string{"a", "b"}), {Name: "n", Type: table.Int, Ints: []int64{1, 2}, Valid: []bool{true, true}}}
	for name, bad := range map[string][]*table.Column{
		"too few":     cols[:1],
		"renamed":     {cols[0], {Name: "m", Type: table.Int, Ints: []int64{1, 2}, Valid: []bool{true, true}}},
		"retyped":     {cols[0], {Name: "n", Type: table.Float, Floats: []float64{1, 2}, Valid: []bool{true, true}}},
		"short":       {cols[0], {Name: "n", Type: table.Int, Ints: []int64{1}, Valid: []bool{true}}},
		"values lack": {cols[0], {Name: "n", Type: table.Int, Ints: []int64{1}, Valid: []bool{true, true}}},
	} {
		path := filepath.Join(t.TempDir(), "x.parquet")
		w, err := newColumnsWriter(path, nil, cols)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteColumns(ctx, bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if err := w.Close(); err == nil {
			t.Errorf("%s: closed without error after a refused write", name)
		}
		if _, err := os.Stat(path); err == nil {
			t.Errorf("%s: file left at %s", name, path)
		}
	}
}
