// Package reports writes the self-contained HTML report that organizers read:
// findings in plain words, a map, charts, tables, segments, and the sources,
// methods and caveats behind them.
//
// The report is one file with its styles and script inline and no external
// requests (no fonts, images or scripts fetched). It reads without
// JavaScript: the map's shapes carry SVG titles (the browser's own
// tooltips) and everything is in the page. A short inline script adds
// tooltips on hover and tap, indicator switching, sortable tables and a
// search box that highlights on the map. On phones (under 600 px) tables
// become one card per row; print CSS drops the tools and keeps tables and
// figures whole.
//
// All text is escaped by html/template according to its context; the map
// SVG and its legend come from package svgmap, which escapes every text it
// writes, and chart colours are checked against a hex pattern. Output is
// deterministic for a given Report. Write is safe for concurrent use.
package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
)

//go:embed templates/report.html.tmpl
var files embed.FS

var tmpl = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"inc":         func(i int) int { return i + 1 },
	"barview":     func(b *BarChart) barView { return b.view() },
	"scatterview": func(s *Scatter) scatterView { return s.view() },
	"mark":        mark,
	"markkinds":   markKinds,
	"printed":     printed,
	"printkey":    printKey,
	"cellclass":   cellClass,
	"relword":     ReliabilityWord,
	"total":       coverTotal,
	"holders":     hasHolders,
	"holder":      holderOf,
	// trusted marks svgmap's output as safe HTML (SectionMap)
	"trusted": func(s string) template.HTML { return template.HTML(s) },
}).ParseFS(files, "templates/report.html.tmpl"))

// Report is everything the page shows, in this order: the brief (title,
// lead sentence, headline figures, what to do next), the map with its
// legend beside it, the findings with their chart, who decides, how sure
// the numbers are, the sections, the tables by area, the segments, what
// could not be placed, and the sources. Sections other than the brief and
// the map are collapsible: on a phone the script closes them, so that the
// reader sees the brief and the map and then a list of headings.
type Report struct {
	// Title states the main finding in words when there is one ("The
	// median flatland school has 1.7 times the enrollment and scores 350
	// points lower"); Subtitle says what the report covers.
	Title    string
	Subtitle string
	Intro    string
	// Brief is the top of the page, printed on a page of its own; nil
	// shows no brief.
	Brief    *Brief
	Findings []string
	// FindingsChart is shown next to the findings (the scatter plot that
	// makes the main finding at a glance); nil shows none.
	FindingsChart *Chart
	// MapSVG is an SVG element from svgmap.Render (trusted: svgmap escapes
	// every text it writes).
	MapSVG string
	// MapLegend is the map's legend from svgmap.Legend (trusted likewise).
	MapLegend string
	MapNote   string
	// MapFind is the search box's placeholder, naming what can be found
	// ("Find a tract, school or neighborhood").
	MapFind string
	// Charts follow the map (bars comparing areas, scatter plots).
	Charts []Chart
	Tables []Table
	// Sections are further titled sections (indicators with margins of
	// error, segregation measures, outreach counts, listening, turnout),
	// shown after the area tables.
	Sections []Section
	// Decides is the power map ("Who decides"): for each decision layer,
	// the seats that cover each focus area and segment.
	Decides []DecisionLayer
	// HowSure says in plain words how sure the numbers are; nil shows no
	// such section.
	HowSure  *HowSure
	Segments []Segment
	Unplaced []UnplacedSet
	Sources  []Source
	// Methods says how the numbers and the map were made: formulas with
	// their sources, classification, projection, what was left out.
	Methods  []string
	Caveats  []string
	Warnings []string
}

// Brief is what an organizer reads first: the lead sentence, three to
// five headline figures and the next steps with links to the files the run
// prepared.
type Brief struct {
	// Lead states the main finding in a sentence, in words computed from
	// the data.
	Lead      string
	Headlines []Headline
	// Next is "What to do next": segments, turfs and walk lists, contacts
	// per segment and tool.
	Next []NextStep
	// Note is small print under the figures (sources and years).
	Note string
}

// Headline is one figure of the brief, shown in large type.
type Headline struct {
	Value string // the figure: "1.7 times", "$53,900", "350 points"
	Label string // what it is: "the enrollment of the median flatland school"
	// Comparison says against what: "331 students against 194.5 in the
	// hills".
	Comparison string
	// Margin says the margin of error in plain words ("likely between
	// $49,300 and $59,300", see Interval); empty for exact figures.
	Margin string
	// Reliability is the figure's band: "reliable", "caution",
	// "unreliable", or "" for an exact figure (a count of schools); the
	// page says it with ReliabilityWord.
	Reliability string
}

// NextStep is one item of "What to do next".
type NextStep struct {
	Title string // "Knock on doors in the flatlands"
	Text  string // "3 turfs, 412 contacts; walk lists by street"
	Links []Link
}

// Link is a link to a file the run wrote, relative to the report.
type Link struct{ Text, Href string }

// DecisionLayer is a set of seats, each covering part of the map (school
// board trustee areas, council districts), and which seats cover each
// focus area and segment.
type DecisionLayer struct {
	ID    string // HTML id, for links
	Title string // "Oakland school board trustee areas"
	About string // where the boundaries and the seat list come from
	Seats []Seat
	// Covers are the focus areas and segments in report order.
	Covers []Cover
}

// Seat is one seat of a decision layer. Holder, Office and Contact are
// empty when no seat list was given.
type Seat struct {
	Name, Holder, Office, Contact string
}

// Cover says which seats cover an area or a segment and how many of its
// places or contacts fall in each.
type Cover struct {
	What   string // the area or the segment: "flatlands", "Flatland elementary schools"
	Kind   string // "area" or "segment"
	Unit   string // what is counted, plural: "schools", "contacts", "tracts"
	Counts []SeatCount
	// Outside counts those in no seat of the layer.
	Outside int
}

// SeatCount is how many of a cover's places or contacts fall in a seat.
type SeatCount struct {
	Seat string
	N    int
}

// HowSure is the "How sure are these numbers?" section.
type HowSure struct {
	Paragraphs []string
	// Words are the reliability words the report uses with what each
	// means here ("reliable": "the margin of error is under 15% of the
	// estimate ...").
	Words []Word
}

// Word is a reliability band and its meaning.
type Word struct {
	Band    string // "reliable", "caution", "unreliable"
	Meaning string
}

// Table is a titled table of text cells.
type Table struct {
	Title   string
	Note    string
	Header  []string
	Numeric []bool // right-align column i
	Rows    [][]string
	// Marks optionally flags cells: Marks[r][c] is "" (nothing), "caution"
	// (marked *) or "unreliable" (marked †); the table's note then says
	// what the marks mean. Rows without marks may be missing or short.
	Marks [][]string
	// Print optionally gives cells a shorter printed form: Print[r][c], when
	// not "", is printed in place of Rows[r][c] (an interval in words as
	// ShortInterval writes it, for a table column a few centimetres wide);
	// the screen shows Rows. A table with printed forms says under it, in
	// print, what the first one stands for. Rows may be missing or short.
	Print [][]string
}

// Estimate formats an estimate with its margin of error, "54,313 ± 5,000",
// in a pipeline format (see Format). A zero or NaN MOE is left out; a NaN
// estimate is "–".
func Estimate(est, moe float64, format string) string {
	if math.IsNaN(est) {
		return "–"
	}
	s := Format(est, format)
	if moe > 0 && !math.IsNaN(moe) {
		s += " ± " + Format(moe, format)
	}
	return s
}

func mark(t Table, r, c int) string {
	if r < len(t.Marks) && c < len(t.Marks[r]) {
		return t.Marks[r][c]
	}
	return ""
}

func printed(t Table, r, c int) string {
	if r < len(t.Print) && c < len(t.Print[r]) {
		return t.Print[r][c]
	}
	return ""
}

// printKey says, for a table with printed forms, what the first one
// stands for, in the screen's words; "" for a table without.
func printKey(t Table) string {
	for r, row := range t.Print {
		for c, p := range row {
			if p != "" && r < len(t.Rows) && c < len(t.Rows[r]) {
				return fmt.Sprintf("Printed, “%s” stands for “%s”: the range in brackets is where the true value likely lies.", p, t.Rows[r][c])
			}
		}
	}
	return ""
}

func cellClass(t Table, r, c int) string {
	cls := ""
	if c < len(t.Numeric) && t.Numeric[c] {
		cls = "n"
	}
	if m := mark(t, r, c); m == "unreliable" || m == "caution" {
		cls += " " + m
	}
	return cls
}

// markKinds returns which marks a table uses, for its note.
func markKinds(t Table) map[string]bool {
	k := map[string]bool{}
	for _, row := range t.Marks {
		for _, m := range row {
			if m != "" {
				k[m] = true
			}
		}
	}
	return k
}

// hasHolders reports whether a seat list was given (any seat has a
// holder).
func hasHolders(l DecisionLayer) bool {
	for _, s := range l.Seats {
		if s.Holder != "" {
			return true
		}
	}
	return false
}

// holderOf returns who holds the named seat, or "".
func holderOf(l DecisionLayer, seat string) string {
	for _, s := range l.Seats {
		if s.Name == seat {
			return s.Holder
		}
	}
	return ""
}

func coverTotal(c Cover) int {
	n := c.Outside
	for _, s := range c.Counts {
		n += s.N
	}
	return n
}

// Section is a titled block of paragraphs and tables.
type Section struct {
	ID    string // HTML id, for links
	Title string
	// Collapsed closes the section behind its heading on every screen and
	// in print (reference tables); the reader opens it.
	Collapsed  bool
	Paragraphs []string
	// Map is a map of the section's own areas (the features of an
	// interpolation), drawn after the paragraphs; nil draws none.
	Map    *SectionMap
	Charts []Chart
	Tables []Table
}

// SectionMap is a map inside a section. SVG and Legend must come from
// svgmap.Render and svgmap.Legend (trusted, as Report.MapSVG: svgmap
// escapes every text it writes), with an ID of their own so that the
// legend's switch finds its map; Note is the caption (escaped).
type SectionMap struct {
	SVG, Legend, Note string
}

// Segment is a segment's list with links to its exported files. The list
// itself is behind its heading (it is in the files).
type Segment struct {
	Title string
	Rule  string
	Count int
	Files []string
	Table Table
}

// PrintedRows is how many rows of a segment's list are printed: the print
// style sheet hides the rest (.seglist tbody tr:nth-child(n+11) in the
// template; keep the two in step), so that a list of thousands of tracts
// prints on a few pages, and PrintNote says where the others are.
const PrintedRows = 5

// PrintNote is the line printed under a segment's list when the print
// leaves rows out ("Printed: the first 5 of 212 rows; all are in
// segments/x.csv."), naming the segment's first CSV file (else its first
// file); it is empty when every row prints.
func (s Segment) PrintNote() string {
	n := len(s.Table.Rows)
	if n <= PrintedRows {
		return ""
	}
	where := "the exported files"
	for i, f := range s.Files {
		if i == 0 || strings.HasSuffix(f, ".csv") {
			where = f
		}
		if strings.HasSuffix(f, ".csv") {
			break
		}
	}
	return fmt.Sprintf("Printed: the first %d of %d rows; all are in %s.", PrintedRows, n, where)
}

// UnplacedSet lists records that could not be placed: Rows holds at most a
// bounded sample of the Total (the report's size must not grow with the
// number of records); when it is a sample, Reasons counts every record by
// kind of reason and File (relative to the report) lists them all.
type UnplacedSet struct {
	Title   string
	Total   int
	Rows    [][]string // id, name, reason
	Reasons []string   // "reason: count", most frequent first; empty when Rows has them all
	File    string
}

// Source is one dataset with its provenance.
type Source struct {
	Title, About, File string
	Rows               int
}

// Write renders r as HTML to w. Every text of r is escaped for its context
// by html/template, except MapSVG and MapLegend, which must come from
// svgmap (it escapes what it writes). The output is the same bytes for the
// same r.
func Write(w io.Writer, r *Report) error {
	view := struct {
		*Report
		Map    template.HTML
		Legend template.HTML
	}{r, template.HTML(r.MapSVG), template.HTML(r.MapLegend)} // svgmap escapes all text it emits
	if err := tmpl.Execute(w, view); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return nil
}

// Number formats x with thousands separators and the given decimals.
func Number(x float64, decimals int) string {
	if math.IsNaN(x) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + frac
	if x < 0 {
		out = "−" + out
	}
	return out
}

// Dollars formats x as whole dollars ("$54,313").
func Dollars(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return "$" + Number(math.Round(x), 0)
}

// Format formats x per a pipeline format name: "dollars", "percent" (x is a
// fraction), "year" (a whole number without thousands separator: 1939), or a
// plain number with decimals only where needed.
func Format(x float64, format string) string {
	switch format {
	case "dollars":
		return Dollars(x)
	case "percent":
		return Number(100*x, 1) + "%"
	case "year":
		if math.IsNaN(x) {
			return "–"
		}
		return strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	}
	if x == math.Trunc(x) {
		return Number(x, 0)
	}
	return Number(x, 1)
}
