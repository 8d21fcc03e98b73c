package geo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestJoinPointsMatchesLocate(t *testing.T) {
	l := alameda(t)
	x := NewIndex(l)
	pts := probePoints(l, 30000, 3)
	tests := []struct {
		name string
		opts JoinOptions
		n    int
	}{
		{"defaults", JoinOptions{}, len(pts)},
		{"one worker, batch of 1", JoinOptions{Workers: 1, BatchSize: 1}, 2000},
		{"4 workers, batch of 7", JoinOptions{Workers: 4, BatchSize: 7}, len(pts)},
		{"batch size divides the input", JoinOptions{Workers: 3, BatchSize: 100}, 1000},
		{"no points", JoinOptions{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pts[:tt.n]
			var got []int32
			var matched int64
			st, err := JoinPoints(context.Background(), x, pointsSlice(in), func(first int64, ps []orb.Point, fs []int32) error {
				if first != int64(len(got)) {
					return fmt.Errorf("batch starts at %d, want %d", first, len(got))
				}
				for i, p := range ps {
					if p != in[int(first)+i] {
						return fmt.Errorf("point %d is %v, want %v", int(first)+i, p, in[int(first)+i])
					}
				}
				got = append(got, fs...)
				return nil
			}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(in) || st.Points != int64(len(in)) {
				t.Fatalf("got %d results, stats %+v, want %d", len(got), st, len(in))
			}
			for i, p := range in {
				want, ok := x.Locate(p)
				if !ok {
					want = Unmatched
				} else {
					matched++
				}
				if int(got[i]) != want {
					t.Fatalf("point %d %v: feature %d, want %d", i, p, got[i], want)
				}
			}
			if st.Matched != matched {
				t.Errorf("Matched = %d, want %d", st.Matched, matched)
			}
		})
	}
}

func TestJoinPointsStops(t *testing.T) {
	x := NewIndex(madeUpGrid(3, 3, 2, 1))
	endless := func() (orb.Point, bool) { return orb.Point{-98.5, 31.5}, true }
	stop := errors.New("stop")
	t.Run("emit error", func(t *testing.T) {
		calls := 0
		_, err := JoinPoints(context.Background(), x, endless, func(int64, []orb.Point, []int32) error {
			calls++
			if calls == 3 {
				return stop
			}
			return nil
		}, JoinOptions{Workers: 2, BatchSize: 10})
		if !errors.Is(err, stop) {
			t.Errorf("err = %v, want %v", err, stop)
		}
		if calls != 3 {
			t.Errorf("emit called %d times after its error, want 3 calls", calls)
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		_, err := JoinPoints(ctx, x, endless, func(int64, []orb.Point, []int32) error {
			calls++
			if calls == 2 {
				cancel()
			}
			return nil
		}, JoinOptions{Workers: 2, BatchSize: 10})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want %v", err, context.Canceled)
		}
	})
}

func ExampleJoinPoints() {
	// Two made-up unit squares sharing the edge x=1.
	sq := func(x0 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, 0}, {x0 + 1, 0}, {x0 + 1, 1}, {x0, 1}, {x0, 0}}}}
	}
	l := &Layer{Name: "squares"}
	for _, f := range []Feature{{ID: "west", Geom: sq(0)}, {ID: "east", Geom: sq(1)}} {
		f.Bound = f.Geom.Bound()
		l.Features = append(l.Features, f)
	}
	pts := []orb.Point{{0.5, 0.5}, {1, 0.5}, {1.5, 0.5}, {5, 5}}
	next := func() (orb.Point, bool) { // yields pts in order
		if len(pts) == 0 {
			return orb.Point{}, false
		}
		p := pts[0]
		pts = pts[1:]
		return p, true
	}
	_, err := JoinPoints(context.Background(), NewIndex(l), next, func(first int64, ps []orb.Point, fs []int32) error {
		for i, f := range fs {
			id := "none"
			if f != Unmatched {
				id = l.Features[f].ID
			}
			fmt.Println(ps[i], id)
		}
		return nil
	}, JoinOptions{})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// [0.5 0.5] west
	// [1 0.5] east
	// [1.5 0.5] east
	// [5 5] none
}

// BenchmarkJoinPoints reports the cost per point of the streaming join over
// the real Alameda tracts; allocations per point stay at zero however many
// points are joined (memory flat in the number of points).
func BenchmarkJoinPoints(b *testing.B) {
	l := alameda(b)
	x := NewIndex(l)
	bd := l.Features[0].Bound
	for _, f := range l.Features {
		bd = bd.Union(f.Bound)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	next := func() (orb.Point, bool) {
		if n == b.N {
			return orb.Point{}, false
		}
		n++
		return orb.Point{bd.Min[0] + rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1] + rng.Float64()*(bd.Max[1]-bd.Min[1])}, true
	}
	if _, err := JoinPoints(context.Background(), x, next, func(int64, []orb.Point, []int32) error { return nil }, JoinOptions{}); err != nil {
		b.Fatal(err)
	}
}

func TestLocateAllMatchesLocate(t *testing.T) {
	l := alameda(t)
	x := NewIndex(l)
	pts := probePoints(l, 40000, 9)
	for _, workers := range []int{1, 3} {
		out := make([]int32, len(pts))
		if err := LocateAll(context.Background(), x, pts, out, workers); err != nil {
			t.Fatal(err)
		}
		for i, p := range pts {
			want, ok := x.Locate(p)
			if !ok {
				want = Unmatched
			}
			if int(out[i]) != want {
				t.Fatalf("%d workers: point %d %v: %d, want %d", workers, i, p, out[i], want)
			}
		}
	}
}

// pointsSlice returns a next function for JoinPoints that yields pts in
// order.
func pointsSlice(pts []orb.Point) func() (orb.Point, bool) {
	i := 0
	return func() (orb.Point, bool) {
		if i == len(pts) {
			return orb.Point{}, false
		}
		i++
		return pts[i-1], true
	}
}
