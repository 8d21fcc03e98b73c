package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/reports"
)

// atlantaDir is the second real place of the tests: Fulton and DeKalb
// counties, Georgia (../testdata/atlanta/PROVENANCE.md).
var atlantaDir = filepath.Join("..", "testdata", "atlanta")

// fakeBoundaryServer serves the Census Bureau's boundary zips the tests
// have, unmodified, under the Bureau's URL layout (/geo/tiger/GENZ2018/shp/
// ...), and counts the requests. Any other path is a 404, as on the real
// host.
func fakeBoundaryServer(t testing.TB, hits *atomic.Int64) *httptest.Server {
	t.Helper()
	files := map[string]string{
		// The subset of the national relationship file stands in for it
		// (the tests use only the tracts of these counties).
		"/geo/docs/maps-data/data/rel2020/tract/tab20_tract20_tract10_natl.txt": filepath.Join(atlantaDir, "tab20_tract20_tract10_subset.txt"),
		"/geo/tiger/GENZ2018/shp/cb_2018_13_tract_500k.zip":                     filepath.Join(atlantaDir, "cb_2018_13_tract_500k.zip"),
		"/geo/tiger/GENZ2018/shp/cb_2018_39_tract_500k.zip":                     filepath.Join("..", "geo", "testdata", "cb_2018_39_tract_500k.zip"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		p, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, p)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// copyDir copies the regular files of dir into a new temporary folder.
func copyDir(t testing.TB, dir string, skip ...string) string {
	t.Helper()
	out := t.TempDir()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".zip") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func goldenIn(t *testing.T, dir, name string, got []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
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

// TestAtlantaEndToEnd runs the Atlanta pipeline: its tract boundary is named
// by Census layer, fetched from the fake Bureau server into the cache, and
// the second run is offline with the server gone. Outputs are compared with
// their own goldens (../testdata/atlanta/golden).
func TestAtlantaEndToEnd(t *testing.T) {
	var hits atomic.Int64
	srv := fakeBoundaryServer(t, &hits)
	dir := copyDir(t, atlantaDir)
	cfg, err := config.Load(filepath.Join(dir, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	co := CensusOptions{Client: census.Config{CacheDir: cache},
		Boundaries: census.FilesConfig{HTTP: srv.Client(), BaseURL: srv.URL + "/geo/tiger"}}
	out := filepath.Join(t.TempDir(), "out")
	res, err := Run(context.Background(), cfg, Options{OutDir: out, Census: co, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 {
		t.Errorf("boundary server hit %d times, want 1 (the Georgia tract zip)", hits.Load())
	}
	for _, f := range []string{"report.html", "segments/existing_stations_highest_need.csv", "segments/highest_need_tracts.csv", "unplaced/stations.csv"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatalf("%v (files: %v)", err, res.Files)
		}
		goldenIn(t, filepath.Join(atlantaDir, "golden"), strings.ReplaceAll(f, "/", "_"), b)
	}
	first, _ := os.ReadFile(filepath.Join(out, "report.html"))
	checkGenericWords(t, string(first))
	// no boundary decides: "What to do next" says who decides is not named yet, and how to name it
	if text := visibleText(string(first)); !strings.Contains(text, "Find out who decides This report does not yet name who can act on it") || !strings.Contains(text, "(decides: on a boundary)") {
		t.Error(`the Atlanta report, with no decision layer, does not say "Find out who decides" and how`)
	}

	// --offline, the server gone: the same report from the cache
	srv.Close()
	co.Client.Offline = true
	if _, err := Run(context.Background(), cfg, Options{OutDir: out, Census: co, NoCache: true}); err != nil {
		t.Fatalf("offline rerun: %v", err)
	}
	second, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if string(first) != string(second) {
		t.Error("the offline rerun wrote another report")
	}
	// offline with an empty cache: refused, saying what to run
	co.Client.CacheDir = t.TempDir()
	_, err = Run(context.Background(), cfg, Options{OutDir: filepath.Join(t.TempDir(), "o"), Census: co, NoCache: true})
	if err == nil || !strings.Contains(err.Error(), "offline mode is on: run `groundwork run` once without --offline") {
		t.Errorf("offline with an empty cache: err = %v", err)
	}
}

// checkGenericWords is the second-place wording test: the Atlanta report's
// points are stations, not schools, and its areas are counties, not
// terrain, so no word of the Oakland demo may appear in it. Data values
// are left out of the check (MARTA has an "OAKLAND CITY STATION"; a source
// is the Center for Neighborhood Technology): only the report's own words
// are read, with the segment tables and the sources' about texts removed.
func checkGenericWords(t *testing.T, report string) {
	t.Helper()
	text := regexp.MustCompile(`(?s)<table.*?</table>|<svg.*?</svg>|<script.*?</script>|<style.*?</style>`).ReplaceAllString(report, " ")
	if i := strings.Index(text, `id="h-sources"`); i >= 0 {
		text = text[:i]
	}
	text = html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(text, " "))
	for _, w := range []string{"school", "School", "terrain", "Terrain", "neighborhood", "Neighborhood", "hills", "flatland",
		"Oakland", "city's", "enrollment", "Enrollment", "API 2000", "colour by .", "proportional to ,", "Circle area:  ", "quartiles of the schools"} {
		if i := strings.Index(text, w); i >= 0 {
			t.Errorf("the Atlanta report says %q: ...%s...", w, text[max(0, i-80):min(len(text), i+80)])
		}
	}
	if !strings.Contains(report, `placeholder="Find a tract or station"`) {
		t.Error("the search box does not name the stations")
	}
}

// TestAtlantaAgainstIndependentComputation compares the Atlanta report's
// headline figures with ../testdata/atlanta/independent.json, written by
// independent.py: GeoPandas (pyogrio reading the Bureau's zip, sjoin for
// the stations) and the standard library, none of groundwork's code.
func TestAtlantaAgainstIndependentComputation(t *testing.T) {
	var ref struct {
		Python   string         `json:"python"`
		Stations map[string]int `json:"stations"`
		Areas    map[string]struct {
			Tracts         int
			IncomeMedian   float64 `json:"income_median"`
			IncomeMin      float64 `json:"income_min"`
			IncomeMax      float64 `json:"income_max"`
			RenterShare    float64 `json:"renter_share"`
			RenterShareMOE float64 `json:"renter_share_moe"`
		} `json:"areas"`
		Unplaced int     `json:"stations_unplaced"`
		D        float64 `json:"dissimilarity_white_black"`
		H        float64 `json:"theil_h"`
		HWB      float64 `json:"theil_h_white_black"`
		Within   map[string]struct {
			D    float64 `json:"dissimilarity_white_black"`
			Gini float64 `json:"gini_white_black"`
			H    float64 `json:"theil_h_white_black"`
		} `json:"within"`
	}
	b, err := os.ReadFile(filepath.Join(atlantaDir, "independent.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ref); err != nil || ref.Python == "" || len(ref.Areas) != 2 {
		t.Fatalf("reference: %v %+v", err, ref)
	}
	var hits atomic.Int64
	srv := fakeBoundaryServer(t, &hits)
	dir := copyDir(t, atlantaDir)
	cfg, err := config.Load(filepath.Join(dir, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	co := CensusOptions{Client: census.Config{CacheDir: t.TempDir()}, Boundaries: census.FilesConfig{HTTP: srv.Client(), BaseURL: srv.URL + "/geo/tiger"}}
	if _, err := Run(context.Background(), cfg, Options{OutDir: out, Census: co, NoCache: true}); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(out, "report.html"))
	text := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(regexp.MustCompile(`(?s)<svg.*?</svg>|<script.*?</script>|<style.*?</style>`).ReplaceAllString(string(page), " "), " "))
	text = strings.Join(strings.Fields(text), " ")
	var want []string
	for k, n := range ref.Stations {
		area, buffer, _ := strings.Cut(k, "|")
		want = append(want, fmt.Sprintf("%s %s %d", area, buffer, n))
	}
	dollars := func(x float64) string { return "$" + reports.Number(x, 0) }
	for a, v := range ref.Areas {
		want = append(want, fmt.Sprintf("%s %d %s (%s–%s)", a, v.Tracts, dollars(v.IncomeMedian), dollars(v.IncomeMin), dollars(v.IncomeMax)))
		// the share in words with its likely range (issue 15), from the independent estimate and MOE
		want = append(want, reports.Interval(v.RenterShare/100, v.RenterShareMOE/100, "percent"))
	}
	// the White-Black row: D, "In words", Gini, two-group Theil's H (pair_theil)
	want = append(want, fmt.Sprintf("White and Black %.3f", ref.D), fmt.Sprintf("Other is %.3f", ref.H))
	row := fmt.Sprintf("White and Black %.3f %.0f%% of White residents would have to move to another tract for the two groups to be spread alike ", ref.D, 100*ref.D)
	if re := regexp.MustCompile(regexp.QuoteMeta(row) + `\d\.\d{3} ` + regexp.QuoteMeta(fmt.Sprintf("%.3f", ref.HWB))); !re.MatchString(text) {
		t.Errorf("the White-Black row does not show the two-group Theil's H %.3f", ref.HWB)
	}
	f, d := ref.Areas["Fulton County"], ref.Areas["DeKalb County"]
	want = append(want, fmt.Sprintf("Renter-occupied homes Fulton County vs DeKalb County %.1f", f.RenterShare-d.RenterShare),
		fmt.Sprintf("%.2f×", f.RenterShare/d.RenterShare)) // the rate ratio
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the report does not say %q (independent computation)", w)
		}
	}
	// segregation within each county: area, tracts, Theil's H, D White-Black,
	// D White-Latino, Gini White-Black, Gini White-Latino, Theil's H
	// White-Black (pair_theil)
	for a, v := range ref.Within {
		re := regexp.MustCompile(regexp.QuoteMeta(fmt.Sprintf("%s %d ", a, ref.Areas[a].Tracts)) + `\S+ ` + regexp.QuoteMeta(fmt.Sprintf("%.3f", v.D)) + ` \S+ ` + regexp.QuoteMeta(fmt.Sprintf("%.3f", v.Gini)) + ` \S+ ` + regexp.QuoteMeta(fmt.Sprintf("%.3f", v.H)))
		if !re.MatchString(text) {
			t.Errorf("the within-area row of %s does not show D %.3f, Gini %.3f and two-group Theil's H %.3f", a, v.D, v.Gini, v.H)
		}
	}
	if ref.Unplaced != 0 || strings.Contains(text, "Not on the map") {
		t.Errorf("stations off the map: reference %d", ref.Unplaced)
	}
}

// TestAtlantaCrosswalk brings the ACS 2014-2018 table (2010 tracts) onto
// 2020 tracts from the pipeline file, with the relationship file fetched
// into the cache (the subset stands in for the national file), and checks
// the raw layer: every 2010 tract's land parts sum to its land (SOURCES.md),
// so the 1,765,089 people of the 349 tracts are all still there, now on 2020
// tracts. A median in a crosswalked source is refused with the reason.
func TestAtlantaCrosswalk(t *testing.T) {
	var hits atomic.Int64
	srv := fakeBoundaryServer(t, &hits)
	dir := copyDir(t, atlantaDir)
	p := filepath.Join(dir, "pipeline.yaml")
	b, _ := os.ReadFile(p)
	extra := `
  acs_on_2020_tracts:
    kind: census
    title: "ACS 2014-2018 moved onto 2020 tracts"
    dataset: acs/acs5
    year: 2018
    for: "tract:*"
    variables: [B03002_001E, B03002_001M, B25003_002E, B25003_002M, B25003_003E, B25003_003M]
    recorded: atlanta_acs5_2018_tracts.json
    crosswalk: {to: 2020}
`
	b = []byte(strings.Replace(string(b), "\n  stations:\n", extra+"\n  stations:\n", 1))
	os.WriteFile(p, b, 0o644)
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	co := CensusOptions{Client: census.Config{CacheDir: t.TempDir()}, Boundaries: census.FilesConfig{HTTP: srv.Client(), BaseURL: srv.URL + "/geo/tiger"}}
	res, err := Run(context.Background(), cfg, Options{OutDir: out, Census: co, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.ReadParquet(context.Background(), filepath.Join(out, "raw", "acs_on_2020_tracts.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	pop, _, _ := table.Floats(rec, "B03002_001E")
	ids, _, _ := table.Strings(rec, "geoid")
	sum := 0.0
	for _, v := range pop {
		sum += v
	}
	if math.Abs(sum-1765089) > 1e-6 || !slices.Contains(ids, "13121000201") {
		t.Errorf("crosswalked population %v over %d 2020 tracts; want 1765089, with 13121000201", sum, len(ids))
	}
	noted := false
	for _, w := range res.Warnings {
		noted = noted || strings.Contains(w, "moved from 2010 tracts onto 2020 tracts")
	}
	if !noted {
		t.Errorf("no run note says the table was moved: %q", res.Warnings)
	}
	// a median cannot be moved
	b = []byte(strings.Replace(string(b), "variables: [B03002_001E, B03002_001M,", "variables: [B19013_001E, B03002_001E, B03002_001M,", 1))
	os.WriteFile(p, b, 0o644)
	if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), "sources.acs_on_2020_tracts.crosswalk: B19013_001E: a median or mean cannot be moved") {
		t.Errorf("median crosswalk: err = %v", err)
	}
}
