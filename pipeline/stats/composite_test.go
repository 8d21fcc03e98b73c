package stats

import (
	"math"
	"testing"
)

func sameFloats(got, want []float64, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !near(got[i], want[i], tol) {
			return false
		}
	}
	return true
}

// TestRank4 checks the one percentile rank (SVIComposite's EPL, in
// ten-thousandths): PR = (rank - 1) / (N - 1), ties at the smallest rank,
// rounded half up to four decimals, 1 - PR when reversed. (An unrounded
// float copy, PercentileRank, which nothing but its tests called, is gone.)
func TestRank4(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name    string
		in      []float64
		reverse bool
		want    []float64
	}{
		// Hand-checked: N = 4 non-null values, ties get the smallest rank:
		// ranks 1, 2, 2, 4 -> (r-1)/3 = 0, 0.3333, 0.3333, 1.
		{"madeup ties take the smallest rank", []float64{10, 20, 20, 30, nan}, false, []float64{0, 0.3333, 0.3333, 1, nan}},
		{"madeup reversed: 1 - PR", []float64{10, 20, 20, 30, nan}, true, []float64{1, 0.6667, 0.6667, 0, nan}},
		{"madeup all tied", []float64{5, 5, 5}, false, []float64{0, 0, 0}},
		{"madeup unsorted", []float64{3, 1, 2}, false, []float64{1, 0, 0.5}},
		{"madeup nine values: eighths, exact", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, false, []float64{0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1}},
		{"single value", []float64{7}, false, []float64{nan}},
		{"empty", nil, false, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := from4s(rank4(tt.in, isNaN, tt.reverse)); !sameFloats(got, tt.want, 0) {
				t.Errorf("rank4(%v, %v) = %v, want %v", tt.in, tt.reverse, got, tt.want)
			}
		})
	}
}

// TestSVIComposite uses made-up values small enough to rank by hand
// (worked in the comments), with ties, a reversed variable and a unit with a
// missing value.
func TestSVIComposite(t *testing.T) {
	nan := math.NaN()
	themes := []Theme{
		{Name: "madeup socioeconomic", Vars: []Variable{
			{Name: "poverty", Values: []float64{1, 2, 2, 4, nan}, Dir: HigherIsWorse},
			{Name: "income", Values: []float64{40, 30, 30, 10, 20}, Dir: LowerIsWorse},
		}},
		{Name: "madeup housing", Vars: []Variable{
			{Name: "crowding", Values: []float64{5, 9, 1, 5, 3}},
		}},
	}
	got := SVIComposite(themes)
	want := SVIResult{
		EPL: [][][]float64{
			{
				// poverty, N=4: ranks 1,2,2,4 -> 0, 1/3, 1/3, 1 at four
				// decimals.
				{0, 0.3333, 0.3333, 1, nan},
				// income, lower is worse, N=5: ascending 10,20,30,30,40
				// ranks 40->5, 30->3, 10->1, 20->2, so PR = 1, .5, .5, 0,
				// .25 and EPL = 1 - PR (the SVI's reversal; ranking the
				// negated values would give .25 for the tied 30s).
				{0, 0.5, 0.5, 1, 0.75},
			},
			// crowding sorted 1,3,5,5,9: ranks 3,5,1,3,2.
			{{0.5, 1, 0, 0.5, 0.25}},
		},
		ThemeSum: [][]float64{
			{0, 0.8333, 0.8333, 2, nan},
			{0.5, 1, 0, 0.5, 0.25},
		},
		ThemeRank: [][]float64{
			{0, 0.3333, 0.3333, 1, nan},
			{0.5, 1, 0, 0.5, 0.25},
		},
		// 0.5, 1.8333, 0.8333, 2.5: ranks 1, 3, 2, 4 among 4.
		Sum:  []float64{0.5, 1.8333, 0.8333, 2.5, nan},
		Rank: []float64{0, 0.6667, 0.3333, 1, nan},
	}
	for th := range want.EPL {
		for v := range want.EPL[th] {
			if !sameFloats(got.EPL[th][v], want.EPL[th][v], 1e-12) {
				t.Errorf("EPL[%d][%d] = %v, want %v", th, v, got.EPL[th][v], want.EPL[th][v])
			}
		}
		if !sameFloats(got.ThemeSum[th], want.ThemeSum[th], 1e-12) {
			t.Errorf("ThemeSum[%d] = %v, want %v", th, got.ThemeSum[th], want.ThemeSum[th])
		}
		if !sameFloats(got.ThemeRank[th], want.ThemeRank[th], 1e-12) {
			t.Errorf("ThemeRank[%d] = %v, want %v", th, got.ThemeRank[th], want.ThemeRank[th])
		}
	}
	if !sameFloats(got.Sum, want.Sum, 1e-12) || !sameFloats(got.Rank, want.Rank, 1e-12) {
		t.Errorf("Sum, Rank = %v, %v; want %v, %v", got.Sum, got.Rank, want.Sum, want.Rank)
	}
}

// TestSVICompositeExactTies: units 0 and 1 have EPLs 0.1, 0.2, 0.7 and 0.7,
// 0.2, 0.1 (N = 11, hand-ranked below). Their theme sums are equal, but in
// floating point 0.1 + 0.2 + 0.7 = 1 and 0.7 + 0.2 + 0.1 =
// 0.9999999999999999, which ranked them apart. The ranks must tie exactly.
func TestSVICompositeExactTies(t *testing.T) {
	th := []Theme{{Name: "madeup", Vars: []Variable{
		{Values: []float64{1, 7, 0, 2, 3, 4, 5, 6, 8, 9, 10}}, // unit 0: 1 below -> .1; unit 1: 7 below -> .7
		{Values: []float64{2, 2, 0, 1, 3, 4, 5, 6, 7, 8, 9}},  // both: 2 below -> .2
		{Values: []float64{7, 1, 0, 2, 3, 4, 5, 6, 8, 9, 10}}, // unit 0: .7; unit 1: .1
	}}}
	r := SVIComposite(th)
	if r.ThemeSum[0][0] != 1 || r.ThemeSum[0][1] != 1 {
		t.Errorf("theme sums = %v, %v; want 1, 1", r.ThemeSum[0][0], r.ThemeSum[0][1])
	}
	if r.ThemeRank[0][0] != r.ThemeRank[0][1] || r.Rank[0] != r.Rank[1] {
		t.Errorf("tied units ranked apart: theme %v vs %v, overall %v vs %v", r.ThemeRank[0][0], r.ThemeRank[0][1], r.Rank[0], r.Rank[1])
	}
}

// TestSVICompositeFlags: a flagged input (a top-coded median) flags the
// units it enters, and only them.
func TestSVICompositeFlags(t *testing.T) {
	r := SVIComposite([]Theme{{Vars: []Variable{
		{Values: []float64{1, 2, 3}},
		{Values: []float64{250001, 90000, 40000}, Dir: LowerIsWorse, Flagged: []bool{true, false, false}},
	}}})
	if want := []bool{true, false, false}; !equalBools(r.Flagged, want) {
		t.Errorf("Flagged = %v, want %v", r.Flagged, want)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestZComposite(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		vars []Variable
		want []float64
	}{
		// madeup: z of 1,2,3 (sample sd 1) is -1,0,1; 30,20,10 reversed gives
		// -1,0,1 too; mean -1,0,1.
		{"madeup signed directions", []Variable{
			{Values: []float64{1, 2, 3}, Dir: HigherIsWorse},
			{Values: []float64{30, 20, 10}, Dir: LowerIsWorse},
		}, []float64{-1, 0, 1}},
		{"madeup opposite signals cancel", []Variable{
			{Values: []float64{1, 2, 3}},
			{Values: []float64{1, 2, 3}, Dir: LowerIsWorse},
		}, []float64{0, 0, 0}},
		{"madeup null value", []Variable{{Values: []float64{1, nan, 3}}}, []float64{-1 / math.Sqrt2, nan, 1 / math.Sqrt2}},
		{"constant variable", []Variable{{Values: []float64{2, 2}}}, []float64{nan, nan}},
		{"no variables", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ZComposite(tt.vars); !sameFloats(got, tt.want, 1e-12) {
				t.Errorf("ZComposite = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDirection(t *testing.T) {
	tests := []struct {
		in   string
		want Direction
		err  bool
	}{{"", HigherIsWorse, false}, {"lower_is_worse", LowerIsWorse, false}, {"Higher", HigherIsWorse, false}, {"down", 0, true}}
	for _, tt := range tests {
		got, err := ParseDirection(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseDirection(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
