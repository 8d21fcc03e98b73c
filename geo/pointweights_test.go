package geo

import (
	"context"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestPointWeights: a made-up tract (a unit test of geometry, not a real
// place) split half and half by area between two targets, with 30 people in
// the west half and 10 in the east: population weights give 3/4 and 1/4
// where area weights give 1/2 and 1/2. A second tract with no people falls
// back to area.
func TestPointWeights(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	layer := func(name string, gs ...orb.MultiPolygon) *Layer {
		l := &Layer{Name: name}
		for i, g := range gs {
			l.Features = append(l.Features, Feature{ID: string(rune('a' + i)), Geom: g, Bound: g.Bound()})
		}
		return l
	}
	src := layer("tracts", sq(0, 0, 0.02, 0.01), sq(0, 0.01, 0.02, 0.02))
	dst := layer("zones", sq(0, 0, 0.01, 0.02), sq(0.01, 0, 0.02, 0.02))
	pts := []orb.Point{{0.005, 0.005}, {0.015, 0.005}}
	ov, warns, err := PointWeights(context.Background(), src, dst, pts, []float64{30, 10})
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]int]float64{{0, 0}: 0.75, {0, 1}: 0.25, {1, 0}: 0.5, {1, 1}: 0.5}
	if len(ov) != 4 || len(warns) != 1 {
		t.Fatalf("overlaps %+v, warnings %q", ov, warns)
	}
	for _, o := range ov {
		// the area fallback is measured in EPSG:5070, where the two halves of a
		// lon/lat box differ by a few parts in 10^5
		if w := want[[2]int{o.Source, o.Target}]; math.Abs(o.SourceShare-w) > 1e-4 {
			t.Errorf("%d -> %d: share %v, want %v", o.Source, o.Target, o.SourceShare, w)
		}
	}
}
