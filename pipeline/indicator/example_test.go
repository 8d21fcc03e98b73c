package indicator_test

import (
	"fmt"
	"log"

	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/reports"
)

// Renter share of three real Oakland tracts (ACS 2014-2018, B25003: owner-
// and renter-occupied units with their 90% MOEs).
func Example() {
	col := func(name string, vals ...float64) *table.Column {
		c := &table.Column{Name: name, Type: table.Float}
		for _, v := range vals {
			c.AppendFloat(v, true)
		}
		return c
	}
	rec, err := table.Build(nil,
		table.NewString("geoid", []string{"06001400100", "06001400300", "06001990000"}),
		col("B25003_002E", 1158, 1057, 0), col("B25003_002M", 92, 171, 12),
		col("B25003_003E", 139, 1384, 0), col("B25003_003M", 74, 211, 12),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer rec.Release()

	columns := []string{"geoid", "B25003_002E", "B25003_002M", "B25003_003E", "B25003_003M"}
	ind, err := indicator.Compile(indicator.Spec{
		Name:    "renter_share",
		Expr:    "B25003_003E / (B25003_002E + B25003_003E)",
		Kind:    indicator.Proportion,
		Percent: true,
	}, columns, indicator.Options{NotSummable: map[string]bool{"B19013_001E": true}})
	if err != nil {
		log.Fatal(err)
	}
	r, err := ind.Evaluate(rec)
	if err != nil {
		log.Fatal(err)
	}
	for i := range r.Est {
		fmt.Printf("%s %s (%s)", table.Row(rec, i)["geoid"], reports.Interval(r.Est[i], r.MOE[i], ""), r.Reliability[i])
		if r.Note[i] != "" {
			fmt.Print(": ", r.Note[i])
		}
		fmt.Println()
	}
	c := stats.Compare("tract 4001", stats.Value{Est: r.Est[0], MOE: r.MOE[0]}, "tract 4003", stats.Value{Est: r.Est[1], MOE: r.MOE[1]}, r.Confidence)
	fmt.Println(c.Statement)
	// Output:
	// 06001400100 about 10.7, likely between 5.1 and 16.3 (unreliable)
	// 06001400300 about 56.7, likely between 50.8 and 62.6 (reliable)
	// 06001990000 no estimate (unknown): division by zero: the denominator B25003_002E + B25003_003E is 0
	// tract 4001 is lower than tract 4003, and the difference is statistically significant at the 90% confidence level (Z = -9.27).
}

func ExampleCompile_unknownName() {
	_, err := indicator.Compile(indicator.Spec{Name: "renter_share", Expr: "B25003_03E / B25003_002E"},
		[]string{"B25003_002E", "B25003_003E"}, indicator.Options{})
	fmt.Println(err)
	// Output: indicator renter_share (B25003_03E / B25003_002E): unknown column B25003_03E; did you mean B25003_003E?
}

func ExampleCompile_median() {
	_, err := indicator.Compile(indicator.Spec{Name: "x", Expr: "B19013_001E + B25064_001E"},
		[]string{"B19013_001E", "B25064_001E"},
		indicator.Options{NotSummable: map[string]bool{"B19013_001E": true, "B25064_001E": true}})
	fmt.Println(err)
	// Output: indicator x (B19013_001E + B25064_001E): B19013_001E is a median or mean and cannot be used in a sum or difference: medians and means do not add up across categories or areas; use the counts it summarises, or compare it as a ratio
}

// Aggregate tracts into areas, then evaluate an indicator per area.
func ExampleAggregate() {
	col := func(name string, vals ...float64) *table.Column {
		c := &table.Column{Name: name, Type: table.Float}
		for _, v := range vals {
			c.AppendFloat(v, true)
		}
		return c
	}
	// Owner- and renter-occupied units of four real Oakland tracts
	// (06001400100, 06001400300, 06001408600, 06001409000), in made-up areas.
	rec, err := table.Build(nil,
		col("B25003_002E", 1158, 1057, 742, 538), col("B25003_002M", 92, 171, 131, 93),
		col("B25003_003E", 139, 1384, 1109, 548), col("B25003_003M", 74, 211, 140, 82),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer rec.Release()
	area := []string{"madeup north", "madeup north", "madeup east", "madeup east"}
	agg, err := indicator.Aggregate(rec, area, nil, []string{"B25003_002E", "B25003_003E"}, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer agg.Release()
	ind, err := indicator.Compile(indicator.Spec{Name: "renter_share", Expr: "B25003_003E / (B25003_002E + B25003_003E)", Kind: indicator.Proportion, Percent: true},
		[]string{"B25003_002E", "B25003_002M", "B25003_003E", "B25003_003M"}, indicator.Options{})
	if err != nil {
		log.Fatal(err)
	}
	r, err := ind.Evaluate(agg)
	if err != nil {
		log.Fatal(err)
	}
	names, _, _ := table.Strings(agg, indicator.AreaColumn)
	var vals []stats.Value
	for i := range names {
		fmt.Printf("%s: %s (%s)\n", names[i], reports.Interval(r.Est[i], r.MOE[i], ""), r.Reliability[i])
		vals = append(vals, stats.Value{Est: r.Est[i], MOE: r.MOE[i]})
	}
	for _, c := range stats.ComparePairs(names, vals, r.Confidence) { // names[c.A] vs names[c.B]
		fmt.Println(c.Statement)
	}
	// Checked with Python 3.11.7 on the handbook formulas: 56.418 ± 3.359,
	// 40.744 ± 5.036, Z = 4.260. (The blank line below keeps this comment
	// out of the output comment, which must stand alone for the example to
	// run.)

	// Output:
	// madeup east: about 56.4, likely between 53.1 and 59.8 (reliable)
	// madeup north: about 40.7, likely between 35.7 and 45.8 (reliable)
	// madeup east is higher than madeup north, and the difference is statistically significant at the 90% confidence level (Z = 4.26).
}
