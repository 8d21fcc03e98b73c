package geo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/paulmach/orb"
)

// nationalLayer is a national-size layer MADE UP from real geometry, laid
// out as pipeline/scalebench lays out its generated national layer (which
// this package cannot import): the Census Bureau's 2,948 Ohio and 1,966
// Georgia tracts (testdata/cb_2018_39_tract_500k.zip,
// cb_2018_13_tract_500k.zip) copied until there are 85,000, each copy of
// the pair translated by whole degrees on a grid of 6 columns 15 degrees and
// rows 13 degrees apart, so copies never overlap, with IDs made unique by a
// made-up state code per copy. No ID refers to a real place.
var nationalLayer = sync.OnceValue(func() *Layer {
	var base []Feature
	for _, z := range []string{"testdata/cb_2018_39_tract_500k.zip", "testdata/cb_2018_13_tract_500k.zip"} {
		l, err := Read(context.Background(), "tract", z, "GEOID")
		if err != nil {
			panic(err)
		}
		base = append(base, l.Features...)
	}
	l := &Layer{Name: "national (made up from Ohio and Georgia)", File: "made-up"}
	for i := range 85000 {
		c, f := i/len(base), base[i%len(base)]
		dx, dy := float64(c%6)*15-60, float64(c/6)*13-25
		st := 1 + 2*c
		if strings.HasPrefix(f.ID, "13") {
			st++
		}
		mp := make(orb.MultiPolygon, len(f.Geom))
		for j, p := range f.Geom {
			mp[j] = make(orb.Polygon, len(p))
			for k, r := range p {
				nr := make(orb.Ring, len(r))
				for m, pt := range r {
					nr[m] = orb.Point{pt[0] + dx, pt[1] + dy}
				}
				mp[j][k] = nr
			}
		}
		l.Features = append(l.Features, Feature{ID: fmt.Sprintf("%02d%s", st, f.ID[2:]), Geom: mp, Bound: mp.Bound()})
	}
	return l
})

// pointsInFeatures draws n points uniformly inside random features of l
// (rejection sampling in each feature's bounding box), as
// pipeline/scalebench draws its points: every point is in some feature.
func pointsInFeatures(l *Layer, n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 3))
	pts := make([]orb.Point, 0, n)
	for len(pts) < n {
		f := &l.Features[rng.IntN(len(l.Features))]
		for range 100 {
			p := orb.Point{f.Bound.Min[0] + rng.Float64()*(f.Bound.Max[0]-f.Bound.Min[0]), f.Bound.Min[1] + rng.Float64()*(f.Bound.Max[1]-f.Bound.Min[1])}
			if multiPolygonCovers(f.Geom, p) {
				pts = append(pts, p)
				break
			}
		}
	}
	return pts
}

// BenchmarkLocateNational places 1,000,000 points drawn inside the
// national-size made-up layer, one worker: in input order (the naive
// baseline, one Locate per point), through locateAll in two passes (cell
// words, then grouped lists), and in chunks sorted by the Morton and Hilbert
// curves, for several chunk sizes. ns/op is per point.
func BenchmarkLocateNational(b *testing.B) {
	l := nationalLayer()
	x := NewIndex(l)
	pts := pointsInFeatures(l, 1_000_000, 5)
	out := make([]int32, len(pts))
	run := func(b *testing.B, chunk int, sorted bool) {
		b.ReportAllocs()
		b.ResetTimer()
		c0 := cpuTime()
		for done := 0; done < b.N; done += len(pts) {
			n := min(len(pts), b.N-done)
			locateAll(context.Background(), x, pts[:n], out[:n], 1, chunk, sorted)
		}
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("input-order", func(b *testing.B) { run(b, 1<<14, false) })
	x.sortBatches = false
	b.Run("two-pass-chunk-1048576", func(b *testing.B) { run(b, 1<<20, true) })
	x.sortBatches = true
	for _, chunk := range []int{1 << 12, 1 << 16, 1 << 18, 1 << 20} {
		b.Run(fmt.Sprintf("morton-chunk-%d", chunk), func(b *testing.B) { run(b, chunk, true) })
	}
	curveKey = hilbertKey
	defer func() { curveKey = mortonKey }()
	for _, chunk := range []int{1 << 16, 1 << 20} {
		b.Run(fmt.Sprintf("hilbert-chunk-%d", chunk), func(b *testing.B) { run(b, chunk, true) })
	}
}

// cpuTime is the process's user+system CPU time in nanoseconds: on a shared
// machine it is a steadier measure than wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkNewIndexNational builds the index of the national-size made-up
// layer and reports the live heap it holds (index-MiB: heap after a
// collection, less the layer's) and the CPU time of a build (cpu-ms/op,
// the garbage collector's included).
func BenchmarkNewIndexNational(b *testing.B) {
	l := nationalLayer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	var x *Index
	c0 := cpuTime()
	for range b.N {
		x = NewIndex(l)
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N)/1e6, "cpu-ms/op")
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "index-MiB")
	runtime.KeepAlive(x)
}

// TestLocateAllMatchesBrute is the differential test of the batch paths
// (Morton-order sorting and two passes, several workers, chunks) against the brute-force
// twin, on the real Alameda and Ohio probes (with cell records and with
// lists) and on points over the national-size made-up layer (inside
// tracts, and uniform over its bounding box).
func TestLocateAllMatchesBrute(t *testing.T) {
	nat, ohio := nationalLayer(), mustRead(t, "testdata/cb_2018_39_tract_500k.zip")
	natPts := append(pointsInFeatures(nat, 5000, 9), probePoints(nat, 5000, 10)[len(probePoints(nat, 0, 10)):]...)
	tests := []struct {
		name    string
		layer   *Layer
		pts     []orb.Point
		workers int
		chunk   int
		lists   bool // no cell records (strip.go): the lists' path
	}{
		{"Alameda probes, 1 worker", alameda(t), probePoints(alameda(t), 50000, 4), 1, locateChunk, false},
		{"Alameda probes, 3 workers, chunks of 1000", alameda(t), probePoints(alameda(t), 50000, 5), 3, 1000, false},
		{"Alameda probes, lists, 2 workers", alameda(t), probePoints(alameda(t), 50000, 7), 2, locateChunk, true},
		{"Ohio probes, 2 workers", ohio, probePoints(ohio, 100000, 8), 2, 1 << 15, false},
		{"Ohio probes, lists, 1 worker", ohio, probePoints(ohio, 100000, 8), 1, 1 << 15, true},
		{"national made-up layer, 2 workers", nat, natPts, 2, 1 << 12, false},
		{"fewer points than minSortedBatch", alameda(t), probePoints(alameda(t), 0, 6)[:100], 2, locateChunk, false},
	}
	for _, tt := range tests {
		brute := NewBruteIndex(tt.layer)
		want := make([]int32, len(tt.pts))
		for i, p := range tt.pts {
			want[i] = Unmatched
			if f, ok := brute.Locate(p); ok {
				want[i] = int32(f)
			}
		}
		size := defaultGridSize
		size.noRecords = tt.lists
		x := newIndex(tt.layer, false, size)
		if recs := len(x.grid.recs) > 0; recs == tt.lists && !x.sortBatches {
			t.Fatalf("%s: index with records %v", tt.name, recs)
		}
		// Both batch paths whatever the layer's size: sorted along the
		// curve, and in two passes (cell words, then grouped lists).
		for _, curve := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, curve order %v", tt.name, curve), func(t *testing.T) {
				got := make([]int32, len(tt.pts))
				x.sortBatches = curve
				locateAll(context.Background(), x, tt.pts, got, tt.workers, tt.chunk, true)
				for i, p := range tt.pts {
					if got[i] != want[i] {
						t.Fatalf("point %d %v: feature %d, brute force %d", i, p, got[i], want[i])
					}
				}
			})
		}
	}
}

func TestSorterOrder(t *testing.T) {
	b := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}
	pts := []orb.Point{{0.9, 0.9}, {0.1, 0.1}, {math.NaN(), 0.5}, {0.1, 0.1}, {2, -1}, {0.9, 0.1}}
	var s sorter
	var got []int
	for _, v := range s.order(b, pts) {
		got = append(got, int(uint32(v)))
	}
	// Morton order: (0,0)-quadrant first, ties in input order; NaN and
	// out-of-bound points clamp to the edge cells.
	want := []int{1, 3, 4, 5, 2, 0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

// BenchmarkLocateAllSmallLayers is locateAll on one worker over the real
// Alameda and Ohio tract layers, 4M uniform points over their bounding
// boxes, in chunks of 2^20 (LocateAll's for 10M points on one worker): in
// input order, sorted along the Morton curve, and in two passes; and in
// two passes over the index without cell records (the lists' path, the
// baseline of strip.go).
func BenchmarkLocateAllSmallLayers(b *testing.B) {
	for _, l := range []*Layer{alameda(b), mustRead(b, "testdata/cb_2018_39_tract_500k.zip")} {
		x := NewIndex(l)
		size := defaultGridSize
		size.noRecords = true
		lists := newIndex(l, false, size)
		b.Logf("%s: index %.1f MiB (%.1f MiB without records), batches sorted: %v", l.Name, float64(x.sizeBytes())/(1<<20), float64(lists.sizeBytes())/(1<<20), x.sortBatches)
		pts := probePoints(l, 1<<22, 12)
		pts = pts[len(pts)-1<<22:]
		out := make([]int32, len(pts))
		for _, mode := range []string{"input-order", "morton", "two-pass", "two-pass-lists"} {
			b.Run(fmt.Sprintf("%s/%d-polygons/%s", l.Name, len(l.Features), mode), func(b *testing.B) {
				x := x
				if mode == "two-pass-lists" {
					x = lists
				}
				x.sortBatches = mode == "morton"
				b.ReportAllocs()
				b.ResetTimer()
				c0 := cpuTime()
				for done := 0; done < b.N; done += len(pts) {
					n := min(len(pts), b.N-done)
					locateAll(context.Background(), x, pts[:n], out[:n], 1, 1<<20, mode != "input-order")
				}
				b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkNewIndexSmallLayers builds the index of the real Alameda and
// Ohio tract layers (GOMAXPROCS goroutines, as NewIndex does) and
// reports its memory (index-MiB: the arenas, grid and records) and the
// CPU time of a build (cpu-ms/op, the garbage collector's included).
func BenchmarkNewIndexSmallLayers(b *testing.B) {
	for _, l := range []*Layer{alameda(b), mustRead(b, "testdata/cb_2018_39_tract_500k.zip")} {
		b.Run(fmt.Sprintf("%s/%d-polygons", l.Name, len(l.Features)), func(b *testing.B) {
			b.ReportAllocs()
			var x *Index
			c0 := cpuTime()
			for range b.N {
				x = NewIndex(l)
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N)/1e6, "cpu-ms/op")
			b.ReportMetric(float64(x.sizeBytes())/(1<<20), "index-MiB")
		})
	}
}
