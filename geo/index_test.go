package geo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/paulmach/orb"
)

// alameda is the real Alameda County 2010 tract layer (testdata/PROVENANCE.md).
func alameda(tb testing.TB) *Layer {
	tb.Helper()
	l, err := ReadGeoJSON(context.Background(), "tracts", "testdata/alameda_tracts_2010.geojson", "GEOID")
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// madeUpGrid builds a made-up layer of nx*ny cells over [0,nx]x[0,ny] whose
// interior vertices are jittered (shared exactly by the neighbouring cells,
// so edges are shared), every cell edge split into k segments, and every
// third cell given a square hole. IDs run against the file order so that the
// smallest-ID rule is exercised. Not real data: for differential tests.
func madeUpGrid(nx, ny, k int, seed uint64) *Layer {
	rng := rand.New(rand.NewPCG(seed, 1))
	// Lattice of (nx*k+1) x (ny*k+1) points, jittered inside.
	W, H := nx*k+1, ny*k+1
	pts := make([]orb.Point, W*H)
	for j := 0; j < H; j++ {
		for i := 0; i < W; i++ {
			x, y := float64(i)/float64(k), float64(j)/float64(k)
			if i > 0 && i < W-1 && j > 0 && j < H-1 {
				x += (rng.Float64() - 0.5) * 0.4 / float64(k)
				y += (rng.Float64() - 0.5) * 0.4 / float64(k)
			}
			pts[j*W+i] = orb.Point{x - 100, y + 30}
		}
	}
	at := func(i, j int) orb.Point { return pts[j*W+i] }
	l := &Layer{Name: "made-up grid", File: "made-up"}
	n := 0
	for cy := 0; cy < ny; cy++ {
		for cx := 0; cx < nx; cx++ {
			var ring orb.Ring
			i0, j0 := cx*k, cy*k
			for s := 0; s < k; s++ { // bottom, left to right
				ring = append(ring, at(i0+s, j0))
			}
			for s := 0; s < k; s++ { // right, upwards
				ring = append(ring, at(i0+k, j0+s))
			}
			for s := 0; s < k; s++ { // top, right to left
				ring = append(ring, at(i0+k-s, j0+k))
			}
			for s := 0; s < k; s++ { // left, downwards
				ring = append(ring, at(i0, j0+k-s))
			}
			ring = append(ring, ring[0])
			poly := orb.Polygon{ring}
			if n%3 == 0 {
				c := orb.Point{float64(cx) + 0.5 - 100, float64(cy) + 0.5 + 30}
				poly = append(poly, orb.Ring{{c[0] - 0.1, c[1] - 0.1}, {c[0] - 0.1, c[1] + 0.1}, {c[0] + 0.1, c[1] + 0.1}, {c[0] + 0.1, c[1] - 0.1}, {c[0] - 0.1, c[1] - 0.1}})
			}
			mp := orb.MultiPolygon{poly}
			l.Features = append(l.Features, Feature{ID: fmt.Sprintf("cell-%04d", nx*ny-n), Geom: mp, Bound: mp.Bound()})
			n++
		}
	}
	return l
}

// probePoints returns points that stress the boundary rule: every vertex,
// every edge midpoint, and uniform random points over the layer's bounding
// box grown by 1%.
func probePoints(l *Layer, random int, seed uint64) []orb.Point {
	var pts []orb.Point
	b := l.Features[0].Bound
	for _, f := range l.Features {
		b = b.Union(f.Bound)
		for _, poly := range f.Geom {
			for _, r := range poly {
				for i, p := range r {
					pts = append(pts, p)
					if i > 0 {
						q := r[i-1]
						pts = append(pts, orb.Point{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2})
					}
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	dx, dy := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	for range random {
		pts = append(pts, orb.Point{b.Min[0] - dx/200 + rng.Float64()*dx*1.01, b.Min[1] - dy/200 + rng.Float64()*dy*1.01})
	}
	return pts
}

func TestIndexMatchesBrute(t *testing.T) {
	tests := []struct {
		name   string
		layer  *Layer
		random int
	}{
		{"made-up 4x3 grid, 1 segment per side", madeUpGrid(4, 3, 1, 1), 20000},
		{"made-up 10x10 grid, 7 segments per side", madeUpGrid(10, 10, 7, 2), 50000},
		{"made-up 3x2 grid, 300 segments per side", madeUpGrid(3, 2, 300, 3), 50000},
		{"real Alameda 2010 tracts", alameda(t), 200000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fast, brute := NewIndex(tt.layer), NewBruteIndex(tt.layer)
			pts := probePoints(tt.layer, tt.random, 7)
			inside := 0
			for _, p := range pts {
				gi, gok := fast.Locate(p)
				wi, wok := brute.Locate(p)
				if gi != wi || gok != wok {
					t.Fatalf("Locate(%v) = %d, %v; brute force says %d, %v", p, gi, gok, wi, wok)
				}
				if ti, tok := fast.locateTree(p); ti != wi || tok != wok {
					t.Fatalf("locateTree(%v) = %d, %v; brute force says %d, %v", p, ti, tok, wi, wok)
				}
				if gok {
					inside++
				}
			}
			if inside == 0 || inside == len(pts) {
				t.Errorf("%d of %d probe points inside: the probes do not test both outcomes", inside, len(pts))
			}
		})
	}
}

// TestSharedBoundaryGoesToSmallestID checks the boundary rule on every vertex
// and edge midpoint: the point goes to exactly the covering feature with the
// smallest ID, where "covering" is decided feature by feature.
func TestSharedBoundaryGoesToSmallestID(t *testing.T) {
	for _, l := range []*Layer{madeUpGrid(6, 5, 3, 4), alameda(t)} {
		t.Run(l.Name, func(t *testing.T) {
			x := NewIndex(l)
			shared := 0
			for _, p := range probePoints(l, 0, 0) {
				var covering []string
				best := -1
				for i, f := range l.Features {
					if f.Bound.Contains(p) && multiPolygonCovers(f.Geom, p) {
						covering = append(covering, f.ID)
						if best < 0 || f.ID < l.Features[best].ID {
							best = i
						}
					}
				}
				if len(covering) > 1 {
					shared++
				}
				got, ok := x.Locate(p)
				if best < 0 {
					if ok {
						t.Fatalf("Locate(%v) = %s; no feature covers it", p, l.Features[got].ID)
					}
					continue
				}
				if !ok || got != best {
					t.Fatalf("Locate(%v) = %d, %v; covered by %v, want %s", p, got, ok, covering, l.Features[best].ID)
				}
			}
			if shared == 0 {
				t.Error("no probe point lies on a shared edge")
			}
		})
	}
}

func TestLocateBoundaryRule(t *testing.T) {
	// Two made-up unit squares sharing the edge x=1; "b" comes first in the
	// file but "a" has the smaller ID. "a" has a hole [0.25,0.75]^2.
	sq := func(x0 float64) orb.Ring {
		return orb.Ring{{x0, 0}, {x0 + 1, 0}, {x0 + 1, 1}, {x0, 1}, {x0, 0}}
	}
	hole := orb.Ring{{0.25, 0.25}, {0.25, 0.75}, {0.75, 0.75}, {0.75, 0.25}, {0.25, 0.25}}
	a := orb.MultiPolygon{{sq(0), hole}}
	b := orb.MultiPolygon{{sq(1)}}
	l := &Layer{Features: []Feature{{ID: "b", Geom: b, Bound: b.Bound()}, {ID: "a", Geom: a, Bound: a.Bound()}}}
	tests := []struct {
		name string
		p    orb.Point
		want string // "" for none
	}{
		{"inside a", orb.Point{0.1, 0.5}, "a"},
		{"inside b", orb.Point{1.5, 0.5}, "b"},
		{"on shared edge goes to smaller ID", orb.Point{1, 0.5}, "a"},
		{"on shared corner goes to smaller ID", orb.Point{1, 1}, "a"},
		{"on b's outer edge only", orb.Point{2, 0.5}, "b"},
		{"on a's outer corner", orb.Point{0, 0}, "a"},
		{"inside the hole", orb.Point{0.5, 0.5}, ""},
		{"on the hole's edge", orb.Point{0.25, 0.5}, "a"},
		{"on the hole's corner", orb.Point{0.75, 0.75}, "a"},
		{"outside", orb.Point{3, 0.5}, ""},
		{"outside, level with a horizontal edge", orb.Point{-1, 1}, ""},
	}
	for _, x := range []interface {
		Locate(orb.Point) (int, bool)
	}{NewIndex(l), NewBruteIndex(l)} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%T/%s", x, tt.name), func(t *testing.T) {
				i, ok := x.Locate(tt.p)
				got := ""
				if ok {
					got = l.Features[i].ID
				}
				if got != tt.want {
					t.Errorf("Locate(%v) = %q, want %q", tt.p, got, tt.want)
				}
			})
		}
	}
}

// TestLocateOverlapping: a made-up layer of 3,000 nested squares overlaps too
// much for the grid (every square in every cell), so Locate falls back to
// the R-tree; answers still match the brute force.
func TestLocateOverlapping(t *testing.T) {
	l := &Layer{Name: "made-up nested squares"}
	for i := range 3000 {
		d := 1 + float64(i)/1000
		mp := orb.MultiPolygon{{{{-d, -d}, {d, -d}, {d, d}, {-d, d}, {-d, -d}}}}
		l.Features = append(l.Features, Feature{ID: fmt.Sprintf("sq%04d", 2999-i), Geom: mp, Bound: mp.Bound()})
	}
	x, b := NewIndex(l), NewBruteIndex(l)
	if x.grid.cnx != 0 {
		t.Fatalf("grid built with %d entries", x.grid.candidates)
	}
	for _, p := range probePoints(l, 2000, 3)[:20000] {
		gi, gok := x.Locate(p)
		wi, wok := b.Locate(p)
		if gi != wi || gok != wok {
			t.Fatalf("Locate(%v) = %d, %v; brute force %d, %v", p, gi, gok, wi, wok)
		}
	}
}

func TestLocateEmptyLayer(t *testing.T) {
	x := NewIndex(&Layer{Name: "empty"})
	for _, p := range []orb.Point{{0, 0}, {1, 1}} {
		if i, ok := x.Locate(p); ok || i != -1 {
			t.Errorf("Locate(%v) on an empty layer = %d, %v", p, i, ok)
		}
		if x.OnEdge(p) {
			t.Errorf("OnEdge(%v) on an empty layer", p)
		}
	}
}

func benchLocate(b *testing.B, l *Layer, loc func(orb.Point) (int, bool)) {
	pts := probePoints(l, 1<<16, 11)
	pts = pts[len(pts)-1<<16:] // the random points only
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		loc(pts[i&(1<<16-1)])
	}
}

func BenchmarkLocate(b *testing.B) {
	layers := []*Layer{alameda(b), mustRead(b, "testdata/cb_2018_39_tract_500k.zip"), madeUpGrid(3, 2, 1000, 5)}
	layers[0].Name, layers[1].Name, layers[2].Name = "alameda-tracts", "ohio-tracts", "made-up-3x2-grid-4000-edges-per-cell"
	for _, l := range layers {
		b.Run(l.Name+"/index", func(b *testing.B) { benchLocate(b, l, NewIndex(l).Locate) })
		b.Run(l.Name+"/rtree-only", func(b *testing.B) { benchLocate(b, l, NewIndex(l).locateTree) })
		b.Run(l.Name+"/brute", func(b *testing.B) { benchLocate(b, l, NewBruteIndex(l).Locate) })
	}
}

// FuzzLocate is a differential fuzz test of Index against BruteIndex on the
// real Alameda tracts and a made-up grid, for arbitrary points (including
// NaN and infinities).
func FuzzLocate(f *testing.F) {
	layers := []*Layer{alameda(f), madeUpGrid(5, 4, 3, 8)}
	fast := []*Index{NewIndex(layers[0]), NewIndex(layers[1])}
	brute := []*BruteIndex{NewBruteIndex(layers[0]), NewBruteIndex(layers[1])}
	f.Add(-122.24692, 37.885438)   // a vertex of tract 06001400100
	f.Add(-122.2, 37.8)            // inside Oakland
	f.Add(-98.5, 31.5)             // the made-up grid
	f.Add(math.NaN(), math.Inf(1)) // not a place
	f.Fuzz(func(t *testing.T, x, y float64) {
		p := orb.Point{x, y}
		for i := range layers {
			gi, gok := fast[i].Locate(p)
			wi, wok := brute[i].Locate(p)
			if gi != wi || gok != wok {
				t.Fatalf("layer %d: Locate(%v) = %d, %v; brute force %d, %v", i, p, gi, gok, wi, wok)
			}
		}
	})
}

// TestNewIndexSharedKeepsRings checks NewIndexShared: every ring of the layer
// keeps its coordinates, now lives in the index's vertex arena (one copy, not
// two), and every probe is placed as NewIndex and the brute-force twin place
// it.
func TestNewIndexSharedKeepsRings(t *testing.T) {
	for _, tt := range []struct {
		name  string
		layer func() *Layer
	}{
		{"made-up 10x10 grid with holes", func() *Layer { return madeUpGrid(10, 10, 7, 2) }},
		{"real Alameda 2010 tracts", func() *Layer { return alameda(t) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			orig, shared := tt.layer(), tt.layer()
			x := NewIndexShared(shared)
			plain, brute := NewIndex(orig), NewBruteIndex(orig)
			arena := x.verts[:cap(x.verts)]
			inArena := func(r orb.Ring) bool {
				p, lo, hi := &r[0], &arena[0], &arena[len(arena)-1]
				return uintptr(unsafe.Pointer(p)) >= uintptr(unsafe.Pointer(lo)) && uintptr(unsafe.Pointer(p)) <= uintptr(unsafe.Pointer(hi))
			}
			rings := 0
			for fi, f := range shared.Features {
				for pi, poly := range f.Geom {
					for ri, r := range poly {
						want := orig.Features[fi].Geom[pi][ri]
						if !slices.Equal(r, want) {
							t.Fatalf("feature %s polygon %d ring %d changed: %d points, want %d", f.ID, pi, ri, len(r), len(want))
						}
						if len(r) == 0 {
							continue
						}
						if !inArena(r) {
							t.Fatalf("feature %s polygon %d ring %d is not in the index's arena", f.ID, pi, ri)
						}
						if cap(r) != len(r) {
							t.Fatalf("feature %s polygon %d ring %d: capacity %d > length %d (an append would overwrite the next ring)", f.ID, pi, ri, cap(r), len(r))
						}
						rings++
					}
				}
			}
			if rings == 0 {
				t.Fatal("no rings checked")
			}
			for _, p := range probePoints(orig, 20000, 11) {
				gi, gok := x.Locate(p)
				pi, pok := plain.Locate(p)
				wi, wok := brute.Locate(p)
				if gi != pi || gok != pok || gi != wi || gok != wok {
					t.Fatalf("Locate(%v): shared index says %d, %v; NewIndex %d, %v; brute force %d, %v", p, gi, gok, pi, pok, wi, wok)
				}
			}
		})
	}
}
