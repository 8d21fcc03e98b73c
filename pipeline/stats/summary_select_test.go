package stats

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
)

// summarizeBySort is Summarize as it was before selection (session 5): the
// reference of TestSummarizeMatchesSort.
func summarizeBySort(xs []float64) Summary {
	v := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return Summary{Min: math.NaN(), Median: math.NaN(), Max: math.NaN()}
	}
	sort.Float64s(v)
	n := len(v)
	med := v[TypeOneIndex(n, 1, 2)]
	if n%2 == 0 {
		med = (v[n/2-1] + v[n/2]) / 2
	}
	return Summary{N: n, Min: v[0], Median: med, Max: v[n-1]}
}

// TestSummarizeMatchesSort: selection gives the sorted order's minimum,
// median and maximum bit for bit, on MADE-UP values of every shape that
// troubles a partition (all equal, few distinct, sorted, reversed, organ
// pipe, NaN, infinities, negative zero) and every length to 300 and some
// larger; xs is left as it was.
func TestSummarizeMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(i, n int) float64{
		"uniform":  func(i, n int) float64 { return rng.Float64()*2000 - 1000 },
		"few":      func(i, n int) float64 { return float64(rng.IntN(3)) },
		"equal":    func(i, n int) float64 { return 7 },
		"sorted":   func(i, n int) float64 { return float64(i) },
		"reversed": func(i, n int) float64 { return float64(n - i) },
		"organ":    func(i, n int) float64 { return float64(min(i, n-i)) },
		"ints":     func(i, n int) float64 { return float64(rng.IntN(1000)) },
		"specials": func(i, n int) float64 { return []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, 1, -1}[rng.IntN(6)] },
		"negzero":  func(i, n int) float64 { return []float64{math.Copysign(0, -1), 0, 2}[rng.IntN(3)] },
		"mostlyNaN": func(i, n int) float64 {
			return []float64{math.NaN(), math.NaN(), math.NaN(), rng.Float64()}[rng.IntN(4)]
		},
	}
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	lengths := []int{1000, 1001, 4096, 65537}
	for n := range 301 {
		lengths = append(lengths, n)
	}
	for name, gen := range gens {
		for _, n := range lengths {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = gen(i, n)
			}
			before := append([]float64(nil), xs...)
			got, want := Summarize(xs), summarizeBySort(xs)
			if got.N != want.N || !same(got.Min, want.Min) || !same(got.Median, want.Median) || !same(got.Max, want.Max) {
				t.Fatalf("%s, %d values: Summarize = %+v, sorting gives %+v", name, n, got, want)
			}
			for i := range xs {
				if !same(xs[i], before[i]) {
					t.Fatalf("%s, %d values: xs[%d] changed", name, n, i)
				}
			}
		}
	}
}

// BenchmarkSummarize: selection against the sort it replaced, on the
// median of 2,600 and 90,000 integer values (a tract's and a county's
// share of 10M points over Ohio; MADE-UP values 0-999).
func BenchmarkSummarize(b *testing.B) {
	for _, n := range []int{2600, 90000} {
		rng := rand.New(rand.NewPCG(3, 4))
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(rng.IntN(1000))
		}
		b.Run("select/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				Summarize(xs)
			}
		})
		b.Run("sort/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				summarizeBySort(xs)
			}
		})
	}
}
