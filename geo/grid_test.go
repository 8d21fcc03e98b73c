package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// cellSpan is the range of coordinates v with cell(v) == i: the first and
// the last float64 that map to cell i (ok false when none does).
func cellSpan(cell func(float64) int, origin, scale float64, i int) (lo, hi float64, ok bool) {
	// The exact borders are within a few ulps of the rounded ones; the
	// first and last cells extend without end (clamping), so steps are
	// bounded.
	step := func(v, dir float64, keep func(float64) bool) float64 {
		for range 64 {
			n := math.Nextafter(v, dir)
			if !keep(n) {
				break
			}
			v = n
		}
		return v
	}
	lo = origin + float64(i)/scale
	if cell(lo) < i {
		lo = step(lo, math.Inf(1), func(v float64) bool { return cell(math.Nextafter(v, math.Inf(-1))) < i })
	} else {
		lo = step(lo, math.Inf(-1), func(v float64) bool { return cell(v) == i })
	}
	hi = origin + float64(i+1)/scale
	if cell(hi) > i {
		hi = step(hi, math.Inf(-1), func(v float64) bool { return cell(math.Nextafter(v, math.Inf(1))) > i })
	} else {
		hi = step(hi, math.Inf(1), func(v float64) bool { return cell(v) == i })
	}
	return lo, hi, cell(lo) == i && cell(hi) == i && lo <= hi
}

// cellProbes returns the corners, the middles of the sides and the centre
// of cell (i, j): the extreme points that map to it, where a wrong "the
// whole cell is inside (or outside) polygon k" decision would show first.
func cellProbes(g *grid, i, j int) []orb.Point {
	x0, x1, okx := cellSpan(g.cellX, g.bound.Min[0], g.sx, i)
	y0, y1, oky := cellSpan(g.cellY, g.bound.Min[1], g.sy, j)
	if !okx || !oky {
		return nil
	}
	xm, ym := (x0+x1)/2, (y0+y1)/2
	return []orb.Point{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}, {xm, y0}, {xm, y1}, {x0, ym}, {x1, ym}, {xm, ym}}
}

// TestGridCellDecisionsMatchBrute checks the grid's per-cell decisions on
// real geometry (Alameda's and Ohio's tracts, which have multipolygons and
// holes) and on the made-up grid with holes: for every cell in the
// bounding box of a feature with a hole or several polygons, and for
// random cells elsewhere, Locate at the cell's corners, side middles and
// centre (the extreme points that map to the cell) and on the polygon edges
// where they cross the cell borders agrees with the brute-force twin.
func TestGridCellDecisionsMatchBrute(t *testing.T) {
	tests := []struct {
		name  string
		layer *Layer
	}{
		{"real Alameda 2010 tracts", alameda(t)},
		{"real Ohio 2018 tracts", mustRead(t, "testdata/cb_2018_39_tract_500k.zip")},
		{"made-up 10x10 grid with holes", madeUpGrid(10, 10, 7, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, brute := NewIndex(tt.layer), NewBruteIndex(tt.layer)
			g := &x.grid
			if g.kb == 0 {
				t.Fatalf("grid of %d x %d cells has no blocks", g.nx, g.ny)
			}
			check := func(p orb.Point) {
				got, gok := x.Locate(p)
				want, wok := brute.Locate(p)
				if got != want || gok != wok {
					t.Fatalf("Locate(%v) = %d, %v; brute force %d, %v (cell %d, %d)", p, got, gok, want, wok, g.cellX(p[0]), g.cellY(p[1]))
				}
			}
			checked, whole := 0, 0
			checkCell := func(i, j int) {
				for _, p := range cellProbes(g, i, j) {
					check(p)
					checked++
				}
				if w := g.coarse[(j>>g.kb)*g.cnx+i>>g.kb]; w >= 0 {
					whole++
				} else if w < cellEmpty {
					m := 1<<g.kb - 1
					if g.blocks[blockIndex(w)<<(2*g.kb)+(j&m)<<g.kb+i&m] >= 0 {
						whole++
					}
				}
			}
			special := 0
			rng := rand.New(rand.NewPCG(14, 1))
			for _, f := range tt.layer.Features {
				holes := false
				for _, poly := range f.Geom {
					holes = holes || len(poly) > 1
				}
				if !holes && len(f.Geom) < 2 {
					continue
				}
				special++
				i0, i1, j0, j1 := g.cellX(f.Bound.Min[0]), g.cellX(f.Bound.Max[0]), g.cellY(f.Bound.Min[1]), g.cellY(f.Bound.Max[1])
				if n := (i1 - i0 + 1) * (j1 - j0 + 1); n > 5000 { // a sample of a large bounding box
					for range 5000 {
						checkCell(i0+rng.IntN(i1-i0+1), j0+rng.IntN(j1-j0+1))
					}
				} else {
					for j := j0; j <= j1; j++ {
						for i := i0; i <= i1; i++ {
							checkCell(i, j)
						}
					}
				}
				// Points on the feature's edges where they cross a
				// vertical cell border.
				for _, poly := range f.Geom {
					ringEdges(poly, func(a, b orb.Point) {
						for i := g.cellX(min(a[0], b[0])); i <= g.cellX(max(a[0], b[0])); i++ {
							lo, _, ok := cellSpan(g.cellX, g.bound.Min[0], g.sx, i)
							if !ok || a[0] == b[0] || lo < min(a[0], b[0]) || lo > max(a[0], b[0]) {
								continue
							}
							y := a[1] + (lo-a[0])*(b[1]-a[1])/(b[0]-a[0])
							for _, p := range []orb.Point{{lo, y}, {math.Nextafter(lo, math.Inf(-1)), y}, {lo, math.Nextafter(y, math.Inf(1))}, {lo, math.Nextafter(y, math.Inf(-1))}} {
								check(p)
								checked++
							}
						}
					})
				}
			}
			for range 20000 {
				checkCell(rng.IntN(g.nx), rng.IntN(g.ny))
			}
			if special == 0 || whole == 0 {
				t.Fatalf("%d features with holes or several polygons, %d cells decided whole: the test exercises nothing", special, whole)
			}
			t.Logf("%d probes over %d features with holes or several polygons; %d probed cells decided whole", checked, special, whole)
		})
	}
}
