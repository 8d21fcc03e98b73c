package cli

import (
	"context"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/reports"
)

// TestMapBreaksFromThePipelineFile writes the Oakland demo out, sets
// report.map shades' breaks in its pipeline file (fisher_jenks on median
// household income, equal_interval on the renter share) and runs it. The
// legend and the caption must say the classification in words with the
// number of tracts per class; the class bounds in the legend must be
// stats.JenksBreaks / EqualIntervalBreaks of the values the run wrote to
// tracts.parquet (those functions equal mapclassify.FisherJenks and
// EqualInterval on these same 357 incomes: pipeline/stats
// TestReferenceLibraries); and the tracts the SVG draws in each class must
// be the counts the legend states. An unknown value is refused by the
// loader (exit 3) with its line, its path and a did-you-mean.
func TestMapBreaksFromThePipelineFile(t *testing.T) {
	p, yaml := demoPipelineFile(t)
	for _, r := range [][2]string{
		{"format: dollars}\n    shades:", "format: dollars, breaks: fisher_jenks}\n    shades:"},
		{"label: Renter-occupied homes (percent)}", "label: Renter-occupied homes (percent), breaks: equal_interval}"},
	} {
		if !strings.Contains(yaml, r[0]) {
			t.Fatalf("the demo's pipeline file no longer has %q", r[0])
		}
		yaml = strings.Replace(yaml, r[0], r[1], 1)
	}
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if code, _, e := run(t, "run", p, "--out", out, "--quiet"); code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, e)
	}
	rb, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	report := html.UnescapeString(string(rb))

	rec, err := store.ReadParquet(context.Background(), filepath.Join(out, "tracts.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	column := func(name string) []float64 {
		v, valid, err := table.Floats(rec, name)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for i := range v {
			if valid[i] {
				out = append(out, v[i])
			}
		}
		return out
	}
	dollars := func(x float64) string { return reports.Rounded(x, 0, "dollars") }
	percent := func(x float64) string { return reports.Rounded(x/100, 0, "percent") } // a percent indicator holds 0-100
	for _, tt := range []struct {
		name    string
		ind     int // the indicator's index on the map
		vals    []float64
		breaks  func([]float64, int) ([]float64, error)
		format  func(float64) string
		legend  string // the method words in the legend
		caption string // in the map's caption, or "" when it is not the first
		method  string // in the report's Methods
	}{
		{"fisher_jenks", 0, column("B19013_001E"), stats.JenksBreaks, dollars,
			"natural breaks (Fisher-Jenks): five classes, each grouping values that lie close together; ",
			"Tracts shaded by median household income (2018 dollars) in five natural-break classes (Fisher-Jenks: the classes with the least spread of values within them; ",
			"Shading of median household income (2018 dollars): natural breaks (Fisher-Jenks"},
		{"equal_interval", 1, column("renter_share"), stats.EqualIntervalBreaks, percent,
			"five classes of equal width, ", "",
			"Shading of renter-occupied homes (percent): classes of equal width"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.breaks(tt.vals, 5)
			if err != nil {
				t.Fatal(err)
			}
			// the tracts in each class by the map's rule, from the
			// written values: b_j < x <= b_j+1
			counts := make([]int, 5)
			for _, x := range tt.vals {
				counts[stats.ClassOf(x, b)]++
			}
			var words []string
			for _, c := range counts {
				words = append(words, reports.Number(float64(c), 0))
			}
			said := strings.Join(words[:4], ", ") + " and " + words[4] + " tracts, lowest class first"
			if tt.name == "equal_interval" {
				said = percent((b[5]-b[0])/5) + " each; " + said
			}
			if !strings.Contains(report, tt.legend+said) {
				t.Errorf("legend lacks %q", tt.legend+said)
			}
			if tt.caption != "" && !strings.Contains(report, tt.caption+said+")") {
				t.Errorf("caption lacks %q", tt.caption+said+")")
			}
			if !strings.Contains(report, tt.method) {
				t.Errorf("methods lack %q", tt.method)
			}
			// the legend's class ranges are the bounds
			for j, want := range []string{"≤ " + tt.format(b[1]), tt.format(b[1]) + "–" + tt.format(b[2]), tt.format(b[3]) + "–" + tt.format(b[4]), "> " + tt.format(b[4])} {
				if !strings.Contains(report, "</svg>"+want+"</span>") {
					t.Errorf("legend lacks class range %d %q", j, want)
				}
			}
			// the SVG shades as many tracts in each class as the legend says
			svg := report[strings.Index(report, `<g class="shapes"`):]
			svg = svg[:strings.Index(svg, "</g>")]
			for c, want := range counts {
				re := regexp.MustCompile(`<path class="[^"]*\bc` + string(rune('0'+tt.ind)) + `-` + string(rune('0'+c)) + `\b`)
				if got := len(re.FindAllString(svg, -1)); got != want {
					t.Errorf("class %d: the map draws %d tracts, the legend says %d", c, got, want)
				}
			}
		})
	}
	if strings.Contains(report, "Tracts shaded by median household income (2018 dollars) in five quantile classes") {
		t.Error("the caption still says quantile classes")
	}

	// an unknown method: refused with its line and a suggestion
	bad := strings.Replace(yaml, "breaks: fisher_jenks", "breaks: jenks", 1)
	if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, e := run(t, "run", p, "--out", out, "--quiet")
	want := `report.map.shade.breaks: unknown class breaks "jenks" (use quantile, equal_interval or fisher_jenks); did you mean "fisher_jenks"?`
	if code != ExitConfig || !strings.Contains(e, want) || !regexp.MustCompile(`line \d+: report\.map\.shade\.breaks`).MatchString(e) {
		t.Errorf("breaks: jenks: exit %d, stderr %q; want exit %d and %q with its line", code, e, ExitConfig, want)
	}
}

// demoPipelineFile writes the Oakland demo out with `groundwork init` and returns
// its pipeline file's path and text.
func demoPipelineFile(t *testing.T) (path, yaml string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "city")
	if code, _, e := run(t, "init", dir); code != ExitOK {
		t.Fatalf("init: exit %d: %s", code, e)
	}
	p := filepath.Join(dir, "pipeline.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, string(b)
}
