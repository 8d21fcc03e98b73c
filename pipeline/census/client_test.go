package census

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// alamedaVariables are the 60 variables of the Alameda file, in file order.
func alamedaVariables(t testing.TB) []string {
	var out []string
	for _, c := range decodeAlameda(t).Columns {
		if c.Kind == KindEstimate || c.Kind == KindMOE {
			out = append(out, c.Name)
		}
	}
	return out
}

var alamedaTracts = Request{Dataset: "acs/acs5", Year: 2018, For: "tract:*", In: "state:06 county:001"}

// TestGetSplitMergeExact pulls all 60 variables of the Alameda file (61
// names with NAME: over the 50-name limit, so two requests) and checks that
// the merged table equals the file cell by cell, matched by GEOID.
func TestGetSplitMergeExact(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, Config{})
	r := alamedaTracts
	r.Variables = alamedaVariables(t)
	got, err := c.Get(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.dataCalls()); n != 2 {
		t.Errorf("data requests = %d, want 2 (61 names in chunks of at most 50)", n)
	}
	want := decodeAlameda(t)
	if got.Len() != want.Len() || len(got.Columns) != len(want.Columns) {
		t.Fatalf("got %d rows x %d columns, want %d x %d", got.Len(), len(got.Columns), want.Len(), len(want.Columns))
	}
	// Column order: NAME, variables in request order, geography last: the
	// file's own order.
	if diff := cmp.Diff(namesOf(want.Columns), namesOf(got.Columns)); diff != "" {
		t.Errorf("column order (-want +got):\n%s", diff)
	}
	wantRow := map[string]int{}
	for i, id := range want.GEOIDs() {
		wantRow[id] = i
	}
	gotIDs := got.GEOIDs()
	for i, id := range gotIDs {
		if i > 0 && gotIDs[i-1] >= id {
			t.Fatalf("rows not sorted by GEOID at %d: %s after %s", i, id, gotIDs[i-1])
		}
		j, ok := wantRow[id]
		if !ok {
			t.Fatalf("GEOID %s not in the file", id)
		}
		for k, c := range got.Columns {
			if c.Text(i) != want.Columns[k].Text(j) {
				t.Fatalf("GEOID %s column %s: %q, want %q", id, c.Name, c.Text(i), want.Columns[k].Text(j))
			}
		}
	}
}

func TestMergeColumnsRefusesMismatch(t *testing.T) {
	a, _ := Decode(strings.NewReader(`[["NAME","B01001_001E","state"],["a","1","01"],["b","2","02"]]`))
	b, _ := Decode(strings.NewReader(`[["NAME","B01001_002E","state"],["a","1","01"],["c","2","03"]]`))
	if _, err := mergeColumns([]*Table{a, b}); err == nil || !strings.Contains(err.Error(), `"03"`) {
		t.Errorf("mergeColumns with different GEOIDs: err = %v, want one naming GEOID 03", err)
	}
}

func TestChunk(t *testing.T) {
	var vars []string
	for i := 1; i <= 100; i++ {
		vars = append(vars, fmt.Sprintf("B01001_%03dE", i))
	}
	tests := []struct {
		name  string
		vars  []string
		sizes []int
	}{
		{"one", vars[:1], []int{2}},
		{"49 fit with NAME", vars[:49], []int{50}},
		{"50 need two", vars[:50], []int{50, 2}},
		{"100", vars, []int{50, 50, 3}},
		{"group alone, order kept", []string{"B01001_001E", "group(B19013)", "B01001_002E"}, []int{2, 2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sizes []int
			for _, c := range chunk(tt.vars) {
				sizes = append(sizes, len(c))
				if c[0] != "NAME" {
					t.Errorf("chunk starts with %s, want NAME", c[0])
				}
			}
			if diff := cmp.Diff(tt.sizes, sizes); diff != "" {
				t.Errorf("chunk sizes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpandGeography(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, Config{})
	m, err := c.Metadata(context.Background(), "acs/acs5", 2018)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		r      Request
		want   []geoQuery
		errHas string
	}{
		{"all tracts in a state: county wildcarded", Request{For: "tract:*", In: "state:06"},
			[]geoQuery{{"tract:*", "state:06 county:*"}}, ""},
		{"tracts of one county", Request{For: "tract:*", In: "state:06 county:001"},
			[]geoQuery{{"tract:*", "state:06 county:001"}}, ""},
		{"block groups in three counties fan out", Request{For: "block group:*", In: "state:06 county:001,013,075"},
			[]geoQuery{{"block group:*", "state:06 county:001 tract:*"}, {"block group:*", "state:06 county:013 tract:*"}, {"block group:*", "state:06 county:075 tract:*"}}, ""},
		{"all block groups in a state: counties listed from the API", Request{For: "block group:*", In: "state:06"},
			[]geoQuery{{"block group:*", "state:06 county:001 tract:*"}}, ""},
		{"states", Request{For: "state:*"}, []geoQuery{{"state:*", ""}}, ""},
		{"explicit GEOIDs grouped by county", Request{For: "tract", GEOIDs: []string{"06001400100", "06001400200", "06013300000"}},
			[]geoQuery{{"tract:400100,400200", "state:06 county:001"}, {"tract:300000", "state:06 county:013"}}, ""},
		{"bad GEOID", Request{For: "tract", GEOIDs: []string{"6001400100"}}, nil, `"6001400100" is not a 11-digit tract GEOID`},
		{"tract in place unsupported", Request{For: "tract:*", In: "state:06 place:53000"}, nil, "tract cannot be requested within place"},
		{"unknown level did-you-mean", Request{For: "tracts:*", In: "state:06"}, nil, `did you mean tract?`},
		{"Connecticut counties in 2022", Request{Year: 2022, Dataset: "acs/acs5", For: "tract:*", In: "state:09 county:001"}, nil, "planning regions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.Dataset == "" {
				tt.r.Dataset, tt.r.Year = "acs/acs5", 2018
			}
			got, problems := c.expandGeography(context.Background(), tt.r, m)
			if tt.errHas != "" {
				if len(problems) == 0 || !strings.Contains(strings.Join(problems, "; "), tt.errHas) {
					t.Fatalf("problems %q, want one containing %q", problems, tt.errHas)
				}
				return
			}
			if len(problems) > 0 {
				t.Fatal(problems)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(geoQuery{})); diff != "" {
				t.Errorf("queries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestZCTANotInStateFrom2019Fixture(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, Config{})
	_, err := c.Get(context.Background(), Request{Dataset: "acs/acs5", Year: 2019, Variables: []string{"B19013_001E"},
		For: "zip code tabulation area:*", In: "state:06"})
	if err == nil || !strings.Contains(err.Error(), "ZCTAs cannot be filtered by state") {
		t.Errorf("err = %v, want the ZCTA explanation", err)
	}
	if n := len(f.dataCalls()); n != 0 {
		t.Errorf("%d data requests sent, want 0", n)
	}
}

func TestGetGEOIDs(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, Config{})
	got, err := c.Get(context.Background(), Request{Dataset: "acs/acs5", Year: 2018, Variables: []string{"B19013_001E"}, MOE: false,
		For: "tract", GEOIDs: []string{"06001400200", "06001400100"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"06001400100", "06001400200"}, got.GEOIDs()); diff != "" {
		t.Errorf("GEOIDs (-want +got):\n%s", diff)
	}
	// Values from the Alameda file, tracts 4001 and 4002.
	if v := got.Column("B19013_001E").Values; v[0] != 200893 || v[1] != 160536 {
		t.Errorf("B19013_001E = %v, want [200893 160536]", v)
	}
}

func TestValidationBeforeAnyDataRequest(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, Config{})
	r := alamedaTracts
	r.Variables = []string{"B16002_001E", "B19013_001E", "group(B99999)"}
	_, err := c.Get(context.Background(), r)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	want := []string{
		`unknown variable "B16002_001E"; did you mean C16002_001E?`,
		`unknown group "B99999"; search the names with 'groundwork vars search'`,
	}
	if diff := cmp.Diff(want, ve.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if n := len(f.dataCalls()); n != 0 {
		t.Errorf("%d data requests sent before validation, want 0", n)
	}
}

func TestMOEAndGroupAndAnnotations(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, Config{})
	r := alamedaTracts
	r.Variables = []string{"B25064_001E", "group(B25077)"}
	r.MOE = true
	got, err := c.Get(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"NAME", "B25064_001E", "B25064_001M", "B25077_001E", "B25077_001M", "state", "county", "tract"}
	if diff := cmp.Diff(want, namesOf(got.Columns)); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	r.Annotations = true
	got, err = c.Get(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Column("B25077_001EA") == nil {
		t.Errorf("Annotations: EA column dropped; columns %v", namesOf(got.Columns))
	}
}

func TestDatasetYearMissing(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client(t, Config{})
	_, err := c.Get(context.Background(), Request{Dataset: "acs/acs1", Year: 2020, Variables: []string{"B19013_001E"}, For: "state:*"})
	var de *DatasetError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "2020 ACS 1-year estimates were not released") {
		t.Errorf("err = %v, want *DatasetError explaining the missing 2020 ACS 1-year", err)
	}
}

func TestBlockGroupsNotInVintage(t *testing.T) {
	c := NewClient(Config{})
	m := &Metadata{Dataset: "acs/acs5", Year: 2012, Geography: []GeoLevel{{Name: "state"}, {Name: "tract", Requires: []string{"state", "county"}}}}
	_, problems := c.expandGeography(context.Background(), Request{Dataset: "acs/acs5", Year: 2012, For: "block group:*", In: "state:06"}, m)
	if len(problems) != 1 || !strings.Contains(problems[0], "from the 2013 5-year estimates on") {
		t.Errorf("problems = %q, want the block-group availability note", problems)
	}
}

// injectOnce makes the fake answer the first data requests with fail, n
// times, then serve normally.
func (f *fakeAPI) failData(times int, fail func(w http.ResponseWriter)) *atomic.Int32 {
	var count atomic.Int32
	f.inject = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, ".json") {
			return false
		}
		if int(count.Add(1)) <= times {
			fail(w)
			return true
		}
		return false
	}
	return &count
}

func TestKeyFailures(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		fail   func(w http.ResponseWriter)
		reason string
	}{
		{"missing key redirect", "none", nil, "missing_key"},
		{"invalid key redirect", "wrong-key-0000", nil, "invalid_key"},
		{"key error header", "", func(w http.ResponseWriter) {
			w.Header().Set("X-DataWebAPI-KeyError", "Invalid Key")
			w.WriteHeader(http.StatusOK)
		}, "X-DataWebAPI-KeyError"},
		{"HTML with status 200", "", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><head><title>Invalid Key</title></head><body>A valid <em>key</em> must be included with each data API request.</body></html>")
		}, "HTML page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			if tt.fail != nil {
				f.inject = func(_ int, w http.ResponseWriter, r *http.Request) bool { tt.fail(w); return true }
			}
			key := tt.key
			if key == "none" {
				key = ""
			}
			dir := t.TempDir()
			c := f.client(t, Config{CacheDir: dir})
			if key != "" || tt.key == "none" {
				c.cfg.Key = key
			}
			r := alamedaTracts
			r.Variables = []string{"B19013_001E"}
			_, err := c.Get(context.Background(), r)
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("err = %v, want *KeyError", err)
			}
			if !strings.Contains(ke.Reason, tt.reason) || !strings.Contains(err.Error(), KeySignupURL) || !strings.Contains(err.Error(), "CENSUS_API_KEY") {
				t.Errorf("error %q: want reason %q and how to get and set a key", err, tt.reason)
			}
			for _, call := range f.calls {
				if strings.Contains(call, "_key.html") {
					t.Errorf("redirect followed: %s", call)
				}
			}
			if files := cacheFiles(t, dir); len(files) != 0 {
				t.Errorf("cache holds %v after a key failure, want nothing", files)
			}
		})
	}
}

func cacheFiles(t testing.TB, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestKeyNeverLeaks runs a pull with retried failures and a refused
// response, logging at debug level, and greps the logs, errors, progress,
// cache contents and cache file names for the key.
func TestKeyNeverLeaks(t *testing.T) {
	f := newFakeAPI(t)
	f.failData(2, func(w http.ResponseWriter) { http.Error(w, "upstream down", http.StatusBadGateway) })
	var logs, prog bytes.Buffer
	dir := t.TempDir()
	c := f.client(t, Config{CacheDir: dir, Progress: &prog,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	r := alamedaTracts
	r.Variables = alamedaVariables(t)
	if _, err := c.Get(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	var errs []string
	// A refused body and a transport error also must not leak it.
	f.inject = func(_ int, w http.ResponseWriter, r *http.Request) bool { fmt.Fprint(w, "not json"); return true }
	r.Variables = []string{"B19013_001E"}
	r.In = "state:06 county:*"
	if _, err := c.Get(context.Background(), r); err == nil {
		t.Error("non-JSON body accepted")
	} else {
		errs = append(errs, err.Error())
	}
	bad := NewClient(Config{BaseURL: "http://127.0.0.1:1/data", Key: testKey, MaxAttempts: 1, Sleep: func(context.Context, time.Duration) error { return nil }})
	if _, err := bad.Metadata(context.Background(), "acs/acs5", 2018); err == nil {
		t.Error("unreachable server: no error")
	} else {
		errs = append(errs, err.Error())
	}
	if logs.Len() == 0 {
		t.Fatal("no log lines: the test would not see a leak")
	}
	haystacks := map[string]string{"logs": logs.String(), "progress": prog.String(), "errors": strings.Join(errs, "\n")}
	for _, p := range cacheFiles(t, dir) {
		b, _ := os.ReadFile(p)
		haystacks["cache file "+p] = string(b)
		haystacks["cache name "+p] = p
	}
	if len(haystacks) < 5 {
		t.Fatalf("only %d places searched; cache empty?", len(haystacks))
	}
	for where, s := range haystacks {
		if strings.Contains(s, testKey) {
			t.Errorf("key found in %s", where)
		}
	}
}

func TestResolveKey(t *testing.T) {
	env := map[string]string{"CENSUS_API_KEY": "abc", "OTHER": "def", "EMPTY": ""}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		ref, want string
		wantErr   bool
	}{
		{"", "abc", false},
		{"env:OTHER", "def", false},
		{"${OTHER}", "def", false},
		{"env:EMPTY", "", true},
		{"literal-key-in-file", "", true},
	}
	for _, tt := range tests {
		got, err := ResolveKey(tt.ref, getenv)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ResolveKey(%q) = %q, %v; want %q, error %v", tt.ref, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := ResolveKey("env:EMPTY", getenv); !errors.Is(err, ErrNoKey) {
		t.Errorf("empty variable: err = %v, want ErrNoKey", err)
	}
}

// sleeps records the waits the client asked for.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func TestRetries(t *testing.T) {
	maintenance := "<!DOCTYPE html><html><head><title>Census Data API</title></head><body><h1>The Census Data API is currently undergoing maintenance</h1></body></html>"
	tests := []struct {
		name       string
		times      int
		fail       func(w http.ResponseWriter)
		wantSleeps []time.Duration
		wantErr    bool
	}{
		{"503 twice then OK: exponential backoff", 2, func(w http.ResponseWriter) {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		}, []time.Duration{500 * time.Millisecond, time.Second}, false},
		{"429 honours Retry-After", 1, func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		}, []time.Duration{7 * time.Second}, false},
		{"error while running your query", 1, func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, "There was an error while running your query.  We've logged the error and we'll correct it ASAP.  Sorry for the inconvenience.")
		}, []time.Duration{500 * time.Millisecond}, false},
		{"maintenance page", 1, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, maintenance)
		}, []time.Duration{500 * time.Millisecond}, false},
		{"truncated body retried", 1, func(w http.ResponseWriter) {
			fmt.Fprint(w, `[["NAME","B19013_001E","state","county","tract"],["Census Tract 4001, Alameda`)
		}, []time.Duration{500 * time.Millisecond}, false},
		{"bounded attempts", 100, func(w http.ResponseWriter) {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		}, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}, true},
		{"bounded time: Retry-After beyond the limit", 100, func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusServiceUnavailable)
		}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.failData(tt.times, tt.fail)
			var s sleeps
			dir := t.TempDir()
			c := f.client(t, Config{CacheDir: dir, Sleep: s.sleep, Jitter: func() float64 { return 0 }, MaxAttempts: 4, MaxRetryTime: time.Minute})
			r := alamedaTracts
			r.Variables = []string{"B19013_001E"}
			got, err := c.Get(context.Background(), r)
			if diff := cmp.Diff(tt.wantSleeps, s.d); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if tt.wantErr {
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("err = %v, want *APIError", err)
				}
				if len(cacheFiles(t, filepath.Join(dir, "data"))) != 0 {
					t.Error("failed response cached")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != 361 {
				t.Errorf("rows = %d, want 361", got.Len())
			}
		})
	}
}

func TestRequestTimeout(t *testing.T) {
	f := newFakeAPI(t)
	var n atomic.Int32
	f.inject = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, ".json") || n.Add(1) > 1 {
			return false
		}
		<-r.Context().Done() // hang until the client gives up
		return true
	}
	var s sleeps
	c := f.client(t, Config{RequestTimeout: 100 * time.Millisecond, Sleep: s.sleep, Jitter: func() float64 { return 0 }})
	r := alamedaTracts
	r.Variables = []string{"B19013_001E"}
	if _, err := c.Get(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 || len(s.d) != 1 {
		t.Errorf("attempts %d, sleeps %d; want 2 and 1", n.Load(), len(s.d))
	}
}

func TestRefusedBodies(t *testing.T) {
	tests := []struct {
		name   string
		fail   func(w http.ResponseWriter)
		target error
		errHas string
	}{
		{"non-JSON body", func(w http.ResponseWriter) { fmt.Fprint(w, "Internal error: null") }, ErrNotJSON, "not cached"},
		{"204 explained", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }, ErrNoData, "check that the geography exists"},
		{"400 heirarchy explained", func(w http.ResponseWriter) {
			apiError(w, "error: unknown/unsupported geography heirarchy")
		}, nil, "for/in geography combination is not supported"},
		{"400 unknown variable explained", func(w http.ResponseWriter) {
			apiError(w, "error: error: unknown variable 'B16002_001E'")
		}, nil, "B16002 became C16002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			count := f.failData(100, tt.fail)
			dir := t.TempDir()
			c := f.client(t, Config{CacheDir: dir})
			r := alamedaTracts
			r.Variables = []string{"B19013_001E"}
			_, err := c.Get(context.Background(), r)
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err = %v, want one containing %q", err, tt.errHas)
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.target)
			}
			if count.Load() != 1 {
				t.Errorf("%d attempts, want 1 (not retried)", count.Load())
			}
			if files := cacheFiles(t, filepath.Join(dir, "data")); len(files) != 0 {
				t.Errorf("refused response cached: %v", files)
			}
		})
	}
}

func TestCacheOfflineAndResume(t *testing.T) {
	f := newFakeAPI(t)
	dir := t.TempDir()
	r := alamedaTracts
	r.Variables = alamedaVariables(t) // two chunks
	// First run: the second data request fails for good (a 400).
	var n atomic.Int32
	f.inject = func(_ int, w http.ResponseWriter, req *http.Request) bool {
		if strings.HasSuffix(req.URL.Path, ".json") {
			return false
		}
		if n.Add(1) == 2 {
			apiError(w, "error: something went wrong")
			return true
		}
		return false
	}
	c := f.client(t, Config{CacheDir: dir, Concurrency: 1})
	if _, err := c.Get(context.Background(), r); err == nil {
		t.Fatal("first run: want an error")
	}
	// Resume: only the missing chunk is requested.
	f.inject = nil
	f.calls = nil
	c = f.client(t, Config{CacheDir: dir})
	first, err := c.Get(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if calls := f.calls; len(calls) != 1 {
		t.Errorf("resume sent %d requests, want 1 (metadata and the first chunk are cached): %v", len(calls), calls)
	}
	// Offline rerun: no request at all, same table.
	f.calls = nil
	off := f.client(t, Config{CacheDir: dir, Offline: true})
	again, err := off.Get(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 0 {
		t.Errorf("offline run sent %d requests", len(f.calls))
	}
	if diff := cmp.Diff(first, again, sameValues); diff != "" {
		t.Errorf("offline table differs (-online +offline):\n%s", diff)
	}
	// Offline miss.
	r.In = "state:06 county:*"
	_, err = off.Get(context.Background(), r)
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "without --offline") {
		t.Errorf("offline miss: err = %v, want ErrOffline with advice", err)
	}
}

func TestConcurrencyBounded(t *testing.T) {
	f := newFakeAPI(t)
	var inFlight, peak atomic.Int32
	f.inject = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, ".json") {
			return false
		}
		cur := inFlight.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		return false
	}
	c := f.client(t, Config{Concurrency: 2})
	// Five group pulls: five requests, each alone in its get= list.
	r := alamedaTracts
	r.Variables = []string{"group(B19001)", "group(B25077)", "group(B25064)", "group(B03002)", "group(B15003)"}
	if _, err := c.Get(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if n := len(f.dataCalls()); n != 5 {
		t.Errorf("%d data requests, want 5", n)
	}
	if p := peak.Load(); p > 2 || p < 1 {
		t.Errorf("peak requests in flight = %d, want at most 2 (Concurrency)", p)
	}
}

func TestGetYearsLabelChange(t *testing.T) {
	f := newFakeAPI(t)
	var logs bytes.Buffer
	c := f.client(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r := alamedaTracts
	r.Variables = []string{"B19013_001E", "B25064_001E", "B03002_001E"}
	tabs, changes, err := c.GetYears(context.Background(), r, []int{2018, 2019})
	if err != nil {
		t.Fatal(err)
	}
	if len(tabs) != 2 {
		t.Fatalf("%d tables, want 2", len(tabs))
	}
	var vars []string
	for _, ch := range changes {
		vars = append(vars, ch.Variable)
	}
	// Per the fixtures: B19013's label names the dollar year; B03002_001E
	// gained the 2019 colon; B25064_001E is unchanged.
	if diff := cmp.Diff([]string{"B19013_001E", "B03002_001E"}, vars); diff != "" {
		t.Errorf("label changes (-want +got):\n%s", diff)
	}
	if !strings.Contains(logs.String(), "census label changed") {
		t.Error("no warning logged")
	}
}

func TestSearchVariablesOffline(t *testing.T) {
	f := newFakeAPI(t)
	dir := t.TempDir()
	if _, err := f.client(t, Config{CacheDir: dir}).Metadata(context.Background(), "acs/acs5", 2018); err != nil {
		t.Fatal(err)
	}
	f.calls = nil
	off := f.client(t, Config{CacheDir: dir, Offline: true})
	got, err := SearchVariables(context.Background(), off, "acs/acs5", 2018, "median GROSS rent")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"B25064_001E", "B25064_001M"}, namesOfVars(got)); diff != "" {
		t.Errorf("search (-want +got):\n%s", diff)
	}
	if len(f.calls) != 0 {
		t.Errorf("offline search sent %d requests", len(f.calls))
	}
	if _, err := SearchVariables(context.Background(), off, "acs/acs5", 2022, "rent"); !errors.Is(err, ErrOffline) {
		t.Errorf("uncached year: err = %v, want ErrOffline", err)
	}
}

func namesOfVars(vs []Variable) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func TestProgress(t *testing.T) {
	f := newFakeAPI(t)
	var plain, term bytes.Buffer
	r := alamedaTracts
	r.Variables = alamedaVariables(t)
	if _, err := f.client(t, Config{Progress: &plain, Concurrency: 1}).Get(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if got, want := plain.String(), "census: 1/2 requests done\ncensus: 2/2 requests done\n"; got != want {
		t.Errorf("plain progress %q, want %q", got, want)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(10 * time.Second); return now }
	r.In = "state:06 county:*"
	if _, err := f.client(t, Config{Progress: &term, Terminal: true, Concurrency: 1, Now: clock}).Get(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if got := term.String(); !strings.HasPrefix(got, "\rcensus: 1/2 requests, ETA ") || !strings.Contains(got, "\rcensus: 2/2 requests\x1b[K\n") {
		t.Errorf("terminal progress %q", got)
	}
}

// TestLive pulls from the real API. It runs only when selected:
// GROUNDWORK_LIVE=1 CENSUS_API_KEY=... go test -run Live ./pipeline/census/
func TestLive(t *testing.T) {
	if os.Getenv("GROUNDWORK_LIVE") != "1" || os.Getenv("CENSUS_API_KEY") == "" {
		t.Skip("live test: set GROUNDWORK_LIVE=1 and CENSUS_API_KEY to run")
	}
	key, err := ResolveKey("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(Config{Key: key, CacheDir: t.TempDir()})
	r := alamedaTracts
	r.Variables = []string{"B03002_001E", "B19013_001E"}
	got, err := c.Get(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	// SOURCES.md: 361 tracts in the 2018 5-year file; tract 4001 population
	// 3115 (B03002_001E in alameda_acs5_2018_tracts.json).
	if got.Len() != 361 || got.Column("B03002_001E").Text(0) != "3115" {
		t.Errorf("live pull: %d rows, first B03002_001E %q; want 361 and 3115", got.Len(), got.Column("B03002_001E").Text(0))
	}
}

func TestFanOutSkipsEmptyPart(t *testing.T) {
	f := newFakeAPI(t)
	var logs bytes.Buffer
	c := f.client(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r := alamedaTracts
	r.In = "state:06 county:001,002" // the fake has no county 002: 204
	r.Variables = []string{"B19013_001E"}
	got, err := c.Get(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 361 {
		t.Errorf("rows = %d, want 361 (county 001 of the Alameda file)", got.Len())
	}
	if !strings.Contains(logs.String(), "no data for one part") || !strings.Contains(logs.String(), "county:002") {
		t.Errorf("no warning naming county 002 in %q", logs.String())
	}
	r.In = "state:06 county:002,003"
	if _, err := c.Get(context.Background(), r); !errors.Is(err, ErrNoData) {
		t.Errorf("all parts empty: err = %v, want ErrNoData", err)
	}
}
