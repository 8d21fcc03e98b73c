package svgmap

import (
	"math"
	"strings"
	"testing"
)

// unshared returns the total length of the segments of rings that are
// not matched by a segment of another ring (in either direction): the
// outline of the union where neighbours share edges, plus any slivers.
func unshared(rings [][]xy) float64 {
	type key struct{ a, b xy }
	k := func(a, b xy) key {
		if less(b, a) {
			a, b = b, a
		}
		return key{a, b}
	}
	count := map[key]int{}
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			count[k(r[i], r[i+1])]++
		}
	}
	total := 0.0
	for s, n := range count {
		if n == 1 {
			total += math.Sqrt(dist2(s.a, s.b))
		}
	}
	return total
}

// wiggle is a shared boundary from (0,0) to (0,10) with small bumps that
// simplification at tolerance 1 removes. Made-up geometry for this test.
func wiggle() []xy {
	var w []xy
	for i := 0; i <= 10; i++ {
		x := 0.0
		if i%2 == 1 {
			x = 0.3
		}
		w = append(w, xy{x, float64(i)})
	}
	return w
}

func TestTopologyKeepsSharedEdges(t *testing.T) {
	w := wiggle()
	// left square: (-10,0) -> (0,0) up the wiggle -> (0,10) -> (-10,10)
	left := append([]xy{{-10, 0}}, w...)
	left = append(left, xy{-10, 10}, xy{-10, 0})
	// right square walks the wiggle the other way
	right := []xy{{10, 0}, {10, 10}}
	right = append(right, reversed(w)...)
	right = append(right, xy{10, 0})
	// an island and the hole it fills, with opposite orientations and
	// different starting vertices
	island := []xy{{20, 0}, {24, 0.2}, {28, 0}, {28, 5}, {20, 5}, {20, 0}}
	hole := []xy{{28, 5}, {28, 0}, {24, 0.2}, {20, 0}, {20, 5}, {28, 5}}
	outer := []xy{{18, -2}, {30, -2}, {30, 7}, {18, 7}, {18, -2}}

	tests := []struct {
		name  string
		rings [][]xy
		tol   float64
	}{
		{"two squares sharing a wiggly edge", [][]xy{left, right}, 1},
		{"island in a hole", [][]xy{outer, hole, island}, 1},
		{"no simplification", [][]xy{left, right}, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := unshared(tt.rings)
			simp := newTopology(tt.rings).simplify(tt.tol)
			after := unshared(simp)
			if after > before+1e-9 {
				t.Errorf("unshared length %.3f after simplification; %.3f before: shared edges came apart", after, before)
			}
			// the naive twin: each ring simplified on its own
			var naive [][]xy
			for _, r := range tt.rings {
				naive = append(naive, simplifyClosed(r[:len(r)-1], tt.tol))
			}
			t.Logf("unshared length: input %.2f, by arcs %.2f, ring by ring %.2f", before, after, unshared(naive))
		})
	}
}

func TestDouglasPeucker(t *testing.T) {
	tests := []struct {
		name string
		in   []xy
		tol  float64
		want int // points kept
	}{
		{"straight line keeps ends", []xy{{0, 0}, {1, 0}, {2, 0}, {3, 0}}, 0.1, 2},
		{"corner kept", []xy{{0, 0}, {5, 5}, {10, 0}}, 0.1, 3},
		{"bump under tolerance dropped", []xy{{0, 0}, {5, 0.4}, {10, 0}}, 0.5, 2},
		{"bump over tolerance kept", []xy{{0, 0}, {5, 0.6}, {10, 0}}, 0.5, 3},
		{"single point", []xy{{1, 1}}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			for _, k := range douglasPeucker(tt.in, tt.tol) {
				if k {
					n++
				}
			}
			if n != tt.want {
				t.Errorf("kept %d points; want %d", n, tt.want)
			}
		})
	}
}

func TestNum(t *testing.T) {
	tests := []struct {
		tenths int
		want   string
	}{{0, "0"}, {5, ".5"}, {-5, "-.5"}, {10, "1"}, {1234, "123.4"}, {-1230, "-123"}}
	for _, tt := range tests {
		var sb stringsBuilder
		num(&sb.Builder, tt.tenths)
		if got := sb.String(); got != tt.want {
			t.Errorf("num(%d) = %q; want %q", tt.tenths, got, tt.want)
		}
	}
}

type stringsBuilder struct{ strings.Builder }

// FuzzSimplify builds rings from arbitrary bytes (pairs of small
// coordinates, a zero byte ending a ring) and checks that simplification
// never panics and returns closed rings of at least four points, or none.
func FuzzSimplify(f *testing.F) {
	f.Add([]byte{1, 1, 5, 1, 5, 5, 1, 5, 0, 5, 1, 9, 1, 9, 5, 5, 5}, 1.0)
	f.Add([]byte{1, 1, 1, 1, 1, 1}, 0.5)
	f.Add([]byte{}, 0.3)
	f.Add([]byte{0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0, 2, 2, 2}, 3.0)
	f.Fuzz(func(t *testing.T, data []byte, tol float64) {
		if math.IsNaN(tol) || tol < 0 || tol > 100 {
			return
		}
		var rings [][]xy
		var cur []xy
		flush := func() {
			if len(cur) >= 3 {
				rings = append(rings, append(cur, cur[0]))
			}
			cur = nil
		}
		for i := 0; i+1 < len(data); i += 2 {
			if data[i] == 0 {
				flush()
				i--
				continue
			}
			cur = append(cur, xy{float64(data[i] % 16), float64(data[i+1] % 16)})
		}
		flush()
		for i, r := range newTopology(rings).simplify(tol) {
			if len(r) == 0 {
				continue
			}
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Errorf("ring %d: %v is not a closed ring of 4 or more points", i, r)
			}
		}
	})
}
