package geo

import (
	"context"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestCellRecordsMatchLists is the differential test of the cells' records
// (strip.go) against the candidate lists they replace and the brute-force
// twin, on real tracts (Alameda 2010, Ohio and Georgia 2018, with holes
// and multipolygons) and the made-up grids: every vertex and its four
// one-ulp neighbours, points on every edge (at eighths of its length, as
// computed, and one ulp either side), the extreme points of every cell
// that has a record (corners, side middles, centre) and of the sub-cells
// of its sub-grid (of every cell, or of a sample on the larger layers),
// and uniform points; all of them also through the batch path.
func TestCellRecordsMatchLists(t *testing.T) {
	tests := []struct {
		name  string
		layer func() *Layer
	}{
		{"real Alameda 2010 tracts", func() *Layer { return alameda(t) }},
		{"real Ohio 2018 tracts", func() *Layer { return mustRead(t, "testdata/cb_2018_39_tract_500k.zip") }},
		{"real Georgia 2018 tracts", func() *Layer { return mustRead(t, "testdata/cb_2018_13_tract_500k.zip") }},
		{"made-up 10x10 grid with holes", func() *Layer { return madeUpGrid(10, 10, 7, 2) }},
		{"made-up 3x2 grid, 300 segments per side", func() *Layer { return madeUpGrid(3, 2, 300, 3) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.layer()
			x := NewIndex(l)
			if len(x.grid.recs) == 0 {
				t.Fatal("the index has no cell records: the test exercises nothing")
			}
			size := defaultGridSize
			size.noRecords = true
			lists := newIndex(l, false, size)
			if len(lists.grid.recs) != 0 {
				t.Fatal("noRecords index has records")
			}
			brute := newBruteTree(l)
			recorded, checked, inside := 0, 0, 0
			// Every probe again through the batch path (two passes,
			// placeRecords), against the lists' answers.
			var probes []orb.Point
			var wants []int32
			check := func(p orb.Point) {
				checked++
				got, want := x.locate32(p), lists.locate32(p)
				probes, wants = append(probes, p), append(wants, want)
				if got != want {
					t.Fatalf("Locate(%v) = %d from the records, %d from the lists (cell word %d)", p, got, want, x.cellWord(p))
				}
				if w := x.cellWord(p); w < cellEmpty && listOffset(w) >= recordBase {
					recorded++
					if recorded%8 == 0 {
						b, ok := brute.Locate(p)
						if !ok {
							b = Unmatched
						}
						if int32(b) != got {
							t.Fatalf("Locate(%v) = %d, brute force %d", p, got, b)
						}
					}
				}
				if got != Unmatched {
					inside++
				}
			}
			ulps := func(p orb.Point) {
				check(p)
				for _, d := range []float64{math.Inf(1), math.Inf(-1)} {
					check(orb.Point{math.Nextafter(p[0], d), p[1]})
					check(orb.Point{p[0], math.Nextafter(p[1], d)})
				}
			}
			for _, f := range l.Features {
				for _, poly := range f.Geom {
					ringEdges(poly, func(a, b orb.Point) {
						ulps(a)
						for s := 1; s < 8; s++ {
							q := float64(s) / 8
							ulps(orb.Point{a[0] + q*(b[0]-a[0]), a[1] + q*(b[1]-a[1])})
						}
					})
				}
			}
			g := &x.grid
			// cellAndSubcells probes cell (i, j) at level kb and, for
			// every subStride-th such cell, its sub-cells (subgrid.go).
			subStride := max(1, len(g.recs)/(1<<17))
			cells := 0
			cellAndSubcells := func(kb uint, i, j int) {
				for _, p := range cellProbes(g, kb, i, j) {
					check(p)
				}
				if cells++; cells%subStride != 0 {
					return
				}
				for c := range subgridSide * subgridSide {
					for _, p := range cellProbes(g, kb+subgridLevel, i<<subgridLevel+c%subgridSide, j<<subgridLevel+c/subgridSide) {
						check(p)
					}
				}
			}
			for b := range g.cnx * g.cny {
				w := g.coarseWord(b)
				bx, by := b%g.cnx, b/g.cnx
				if w >= cellEmpty {
					continue
				}
				if w >= minListWord { // a block with one record
					cellAndSubcells(0, bx, by)
					continue
				}
				off, kb := blockCells(w)
				side := 1 << kb
				for c := range side * side {
					if cw := g.blocks[off+c]; cw < cellEmpty {
						cellAndSubcells(kb, bx<<kb+c&(side-1), by<<kb+c>>kb)
					}
				}
			}
			for _, p := range probePoints(l, 200000, 21) {
				check(p)
			}
			got := make([]int32, len(probes))
			x.sortBatches = false
			locateAll(context.Background(), x, probes, got, 2, 1<<16, true)
			for i, p := range probes {
				if got[i] != wants[i] {
					t.Fatalf("point %v in a batch: %d from the records, %d from the lists (cell word %d)", p, got[i], wants[i], x.cellWord(p))
				}
			}
			if recorded == 0 || inside == 0 || inside == checked {
				t.Fatalf("%d probes, %d in cells with records, %d inside a feature: the test exercises nothing", checked, recorded, inside)
			}
			t.Logf("%d probes, %d in cells with records (%.1f MiB of records)", checked, recorded, float64(8*len(g.recs))/(1<<20))
		})
	}
}
