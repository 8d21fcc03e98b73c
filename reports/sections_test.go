package reports_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/reports"
)

// madeUpSections is a section as pipeline/report/sections.go fills them: a table
// of estimates with margins of error, one marked unreliable, and bars with
// whiskers. The numbers are made up for this test.
func madeUpSections() []reports.Section {
	return []reports.Section{{
		ID:         "indicators",
		Title:      "Renters by area (made-up numbers)",
		Paragraphs: []string{"Share of households renting, with 90% margins of error."},
		Charts: []reports.Chart{{
			Title: "Renter share by area",
			Bars: &reports.BarChart{Unit: "Percent of households", Format: func(x float64) string { return reports.Format(x, "percent") }, Bars: []reports.Bar{
				{Label: "hills", Value: 0.21, MOE: 0.04},
				{Label: "lower hills", Value: 0.38, MOE: 0.15, Unreliable: true},
				{Label: "flatlands", Value: 0.64, MOE: 0.03},
			}},
		}},
		Tables: []reports.Table{{
			Title:   "Renter share",
			Header:  []string{"Area", "Renter share", "Households"},
			Numeric: []bool{false, true, true},
			Rows: [][]string{
				{"hills", reports.Estimate(0.21, 0.04, "percent"), reports.Estimate(10450, 420, "")},
				{"lower hills", reports.Estimate(0.38, 0.15, "percent"), reports.Estimate(3020, 610, "")},
				{"flatlands", reports.Estimate(0.64, 0.03, "percent"), reports.Estimate(88100, 1900, "")},
			},
			Marks: [][]string{nil, {"", "unreliable", "caution"}},
		}},
	}}
}

// TestSections checks how a section renders: its anchor in the contents,
// the bar with a whisker for each MOE and a hatch for the unreliable one,
// estimates with ± and the marks with their explanation.
func TestSections(t *testing.T) {
	var buf bytes.Buffer
	if err := reports.Write(&buf, &reports.Report{Title: "Sections", Sections: madeUpSections()}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if p := os.Getenv("GROUNDWORK_SHOTS"); p != "" {
		os.WriteFile(p+"/sections.html", buf.Bytes(), 0o644)
	}
	for _, want := range []string{
		`<a href="#indicators">Renters by area (made-up numbers)</a>`,
		`<section id="indicators">`,
		`fill="url(#bar-hatch)"`,
		`lower hills †`,
		`21.0% ± 4.0%`,
		`data-label="Renter share">38.0% ± 15.0% <span class="mk" title="unreliable estimate">†</span>`,
		`<span class="mk" title="use with caution">*</span>`,
		`* use with caution: coefficient of variation 15–30%.`,
		`† unreliable: coefficient of variation over 30%`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, `stroke="#111" stroke-width="1.5" fill="none"`); n != 3 {
		t.Errorf("%d whiskers; want 3, one per bar with a MOE", n)
	}
}
