package geo

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/groundwork-org/groundwork/internal/pyref"
)

// TestApportionAgainstTobler interpolates real counts of the 360 Alameda
// County 2010 tracts (ACS 2014-2018 B03002 total and Black population,
// pipeline/census/testdata/alameda_acs5_2018_tracts.json) onto the 131
// Oakland neighbourhoods (pipeline/demo/oakland, see its PROVENANCE.md) with
// Overlaps + Apportion, and with tobler 0.13.0's area_interpolate on the
// same files in the same test run (testdata/tobler_reference.py), both in
// EPSG:5070, with allocate_total=False: the weight is the shared area over
// the source's area, as Apportion's. Two documented differences are pinned:
//   - tobler keeps its table of intersection areas as float32 (coo_matrix
//     dtype=np.float32 in _area_tables_binning), so the two agree to float32
//     precision (2e-7 of the value, 24 bits), not to 1e-9;
//   - allocate_total=True (tobler's default) divides by the part of the
//     source inside all targets instead of its area, so a tract that
//     reaches beyond the city gives the city all its people: the test checks
//     that this differs, for Clawson (its tract 06001401700 lies mostly
//     outside the neighbourhoods: 0.15 of its area is in Clawson).
func TestApportionAgainstTobler(t *testing.T) {
	ctx := context.Background()
	srcPath, _ := filepath.Abs("../pipeline/demo/oakland/alameda_tracts_2010.geojson")
	dstPath, _ := filepath.Abs("../pipeline/demo/oakland/oakland_neighborhoods.geojson")
	src, err := Read(ctx, "tracts", srcPath, "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	dst, err := Read(ctx, "neighborhoods", dstPath, "name")
	if err != nil {
		t.Fatal(err)
	}
	counts := alamedaCounts(t, "B03002_001E", "B03002_004E")
	req := map[string]any{"source": srcPath, "source_id": "GEOID", "target": dstPath, "target_id": "name", "counts": counts}
	var ref map[string]map[string]map[string]float64
	pyref.Run(t, "testdata/tobler_reference.py", req, &ref)

	ov, err := Overlaps(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	for v, byID := range counts {
		est := make([]float64, len(src.Features))
		for i, f := range src.Features {
			est[i] = byID[f.ID]
		}
		got, _, err := Apportion(ov, len(dst.Features), Count, est, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range dst.Features {
			want := ref["source_area"][v][f.ID]
			if math.IsNaN(got[i]) {
				t.Errorf("%s %s: null, tobler %v", v, f.ID, want)
				continue
			}
			if math.Abs(got[i]-want) > 2e-7*math.Max(1, math.Abs(want)) {
				t.Errorf("%s %s: %.12g, tobler %.12g", v, f.ID, got[i], want)
			}
			if f.ID == "Clawson" && v == "B03002_004E" {
				if alt := ref["allocate_total"][v][f.ID]; math.Abs(alt-got[i]) < 1 {
					t.Errorf("Clawson: tobler's allocate_total=True gives %v, want it to differ from the area weighting's %v", alt, got[i])
				}
			}
		}
	}
}

// alamedaCounts reads estimate columns of the real Alameda response by
// GEOID (state+county+tract).
func alamedaCounts(t *testing.T, names ...string) map[string]map[string]float64 {
	t.Helper()
	b, err := os.ReadFile("../pipeline/census/testdata/alameda_acs5_2018_tracts.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]*string
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for k, h := range rows[0] {
		col[*h] = k
	}
	out := map[string]map[string]float64{}
	for _, n := range names {
		out[n] = map[string]float64{}
		for _, r := range rows[1:] {
			id := *r[col["state"]] + *r[col["county"]] + *r[col["tract"]]
			v, err := strconv.ParseFloat(*r[col[n]], 64)
			if err != nil || v < 0 {
				t.Fatalf("%s %s: %v", id, n, err)
			}
			out[n][id] = v
		}
	}
	return out
}
