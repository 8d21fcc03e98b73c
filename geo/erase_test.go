package geo

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// TestEraseWater cuts a made-up lake (a unit test of geometry: the
// coordinates are not a real place) out of two made-up tracts and checks the
// areas left, worked by hand in square degrees.
func TestEraseWater(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	l := &Layer{Name: "tracts", File: "made_up.geojson"}
	for id, g := range map[string]orb.MultiPolygon{"a": sq(0, 0, 0.02, 0.02), "b": sq(0.02, 0, 0.04, 0.02), "dry": sq(1, 1, 1.01, 1.01)} {
		l.Features = append(l.Features, Feature{ID: id, Geom: g, Bound: g.Bound()})
	}
	lakeGeom := sq(0.015, 0.005, 0.025, 0.015) // straddles a and b: 0.005 x 0.01 in each
	water := &Layer{Name: "water", Features: []Feature{{ID: "lake", Geom: lakeGeom, Bound: lakeGeom.Bound()}}}
	st, err := EraseWater(context.Background(), l, water)
	if err != nil {
		t.Fatal(err)
	}
	if st.Features != 2 {
		t.Errorf("changed %d features, want 2", st.Features)
	}
	for _, f := range l.Features {
		want := 0.0004 - 0.00005 // 0.02² minus 0.005 x 0.01
		if f.ID == "dry" {
			want = 0.0001
		}
		if a := planar.Area(f.Geom); math.Abs(a-want) > 1e-12 {
			t.Errorf("%s: area %v, want %v", f.ID, a, want)
		}
	}
	if len(l.Warnings) != 2 || !strings.Contains(l.Warnings[0], "erased water, 12.5% of its area") {
		t.Errorf("warnings %q", l.Warnings)
	}
}
