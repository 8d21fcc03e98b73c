package geo

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// relFile is the Bureau's 2020-to-2010 tract relationship file, rows for
// Alameda, DeKalb and Fulton (../testdata/atlanta/PROVENANCE.md).
var relFile = filepath.Join("..", "testdata", "atlanta", "tab20_tract20_tract10_subset.txt")

func TestReadRelationship(t *testing.T) {
	rel, err := ReadRelationship(context.Background(), relFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.Rows) != 1357 { // SOURCES.md: 1,357 data rows
		t.Errorf("rows = %d, want 1357", len(rel.Rows))
	}
	w, err := rel.Weights(2010)
	if err != nil {
		t.Fatal(err)
	}
	// SOURCES.md: for each 2010 tract of the three counties the land parts
	// sum to its land area exactly, so each one's weights sum to 1.
	sum := map[string]float64{}
	for _, r := range w {
		sum[r.From] += r.FromShare
	}
	n := 0
	for id, s := range sum {
		if strings.HasPrefix(id, "13121") || strings.HasPrefix(id, "13089") || strings.HasPrefix(id, "06001") {
			n++
			if math.Abs(s-1) > 1e-12 {
				t.Errorf("2010 tract %s: weights sum to %v, want 1", id, s)
			}
		}
	}
	if n != 710 { // SOURCES.md: 710 2010 tracts
		t.Errorf("2010 tracts of the three counties = %d, want 710", n)
	}
}

// TestApportionRelationship moves real ACS 2014-2018 counts (2010 tracts)
// onto 2020 tracts. Figures from ../testdata/atlanta: tract 13121000200 has
// B03002_001E 6291 ± 430 and 2,878,577 m² of land, split into 13121000201
// (1,288,363 m²) and 13121000202 (1,590,214 m²); 13121001001 (2766 ± 361) is
// the same tract in both vintages.
func TestApportionRelationship(t *testing.T) {
	rel, err := ReadRelationship(context.Background(), relFile)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := rel.Weights(2010)
	ids := []string{"13121000200", "13121001001"}
	ov, targets, _, _ := CrosswalkOverlaps(w, ids)
	est, moe, err := Apportion(ov, len(targets), Count, []float64{6291, 2766}, []float64{430, 361})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]float64{}
	for i, id := range targets {
		got[id] = [2]float64{est[i], moe[i]}
	}
	want := map[string][2]float64{
		"13121000201": {6291 * 1288363.0 / 2878577, 430 * 1288363.0 / 2878577},
		"13121000202": {6291 * 1590214.0 / 2878577, 430 * 1590214.0 / 2878577},
		"13121001001": {2766, 361},
	}
	for id, wv := range want {
		g := got[id]
		if math.Abs(g[0]-wv[0]) > 1e-9 || math.Abs(g[1]-wv[1]) > 1e-9 {
			t.Errorf("%s = %v, want %v", id, g, wv)
		}
	}
	if s := got["13121000201"][0] + got["13121000202"][0]; math.Abs(s-6291) > 1e-9 {
		t.Errorf("split tract parts sum to %v, want 6291", s)
	}
	if _, _, err := Apportion(ov, len(targets), Median, []float64{128171, 95900}, nil); !errors.Is(err, ErrNotApportionable) {
		t.Errorf("median apportioned: err = %v", err)
	}
}

func TestParseRelationshipErrors(t *testing.T) {
	head := "OID_TRACT_20|GEOID_TRACT_20|NAMELSAD_TRACT_20|AREALAND_TRACT_20|AREAWATER_TRACT_20|MTFCC_TRACT_20|FUNCSTAT_TRACT_20|OID_TRACT_10|GEOID_TRACT_10|NAMELSAD_TRACT_10|AREALAND_TRACT_10|AREAWATER_TRACT_10|MTFCC_TRACT_10|FUNCSTAT_TRACT_10|AREALAND_PART|AREAWATER_PART\n"
	for _, tt := range []struct{ name, in, want string }{
		{"not the file", "GEOID,NAME\n", "line 1: not a 2020-to-2010 tract relationship file: no column GEOID_TRACT_20"},
		{"short row", head + "1|06001400100|x\n", "rel.txt: line 2: 3 fields, the header has 16"},
		{"lost zeros", head + "1|6001400100|Census Tract 4001|6945857|0|G5020|S|2|06001400100|Census Tract 4001|6935166|0|G5020|S|6889104|0\n", `line 2: column GEOID_TRACT_20: "6001400100" is not an 11-digit tract GEOID`},
		{"area", head + "1|06001400100|Census Tract 4001|6945857.5|0|G5020|S|2|06001400100|Census Tract 4001|6935166|0|G5020|S|6889104|0\n", `column AREALAND_TRACT_20: "6945857.5" is not a whole number`},
	} {
		_, err := ParseRelationship(context.Background(), "rel.txt", strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v; want %q", tt.name, err, tt.want)
		}
	}
}
