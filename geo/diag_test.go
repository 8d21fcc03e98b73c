package geo

import (
	"context"
	"testing"
	"time"
)

func TestDiagNational(t *testing.T) {
	for _, mk := range []func() *Layer{nationalLayer} {
		l := mk()
		t0 := time.Now()
		x := NewIndex(l)
		t.Logf("%s: build %v size %.1f MiB grid %dx%d cells %d coarse %d blocks %d lists %d density %g", l.Name, time.Since(t0), float64(x.sizeBytes())/(1<<20), x.grid.cnx, x.grid.cny, x.grid.cells, len(x.grid.coarse), len(x.grid.blocks), len(x.grid.lists), x.grid.density)
		t.Logf("verts %d bandEdges %d bandStart %d polys %d", len(x.verts), len(x.bandEdges), len(x.bandStart), len(x.polys))
		pts := pointsInFeatures(l, 200000, 5)
		direct, calls, edges := 0, 0, 0
		for _, p := range pts {
			w := x.cellWord(p)
			if w >= cellEmpty {
				direct++
				continue
			}
			for _, e := range x.grid.lists[listOffset(w):] {
				if e < 0 {
					break
				}
				calls++
				edges += len(x.band(&x.polys[e], p[1]))
				if x.covers(&x.polys[e], p) {
					break
				}
			}
		}
		n := float64(len(pts))
		t.Logf("direct %.3f covers/pt %.2f edges/pt %.1f", float64(direct)/n, float64(calls)/n, float64(edges)/n)
	}
}

func TestDiagScan(t *testing.T) {
	l := nationalLayer()
	pts := pointsInFeatures(l, 1000000, 5)
	out := make([]int32, len(pts))
	for _, sz := range []gridSize{
		{16, maxCells, 64, 256, 1 << 22, 64},
		{16, maxCells, 64, 256, 1 << 23, 64},
		{16, maxCells, 64, 256, 1 << 24, 64},
		{4, maxCells, 64, 256, 1 << 23, 64},
		{4, maxCells, 64, 256, 1 << 22, 64},
		{1, maxCells, 64, 256, 1 << 22, 64},
	} {
		t0 := cpuTime()
		x := newIndex(l, false, sz)
		bt := cpuTime() - t0
		for _, sorted := range []bool{true, false} {
			x.sortBatches = sorted
			locateAll(context.Background(), x, pts[:100000], out, 1, 1<<20, true)
			c0 := cpuTime()
			locateAll(context.Background(), x, pts, out, 1, 1<<20, true)
			c := cpuTime() - c0
			t.Logf("%v sorted %v: build %.2fs size %.1f MiB (blocks %.1f lists %.1f) density %g: %.0f cpu-ns/pt", sz, sorted, float64(bt)/1e9, float64(x.sizeBytes())/(1<<20), float64(len(x.grid.blocks))/(1<<18), float64(len(x.grid.lists))/(1<<18), x.grid.density, float64(c)/float64(len(pts)))
		}
	}
}
