package stats

import "math"

// Segregation and concentration measures over areal units (tracts). Counts
// are people (or households) per unit; every function takes one slice
// element per unit. Units whose counts are all zero contribute nothing. A NaN
// or negative count anywhere makes the result NaN: filter or impute before
// calling. The functions panic when slices differ in length (a programmer
// error).

func badCount(x float64) bool { return math.IsNaN(x) || x < 0 || math.IsInf(x, 0) }

// Dissimilarity returns the index of dissimilarity between groups a and b
// across units i:
//
//	D = 1/2 * sum_i | a_i/A - b_i/B |,  A = sum a_i, B = sum b_i
//
// (Duncan and Duncan 1955; Massey and Denton 1988, "The Dimensions of
// Residential Segregation", Social Forces 67(2), eq. 1). D is in [0, 1]: the
// share of either group that would have to move for both to be distributed
// alike. It is NaN when A or B is zero (a group absent from the region) or
// for an empty input.
func Dissimilarity(a, b []float64) float64 {
	if len(a) != len(b) {
		panic("stats: Dissimilarity: slice length mismatch")
	}
	var A, B float64
	for i := range a {
		if badCount(a[i]) || badCount(b[i]) {
			return math.NaN()
		}
		A += a[i]
		B += b[i]
	}
	if A == 0 || B == 0 {
		return math.NaN()
	}
	var d float64
	for i := range a {
		d += math.Abs(a[i]/A - b[i]/B)
	}
	return d / 2
}

// Theil returns Theil's information theory index H of multigroup
// segregation. counts[i][m] is the count of group m in unit i; every row has
// the same number of groups, and the population is the sum of the groups
// given (add a residual "other" group if the groups do not exhaust it):
//
//	E   = - sum_m pi_m ln pi_m            (region entropy)
//	E_i = - sum_m pi_im ln pi_im          (unit entropy), 0 ln 0 = 0
//	H   = sum_i t_i (E - E_i) / (T E)
//
// (Theil 1972; Reardon and Firebaugh 2002, "Measures of Multigroup
// Segregation", Sociological Methodology 32, eq. 8). H is in [0, 1]: 0 when
// every unit has the region's composition, 1 when each unit holds one group
// only. It is NaN when E is 0 (fewer than two groups present in the region)
// or for an empty input. The base of the logarithm cancels.
func Theil(counts [][]float64) float64 {
	if len(counts) == 0 {
		return math.NaN()
	}
	M := len(counts[0])
	groupTot := make([]float64, M)
	unitTot := make([]float64, len(counts))
	var T float64
	for i, row := range counts {
		if len(row) != M {
			panic("stats: Theil: rows differ in number of groups")
		}
		for m, x := range row {
			if badCount(x) {
				return math.NaN()
			}
			groupTot[m] += x
			unitTot[i] += x
		}
		T += unitTot[i]
	}
	if T == 0 {
		return math.NaN()
	}
	E := entropy(groupTot, T)
	if E == 0 {
		return math.NaN()
	}
	var h float64
	for i, row := range counts {
		if unitTot[i] == 0 {
			continue
		}
		h += unitTot[i] * (E - entropy(row, unitTot[i]))
	}
	return h / (T * E)
}

func entropy(counts []float64, total float64) float64 {
	var e float64
	for _, x := range counts {
		if x > 0 {
			p := x / total
			e -= p * math.Log(p)
		}
	}
	return e
}

// TheilTwoGroup is Theil for two groups a and b (Reardon and Firebaugh 2002
// note that the two-group H is the multigroup H with M = 2).
func TheilTwoGroup(a, b []float64) float64 {
	if len(a) != len(b) {
		panic("stats: TheilTwoGroup: slice length mismatch")
	}
	rows := make([][]float64, len(a))
	for i := range a {
		rows[i] = []float64{a[i], b[i]}
	}
	return Theil(rows)
}

// GiniSegregation returns the two-group segregation Gini coefficient of
// group a relative to group b:
//
//	G = sum_i sum_j t_i t_j |p_i - p_j| / (2 T^2 P (1 - P))
//
// where t_i = a_i + b_i, p_i = a_i / t_i, T = sum t_i, P = sum a_i / T
// (Massey and Denton 1988, eq. 3). G is in [0, 1]. Units with t_i = 0 are
// skipped. It is NaN when P is 0 or 1 (one group absent) or for an empty
// input. Cost is O(n^2) in the number of units (fine for the few thousand
// tracts of a county).
func GiniSegregation(a, b []float64) float64 {
	if len(a) != len(b) {
		panic("stats: GiniSegregation: slice length mismatch")
	}
	t := make([]float64, 0, len(a))
	p := make([]float64, 0, len(a))
	var T, A float64
	for i := range a {
		if badCount(a[i]) || badCount(b[i]) {
			return math.NaN()
		}
		ti := a[i] + b[i]
		if ti == 0 {
			continue
		}
		t = append(t, ti)
		p = append(p, a[i]/ti)
		T += ti
		A += a[i]
	}
	if T == 0 {
		return math.NaN()
	}
	P := A / T
	if P == 0 || P == 1 {
		return math.NaN()
	}
	var s float64
	for i := range t {
		for j := range t {
			s += t[i] * t[j] * math.Abs(p[i]-p[j])
		}
	}
	return s / (2 * T * T * P * (1 - P))
}

// LocationQuotients returns, for each unit i, the location quotient of a
// group:
//
//	LQ_i = (x_i / t_i) / (X / T),  X = sum x_i, T = sum t_i
//
// (Isard 1960; a unit's share of the group relative to the region's share).
// LQ_i > 1 means the group is over-represented in unit i. LQ_i is NaN where
// t_i is 0, and every LQ is NaN when X or T is 0, or when any count is NaN
// or negative.
func LocationQuotients(x, t []float64) []float64 {
	if len(x) != len(t) {
		panic("stats: LocationQuotients: slice length mismatch")
	}
	out := make([]float64, len(x))
	var X, T float64
	bad := false
	for i := range x {
		if badCount(x[i]) || badCount(t[i]) {
			bad = true
		}
		X += x[i]
		T += t[i]
	}
	for i := range out {
		if bad || X == 0 || T == 0 || t[i] == 0 {
			out[i] = math.NaN()
			continue
		}
		out[i] = (x[i] / t[i]) / (X / T)
	}
	return out
}
