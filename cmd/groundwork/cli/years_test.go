package cli

import (
	"context"
	"html"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestRunYearsThroughTheWholeRun runs the Oakland demo with one more census
// source pulled for two years, `years: [2012, 2018]`, through `groundwork
// run` against a fake Census Data API that answers each year from a real
// recording: 2012 from pipeline/testdata/years (ACS 2008-2012 median gross
// rent and home value of Alameda County's tracts, re-assembled from the
// Urban Displacement Project's file; its PROVENANCE.md), 2018 from the
// demo's ACS 2014-2018 recording. The report must show the changes between
// the years: 236 tracts with a significant rise in rent and 1 with a
// significant fall, the counts TestYearChangesRealRentValue recomputes from
// the raw JSON with the handbook's Z; the raw layer must carry the 2012
// estimates beside the 2018 ones.
//
// There is no recorded 2012 metadata (variables.json), so the fake answers
// the 2012 label check with the hand-written 2018 excerpt: the labels agree
// and no label change is reported. Label-change detection itself is
// tested on the 2018 and 2019 excerpts (pipeline/census).
func TestRunYearsThroughTheWholeRun(t *testing.T) {
	const key = "test-key-0123456789abcdef"
	t.Setenv("CENSUS_API_KEY", key)
	var data, files atomic.Int64
	srv := fakeCensus(t, key, map[string]string{
		"2012": filepath.Join(repo, "pipeline", "testdata", "years", "alameda_acs5_2012_udp_rent_value.json"),
		"2018": filepath.Join(repo, "pipeline", "demo", "oakland", "alameda_acs5_2018_tracts.json"),
	}, nil, &data, &files)
	p, demo := demoPipelineFile(t)
	const rents = `sources:
  rents:
    kind: census
    title: "Rents and home values, ACS 2008-2012 and 2014-2018"
    dataset: acs/acs5
    years: [2012, 2018]
    for: "tract:*"
    in: "state:06 county:001"
    variables: [B25064_001E, B25064_001M, B25077_001E, B25077_001M]
`
	yaml := strings.Replace(demo, "sources:\n", rents, 1)
	if yaml == demo {
		t.Fatal("the demo's pipeline file has no sources: line")
	}
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	code, _, e := run(t, "run", p, "--out", out, "--census-api", srv.URL+"/data", "--census-cache", t.TempDir(), "--quiet")
	if code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, e)
	}
	if data.Load() != 2 {
		t.Errorf("%d table requests, want 2 (one per year)", data.Load())
	}
	rb, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	report := html.UnescapeString(string(rb))
	for _, want := range []string{
		"Changes between years: Rents and home values, ACS 2008-2012 and 2014-2018",
		"B25064_001E, 2012 to 2018: a statistically significant rise in 236 tracts and a significant fall in 1;",
		"B25077_001E, 2012 to 2018: a statistically significant rise in",
		"significant at the 90% confidence level",
		"not adjusted for inflation",
		"(Census Data API 2012, 2018/acs/acs5, 361 rows)", // the sources list says where the rows came from
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	rec, err := store.ReadParquet(context.Background(), filepath.Join(out, "raw", "rents.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ids, _, err := table.Strings(rec, table.GEOID)
	if err != nil {
		t.Fatal(err)
	}
	rent12, valid, err := table.Floats(rec, "B25064_001E_2012")
	if err != nil {
		t.Fatalf("raw/rents.parquet: %v", err)
	}
	found := false
	for i, id := range ids {
		if id == "06001441501" {
			found = true
			if !valid[i] || rent12[i] != 1982 {
				t.Errorf("tract 06001441501: 2012 rent %v (valid %v), want 1982 (UDP mrent_12)", rent12[i], valid[i])
			}
		}
	}
	if !found {
		t.Error("raw/rents.parquet has no tract 06001441501")
	}
}
