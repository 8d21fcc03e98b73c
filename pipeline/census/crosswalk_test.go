package census

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/geo"
)

// TestCrosswalkAtlanta brings the real ACS 2014-2018 table of Fulton and
// DeKalb (2010 tracts) onto 2020 tracts with the Bureau's relationship
// file (../../testdata/atlanta). Every 2010 tract's land parts sum to its
// land area (SOURCES.md), so the total population is kept: 1,765,089, the
// sum of B03002_001E over the 349 rows (python: sum of the JSON column).
func TestCrosswalkAtlanta(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "atlanta", "atlanta_acs5_2018_tracts.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tbl, err := Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := geo.ReadRelationship(context.Background(), filepath.Join("..", "..", "testdata", "atlanta", "tab20_tract20_tract10_subset.txt"))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := rel.Weights(2010)
	median := func(c string) bool { return strings.HasPrefix(c, "B19013") || strings.HasPrefix(c, "B25077") }
	if _, err := Crosswalk(tbl, w, 2010, median); !errors.Is(err, ErrMedianCrosswalk) || !strings.Contains(err.Error(), "B19013_001E, B25077_001E, B25077_001M") {
		t.Fatalf("medians: err = %v", err)
	}
	keep := &Table{rows: tbl.rows}
	for _, c := range tbl.Columns {
		if c.Kind == KindGeography || strings.HasPrefix(c.Name, "B03002") {
			keep.Columns = append(keep.Columns, c)
		}
	}
	out, err := Crosswalk(keep, w, 2010, median)
	if err != nil {
		t.Fatal(err)
	}
	ids := out.GEOIDs()
	pop := out.Column("B03002_001E")
	moe := out.Column("B03002_001M")
	sum := 0.0
	for i, v := range pop.Values {
		sum += v
		if ids[i] == "13121000201" {
			// 6291 ± 430 in 2010 tract 13121000200, 1,288,363 of its 2,878,577 m² of land
			if math.Abs(v-6291*1288363.0/2878577) > 1e-9 || math.Abs(moe.Values[i]-430*1288363.0/2878577) > 1e-9 {
				t.Errorf("13121000201 = %v ± %v", v, moe.Values[i])
			}
		}
	}
	if math.Abs(sum-1765089) > 1e-6 {
		t.Errorf("total population after the crosswalk %v, want 1765089", sum)
	}
	if got := out.Column("NAME").Raw[0]; !strings.HasSuffix(got, ", from 2010 tracts") {
		t.Errorf("NAME %q", got)
	}
	rec, err := out.Record()
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
}
