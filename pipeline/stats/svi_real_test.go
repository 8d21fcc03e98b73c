package stats

import (
	"math/big"
	"testing"
)

// TestSVICompositeAlameda ranks the 360 Alameda County tracts (ACS
// 2014-2018, pipeline/census/testdata) on the Oakland demo's need index
// variables: median household income and the bachelor's degree share
// (lower is worse), the renter share and the share of homes built before
// 1950, in two themes. The expected ranks are computed here independently
// in exact rational arithmetic (math/big) from the CDC/ATSDR SVI method:
// EPL = (number of values below) / (N - 1), 1 - EPL for lower-is-worse,
// rounded half up to four decimals; theme sums of those; RPL likewise.
// The former floating-point sums of unrounded ranks split 39 groups of
// tracts whose theme sums are exactly equal (23 in the first theme, 16 in
// the second; a one-off Python computation with fractions.Fraction); every
// rank here must equal the exact one.
func TestSVICompositeAlameda(t *testing.T) {
	c := alamedaColumns(t, "B19013_001E", "B15003_001E", "B15003_022E", "B15003_023E", "B15003_024E", "B15003_025E",
		"B25003_002E", "B25003_003E", "B25034_001E", "B25034_010E", "B25034_011E")
	var inc, bach, rent, pre []float64
	for i := range c[0] {
		if c[1][i] == 0 || c[6][i]+c[7][i] == 0 || c[8][i] == 0 {
			continue
		}
		inc = append(inc, c[0][i])
		bach = append(bach, (c[2][i]+c[3][i]+c[4][i]+c[5][i])/c[1][i]*100)
		rent = append(rent, c[7][i]/(c[6][i]+c[7][i])*100)
		pre = append(pre, (c[9][i]+c[10][i])/c[8][i]*100)
	}
	got := SVIComposite([]Theme{
		{Name: "income and education", Vars: []Variable{{Values: inc, Dir: LowerIsWorse}, {Values: bach, Dir: LowerIsWorse}}},
		{Name: "housing", Vars: []Variable{{Values: rent}, {Values: pre}}},
	})
	n := len(inc)
	if n < 300 {
		t.Fatalf("%d tracts with every value; want the county's", n)
	}
	// round4 rounds a non-negative rational half up to ten-thousandths.
	round4 := func(r *big.Rat) *big.Rat {
		x := new(big.Rat).Mul(r, big.NewRat(10000, 1))
		x.Add(x, big.NewRat(1, 2))
		q := new(big.Int).Quo(x.Num(), x.Denom())
		return new(big.Rat).SetFrac(q, big.NewInt(10000))
	}
	prs := func(xs []*big.Rat) []*big.Rat {
		out := make([]*big.Rat, len(xs))
		for i, x := range xs {
			below := 0
			for _, y := range xs {
				if y.Cmp(x) < 0 {
					below++
				}
			}
			out[i] = round4(big.NewRat(int64(below), int64(len(xs)-1)))
		}
		return out
	}
	rats := func(xs []float64) []*big.Rat {
		out := make([]*big.Rat, len(xs))
		for i, x := range xs {
			out[i] = new(big.Rat).SetFloat64(x)
		}
		return out
	}
	oneMinus := func(xs []*big.Rat) []*big.Rat {
		for i, x := range xs {
			xs[i] = new(big.Rat).Sub(big.NewRat(1, 1), x)
		}
		return xs
	}
	add := func(a, b []*big.Rat) []*big.Rat {
		out := make([]*big.Rat, len(a))
		for i := range a {
			out[i] = new(big.Rat).Add(a[i], b[i])
		}
		return out
	}
	th := [][]*big.Rat{
		add(oneMinus(prs(rats(inc))), oneMinus(prs(rats(bach)))),
		add(prs(rats(rent)), prs(rats(pre))),
	}
	ties := 0
	for k, sums := range th {
		want := prs(sums)
		groups := map[string]int{}
		for i := range sums {
			groups[sums[i].RatString()]++
			w, _ := want[i].Float64()
			if got.ThemeRank[k][i] != w {
				t.Fatalf("theme %d tract %d: RPL %v, exact %v", k, i, got.ThemeRank[k][i], w)
			}
			if s, _ := sums[i].Float64(); got.ThemeSum[k][i] != s {
				t.Fatalf("theme %d tract %d: SPL %v, exact %v", k, i, got.ThemeSum[k][i], s)
			}
		}
		for _, g := range groups {
			if g > 1 {
				ties++
			}
		}
	}
	total := add(th[0], th[1])
	want := prs(total)
	for i := range total {
		if w, _ := want[i].Float64(); got.Rank[i] != w {
			t.Fatalf("tract %d: RPL_THEMES %v, exact %v", i, got.Rank[i], w)
		}
	}
	if ties == 0 {
		t.Error("no tied theme sums: the data do not exercise ties")
	}
	t.Logf("%d tracts, %d groups of exactly tied theme sums, all tied in rank", n, ties)
}
