package store

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
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
	made, err := table.Build(nil, cols...)
	if err != nil {
		t.Fatal(err)
	}
	recs = append(recs, made)
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
