package svgmap

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
)

var (
	ohioOnce  sync.Once
	ohioLayer *geo.Layer
	ohioErr   error
)

// ohio reads the Census Bureau's 2,948 Ohio tracts (testdata/PROVENANCE.md).
func ohio(tb testing.TB) *geo.Layer {
	tb.Helper()
	ohioOnce.Do(func() {
		ohioLayer, ohioErr = geo.Read(context.Background(), "ohio", filepath.Join("..", "..", "geo", "testdata", "cb_2018_39_tract_500k.zip"), "GEOID")
	})
	if ohioErr != nil {
		tb.Fatal(ohioErr)
	}
	return ohioLayer
}

func ohioGeoms(tb testing.TB) ([]orb.MultiPolygon, orb.Bound) {
	l := ohio(tb)
	geoms := make([]orb.MultiPolygon, len(l.Features))
	b := l.Features[0].Bound
	for i, f := range l.Features {
		geoms[i] = f.Geom
		b = b.Union(f.Bound)
	}
	return geoms, b
}

// TestOhioSharedEdges simplifies the real Ohio tract boundaries and checks
// that edges shared by neighbouring tracts stay shared: the length of
// unshared edges (the state's outline, plus any gaps between tracts) must
// not grow. Simplifying each ring on its own, the naive twin, must open
// gaps, or the test would not be showing anything.
func TestOhioSharedEdges(t *testing.T) {
	geoms, b := ohioGeoms(t)
	f := newFrame(b, 900)
	rings, _ := projectRings(f, geoms)
	before := unshared(rings)
	for _, tol := range []float64{0.3, 1, 3} {
		simp := newTopology(rings).simplify(tol)
		after := unshared(simp)
		var naive [][]xy
		for _, r := range rings {
			naive = append(naive, simplifyClosed(r[:len(r)-1], tol))
		}
		gaps := unshared(naive)
		t.Logf("tolerance %g px: unshared length %.0f px in the input, %.0f by arcs, %.0f ring by ring", tol, before, after, gaps)
		if after > before*1.0001 {
			t.Errorf("tolerance %g: unshared length grew from %.0f to %.0f px: shared edges came apart", tol, before, after)
		}
		if gaps <= before*1.1 {
			t.Errorf("tolerance %g: ring-by-ring simplification left unshared length %.0f (input %.0f); the test data no longer shows the problem", tol, gaps, before)
		}
	}
}

// TestOhioBudget checks that MaxPathBytes holds the statewide map's path
// data to its budget by raising the tolerance.
func TestOhioBudget(t *testing.T) {
	geoms, b := ohioGeoms(t)
	f := newFrame(b, 900)
	for _, budget := range []int{200 << 10, 400 << 10} {
		paths, tol := simplifiedPaths(f, geoms, 0, budget)
		n := 0
		for _, p := range paths {
			n += len(p)
		}
		t.Logf("budget %d bytes: %d bytes of path data at tolerance %.2f px", budget, n, tol)
		if n > budget {
			t.Errorf("path data %d bytes; budget %d", n, budget)
		}
	}
}

func ohioMap(tb testing.TB, tol float64) *Map {
	l := ohio(tb)
	m := &Map{Width: 900, Tolerance: tol, Indicators: []Indicator{{Title: "Land area (km²)", Breaks: []float64{5, 10, 20, 50}, Palette: Blues5}}}
	for _, f := range l.Features {
		al, _ := f.Props["ALAND"].(int)
		m.Shapes = append(m.Shapes, Shape{ID: f.ID, Name: f.ID, Geom: f.Geom, Values: []Value{{Estimate: float64(al) / 1e6, Valid: true}}})
	}
	return m
}

// BenchmarkRenderOhio renders the 2,948 Ohio tracts with arc
// simplification at the default tolerance, beside the baseline without
// simplification.
func BenchmarkRenderOhio(b *testing.B) {
	for _, bc := range []struct {
		name string
		tol  float64
	}{{"simplified", 0}, {"unsimplified", -1}} {
		m := ohioMap(b, bc.tol)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(Render(m))
			}
			b.ReportMetric(float64(n), "bytes/svg")
		})
	}
}

// TestRenderSameOnAnyCores renders the Ohio tracts on 1, 2 and 4 cores:
// the parallel projection, topology, simplification and path writing must
// give the same bytes.
func TestRenderSameOnAnyCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	m := ohioMap(t, 0)
	runtime.GOMAXPROCS(1)
	want := Render(m)
	for _, procs := range []int{2, 4} {
		runtime.GOMAXPROCS(procs)
		if got := Render(m); got != want {
			t.Errorf("%d cores: the map differs from one core's (%d bytes, want %d)", procs, len(got), len(want))
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	m := ohioMap(t, 0)
	a, b := Render(m), Render(m)
	if a != b {
		t.Error("two renders of the same map differ")
	}
	if !strings.HasPrefix(a, "<svg") {
		t.Errorf("render starts %.20q", a)
	}
}
