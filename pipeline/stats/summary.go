// Package stats computes groundwork's statistics: summaries, ratios, margins
// of error and disparity measures. Each function's doc comment gives its
// formula and source.
package stats

import (
	"math"
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
func Summarize(xs []float64) Summary {
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

// Ratio returns a/b, and NaN when b is zero or either is NaN.
func Ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}
