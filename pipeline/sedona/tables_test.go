package sedona

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/pipeline/tabulate"
)

// schoolsTable is the shared job's table: the demo's schools (the API 2000
// records of Oakland Unified, real), each at the point of its school in the
// state directory, with the summaries and segments the job computes over it.
var schoolsTable struct {
	records *frame.Table // every record with a point, in rec order, without placement columns
	point   []int64      // each record's row in the schools point set
	sums    []*config.Summary
	segs    []*config.Segment
}

// extraRules are summaries and segments beyond the demo's, written to take
// the rule translation through nil comparisons, in-lists, short circuits,
// arithmetic, ascending ranks, no limit and missing values (the real file's
// average class sizes acs.k3 and acs.core are NA for 22 and 51 of the 75
// schools).
func extraRules() ([]*config.Summary, []*config.Segment) {
	m := func(c string) *config.Measure {
		return &config.Measure{Column: c, Stats: []string{"count", "min", "median", "max", "mean"}}
	}
	sums := []*config.Summary{
		{Name: "by_terrain_or", Of: "schools", By: []string{"terrain"}, Where: `api00 >= 700 || stype in ["M", "H"]`, Measures: []*config.Measure{m("enroll"), m("api99")}},
		{Name: "by_level_nil", Of: "schools", By: []string{"stype"}, Where: `api99 != nil && api99 < 600`, Measures: []*config.Measure{m("tested")}},
		{Name: "by_hood", Of: "schools", By: []string{"neighborhood", "stype"}, Measures: []*config.Measure{m("api00")}},
		{Name: "missing_decides", Of: "schools", By: []string{"terrain"}, Where: `api99 - 10 < 500 && stype == "E"`, Measures: []*config.Measure{m("enroll")}},
		{Name: "k3_missing", Of: "schools", By: []string{"stype"}, Where: `acs_k3 >= 20`, Measures: []*config.Measure{m("acs_k3"), m("acs_core")}},
		{Name: "null_keys", Of: "schools", By: []string{"acs_core", "terrain"}, Measures: []*config.Measure{m("acs_k3")}},
	}
	segs := []*config.Segment{
		{Name: "all_by_api_asc", Of: "schools", Rank: &config.Rank{By: "api00", Order: "asc"}},
		{Name: "low_api99", Of: "schools", Where: `stype == "E" && api99 < 600`, Rank: &config.Rank{By: "tested"}, Limit: 7},
		{Name: "not_elementary", Of: "schools", Where: `stype not in ["E"] && !(terrain == "hills")`, Rank: &config.Rank{By: "enroll"}, Limit: 3},
		{Name: "unranked", Of: "schools", Where: `tract != nil && api00 * 2 > 1400`},
		{Name: "k3_small", Of: "schools", Where: `acs_k3 < 22 || stype == "H"`, Rank: &config.Rank{By: "acs_core", Order: "asc"}},
	}
	return sums, segs
}

// addSchoolsTable reads the demo's schools, joins them to the directory's
// points (the schools point set) by CDS code, and adds the table to job.
func addSchoolsTable(job *Job, dir *pointSet) error {
	cfg, err := config.Load(filepath.Join(oakland, "pipeline.yaml"))
	if err != nil {
		return err
	}
	header, rows, err := readCSV(filepath.Join(oakland, "cde_schools_2018_oakland.csv"))
	if err != nil {
		return err
	}
	code, err := column("directory", header, "CDSCode")
	if err != nil {
		return err
	}
	pointOf := map[string]int64{}
	for i, r := range rows {
		if dir.points.Valid[i] {
			pointOf[r[code]] = int64(i)
		}
	}
	path := filepath.Join(oakland, "api_2000_oakland.csv")
	header, rows, err = readCSV(path)
	if err != nil {
		return err
	}
	t := frame.New()
	strs := map[string]string{"cds": "cds", "sname": "sname", "stype": "stype"}
	ints := map[string]string{"api00": "api00", "api99": "api99", "enroll": "enroll", "tested": "api.stu", "acs_k3": "acs.k3", "acs_core": "acs.core"}
	for _, c := range []string{"cds", "sname", "stype"} {
		t.AddCol(c, table.String)
	}
	for _, c := range []string{"api00", "api99", "enroll", "tested", "acs_k3", "acs_core"} {
		t.AddCol(c, table.Int)
	}
	schoolsTable.point = nil
	for _, r := range rows {
		row := map[string]any{}
		for c, h := range strs {
			i, err := column(path, header, h)
			if err != nil {
				return err
			}
			row[c] = r[i]
		}
		for c, h := range ints {
			i, err := column(path, header, h)
			if err != nil {
				return err
			}
			if v, err := strconv.ParseInt(r[i], 10, 64); err == nil {
				row[c] = v
			}
		}
		d, _ := column(path, header, "dname")
		p, ok := pointOf[row["cds"].(string)]
		if r[d] != "Oakland Unified" || !ok {
			continue
		}
		t.AppendRow(row)
		schoolsTable.point = append(schoolsTable.point, p)
	}
	schoolsTable.records = t
	sums, segs := extraRules()
	for _, s := range cfg.Summaries {
		if s.Of == "schools" {
			sums = append(sums, s)
		}
	}
	for _, s := range cfg.Segments {
		if s.Of == "schools" {
			segs = append(segs, s)
		}
	}
	schoolsTable.sums, schoolsTable.segs = sums, segs
	types := placedTypes(t)
	spec := Table{Name: "schools_records", Points: "schools", Boundaries: []string{"tract", "neighborhood"},
		Records: func(emit func(arrow.RecordBatch) error) error {
			idx := make([]int, t.Len())
			for i := range idx {
				idx[i] = i
			}
			rec, err := RecordBatch(t, idx, 0, schoolsTable.point, t.Cols())
			if err != nil {
				return err
			}
			defer rec.Release()
			return emit(rec)
		}}
	for _, s := range sums {
		sp, err := SummarySpec(s, types)
		if err != nil {
			return err
		}
		spec.Summaries = append(spec.Summaries, sp)
	}
	for _, s := range segs {
		sp, err := SegmentSpec(s, "cds", types)
		if err != nil {
			return err
		}
		spec.Segments = append(spec.Segments, sp)
	}
	job.Tables = append(job.Tables, spec)
	return nil
}

// placedTypes is the column types of the records with the placement columns.
func placedTypes(t *frame.Table) map[string]table.Type {
	types := map[string]table.Type{}
	for c, ty := range t.Types() {
		types[c] = ty
	}
	for _, c := range []string{"tract", "neighborhood", "terrain"} {
		types[c] = table.String
	}
	return types
}

// nativeSchools is the places table the native engine builds: the records
// placed in a tract or a neighborhood by geo.LocateAll, with their
// placement columns, and each one's rec.
func nativeSchools(t *testing.T, dir *pointSet) (*frame.Table, []int) {
	t.Helper()
	tracts, hoods := native(t, dir, "tract"), native(t, dir, "neighborhood")
	recs := schoolsTable.records
	placed := frame.New()
	for _, c := range recs.Cols() {
		placed.AddCol(c, recs.Types()[c])
	}
	for _, c := range []string{"tract", "neighborhood", "terrain"} {
		placed.AddCol(c, table.String)
	}
	var recOf []int
	for i := range recs.Len() {
		p := schoolsTable.point[i]
		if tracts[p] == "" && hoods[p] == "" {
			continue
		}
		row := recs.Row(i)
		for c, v := range map[string]string{"tract": tracts[p], "neighborhood": hoods[p], "terrain": dir.areas["terrain"].Values[hoods[p]]} {
			if v != "" {
				row[c] = v
			}
		}
		placed.AppendRow(row)
		recOf = append(recOf, i)
	}
	return placed, recOf
}

// TestSummariesAndSegmentsInSpark computes the demo's summaries and segments
// over the schools (and the extra rules) in the Spark job, reads them back,
// and compares them with tabulate.Summarize and tabulate.Select over the
// native engine's places table: every group, statistic, member and count.
func TestSummariesAndSegmentsInSpark(t *testing.T) {
	dir, sets := runShared(t)
	ctx := context.Background()
	cfg, err := config.Load(filepath.Join(oakland, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	placed, recOf := nativeSchools(t, sets["schools"])
	rowOf := map[int64]int{}
	for row, rec := range recOf {
		rowOf[int64(rec)] = row
	}
	if placed.Len() < 50 {
		t.Fatalf("only %d schools placed", placed.Len())
	}
	var outside, missing int
	for _, s := range schoolsTable.sums {
		t.Run("summary/"+s.Name, func(t *testing.T) {
			want, wantOut, err := tabulate.Summarize(ctx, cfg, s, placed, func(int) {})
			if err != nil {
				t.Fatal(err)
			}
			sp, err := SummarySpec(s, placedTypes(schoolsTable.records))
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
				t.Errorf("Spark's summary differs from tabulate.Summarize (-native +spark):\n%s", d)
			}
			if out != wantOut {
				t.Errorf("outside: spark %d, native %d", out, wantOut)
			}
			outside += out
			t.Logf("%d groups, %d records with a null key: equal", len(got.Groups), out)
		})
	}
	for _, s := range schoolsTable.segs {
		t.Run("segment/"+s.Name, func(t *testing.T) {
			want, err := tabulate.Select(ctx, s, placed, "cds", func(int) {})
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
					t.Fatalf("member rec %d is not a placed record", rec)
				}
				rows[k] = r
			}
			got, err := tabulate.SegmentRows(ctx, s, placed, rows, int(m.Missing))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("Spark's segment differs from tabulate.Select (-native +spark):\n%s", d)
			}
			missing += got.Missing
			t.Logf("%d members (%d matched, %d missing): equal", len(got.Rows), m.Matched, m.Missing)
		})
	}
	// Without these the null paths of the translation would be untested.
	if outside == 0 || missing == 0 {
		t.Errorf("no summary had a null key (%d) or no segment a missing value (%d)", outside, missing)
	}
}
