package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// repo is the repository root, from this package's folder.
var repo = filepath.Join("..", "..", "..")

// fakeCensusForAtlanta is a fake Census Data API and boundary file host on
// one httptest server, under the real URL layouts (fakeCensus):
//
//   - /data/2018/acs/acs5?get=...&for=tract:*&in=state:13 county:121: the
//     real ACS 2014-2018 table of testdata/atlanta cut to the requested
//     columns and county. A requested variable the recording lacks (it has
//     no B19013_001M and no B15003 MOEs) is answered with JSON null, so the
//     run marks it "no value in the API response";
//   - ...?get=NAME&for=county:*&in=state:13: the counties of the recording,
//     named from its own NAME column ("DeKalb County", "Fulton County"); the
//     real API lists all 159 Georgia counties;
//   - /geo/tiger/GENZ2018/shp/cb_2018_13_tract_500k.zip: the Bureau's real,
//     unmodified Georgia tract zip.
func fakeCensusForAtlanta(t *testing.T, key string, data, files *atomic.Int64) *httptest.Server {
	t.Helper()
	return fakeCensus(t, key, map[string]string{"2018": filepath.Join(repo, "testdata", "atlanta", "atlanta_acs5_2018_tracts.json")},
		map[string]string{"/geo/tiger/GENZ2018/shp/cb_2018_13_tract_500k.zip": filepath.Join(repo, "testdata", "atlanta", "cb_2018_13_tract_500k.zip")}, data, files)
}

// fakeCensus is a fake Census Data API and boundary file host on one
// httptest server, under the real URL layouts:
//
//   - /data/{year}/acs/acs5/{variables,groups,geography}.json: the metadata
//     fixtures of pipeline/census/testdata/fakeapi/2018 (hand-written
//     excerpts; see their PROVENANCE.md), for any year asked;
//   - /data/{year}/acs/acs5?get=...&for=tract:*&in=...: the recording of
//     that year (recordings: year -> a saved response, array of arrays) cut
//     to the requested columns and county; a requested variable the
//     recording lacks is answered with JSON null; a year without a recording
//     is a 404;
//   - ...?get=NAME&for=county:*: the counties of the recording, named from
//     its own NAME column;
//   - /geo/tiger/...: the files of zips (URL path -> file), else a 404.
//
// Requests without the key are refused as the real API refuses them. data
// and files count the table and boundary requests.
func fakeCensus(t *testing.T, key string, recordings, zips map[string]string, data, files *atomic.Int64) *httptest.Server {
	t.Helper()
	type recording struct {
		all [][]*string
		col map[string]int
	}
	recs := map[string]recording{}
	for year, file := range recordings {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var r recording
		if err := json.Unmarshal(b, &r.all); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		r.col = map[string]int{}
		for i, h := range r.all[0] {
			r.col[*h] = i
		}
		recs[year] = r
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/geo/tiger/") {
			files.Add(1)
			zip, ok := zips[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			http.ServeFile(w, r, zip)
			return
		}
		if r.URL.Query().Get("key") != key {
			http.Redirect(w, r, "/missing_key.html", http.StatusFound)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".json") {
			parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/data/"), "/", 2)
			http.ServeFile(w, r, filepath.Join(repo, "pipeline", "census", "testdata", "fakeapi", "2018", parts[1]))
			return
		}
		data.Add(1)
		rec, ok := recs[strings.SplitN(strings.TrimPrefix(r.URL.Path, "/data/"), "/", 2)[0]]
		if !ok {
			http.NotFound(w, r)
			return
		}
		all, col := rec.all, rec.col
		q := r.URL.Query()
		get := strings.Split(q.Get("get"), ",")
		in := strings.Fields(q.Get("in"))
		county := ""
		for _, c := range in {
			if v, ok := strings.CutPrefix(c, "county:"); ok {
				county = v
			}
		}
		var out [][]*string
		str := func(s string) *string { return &s }
		if q.Get("for") == "county:*" {
			out = append(out, []*string{str("NAME"), str("state"), str("county")})
			seen := map[string]bool{}
			for _, row := range all[1:] {
				c := *row[col["county"]]
				if !seen[c] {
					seen[c] = true
					name := strings.SplitN(*row[col["NAME"]], ", ", 2)[1]
					out = append(out, []*string{str(name), row[col["state"]], str(c)})
				}
			}
			json.NewEncoder(w).Encode(out)
			return
		}
		var head []string
		for _, g := range get {
			if t, ok := strings.CutPrefix(g, "group("); ok {
				// a whole table: every cell of the recording in it, as the
				// API sends a group's estimates and MOEs
				t = strings.TrimSuffix(t, ")") + "_"
				for _, h := range all[0] {
					if strings.HasPrefix(*h, t) {
						head = append(head, *h)
					}
				}
				continue
			}
			head = append(head, g)
		}
		head = append(head, "state", "county", "tract")
		var hdr []*string
		for _, h := range head {
			hdr = append(hdr, str(h))
		}
		out = append(out, hdr)
		for _, row := range all[1:] {
			if county != "" && county != "*" && *row[col["county"]] != county {
				continue
			}
			var o []*string
			for _, h := range head {
				if i, ok := col[h]; ok {
					o = append(o, row[i])
				} else {
					o = append(o, nil)
				}
			}
			out = append(out, o)
		}
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestInitStateThenRunAtlanta is the first hour for a new place: `groundwork
// init --state Georgia --county Fulton` and `groundwork run` against the
// fake Census API and boundary host, with nothing downloaded by hand, then
// the same run with --offline and the servers gone.
func TestInitStateThenRunAtlanta(t *testing.T) {
	const key = "test-key-0123456789abcdef"
	t.Setenv("CENSUS_API_KEY", key)
	var data, files atomic.Int64
	srv := fakeCensusForAtlanta(t, key, &data, &files)
	cache := t.TempDir()
	dir := filepath.Join(t.TempDir(), "atl")
	api := srv.URL + "/data"
	code, stdout, e := run(t, "init", "--state", "Georgia", "--county", "Fulton", "--year", "2018", "--census-api", api, "--census-cache", cache, dir)
	if code != ExitOK {
		t.Fatalf("init: exit %d: %s", code, e)
	}
	p := filepath.Join(dir, "pipeline.yaml")
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), `in: "state:13 county:121"`) || !strings.Contains(string(b), `census: {layer: tract, year: 2018, state: "13", county: "121"}`) || !strings.Contains(string(b), "Fulton County, Georgia") {
		t.Fatalf("scaffold:\n%s", b)
	}
	if !strings.Contains(stdout, "Set CENSUS_API_KEY, then: groundwork run") {
		t.Errorf("init said %q", stdout)
	}
	// a whole-table pull instead of the four B25003 cells
	b = []byte(strings.Replace(string(b), "B25003_002E, B25003_002M, B25003_003E, B25003_003M", "group(B25003)", 1))
	if !strings.Contains(string(b), "group(B25003)") {
		t.Fatal("the scaffold no longer lists the B25003 cells")
	}
	os.WriteFile(p, b, 0o644)
	out := filepath.Join(dir, "out")
	args := []string{"run", p, "--out", out, "--census-api", api, "--census-files", srv.URL + "/geo/tiger", "--census-cache", cache, "--quiet"}
	if code, _, e := run(t, args...); code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, e)
	}
	if data.Load() == 0 || files.Load() != 1 {
		t.Errorf("%d data requests, %d boundary downloads; want some and 1", data.Load(), files.Load())
	}
	report, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	// the segment shows renter_share with its margin of error in words (issue 15), not a renter_share_moe column
	for _, want := range []string{"Fulton County, Georgia", "Tracts with the highest need index", "likely between", "cb_2018_13_tract_500k.zip", "Index of dissimilarity"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// the whole-table pull brought every B25003 cell, and the renter share
	// is computed from them
	rec, err := store.ReadParquet(context.Background(), filepath.Join(out, "tracts.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	for _, c := range []string{"B25003_002E", "B25003_002M", "B25003_003E", "B25003_003M"} { // the recording has no B25003_001
		if !table.Has(rec, c) {
			t.Errorf("tracts.parquet has no %s from group(B25003)", c)
		}
	}
	_, valid, err := table.Floats(rec, "renter_share")
	n := 0
	for _, v := range valid {
		if v {
			n++
		}
	}
	if err != nil || n < 200 { // 204 Fulton tracts, one (9800) without homes
		t.Errorf("renter_share valid in %d tracts (%v); want at least 200", n, err)
	}
	// 204 Fulton tracts (testdata/atlanta/PROVENANCE.md)
	if !strings.Contains(string(report), "204 tracts") {
		t.Errorf("report does not count the 204 Fulton tracts")
	}
	srv.Close()
	if code, _, e := run(t, append(args, "--offline")...); code != ExitOK {
		t.Fatalf("offline rerun: exit %d: %s", code, e)
	}
	again, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if string(again) != string(report) {
		t.Error("the offline rerun wrote another report")
	}
}

// TestHelpGoesToStdout: asking for help is not an error, so the help goes to
// stdout (and `groundwork run --help | less` works); a bad flag still
// prints the usage to stderr.
func TestHelpGoesToStdout(t *testing.T) {
	for _, args := range [][]string{{"run", "--help"}, {"init", "-h"}, {"vars", "--help"}, {"plan", "--help"}, {"bench", "--help"}, {"bench-scale", "--help"}, {"job", "--help"}, {"report", "--help"}, {"help", "run"}, {"help"}} {
		code, stdout, stderr := run(t, args...)
		if code != ExitOK || !strings.Contains(stdout, "sage") || stderr != "" {
			t.Errorf("%v: exit %d, stdout %.60q, stderr %.60q; want the help on stdout", args, code, stdout, stderr)
		}
	}
	if code, stdout, stderr := run(t, "run", "--bogus"); code != ExitUsage || stdout != "" || !strings.Contains(stderr, "Usage: groundwork run") {
		t.Errorf("bad flag: exit %d, stdout %q, stderr %.80q", code, stdout, stderr)
	}
}

// TestBenchJoinSkipsMissingData: with a --data folder that holds neither
// file and run outside the repository root, every workload is skipped with
// a message and the command fails saying what to do.
func TestBenchJoinSkipsMissingData(t *testing.T) {
	code, stdout, stderr := run(t, "bench", "join", "--data", t.TempDir(), "--points", "1000")
	if code != ExitFailure || !strings.Contains(stdout, "skipped workload alameda-1M") || !strings.Contains(stdout, "skipped workload ohio-10M") || !strings.Contains(stderr, "no workload has its data") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestVarsSearchOneHint: on a fresh machine (empty cache) the search says
// one thing to do, not two that contradict each other.
func TestVarsSearchOneHint(t *testing.T) {
	code, _, stderr := run(t, "vars", "search", "median", "income", "--year", "2018", "--census-cache", t.TempDir())
	if code != ExitFailure || !strings.Contains(stderr, "--online` once with CENSUS_API_KEY set") || strings.Contains(stderr, "without --offline") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
