package reports_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"github.com/groundwork-org/groundwork/reports"
)

func ExampleEstimate() {
	fmt.Println(reports.Estimate(54313, 5012.4, "dollars"))
	fmt.Println(reports.Estimate(0.2345, 0.031, "percent"))
	fmt.Println(reports.Estimate(math.NaN(), 1, ""))
	// Output:
	// $54,313 ± $5,012
	// 23.4% ± 3.1%
	// –
}

func ExampleWrite() {
	r := &reports.Report{
		Title:    "Made-up example",
		Findings: []string{"The flatlands' median school is 1.7 times the size of the hills'."},
		Tables: []reports.Table{{
			Title:   "Median income",
			Header:  []string{"Area", "Estimate"},
			Numeric: []bool{false, true},
			Rows:    [][]string{{"Tract 1", reports.Estimate(42000, 6000, "dollars")}, {"Tract 2", reports.Estimate(61000, 30000, "dollars")}},
			Marks:   [][]string{nil, {"", "unreliable"}},
		}},
	}
	var buf bytes.Buffer
	if err := reports.Write(&buf, r); err != nil {
		fmt.Println(err)
		return
	}
	html := buf.String()
	fmt.Println(strings.Contains(html, `<td class="n unreliable" data-label="Estimate">$61,000 ± $30,000 <span class="mk"`))
	fmt.Println(strings.Contains(html, "† unreliable: coefficient of variation over 30%"))
	// Output:
	// true
	// true
}
