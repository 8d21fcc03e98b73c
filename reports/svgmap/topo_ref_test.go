package svgmap

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
)

// newTopologyMap is newTopology as it was before session 4 (issue 14),
// with Go maps keyed by point: the reference TestTopologyMatchesMaps holds
// the table-based newTopology to, and the baseline of BenchmarkTopology.
func newTopologyMap(rings [][]xy) *topology {
	nb := make(map[xy][]xy, 1024)
	junc := map[xy]bool{}
	addNb := func(p, q xy) {
		if junc[p] {
			return
		}
		for _, x := range nb[p] {
			if x == q {
				return
			}
		}
		nb[p] = append(nb[p], q)
		if len(nb[p]) > 2 {
			junc[p] = true
			delete(nb, p)
		}
	}
	for _, r := range rings {
		n := len(r) - 1 // r[n] == r[0]
		for i := 0; i < n; i++ {
			prev := r[(i+n-1)%n]
			addNb(r[i], prev)
			addNb(r[i], r[i+1])
		}
	}
	// Mark junctions per vertex once, so that simplify (run again at each
	// tolerance the byte budget tries) looks up no map.
	isJ := make([][]bool, len(rings))
	for ri, r := range rings {
		isJ[ri] = make([]bool, len(r))
		for i, p := range r {
			isJ[ri][i] = junc[p]
		}
	}
	return &topology{rings: rings, isJ: isJ}
}

// realShapes reads the real tracts of Ohio and Georgia (Census
// cartographic boundaries, geo/testdata/PROVENANCE.md) and returns them
// with their counties (geo.Dissolve of each county's tracts, as the report
// draws a map of more than 5,000 tracts): the two states the national
// benchmark replicates.
type stateShapes struct{ tracts, counties [2][]orb.MultiPolygon }

var realShapes = sync.OnceValues(func() (*stateShapes, error) {
	var s stateShapes
	for i, z := range []string{"cb_2018_39_tract_500k.zip", "cb_2018_13_tract_500k.zip"} {
		l, err := geo.Read(context.Background(), "tracts", filepath.Join("..", "..", "geo", "testdata", z), "GEOID")
		if err != nil {
			return nil, err
		}
		by := map[string][]orb.MultiPolygon{}
		for _, f := range l.Features {
			s.tracts[i] = append(s.tracts[i], f.Geom)
			by[f.ID[:5]] = append(by[f.ID[:5]], f.Geom)
		}
		keys := make([]string, 0, len(by))
		for k := range by {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.counties[i] = append(s.counties[i], geo.Dissolve(by[k]))
		}
	}
	return &s, nil
})

func boundOf(geoms []orb.MultiPolygon) orb.Bound {
	b := geoms[0].Bound()
	for _, g := range geoms[1:] {
		b = b.Union(g.Bound())
	}
	return b
}

// TestTopologyMatchesMaps checks that newTopology marks exactly the
// junctions the map-based reference marks, and so simplifies every ring
// to the same points, on the real tracts of Ohio and of Georgia and on
// the counties of both states in one map (projected at 900 px, as the
// report draws them), at the tolerances the byte budget tries.
func TestTopologyMatchesMaps(t *testing.T) {
	s, err := realShapes()
	if err != nil {
		t.Fatal(err)
	}
	states, counties := s.tracts, s.counties
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	sets := map[string][]orb.MultiPolygon{
		"Ohio tracts":               states[0],
		"Georgia tracts":            states[1],
		"Ohio and Georgia counties": append(append([]orb.MultiPolygon{}, counties[0]...), counties[1]...),
	}
	for _, procs := range []int{1, 2, 4} { // one shard per core
		runtime.GOMAXPROCS(procs)
		for name, geoms := range sets {
			compareTopologies(t, fmt.Sprintf("%s, %d core(s)", name, procs), geoms)
		}
	}
}

func compareTopologies(t *testing.T, name string, geoms []orb.MultiPolygon) {
	t.Helper()
	rings, _ := projectRings(newFrame(boundOf(geoms), 900), geoms)
	got, want := newTopology(rings), newTopologyMap(rings)
	junctions := 0
	for ri := range want.isJ {
		for i := range want.isJ[ri] {
			if got.isJ[ri][i] != want.isJ[ri][i] {
				t.Fatalf("%s: ring %d vertex %d: junction %v, want %v", name, ri, i, got.isJ[ri][i], want.isJ[ri][i])
			}
			if want.isJ[ri][i] {
				junctions++
			}
		}
	}
	if junctions == 0 {
		t.Fatalf("%s: no junctions; the comparison shows nothing", name)
	}
	for _, tol := range []float64{0.3, 0.45, 1, 3} {
		g, w := got.simplify(tol), want.simplify(tol)
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%s: tolerance %g: simplified rings differ", name, tol)
		}
	}
	t.Logf("%s: %d rings, %d junctions agree", name, len(rings), junctions)
}

// BenchmarkTopology builds the shared-edge topology of the Ohio and
// Georgia counties in one map (the report's county map of the national
// benchmark is 17 copies of it), with the table and with the maps.
func BenchmarkTopology(b *testing.B) {
	s, err := realShapes()
	if err != nil {
		b.Fatal(err)
	}
	counties := s.counties
	geoms := append(append([]orb.MultiPolygon{}, counties[0]...), counties[1]...)
	rings, _ := projectRings(newFrame(boundOf(geoms), 900), geoms)
	for _, bc := range []struct {
		name string
		fn   func([][]xy) *topology
	}{{"maps", newTopologyMap}, {"table", newTopology}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.fn(rings)
			}
		})
	}
}
