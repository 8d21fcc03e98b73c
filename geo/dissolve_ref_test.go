package geo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// dissolveMap is Dissolve as it was before session 4 (issue 14): the same
// algorithm with hash maps keyed by point and by edge. It is the reference
// the sort-based Dissolve must match exactly (TestDissolveMatchesMaps) and
// the baseline of BenchmarkDissolve.
func dissolveMap(polys []orb.MultiPolygon) orb.MultiPolygon {
	type edge struct{ a, b orb.Point }
	var order []edge        // surviving candidates in input order
	count := map[edge]int{} // directed edge -> times walked, net of cancellations
	for _, mp := range polys {
		for _, poly := range mp {
			for ri, r := range poly {
				r = openRing(r)
				if len(r) < 3 {
					continue
				}
				ccw := signedArea(r) > 0
				if (ri == 0) != ccw {
					r = reversed(r)
				}
				for i := range r {
					e := edge{r[i], r[(i+1)%len(r)]}
					if e.a == e.b {
						continue
					}
					rev := edge{e.b, e.a}
					if count[rev] > 0 {
						count[rev]--
						continue
					}
					count[e]++
					order = append(order, e)
				}
			}
		}
	}
	out := map[orb.Point][]orb.Point{}
	for _, e := range order {
		if count[e] > 0 {
			count[e]--
			out[e.a] = append(out[e.a], e.b)
		}
	}
	take := func(a, b orb.Point) bool {
		ends := out[a]
		for i, e := range ends {
			if e == b {
				out[a] = append(ends[:i], ends[i+1:]...)
				return true
			}
		}
		return false
	}
	leftmostPoint := func(ends []orb.Point, prev, cur orb.Point) (orb.Point, bool) {
		if len(ends) == 0 {
			return orb.Point{}, false
		}
		in := math.Atan2(cur[1]-prev[1], cur[0]-prev[0])
		best, bestTurn := ends[0], math.Inf(-1)
		for _, e := range ends {
			turn := math.Atan2(e[1]-cur[1], e[0]-cur[0]) - in
			for turn <= -math.Pi {
				turn += 2 * math.Pi
			}
			for turn > math.Pi {
				turn -= 2 * math.Pi
			}
			if turn > bestTurn {
				best, bestTurn = e, turn
			}
		}
		return best, true
	}
	var rings []orb.Ring
	for _, e := range order {
		if !take(e.a, e.b) {
			continue
		}
		ring := orb.Ring{e.a, e.b}
		prev, cur := e.a, e.b
		for cur != e.a {
			next, ok := leftmostPoint(out[cur], prev, cur)
			if !ok {
				break
			}
			take(cur, next)
			ring = append(ring, next)
			prev, cur = cur, next
		}
		if cur == e.a && len(ring) >= 4 {
			rings = append(rings, ring)
		}
	}
	return assemble(rings)
}

// countyTracts reads the real tract files of Ohio and Georgia (Census
// cartographic boundaries, testdata/PROVENANCE.md: the two states the
// national benchmark replicates) and groups their geometry by county, in
// county code order.
var countyTracts = sync.OnceValues(func() ([][]orb.MultiPolygon, error) {
	var out [][]orb.MultiPolygon
	for _, z := range []string{"testdata/cb_2018_39_tract_500k.zip", "testdata/cb_2018_13_tract_500k.zip"} {
		l, err := Read(context.Background(), "tracts", z, "GEOID")
		if err != nil {
			return nil, err
		}
		by := map[string][]orb.MultiPolygon{}
		for _, f := range l.Features {
			by[f.ID[:5]] = append(by[f.ID[:5]], f.Geom)
		}
		keys := make([]string, 0, len(by))
		for k := range by {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, by[k])
		}
	}
	return out, nil
})

// sameBits reports whether a and b hold the same rings with bit-identical
// coordinates (so -0 and 0 differ), and where they first differ.
func sameBits(a, b orb.MultiPolygon) (bool, string) {
	if len(a) != len(b) {
		return false, fmt.Sprintf("%d polygons, want %d", len(a), len(b))
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false, fmt.Sprintf("polygon %d: %d rings, want %d", i, len(a[i]), len(b[i]))
		}
		for j := range a[i] {
			if len(a[i][j]) != len(b[i][j]) {
				return false, fmt.Sprintf("polygon %d ring %d: %d points, want %d", i, j, len(a[i][j]), len(b[i][j]))
			}
			for k := range a[i][j] {
				p, q := a[i][j][k], b[i][j][k]
				if math.Float64bits(p[0]) != math.Float64bits(q[0]) || math.Float64bits(p[1]) != math.Float64bits(q[1]) {
					return false, fmt.Sprintf("polygon %d ring %d point %d: %v, want %v", i, j, k, p, q)
				}
			}
		}
	}
	return true, ""
}

// TestDissolveMatchesMaps checks that Dissolve gives exactly (bit for bit,
// ring for ring, in the same order) the multipolygon of the map-based
// reference on real geometry: every county of Ohio and Georgia (247
// counties, 4,914 tracts), and random subsets of each county's tracts,
// which leave holes, islands and rings that touch at a vertex. Made-up
// edge cases follow: duplicated polygons (an edge walked twice the same
// way), a ring repeated reversed, zero-length edges and degenerate rings.
func TestDissolveMatchesMaps(t *testing.T) {
	counties, err := countyTracts()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(14, 2026))
	type input struct {
		name  string
		polys []orb.MultiPolygon
	}
	var ins []input
	for i, c := range counties {
		ins = append(ins, input{fmt.Sprintf("county %d (%d tracts)", i, len(c)), c})
		var sub []orb.MultiPolygon
		for _, tr := range c {
			if rng.IntN(3) > 0 {
				sub = append(sub, tr)
			}
		}
		ins = append(ins, input{fmt.Sprintf("county %d, random two thirds", i), sub})
	}
	sq := square(0, 0)
	withZero := orb.MultiPolygon{{{{1, 0}, {2, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 0}}}}
	ins = append(ins,
		input{"made-up: empty", nil},
		input{"made-up: one polygon twice", []orb.MultiPolygon{sq, sq}},
		input{"made-up: a polygon three times beside a neighbour", []orb.MultiPolygon{sq, sq, square(1, 0), sq}},
		input{"made-up: zero-length edge", []orb.MultiPolygon{sq, withZero}},
		input{"made-up: degenerate rings", []orb.MultiPolygon{{{{{0, 0}, {1, 1}, {0, 0}}}}, {{{{3, 3}, {3, 3}, {3, 3}, {3, 3}}}}, sq}},
		input{"made-up: signed zeros", []orb.MultiPolygon{{{{{-1, 0}, {0, math.Copysign(0, -1)}, {0, 1}, {-1, 1}, {-1, 0}}}}, {{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}}},
	)
	// on several goroutines at once, as the report calls it (Dissolve
	// reuses its working memory across calls)
	var wg sync.WaitGroup
	next := make(chan input)
	for range 4 {
		wg.Go(func() {
			for in := range next {
				got, want := Dissolve(in.polys), dissolveMap(in.polys)
				if ok, diff := sameBits(got, want); !ok {
					t.Errorf("%s: %s", in.name, diff)
				}
			}
		})
	}
	for _, in := range ins {
		next <- in
	}
	close(next)
	wg.Wait()
	// the comparison must be able to fail
	if c := counties[0]; len(c) > 1 {
		if ok, _ := sameBits(Dissolve(c), dissolveMap(c[1:])); ok {
			t.Error("dropping a tract changed nothing; sameBits compares nothing")
		}
	}
}

// BenchmarkDissolve dissolves every county of Ohio and Georgia (real
// tracts) with Dissolve (vertex ids) and with the map-based reference.
func BenchmarkDissolve(b *testing.B) {
	counties, err := countyTracts()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		fn   func([]orb.MultiPolygon) orb.MultiPolygon
	}{{"maps", dissolveMap}, {"ids", Dissolve}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, c := range counties {
					bc.fn(c)
				}
			}
		})
	}
}

// TestPointHash checks that points equal by == hash alike (0 and -0 are
// equal) and that the hash tells apart the points of a county's edges.
func TestPointHash(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, p := range []orb.Point{{0, 0}, {negZero, 0}, {0, negZero}, {negZero, negZero}} {
		if PointHash(p) != PointHash(orb.Point{0, 0}) {
			t.Errorf("PointHash(%v) differs from PointHash of (0, 0)", p)
		}
	}
	counties, err := countyTracts()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]orb.Point{}
	for _, r := range counties[0][0][0] {
		for _, p := range r {
			if q, ok := seen[PointHash(p)]; ok && q != p {
				t.Errorf("%v and %v hash alike", p, q)
			}
			seen[PointHash(p)] = p
		}
	}
}
