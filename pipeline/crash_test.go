package pipeline

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/config"
)

// TestStagePanicIsACleanError makes a stage crash (a nil pointer
// dereference, as a bug would) on a rerun into an earlier run's folder: the
// run returns an error that names the stage, wraps ErrInternal and asks for
// a bug report without a stack trace in it; the stack is in the debug log;
// the earlier outputs are byte for byte as they were and no staging folder
// is left behind.
func TestStagePanicIsACleanError(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	var log bytes.Buffer
	_, err := runOpts(t, dir, Options{
		OutDir: out, NoCache: true,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		inStage: func(name string) {
			if name == "summary:schools" {
				var a *config.Area
				_ = a.Boundary // the crash
			}
		},
	})
	if err == nil {
		t.Fatal("the run succeeded; want the stage's crash as an error")
	}
	if !errors.Is(err, ErrInternal) {
		t.Errorf("error %q does not wrap ErrInternal", err)
	}
	msg := err.Error()
	for _, want := range []string{"summary:schools: ", "nil pointer dereference", "bug in groundwork", bugURL, "--debug"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "goroutine") {
		t.Errorf("the error shows the stack to the user: %q", msg)
	}
	if !strings.Contains(log.String(), "stage panicked") || !strings.Contains(log.String(), "goroutine") {
		t.Errorf("no stack in the debug log:\n%.2000s", log.String())
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("the failed run changed the earlier outputs (-before +after):\n%.2000s", diff)
	}
	if left := beside(t, out, false); len(left) > 0 {
		t.Errorf("the failed run left %v beside the output folder", left)
	}
}

// TestContactsWithoutArea runs the demo with contacts.area left out, which
// the pipeline file allows: contacts are then placed in their tracts only.
// The outreach stage used to dereference the missing area and crash the
// whole run (SIGSEGV); a user expects the contact list to export all the
// same, by tract segments, so the run must succeed and write the exports.
func TestContactsWithoutArea(t *testing.T) {
	dir := demoDir(t)
	editFile(t, dir, "pipeline.yaml", "  tracts: tract\n  area: terrain\n", "  tracts: tract\n")
	// a contact segment by area needs the area: keep the tract segment
	editFile(t, dir, "pipeline.yaml", "    - {name: flatlands, area: terrain, value: flatlands}\n", "")
	out := filepath.Join(t.TempDir(), "out")
	res, err := runOpts(t, dir, Options{OutDir: out})
	if err != nil {
		t.Fatalf("run without contacts.area: %v", err)
	}
	for _, profile := range []string{"callhub", "actionnetwork", "everyaction", "nationbuilder", "mobilize", "generic"} {
		f := filepath.Join("exports", profile, "highest-need.csv")
		if !slices.Contains(res.Files, f) {
			t.Errorf("no export %s", f)
		}
	}
	o := res.state.outreach
	if o == nil || o.Contacts.Kept == 0 {
		t.Fatalf("outreach result %+v: no contact kept", o)
	}
	exported := 0
	for _, r := range o.Export.Rows {
		exported += r.Exported
	}
	if exported == 0 {
		t.Error("no contact exported to any profile")
	}
	report, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(report, []byte("Outreach lists")) {
		t.Error("the report has no outreach section")
	}
}

// TestNoIndicatorsSection runs a pipeline file with a shaded map and no
// indicators section (the shape bench-scale generates): the report stage used
// to dereference the missing section and crash.
func TestNoIndicatorsSection(t *testing.T) {
	dir := demoDir(t)
	yaml := `name: "Alameda County tracts, no indicators"
sources:
  acs:
    kind: census
    title: "ACS 2014-2018 5-year estimates, Alameda County tracts"
    dataset: acs/acs5
    year: 2018
    for: "tract:*"
    in: "state:06 county:001"
    variables: [NAME, B19013_001E, B25064_001E, B25064_001M]
    recorded: alameda_acs5_2018_tracts.json
boundaries:
  tract:
    title: "Census tracts 2010"
    file: alameda_tracts_2010.geojson
    id: GEOID
tracts:
  source: acs
  boundary: tract
report:
  title: "Alameda County: median gross rent"
  map:
    shade: {column: B25064_001E, label: Median gross rent, format: dollars}
`
	if err := os.WriteFile(filepath.Join(dir, oakland.Pipeline), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runOpts(t, dir, Options{OutDir: out}); err != nil {
		t.Fatalf("run without an indicators section: %v", err)
	}
	report, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(report, []byte("Median gross rent")) {
		t.Error("the report does not show the shaded map's label")
	}
}
