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

// PercentileRank returns the percentile rank of each value:
//
//	PR_i = (rank_i - 1) / (N - 1)
//
// where rank_i is the 1-based ascending rank of x_i among the N non-NaN
// values and tied values all get the smallest rank of their group (CDC/ATSDR
// SVI 2020 documentation, "Percentile ranking"; the behaviour of Excel's
// PERCENTRANK.INC on ties). Results are in [0, 1]. NaN inputs give NaN and
// do not count in N. With N == 1 the single rank is NaN (a rank among one
// value is not defined); an empty input gives an empty result.
func PercentileRank(xs []float64) []float64 {
	v := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	sort.Float64s(v)
	n := len(v)
	out := make([]float64, len(xs))
	for i, x := range xs {
		if math.IsNaN(x) || n < 2 {
			out[i] = math.NaN()
			continue
		}
		below := sort.SearchFloat64s(v, x) // values strictly less than x
		out[i] = float64(below) / float64(n-1)
	}
	return out
}

// Variable is one input of a composite index: a value per unit (NaN for
// missing) and the direction in which it signals need.
type Variable struct {
	Name   string
	Values []float64
	Dir    Direction
}

// Theme is a named group of variables of an SVI-style composite.
type Theme struct {
	Name string
	Vars []Variable
}

// SVIResult holds every intermediate of SVIComposite, per unit, in the
// CDC's naming.
type SVIResult struct {
	EPL       [][][]float64 // [theme][var][unit]: variable percentile ranks
	ThemeSum  [][]float64   // [theme][unit]: SPL_THEMEn, sum of the theme's EPLs
	ThemeRank [][]float64   // [theme][unit]: RPL_THEMEn, percentile rank of ThemeSum
	Sum       []float64     // [unit]: SPL_THEMES, sum of the ThemeSums
	Rank      []float64     // [unit]: RPL_THEMES, percentile rank of Sum (the index)
}

// SVIComposite computes a Social Vulnerability Index-style composite
// (CDC/ATSDR SVI 2020 documentation): each variable is percentile-ranked
// across units (PercentileRank; LowerIsWorse variables are ranked on their
// negation, as the SVI ranks per capita income from high to low); a theme's
// EPLs are summed (SPL_THEMEn) and that sum is percentile-ranked
// (RPL_THEMEn); the theme sums are summed (SPL_THEMES) and ranked again
// (RPL_THEMES). A unit with a NaN in any variable gets NaN in the affected
// sums and ranks and is excluded from their N (the CDC sets such tracts to
// -999 and leaves them out). It panics if variables differ in length.
func SVIComposite(themes []Theme) SVIResult {
	n := -1
	for _, th := range themes {
		for _, v := range th.Vars {
			if n >= 0 && len(v.Values) != n {
				panic("stats: SVIComposite: variables differ in length")
			}
			n = len(v.Values)
		}
	}
	if n < 0 {
		n = 0
	}
	var r SVIResult
	r.Sum = make([]float64, n)
	for _, th := range themes {
		sum := make([]float64, n)
		epls := make([][]float64, len(th.Vars))
		for j, v := range th.Vars {
			epls[j] = PercentileRank(oriented(v))
			for i, e := range epls[j] {
				sum[i] += e
			}
		}
		if len(th.Vars) == 0 {
			for i := range sum {
				sum[i] = math.NaN()
			}
		}
		for i := range sum {
			r.Sum[i] += sum[i]
		}
		r.EPL = append(r.EPL, epls)
		r.ThemeSum = append(r.ThemeSum, sum)
		r.ThemeRank = append(r.ThemeRank, PercentileRank(sum))
	}
	if len(themes) == 0 {
		for i := range r.Sum {
			r.Sum[i] = math.NaN()
		}
	}
	r.Rank = PercentileRank(r.Sum)
	return r
}

func oriented(v Variable) []float64 {
	if v.Dir != LowerIsWorse {
		return v.Values
	}
	out := make([]float64, len(v.Values))
	for i, x := range v.Values {
		out[i] = -x
	}
	return out
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
