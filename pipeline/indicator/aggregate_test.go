package indicator

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestAggregate groups real tracts into made-up areas ("madeup north",
// "madeup east"; not a real classification) and checks the sums against
// stats.Sum of the same rows, the null rules and the per-area indicator.
func TestAggregate(t *testing.T) {
	rec, _ := loadTracts(t)
	ids, _, _ := table.Strings(rec, "geoid")
	area := make([]string, len(ids))
	for i, id := range ids {
		switch id {
		case "06001400100", "06001400300", "06001401400":
			area[i] = "madeup north"
		case "06001408600", "06001409000", "06001990000":
			area[i] = "madeup east"
		case "06001422600":
			area[i] = "madeup median-null"
		}
	}
	vars := []string{"B25003_002E", "B25003_003E"}
	agg, err := Aggregate(rec, area, []string{"madeup empty"}, vars, medians, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer agg.Release()
	names, _, _ := table.Strings(agg, AreaColumn)
	if got := strings.Join(names, "|"); got != "madeup east|madeup empty|madeup median-null|madeup north" {
		t.Fatalf("areas %s", got)
	}
	units, _, _ := table.Floats(agg, UnitsColumn)
	if units[0] != 3 || units[1] != 0 || units[2] != 1 || units[3] != 3 {
		t.Errorf("units = %v, want [3 0 1 3]", units)
	}
	rent, rentOK, _ := table.Floats(agg, "B25003_003E")
	rentM, _, _ := table.Floats(agg, "B25003_003M")
	notes, _, _ := table.Strings(agg, "B25003_003E_note")
	// North: renters 139±74, 1384±211, 1278±126 (B25003_003E/M).
	want := stats.Sum(stats.Value{Est: 139, MOE: 74}, stats.Value{Est: 1384, MOE: 211}, stats.Value{Est: 1278, MOE: 126})
	if !near(rent[3], want.Est) || !near(rentM[3], want.MOE) {
		t.Errorf("north renters %v ± %v, want %v", rent[3], rentM[3], want)
	}
	// East includes the water tract's 0 ± 12.
	want = stats.Sum(stats.Value{Est: 1109, MOE: 140}, stats.Value{Est: 548, MOE: 82}, stats.Value{Est: 0, MOE: 12})
	if !near(rent[0], want.Est) || !near(rentM[0], want.MOE) {
		t.Errorf("east renters %v ± %v, want %v", rent[0], rentM[0], want)
	}
	if rentOK[1] || notes[1] != "no units in area" {
		t.Errorf("empty area: valid %v note %q", rentOK[1], notes[1])
	}

	// Annotation values null the area's sum of a Census variable.
	agg2, err := Aggregate(rec, area, nil, []string{"B25064_001E"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer agg2.Release()
	_, ok, _ := table.Floats(agg2, "B25064_001E")
	n2, _, _ := table.Strings(agg2, "B25064_001E_note")
	if ok[1] || n2[1] != "1 of 1 units null" {
		t.Errorf("annotation: valid %v note %q", ok[1], n2[1])
	}

	// Medians are refused.
	if _, err := Aggregate(rec, area, nil, []string{"B19013_001E"}, medians, map[string]string{"B19013_001E": "madeup reason"}); !errors.As(err, new(*NotSummableError)) || !strings.Contains(err.Error(), "(madeup reason)") {
		t.Errorf("median aggregated: %v", err)
	}
	if _, err := Aggregate(rec, area[:2], nil, vars, nil, nil); err == nil {
		t.Error("short area slice accepted")
	}

	// Indicators evaluate on the aggregated record like on tracts.
	ind, err := Compile(Spec{Name: "renter_share", Expr: renterShare, Kind: Proportion, Percent: true}, []string{"B25003_002E", "B25003_002M", "B25003_003E", "B25003_003M"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ind.Evaluate(agg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Valid[1] || !strings.Contains(r.Note[1], "B25003_003E is null (no units in area)") {
		t.Errorf("empty area share: valid %v note %q", r.Valid[1], r.Note[1])
	}
	if !r.Valid[3] || math.IsNaN(r.MOE[3]) {
		t.Errorf("north share not computed: %v ± %v %q", r.Est[3], r.MOE[3], r.Note[3])
	}
}

func TestGroupCounts(t *testing.T) {
	rec, _ := loadTracts(t)
	groups := []string{"B03002_004E", "B03002_012E"}
	counts, kept, dropped, err := GroupCounts(rec, groups)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != int(rec.NumRows()) || len(dropped) != 0 || len(kept) != len(counts) {
		t.Fatalf("%d rows kept, %d dropped, want all %d kept", len(counts), len(dropped), rec.NumRows())
	}
	i := rowOf(t, rec, "06001409000")
	if counts[i][0] != 1261 || counts[i][1] != 2059 {
		t.Errorf("tract 4090 counts %v, want [1261 2059] (B03002_004E, _012E)", counts[i])
	}
	// B25064_001E is the annotation -666666666 in 2 of the 14 tracts
	// (06001422600, 06001990000).
	_, _, dropped, err = GroupCounts(rec, []string{"B25003_003E", "B25064_001E"})
	if err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 2 || dropped[0] != rowOf(t, rec, "06001422600") || dropped[1] != rowOf(t, rec, "06001990000") {
		t.Errorf("dropped rows %v, want the 2 annotated tracts", dropped)
	}
	if _, _, _, err := GroupCounts(rec, []string{"nope"}); err == nil || !strings.Contains(err.Error(), `no column "nope"`) {
		t.Errorf("missing column: %v", err)
	}
}
