package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

// TestTopCodesEndToEnd runs the Oakland demo (real ACS 2014-2018 tracts)
// and checks that top-coded medians are carried into the report: the hills'
// highest median gross rent is tract 4001's 3501, which the Bureau codes
// "3,500 or more" in 2014-2018 data, and the need index names the tracts it
// ranks on a top-coded median household income (250001: "250,000 or more").
func TestTopCodesEndToEnd(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{
		"$3,500 or more)",
		"2 tract(s) were ranked on a top- or bottom-coded value of B19013_001E",
		"06001422600, 06001426100",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html does not say %q", want)
		}
	}
}

// TestTopCodedSegmentCell: a segment of hills tracts by median rent shows
// tract 4001's top-coded 3501 as "$3,500 or more" in the report's table
// (the column labelled and formatted as the pipeline file's income summary does).
func TestTopCodedSegmentCell(t *testing.T) {
	dir := demoDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	seg := "segments:\n"
	y := strings.Replace(string(b), seg, seg+`  - name: hills_rent
    title: Hills tracts by median gross rent
    of: tracts
    where: 'terrain == "hills"'
    rank: {by: B25064_001E, order: desc}
    limit: 3
    columns: [geoid, B25064_001E]
`, 1)
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out); err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(html), `<td class="n" data-label="Median gross rent">$3,500 or more</td>`) {
		t.Error("the hills_rent segment does not show tract 4001's rent as $3,500 or more")
	}
}

// TestIndicatorRulesEndToEnd: a pipeline file that sums a median is refused
// with the reason, and a proportion whose numerator exceeds its denominator
// runs with a warning.
func TestIndicatorRulesEndToEnd(t *testing.T) {
	dir := demoDir(t)
	p := filepath.Join(dir, "pipeline.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	define := "  define:\n"
	bad := strings.Replace(string(b), define, define+"    - {name: rent_plus_income, expr: \"B25064_001E + B19013_001E\"}\n", 1)
	if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = runDemo(t, dir, filepath.Join(t.TempDir(), "out"))
	if err == nil || !strings.Contains(err.Error(), "B25064_001E is a median or mean and cannot be used in a sum or difference (B25064_001E is a median (table B25064 has open-ended median codes") {
		t.Fatalf("summing a median: %v; want a refusal that says why", err)
	}
	odd := strings.Replace(string(b), define, define+"    - {name: odd_share, expr: \"B03002_001E / B03002_004E\", kind: proportion}\n", 1)
	if err := os.WriteFile(p, []byte(odd), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := runDemo(t, dir, filepath.Join(t.TempDir(), "out2"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range res.Warnings {
		found = found || strings.Contains(w, "indicator odd_share: not a proportion: the numerator B03002_001E")
	}
	if !found {
		t.Errorf("warnings %q: want the not-a-proportion warning", res.Warnings)
	}
}

// TestLiveCensusClassifies: a live pull (the fake API serving the recorded
// metadata files) classifies the tract source's variables from
// variables.json, and that classification reaches the indicators stage
// (result.Source.NotCounts, merged into the indicator options).
func TestLiveCensusClassifies(t *testing.T) {
	const key = "test-key-0123456789abcdef"
	hits := 0
	srv := fakeCensus(t, key, &hits)
	defer srv.Close()
	dir := demoDir(t)
	p := filepath.Join(dir, oakland.Pipeline)
	b, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(b, []byte("    recorded: alameda_acs5_2018_tracts.json\n"), nil, 1), 0o644)
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
	co := CensusOptions{Client: census.Config{BaseURL: srv.URL + "/data", CacheDir: t.TempDir()}, Getenv: env}
	res, err := Run(context.Background(), cfg, Options{OutDir: filepath.Join(t.TempDir(), "out"), Census: co, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	var nc map[string]string
	for _, s := range res.state.sourceInfo {
		if s.Name == "acs" {
			nc = s.NotCounts
		}
	}
	want := `B19013_001E is a median (variables.json label "Estimate!!Median household income`
	if !strings.HasPrefix(nc["B19013_001E"], want) || nc["B03002_001E"] != "" {
		t.Errorf("NotCounts = %q; want B19013_001E classified from its variables.json label, B03002_001E a count", nc)
	}
}
