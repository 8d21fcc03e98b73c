package geo

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb"
)

func TestValidateAndRepair(t *testing.T) {
	ccw := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	hole := orb.Ring{{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}} // clockwise
	tests := []struct {
		name string
		poly orb.Polygon
		want []string // Problem.String() of each problem, from Repair
	}{
		{"valid polygon with hole", orb.Polygon{ccw, hole}, nil},
		{"clockwise outer ring", orb.Polygon{reversed(ccw)}, []string{"feature 0 (made-up) polygon 0 ring 0: wrong orientation: want counter-clockwise (repaired)"}},
		{"counter-clockwise hole", orb.Polygon{ccw, reversed(hole)}, []string{"feature 0 (made-up) polygon 0 ring 1: wrong orientation: want clockwise (repaired)"}},
		{"repeated points", orb.Polygon{{{0, 0}, {4, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 4}, {0, 0}}}, []string{"feature 0 (made-up) polygon 0 ring 0: repeated points: 2 repeated point(s) (repaired)"}},
		{"bowtie", orb.Polygon{{{0, 0}, {0, 2}, {4, 0}, {4, 4}, {0, 0}}}, []string{"feature 0 (made-up) polygon 0 ring 0: self-intersection: edges 1 and 3 meet; fix it in the source (QGIS Fix geometries, PostGIS ST_MakeValid)"}},
		{"ring touching itself at a vertex", orb.Polygon{{{0, 0}, {4, 0}, {2, 2}, {4, 4}, {0, 4}, {2, 2}, {0, 0}}}, []string{"feature 0 (made-up) polygon 0 ring 0: self-intersection: edges 1 and 4 meet; fix it in the source (QGIS Fix geometries, PostGIS ST_MakeValid)"}},
		{"degenerate hole", orb.Polygon{ccw, {{1, 1}, {2, 2}, {1, 1}, {1, 1}}}, []string{
			"feature 0 (made-up) polygon 0 ring 1: repeated points: 1 repeated point(s) (repaired)",
			"feature 0 (made-up) polygon 0 ring 1: degenerate ring: 2 distinct points, area 0 (repaired)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp := orb.MultiPolygon{tt.poly}
			l := &Layer{Features: []Feature{{ID: "made-up", Geom: mp, Bound: mp.Bound()}}}
			before := fmt.Sprint(l.Features[0].Geom)
			if v := Validate(l); len(v) != len(tt.want) || fmt.Sprint(l.Features[0].Geom) != before {
				t.Fatalf("Validate = %v (and must not change the layer), want %d problems", v, len(tt.want))
			}
			got := Repair(l)
			if len(got) != len(tt.want) {
				t.Fatalf("Repair = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i].String() != tt.want[i] {
					t.Errorf("problem %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
			// What was repaired is not found again.
			for _, p := range Validate(l) {
				if p.Kind != SelfIntersection {
					t.Errorf("after Repair: %v", p)
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
	for _, p := range Validate(l) {
		kinds[p.Kind]++
	}
	if len(kinds) != 1 || kinds[WrongOrientation] != 2970 {
		t.Errorf("problems by kind %v, want only 2970 %s", kinds, WrongOrientation)
	}
}
