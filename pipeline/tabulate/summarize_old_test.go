package tabulate

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

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

// TestSummarizeAsOld: Summarize reads each chunk's columns typed; its
// results are those of the former version (oldSummarize, reading every
// value through Get), on real data: groups by text, integer and float
// columns, two columns, nulls in keys and measures, a measure twice, a
// missing column, a rule, coded notes; the whole table and in chunks.
func TestSummarizeAsOld(t *testing.T) {
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
				in := func() *frame.Table {
					if chunk == 0 {
						return apiTable(t)
					}
					return chunked(apiTable(t), chunk)
				}
				if chunk == 64 {
					// The real rows 300 times over (22,500 records), so
					// that groups hold more than a block of values.
					in = func() *frame.Table {
						r := apiTable(t)
						var idx []int
						for k := range 300 {
							for i := range r.Len() {
								idx = append(idx, (i+k)%r.Len())
							}
						}
						return chunked(r.Subset(idx), 1000)
					}
				}
				want, wantOut, err := oldSummarize(ctx, cfg, s, in(), func(int) {})
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
					t.Errorf("Summarize differs from the former version (-old +new):\n%s", d)
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

// oldSummarize is Summarize as it was at 0373dfb (every value read
// through frame.Table.Get), kept as the reference.
func oldSummarize(ctx context.Context, cfg *config.Config, s *config.Summary, r *frame.Table, done func(int)) (res *result.Summary, outside int, err error) {
	var rule *segment.Rule
	if s.Where != "" {
		if rule, err = segment.Compile(s.Where, r.Cols()); err != nil {
			return nil, 0, err
		}
	}
	type acc struct {
		keys []string
		n    int
		vals map[string][]float64
		// coded holds the measures' values that are bounds (top- or
		// bottom-coded medians, or indicators computed from them).
		coded map[string][]codedValue
	}
	groups := map[string]*acc{}
	env := map[string]any{}
	keys := make([]string, len(s.By))
	var kb []byte
	// Read only the columns the summary uses.
	need := slices.Clone(s.By)
	for _, m := range s.Measures {
		need = append(need, m.Column)
	}
	if rule != nil {
		need = append(need, rule.Columns()...)
	}
	err = r.ScanCols(ctx, need, func(c *frame.Table, base int) error {
		for i := range c.Len() {
			if i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				done(base + i)
			}
			if rule != nil {
				ok, err := c.Match(rule, i, env)
				if err != nil && !errors.Is(err, segment.ErrMissing) {
					return err
				}
				if !ok {
					continue
				}
			}
			null := false
			kb = kb[:0]
			for k, b := range s.By {
				v := c.Get(i, b)
				if v == nil {
					null = true
					break
				}
				if str, ok := v.(string); ok {
					keys[k] = str
				} else {
					keys[k] = fmt.Sprint(v)
				}
				if k > 0 {
					kb = append(kb, 0)
				}
				kb = append(kb, keys[k]...)
			}
			if null {
				outside++
				continue
			}
			g := groups[string(kb)]
			if g == nil {
				g = &acc{keys: slices.Clone(keys), vals: map[string][]float64{}}
				for k := range g.keys {
					g.keys[k] = strings.Clone(g.keys[k])
				}
				groups[string(kb)] = g
			}
			g.n++
			for _, m := range s.Measures {
				if x, ok := frame.ToFloat(c.Get(i, m.Column)); ok {
					g.vals[m.Column] = append(g.vals[m.Column], x)
					if note, ok := c.Get(i, m.Column+table.NoteSuffix).(string); ok {
						if b := indicator.NoteBound(note); b != indicator.Exact {
							if g.coded == nil {
								g.coded = map[string][]codedValue{}
							}
							words, _ := indicator.NoteCode(note)
							g.coded[m.Column] = append(g.coded[m.Column], codedValue{x, b, words})
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	var out []*result.Group
	for _, g := range groups {
		grp := &result.Group{Keys: g.keys, N: g.n, Stats: map[string]stats.Summary{}, Mean: map[string]float64{}}
		for _, m := range s.Measures {
			v := g.vals[m.Column]
			grp.Stats[m.Column] = stats.Summarize(v)
			sum := 0.0
			for _, x := range v {
				sum += x
			}
			grp.Mean[m.Column] = stats.Ratio(sum, float64(len(v)))
			if cv := g.coded[m.Column]; len(cv) > 0 {
				if grp.Bounds == nil {
					grp.Bounds = map[string]map[string]string{}
				}
				grp.Bounds[m.Column] = statBounds(v, grp.Stats[m.Column], cv)
			}
		}
		out = append(out, grp)
	}
	return SummaryOf(cfg, s, out), outside, nil
}
