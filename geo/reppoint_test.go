package geo

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/paulmach/orb"
)

// TestRepresentativePointInside checks on every real Alameda and Ohio tract,
// and on made-up shapes where the centroid fails, that the point is inside
// its own feature and not on an edge.
func TestRepresentativePointInside(t *testing.T) {
	crescent := orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 3}, {3, 3}, {3, 1}, {0, 1}, {0, 0}}}}
	donut := orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}}}
	madeUp := &Layer{Name: "made-up shapes", Features: []Feature{{ID: "crescent", Geom: crescent, Bound: crescent.Bound()}, {ID: "donut", Geom: donut, Bound: donut.Bound()}}}
	for _, l := range []*Layer{madeUp, alameda(t), mustRead(t, "testdata/cb_2018_39_tract_500k.zip")} {
		x := NewBruteIndex(l)
		for i, f := range l.Features {
			p := RepresentativePoint(f.Geom)
			if !multiPolygonCovers(f.Geom, p) {
				t.Fatalf("%s %s: point %v not inside", l.Name, f.ID, p)
			}
			one := &Layer{Features: []Feature{f}}
			if NewIndex(one).OnEdge(p) {
				t.Fatalf("%s %s: point %v on an edge", l.Name, f.ID, p)
			}
			if got, ok := x.Locate(p); !ok || got != i {
				t.Fatalf("%s %s: point %v located in %d", l.Name, f.ID, p, got)
			}
		}
	}
}

// TestRepresentativePointMatchesReference: RepresentativePoints gives, to
// the bit, the points of RepresentativePoint as it was at fa0a966 (sorting
// every latitude; referenceRepresentativePoint) for every feature of the
// real boundary files (realBoundaries), and for made-up shapes whose middle
// latitude is a vertex latitude or whose latitudes are nearly all one.
func TestRepresentativePointMatchesReference(t *testing.T) {
	flat := orb.MultiPolygon{{{{0, 1}, {4, 1}, {4, math.Nextafter(1, 2)}, {0, 1}}}}
	onMid := orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 2}, {2, 1}, {0, 2}, {0, 0}}}}
	layers := []*Layer{{Name: "made-up shapes", Features: []Feature{{ID: "flat", Geom: flat}, {ID: "on-mid", Geom: onMid}}}}
	for _, b := range realBoundaries {
		if _, err := os.Stat(b.path); err == nil {
			l, err := Read(context.Background(), filepath.Base(b.path), b.path, b.id)
			if err != nil {
				t.Fatal(err)
			}
			layers = append(layers, l)
		}
	}
	n := 0
	for _, l := range layers {
		got := RepresentativePoints(l)
		for i, f := range l.Features {
			want := referenceRepresentativePoint(f.Geom)
			if math.Float64bits(got[i][0]) != math.Float64bits(want[0]) || math.Float64bits(got[i][1]) != math.Float64bits(want[1]) {
				t.Fatalf("%s %s: %v, want %v", l.Name, f.ID, got[i], want)
			}
			n++
		}
	}
	t.Logf("%d features", n)
}

// BenchmarkRepresentativePoints: the reference (one goroutine, sorting
// every latitude) and RepresentativePoints on the national-size layer made
// up from Ohio (nationalLayer).
func BenchmarkRepresentativePoints(b *testing.B) {
	l := nationalLayer()
	b.Run("reference", func(b *testing.B) {
		c0 := cpuTime()
		for b.Loop() {
			for _, f := range l.Features {
				referenceRepresentativePoint(f.Geom)
			}
		}
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("now", func(b *testing.B) {
		c0 := cpuTime()
		for b.Loop() {
			RepresentativePoints(l)
		}
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	})
}

// referenceRepresentativePoint is RepresentativePoint as it was at fa0a966.
func referenceRepresentativePoint(mp orb.MultiPolygon) orb.Point {
	best, bestArea := -1, -1.0
	for i, p := range mp {
		if len(p) == 0 {
			continue
		}
		a := math.Abs(signedArea(p[0]))
		for _, h := range p[1:] {
			a -= math.Abs(signedArea(h))
		}
		if a > bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 {
		return orb.Point{}
	}
	poly := mp[best]
	var ys []float64
	for _, r := range poly {
		for _, p := range r {
			ys = append(ys, p[1])
		}
	}
	sort.Float64s(ys)
	mid := (ys[0] + ys[len(ys)-1]) / 2
	// The two distinct vertex latitudes around the middle.
	k := sort.SearchFloat64s(ys, mid)
	lo, hi := ys[max(k-1, 0)], ys[min(k, len(ys)-1)]
	for k > 0 && lo == hi {
		k--
		lo = ys[k]
	}
	for j := k; j < len(ys) && hi <= lo; j++ {
		hi = ys[j]
	}
	y := (lo + hi) / 2
	var xs []float64
	for _, r := range poly {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	bx, bw := poly[0][0][0], -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bw {
			bx, bw = (xs[i]+xs[i+1])/2, w
		}
	}
	return orb.Point{bx, y}
}
