package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// ErrNoValues is returned by the class-break functions when every value is
// NaN or the input is empty.
var ErrNoValues = errors.New("no non-null values to classify")

// Class breaks for choropleth maps. Each function returns k+1 ascending
// bounds [min, b_1, ..., b_{k-1}, max] for k classes; class j holds the values
// x with b_j < x <= b_{j+1}, and class 0 also holds min (see ClassOf). NaN
// values are ignored. k must be at least 1. With ties, bounds may repeat
// (fewer distinct classes than asked); the functions never invent values.

func sortedValues(xs []float64, k int) ([]float64, error) {
	if k < 1 {
		return nil, fmt.Errorf("class breaks: %d classes asked, want at least 1", k)
	}
	v := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return nil, ErrNoValues
	}
	sort.Float64s(v)
	return v, nil
}

// QuantileBreaks returns bounds that put about the same number of values in
// each class: b_j is the j/k quantile of the n values by the inverse of the
// empirical distribution function (Hyndman and Fan 1996, type 1),
//
//	b_j = x_(ceil(n j / k))   (1-based order statistics)
//
// so every bound is an observed value. The index is computed in integer
// arithmetic (TypeOneIndex): a floating-point p = j/k can land just above an
// exact n p (n = 77, k = 11, j = 9: n p = 63 exactly, 63.00000000000001 in
// floating point) and pick the next value. This is groundwork's one quantile
// implementation; the report's map classes use it too.
func QuantileBreaks(xs []float64, k int) ([]float64, error) {
	v, err := sortedValues(xs, k)
	if err != nil {
		return nil, err
	}
	b := make([]float64, k+1)
	b[0], b[k] = v[0], v[len(v)-1]
	for j := 1; j < k; j++ {
		b[j] = v[TypeOneIndex(len(v), j, k)]
	}
	return b, nil
}

// TypeOneIndex returns the 0-based index in n sorted values of the j/k
// quantile by the inverse of the empirical distribution function (Hyndman
// and Fan 1996, type 1): ceil(n j / k) - 1, computed exactly in integers and
// clamped to [0, n-1]. It panics if n < 1 or k < 1 (a programming error).
func TypeOneIndex(n, j, k int) int {
	if n < 1 || k < 1 {
		panic("stats: TypeOneIndex: n and k must be at least 1")
	}
	i := (n*j+k-1)/k - 1
	return min(max(i, 0), n-1)
}

// EqualIntervalBreaks returns bounds that split [min, max] into k intervals of
// equal width: b_j = min + j (max - min) / k. When all values are equal every
// bound is that value.
func EqualIntervalBreaks(xs []float64, k int) ([]float64, error) {
	v, err := sortedValues(xs, k)
	if err != nil {
		return nil, err
	}
	lo, hi := v[0], v[len(v)-1]
	b := make([]float64, k+1)
	for j := range b {
		b[j] = lo + float64(j)*(hi-lo)/float64(k)
	}
	b[k] = hi
	return b, nil
}

// JenksBreaks returns Fisher-Jenks natural breaks: the partition of the
// sorted values into k contiguous classes that minimises the total
// within-class sum of squared deviations from the class means, found
// exactly by Fisher's dynamic programme (Fisher 1958, "On Grouping for
// Maximum Homogeneity", JASA 53; Jenks 1967, "The Data Model Concept in
// Statistical Mapping"). Bounds b_1..b_{k-1} are the largest value of each
// class but the last. When there are fewer distinct values than k, k is
// reduced to that number. Cost is O(k n^2) time and O(k n) memory for n
// values: fine for the tracts of a county or a state, not for millions.
func JenksBreaks(xs []float64, k int) ([]float64, error) {
	v, err := sortedValues(xs, k)
	if err != nil {
		return nil, err
	}
	distinct := 1
	for i := 1; i < len(v); i++ {
		if v[i] != v[i-1] {
			distinct++
		}
	}
	if k > distinct {
		k = distinct
	}
	n := len(v)
	// Prefix sums for O(1) class cost: ssd(i, j) over v[i:j].
	s1 := make([]float64, n+1)
	s2 := make([]float64, n+1)
	for i, x := range v {
		s1[i+1] = s1[i] + x
		s2[i+1] = s2[i] + x*x
	}
	ssd := func(i, j int) float64 {
		m := float64(j - i)
		s := s1[j] - s1[i]
		d := (s2[j] - s2[i]) - s*s/m
		if d < 0 {
			return 0
		}
		return d
	}
	// cost[c][j]: best cost of v[:j] in c+1 classes; cut[c][j]: start of the
	// last class in that best partition.
	cost := make([][]float64, k)
	cut := make([][]int, k)
	for c := range cost {
		cost[c] = make([]float64, n+1)
		cut[c] = make([]int, n+1)
	}
	for j := 1; j <= n; j++ {
		cost[0][j] = ssd(0, j)
	}
	for c := 1; c < k; c++ {
		for j := c + 1; j <= n; j++ {
			best, at := math.Inf(1), c
			for i := c; i < j; i++ {
				if x := cost[c-1][i] + ssd(i, j); x < best {
					best, at = x, i
				}
			}
			cost[c][j], cut[c][j] = best, at
		}
	}
	b := make([]float64, k+1)
	b[0], b[k] = v[0], v[n-1]
	j := n
	for c := k - 1; c >= 1; c-- {
		i := cut[c][j]
		b[c] = v[i-1]
		j = i
	}
	return b, nil
}

// ClassOf returns the class of x under bounds from one of the break
// functions: the j with b_j < x <= b_{j+1}, 0 for x == b_0. Values below
// b_0 are class 0 and above b_k class k-1 (values outside the data the
// breaks came from). NaN gives -1.
func ClassOf(x float64, bounds []float64) int {
	if math.IsNaN(x) || len(bounds) < 2 {
		return -1
	}
	k := len(bounds) - 1
	// Smallest j >= 1 with x <= bounds[j].
	j := sort.Search(k, func(i int) bool { return x <= bounds[i+1] })
	if j >= k {
		return k - 1
	}
	return j
}
