package reports_test

import (
	"bytes"
	"fmt"
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

// TestBriefDecidesHowSure checks what the brief, "Who decides" and "How
// sure" sections of the layout fixture say: the lead and the figures with
// their comparison, margin and reliability word; the next steps with
// their links; each seat's count out of the area's total, with those in no
// seat; the seat holders; the reliability words with their meanings.
func TestBriefDecidesHowSure(t *testing.T) {
	var buf bytes.Buffer
	if err := reports.Write(&buf, layoutReport()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		`<h1>The median flatland school has 1.7 times the enrollment and scores 350 points lower</h1>`,
		`<p class="lead">Flatland elementary schools are bigger and score lower`,
		`<span class="v">$53,900</span><span class="l">median household income, flatlands</span><span class="c">against $158,100 in the hills</span><span class="m">likely between $49,300 and $59,300</span><span class="r r-reliable">reliable</span>`,
		`<span class="r r-caution">use with caution</span>`,
		`<h2 class="next" id="h-next">What to do next</h2>`,
		`<a href="exports/walklists/flatlands.csv">walk lists</a>`,
		`<a href="#h-decides">Who decides</a>`,
		`<td data-label="Seat">District 5</td><td data-label="Held by">A. Example</td><td class="n" data-label="How many">12 of 21 schools</td>`,
		`<td data-label="Seat">in no seat</td><td data-label="Held by"></td><td class="n" data-label="How many">3 of 21 schools</td>`,
		`<td data-label="Contact">d6@example.org</td>`,
		`<h2>How sure are these numbers?</h2>`,
		`<dt><span class="r r-unreliable">too uncertain to use</span></dt><dd>do not quote it alone.</dd>`,
		`<section id="need"><details class="sec"><summary><h2>Where the need is greatest</h2>`, // collapsed: no open
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// a report without a brief shows its intro under the title instead
	buf.Reset()
	if err := reports.Write(&buf, &reports.Report{Title: "No brief", Intro: "What this is."}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<h1>No brief</h1>\n<p>What this is.</p>") {
		t.Error("without a brief the intro is not under the title")
	}
}

// TestSegmentCounts: the segments' heading and each list's summary count in
// words that agree with the number ("1 list", "1 row"; the init scaffold's
// report, with one segment, said "1 lists").
func TestSegmentCounts(t *testing.T) {
	seg := func(rows int) reports.Segment {
		s := reports.Segment{Title: "Tracts", Rule: "x > 1", Count: rows, Table: reports.Table{Header: []string{"Tract"}}}
		for range rows {
			s.Table.Rows = append(s.Table.Rows, []string{"06001400100"})
		}
		return s
	}
	for _, tt := range []struct {
		name string
		segs []reports.Segment
		want []string
	}{
		{"one list of one row", []reports.Segment{seg(1)}, []string{`<span class="more">1 list</span>`, `The list (1 row)`}},
		{"two lists", []reports.Segment{seg(2), seg(0)}, []string{`<span class="more">2 lists</span>`, `The list (2 rows)`, `The list (0 rows)`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := reports.Write(&buf, &reports.Report{Title: "Segments", Segments: tt.segs}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

// TestSegmentWithoutRule: a segment without a where rule (every tract,
// ranked) shows no "Rule:" line; the Atlanta report printed an empty one.
func TestSegmentWithoutRule(t *testing.T) {
	var buf bytes.Buffer
	segs := []reports.Segment{{Title: "All ranked", Count: 0}, {Title: "Some", Rule: "need_index > 0.8"}}
	if err := reports.Write(&buf, &reports.Report{Title: "Segments", Segments: segs}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "Rule: <code>"); n != 1 {
		t.Errorf("%d Rule lines; want 1, only for the segment with a rule", n)
	}
	if strings.Contains(buf.String(), "<code></code>") {
		t.Errorf("page has an empty rule")
	}
}

// TestPrintNote: a segment list longer than PrintedRows says, in print,
// how many rows were left out and which file holds them all (its CSV, not
// its GeoJSON); a short one says nothing.
func TestPrintNote(t *testing.T) {
	rows := func(n int) [][]string { return make([][]string, n) }
	for _, tt := range []struct {
		name string
		seg  reports.Segment
		want string
	}{
		{"short", reports.Segment{Files: []string{"segments/a.csv"}, Table: reports.Table{Rows: rows(reports.PrintedRows)}}, ""},
		{"long", reports.Segment{Files: []string{"segments/a.geojson", "segments/a.csv"}, Table: reports.Table{Rows: rows(212)}},
			fmt.Sprintf("Printed: the first %d of 212 rows; all are in segments/a.csv.", reports.PrintedRows)},
		{"no csv", reports.Segment{Files: []string{"segments/a.geojson"}, Table: reports.Table{Rows: rows(212)}},
			fmt.Sprintf("Printed: the first %d of 212 rows; all are in segments/a.geojson.", reports.PrintedRows)},
		{"no file", reports.Segment{Table: reports.Table{Rows: rows(212)}},
			fmt.Sprintf("Printed: the first %d of 212 rows; all are in the exported files.", reports.PrintedRows)},
	} {
		if got := tt.seg.PrintNote(); got != tt.want {
			t.Errorf("%s: PrintNote() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
