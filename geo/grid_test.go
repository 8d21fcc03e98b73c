package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
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

// fineX and fineY are the grid's cell functions at blocks of 1<<kb cells per
// side, as one monotone index over the layer: block<<kb + cell in block
// (coordinates left of or below the grid clamp to its first cell).
func (g *grid) fineX(kb uint) func(float64) int {
	return func(v float64) int {
		t := g.tx(v)
		b := max(blockAt(t, g.cnx), 0)
		return b<<kb + cellIn(t, b, kb)
	}
}

func (g *grid) fineY(kb uint) func(float64) int {
	return func(v float64) int {
		t := g.ty(v)
		b := max(blockAt(t, g.cny), 0)
		return b<<kb + cellIn(t, b, kb)
	}
}

// blockKb is the number of cells per side of block (bx, by), as a power of
// two: 0 for a block whose coarse word answers for all of it.
func (g *grid) blockKb(bx, by int) uint {
	if w := g.coarseWord(by*g.cnx + bx); w < minListWord {
		_, kb := blockCells(w)
		return kb
	}
	return 0
}

// cellProbes returns the corners, the middles of the sides and the centre
// of cell (i, j) at level kb (fineX, fineY): the extreme points that map to
// it, where a wrong "the whole cell is inside (or outside) polygon k"
// decision would show first.
func cellProbes(g *grid, kb uint, i, j int) []orb.Point {
	k := float64(int(1) << kb)
	x0, x1, okx := cellSpan(g.fineX(kb), g.bound.Min[0], g.sx*k, i)
	y0, y1, oky := cellSpan(g.fineY(kb), g.bound.Min[1], g.sy*k, j)
	if !okx || !oky {
		return nil
	}
	xm, ym := (x0+x1)/2, (y0+y1)/2
	return []orb.Point{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}, {xm, y0}, {xm, y1}, {x0, ym}, {x1, ym}, {xm, ym}}
}

// bruteTree is BruteIndex with the features' bounding boxes in an R-tree:
// the same ring walks (multiPolygonCovers, every edge of every ring of the
// features whose box holds the point, in ID order), fast enough for
// national-size layers. It shares no code with Index's bands and grid.
type bruteTree struct {
	layer *Layer
	tree  rtree.RTreeG[int]
}

func newBruteTree(l *Layer) *bruteTree {
	b := &bruteTree{layer: l}
	for i, f := range l.Features {
		b.tree.Insert([2]float64{f.Bound.Min[0], f.Bound.Min[1]}, [2]float64{f.Bound.Max[0], f.Bound.Max[1]}, i)
	}
	return b
}

// Locate has the contract of Index.Locate.
func (b *bruteTree) Locate(p orb.Point) (int, bool) {
	best := -1
	b.tree.Search([2]float64{p[0], p[1]}, [2]float64{p[0], p[1]}, func(_, _ [2]float64, i int) bool {
		f := &b.layer.Features[i]
		if (best < 0 || f.ID < b.layer.Features[best].ID || f.ID == b.layer.Features[best].ID && i < best) && f.Bound.Contains(p) && multiPolygonCovers(f.Geom, p) {
			best = i
		}
		return true
	})
	return best, best >= 0
}

// TestGridCellDecisionsMatchBrute checks the grid's per-cell decisions on
// real geometry (Alameda's and Ohio's tracts, which have multipolygons and
// holes, and the national-size layer made up from Ohio's and Georgia's) and
// on the made-up grid with holes: for every cell in the bounding box of a
// feature with a hole or several polygons, and for random cells elsewhere,
// Locate at the cell's corners, side middles and centre (the extreme points
// that map to the cell) and on the polygon edges where they cross the cell
// borders agrees with the brute-force twin.
func TestGridCellDecisionsMatchBrute(t *testing.T) {
	tests := []struct {
		name    string
		layer   func() *Layer
		special int // features with holes or several polygons to check, 0 for all
	}{
		{"real Alameda 2010 tracts", func() *Layer { return alameda(t) }, 0},
		{"real Ohio 2018 tracts", func() *Layer { return mustRead(t, "testdata/cb_2018_39_tract_500k.zip") }, 0},
		{"made-up 10x10 grid with holes", func() *Layer { return madeUpGrid(10, 10, 7, 2) }, 0},
		{"national-size layer made up from Ohio and Georgia", nationalLayer, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.layer()
			x, brute := NewIndex(l), newBruteTree(l)
			g := &x.grid
			split := 0
			for b := range g.cnx * g.cny {
				if g.coarseWord(b) < minListWord {
					split++
				}
			}
			if split == 0 {
				t.Fatalf("grid of %d x %d blocks has no block split in cells", g.cnx, g.cny)
			}
			check := func(p orb.Point) {
				got, gok := x.Locate(p)
				want, wok := brute.Locate(p)
				if got != want || gok != wok {
					t.Fatalf("Locate(%v) = %d, %v; brute force %d, %v (cell word %d)", p, got, gok, want, wok, x.cellWord(p))
				}
			}
			checked, whole := 0, 0
			// checkCell probes cell (i, j) of block (bx, by).
			checkCell := func(bx, by, i, j int) {
				kb := g.blockKb(bx, by)
				for _, p := range cellProbes(g, kb, bx<<kb+i, by<<kb+j) {
					check(p)
					checked++
				}
				if w := g.coarseWord(by*g.cnx + bx); w >= 0 {
					whole++
				} else if w < minListWord {
					off, kb := blockCells(w)
					if g.blocks[off+j<<kb+i] >= 0 {
						whole++
					}
				}
			}
			randomCell := func(rng *rand.Rand, bx0, bx1, by0, by1 int) {
				bx, by := bx0+rng.IntN(bx1-bx0+1), by0+rng.IntN(by1-by0+1)
				k := 1 << g.blockKb(bx, by)
				checkCell(bx, by, rng.IntN(k), rng.IntN(k))
			}
			// edgeProbes checks the points of edge (a, b) where it crosses
			// the vertical cell borders (the horizontal ones with swap)
			// of the blocks its bounding box touches.
			edgeProbes := func(a, b orb.Point, swap bool) {
				tx, nx, fine, origin, scale := g.tx, g.cnx, g.fineX, g.bound.Min[0], g.sx
				ty, ny := g.ty, g.cny
				if swap {
					a, b = orb.Point{a[1], a[0]}, orb.Point{b[1], b[0]}
					tx, nx, fine, origin, scale = g.ty, g.cny, g.fineY, g.bound.Min[1], g.sy
					ty, ny = g.tx, g.cnx
				}
				if a[0] == b[0] {
					return
				}
				lo, hi := min(a[0], b[0]), max(a[0], b[0])
				for bx := blockAt(tx(lo), nx); bx <= blockAt(tx(hi), nx); bx++ {
					for by := blockAt(ty(min(a[1], b[1])), ny); by <= blockAt(ty(max(a[1], b[1])), ny); by++ {
						var kb uint
						if swap {
							kb = g.blockKb(by, bx)
						} else {
							kb = g.blockKb(bx, by)
						}
						f := fine(kb)
						for i := bx << kb; i < (bx+1)<<kb; i++ {
							v, _, ok := cellSpan(f, origin, scale*float64(int(1)<<kb), i)
							if !ok || v < lo || v > hi {
								continue
							}
							y := a[1] + (v-a[0])*(b[1]-a[1])/(b[0]-a[0])
							for _, p := range []orb.Point{{v, y}, {math.Nextafter(v, math.Inf(-1)), y}, {v, math.Nextafter(y, math.Inf(1))}, {v, math.Nextafter(y, math.Inf(-1))}} {
								if swap {
									p = orb.Point{p[1], p[0]}
								}
								check(p)
								checked++
							}
						}
					}
				}
			}
			special := 0
			rng := rand.New(rand.NewPCG(14, 1))
			for _, f := range l.Features {
				holes := false
				for _, poly := range f.Geom {
					holes = holes || len(poly) > 1
				}
				if !holes && len(f.Geom) < 2 {
					continue
				}
				special++
				if tt.special > 0 && special > tt.special {
					break
				}
				bx0, bx1 := blockAt(g.tx(f.Bound.Min[0]), g.cnx), blockAt(g.tx(f.Bound.Max[0]), g.cnx)
				by0, by1 := blockAt(g.ty(f.Bound.Min[1]), g.cny), blockAt(g.ty(f.Bound.Max[1]), g.cny)
				cells := 0
				for by := by0; by <= by1; by++ {
					for bx := bx0; bx <= bx1; bx++ {
						cells += 1 << (2 * g.blockKb(bx, by))
					}
				}
				if cells > 5000 { // a sample of a large bounding box
					for range 5000 {
						randomCell(rng, bx0, bx1, by0, by1)
					}
				} else {
					for by := by0; by <= by1; by++ {
						for bx := bx0; bx <= bx1; bx++ {
							k := 1 << g.blockKb(bx, by)
							for j := range k {
								for i := range k {
									checkCell(bx, by, i, j)
								}
							}
						}
					}
				}
				for _, poly := range f.Geom {
					ringEdges(poly, func(a, b orb.Point) {
						edgeProbes(a, b, false)
						edgeProbes(a, b, true)
					})
				}
			}
			for range 20000 {
				randomCell(rng, 0, g.cnx-1, 0, g.cny-1)
			}
			if special == 0 || whole == 0 {
				t.Fatalf("%d features with holes or several polygons, %d cells decided whole: the test exercises nothing", special, whole)
			}
			t.Logf("%d probes over %d features with holes or several polygons; %d probed cells decided whole; %d of %d blocks split", checked, special, whole, split, g.cnx*g.cny)
		})
	}
}
