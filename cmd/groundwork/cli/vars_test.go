package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/census"
)

// TestVarsSearchOffline fills a metadata cache from a fake API (the census
// package's metadata fixtures), then searches it offline.
func TestVarsSearchOffline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("..", "..", "..", "pipeline", "census", "testdata", "fakeapi", strings.TrimPrefix(r.URL.Path, "/data/")))
	}))
	defer srv.Close()
	cache := t.TempDir()
	c := census.NewClient(census.Config{BaseURL: srv.URL + "/data", Key: "k", CacheDir: cache})
	if _, err := c.Metadata(context.Background(), "acs/acs5", 2018); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	code, out, e := run(t, "vars", "search", "median", "household", "income", "--year", "2018", "--census-cache", cache)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, e)
	}
	if !strings.Contains(out, "B19013_001E") {
		t.Errorf("output lacks B19013_001E:\n%s", out)
	}
	code, _, e = run(t, "vars", "search", "median", "--year", "2019", "--census-cache", t.TempDir())
	if code != ExitFailure || !strings.Contains(e, "--online") {
		t.Errorf("uncached: exit %d, stderr %q", code, e)
	}
	if code, _, _ := run(t, "vars"); code != ExitUsage {
		t.Errorf("vars without search: exit %d, want %d", code, ExitUsage)
	}
}
