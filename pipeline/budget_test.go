package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/result"
)

// TestReportBudgetManyUnplaced runs a pipeline whose 40,000 points (MADE UP
// in the test, seeded PCG) mostly fall outside the real Alameda tracts, and
// checks that report.html stays under its 3 MB budget: it shows counts by
// reason and a bounded sample, links to unplaced/pts.csv, and that file
// lists every unplaced record. Listing all 36,000 inline made a 4 MB report
// (at 3M points, 208 MB).
func TestReportBudgetManyUnplaced(t *testing.T) {
	dir := t.TempDir()
	tracts, err := os.ReadFile(filepath.Join("demo", "oakland", "alameda_tracts_2010.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tracts.geojson"), tracts, 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(14, 3))
	var b strings.Builder
	b.WriteString("id,name,lat,lon\n")
	const n, outside = 40000, 36000
	for i := range n {
		lat, lon := 37.7+rng.Float64()*0.1, -122.25+rng.Float64()*0.05 // Oakland
		if i < outside {
			lon += 5 // Nevada: outside every tract
		}
		fmt.Fprintf(&b, "P%06d,Made-up person %d,%.6f,%.6f\n", i, i, lat, lon)
	}
	if err := os.WriteFile(filepath.Join(dir, "points_made_up.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := `name: "Report budget (made-up points)"
sources:
  points:
    kind: csv
    file: points_made_up.csv
    columns: [{id: string}, {name: string}, {lat: float}, {lon: float}]
boundaries:
  tract: {file: tracts.geojson, id: GEOID}
places:
  pts: {source: points, id: id, name: name, lat: lat, lon: lon}
report:
  title: "Report budget (made-up points)"
`
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if _, err := Run(context.Background(), cfg, Options{OutDir: out, NoCache: true}); err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if len(report) > 3_000_000 {
		t.Errorf("report.html is %d bytes, over the 3 MB budget", len(report))
	}
	html := string(report)
	csv, err := os.ReadFile(filepath.Join(out, "unplaced", "pts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// The Nevada points, and the Oakland ones that fall in the bay.
	unplaced := strings.Count(string(csv), "\n") - 1
	if unplaced < outside || unplaced > n {
		t.Fatalf("unplaced/pts.csv lists %d records, want at least the %d outside", unplaced, outside)
	}
	for _, want := range []string{
		fmt.Sprintf("The first %d by ID are listed; all %d are in <a href=\"unplaced/pts.csv\">unplaced/pts.csv</a>.", result.MaxUnplacedSample, unplaced),
		fmt.Sprintf("<li>its location is outside every boundary: %d</li>", unplaced),
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if rows := strings.Count(html, `<td data-label="Why">`); rows != result.MaxUnplacedSample {
		t.Errorf("report lists %d unplaced records, want the sample of %d", rows, result.MaxUnplacedSample)
	}
}
