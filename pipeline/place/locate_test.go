package place

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
)

// TestLocateAllMatchesInto: LocateAll writes, for every point, what Into
// writes, on one core and on two (where the values are looked up in parts),
// over two MADE-UP boundaries of unit squares (30x30 "sq" squares, 10x10
// "big" squares of 3x3), an area over each (some squares in none) and an
// area over a boundary without an index; 60,000 random points, some outside
// every square.
func TestLocateAllMatchesInto(t *testing.T) {
	squares := func(name string, n int, side float64) *geo.Layer {
		l := &geo.Layer{Name: name}
		for i := range n * n {
			x, y := float64(i%n)*side, float64(i/n)*side
			ring := orb.Ring{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}}
			mp := orb.MultiPolygon{{ring}}
			l.Features = append(l.Features, geo.Feature{ID: fmt.Sprintf("%s%04d", name, i), Geom: mp, Bound: mp.Bound()})
		}
		return l
	}
	layers := map[string]*geo.Layer{"sq": squares("sq", 30, 1), "big": squares("big", 10, 3)}
	indexes := map[string]*geo.Index{"sq": geo.NewIndex(layers["sq"]), "big": geo.NewIndex(layers["big"])}
	areaOf := map[string]map[string]string{"half": {}, "ring": {}, "elsewhere": {}}
	for i, f := range layers["sq"].Features {
		if i%7 != 0 { // every seventh square in no area
			areaOf["half"][f.ID] = []string{"north", "south"}[i/450]
		}
	}
	for i, f := range layers["big"].Features {
		areaOf["ring"][f.ID] = fmt.Sprint("r", i%3)
	}
	areas := map[string]*config.Area{"half": {Boundary: "sq"}, "ring": {Boundary: "big"}, "elsewhere": {Boundary: "nothere"}}
	l := NewLocator(layers, indexes, areas, areaOf)
	rnd := rand.New(rand.NewPCG(3, 4))
	pts := make([]orb.Point, 60000)
	for k := range pts {
		pts[k] = orb.Point{rnd.Float64()*32 - 1, rnd.Float64()*32 - 1}
	}
	want := make([]string, 0, l.Width()*len(pts))
	buf := l.Buffer()
	for _, p := range pts {
		l.Into(p, buf)
		want = append(want, buf...)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		got := make([]string, len(want))
		if err := l.LocateAll(context.Background(), pts, make([]int32, len(pts)), got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			for k := range got {
				if got[k] != want[k] {
					w := l.Width()
					t.Fatalf("GOMAXPROCS=%d: point %d %v: %q, want %q (values %v)", procs, k/w, pts[k/w], got[k/w*w:(k/w+1)*w], want[k/w*w:(k/w+1)*w], l.Names())
				}
			}
		}
	}
}
