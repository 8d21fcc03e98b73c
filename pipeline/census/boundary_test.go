package census

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The real, unmodified Census Bureau cartographic boundary zips the tests
// serve (provenance: ../../testdata/atlanta/PROVENANCE.md and
// ../../geo/testdata/PROVENANCE.md). One copy of each in the repository.
var realZips = map[string]string{
	"/geo/tiger/GENZ2018/shp/cb_2018_13_tract_500k.zip": filepath.Join("..", "..", "testdata", "atlanta", "cb_2018_13_tract_500k.zip"),
	"/geo/tiger/GENZ2018/shp/cb_2018_39_tract_500k.zip": filepath.Join("..", "..", "geo", "testdata", "cb_2018_39_tract_500k.zip"),
}

// fakeBoundaries serves files under the Bureau's URL layout
// (/geo/tiger/GENZ{year}/shp/...), with Range support (http.ServeContent),
// and lets a test inject faults per request: fault(path, n) returns "" to
// serve normally, or "404", "500", "truncate" (full Content-Length, half
// the body, connection closed).
type fakeBoundaries struct {
	srv   *httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	reqs  []string // "path range" per request
	fault func(path string, n int) string
}

func newFakeBoundaries(t *testing.T, files map[string]string) *fakeBoundaries {
	t.Helper()
	f := &fakeBoundaries{hits: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits[r.URL.Path]++
		n := f.hits[r.URL.Path]
		f.reqs = append(f.reqs, r.URL.Path+" "+r.Header.Get("Range"))
		fault := ""
		if f.fault != nil {
			fault = f.fault(r.URL.Path, n)
		}
		f.mu.Unlock()
		local, ok := files[r.URL.Path]
		if !ok || fault == "404" {
			http.NotFound(w, r)
			return
		}
		switch fault {
		case "500":
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		case "truncate":
			b, _ := os.ReadFile(local)
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.WriteHeader(http.StatusOK)
			w.Write(b[:len(b)/2])
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err == nil {
				buf.Flush()
				conn.Close()
			}
			return
		}
		fh, err := os.Open(local)
		if err != nil {
			t.Errorf("fake boundaries: %v", err)
			http.Error(w, err.Error(), 500)
			return
		}
		defer fh.Close()
		st, _ := fh.Stat()
		http.ServeContent(w, r, filepath.Base(local), st.ModTime(), fh)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBoundaries) files(t *testing.T, cache string, offline bool) *Files {
	return NewFiles(FilesConfig{HTTP: f.srv.Client(), BaseURL: f.srv.URL + "/geo/tiger", CacheDir: cache, Offline: offline,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
}

func TestBoundaryPath(t *testing.T) {
	tests := []struct {
		layer Layer
		year  int
		state string
		want  string
	}{
		{LayerTract, 2018, "13", "GENZ2018/shp/cb_2018_13_tract_500k.zip"},
		{LayerTract, 2020, "39", "GENZ2020/shp/cb_2020_39_tract_500k.zip"},
		{LayerTract, 2010, "06", "GENZ2010/gz_2010_06_140_00_500k.zip"},
		{LayerTract, 2013, "06", "GENZ2013/cb_2013_06_tract_500k.zip"},
		{LayerTract, 2012, "06", "TIGER2012/TRACT/tl_2012_06_tract.zip"},
		{LayerBlockGroup, 2022, "13", "GENZ2022/shp/cb_2022_13_bg_500k.zip"},
		{LayerCounty, 2018, "13", "GENZ2018/shp/cb_2018_us_county_500k.zip"},
		{LayerState, 2025, "13", "GENZ2025/shp/cb_2025_us_state_500k.zip"},
		{LayerPlace, 2019, "13", "GENZ2019/shp/cb_2019_13_place_500k.zip"},
		{LayerZCTA, 2018, "13", "GENZ2018/shp/cb_2018_us_zcta510_500k.zip"},
		{LayerZCTA, 2020, "13", "GENZ2020/shp/cb_2020_us_zcta520_500k.zip"},
		{LayerZCTA, 2022, "13", "TIGER2022/ZCTA520/tl_2022_us_zcta520.zip"},
		{LayerCountySub, 2021, "25", "GENZ2021/shp/cb_2021_25_cousub_500k.zip"},
		{LayerUnified, 2020, "13", "GENZ2020/shp/cb_2020_13_unsd_500k.zip"},
		{LayerUnified, 2014, "13", "TIGER2014/UNSD/tl_2014_13_unsd.zip"},
		{LayerElementary, 2019, "06", "GENZ2019/shp/cb_2019_06_elsd_500k.zip"},
		{LayerSecondary, 2019, "06", "GENZ2019/shp/cb_2019_06_scsd_500k.zip"},
		{LayerCongressional, 2018, "13", "GENZ2018/shp/cb_2018_us_cd116_500k.zip"},
		{LayerCongressional, 2022, "13", "GENZ2022/shp/cb_2022_us_cd118_500k.zip"},
		{LayerCongressional, 2024, "13", "GENZ2024/shp/cb_2024_us_cd119_500k.zip"},
		{LayerStateUpper, 2018, "13", "GENZ2018/shp/cb_2018_13_sldu_500k.zip"},
		{LayerStateLower, 2018, "13", "GENZ2018/shp/cb_2018_13_sldl_500k.zip"},
		{LayerStateLower, 2011, "13", "TIGER2011/SLDL/tl_2011_13_sldl.zip"},
	}
	for _, tt := range tests {
		got, err := BoundaryPath(tt.layer, tt.year, tt.state)
		if err != nil || got.Path != tt.want {
			t.Errorf("BoundaryPath(%s, %d, %s) = %q, %v; want %q", tt.layer, tt.year, tt.state, got.Path, err, tt.want)
		}
	}
	for _, bad := range []struct {
		layer Layer
		year  int
		state string
		want  string
	}{
		{"tracts", 2018, "13", `did you mean tract?`},
		{LayerTract, 2009, "13", "vintages 2010 through"},
		{LayerTract, 2018, "GA", "two-digit FIPS"},
	} {
		_, err := BoundaryPath(bad.layer, bad.year, bad.state)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("BoundaryPath(%s, %d, %s) error = %v; want it to say %q", bad.layer, bad.year, bad.state, err, bad.want)
		}
	}
}

// TestLoadBoundaryCounty fetches the real Georgia tract zip from the fake
// Bureau server, keeps Fulton County, and reruns offline from the cache.
// 204 Fulton tracts: ../shared/data/atlanta/SOURCES.md ("Fulton 204").
func TestLoadBoundaryCounty(t *testing.T) {
	srv := newFakeBoundaries(t, realZips)
	cache := t.TempDir()
	spec := BoundarySpec{Layer: LayerTract, Year: 2018, State: "13", Counties: []string{"121"}}
	lb, err := LoadBoundary(context.Background(), srv.files(t, cache, false), "tract", spec)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(lb.Layer.Features); got != 204 {
		t.Errorf("Fulton tracts = %d, want 204", got)
	}
	for _, f := range lb.Layer.Features {
		if !strings.HasPrefix(f.ID, "13121") || f.Props["GEOID"] != f.ID {
			t.Fatalf("feature %s (GEOID prop %v) is not a Fulton GEOID", f.ID, f.Props["GEOID"])
		}
	}
	want := "41f6108e4dae89710954a4e5b508c069cecee3e3d77a42420c2cb01911741483" // sha256sum of the Bureau's zip
	if lb.Files[0].SHA256 != want || lb.Files[0].Cached {
		t.Errorf("first fetch: sha256 %s cached %v; want %s, downloaded", lb.Files[0].SHA256, lb.Files[0].Cached, want)
	}
	if !strings.HasSuffix(filepath.ToSlash(lb.Files[0].Path), "GENZ2018/shp/cb_2018_13_tract_500k.zip") {
		t.Errorf("cache path %s does not mirror the Bureau's layout", lb.Files[0].Path)
	}
	// offline rerun: no request, same features
	before := len(srv.reqs)
	lb2, err := LoadBoundary(context.Background(), srv.files(t, cache, true), "tract", spec)
	if err != nil {
		t.Fatalf("offline rerun: %v", err)
	}
	if len(srv.reqs) != before || !lb2.Files[0].Cached || len(lb2.Layer.Features) != 204 {
		t.Errorf("offline rerun made %d requests, cached=%v, %d features", len(srv.reqs)-before, lb2.Files[0].Cached, len(lb2.Layer.Features))
	}
	// DeKalb from the same cached state file: 145 tracts
	spec.Counties = []string{"089"}
	lb3, err := LoadBoundary(context.Background(), srv.files(t, cache, true), "tract", spec)
	if err != nil || len(lb3.Layer.Features) != 145 {
		t.Errorf("DeKalb offline: %v, %d features; want 145", err, len(lb3.Layer.Features))
	}
	// both counties: 349 tracts (SOURCES.md)
	spec.Counties = []string{"121", "089"}
	lb4, err := LoadBoundary(context.Background(), srv.files(t, cache, true), "tract", spec)
	if err != nil || len(lb4.Layer.Features) != 349 {
		t.Errorf("Fulton and DeKalb offline: %v, %d features; want 349", err, len(lb4.Layer.Features))
	}
}

func TestFilesFaults(t *testing.T) {
	tests := []struct {
		name     string
		fault    func(path string, n int) string
		spec     BoundarySpec
		wantErr  string
		alsoErr  []string // the error says these too
		notErr   string   // and never this
		wantReqs int
		resumed  bool
	}{
		{name: "5xx then success", fault: func(_ string, n int) string {
			if n <= 2 {
				return "500"
			}
			return ""
		}, spec: BoundarySpec{Layer: LayerTract, Year: 2018, State: "39", Counties: []string{"049"}}, wantReqs: 3},
		{name: "truncated body resumes with a range", fault: func(_ string, n int) string {
			if n == 1 {
				return "truncate"
			}
			return ""
		}, spec: BoundarySpec{Layer: LayerTract, Year: 2018, State: "39"}, wantReqs: 2, resumed: true},
		{name: "404 is not retried", spec: BoundarySpec{Layer: LayerTract, Year: 2017, State: "39"},
			wantErr: "HTTP 404: the Bureau publishes no such file", wantReqs: 1},
		// Giving up says where a copy of the file goes (the user may
		// have one, or can fetch it elsewhere), and mentions a partial
		// download only when there is one.
		{name: "server down gives up", fault: func(string, int) string { return "500" },
			spec: BoundarySpec{Layer: LayerTract, Year: 2018, State: "39"}, wantErr: "gave up after 5 attempts: HTTP 503. Without a connection", // the fake answers 503 for "500"
			alsoErr: []string{"put a copy of the file published at https://www2.census.gov/geo/tiger/GENZ2018/shp/cb_2018_39_tract_500k.zip at ",
				filepath.Join("GENZ2018", "shp", "cb_2018_39_tract_500k.zip") + " (it is checked as a download is)"},
			notErr: "kept", wantReqs: 5},
		{name: "cut off every time keeps the bytes", fault: func(string, int) string { return "truncate" },
			spec: BoundarySpec{Layer: LayerTract, Year: 2018, State: "39"}, wantErr: "gave up after 5 attempts: download cut off",
			alsoErr: []string{"bytes downloaded are kept in ", ".part and resumed next time"}, wantReqs: 5},
		{name: "pinned checksum mismatch", spec: BoundarySpec{Layer: LayerTract, Year: 2018, State: "39", SHA256: strings.Repeat("0", 64)},
			wantErr: "the pipeline file pins", wantReqs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeBoundaries(t, realZips)
			srv.fault = tt.fault
			cache := t.TempDir()
			lb, err := LoadBoundary(context.Background(), srv.files(t, cache, false), "tract", tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want it to say %q", err, tt.wantErr)
				}
				for _, w := range tt.alsoErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("err = %v; want it to say %q", err, w)
					}
				}
				if tt.notErr != "" && strings.Contains(err.Error(), tt.notErr) {
					t.Errorf("err = %v; want it not to say %q", err, tt.notErr)
				}
				if n := strings.Count(err.Error(), "census files:"); n != 1 {
					t.Errorf("err = %v; says \"census files:\" %d times, want once", err, n)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(srv.reqs) != tt.wantReqs {
				t.Errorf("requests = %d (%v), want %d", len(srv.reqs), srv.reqs, tt.wantReqs)
			}
			if tt.resumed && !strings.HasPrefix(strings.SplitN(srv.reqs[1], " ", 2)[1], "bytes=") {
				t.Errorf("second request %q did not resume with a Range header", srv.reqs[1])
			}
			if err == nil {
				if lb.Files[0].SHA256 != "202d6182d8d85f5cdf1dc2b3c8d222b337f5d01bfca1a8397651f44516e529c2" {
					t.Errorf("sha256 = %s, want the Bureau zip's", lb.Files[0].SHA256)
				}
				if _, err := os.Stat(lb.Files[0].Path + ".part"); !errors.Is(err, os.ErrNotExist) {
					t.Errorf(".part file left behind: %v", err)
				}
			} else if _, err := os.Stat(filepath.Join(cache, "GENZ2018", "shp", "cb_2018_39_tract_500k.zip")); err == nil {
				t.Error("a failed download left a file in the cache")
			}
		})
	}
}

func TestFilesOfflineMissAndDamage(t *testing.T) {
	srv := newFakeBoundaries(t, realZips)
	cache := t.TempDir()
	spec := BoundarySpec{Layer: LayerTract, Year: 2018, State: "39"}
	_, err := LoadBoundary(context.Background(), srv.files(t, cache, true), "tract", spec)
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "run once without --offline") || len(srv.reqs) != 0 {
		t.Fatalf("offline miss: err = %v, %d requests; want ErrOffline saying what to run, no request", err, len(srv.reqs))
	}
	if _, err := LoadBoundary(context.Background(), srv.files(t, cache, false), "tract", spec); err != nil {
		t.Fatal(err)
	}
	// damage the cached zip: the checksum catches it and it is downloaded again
	p := filepath.Join(cache, "GENZ2018", "shp", "cb_2018_39_tract_500k.zip")
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 0xff
	os.WriteFile(p, b, 0o644)
	_, err = LoadBoundary(context.Background(), srv.files(t, cache, true), "tract", spec)
	if !errors.Is(err, ErrOffline) {
		t.Errorf("offline with a damaged cache file: err = %v; want it refused as not cached", err)
	}
	lb, err := LoadBoundary(context.Background(), srv.files(t, cache, false), "tract", spec)
	if err != nil || lb.Files[0].Cached || len(lb.Layer.Features) != 2948 {
		t.Errorf("damaged cache: err %v; want a fresh download of the 2,948 Ohio tracts", err)
	}
	rec, _ := os.Open(p + ".sha256")
	line, _ := bufio.NewReader(rec).ReadString('\n')
	rec.Close()
	if !strings.HasPrefix(line, "202d6182") {
		t.Errorf(".sha256 file = %q", line)
	}
}

func TestParseLayer(t *testing.T) {
	for in, want := range map[string]Layer{"tract": LayerTract, "Block Group": LayerBlockGroup, "cousub": LayerCountySub,
		"school-district-unified": LayerUnified, "sldl": LayerStateLower, "zcta": LayerZCTA} {
		if got, err := ParseLayer(in); err != nil || got != want {
			t.Errorf("ParseLayer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestFilesPlacedByHand: a copy of the Bureau's zip that a user puts in the
// cache (no .sha256 beside it) is used, offline too, once it passes the
// checks a download passes, and its SHA-256 is recorded; a copy that fails
// them is never deleted offline (an error names it, what is wrong and
// where the real file is) and is downloaded again online. An offline miss
// says where a copy would go.
func TestFilesPlacedByHand(t *testing.T) {
	srv := newFakeBoundaries(t, realZips)
	cache := t.TempDir()
	spec := BoundarySpec{Layer: LayerTract, Year: 2018, State: "39"}
	p := filepath.Join(cache, "GENZ2018", "shp", "cb_2018_39_tract_500k.zip")
	_, err := LoadBoundary(context.Background(), srv.files(t, cache, true), "tract", spec)
	if err == nil || !strings.Contains(err.Error(), "or put a copy of the file published there at "+p) || strings.Count(err.Error(), "not in the cache") != 1 {
		t.Errorf("offline miss: %v; want it said once, and where a copy goes", err)
	}
	real, err := os.ReadFile(realZips["/geo/tiger/GENZ2018/shp/cb_2018_39_tract_500k.zip"])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, real, 0o644)
	lb, err := LoadBoundary(context.Background(), srv.files(t, cache, true), "tract", spec)
	if err != nil || !lb.Files[0].Cached || len(lb.Layer.Features) != 2948 || len(srv.reqs) != 0 {
		t.Fatalf("offline, a copy put in the cache: err %v, %d requests; want its 2,948 Ohio tracts, no request", err, len(srv.reqs))
	}
	if rec, _ := os.ReadFile(p + ".sha256"); !strings.HasPrefix(string(rec), "202d6182") {
		t.Errorf(".sha256 file = %q, want the zip's SHA-256 recorded", rec)
	}

	// A copy cut short: refused offline and kept; downloaded again online.
	os.Remove(p + ".sha256")
	os.WriteFile(p, real[:len(real)/2], 0o644)
	_, err = LoadBoundary(context.Background(), srv.files(t, cache, true), "tract", spec)
	if err == nil || !strings.Contains(err.Error(), "the copy in the cache ("+p+") is not usable: not a zip file") || !strings.Contains(err.Error(), "replace it with the file published at https://www2.census.gov/geo/tiger/GENZ2018/shp/cb_2018_39_tract_500k.zip") {
		t.Errorf("offline, a copy cut short: %v; want it named, with what is wrong and where the file is published", err)
	}
	if b, _ := os.ReadFile(p); len(b) != len(real)/2 {
		t.Error("offline, the user's copy was deleted")
	}
	lb, err = LoadBoundary(context.Background(), srv.files(t, cache, false), "tract", spec)
	if err != nil || lb.Files[0].Cached || len(lb.Layer.Features) != 2948 || len(srv.reqs) != 1 {
		t.Errorf("online, a copy cut short: err %v, %d requests; want one fresh download", err, len(srv.reqs))
	}
}
