package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

// TestRepresentativePointInside checks on every real Alameda and Ohio tract,
// and on made-up shapes where the centroid fails, that the point is inside
// its own feature and not on an edge.
func TestRepresentativePointInside(t *testing.T) {
	crescent := orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 3}, {3, 3}, {3, 1}, {0, 1}, {0, 0}}}}
	donut := orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}}}
	madeUp := &Layer{Name: "made-up shapes", Features: []Feature{{ID: "crescent", Geom: crescent, Bound: crescent.Bound()}, {ID: "donut", Geom: donut, Bound: donut.Bound()}}}
	for _, l := range []*Layer{madeUp, alameda(t), mustRead(t, "testdata/cb_2018_39_tract_500k.zip")} {
		x := NewBruteIndex(l)
		for i, f := range l.Features {
			p := RepresentativePoint(f.Geom)
			if !multiPolygonCovers(f.Geom, p) {
				t.Fatalf("%s %s: point %v not inside", l.Name, f.ID, p)
			}
			one := &Layer{Features: []Feature{f}}
			if NewIndex(one).OnEdge(p) {
				t.Fatalf("%s %s: point %v on an edge", l.Name, f.ID, p)
			}
			if got, ok := x.Locate(p); !ok || got != i {
				t.Fatalf("%s %s: point %v located in %d", l.Name, f.ID, p, got)
			}
		}
	}
}
