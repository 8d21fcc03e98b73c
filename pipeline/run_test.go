package pipeline

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// demoDir writes the embedded Oakland demo to a temporary folder and returns
// it, so a test can edit a copy.
func demoDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := oakland.Files.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, _ := oakland.Files.ReadFile(e.Name())
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runDemo(t testing.TB, dir, out string) (*Result, error) {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		return nil, err
	}
	return Run(context.Background(), cfg, Options{OutDir: out})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "oakland", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pipeline -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got); if the change is intended, run go test ./pipeline -update:\n%.3000s", name, diff)
	}
}

// TestOaklandEndToEnd runs the embedded demo and compares its outputs with
// golden files; a second run must produce identical bytes (determinism).
func TestOaklandEndToEnd(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	res, err := runDemo(t, dir, out)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{
		"indicators/areas.parquet", "places/schools.parquet", "raw/acs.parquet", "raw/api2000.parquet", "raw/directory.parquet",
		"raw/terrain_lookup.parquet", "report.html", "segments/flatland_elementary_api_under_600.csv",
		"segments/flatland_elementary_api_under_600.geojson", "segments/highest_need_tracts.csv",
		"segments/highest_need_tracts.geojson", "summaries/income.parquet",
		"summaries/schools.parquet", "tracts.parquet", "unplaced/schools.csv",
	}
	var got []string
	for _, f := range res.Files {
		if !strings.HasPrefix(f, "exports/") {
			got = append(got, f)
		}
	}
	if diff := cmp.Diff(wantFiles, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	// every outreach profile is written for each contact segment
	for _, profile := range []string{"callhub", "actionnetwork", "everyaction", "nationbuilder", "mobilize", "generic"} {
		for _, seg := range []string{"flatlands", "highest-need"} {
			f := filepath.Join("exports", profile, seg+".csv")
			if !slices.Contains(res.Files, f) {
				t.Errorf("no export %s", f)
			}
		}
	}
	for _, f := range []string{"report.html", "segments/flatland_elementary_api_under_600.csv", "segments/flatland_elementary_api_under_600.geojson", "segments/highest_need_tracts.csv", "unplaced/schools.csv", "exports/callhub/flatlands.csv", "exports/everyaction/flatlands.csv", "exports/outreach-summary.json",
		// the follow-up loop of the demo's sign-up export and sign-in sheet, and who was left out of which export
		"exports/followup/e1-tenant-meeting/reminder-texts.csv", "exports/followup/e1-tenant-meeting/confirmation-calls.csv",
		"exports/followup/e1-tenant-meeting/no-show-followup.csv", "exports/followup/e2-listening-session/confirmation-calls.csv",
		"exports/followup/matches.csv", "exports/decisions.csv"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, strings.ReplaceAll(f, "/", "_"), b)
	}
	first, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if _, err := runDemo(t, dir, out); err != nil {
		t.Fatalf("second run into the same folder: %v", err)
	}
	second, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !bytes.Equal(first, second) {
		t.Error("report.html differs between two runs of the same input")
	}
	// the report makes no network requests: no external URLs in src/href
	if m := regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).Find(first); m != nil {
		t.Errorf("report refers to an external resource: %s", m)
	}
	if len(first) > 1500*1024 {
		t.Errorf("report is %d bytes, over the 1.5 MB budget", len(first))
	}
	if left := beside(t, out, true); len(left) > 0 {
		t.Errorf("beside the output folder: %v; want only the output, its version, the previous version and the cache (no staging left)", left)
	}
}
