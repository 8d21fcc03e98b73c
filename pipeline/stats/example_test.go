package stats_test

import (
	"fmt"

	"github.com/groundwork-org/groundwork/pipeline/stats"
)

// Renter share of Oakland tract 06001400100 (ACS 2014-2018, B25003):
// 139 ± 74 renter-occupied of 1,158 ± 92 owner- plus 139 ± 74
// renter-occupied units.
func ExampleProportion() {
	renters := stats.Value{Est: 139, MOE: 74}
	occupied := stats.Sum(stats.Value{Est: 1158, MOE: 92}, renters)
	share, fellBack := stats.Proportion(renters, occupied)
	pct := stats.Scale(share, 100)
	cv := stats.CV(share, stats.Conf90)
	fmt.Printf("%.1f%% ± %.1f (CV %.0f%%, %s, ratio fallback %v)\n", pct.Est, pct.MOE, cv, stats.DefaultBands.Classify(cv), fellBack)
	// Output: 10.7% ± 5.6 (CV 32%, unreliable, ratio fallback false)
}

func ExampleCompare() {
	a := stats.Value{Est: 10.7, MOE: 5.6}
	b := stats.Value{Est: 56.7, MOE: 5.9}
	fmt.Println(stats.Compare("Tract 4001", a, "Tract 4003", b, stats.Conf90).Statement)
	// Output: Tract 4001 is lower than Tract 4003, and the difference is statistically significant at the 90% confidence level (Z = -9.30).
}

func ExampleSum() {
	// Black population (B03002_004) of three tracts, one with a zero
	// estimate: 0 ± 12 in tract 06001981900.
	fmt.Printf("%+v\n", stats.Sum(stats.Value{Est: 1261, MOE: 287}, stats.Value{Est: 2288, MOE: 433}, stats.Value{Est: 0, MOE: 12}))
	// Output: {Est:3549 MOE:519.6171667679967}
}

func ExampleDissimilarity() {
	white := []float64{2055, 74, 213}   // tracts 4001, 4090, 4086
	black := []float64{128, 1261, 2288} // same tracts
	fmt.Printf("D = %.3f\n", stats.Dissimilarity(white, black))
	// Output: D = 0.843
}

func ExampleJenksBreaks() {
	b, _ := stats.JenksBreaks([]float64{1, 2, 3, 10, 11, 12, 20, 21, 22}, 3)
	fmt.Println(b)
	// Output: [1 3 12 22]
}

func ExampleTheil() {
	// White, Black, Asian, Latinx residents of Oakland tracts 4001, 4090 and
	// 4086 (ACS 2014-2018, B03002).
	counts := [][]float64{
		{2055, 128, 592, 104},
		{74, 1261, 158, 2059},
		{213, 2288, 284, 3797},
	}
	fmt.Printf("H = %.3f\n", stats.Theil(counts)) // Python 3.11.7 on the same formula: 0.26520
	// Output: H = 0.265
}

func ExampleSVIComposite() {
	r := stats.SVIComposite([]stats.Theme{
		{Name: "madeup economy", Vars: []stats.Variable{
			{Name: "poverty", Values: []float64{0.30, 0.10, 0.10, 0.20}},
			{Name: "income", Values: []float64{20, 60, 50, 30}, Dir: stats.LowerIsWorse},
		}},
	})
	fmt.Printf("%.3f\n", r.Rank)
	// Output: [1.000 0.000 0.333 0.667]
}

func ExampleAggregateAreas() {
	// Renter-occupied units (B25003_003E/M) of four tracts in two areas.
	sums := stats.AggregateAreas(
		[]string{"madeup east", "madeup east", "madeup west", "madeup west"},
		[]stats.Value{{Est: 1109, MOE: 140}, {Est: 0, MOE: 12}, {Est: 139, MOE: 74}, {Est: 1384, MOE: 211}},
		nil)
	for _, s := range sums {
		fmt.Printf("%s: %.0f ± %.0f from %d tracts\n", s.Area, s.Est, s.MOE, s.N)
	}
	// Output:
	// madeup east: 1109 ± 141 from 2 tracts
	// madeup west: 1523 ± 224 from 2 tracts
}
