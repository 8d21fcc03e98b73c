package reports_test

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"golang.org/x/net/html"

	"github.com/groundwork-org/groundwork/reports"
	"github.com/groundwork-org/groundwork/reports/svgmap"
)

// hostile are names an attacker could put in a dataset (a school name, a
// neighborhood, a survey answer): script tags, attribute breakouts,
// javascript: URLs, SVG payloads, and attempts to close the element the
// text lands in. Made up for this test.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`' onmouseover='alert(1)`,
	`javascript:alert(1)`,
	`<svg onload=alert(1)>`,
	`</title><script>alert(1)</script>`,
	`</style><script>alert(1)</script>`,
	`]]><script>alert(1)</script><![CDATA[`,
	`--><script>alert(1)</script><!--`,
	`<foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject>`,
	`red" onload="alert(1)`,
	"\u2028</textarea><a href=\"javascript:alert(1)\">x</a>",
}

// square is a unit-ish square polygon at (x, y) in lon/lat.
func square(x, y float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + 0.01, y}, {x + 0.01, y + 0.01}, {x, y + 0.01}, {x, y}}}}
}

// hostileReport puts the hostile string h in every text field of a report
// and its map.
func hostileReport(h string) *reports.Report {
	f := func(x float64) string { return h + reports.Number(x, 0) }
	m := &svgmap.Map{
		ID: h, Title: h,
		Shapes: []svgmap.Shape{
			{ID: h, Name: h, Geom: square(-122.2, 37.8), Values: []svgmap.Value{{Estimate: 1, MOE: 1, Valid: true, Unreliable: true, Reliability: h, Note: h}, {Valid: false, Note: h}}},
			{ID: h + "2", Name: h, Geom: square(-122.19, 37.8), Values: []svgmap.Value{{Estimate: 2, Valid: true}, {Estimate: 3, Valid: true}}},
		},
		Indicators: []svgmap.Indicator{
			{Title: h, Method: h, Format: f, Breaks: []float64{1, 2, 3, 4}, Palette: []string{h, "#fff", "#eee", "#ddd", "#ccc"}},
			{Title: h, Format: f, Breaks: []float64{1, 2, 3, 4}},
		},
		Outlines:   []svgmap.Outline{{Label: h, Color: h, Geom: []orb.MultiPolygon{square(-122.2, 37.8), square(-122.19, 37.8)}}},
		Points:     []svgmap.Point{{Name: h, Tip: h, Pos: orb.Point{-122.195, 37.805}, Size: 1, Color: 1, Valid: true}},
		SizeTitle:  h,
		ColorTitle: h, ColorFormat: f, ColorBreaks: []float64{1, 2, 3},
	}
	tbl := reports.Table{Title: h, Note: h, Header: []string{h, h}, Numeric: []bool{false, true}, Rows: [][]string{{h, h}}, Marks: [][]string{{"", "unreliable"}}}
	chart := reports.Chart{Title: h, Note: h,
		Bars:    &reports.BarChart{Unit: h, Format: f, Bars: []reports.Bar{{Label: h, Value: 1, MOE: 0.5, Unreliable: true}, {Label: h, Value: math.NaN()}}},
		Scatter: &reports.Scatter{XTitle: h, YTitle: h, Groups: []reports.Group{{Name: h, Color: h}}, Points: []reports.ScatterPoint{{Label: h, X: 1, Y: 2, Group: h}}},
	}
	return &reports.Report{
		Title: h, Subtitle: h, Intro: h, Findings: []string{h},
		Brief: &reports.Brief{Lead: h, Note: h,
			Headlines: []reports.Headline{{Value: h, Label: h, Comparison: h, Margin: h, Reliability: h}, {Value: h, Reliability: "caution"}},
			Next:      []reports.NextStep{{Title: h, Text: h, Links: []reports.Link{{Text: h, Href: h}, {Text: h, Href: "javascript:alert(1)"}}}}},
		FindingsChart: &chart,
		Decides: []reports.DecisionLayer{{ID: h, Title: h, About: h, Seats: []reports.Seat{{Name: h, Holder: h, Office: h, Contact: h}},
			Covers: []reports.Cover{{What: h, Kind: h, Unit: h, Counts: []reports.SeatCount{{Seat: h, N: 1}}, Outside: 1}}}},
		HowSure: &reports.HowSure{Paragraphs: []string{h}, Words: []reports.Word{{Band: h, Meaning: h}, {Band: "unreliable", Meaning: h}}},
		MapSVG:  svgmap.Render(m), MapLegend: svgmap.Legend(m), MapNote: h,
		Charts:   []reports.Chart{chart},
		Tables:   []reports.Table{tbl},
		Sections: []reports.Section{{ID: h, Title: h, Paragraphs: []string{h}, Charts: []reports.Chart{chart}, Tables: []reports.Table{tbl}}},
		Segments: []reports.Segment{{Title: h, Rule: h, Count: 1, Files: []string{h, "javascript:alert(1)"}, Table: tbl}},
		Unplaced: []reports.UnplacedSet{{Title: h, Total: 1, Rows: [][]string{{h, h, h}}}},
		Sources:  []reports.Source{{Title: h, About: h, File: h, Rows: 1}},
		Caveats:  []string{h}, Warnings: []string{h},
	}
}

// TestHostileText renders every hostile string through svgmap and reports
// and parses the page as a browser would (golang.org/x/net/html, the
// HTML5 parsing algorithm): the only script is the report's own, no
// element has an event-handler attribute, no URL attribute holds a
// javascript: URL, no element an attacker could use appears, and the text
// itself is still there, shown rather than dropped.
func TestHostileText(t *testing.T) {
	clean := render(t, hostileReport("Harmless name"))
	wantScripts, wantStyles := count(clean, "script"), count(clean, "style")
	for _, h := range hostile {
		t.Run(h, func(t *testing.T) {
			doc := render(t, hostileReport(h))
			if got := count(doc, "script"); got != wantScripts {
				t.Errorf("%d script elements; want %d (the report's own)", got, wantScripts)
			}
			if got := count(doc, "style"); got != wantStyles {
				t.Errorf("%d style elements; want %d", got, wantStyles)
			}
			for _, bad := range []string{"img", "iframe", "foreignObject", "foreignobject", "object", "embed", "textarea", "form"} {
				if n := count(doc, bad); n > 0 {
					t.Errorf("%d %s elements from data", n, bad)
				}
			}
			walk(doc, func(n *html.Node) {
				for _, a := range n.Attr {
					k := strings.ToLower(a.Key)
					if strings.HasPrefix(k, "on") {
						t.Errorf("<%s> has event handler %s=%q", n.Data, a.Key, a.Val)
					}
					if k == "href" || k == "src" || k == "xlink:href" || k == "action" {
						if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
							t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
						}
					}
					if k == "fill" || k == "stroke" {
						if !paint.MatchString(a.Val) {
							t.Errorf("<%s %s=%q>: data in a paint attribute", n.Data, a.Key, a.Val)
						}
					}
				}
				if n.Type == html.ElementNode && n.Data == "script" && n.FirstChild != nil && strings.Contains(n.FirstChild.Data, "alert(1)") {
					t.Error("the report's script contains data")
				}
			})
			// the page's <title> shows the hostile title as text
			var title string
			walk(doc, func(n *html.Node) {
				if n.Type == html.ElementNode && n.Data == "title" && n.Parent != nil && n.Parent.Data == "head" && n.FirstChild != nil {
					title = n.FirstChild.Data
				}
			})
			if title != h {
				t.Errorf("page title text = %q; want the name shown as text, %q", title, h)
			}
		})
	}
}

// FuzzHostileText renders arbitrary names and checks that no event
// handler or script appears beyond the report's own.
func FuzzHostileText(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Add("")
	f.Add("Lincoln Elementary")
	clean := render(f, hostileReport("x"))
	wantScripts := count(clean, "script")
	f.Fuzz(func(t *testing.T, h string) {
		doc := render(t, hostileReport(h))
		if got := count(doc, "script"); got != wantScripts {
			t.Errorf("%d script elements for %q; want %d", got, h, wantScripts)
		}
		walk(doc, func(n *html.Node) {
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("name %q: <%s> has %s", h, n.Data, a.Key)
				}
			}
		})
	})
}

// paint is what fill and stroke may hold: a hex colour, none, or a
// reference to an element id of letters, digits and '-'.
var paint = regexp.MustCompile(`^(#[0-9a-fA-F]{3,8}|none|url\(#[A-Za-z0-9-]+\))$`)

func render(t testing.TB, r *reports.Report) *html.Node {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func count(doc *html.Node, tag string) int {
	n := 0
	walk(doc, func(x *html.Node) {
		if x.Type == html.ElementNode && x.Data == tag {
			n++
		}
	})
	return n
}
