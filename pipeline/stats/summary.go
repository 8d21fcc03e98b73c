// Package stats computes groundwork's statistics: summaries, ratios, margins
// of error and disparity measures. Each function's doc comment gives its
// formula and source.
package stats

import (
	"math"
	"math/bits"
	"sort"
)

// Summary describes a set of values.
type Summary struct {
	N      int     // number of values summarised
	Min    float64 // NaN when N == 0
	Median float64 // NaN when N == 0
	Max    float64 // NaN when N == 0
}

// Summarize returns the count, minimum, median and maximum of xs. NaN values
// are skipped. The median is the mean of the two middle values for an even
// count (Hyndman and Fan 1996, type 2 with averaging; the convention of R's
// median() and numpy.median), and the type 1 quantile x_(ceil(n/2))
// (TypeOneIndex) for odd counts. xs is not modified. An empty input gives
// N == 0 and NaN statistics.
//
// The middle values are found by selection, in time linear in len(xs), not
// by sorting; they are the sorted order's values bit for bit. Values with a
// negative zero among them are sorted, as before, so that which zero
// stands for a tie of -0 and +0 stays the sort's.
func Summarize(xs []float64) Summary {
	v := make([]float64, 0, len(xs))
	negZero := false
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
			negZero = negZero || (x == 0 && math.Signbit(x))
		}
	}
	n := len(v)
	if n == 0 {
		return Summary{Min: math.NaN(), Median: math.NaN(), Max: math.NaN()}
	}
	if negZero || n <= 16 {
		sort.Float64s(v)
		med := v[TypeOneIndex(n, 1, 2)]
		if n%2 == 0 {
			med = (v[n/2-1] + v[n/2]) / 2
		}
		return Summary{N: n, Min: v[0], Median: med, Max: v[n-1]}
	}
	lo, hi := v[0], v[0]
	for _, x := range v[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	var med float64
	if n%2 == 1 {
		k := TypeOneIndex(n, 1, 2)
		selectKth(v, k)
		med = v[k]
	} else {
		selectKth(v, n/2)
		below := v[0] // the largest of v[:n/2], all at most v[n/2]
		for _, x := range v[1 : n/2] {
			below = max(below, x)
		}
		med = (below + v[n/2]) / 2
	}
	return Summary{N: n, Min: lo, Median: med, Max: hi}
}

// selectKth reorders v (no NaN) so that v[k] is the value the sorted order
// has at k, with v[:k] at most and v[k+1:] at least v[k] (Hoare's FIND with
// a median-of-three pivot). After 2 log2(len(v)) rounds without reaching k,
// the part left is sorted, which bounds the time by n log n.
func selectKth(v []float64, k int) {
	lo, hi := 0, len(v)-1
	rounds := 2 * bits.Len(uint(len(v)))
	for lo < hi {
		if rounds == 0 {
			sort.Float64s(v[lo : hi+1])
			return
		}
		rounds--
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		p := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		// v[lo:j+1] <= p, v[j+1:i] == p, v[i:hi+1] >= p.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// Ratio returns a/b, and NaN when b is zero or either is NaN.
func Ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}
