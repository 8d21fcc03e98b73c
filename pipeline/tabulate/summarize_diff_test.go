package tabulate

import (
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// madeUpRows is a MADE-UP table for TestSummarizeMatchesRef: keys of every
// type with nulls, measures of float and int type (NaN, infinities and
// negative zero among them), a string measure (never a number), a note
// column marking some values as Census codes, and a rule's column.
func madeUpRows(rng *rand.Rand, n int) []map[string]any {
	tracts := []any{"06001400100", "06001400200", "06001400300", nil}
	notes := []any{nil, "", "top-coded: 250,000 or more (250001)", "bottom-coded: 2,499 or less (2499)", "the result is at least the value shown (a top-coded input)"}
	floats := []float64{0, math.Copysign(0, -1), 1.5, -2.25, 250001, 2499, math.NaN(), math.Inf(1), math.Inf(-1), 1e21, 0.1, 3}
	rows := make([]map[string]any, n)
	for i := range rows {
		m := map[string]any{
			"tract":      tracts[rng.IntN(len(tracts))],
			"value_note": notes[rng.IntN(len(notes))],
			"label":      []string{"a", "b", "c"}[rng.IntN(3)],
		}
		if rng.IntN(8) > 0 {
			m["county"] = int64(rng.IntN(3))
		}
		if rng.IntN(8) > 0 {
			m["flag"] = rng.IntN(2) == 0
		}
		if rng.IntN(6) > 0 {
			m["value"] = floats[rng.IntN(len(floats))]
		}
		if rng.IntN(6) > 0 {
			m["n"] = int64(rng.IntN(40) - 5)
		}
		if rng.IntN(10) > 0 {
			m["ratio"] = float64(rng.IntN(1000)) / 7
		}
		rows[i] = m
	}
	return rows
}

var madeUpTypes = map[string]table.Type{
	"tract": table.String, "county": table.Int, "flag": table.Bool, "value": table.Float,
	"value_note": table.String, "n": table.Int, "ratio": table.Float, "label": table.String,
}

func tableOf(rows []map[string]any, types map[string]table.Type) *frame.Table {
	r := frame.New()
	for _, c := range slicesSorted(types) {
		r.AddCol(c, types[c])
	}
	for _, m := range rows {
		r.AppendRow(m)
	}
	return r
}

func slicesSorted(types map[string]table.Type) []string {
	return slices.Sorted(maps.Keys(types))
}

// streamOf hands the rows to a summary as chunks of at most size records,
// as the one pass does.
func streamOf(rows []map[string]any, types map[string]table.Type, size int) *frame.Table {
	cols := slicesSorted(types)
	return frame.Stream(cols, types, func(ctx context.Context, fn func(*frame.Table, int) error) error {
		for base := 0; base < len(rows); base += size {
			end := min(base+size, len(rows))
			if err := fn(tableOf(rows[base:end], types), base); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestSummarizeMatchesRef: the typed-column Summarize gives the groups,
// statistics, means, bounds and outside count of the former one
// (summarizeRef, which read every cell through frame.Table.Get), on
// made-up tables and on a real CSV, in memory and as streamed chunks.
func TestSummarizeMatchesRef(t *testing.T) {
	m := func(cols ...string) []*config.Measure {
		var ms []*config.Measure
		for _, c := range cols {
			ms = append(ms, &config.Measure{Column: c, Stats: []string{"count", "median"}})
		}
		return ms
	}
	summaries := []*config.Summary{
		{Name: "by_tract", By: []string{"tract"}, Measures: m("value", "n")},
		{Name: "by_int", By: []string{"county"}, Measures: m("ratio", "value")},
		{Name: "by_two", By: []string{"tract", "flag"}, Measures: m("value", "value", "label", "n")},
		{Name: "by_bool", By: []string{"flag", "county"}, Measures: m("n")},
		{Name: "where", By: []string{"label"}, Where: "n > 3", Measures: m("ratio", "missing")},
		{Name: "no_such_by", By: []string{"nothing"}, Measures: m("value")},
	}
	cfg := &config.Config{}
	opts := []cmp.Option{cmpopts.EquateNaNs()}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 5000, 20000} {
		rows := madeUpRows(rng, n)
		for _, s := range summaries {
			want, wantOut, err := summarizeRef(context.Background(), cfg, s, tableOf(rows, madeUpTypes), func(int) {})
			if err != nil {
				t.Fatal(err)
			}
			for _, chunk := range []int{0, 1, 999, 4096} {
				r := tableOf(rows, madeUpTypes)
				if chunk > 0 {
					r = streamOf(rows, madeUpTypes, chunk)
				}
				got, gotOut, err := Summarize(context.Background(), cfg, s, r, func(int) {})
				if err != nil {
					t.Fatal(err)
				}
				if gotOut != wantOut {
					t.Errorf("%d rows, %s, chunks of %d: outside %d, want %d", n, s.Name, chunk, gotOut, wantOut)
				}
				if d := cmp.Diff(want, got, opts...); d != "" {
					t.Errorf("%d rows, %s, chunks of %d (-ref +got):\n%s", n, s.Name, chunk, d)
				}
			}
		}
	}

	// Real: MARTA and other stations of the Atlanta region (testdata,
	// see its PROVENANCE.md), by agency and by opening, of the coordinates.
	f, err := os.Open("../../testdata/atlanta/atlanta_transit_stations_cnt_tod_database.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]table.Type{"Agency": table.String, "Year Opened": table.String, "Latitude": table.Float, "Longitude": table.Float}
	var rows []map[string]any
	for _, rec := range recs[1:] {
		lat, err1 := strconv.ParseFloat(rec[5], 64)
		lon, err2 := strconv.ParseFloat(rec[6], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%v: bad coordinates", rec)
		}
		rows = append(rows, map[string]any{"Agency": rec[1], "Year Opened": rec[4], "Latitude": lat, "Longitude": lon})
	}
	for _, s := range []*config.Summary{
		{Name: "agency", By: []string{"Agency"}, Measures: m("Latitude", "Longitude")},
		{Name: "opened", By: []string{"Year Opened", "Agency"}, Measures: m("Longitude")},
	} {
		want, _, err := summarizeRef(context.Background(), cfg, s, tableOf(rows, types), func(int) {})
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := Summarize(context.Background(), cfg, s, streamOf(rows, types, 50), func(int) {})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Groups) < 2 {
			t.Fatalf("%s: %d groups, want several", s.Name, len(got.Groups))
		}
		if d := cmp.Diff(want, got, opts...); d != "" {
			t.Errorf("atlanta %s (-ref +got):\n%s", s.Name, d)
		}
	}
}

// apiTable reads the real 2000 API file of Oakland's schools (the demo's,
// pipeline/demo/oakland; NA is null) with string, int and float columns,
// and adds api00_note, a MADE-UP note column (a top-code note on the
// schools at or above 800, an indicator note on two others) so that the
// coded-value path runs.
func apiTable(t testing.TB) *frame.Table {
	t.Helper()
	spec := source.CSV{Null: []string{"NA"}, Columns: []source.Column{
		{Name: "cds", Type: table.String}, {Name: "stype", Type: table.String}, {Name: "flag", Type: table.String},
		{Name: "awards", Type: table.String}, {Name: "snum", Type: table.Int}, {Name: "api00", Type: table.Int},
		{Name: "api99", Type: table.Int}, {Name: "meals", Type: table.Int}, {Name: "ell", Type: table.Int},
		{Name: "growth", Type: table.Int}, {Name: "avg_ed", Header: "avg.ed", Type: table.Float}, {Name: "acs_k3", Header: "acs.k3", Type: table.Int},
	}}
	rec, err := source.ReadCSV(context.Background(), filepath.Join("..", "demo", "oakland", "api_2000_oakland.csv"), spec)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	r := frame.FromRecord(rec)
	r.AddCol("api00_note", table.String)
	for i := range r.Len() {
		if x, ok := r.Get(i, "api00").(int64); ok && x >= 800 {
			r.Set(i, "api00_note", "top-coded: 800 or more (800)")
		}
		if i == 3 || i == 10 {
			r.Set(i, "api00_note", "the result is at least the value shown (a top-coded input)")
		}
	}
	return r
}

// chunked is r as a stream of chunks of n records (as the places stage
// hands them to a summary in its pass).
func chunked(r *frame.Table, n int) *frame.Table {
	return frame.Stream(r.Cols(), r.Types(), func(ctx context.Context, fn func(*frame.Table, int) error) error {
		for lo := 0; lo < r.Len(); lo += n {
			idx := make([]int, 0, n)
			for i := lo; i < min(lo+n, r.Len()); i++ {
				idx = append(idx, i)
			}
			if err := fn(r.Subset(idx), lo); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestSummarizeMatchesRefOakland: Summarize (its rules decided by
// frame.Table.Matcher) gives summarizeRef's results on real data: groups
// by text, integer and float columns, two columns, nulls in keys and
// measures, a measure twice, a missing column, rules, coded notes; the
// whole table and in chunks.
func TestSummarizeMatchesRefOakland(t *testing.T) {
	cfg := &config.Config{}
	ms := func(cols ...string) []*config.Measure {
		var out []*config.Measure
		for _, c := range cols {
			out = append(out, &config.Measure{Column: c, Stats: []string{"count", "median", "mean"}})
		}
		return out
	}
	tests := []*config.Summary{
		{Name: "by-type", By: []string{"stype"}, Measures: ms("api00", "api99", "meals")},
		{Name: "two-keys", By: []string{"stype", "awards"}, Measures: ms("api00", "ell", "avg_ed")},
		{Name: "null-key", By: []string{"stype", "acs_k3"}, Measures: ms("api00", "acs_k3")},
		{Name: "all-null-key", By: []string{"flag"}, Measures: ms("api00")},
		{Name: "int-key", By: []string{"acs_k3"}, Measures: ms("growth", "meals")},
		{Name: "float-key", By: []string{"avg_ed"}, Measures: ms("api00")},
		{Name: "same-twice", By: []string{"stype"}, Measures: ms("api00", "api00", "meals")},
		{Name: "missing", By: []string{"stype", "nothere"}, Measures: ms("api00")},
		{Name: "missing-measure", By: []string{"awards"}, Measures: ms("nothere", "api00", "stype")},
		{Name: "rule", Where: `stype == "E" && api00 < 600`, By: []string{"awards"}, Measures: ms("api00", "ell")},
		{Name: "rule-nulls", Where: `acs_k3 > 18 || flag == "x"`, By: []string{"stype"}, Measures: ms("api00")},
	}
	ctx := context.Background()
	coded := false
	defer func() {
		if !coded {
			t.Error("no group has a coded bound: the notes are not tested")
		}
	}()
	for _, s := range tests {
		for _, chunk := range []int{0, 1, 7, 64} {
			t.Run(fmt.Sprintf("%s/chunk%d", s.Name, chunk), func(t *testing.T) {
				// The reference reads the table in memory (it reads no
				// note column from a stream); Summarize reads it in
				// memory or in chunks.
				mem := apiTable
				size := chunk
				if chunk == 64 {
					// The real rows 300 times over (22,500 records), so
					// that groups hold many values.
					mem = func(t testing.TB) *frame.Table {
						r := apiTable(t)
						var idx []int
						for k := range 300 {
							for i := range r.Len() {
								idx = append(idx, (i+k)%r.Len())
							}
						}
						return r.Subset(idx)
					}
					size = 1000
				}
				in := func() *frame.Table {
					if chunk == 0 {
						return mem(t)
					}
					return chunked(mem(t), size)
				}
				want, wantOut, err := summarizeRef(ctx, cfg, s, mem(t), func(int) {})
				if err != nil {
					t.Fatal(err)
				}
				got, gotOut, err := Summarize(ctx, cfg, s, in(), func(int) {})
				if err != nil {
					t.Fatal(err)
				}
				if gotOut != wantOut {
					t.Errorf("outside: got %d, want %d", gotOut, wantOut)
				}
				if d := cmp.Diff(want, got, cmpopts.EquateNaNs()); d != "" {
					t.Errorf("Summarize differs from summarizeRef (-ref +got):\n%s", d)
				}
				if len(got.Groups) == 0 && s.Name != "missing" && s.Name != "all-null-key" {
					t.Errorf("no groups: the case tests nothing")
				}
				for _, g := range got.Groups {
					coded = coded || len(g.Bounds) > 0
				}
			})
		}
	}
}
