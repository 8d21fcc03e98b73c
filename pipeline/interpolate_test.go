package pipeline

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestInterpolateOntoNeighborhoods apportions the demo's tract population
// onto its Oakland neighborhoods from the pipeline file (interpolate:), and
// compares each neighborhood with tobler's area_interpolate on the same
// files (testdata/interpolate_tobler.json, written by
// testdata/interpolate_tobler.py with the pinned .venv). The report shows
// the table; a median is refused.
func TestInterpolateOntoNeighborhoods(t *testing.T) {
	dir := demoDir(t)
	p := filepath.Join(dir, oakland.Pipeline)
	b, _ := os.ReadFile(p)
	b = append(b, []byte(`
interpolate:
  - name: neighborhood_people
    title: People and homes by neighborhood
    onto: neighborhood
    columns: [B03002_001E, B25003_002E, B25003_003E]
`)...)
	os.WriteFile(p, b, 0o644)
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), cfg, Options{OutDir: out, NoCache: true}); err != nil {
		t.Fatal(err)
	}
	rec, err := store.ReadParquet(context.Background(), filepath.Join(out, "interpolated", "neighborhood_people.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ids, _, _ := table.Strings(rec, "id")
	pop, valid, _ := table.Floats(rec, "B03002_001E")
	moe, mvalid, _ := table.Floats(rec, "B03002_001E_moe")
	var ref struct {
		Tobler string             `json:"tobler"`
		Pop    map[string]float64 `json:"B03002_001E"`
	}
	rb, err := os.ReadFile(filepath.Join("testdata", "interpolate_tobler.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rb, &ref); err != nil || len(ref.Pop) == 0 {
		t.Fatalf("reference: %v", err)
	}
	if len(ids) != len(ref.Pop) {
		t.Errorf("%d neighborhoods, tobler %d", len(ids), len(ref.Pop))
	}
	for i, id := range ids {
		want, ok := ref.Pop[id]
		if !ok || !valid[i] {
			t.Errorf("%s: valid %v, in tobler's %v", id, valid[i], ok)
			continue
		}
		// both intersect the same polygons in EPSG:5070; different clippers
		if math.Abs(pop[i]-want) > 1e-6*math.Max(1, want) {
			t.Errorf("%s: %v people, tobler %v", id, pop[i], want)
		}
		if !mvalid[i] || moe[i] < 0 {
			t.Errorf("%s: MOE %v (valid %v)", id, moe[i], mvalid[i])
		}
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(report), "People and homes by neighborhood") || !strings.Contains(string(report), "interpolated/neighborhood_people.parquet") {
		t.Error("the report does not show the interpolation")
	}
	// a median cannot be apportioned
	os.WriteFile(p, []byte(strings.Replace(string(b), "columns: [B03002_001E, B25003_002E", "columns: [B19013_001E, B25003_002E", 1)), 0o644)
	if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), "interpolate[0].columns[0]: B19013_001E is a median or mean") {
		t.Errorf("median: err = %v", err)
	}
}
