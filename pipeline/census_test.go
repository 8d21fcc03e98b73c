package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
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
		for _, row := range all {
			var r []*string
			for _, i := range idx {
				r = append(r, row[i])
			}
			out = append(out, r)
		}
		json.NewEncoder(w).Encode(out)
	}))
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
