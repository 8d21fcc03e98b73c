package reports_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/reports"
	"github.com/groundwork-org/groundwork/reports/browsertest"
	"github.com/groundwork-org/groundwork/reports/svgmap"
)

// layoutReport is a report with every part the template has, filled with
// made-up text and numbers of realistic lengths (the words and figures of
// the Oakland demo, the seats of a fictional council): a brief of four
// figures and four next steps, a map of a 12×12 grid of tracts with three
// outlined areas and circles, findings with a scatter, a decision layer,
// the "How sure" section, a 12-column table of long values, an open
// section's 40-row table with intervals that prints on more than a page,
// and a 60-row segment list.
func layoutReport() *reports.Report {
	rect := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	m := &svgmap.Map{ID: "fixture", Width: 900, Title: "Made-up tracts",
		SizeTitle: "Enrollment", ColorTitle: "Score", ColorBreaks: []float64{490, 550, 682}}
	for i := 0; i < 12; i++ {
		for j := 0; j < 12; j++ {
			x, y := -122.3+float64(i)*0.01, 37.7+float64(j)*0.01
			v := float64(20000 + 1000*i*j)

			m.Shapes = append(m.Shapes, svgmap.Shape{ID: fmt.Sprint(i*12 + j), Name: fmt.Sprintf("Tract %d", i*12+j), Detail: "flatlands",
				Geom: rect(x, y, x+0.01, y+0.01), Values: []svgmap.Value{{Estimate: v, MOE: v / 5, Valid: (i+j)%17 != 0, Unreliable: (i*j)%11 == 3}}})
			if (i+j)%3 == 0 {
				m.Points = append(m.Points, svgmap.Point{Name: "School", Pos: orb.Point{x + 0.005, y + 0.005}, Size: float64(100 + 10*i), Color: float64(400 + 30*j), Valid: true, Tip: "School"})
			}
		}
	}
	m.Indicators = []svgmap.Indicator{
		{Title: "Median household income (2018 dollars)", Format: func(x float64) string { return reports.Format(x, "dollars") }, Breaks: []float64{25000, 40000, 60000, 90000},
			Interval: func(e, moe float64) string { return reports.Interval(e, moe, "dollars") }},
		{Title: "Renter-occupied homes (percent)", Breaks: []float64{1, 2, 3, 4}},
	}
	m.Outlines = []svgmap.Outline{
		{Label: "hills", Geom: []orb.MultiPolygon{rect(-122.3, 37.7, -122.26, 37.82)}},
		{Label: "lower hills", Geom: []orb.MultiPolygon{rect(-122.26, 37.7, -122.22, 37.82)}},
		{Label: "flatlands", Geom: []orb.MultiPolygon{rect(-122.22, 37.7, -122.18, 37.82)}},
	}
	wide := reports.Table{Title: "Where the need is greatest", Header: []string{"Tract", "Neighborhood", "Terrain", "Median household income", "Renter share", "Households", "Children under 18", "No vehicle", "Need index", "Rank", "Seat", "Schools"}}
	for c := range wide.Header {
		wide.Numeric = append(wide.Numeric, c >= 3 && c != 10)
	}
	for r := 0; r < 8; r++ {
		wide.Rows = append(wide.Rows, []string{"Tract 4060.01, Alameda County", "San Antonio / Fruitvale", "flatlands",
			reports.Interval(53873, 6012, "dollars"), reports.Interval(0.64, 0.05, "percent"), "1,204", "312", "18.2%", "1.83", fmt.Sprint(r + 1), "District 5 (made up)", "3"})
	}
	// an open section's table longer than a page, with intervals in words
	// and their printed forms: its header repeats on the next printed page
	tracts := reports.Table{Title: "Tracts by need (made up)", Header: []string{"#", "Tract", "Neighborhood", "Terrain", "Need index", "Median household income", "Renter-occupied homes", "Adults with a degree", "Homes built before 1950", "Seat: City Council district (made up)"},
		Numeric: []bool{true, false, false, false, true, true, true, true, true, false}}
	for r := 0; r < 40; r++ {
		share, moe := 0.40+0.01*float64(r), 0.04+0.001*float64(r)
		if r == 0 {
			share = 0.05 // "about 5.0%": after "about 40.0%" as text, first as a number
		}
		tracts.Rows = append(tracts.Rows, []string{fmt.Sprint(r + 1), fmt.Sprintf("0600140%04d", 100*r), "Reservoir Hill-Meadow Brook", "flatlands", "0.994", "$34,291",
			reports.ProportionInterval(share, moe, "percent"), "16.7%", "47.4%", "District 5"})
		p := make([]string, len(tracts.Header))
		p[6] = reports.ShortProportionInterval(share, moe, "percent")
		tracts.Print = append(tracts.Print, p)
	}
	long := reports.Table{Title: "Flatland elementary schools", Header: []string{"School", "Enrollment", "Score"}, Numeric: []bool{false, true, true}}
	for r := 0; r < 60; r++ {
		long.Rows = append(long.Rows, []string{fmt.Sprintf("Made-up Elementary %d", r), "331", "507"})
	}
	return &reports.Report{
		Title:    "The median flatland school has 1.7 times the enrollment and scores 350 points lower",
		Subtitle: "Oakland schools in the hills and the flatlands (API 2000, ACS 2014-2018), made-up layout fixture",
		Intro:    "Each circle is a school; tracts are shaded by median household income; coloured outlines group neighborhoods into hills, lower hills and flatlands.",
		Brief: &reports.Brief{
			Lead: "Flatland elementary schools are bigger and score lower: the median one enrolls 331 students in tested grades against 194.5 in the hills, and scores 507 against 857.5.",
			Headlines: []reports.Headline{
				{Value: "1.7 times", Label: "the enrollment of the median flatland school", Comparison: "331 against 194.5 in the hills"},
				{Value: "350 points", Label: "lower API 2000 score", Comparison: "507 against 857.5 in the hills"},
				{Value: "$53,900", Label: "median household income, flatlands", Comparison: "against $158,100 in the hills", Margin: "likely between $49,300 and $59,300", Reliability: "reliable"},
				{Value: "64%", Label: "of flatland homes are rented", Comparison: "against 21% in the hills", Margin: "likely between 59% and 69%", Reliability: "caution"},
			},
			Next: []reports.NextStep{
				{Title: "Knock on doors in the flatlands", Text: "3 turfs with walk lists by street, 412 contacts.", Links: []reports.Link{{Text: "turfs", Href: "exports/turfs/flatlands.geojson"}, {Text: "walk lists", Href: "exports/walklists/flatlands.csv"}}},
				{Title: "Call the flatland school families", Text: "21 schools; 380 contacts with phone consent for CallHub.", Links: []reports.Link{{Text: "CallHub list", Href: "exports/callhub/flatlands.csv"}}},
				{Title: "Follow up who confirmed and did not come", Text: "7 people.", Links: []reports.Link{{Text: "follow-up list", Href: "exports/followup.csv"}}},
				{Title: "Ask the trustees", Text: "Districts 5 and 6 cover 18 of the 21 schools.", Links: []reports.Link{{Text: "Who decides", Href: "#h-decides"}}},
			},
			Note: "Sources: California Department of Education API 2000; Census Bureau ACS 2014-2018 5-year estimates.",
		},
		Findings:      []string{"In the hills, 8 elementary schools: enrollment in tested grades 159 to 236 (median 194.5).", "In the flatlands, 25 elementary schools: enrollment 153 to 631 (median 331).", "Median household income: hills $158,125; flatlands $53,873."},
		FindingsChart: &reports.Chart{Title: "Score against enrollment", Scatter: &reports.Scatter{XTitle: "Enrollment", YTitle: "Score", Groups: []reports.Group{{Name: "hills", Color: "#1b9e77"}, {Name: "flatlands", Color: "#d95f02"}}, Points: []reports.ScatterPoint{{Label: "a", X: 200, Y: 850, Group: "hills"}, {Label: "b", X: 330, Y: 500, Group: "flatlands"}}}},
		MapSVG:        svgmap.Render(m), MapLegend: svgmap.Legend(m),
		MapNote: "Tracts in five quantile classes. Hatched: too uncertain to use. Albers equal-area projection.",
		Decides: []reports.DecisionLayer{{ID: "d-council", Title: "Council districts (made up)", About: "Fixture seat list, made up for this test.",
			Seats:  []reports.Seat{{Name: "District 5", Holder: "A. Example", Office: "Councilmember", Contact: "d5@example.org"}, {Name: "District 6", Holder: "B. Example", Office: "Councilmember", Contact: "d6@example.org"}},
			Covers: []reports.Cover{{What: "flatlands", Kind: "area", Unit: "schools", Counts: []reports.SeatCount{{Seat: "District 5", N: 12}, {Seat: "District 6", N: 6}}, Outside: 3}}}},
		HowSure: &reports.HowSure{Paragraphs: []string{"Census figures come from a survey of some households, so each has a margin of error: \"about 18.5%, likely between 17.0% and 20.0%\" means the true share is in that range 9 times in 10."},
			Words: []reports.Word{{Band: "reliable", Meaning: "the margin is small against the estimate."}, {Band: "caution", Meaning: "the margin is large: say \"about\"."}, {Band: "unreliable", Meaning: "do not quote it alone."}}},
		Sections: []reports.Section{{ID: "need", Title: "Where the need is greatest", Collapsed: true, Tables: []reports.Table{wide}},
			{ID: "tracts", Title: "Tracts by need", Tables: []reports.Table{tracts}}},
		Segments: []reports.Segment{{Title: "Flatland elementary schools", Rule: "terrain = flatlands and api00 < 600", Count: 60, Files: []string{"segments/flatland.csv"}, Table: long}},
		Sources:  []reports.Source{{Title: "Made-up", File: "fixture", Rows: 1}},
		Caveats:  []string{"Made-up numbers for a layout test."},
	}
}

// TestLayoutInBrowser opens the fixture report in Chromium and checks the
// layout rules of issue 15 that the template alone decides (see
// browsertest.CheckLayout), and that it makes no request and logs no
// error.
func TestLayoutInBrowser(t *testing.T) {
	browsertest.Need(t)
	var buf bytes.Buffer
	if err := reports.Write(&buf, layoutReport()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "layout.html")
	if dir := os.Getenv("GROUNDWORK_SHOTS"); dir != "" {
		path = filepath.Join(dir, "layout.html")
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t)
	b.CheckLayout(t, path)
	// sorting the intervals column orders it by the estimates
	b.Open(t, path, 1280, 800)
	var order []string
	b.Eval(t, `(function(){var tb=document.querySelector("#tracts table.sortable");var btn=tb.tHead.rows[0].cells[6].querySelector("button");btn.click();
		return Array.from(tb.tBodies[0].rows).slice(0,3).map(function(r){return r.cells[6].querySelector(".scr").textContent})})()`, &order)
	if want := []string{"about 5.0%, likely between 1.0% and 9.0%", "about 41.0%, likely between 36.9% and 45.1%", "about 42.0%, likely between 37.8% and 46.2%"}; !slices.Equal(order, want) {
		t.Errorf("intervals sorted ascending begin %q; want %q", order, want)
	}
	b.Open(t, path, 1280, 800)
	pdf := b.Print(t)
	if gaps := browsertest.PageTopGaps(t, pdf); len(gaps) > 0 {
		t.Errorf("printed pages start below their top margin (a band that did not print): %s", strings.Join(gaps, "; "))
	}
	for _, u := range b.Requests {
		if u != "file://"+path {
			t.Errorf("request to %s; the report must make none", u)
		}
	}
	for _, p := range b.Problems {
		t.Errorf("browser: %s", p)
	}
}
