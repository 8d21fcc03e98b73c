package report

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb/planar"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/reports/svgmap"
)

// TestCountyShapes aggregates Ohio's 2,948 real tracts (Census cartographic
// boundaries, geo/testdata/PROVENANCE.md), shaded by their land area, into
// the state's 88 counties and checks each county's median, range and area
// against a direct computation from the tract file.
func TestCountyShapes(t *testing.T) {
	layer, err := geo.Read(context.Background(), "ohio", filepath.Join("..", "..", "geo", "testdata", "cb_2018_39_tract_500k.zip"), "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	var shapes []svgmap.Shape
	land := map[string][]float64{}
	area := map[string]float64{}
	unreliable := map[string][2]int{}
	for i, f := range layer.Features {
		aland, ok := f.Props["ALAND"].(int) // the shapefile's integer field
		al := float64(aland)
		if !ok {
			t.Fatalf("tract %s: ALAND %v (%T) is not a number", f.ID, f.Props["ALAND"], f.Props["ALAND"])
		}
		// Every third tract is marked unreliable: a made-up flag, to
		// exercise the hatching rule.
		v := svgmap.Value{Estimate: al, Valid: true, Unreliable: i%3 == 0}
		if i%50 == 0 {
			v = svgmap.Value{Note: "made-up missing value"}
		} else {
			land[f.ID[:5]] = append(land[f.ID[:5]], al)
			u := unreliable[f.ID[:5]]
			u[1]++
			if v.Unreliable {
				u[0]++
			}
			unreliable[f.ID[:5]] = u
		}
		area[f.ID[:5]] += planar.Area(f.Geom)
		shapes = append(shapes, svgmap.Shape{ID: f.ID, Name: f.ID, Geom: f.Geom, Values: []svgmap.Value{v}})
	}
	inds := []svgmap.Indicator{{Title: "Land area", Format: func(x float64) string { return strconv.FormatFloat(x, 'f', 0, 64) }}}
	got, gotInds, ok := countyShapes(shapes, inds)
	if !ok {
		t.Fatal("countyShapes refused Ohio's tracts")
	}
	if len(got) != 88 {
		t.Fatalf("%d counties, want 88", len(got))
	}
	classify(&gotInds[0], &config.Shade{}, got, 0, "counties") // the counties are classed, not their tracts
	if !strings.Contains(gotInds[0].Title, "median of each county's tracts") || len(gotInds[0].Breaks) != len(svgmap.ShadePalette)-1 {
		t.Errorf("indicator %q with %d breaks", gotInds[0].Title, len(gotInds[0].Breaks))
	}
	for _, c := range got {
		vals := append([]float64(nil), land[c.ID]...)
		sort.Float64s(vals)
		n := len(vals)
		want := vals[n/2]
		if n%2 == 0 {
			want = (vals[n/2-1] + vals[n/2]) / 2
		}
		v := c.Values[0]
		if !v.Valid || math.Abs(v.Estimate-want) > 1e-6 {
			t.Errorf("county %s: value %v (valid %v), want the median of its tracts %v", c.ID, v.Estimate, v.Valid, want)
		}
		if u := unreliable[c.ID]; v.Unreliable != (2*u[0] > u[1]) {
			t.Errorf("county %s: hatched %v with %d of %d tracts unreliable", c.ID, v.Unreliable, u[0], u[1])
		}
		if a := planar.Area(c.Geom); math.Abs(a-area[c.ID]) > 1e-9*area[c.ID] {
			t.Errorf("county %s: area %g, its tracts %g", c.ID, a, area[c.ID])
		}
		if !strings.Contains(v.Note, "tracts have an estimate, from ") {
			t.Errorf("county %s: note %q", c.ID, v.Note)
		}
	}
	shapes[7].ID = "not-a-geoid"
	if _, _, ok := countyShapes(shapes, inds); ok {
		t.Error("countyShapes aggregated shapes whose IDs are not tract GEOIDs")
	}
}
