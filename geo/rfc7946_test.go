package geo

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

func TestRFC7946(t *testing.T) {
	cwSquare := orb.Ring{{0, 0}, {0, 4}, {4, 4}, {4, 0}, {0, 0}}
	ccwHole := orb.Ring{{1, 1}, {2, 1}, {2, 2}, {1, 2}, {1, 1}}
	in := orb.MultiPolygon{{cwSquare, ccwHole}}
	got := RFC7946(in)
	want := orb.MultiPolygon{{
		{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}},
		{{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if in[0][0][1] != (orb.Point{0, 4}) {
		t.Error("input modified")
	}
	// Already right: copied unchanged, not aliased.
	again := RFC7946(got)
	if diff := cmp.Diff(got, again); diff != "" {
		t.Errorf("second pass changed the rings:\n%s", diff)
	}
	again[0][0][0] = orb.Point{9, 9}
	if got[0][0][0] == (orb.Point{9, 9}) {
		t.Error("output aliases its input")
	}
}
