package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestInterpolateOntoNeighborhoods apportions the demo's tract population
// onto its Oakland neighborhoods from the pipeline file (interpolate:), and
// compares each neighborhood with tobler's area_interpolate on the same
// files (testdata/interpolate_tobler.json, written by
// testdata/interpolate_tobler.py with the pinned .venv). The report shows
// the table; a median is refused.
func TestInterpolateOntoNeighborhoods(t *testing.T) {
	p, b, _, out, rec := runDemoInterpolation(t, "", `
interpolate:
  - name: neighborhood_people
    title: People and homes by neighborhood
    onto: neighborhood
    columns: [B03002_001E, B25003_002E, B25003_003E]
`)
	ids, _, _ := table.Strings(rec, "id")
	pop, valid, _ := table.Floats(rec, "B03002_001E")
	moe, mvalid, _ := table.Floats(rec, "B03002_001E_moe")
	var ref struct {
		Tobler string             `json:"tobler"`
		Pop    map[string]float64 `json:"B03002_001E"`
	}
	rb, err := os.ReadFile(filepath.Join("testdata", "interpolate_tobler.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rb, &ref); err != nil || len(ref.Pop) == 0 {
		t.Fatalf("reference: %v", err)
	}
	if len(ids) != len(ref.Pop) {
		t.Errorf("%d neighborhoods, tobler %d", len(ids), len(ref.Pop))
	}
	for i, id := range ids {
		want, ok := ref.Pop[id]
		if !ok || !valid[i] {
			t.Errorf("%s: valid %v, in tobler's %v", id, valid[i], ok)
			continue
		}
		// both intersect the same polygons in EPSG:5070; different clippers
		if math.Abs(pop[i]-want) > 1e-6*math.Max(1, want) {
			t.Errorf("%s: %v people, tobler %v", id, pop[i], want)
		}
		if !mvalid[i] || moe[i] < 0 {
			t.Errorf("%s: MOE %v (valid %v)", id, moe[i], mvalid[i])
		}
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(report), "People and homes by neighborhood") || !strings.Contains(string(report), "interpolated/neighborhood_people.parquet") {
		t.Error("the report does not show the interpolation")
	}
	// a median cannot be apportioned
	os.WriteFile(p, []byte(strings.Replace(string(b), "columns: [B03002_001E, B25003_002E", "columns: [B19013_001E, B25003_002E", 1)), 0o644)
	if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), "interpolate[0].columns[0]: B19013_001E is a median or mean") {
		t.Errorf("median: err = %v", err)
	}
}

// TestInterpolatedAreasMappedAndCompared computes an indicator on the
// demo's Oakland neighborhoods from the tract counts apportioned onto them
// (interpolate: indicators), maps the neighborhoods shaded by it in the
// interpolation's section (in natural-break classes), and compares three
// of them pair by pair with their rate differences and ratios, as the
// report compares areas. The renter share of each neighborhood is checked
// against tobler's area_interpolate of the two B25003 counts it comes from
// (testdata/interpolate_tobler.json); a feature compare names that the
// boundary lacks fails the run with a suggestion.
func TestInterpolatedAreasMappedAndCompared(t *testing.T) {
	_, _, cfg, out, rec := runDemoInterpolation(t, "", `
interpolate:
  - name: neighborhood_homes
    title: Renters by neighborhood
    onto: neighborhood
    columns: [B03002_001E]
    indicators: [renter_share]
    compare: [Rockridge, Fruitvale Station, Adams Point]
    disparities: true
    breaks: fisher_jenks
`)
	ids, _, _ := table.Strings(rec, "id")
	share, valid, err := table.Floats(rec, "renter_share")
	if err != nil {
		t.Fatalf("interpolated/neighborhood_homes.parquet: %v", err)
	}
	moe, mvalid, _ := table.Floats(rec, "renter_share_moe")
	var ref map[string]map[string]float64
	rb, _ := os.ReadFile(filepath.Join("testdata", "interpolate_tobler.json"))
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(rb, &raw); err != nil {
		t.Fatal(err)
	}
	ref = map[string]map[string]float64{}
	for _, c := range []string{"B25003_002E", "B25003_003E"} {
		var m map[string]float64
		if err := json.Unmarshal(raw[c], &m); err != nil || len(m) == 0 {
			t.Fatalf("reference %s: %v", c, err)
		}
		ref[c] = m
	}
	checked := 0
	for i, id := range ids {
		own, rent := ref["B25003_002E"][id], ref["B25003_003E"][id]
		if own+rent == 0 {
			if valid[i] {
				t.Errorf("%s: renter share %v of no homes", id, share[i])
			}
			continue
		}
		want := 100 * rent / (own + rent) // a percent indicator holds 0-100
		if !valid[i] || math.Abs(share[i]-want) > 1e-6 {
			t.Errorf("%s: renter share %v (valid %v), tobler's counts give %v", id, share[i], valid[i], want)
		}
		if !mvalid[i] || !(moe[i] > 0) {
			t.Errorf("%s: renter share MOE %v (valid %v)", id, moe[i], mvalid[i])
		}
		checked++
	}
	if checked < 100 {
		t.Errorf("checked %d neighborhoods; the demo has 131", checked)
	}

	rb, _ = os.ReadFile(filepath.Join(out, "report.html"))
	report := html.UnescapeString(string(rb))
	for _, want := range []string{
		`id="map-interpolated-0" viewBox=`,
		`data-id="Rockridge"`,
		`data-map="map-interpolated-0"`,
		"Neighborhoods shaded by renter-occupied homes in five natural-break classes (Fisher-Jenks: the classes with the least spread of values within them; ",
		"neighborhoods, lowest class first), each value computed from the tract counts apportioned onto it.",
		"Rate difference ± MOE",
		"Rate difference: the first neighborhood's value minus the second's",
		"Renter-occupied homes: computed for each neighborhood from its apportioned counts",
		"Are the differences real?",
		"Rockridge vs Fruitvale Station",
		"Rockridge vs Adams Point",
		"Fruitvale Station vs Adams Point",
		"differences between neighborhoods are statistically significant at the 90% level",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}

	// a feature the boundary lacks
	cfg.Interpolate[0].Compare[0] = "Rockrige"
	_, err = Run(context.Background(), cfg, Options{OutDir: filepath.Join(t.TempDir(), "o"), NoCache: true})
	if err == nil || !strings.Contains(err.Error(), `compare[0]: neighborhood has no feature "Rockrige"; did you mean "Rockridge"?`) {
		t.Errorf("unknown feature: err = %v", err)
	}
}

// runDemoInterpolation runs the demo with the interpolate block appended to
// its pipeline file (and boundaries, when not empty, added to its
// boundaries) and returns the file's path and bytes, the loaded
// configuration, the output folder and the first interpolation's Parquet
// file, read (released when the test ends).
func runDemoInterpolation(t *testing.T, boundaries, block string) (path string, yaml []byte, cfg *config.Config, out string, rec arrow.RecordBatch) {
	t.Helper()
	path = filepath.Join(demoDir(t), oakland.Pipeline)
	b, _ := os.ReadFile(path)
	yaml = append(bytes.Replace(b, []byte("\nboundaries:\n"), []byte("\nboundaries:\n"+boundaries), 1), block...)
	os.WriteFile(path, yaml, 0o644)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	out = filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), cfg, Options{OutDir: out, NoCache: true}); err != nil {
		t.Fatal(err)
	}
	rec, err = store.ReadParquet(context.Background(), filepath.Join(out, "interpolated", cfg.Interpolate[0].Name+".parquet"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rec.Release)
	return path, yaml, cfg, out, rec
}

// TestInterpolateOntoOtherTractVintage moves the demo's 2010 tract counts
// onto 2020 tracts by the overlap of the two layers' own polygons, with
// interpolate: onto a 2020 tract boundary: the crosswalk for layers the
// Census Bureau publishes no relationship file for (the relationship file
// crosswalk is sources.<name>.crosswalk). The 2020 layer is the Oakland
// 2020 tracts clipped to the city line (geo/testdata/PROVENANCE.md). The
// population of 2020 tract 06001401400 must be the 2010 populations
// weighted by the shares GeoPandas' overlay gives for its five overlaps
// (geo TestOverlapsAgainstGeoPandas).
func TestInterpolateOntoOtherTractVintage(t *testing.T) {
	tracts2020, err := filepath.Abs(filepath.Join("..", "geo", "testdata", "oakland_tracts_2020_clipped.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, out, rec := runDemoInterpolation(t, "  tract2020: {file: "+tracts2020+", id: GEOID}\n", `
interpolate:
  - name: tracts_2020
    title: People on 2020 tracts
    onto: tract2020
    columns: [B03002_001E]
`)
	ids, _, _ := table.Strings(rec, "id")
	pop, valid, _ := table.Floats(rec, "B03002_001E")
	if len(ids) != 116 {
		t.Errorf("%d 2020 tracts, want the file's 116", len(ids))
	}
	acs, _ := oakland.Files.ReadFile("alameda_acs5_2018_tracts.json")
	var all [][]*string
	if err := json.Unmarshal(acs, &all); err != nil {
		t.Fatal(err)
	}
	pop2010 := map[string]float64{}
	col := map[string]int{}
	for i, h := range all[0] {
		col[*h] = i
	}
	for _, r := range all[1:] {
		v, _ := strconv.ParseFloat(*r[col["B03002_001E"]], 64)
		pop2010[*r[col["state"]]+*r[col["county"]]+*r[col["tract"]]] = v
	}
	// GeoPandas' shares of each 2010 tract's area inside 2020 tract 06001401400
	want := 0.000717100*pop2010["06001401000"] + 0.000576568*pop2010["06001401300"] + 0.995285753*pop2010["06001401400"] +
		0.000563946*pop2010["06001401500"] + 0.000667930*pop2010["06001401600"]
	found := false
	for i, id := range ids {
		if id == "06001401400" {
			found = true
			t.Logf("2020 tract 06001401400: %.3f people; GeoPandas shares %.3f", pop[i], want)
			if !valid[i] || math.Abs(pop[i]-want) > 0.5 {
				t.Errorf("2020 tract 06001401400: %v people (valid %v); GeoPandas' shares give %.2f", pop[i], valid[i], want)
			}
		}
	}
	if !found {
		t.Error("no 2020 tract 06001401400")
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(report), "People on 2020 tracts") {
		t.Error("the report does not show the interpolation")
	}
}
