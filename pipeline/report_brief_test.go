package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

// visibleText is the report's text with tags dropped and entities
// decoded, whitespace collapsed: what a reader reads.
func visibleText(page string) string {
	page = regexp.MustCompile(`(?s)<(script|style|svg)\b.*?</(script|style|svg)>`).ReplaceAllString(page, " ")
	page = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(page, " ")
	return strings.Join(strings.Fields(html.UnescapeString(page)), " ")
}

// TestDemoBriefAndWhoDecides runs the Oakland demo and reads what an
// organizer reads (issue 15): the finding as the title and in the lead,
// computed from the data; the headline figures with their comparison, the
// margin in words and a reliability word; what to do next with links to
// the exported files; who decides (the FIXTURE seat list on the real city
// boundary) with the count of schools, tracts and contacts per seat; the
// seat column in the segment and outreach exports; labels instead of
// codes in the segment tables; turnout shares that add up; concerns by
// area apart from other placements.
func TestDemoBriefAndWhoDecides(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, demoDir(t), out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	text := visibleText(page)
	for _, want := range []string{
		// the finding, from the summary: 331 / 194.5 = 1.70; 507 - 857.5 = -350.5
		"<h1>The median elementary school in the flatlands has 1.7 times the enrollment in tested grades and scores 350 points lower than in the hills</h1>",
		"Elementary schools in the flatlands are bigger and score lower than in the hills, whose median tract has 2.9 times the median household income.",
		// headline figures
		"1.7 times Enrollment in tested grades: median elementary school, flatlands 331 against 194.5 in the hills",
		"350 points lower API 2000 score: median elementary school, flatlands 507 against 857.5 in the hills",
		"Renter-occupied homes: flatlands against 18.5% in the hills likely between",
		// what to do next, with the files
		"What to do next",
		"Contact people in the flatlands 10 contacts to export; 8 turfs to walk, with a walk list each.",
		"Follow up Reminders and confirmations before each event; 1 no-show to call back after.",
		"Take it to who decides Oakland City Council, at-large seat: Oakland.",
		// who decides: every school the map draws is in the city
		"Which seats cover each area and list",
		"flatlands Oakland FIXTURE Holder (made up) 33 of 33 schools",
		"Oakland tracts with the highest need index Oakland FIXTURE Holder (made up) 20 of 20 tracts",
		"Contacts: people in the flatlands Oakland FIXTURE Holder (made up) 10 of 10 contacts",
		"The exported lists have a column city_seat with each record's seat.",
		// the need index, a percentile rank, diverges around the median tract
		"browns below 0.5, blue-greens above",
		"#map.show-2 .c2-0{fill:#a6611a}",
		// How sure, in plain words
		"How sure are these numbers?",
		"use with caution",
		"too uncertain to use",
		// labels, not codes
		"# School CDS code Tract Neighborhood Terrain Enrollment in tested grades Students tested API 2000 score Seat: Oakland City Council, at-large seat",
		"# Tract Neighborhood Terrain Need index (percentile rank, 1 = most need) Median household income Renter-occupied homes",
		"$32,145 about 78%, likely between 68% and 88%",
		// turnout: 3 confirmed and came + 2 walk-ins = 5 attended
		"Confirmed and came Share of confirmed who came Confirmed, did not come Came without confirming",
		"flatlands 5 3 3 100% 0 2",
		// concerns by terrain only; other placements apart
		"Top concerns by terrain",
		"Responses not in a terrain area: where they were placed Placed by Respondents Top concerns (share of respondents) ZIP 94621",
	} {
		if !strings.Contains(page, want) && !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// a decision layer is declared: the step that asks for one is not shown
	if strings.Contains(text, "Find out who decides") {
		t.Error(`the report asks to "Find out who decides" although the pipeline declares a decision layer`)
	}
	for _, link := range []string{`href="exports/callhub/flatlands.csv"`, `href="exports/turfs/flatlands.geojson"`, `href="exports/walklists/flatlands/"`, `href="segments/highest_need_tracts.csv"`, `href="#d-city"`, `href="exports/followup/e1-tenant-meeting/no-show-followup.csv"`} {
		if !strings.Contains(page, link) {
			t.Errorf("report lacks the link %s", link)
		}
	}
	// no variable code or raw float in the tables
	tables := strings.Join(regexp.MustCompile(`(?s)<table.*?</table>`).FindAllString(page, -1), "")
	if m := regexp.MustCompile(`B\d{5}_\d{3}[EM]|renter_share|api00|\d\.\d{4,}`).FindString(visibleText(tables)); m != "" {
		t.Errorf("a table shows %q", m)
	}
	// the exports carry the seat
	for _, f := range []string{"segments/highest_need_tracts.csv", "segments/flatland_elementary_api_under_600.csv", "exports/callhub/flatlands.csv", "exports/generic/highest-need.csv", "exports/followup/e1-tenant-meeting/no-show-followup.csv"} {
		fh, err := os.Open(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.Index(rows[0], "city_seat")
		if i < 0 {
			t.Errorf("%s has no city_seat column: %v", f, rows[0])
			continue
		}
		addr := slices.Index(rows[0], "address")
		for _, r := range rows[1:] {
			if addr >= 0 && r[addr] == "" && r[i] == "" {
				continue // placed by ZIP only (Fixture Person 013): no seat, said as empty
			}
			if r[i] != "Oakland" {
				t.Errorf("%s: a row's city_seat is %q; want Oakland (every placed record of the demo is in the city)", f, r[i])
				break
			}
		}
	}
}

// TestBadSeatList runs the demo with seat lists that are wrong: the run
// fails with the file, the line and what to fix, and writes no report.
func TestBadSeatList(t *testing.T) {
	for _, tt := range []struct {
		name, csv, want string
	}{
		{"seat not in the boundary", "seat,name\nOakland,x\nBerkeley,y\n", `fixture_seats_oakland_city.csv: seat "Berkeley" is not a feature of boundary city (its NAME values are Oakland)`},
		{"no seat column", "district,name\nOakland,x\n", `fixture_seats_oakland_city.csv:1: no "seat" column`},
		{"listed twice", "seat\nOakland\nOakland\n", `fixture_seats_oakland_city.csv:3: column "seat": seat "Oakland" is listed twice (first on line 2)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := demoDir(t)
			if err := os.WriteFile(filepath.Join(dir, "fixture_seats_oakland_city.csv"), []byte(tt.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			_, err := runDemo(t, dir, out)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "boundaries.city.decides.seats") {
				t.Fatalf("err = %v; want it to say %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(out, "report.html")); err == nil {
				t.Error("a report was written despite the error")
			}
		})
	}
}

// TestCensusLabelsInReport pulls the demo's tracts from the fake Census
// API (serving the recorded variables.json) with a segment column no file
// labels: the report names it with the Bureau's label, not its code.
func TestCensusLabelsInReport(t *testing.T) {
	const key = "test-key-0123456789abcdef"
	hits := 0
	srv := fakeCensus(t, key, &hits)
	defer srv.Close()
	dir := demoDir(t)
	p := filepath.Join(dir, oakland.Pipeline)
	b, _ := os.ReadFile(p)
	b = bytes.Replace(b, []byte("    recorded: alameda_acs5_2018_tracts.json\n"), nil, 1)
	b = bytes.Replace(b, []byte("renter_share_reliability, bachelors_share, pre1950_share]"), []byte("renter_share_reliability, bachelors_share, pre1950_share, B25003_003E]"), 1)
	os.WriteFile(p, b, 0o644)
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "CENSUS_API_KEY" {
			return key
		}
		return ""
	}
	out := filepath.Join(t.TempDir(), "out")
	co := CensusOptions{Client: census.Config{BaseURL: srv.URL + "/data", CacheDir: t.TempDir()}, Getenv: env}
	if _, err := Run(context.Background(), cfg, Options{OutDir: out, Census: co, NoCache: true}); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(out, "report.html"))
	// variables.json: "Estimate!!Total!!Renter occupied"
	if !bytes.Contains(page, []byte(`<th scope="col" class="n">Total: Renter occupied</th>`)) || bytes.Contains(page, []byte(`>B25003_003E<`)) {
		t.Error("the segment's B25003_003E column is not headed with its variables.json label")
	}
}
