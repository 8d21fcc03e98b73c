package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

// fakeCensus serves the Census Data API for the Oakland demo: metadata from
// the census package's test fixtures, and for data requests the real
// Alameda County ACS file cut to the requested columns. It refuses requests
// without the key, as the real API does since May 2026.
func fakeCensus(t *testing.T, key string, hits *int) *httptest.Server {
	t.Helper()
	return fakeCensusCut(t, key, hits, new(int))
}

// fakeCensusCut is fakeCensus whose data answers hold only the first *cut
// rows when *cut > 0: an answer cut at a row boundary, still valid JSON.
func fakeCensusCut(t *testing.T, key string, hits, cut *int) *httptest.Server {
	t.Helper()
	b, err := oakland.Files.ReadFile("alameda_acs5_2018_tracts.json")
	if err != nil {
		t.Fatal(err)
	}
	var all [][]*string
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*hits++
		if r.URL.Query().Get("key") != key {
			http.Redirect(w, r, "/missing_key.html", http.StatusFound)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".json") {
			http.ServeFile(w, r, filepath.Join("census", "testdata", "fakeapi", strings.TrimPrefix(r.URL.Path, "/data/")))
			return
		}
		want := map[string]bool{"state": true, "county": true, "tract": true}
		for _, v := range strings.Split(r.URL.Query().Get("get"), ",") {
			want[v] = true
		}
		var idx []int
		for i, h := range all[0] {
			if want[*h] {
				idx = append(idx, i)
			}
		}
		var out [][]*string
		rows := all
		if *cut > 0 {
			rows = all[:*cut+1]
		}
		for _, row := range rows {
			var r []*string
			for _, i := range idx {
				r = append(r, row[i])
			}
			out = append(out, r)
		}
		json.NewEncoder(w).Encode(out)
	}))
}

// TestLiveCensusShortAnswerRefresh: the API answers the demo's tract pull
// with the first 100 of Alameda County's 361 tracts, valid JSON cut at a row
// boundary, which the client's own checks cannot tell from a whole answer
// (so it is cached). The run fails, naming the 260 tracts of the tract
// boundary that have no row and --refresh; a rerun still fails (the stage
// cache and the response cache hold the short answer); with Refresh the
// source stage runs again, the client pulls again and the run succeeds.
func TestLiveCensusShortAnswerRefresh(t *testing.T) {
	const key = "test-key-0123456789abcdef"
	hits, cut := 0, 100
	srv := fakeCensusCut(t, key, &hits, &cut)
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
	out := filepath.Join(t.TempDir(), "out")
	opts := Options{OutDir: out, CacheDir: t.TempDir(), Census: CensusOptions{Client: census.Config{BaseURL: srv.URL + "/data", CacheDir: t.TempDir()}, Getenv: env}}
	for _, attempt := range []string{"first run", "rerun from the caches"} {
		_, err = Run(context.Background(), cfg, opts)
		for _, w := range []string{`source "acs" against boundary "tract": the response is incomplete: it has 100 row(s) and lacks 260 of the 360 land tracts the boundary has in 06001`, "run again with --refresh"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: err = %v, want it to contain %q", attempt, err, w)
			}
		}
		if !errors.Is(err, census.ErrIncomplete) {
			t.Errorf("%s: err does not wrap census.ErrIncomplete", attempt)
		}
	}
	cut = 0 // the API answers in full again
	before := hits
	if _, err := Run(context.Background(), cfg, opts); err == nil {
		t.Error("without Refresh the short answer stays cached, yet the run succeeded")
	}
	if hits != before {
		t.Errorf("without Refresh the API was called %d time(s)", hits-before)
	}
	opts.Census.Client.Refresh = true
	res, err := Run(context.Background(), cfg, opts)
	if err != nil {
		t.Fatalf("with Refresh: %v", err)
	}
	if hits == before {
		t.Error("with Refresh the API was not called")
	}
	for _, w := range res.Warnings {
		if strings.Contains(w, "have no row in acs") {
			t.Errorf("after the refresh: %s", w)
		}
	}
}

// TestLiveCensusSourceThenOffline runs the demo with its Census source
// pulled through the API client instead of the recorded file, then again
// offline from the cache, and checks that the key reaches no output or
// cache file.
func TestLiveCensusSourceThenOffline(t *testing.T) {
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
	cache := t.TempDir()
	env := func(k string) string {
		if k == "CENSUS_API_KEY" {
			return key
		}
		return ""
	}
	out := filepath.Join(t.TempDir(), "out")
	co := CensusOptions{Client: census.Config{BaseURL: srv.URL + "/data", CacheDir: cache}, Getenv: env}
	if _, err := Run(context.Background(), cfg, Options{OutDir: out, Census: co, NoCache: true}); err != nil {
		t.Fatal(err)
	}
	live, _ := os.ReadFile(filepath.Join(out, "summaries", "income.parquet"))
	if hits == 0 {
		t.Fatal("the fake API was never called")
	}
	srv.Close()
	co.Client.Offline = true
	co.Getenv = func(string) string { return "" }
	if _, err := Run(context.Background(), cfg, Options{OutDir: out, Census: co, NoCache: true}); err != nil {
		t.Fatalf("offline rerun: %v", err)
	}
	offline, _ := os.ReadFile(filepath.Join(out, "summaries", "income.parquet"))
	if !bytes.Equal(live, offline) {
		t.Error("offline rerun from the cache gave a different income summary")
	}
	golden, _ := os.ReadFile(filepath.Join("..", "testdata", "oakland", "report.html"))
	report, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(report), "Median of the tracts") || len(golden) == 0 {
		t.Error("report from the live pull lacks the income finding")
	}
	for _, root := range []string{out, cache} {
		filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			if strings.Contains(path, key) {
				t.Errorf("key in file name %s", path)
			}
			if c, _ := os.ReadFile(path); bytes.Contains(c, []byte(key)) {
				t.Errorf("key in file %s", path)
			}
			return nil
		})
	}

	// without a key, the error says how to get one
	out2 := filepath.Join(t.TempDir(), "out")
	co = CensusOptions{Client: census.Config{BaseURL: "http://127.0.0.1:1/data", CacheDir: t.TempDir()}, Getenv: func(string) string { return "" }}
	_, err = Run(context.Background(), cfg, Options{OutDir: out2, Census: co, NoCache: true})
	if err == nil || !strings.Contains(err.Error(), "CENSUS_API_KEY") {
		t.Errorf("no key: err = %v; want a message naming CENSUS_API_KEY", err)
	}
}
