package cli

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/groundwork-org/groundwork/reports/browsertest"
)

// scaffoldAtlanta runs a new user's first hour on a real place: `groundwork
// init --state Georgia --county Fulton` and then `groundwork run` of the
// scaffolded pipeline file, unedited, against the fake Census API and
// boundary host (fakeCensusForAtlanta: the recorded ACS 2014-2018 table of
// testdata/atlanta and the Bureau's Georgia tract zip). It returns the
// report's path. With GROUNDWORK_SHOTS set it copies the output folder
// there (scaffold-atlanta/), to look at.
func scaffoldAtlanta(t *testing.T) string {
	t.Helper()
	const key = "test-key-0123456789abcdef"
	t.Setenv("CENSUS_API_KEY", key)
	var data, files atomic.Int64
	srv := fakeCensusForAtlanta(t, key, &data, &files)
	cache := t.TempDir()
	dir := filepath.Join(t.TempDir(), "atl")
	api := srv.URL + "/data"
	if code, _, e := run(t, "init", "--state", "Georgia", "--county", "Fulton", "--census-api", api, "--census-cache", cache, dir); code != ExitOK {
		t.Fatalf("init: exit %d: %s", code, e)
	}
	out := filepath.Join(dir, "out")
	if code, _, e := run(t, "run", filepath.Join(dir, "pipeline.yaml"), "--out", out, "--census-api", api, "--census-files", srv.URL+"/geo/tiger", "--census-cache", cache, "--quiet"); code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, e)
	}
	if d := os.Getenv("GROUNDWORK_SHOTS"); d != "" {
		dst := filepath.Join(d, "scaffold-atlanta")
		os.RemoveAll(dst)
		if err := os.CopyFS(dst, os.DirFS(out)); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(out, "report.html")
}

// TestScaffoldFirstReportHasBrief: the report of a scaffold's first run
// leads with a brief like the demo's: a finding in plain words (the title is
// a sentence with figures, not the place's name), a lead, headline figures
// with their margins in words, what to do next (the list of the
// highest-need tracts with its files) and who decides; and none of its
// words come from another place (the Oakland demo's schools, hills and
// flatlands).
func TestScaffoldFirstReportHasBrief(t *testing.T) {
	b, err := os.ReadFile(scaffoldAtlanta(t))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	i, j := strings.Index(page, `<header class="brief"`), strings.Index(page, "</header>")
	if i < 0 || j < i {
		t.Fatal("the report has no brief header")
	}
	brief := page[i:j]
	text := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(brief, " "))
	text = strings.Join(strings.Fields(text), " ")
	h1 := regexp.MustCompile(`(?s)<h1>(.*?)</h1>`).FindStringSubmatch(brief)
	if h1 == nil {
		t.Fatalf("brief has no title:\n%s", text)
	}
	title := html.UnescapeString(h1[1])
	// the finding, not the place: it names the highest-need tracts and
	// gives figures
	if title == "Fulton County, Georgia" || !strings.Contains(title, "highest need") || !regexp.MustCompile(`\d`).MatchString(title) {
		t.Errorf("title %q does not state a finding", title)
	}
	for _, want := range []struct{ what, re string }{
		{"the place above the finding", `<p class="sub">Fulton County, Georgia</p>`},
		{"a lead sentence", `<p class="lead">[^<]{40,}</p>`},
		{"at least three headline figures", `(?s)(<li class="fig">.*){3}`},
		{"a margin of error in words", `likely between`},
		{"what to do next", `What to do next`},
		{"the list of the highest-need tracts with its files", `Tracts with the highest need index</strong> 25 tracts in the list\..*segments/highest_need_tracts\.csv`},
		{"who decides", `who decides`},
	} {
		if !regexp.MustCompile(want.re).MatchString(brief) {
			t.Errorf("brief lacks %s (%s):\n%s", want.what, want.re, text)
		}
	}
	// The figures, computed independently (Python 3, standard library) from
	// testdata/atlanta/atlanta_acs5_2018_tracts.json over the 204 Fulton
	// tracts (testdata/atlanta/PROVENANCE.md), the 25 of the run's
	// segments/highest_need_tracts.csv against the other 179: counts summed
	// per group, MOEs as the root of the summed squares, the proportion's
	// MOE by the ACS General Handbook's formula sqrt(MOEn² - p²·MOEd²)/d:
	// Black (not Hispanic) 88.9% (87.1-90.7) against 40.0%, renter-occupied
	// homes 81.1% (80.4-81.9) against 46.0%, White (not Hispanic) 4.0%
	// (3.4-4.6) against 42.7%; 76,070 of 1,021,902 people (7%); median
	// tract household income $21,288 against $70,208 (statistics.median,
	// tracts without an estimate left out).
	for _, want := range []string{
		"Black (not Hispanic): 88.9% in the 25 tracts with the highest need index against 40.0% in the other 179 tracts",
		"About 76,100 people, 7% of the 1,020,000 in all 204 tracts, live in them.",
		"88.9% Black (not Hispanic): highest-need tracts against 40.0% in the other 179 tracts likely between 87.1% and 90.7%",
		"$21,300 Median household income: median tract, highest-need tracts against $70,200 in the other 179 tracts",
		"81.1% Renter-occupied homes: highest-need tracts against 46.0% in the other 179 tracts likely between 80.4% and 81.9%",
		"4.0% White (not Hispanic): highest-need tracts against 42.7% in the other 179 tracts likely between 3.4% and 4.6%",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("brief lacks %q:\n%s", want, text)
		}
	}
	// the map under the brief can show where the need is
	if !strings.Contains(page, `<option value="1">Need index (percentile rank, 1 = most need)</option>`) {
		t.Error("the map cannot be switched to the need index")
	}
	// the demo's words, anywhere in the page; its measures (API 2000
	// scores, enrollment) and areas in the brief (the sources do name the
	// Census Data API)
	for _, w := range []string{"Oakland", "Alameda", "California", "flatlands", "school"} {
		if strings.Contains(strings.ToLower(page), strings.ToLower(w)) {
			t.Errorf("the Fulton report says %q, a word of another place", w)
		}
	}
	for _, w := range []string{"API", "enrollment", "hills", "score"} {
		if strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
			t.Errorf("the Fulton brief says %q, a word of another place:\n%s", w, text)
		}
	}
}

// TestScaffoldLayoutInBrowser checks the scaffold's first report with the
// layout rules the demo's report keeps (browsertest.CheckLayout: the brief
// above the fold on a laptop and a phone and alone on the first printed
// page, the map beside its legend, no table wider than its column, no raw
// float or code in a visible cell, no printed cell on more than three
// lines), and that no printed page starts with a blank band.
func TestScaffoldLayoutInBrowser(t *testing.T) {
	browsertest.Need(t)
	path := scaffoldAtlanta(t)
	b := browsertest.New(t)
	b.CheckLayout(t, path)
	b.Open(t, path, 1280, 800)
	pdf := b.Print(t)
	t.Logf("the scaffold's report printed on %d pages", browsertest.Pages(pdf))
	if gaps := browsertest.PageTopGaps(t, pdf); len(gaps) > 0 {
		t.Errorf("printed pages start below their top margin (a band that did not print): %s", strings.Join(gaps, "; "))
	}
	for _, p := range b.Problems {
		t.Errorf("browser: %s", p)
	}
}
