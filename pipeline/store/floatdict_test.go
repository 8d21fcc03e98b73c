package store

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// exactFloatDictionaryPays is floatDictionaryPays's rule counted exactly:
// at most one distinct value (by its bits) per dictMinRepeat valid rows
// of the first n.
func exactFloatDictionaryPays(a *array.Float64, n int) (pays bool, distinct, rows int) {
	seen := map[uint64]bool{}
	for i := range n {
		if a.IsValid(i) {
			rows++
			seen[math.Float64bits(a.Value(i))] = true
		}
	}
	return rows > 0 && len(seen) <= rows/dictMinRepeat, len(seen), rows
}

// openParquet opens the Parquet file at path for its metadata (the file is
// closed when the test ends).
func openParquet(t *testing.T, path string) *parquet.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return pf
}

// floatEncodings is, for each float64 column of the Parquet file at path,
// whether its first row group's chunk is dictionary-encoded.
func floatEncodings(t *testing.T, path string) map[string]bool {
	t.Helper()
	pf := openParquet(t, path)
	out := map[string]bool{}
	if len(pf.Metadata().RowGroups) == 0 {
		return out
	}
	for j, c := range pf.Metadata().RowGroups[0].Columns {
		if c.MetaData.Type != format.Double {
			continue
		}
		dict := false
		for _, e := range c.MetaData.Encoding {
			dict = dict || e == format.RLEDictionary || e == format.PlainDictionary
		}
		out[pf.Schema().Fields()[j].Name()] = dict
	}
	return out
}

// TestFloatDictionaryChoice: a float64 column is dictionary-encoded when
// its first row group holds at most one distinct value per dictMinRepeat
// rows, else PLAIN; the estimate (floatDictionaryPays) decides as an
// exact count does, but within 3% of the threshold. Columns: the real
// Alameda ACS response's (counts and MOEs repeat; the medians and
// coordinates-like values do not), the national scale bench's (GENERATED,
// with GROUNDWORK_CENSUS_BENCH), made-up points (lat, lon: unique), and
// made-up columns of 1 to 65,536 distinct values in 65,536 rows, some with
// nulls. The files written say the same (their column chunks' encodings).
func TestFloatDictionaryChoice(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	recs := []arrow.RecordBatch{recorded(t), pointsLike(t, rowGroupRows+100)}
	if os.Getenv("GROUNDWORK_CENSUS_BENCH") != "" {
		recs = append(recs, nationalRecord(t))
	}
	recs = append(recs, distinctColumns(t))
	sawDict, sawPlain := 0, 0
	for i, rec := range recs {
		path := filepath.Join(dir, fmt.Sprintf("f%d.parquet", i))
		if err := WriteParquet(ctx, path, rec); err != nil {
			t.Fatal(err)
		}
		enc := floatEncodings(t, path)
		rows := min(int(rec.NumRows()), rowGroupRows)
		for j, f := range rec.Schema().Fields() {
			a, ok := rec.Column(j).(*array.Float64)
			if !ok {
				continue
			}
			got := (&chunk{rec: rec}).floatDictionaryPays(j, rows)
			want, distinct, valid := exactFloatDictionaryPays(a, rows)
			near := math.Abs(float64(distinct)-float64(valid/dictMinRepeat)) <= 0.03*float64(valid/dictMinRepeat)
			if got != want && !near {
				t.Errorf("record %d column %s: %d distinct of %d valid rows: dictionary %v, want %v", i, f.Name, distinct, valid, got, want)
			}
			if enc[f.Name] != got {
				t.Errorf("record %d column %s: the file's chunk is dictionary-encoded %v, the choice %v", i, f.Name, enc[f.Name], got)
			}
			if got {
				sawDict++
			} else {
				sawPlain++
			}
		}
	}
	if enc := floatEncodings(t, filepath.Join(dir, "f1.parquet")); enc["lat"] || enc["lon"] {
		t.Errorf("points' lat, lon dictionary-encoded: %v", enc)
	}
	if sawDict < 10 || sawPlain < 10 {
		t.Errorf("%d dictionary-encoded float columns and %d PLAIN ones", sawDict, sawPlain)
	}
}

// distinctColumns is a MADE-UP record (seeded PCG) of float64 columns of 1
// to 65,536 distinct values in 65,536 rows, with and without nulls, and
// one of 10 values where valid and unique ones under its nulls.
func distinctColumns(tb testing.TB) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(7, 8))
	var cols []*table.Column
	n := rowGroupRows
	for _, distinct := range []int{1, 2, 100, 5000, 15000, 15800, 16900, 17500, 30000, n} {
		for _, nulls := range []bool{false, true} {
			c := &table.Column{Name: fmt.Sprintf("d%d_nulls%v", distinct, nulls), Type: table.Float}
			for i := range n {
				v := float64(i % distinct)
				if distinct > 1 && i < distinct {
					v = float64(i) * 1.5 // every distinct value at least once
				} else if distinct > 1 {
					v = float64(rng.IntN(distinct)) * 1.5
				}
				c.AppendFloat(v, !nulls || i%3 != 0)
			}
			cols = append(cols, c)
		}
	}
	// Repeats where valid, unique under the nulls: a choice that reads
	// the wrong rows' validity sees unique values.
	c := &table.Column{Name: "nulls_matter", Type: table.Float}
	for i := range n {
		if rng.IntN(2) == 0 {
			c.AppendFloat(float64(i%10), true)
		} else {
			c.AppendFloat(float64(i)+0.5, false)
		}
	}
	made, err := table.Build(nil, append(cols, c)...)
	if err != nil {
		tb.Fatal(err)
	}
	return made
}

// oldFloatDictionaryPays is floatDictionaryPays as it was (session 7),
// validity read through a call per value: the differential test's
// reference.
func oldFloatDictionaryPays(c *chunk, j, n int) bool {
	var vals []float64
	var valid func(i int) bool
	if c.rec != nil {
		a := c.rec.Column(j).(*array.Float64)
		vals = a.Float64Values()
		if a.NullN() > 0 {
			valid = a.IsValid
		}
	} else {
		tc := c.cols[j]
		vals, valid = tc.Floats, func(i int) bool { return tc.Valid[i] }
	}
	rows := n
	if valid != nil {
		rows = 0
		for i := range n {
			if valid(i) {
				rows++
			}
		}
	}
	limit := float64(rows / dictMinRepeat)
	const m = distinctBits
	maxSet := int(m*(1-math.Exp(-limit/m))*1.01) + 1
	var bitmap [m / 64]uint64
	set := 0
	for i, v := range vals[:n] {
		if valid != nil && !valid(i) {
			continue
		}
		h := math.Float64bits(v)
		h ^= h >> 33
		h *= 0xff51afd7ed558ccd
		h ^= h >> 33
		h *= 0xc4ceb9fe1a85ec53
		b := (h ^ h>>33) >> (64 - distinctLog)
		w := &bitmap[b>>6]
		set += int(^*w >> (b & 63) & 1)
		*w |= 1 << (b & 63)
		if i&1023 == 1023 && set > maxSet {
			return false
		}
	}
	if set > maxSet {
		return false
	}
	return rows > 0 && float64(m)*math.Log(float64(m)/float64(m-set)) <= limit
}

// TestFloatDictionaryPaysMatchesOld: floatDictionaryPays decides as the
// old code (oldFloatDictionaryPays) on every float64 column of records
// and of their slices (Arrow offsets not zero, so validity bits that do
// not start a byte) and of the same columns as table columns, for the
// first 1, 7, 1,000, 4,096 and all rows (up to a row group): the real
// Alameda response, the national one with GROUNDWORK_CENSUS_BENCH
// (GENERATED), and MADE-UP ones.
func TestFloatDictionaryPaysMatchesOld(t *testing.T) {
	varied := varied(t, 3*rowGroupRows, 3, 21)
	repeating := repeatingFloats(t, 2*rowGroupRows+5, 22)
	recs := []arrow.RecordBatch{recorded(t), distinctColumns(t), pointsLike(t, 5000), varied, repeating,
		varied.NewSlice(13, 13+rowGroupRows), repeating.NewSlice(rowGroupRows+3, 2*rowGroupRows+5), distinctColumns(t).NewSlice(5, 40000)}
	if os.Getenv("GROUNDWORK_CENSUS_BENCH") != "" {
		recs = append(recs, nationalRecord(t))
	}
	tested, pays := 0, 0
	for r, rec := range recs {
		cols := make([]*table.Column, rec.NumCols())
		for j := range cols {
			a, ok := rec.Column(j).(*array.Float64)
			if !ok {
				continue
			}
			c := &table.Column{Name: rec.ColumnName(j), Type: table.Float}
			for i := range a.Len() {
				c.AppendFloat(a.Value(i), a.IsValid(i))
			}
			cols[j] = c
		}
		for j, col := range cols {
			if col == nil {
				continue
			}
			all := min(int(rec.NumRows()), rowGroupRows)
			for _, n := range []int{1, 7, 1000, 4096, all} {
				if n > all {
					continue
				}
				for _, c := range []*chunk{{rec: rec}, {cols: cols}} {
					got, want := c.floatDictionaryPays(j, n), oldFloatDictionaryPays(c, j, n)
					if got != want {
						t.Errorf("record %d column %s, %d rows (Arrow %v): %v, the old code %v", r, col.Name, n, c.rec != nil, got, want)
					}
					tested++
					if got {
						pays++
					}
				}
			}
		}
	}
	if tested < 200 || pays < 50 || tested-pays < 50 {
		t.Errorf("%d choices, %d dictionary", tested, pays)
	}
}

// oldStringIndexes is stringIndexes as it was, over a Go map (the
// reference of TestStringIndexesMatchMap).
func oldStringIndexes(src []string, limit int) (idx []int32, dict []string, ok bool) {
	m := map[string]int32{}
	for _, v := range src {
		x, found := m[v]
		if !found {
			x = int32(len(dict))
			if int(x) == limit {
				return idx, dict, false
			}
			m[v] = x
			dict = append(dict, v)
		}
		idx = append(idx, x)
	}
	return idx, dict, true
}

// TestStringIndexesMatchMap checks stringIndexes's open-addressing table
// against a Go map: the same indexes, dictionary and decision on MADE-UP
// columns of unique values (the table grown many times when there is no
// limit), repeats, sorted runs, empty strings, and either side of a limit.
func TestStringIndexesMatchMap(t *testing.T) {
	unique := make([]string, 200_000)
	for k := range unique {
		unique[k] = fmt.Sprintf("%011d", k*7919)
	}
	repeats := make([]string, 100_000)
	for k := range repeats {
		repeats[k] = unique[(k*31)%5000]
	}
	runs := make([]string, 50_000)
	for k := range runs {
		runs[k] = unique[k/100]
	}
	empties := []string{"", "a", "", "", "b", "a", ""}
	cases := []struct {
		name  string
		src   []string
		limit int
	}{
		{"unique, no limit", unique, -1},
		{"unique, limit", unique, len(unique) / 4},
		{"repeats, no limit", repeats, -1},
		{"repeats, limit 4999", repeats, 4999},
		{"repeats, limit 5000", repeats, 5000},
		{"repeats, limit 5001", repeats, 5001},
		{"runs", runs, -1},
		{"empty strings", empties, -1},
		{"empty strings, limit 2", empties, 2},
		{"none", nil, -1},
	}
	e := new(chunkEncoder)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantIdx, wantDict, wantOK := oldStringIndexes(tc.src, tc.limit)
			ok := stringIndexes(e, stringSlice(tc.src), tc.limit)
			if ok != wantOK {
				t.Fatalf("pays %v, want %v", ok, wantOK)
			}
			var dict []string
			for y := range len(e.dictOffs) - 1 {
				dict = append(dict, string(e.dictData[e.dictOffs[y]:e.dictOffs[y+1]]))
			}
			if diff := cmp.Diff(wantDict, dict); diff != "" {
				t.Errorf("dictionary (-want +got):\n%s", diff)
			}
			if ok && !slices.Equal(e.idx, wantIdx) {
				t.Errorf("indexes differ: %d of them, want %d", len(e.idx), len(wantIdx))
			}
		})
	}
}
