package sedona

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/pipeline/tabulate"
)

// ohioTable is the GENERATED records over the 1,000,000 generated Ohio
// points (one per point): a decimal "value" and an integer "group" drawn
// with a fixed seed, and an "id".
var ohioTable struct {
	records *frame.Table
	sums    []*config.Summary
	segs    []*config.Segment
}

func addOhioTable(job *Job, set *pointSet) error {
	n := len(set.points.Points)
	rng := rand.New(rand.NewPCG(14, 14))
	value := &table.Column{Name: "value", Type: table.Float, Floats: make([]float64, n), Valid: make([]bool, n)}
	group := &table.Column{Name: "group", Type: table.Int, Ints: make([]int64, n), Valid: make([]bool, n)}
	id := &table.Column{Name: "id", Type: table.String, Strings: make([]string, n), Valid: make([]bool, n)}
	for i := range n {
		// Every 50th value is null: counted, not summarised.
		value.Floats[i], value.Valid[i] = rng.Float64()*1000, i%50 != 0
		group.Ints[i], group.Valid[i] = int64(rng.IntN(7)), true
		id.Strings[i], id.Valid[i] = fmt.Sprintf("g%07d", i), true
	}
	rec, err := table.Build(nil, value, group, id)
	if err != nil {
		return err
	}
	t := frame.FromRecord(rec)
	rec.Release()
	ohioTable.records = t
	m := &config.Measure{Column: "value", Stats: []string{"count", "min", "median", "max", "mean"}}
	ohioTable.sums = []*config.Summary{
		{Name: "ohio_by_tract", Of: "ohio", By: []string{"ohio_tract"}, Measures: []*config.Measure{m}},
		{Name: "ohio_by_group", Of: "ohio", By: []string{"group"}, Where: `value < 900 || group == 0`, Measures: []*config.Measure{m}},
	}
	ohioTable.segs = []*config.Segment{
		{Name: "ohio_top", Of: "ohio", Where: `group == 3 && value > 500`, Rank: &config.Rank{By: "value"}, Limit: 100},
		{Name: "ohio_low_tracts", Of: "ohio", Where: `value < 0.5`, Rank: &config.Rank{By: "value", Order: "asc"}},
	}
	types := map[string]table.Type{"value": table.Float, "group": table.Int, "id": table.String, "ohio_tract": table.String}
	spec := Table{Name: "ohio_records", Points: set.points.Name, Boundaries: []string{"ohio_tract"},
		Records: func(emit func(arrow.RecordBatch) error) error {
			idx := make([]int, n)
			pts := make([]int64, n)
			for i := range idx {
				idx[i], pts[i] = i, int64(i)
			}
			rec, err := RecordBatch(t, idx, 0, pts, t.Cols())
			if err != nil {
				return err
			}
			defer rec.Release()
			return emit(rec)
		}}
	for _, s := range ohioTable.sums {
		sp, err := SummarySpec(s, types)
		if err != nil {
			return err
		}
		spec.Summaries = append(spec.Summaries, sp)
	}
	for _, s := range ohioTable.segs {
		sp, err := SegmentSpec(s, "id", types)
		if err != nil {
			return err
		}
		spec.Segments = append(spec.Segments, sp)
	}
	job.Tables = append(job.Tables, spec)
	return nil
}

// TestOhioMillionSummaries computes summaries (by each of Ohio's 2,948 real
// tracts, and by a generated group) and segments (a top 100, and every match
// without a limit) over 1,000,000 GENERATED records at the generated Ohio
// points in the Spark job, and compares them with tabulate over the native
// placement: every group, statistic (the mean is a sum of decimals in record
// order) and member. Opt-in locally (-sedona.big), always on under CI.
func TestOhioMillionSummaries(t *testing.T) {
	if !*big && os.Getenv("CI") != "true" {
		t.Skip("generated 1,000,000-point run: pass -sedona.big (on by default when CI=true)")
	}
	dir, sets := runShared(t)
	ctx := context.Background()
	set := sets["ohio_generated"]
	tracts := native(t, set, "ohio_tract")
	recs := ohioTable.records
	var keep []int
	for i, id := range tracts {
		if id != "" {
			keep = append(keep, i)
		}
	}
	placed := recs.Subset(keep)
	placed.AddCol("ohio_tract", table.String)
	for k, i := range keep {
		placed.Set(k, "ohio_tract", tracts[i])
	}
	rowOf := map[int64]int{}
	for k, i := range keep {
		rowOf[int64(i)] = k
	}
	cfg := &config.Config{}
	for _, s := range ohioTable.sums {
		want, wantOut, err := tabulate.Summarize(ctx, cfg, s, placed, func(int) {})
		if err != nil {
			t.Fatal(err)
		}
		sp, err := SummarySpec(s, map[string]table.Type{"value": table.Float, "group": table.Int, "ohio_tract": table.String})
		if err != nil {
			t.Fatal(err)
		}
		gs, err := ReadSummary(ctx, dir, sp)
		if err != nil {
			t.Fatal(err)
		}
		groups, out := Groups(gs, s)
		got := tabulate.SummaryOf(cfg, s, groups)
		if d := cmp.Diff(want, got, cmpopts.EquateNaNs()); d != "" {
			t.Errorf("%s: Spark's summary differs from tabulate.Summarize (-native +spark):\n%s", s.Name, d)
		}
		if out != wantOut {
			t.Errorf("%s: outside: spark %d, native %d", s.Name, out, wantOut)
		}
		t.Logf("%s: %d groups over %d placed records (%d with a null key): equal", s.Name, len(got.Groups), placed.Len(), out)
	}
	for _, s := range ohioTable.segs {
		want, err := tabulate.Select(ctx, s, placed, "id", func(int) {})
		if err != nil {
			t.Fatal(err)
		}
		m, err := ReadSegment(ctx, dir, s.Name)
		if err != nil {
			t.Fatal(err)
		}
		rows := make([]int, len(m.Recs))
		for k, rec := range m.Recs {
			r, ok := rowOf[rec]
			if !ok {
				t.Fatalf("%s: member rec %d is not placed", s.Name, rec)
			}
			rows[k] = r
		}
		got, err := tabulate.SegmentRows(ctx, s, placed, rows, int(m.Missing))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: Spark's segment differs from tabulate.Select (-native +spark):\n%s", s.Name, d)
		}
		t.Logf("%s: %d members (%d matched, %d missing): equal", s.Name, len(got.Rows), m.Matched, m.Missing)
	}
}
