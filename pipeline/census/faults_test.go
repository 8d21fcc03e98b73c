package census

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// mutateData makes the fake API answer data requests with its real answer
// (rows of the recorded Alameda County file) changed by fn; metadata
// requests are answered as usual. It counts the data requests.
func (f *fakeAPI) mutateData(fn func(rows [][]*string) [][]*string) *atomic.Int32 {
	var count atomic.Int32
	f.inject = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, ".json") {
			return false
		}
		count.Add(1)
		q := r.URL.Query()
		q.Del("key")
		rec := httptest.NewRecorder()
		f.answer(rec, q)
		if rec.Code != http.StatusOK {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return true
		}
		var rows [][]*string
		if err := json.Unmarshal(rec.Body.Bytes(), &rows); err != nil {
			f.t.Errorf("fake answer: %v", err)
		}
		json.NewEncoder(w).Encode(fn(rows))
		return true
	}
	return &count
}

func str(s string) *string { return &s }

// col returns the index of name in the header row.
func col(rows [][]*string, name string) int {
	for j, h := range rows[0] {
		if *h == name {
			return j
		}
	}
	panic("no column " + name)
}

// TestFaultInjection serves the real recorded Alameda County answer through
// the fake API with one fault each, and checks that the client refuses it
// with a message naming the cause, retries where a retry can help, and
// never caches a refused answer.
func TestFaultInjection(t *testing.T) {
	tests := []struct {
		name     string
		req      func(*Request)
		cfg      func(*Config)
		mutate   func(rows [][]*string) [][]*string
		inject   func(w http.ResponseWriter)
		target   error
		errHas   []string
		attempts int32 // data requests sent
	}{
		{
			name:     "a requested column missing",
			mutate:   func(rows [][]*string) [][]*string { return dropColumn(rows, "B19013_001E") },
			target:   ErrMismatch,
			errHas:   []string{"it lacks the requested column(s) B19013_001E", "not cached"},
			attempts: 1,
		},
		{
			name: "a duplicate GEOID (361 rows, one tract twice)",
			mutate: func(rows [][]*string) [][]*string {
				rows[len(rows)-1] = rows[1]
				return rows
			},
			target:   ErrMismatch,
			errHas:   []string{"1 duplicate GEOID(s): 06001", "not cached"},
			attempts: 1,
		},
		{
			name: "rows of another county",
			mutate: func(rows [][]*string) [][]*string {
				j := col(rows, "county")
				for _, r := range rows[1:] {
					r[j] = str("013")
				}
				return rows
			},
			target:   ErrMismatch,
			errHas:   []string{"361 row(s) lie outside the requested county:001", `row 1 has county "013"`},
			attempts: 1,
		},
		{
			name:     "a header-only answer is retried, then refused",
			mutate:   func(rows [][]*string) [][]*string { return rows[:1] },
			target:   ErrIncomplete,
			errHas:   []string{"a header and no rows", "nothing was cached"},
			attempts: 3,
		},
		{
			name:     "an answer cut at a row boundary, with CheckComplete",
			cfg:      func(c *Config) { c.CheckComplete = true },
			mutate:   cutAfter100Data,
			target:   ErrIncomplete,
			errHas:   []string{"it has 100 rows but the list of tract geographies of this query has 361"},
			attempts: 4, // the NAME list once, the data three times
		},
		{
			name:     "a requested GEOID missing",
			req:      func(r *Request) { r.In, r.GEOIDs = "", []string{"06001400100", "06001400200"} },
			mutate:   func(rows [][]*string) [][]*string { return rows[:2] },
			target:   ErrIncomplete,
			errHas:   []string{"it lacks the requested tract code(s)"},
			attempts: 3,
		},
		{
			name:     "an answer over the size limit",
			cfg:      func(c *Config) { c.MaxResponseBytes = 30 << 10 }, // above variables.json (23 KB)
			req:      func(r *Request) { r.Variables = alamedaVariables(t)[:20] },
			mutate:   func(rows [][]*string) [][]*string { return rows },
			target:   ErrTooLarge,
			errHas:   []string{"larger than 30 KiB (the limit, max_response_mb)", "fewer variables"},
			attempts: 1,
		},
		{
			name: "429 with a Retry-After beyond the budget",
			inject: func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "3600")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			errHas:   []string{"HTTP 429", "the API asked to wait 1h0m0s (Retry-After) before the next try, more than the 2m0s left of the 2m0s retry budget; try again after 13:00 UTC"},
			attempts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			var count *atomic.Int32
			if tt.inject != nil {
				count = f.failData(100, tt.inject)
			} else {
				count = f.mutateData(tt.mutate)
			}
			dir := t.TempDir()
			cfg := Config{CacheDir: dir, MaxAttempts: 3, Now: func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			c := f.client(t, cfg)
			r := alamedaTracts
			r.Variables = []string{"B19013_001E", "B25064_001E"}
			if tt.req != nil {
				tt.req(&r)
			}
			_, err := c.Get(context.Background(), r)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.errHas {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("error %v is not %v", err, tt.target)
			}
			if got := count.Load(); got != tt.attempts {
				t.Errorf("%d data requests, want %d", got, tt.attempts)
			}
			for _, p := range cacheFiles(t, filepath.Join(dir, "data")) {
				b, _ := os.ReadFile(p)
				if !strings.HasPrefix(string(b), `[["NAME","state","county","tract"]`) { // only the NAME list may be cached
					t.Errorf("refused answer cached: %s", p)
				}
			}
		})
	}
}

func dropColumn(rows [][]*string, name string) [][]*string {
	j := col(rows, name)
	for i, r := range rows {
		rows[i] = append(r[:j:j], r[j+1:]...)
	}
	return rows
}

// cutAfter100Data cuts data answers after 100 rows but leaves the NAME
// list (get=NAME: a header of NAME and the geography columns) whole.
func cutAfter100Data(rows [][]*string) [][]*string {
	if len(rows[0]) == 4 { // NAME, state, county, tract
		return rows
	}
	return rows[:101]
}

// TestRowBoundaryCutUndetectable records the limit of what a client can
// know: without the geography list (CheckComplete off), a valid JSON answer
// cut at a row boundary looks complete. The pipeline checks coverage
// against its boundary layer instead.
func TestRowBoundaryCutUndetectable(t *testing.T) {
	f := newFakeAPI(t)
	f.mutateData(func(rows [][]*string) [][]*string { return rows[:101] })
	c := f.client(t, Config{})
	r := alamedaTracts
	r.Variables = []string{"B19013_001E"}
	got, err := c.Get(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 100 {
		t.Errorf("%d rows, want the 100 sent", got.Len())
	}
}

// TestNoInternet checks that a DNS failure and a refused connection are
// named at once, without retries or advice about concurrency.
func TestNoInternet(t *testing.T) {
	// A port with nothing listening: open one and close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/data"
	l.Close()
	noDNS := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "api.census.gov", IsNotFound: true}}
	}}}
	tests := []struct {
		name   string
		cfg    Config
		errHas []string
	}{
		{"DNS failure", Config{HTTP: noDNS}, []string{"cannot reach the Census Data API: looking up api.census.gov failed (no such host)", "check the internet connection"}},
		{"connection refused", Config{BaseURL: closed}, []string{"cannot reach the Census Data API: connecting to 127.0.0.1:", "connection refused", "--offline"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s sleeps
			tt.cfg.Sleep, tt.cfg.Key = s.sleep, testKey
			c := NewClient(tt.cfg)
			_, err := c.Metadata(context.Background(), "acs/acs5", 2018)
			if !errors.Is(err, ErrNetwork) {
				t.Fatalf("err = %v, want ErrNetwork", err)
			}
			for _, w := range tt.errHas {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "concurrency") || strings.Contains(err.Error(), "HTTP 0") {
				t.Errorf("error %q blames the API", err)
			}
			if len(s.d) != 0 {
				t.Errorf("retried with waits %v; want no retry", s.d)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Error("key leaked")
			}
		})
	}
}

// TestBadCacheRefetched writes a header-only answer into the cache (as an
// older version did) and checks that the client drops it and fetches the
// answer again, and that offline it names the file instead.
func TestBadCacheRefetched(t *testing.T) {
	f := newFakeAPI(t)
	dir := t.TempDir()
	r := alamedaTracts
	r.Variables = []string{"B19013_001E"}
	c := f.client(t, Config{CacheDir: dir})
	if _, err := c.Get(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	files := cacheFiles(t, filepath.Join(dir, "data"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want 1", files)
	}
	if err := os.WriteFile(files[0], []byte(`[["NAME","B19013_001E","state","county","tract"]]`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := f.client(t, Config{CacheDir: dir, Offline: true}).Get(context.Background(), r)
	if err == nil || !strings.Contains(err.Error(), files[0]) || !strings.Contains(err.Error(), "a header and no rows") {
		t.Errorf("offline: err = %v, want the bad cache file named", err)
	}
	f.calls = nil
	got, err := f.client(t, Config{CacheDir: dir}).Get(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 361 || len(f.dataCalls()) != 1 {
		t.Errorf("%d rows after %d data requests; want 361 after 1", got.Len(), len(f.dataCalls()))
	}
}

// TestRefreshReplacesShortCache cuts a cached answer at a row boundary (the
// first 100 of 361 Alameda tracts, still valid JSON, which the checks of a
// cached answer cannot tell from a complete one) and checks that the client
// serves it as cached, and with Refresh fetches the answer again and
// replaces the cached copy; offline, Refresh cannot fetch and serves the
// cache.
func TestRefreshReplacesShortCache(t *testing.T) {
	f := newFakeAPI(t)
	dir := t.TempDir()
	r := alamedaTracts
	r.Variables = []string{"B19013_001E"}
	if _, err := f.client(t, Config{CacheDir: dir}).Get(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	files := cacheFiles(t, filepath.Join(dir, "data"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want 1", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]*string
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	short, _ := json.Marshal(rows[:101])
	if err := os.WriteFile(files[0], short, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		cfg   Config
		rows  int
		calls int
	}{
		{"cached", Config{CacheDir: dir}, 100, 0},
		{"offline refresh", Config{CacheDir: dir, Refresh: true, Offline: true}, 100, 0},
		{"refresh", Config{CacheDir: dir, Refresh: true}, 361, 1},
		{"cached after the refresh", Config{CacheDir: dir}, 361, 0},
	} {
		f.calls = nil
		got, err := f.client(t, tt.cfg).Get(context.Background(), r)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.Len() != tt.rows || len(f.dataCalls()) != tt.calls {
			t.Errorf("%s: %d rows after %d data requests; want %d after %d", tt.name, got.Len(), len(f.dataCalls()), tt.rows, tt.calls)
		}
	}
}

// TestReadRecorded checks a saved response against the request of the
// source that names it, on the real Alameda County file and mutations of it.
func TestReadRecorded(t *testing.T) {
	b, err := os.ReadFile(alamedaFile)
	if err != nil {
		t.Fatal(err)
	}
	ok := Request{Dataset: "acs/acs5", Year: 2018, For: "tract:*", In: "state:06 county:001", Variables: []string{"NAME", "B19013_001E", "B03002_001E"}}
	tests := []struct {
		name   string
		file   string // base name of the copy
		body   func(string) string
		req    func(*Request)
		errHas []string // nil: accepted
	}{
		{name: "as recorded"},
		{name: "wrong year", req: func(r *Request) { r.Year = 2017 }, errHas: []string{"the file name says 2018 but the source asks for year 2017"}},
		{name: "wrong dataset", req: func(r *Request) { r.Dataset = "acs/acs1" }, errHas: []string{"the file name says acs5 but the source asks for dataset acs/acs1"}},
		{name: "wrong county", req: func(r *Request) { r.In = "state:06 county:013" }, errHas: []string{"361 row(s) lie outside the requested county:013"}},
		{name: "wrong state", req: func(r *Request) { r.In = "state:6 county:001" }},
		{name: "county list", req: func(r *Request) { r.In = "state:06 county:001,013" }},
		{name: "undeclared level", req: func(r *Request) { r.For = "block group:*" }, errHas: []string{`it has no "block group" column`}},
		{name: "declared variable missing", req: func(r *Request) { r.Variables = append(r.Variables, "B19013_001M") }, errHas: []string{"it lacks the requested column(s) B19013_001M"}},
		{
			name:   "duplicate GEOID",
			body:   func(s string) string { return strings.Replace(s, `"06","001","400200"]`, `"06","001","400100"]`, 1) },
			errHas: []string{"1 duplicate GEOID(s): 06001400100 in rows"},
		},
		{
			name:   "header only",
			body:   func(s string) string { return s[:strings.Index(s, "],")+1] + "]" },
			errHas: []string{"a header and no rows"},
		},
		{name: "no year in the name", file: "alameda_tracts.json", req: func(r *Request) { r.Year = 2017 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := string(b)
			if tt.body != nil {
				body = tt.body(body)
				if body == string(b) {
					t.Fatal("mutation changed nothing")
				}
			}
			name := tt.file
			if name == "" {
				name = filepath.Base(alamedaFile)
			}
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			r := ok
			r.Variables = append([]string(nil), ok.Variables...)
			if tt.req != nil {
				tt.req(&r)
			}
			got, err := ReadRecorded(path, r)
			if tt.errHas == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got.Len() != 361 {
					t.Errorf("%d rows, want 361", got.Len())
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", tt.errHas)
			}
			for _, w := range append(tt.errHas, path, "check the source's year, dataset, for, in and variables") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func ExampleReadRecorded() {
	_, err := ReadRecorded("testdata/alameda_acs5_2018_tracts.json", Request{
		Dataset: "acs/acs5", Year: 2018, For: "tract:*", In: "state:06 county:013", Variables: []string{"B19013_001E"},
	})
	fmt.Println(strings.SplitN(err.Error(), " (", 2)[0])
	// Output:
	// testdata/alameda_acs5_2018_tracts.json: the response does not match the request: 361 row(s) lie outside the requested county:013
}

// FuzzCheck: checking any decodable body against the Alameda request never
// panics, and an accepted body has rows, unique GEOIDs and only rows of
// county 001.
func FuzzCheck(f *testing.F) {
	b, err := os.ReadFile(alamedaFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`[["NAME","B19013_001E","state","county","tract"],["x","1","06","001","400100"],["y","2","06","001","400100"]]`))
	f.Add([]byte(`[["NAME","B19013_001E","state","county","tract"]]`))
	f.Add([]byte(`[["NAME","B19013_001E","state","county","tract"],["x","1","6","1","400100"]]`))
	e, err := expectFor([]string{"NAME", "B19013_001E"}, "tract:*", "state:06 county:001")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tb, err := Decode(bytes.NewReader(body))
		if err != nil {
			return
		}
		if tb.check(e) != nil {
			return
		}
		if tb.Len() == 0 {
			t.Fatal("accepted a table without rows")
		}
		seen := map[string]bool{}
		for _, id := range tb.GEOIDs() {
			if seen[id] {
				t.Fatalf("accepted duplicate GEOID %q", id)
			}
			seen[id] = true
		}
		for _, v := range tb.Column("county").Raw {
			if pad(v, 3) != "001" {
				t.Fatalf("accepted county %q", v)
			}
		}
	})
}
