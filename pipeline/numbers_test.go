package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
