package geo

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// m2 drops the area figure of a rebuilt feature (checked on its own below).
var m2 = regexp.MustCompile(`, [0-9]+ m²`)

// TestValidateAndRepairOnLoad: check2 without fix finds each problem without changing
// the layer; RepairOnLoad (the repair every boundary read makes) fixes
// repeated points, degenerate holes and self-intersections, warns once per
// feature, and leaves ring orientation as the file has it. Made-up
// geometry (a unit test of geometry).
func TestValidateAndRepairOnLoad(t *testing.T) {
	ccw := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	hole := orb.Ring{{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}} // clockwise
	const at = "made_up.geojson: feature 0 (made-up): "
	tests := []struct {
		name     string
		poly     orb.Polygon
		problems int    // found by check2(l, false)
		want     string // RepairOnLoad's warning ("" none)
	}{
		{"valid polygon with hole", orb.Polygon{ccw, hole}, 0, ""},
		{"clockwise outer ring", orb.Polygon{reversed(ccw)}, 1, ""},
		{"counter-clockwise hole", orb.Polygon{ccw, reversed(hole)}, 1, ""},
		{"repeated points", orb.Polygon{{{0, 0}, {4, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 4}, {0, 0}}}, 1, at + "polygon 0 ring 0: repeated points (2 repeated point(s)), repaired"},
		{"bowtie", orb.Polygon{{{0, 0}, {0, 2}, {4, 0}, {4, 4}, {0, 0}}}, 1, at + "polygon 0 ring 0: self-intersection (edges 1 and 3 meet; rebuilt from its edges by the even-odd rule into 2 polygon(s)), repaired"},
		{"ring touching itself at a vertex", orb.Polygon{{{0, 0}, {4, 0}, {2, 2}, {4, 4}, {0, 4}, {2, 2}, {0, 0}}}, 1, at + "polygon 0 ring 0: self-intersection (edges 1 and 4 meet; rebuilt from its edges by the even-odd rule into 2 polygon(s)), repaired"},
		{"degenerate hole", orb.Polygon{ccw, {{1, 1}, {2, 2}, {1, 1}, {1, 1}}}, 2,
			at + "polygon 0 ring 1: repeated points (1 repeated point(s)), repaired; polygon 0 ring 1: degenerate ring (2 distinct points, area 0), repaired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp := orb.MultiPolygon{tt.poly}
			l := &Layer{File: "made_up.geojson", Features: []Feature{{ID: "made-up", Geom: mp, Bound: mp.Bound()}}}
			before := fmt.Sprint(l.Features[0].Geom)
			if v := check2(l, false); len(v) != tt.problems || fmt.Sprint(l.Features[0].Geom) != before {
				t.Fatalf("check2 = %v (and must not change the layer), want %d problems", v, tt.problems)
			}
			n := RepairOnLoad(l)
			var got []string
			for _, w := range l.Warnings {
				got = append(got, m2.ReplaceAllString(w, ""))
			}
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			if n != len(want) || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("RepairOnLoad = %d, warnings %q, want %q", n, got, want)
			}
			// What was repaired is not found again; orientation is kept.
			for _, p := range check2(l, false) {
				if p.Kind != WrongOrientation {
					t.Errorf("after RepairOnLoad: %v", p)
				}
			}
			if tt.want == "" { // nothing to repair: the geometry stays as given
				if g := fmt.Sprint(l.Features[0].Geom); g != before {
					t.Errorf("orientation changed: %s, was %s", g, before)
				}
			}
			if tt.name == "bowtie" {
				// the two triangles of the bow tie: 4/3 + 16/3 square degrees,
				// worked by hand from its crossing at (4/3, 4/3)
				if a := planar.Area(l.Features[0].Geom); math.Abs(a-20.0/3) > 1e-9 {
					t.Errorf("rebuilt bow tie area %v, want 20/3", a)
				}
			}
		})
	}
}

// TestValidateRealTracts: the Census Bureau's Ohio cartographic boundary
// tracts are valid shapefile polygons, whose outer rings are clockwise and
// holes counter-clockwise (the shapefile convention, the reverse of RFC
// 7946), so the only problem is orientation, on all 2,970 rings (Fiona 1.9.0
// counts 2,970 rings, see TestReadCensusShapefileZip).
func TestValidateRealTracts(t *testing.T) {
	l := mustRead(t, "testdata/cb_2018_39_tract_500k.zip")
	kinds := map[ProblemKind]int{}
	for _, p := range check2(l, false) {
		kinds[p.Kind]++
	}
	if len(kinds) != 1 || kinds[WrongOrientation] != 2970 {
		t.Errorf("problems by kind %v, want only 2970 %s", kinds, WrongOrientation)
	}
}

// TestSelfIntersectionReportedOnLoad: a bow tie loads repaired, with one
// warning naming its file, feature and repair (before, it loaded with no
// warning at all). The coordinates are made up (a unit test of geometry).
func TestSelfIntersectionReportedOnLoad(t *testing.T) {
	fc := geojson.NewFeatureCollection()
	bow := orb.Polygon{{{0, 0}, {0, 0.02}, {0.04, 0}, {0.04, 0.04}, {0, 0}}}
	ok := orb.Polygon{{{1, 1}, {1.01, 1}, {1.01, 1.01}, {1, 1.01}, {1, 1}}}
	for id, g := range map[string]orb.Polygon{"bowtie": bow, "fine": ok} {
		f := geojson.NewFeature(g)
		f.Properties["id"] = id
		fc.Append(f)
	}
	l, err := fromFeatures("made-up", "made_up.geojson", fc, "id", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0], "(bowtie): polygon 0 ring 0: self-intersection (edges 1 and 3 meet; rebuilt from its edges by the even-odd rule into 2 polygon(s)") || !strings.HasSuffix(l.Warnings[0], "repaired") {
		t.Errorf("warnings = %q", l.Warnings)
	}
	for _, f := range l.Features {
		if f.ID == "bowtie" && len(f.Geom) != 2 {
			t.Errorf("bow tie not rebuilt into two triangles: %v", f.Geom)
		}
	}
}

// TestFeatureErrorsSummarised: a mistyped id (no feature has it) is one
// error naming the properties there are, not one line per feature (the
// Alameda tract file gave 360); other problems of many features list the
// first maxFeatureErrors and count the rest. MADE-UP squares.
func TestFeatureErrorsSummarised(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	layer := func(n int, props func(i int) geojson.Properties) *geojson.FeatureCollection {
		fc := geojson.NewFeatureCollection()
		for i := range n {
			f := geojson.NewFeature(square)
			f.Properties = props(i)
			fc.Append(f)
		}
		return fc
	}
	tests := []struct {
		name  string
		fc    *geojson.FeatureCollection
		lines int
		want  string
	}{
		{"mistyped id", layer(50, func(i int) geojson.Properties {
			return geojson.Properties{"GEOID": fmt.Sprintf("%02d", i), "NAME": "x"}
		}),
			1, `made_up.geojson: no feature has the property "GEOD"; set the boundary's id to one of the properties feature 0 has: GEOID, NAME`},
		{"many numeric ids", layer(50, func(i int) geojson.Properties { return geojson.Properties{"GEOD": float64(i)} }),
			maxFeatureErrors + 1, "made_up.geojson: and 30 more feature problem(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fromFeatures("b", "made_up.geojson", tt.fc, "GEOD", false)
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != tt.lines || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error has %d line(s), want %d containing %q:\n%.600s", len(lines), tt.lines, tt.want, err)
			}
		})
	}
}
