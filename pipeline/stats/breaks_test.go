package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestBreaks(t *testing.T) {
	nan := math.NaN()
	oneToTen := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, nan}
	tests := []struct {
		name string
		fn   func([]float64, int) ([]float64, error)
		in   []float64
		k    int
		want []float64
		err  bool
	}{
		// Type 1 quantile Q(p) = x_(ceil(n p)): n=10, p=.25,.5,.75 -> x3, x5, x8.
		{"quantile 1..10", QuantileBreaks, oneToTen, 4, []float64{1, 3, 5, 8, 10}, false},
		{"equal interval 0..10", EqualIntervalBreaks, []float64{0, 10, 3}, 5, []float64{0, 2, 4, 6, 8, 10}, false},
		{"equal interval constant", EqualIntervalBreaks, []float64{4, 4}, 2, []float64{4, 4, 4}, false},
		// madeup three clusters: the optimal 3-class split is obvious.
		{"jenks three clusters", JenksBreaks, []float64{22, 1, 2, 3, 10, 11, 12, 20, 21}, 3, []float64{1, 3, 12, 22}, false},
		{"jenks fewer distinct values than classes", JenksBreaks, []float64{1, 1, 5}, 4, []float64{1, 1, 5}, false},
		{"jenks one class", JenksBreaks, []float64{3, 1, 2}, 1, []float64{1, 3}, false},
		{"all null", QuantileBreaks, []float64{nan}, 3, nil, true},
		{"zero classes", EqualIntervalBreaks, []float64{1}, 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn(tt.in, tt.k)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if !sameFloats(got, tt.want, 1e-12) {
				t.Errorf("breaks = %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := JenksBreaks(nil, 3); !errors.Is(err, ErrNoValues) {
		t.Errorf("empty input: %v, want ErrNoValues", err)
	}
}

// bruteJenks is the naive twin of JenksBreaks: it tries every way to cut the
// sorted values into k contiguous classes and returns the smallest total
// within-class sum of squared deviations.
func bruteJenks(v []float64, k int) float64 {
	best := math.Inf(1)
	var rec func(start, classes int, acc float64)
	rec = func(start, classes int, acc float64) {
		if classes == 1 {
			best = math.Min(best, acc+sqDev(v[start:]))
			return
		}
		for end := start + 1; end <= len(v)-classes+1; end++ {
			rec(end, classes-1, acc+sqDev(v[start:end]))
		}
	}
	rec(0, k, 0)
	return best
}

func sqDev(v []float64) float64 {
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return s
}

// classSS returns the within-class sum of squares of the classes that bounds
// induce on sorted distinct values (by position, as JenksBreaks cuts them).
func classSS(v []float64, bounds []float64) float64 {
	var total float64
	start := 0
	for j := 1; j < len(bounds); j++ {
		end := start
		for end < len(v) && (v[end] <= bounds[j] || j == len(bounds)-1) {
			end++
		}
		if end > start {
			total += sqDev(v[start:end])
		}
		start = end
	}
	return total
}

// TestJenksAgainstBruteForce is a differential test on random distinct
// values (fixed seed).
func TestJenksAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 300; trial++ {
		n := 1 + r.IntN(10)
		seen := map[float64]bool{}
		var v []float64
		for len(v) < n {
			x := float64(r.IntN(1000)) / 10
			if !seen[x] {
				seen[x] = true
				v = append(v, x)
			}
		}
		k := 1 + r.IntN(n)
		b, err := JenksBreaks(v, k)
		if err != nil {
			t.Fatal(err)
		}
		sorted, _ := sortedValues(v, k)
		got, want := classSS(sorted, b), bruteJenks(sorted, k)
		if !near(got, want, 1e-9) {
			t.Fatalf("trial %d: %v in %d classes: breaks %v give SS %v, brute force %v", trial, sorted, k, b, got, want)
		}
	}
}

func TestClassOf(t *testing.T) {
	b := []float64{1, 3, 12, 22}
	tests := []struct {
		x    float64
		want int
	}{{1, 0}, {3, 0}, {3.5, 1}, {12, 1}, {13, 2}, {22, 2}, {0, 0}, {99, 2}, {math.NaN(), -1}}
	for _, tt := range tests {
		if got := ClassOf(tt.x, b); got != tt.want {
			t.Errorf("ClassOf(%v) = %d, want %d", tt.x, got, tt.want)
		}
	}
}

func BenchmarkJenks(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 5))
	v := make([]float64, 360) // about the tracts of Alameda County
	for i := range v {
		v[i] = r.Float64() * 100
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := JenksBreaks(v, 5); err != nil {
			b.Fatal(err)
		}
	}
}

// TestQuantileBreaksExact checks every bound against the definition of the
// type 1 quantile in exact arithmetic (Hyndman and Fan 1996: the smallest
// order statistic x_(i) with i/n >= j/k, i.e. i k >= j n), on x = 1..n for
// every n <= 400 and k <= 12. x = 1..77, k = 11 is the case floating-point
// p = 9/11 got wrong (64 for the 9th bound instead of 63).
func TestQuantileBreaksExact(t *testing.T) {
	got, err := QuantileBreaks(seq(77), 11)
	if err != nil {
		t.Fatal(err)
	}
	if got[9] != 63 {
		t.Errorf("x = 1..77, k = 11: b_9 = %v, want 63 (x_(ceil(77*9/11)) = x_63)", got[9])
	}
	for n := 1; n <= 400; n++ {
		xs := seq(n)
		for k := 1; k <= 12; k++ {
			b, err := QuantileBreaks(xs, k)
			if err != nil {
				t.Fatal(err)
			}
			for j := 1; j < k; j++ {
				i := 1
				for i*k < j*n {
					i++
				}
				if b[j] != float64(i) {
					t.Fatalf("n = %d, k = %d: b_%d = %v, want x_(%d) = %d", n, k, j, b[j], i, i)
				}
			}
		}
	}
}

func seq(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(n - i) // descending: QuantileBreaks must sort
	}
	return xs
}
