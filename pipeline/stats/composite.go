package stats

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// Direction says which end of a variable means more need.
type Direction int

// Directions. HigherIsWorse is the usual case (poverty share); LowerIsWorse
// reverses the variable (per capita income in the SVI).
const (
	HigherIsWorse Direction = 1
	LowerIsWorse  Direction = -1
)

// ParseDirection reads a direction as written in a pipeline file:
// "higher_is_worse" (also "" and "higher") or "lower_is_worse" ("lower").
func ParseDirection(s string) (Direction, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "higher", "higher_is_worse":
		return HigherIsWorse, nil
	case "lower", "lower_is_worse":
		return LowerIsWorse, nil
	}
	return 0, fmt.Errorf("unknown direction %q: want higher_is_worse or lower_is_worse", s)
}

// sign is -1 for LowerIsWorse and +1 otherwise (the zero Direction means
// HigherIsWorse).
func (d Direction) sign() float64 {
	if d == LowerIsWorse {
		return -1
	}
	return 1
}

// Variable is one input of a composite index: a value per unit (NaN for
// missing) and the direction in which it signals need. Flagged, if not nil,
// marks units whose value is not exact (a top- or bottom-coded median: the
// value stands for "this or more"); a composite built from it carries the
// flag (SVIResult.Flagged).
type Variable struct {
	Name    string
	Values  []float64
	Dir     Direction
	Flagged []bool
}

// Theme is a named group of variables of an SVI-style composite.
type Theme struct {
	Name string
	Vars []Variable
}

// SVIResult holds every intermediate of SVIComposite, per unit, in the
// CDC's naming. Every value is a multiple of 0.0001 (the SVI's four
// decimals) or NaN.
type SVIResult struct {
	EPL       [][][]float64 // [theme][var][unit]: variable percentile ranks
	ThemeSum  [][]float64   // [theme][unit]: SPL_THEMEn, sum of the theme's EPLs
	ThemeRank [][]float64   // [theme][unit]: RPL_THEMEn, percentile rank of ThemeSum
	Sum       []float64     // [unit]: SPL_THEMES, sum of the ThemeSums
	Rank      []float64     // [unit]: RPL_THEMES, percentile rank of Sum (the index)
	// Flagged[unit] is true when any input of the unit's index is flagged
	// (Variable.Flagged): its rank rests on a value that is a bound, not an
	// estimate.
	Flagged []bool
}

// svi4 is the SVI's unit: one ten-thousandth. Ranks and their sums are held
// as integer counts of it, so ties are exact (no floating-point noise in a
// sum of ranks) and the rounding to four decimals is the CDC's.
const svi4 = 10000

// rank4 returns each value's percentile rank (rank - 1) / (N - 1), ties at
// their smallest rank, in ten-thousandths rounded half up, or -1 for a NaN
// value or when N < 2. With reverse the rank is 1 - that rank (computed from
// the rounded rank, as the SVI's 1 - PR).
func rank4[T int64 | float64](xs []T, missing func(T) bool, reverse bool) []int64 {
	v := make([]T, 0, len(xs))
	for _, x := range xs {
		if !missing(x) {
			v = append(v, x)
		}
	}
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	m := int64(len(v) - 1)
	out := make([]int64, len(xs))
	for i, x := range xs {
		if missing(x) || m < 1 {
			out[i] = -1
			continue
		}
		below := int64(sort.Search(len(v), func(j int) bool { return v[j] >= x }))
		r := (2*svi4*below + m) / (2 * m) // round(svi4 * below / m), half up
		if reverse {
			r = svi4 - r
		}
		out[i] = r
	}
	return out
}

func isNaN(x float64) bool { return math.IsNaN(x) }
func isUnset(x int64) bool { return x < 0 }
func from4(r int64) float64 {
	if r < 0 {
		return math.NaN()
	}
	return float64(r) / svi4
}

func from4s(rs []int64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = from4(r)
	}
	return out
}

// SVIComposite computes a Social Vulnerability Index-style composite by the
// method of the CDC/ATSDR SVI documentation (CDC/ATSDR SVI 2020
// Documentation, "Methods"; the 2018 documentation for the reversed per
// capita income):
//
//  1. each variable is percentile-ranked across units, EPL = (rank - 1) /
//     (N - 1), ascending, tied values at the smallest rank of their tie;
//     a LowerIsWorse variable gets EPL = 1 - that rank (the SVI's per capita
//     income), which under ties differs from ranking the negated values;
//     EPLs are rounded to four decimals (half up), as the SVI publishes them;
//  2. a theme's EPLs are summed (SPL_THEMEn) and that sum is
//     percentile-ranked (RPL_THEMEn, four decimals);
//  3. the theme sums are summed (SPL_THEMES) and ranked again (RPL_THEMES).
//
// Every rank and sum is computed exactly in integer ten-thousandths, so
// units whose theme sums are equal are tied exactly (a floating-point sum of
// ranks depends on the order of its terms). A unit with a NaN in any
// variable gets NaN in the affected sums and ranks and is excluded from
// their N (the CDC sets such tracts to -999 and leaves them out). It panics
// if variables differ in length.
func SVIComposite(themes []Theme) SVIResult {
	n := -1
	for _, th := range themes {
		for _, v := range th.Vars {
			if n >= 0 && len(v.Values) != n {
				panic("stats: SVIComposite: variables differ in length")
			}
			if v.Flagged != nil && len(v.Flagged) != len(v.Values) {
				panic("stats: SVIComposite: Flagged and Values differ in length")
			}
			n = len(v.Values)
		}
	}
	if n < 0 {
		n = 0
	}
	var r SVIResult
	r.Flagged = make([]bool, n)
	total := make([]int64, n)
	if len(themes) == 0 {
		for i := range total {
			total[i] = -1
		}
	}
	for _, th := range themes {
		sum := make([]int64, n)
		if len(th.Vars) == 0 {
			for i := range sum {
				sum[i] = -1
			}
		}
		epls := make([][]float64, len(th.Vars))
		for j, v := range th.Vars {
			e := rank4(v.Values, isNaN, v.Dir == LowerIsWorse)
			for i := range e {
				if e[i] < 0 || sum[i] < 0 {
					sum[i] = -1
				} else {
					sum[i] += e[i]
				}
				if v.Flagged != nil && v.Flagged[i] {
					r.Flagged[i] = true
				}
			}
			epls[j] = from4s(e)
		}
		for i := range total {
			if sum[i] < 0 || total[i] < 0 {
				total[i] = -1
			} else {
				total[i] += sum[i]
			}
		}
		r.EPL = append(r.EPL, epls)
		r.ThemeSum = append(r.ThemeSum, from4s(sum))
		r.ThemeRank = append(r.ThemeRank, from4s(rank4(sum, isUnset, false)))
	}
	r.Sum = from4s(total)
	r.Rank = from4s(rank4(total, isUnset, false))
	return r
}

// ZComposite returns, per unit, the mean of the signed z-scores of the
// variables:
//
//	z_ki = d_k (x_ki - mean_k) / sd_k,  score_i = (1/K) sum_k z_ki
//
// where d_k is -1 for LowerIsWorse and +1 otherwise, and mean_k and
// sd_k (sample standard deviation, n-1 denominator, gonum stat.MeanStdDev)
// are taken over the units where x_k is not NaN. A unit with a NaN in any
// variable scores NaN. A variable with fewer than two values or zero
// spread carries no information and makes every score NaN (the caller
// should drop it). It panics if variables differ in length.
func ZComposite(vars []Variable) []float64 {
	if len(vars) == 0 {
		return nil
	}
	n := len(vars[0].Values)
	out := make([]float64, n)
	for _, v := range vars {
		if len(v.Values) != n {
			panic("stats: ZComposite: variables differ in length")
		}
		ok := make([]float64, 0, n)
		for _, x := range v.Values {
			if !math.IsNaN(x) {
				ok = append(ok, x)
			}
		}
		mean, sd := math.NaN(), math.NaN()
		if len(ok) >= 2 {
			mean, sd = stat.MeanStdDev(ok, nil)
		}
		for i, x := range v.Values {
			if sd == 0 || math.IsNaN(sd) {
				out[i] = math.NaN()
				continue
			}
			out[i] += v.Dir.sign() * (x - mean) / sd
		}
	}
	for i := range out {
		out[i] /= float64(len(vars))
	}
	return out
}
