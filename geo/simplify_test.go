package geo

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// overlapCount samples n points over l's bounding box and counts those
// covered by two or more features.
func overlapCount(l *Layer, n int) int {
	b := l.Features[0].Bound
	for _, f := range l.Features {
		b = b.Union(f.Bound)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	over := 0
	for range n {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		c := 0
		for _, f := range l.Features {
			if f.Bound.Contains(p) && multiPolygonCovers(f.Geom, p) {
				c++
			}
		}
		if c >= 2 {
			over++
		}
	}
	return over
}

func vertices(l *Layer) int {
	_, _, c := counts(l)
	return c
}

// TestSimplifyKeepsSharedEdges simplifies the real Alameda tracts and checks
// that no two tracts overlap afterwards, while simplifying each tract on its
// own (orb's Douglas-Peucker, the naive way) does open overlaps: the check
// can fail.
func TestSimplifyKeepsSharedEdges(t *testing.T) {
	l := alameda(t)
	const n = 100000
	if o := overlapCount(l, n); o != 0 {
		t.Fatalf("the original tracts overlap at %d of %d points", o, n)
	}
	s := Simplify(l, 100)
	if o := overlapCount(s, n); o != 0 {
		t.Errorf("simplified tracts overlap at %d of %d sample points", o, n)
	}
	if before, after := vertices(l), vertices(s); after >= before*3/4 {
		t.Errorf("%d vertices before, %d after: little simplification", before, after)
	} else {
		t.Logf("vertices %d -> %d at 100 m", before, after)
	}
	naive := &Layer{Features: make([]Feature, len(l.Features))}
	for i, f := range l.Features {
		g := simplify.DouglasPeucker(100.0 / 111320).Simplify(f.Geom.Clone()).(orb.MultiPolygon)
		naive.Features[i] = Feature{ID: f.ID, Geom: g, Bound: g.Bound()}
	}
	if o := overlapCount(naive, n); o == 0 {
		t.Error("naive per-feature simplification shows no overlaps; the check cannot tell")
	} else {
		t.Logf("naive per-feature simplification: overlaps at %d of %d points", o, n)
	}
	// Deterministic and independent of l.
	if again := Simplify(l, 100); vertices(again) != vertices(s) {
		t.Error("Simplify is not deterministic")
	}
}
