package geo

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/engelsjk/polygol"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func square(x, y float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}}}
}

func TestDissolveShapes(t *testing.T) {
	var ring3x3 []orb.MultiPolygon // a 3x3 block of unit squares without its centre
	for x := 0.0; x < 3; x++ {
		for y := 0.0; y < 3; y++ {
			if x != 1 || y != 1 {
				ring3x3 = append(ring3x3, square(x, y))
			}
		}
	}
	cw := square(1, 0)
	cw[0][0] = reversed(cw[0][0])
	tests := []struct {
		name      string
		in        []orb.MultiPolygon
		polygons  int
		rings     int // in all
		area      float64
		vertices0 int // distinct vertices of the first outer ring
	}{
		{name: "empty", in: nil},
		{name: "one square", in: []orb.MultiPolygon{square(0, 0)}, polygons: 1, rings: 1, area: 1, vertices0: 4},
		{name: "two neighbours", in: []orb.MultiPolygon{square(0, 0), square(1, 0)}, polygons: 1, rings: 1, area: 2, vertices0: 6},
		{name: "clockwise neighbour", in: []orb.MultiPolygon{square(0, 0), cw}, polygons: 1, rings: 1, area: 2, vertices0: 6},
		{name: "ring around a hole", in: ring3x3, polygons: 1, rings: 2, area: 8, vertices0: 12},
		{name: "touching at a corner stays two simple rings", in: []orb.MultiPolygon{square(0, 0), square(1, 1)}, polygons: 2, rings: 2, area: 2, vertices0: 4},
		{name: "apart", in: []orb.MultiPolygon{square(0, 0), square(5, 5)}, polygons: 2, rings: 2, area: 2, vertices0: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Dissolve(tt.in)
			rings := 0
			for _, p := range got {
				rings += len(p)
			}
			if len(got) != tt.polygons || rings != tt.rings {
				t.Fatalf("got %d polygon(s), %d ring(s); want %d, %d: %v", len(got), rings, tt.polygons, tt.rings, got)
			}
			if a := planar.Area(got); math.Abs(a-tt.area) > 1e-12 {
				t.Errorf("area %v, want %v", a, tt.area)
			}
			if len(got) > 0 {
				if n := len(got[0][0]) - 1; n != tt.vertices0 {
					t.Errorf("first ring has %d vertices, want %d", n, tt.vertices0)
				}
				if got[0][0][0] != got[0][0][len(got[0][0])-1] {
					t.Error("ring not closed")
				}
				if signedArea(got[0][0]) <= 0 {
					t.Error("outer ring not counter-clockwise")
				}
			}
		})
	}
}

// TestDissolveOhioCounties dissolves the 2,948 real tracts of Ohio (Census
// cartographic boundaries, testdata/PROVENANCE.md) into their 88 counties
// and checks each county against independent computations: its area equals
// the sum of its tracts' areas, it has as many polygons as polygol's general
// union gives, and random points fall in it exactly when they fall in one
// of its tracts (orb's planar containment).
func TestDissolveOhioCounties(t *testing.T) {
	l, err := Read(context.Background(), "ohio", "testdata/cb_2018_39_tract_500k.zip", "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	byCounty := map[string][]orb.MultiPolygon{}
	for _, f := range l.Features {
		byCounty[f.ID[:5]] = append(byCounty[f.ID[:5]], f.Geom)
	}
	counties := make([]string, 0, len(byCounty))
	for c := range byCounty {
		counties = append(counties, c)
	}
	sort.Strings(counties)
	if len(counties) != 88 {
		t.Fatalf("%d counties, want Ohio's 88", len(counties))
	}
	rng := rand.New(rand.NewPCG(39, 2018))
	for i, c := range counties {
		tracts := byCounty[c]
		got := Dissolve(tracts)
		sum := 0.0
		for _, tr := range tracts {
			sum += Area(tr)
		}
		if a := Area(got); math.Abs(a-sum) > 1e-9*sum {
			t.Errorf("county %s: area %.1f m², tracts sum to %.1f m²", c, a, sum)
		}
		if i%8 == 0 { // polygol is slow; every eighth county
			var geoms []polygol.Geom
			for _, tr := range tracts {
				geoms = append(geoms, toPolygol(tr))
			}
			u, err := polygol.Union(geoms[0], geoms[1:]...)
			if err != nil {
				t.Fatalf("county %s: polygol: %v", c, err)
			}
			if len(u) != len(got) {
				t.Errorf("county %s: %d polygon(s), polygol's union has %d", c, len(got), len(u))
			}
		}
		b := got.Bound()
		for range 200 {
			p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
			in := false
			for _, tr := range tracts {
				if planar.MultiPolygonContains(tr, p) {
					in = true
					break
				}
			}
			if planar.MultiPolygonContains(got, p) != in {
				t.Errorf("county %s: point %v in a tract = %v, in the dissolved county = %v", c, p, in, !in)
			}
		}
	}
}
