package census

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is a fake Census Data API on httptest. Data requests are answered
// from the real Alameda County ACS 2018 tract file (testdata/
// alameda_acs5_2018_tracts.json) for 2018 and 2019 (2019 serves the same
// numbers: only its metadata differs); metadata comes from
// testdata/fakeapi. It checks the key, the 50-variable limit, variable names
// and for/in clauses like the real API, and a test can inject failures with
// the inject hook.
type fakeAPI struct {
	t      testing.TB
	srv    *httptest.Server
	key    string
	data   *Table
	mu     sync.Mutex
	calls  []string // request URIs in order (with key removed)
	inject func(n int, w http.ResponseWriter, r *http.Request) bool
	n      int
}

const testKey = "k3y-SECRET-0123456789abcdef"

func newFakeAPI(t testing.TB) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, key: testKey, data: decodeAlameda(t)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) client(t testing.TB, cfg Config) *Client {
	cfg.BaseURL = f.srv.URL + "/data"
	cfg.HTTP = f.srv.Client()
	if cfg.Key == "" {
		cfg.Key = testKey
	}
	if cfg.Sleep == nil {
		cfg.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	}
	return NewClient(cfg)
}

func (f *fakeAPI) dataCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if !strings.HasSuffix(strings.SplitN(c, "?", 2)[0], ".json") {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := q.Get("key")
	q.Del("key")
	f.mu.Lock()
	f.n++
	n := f.n
	uri := r.URL.Path
	if len(q) > 0 {
		uri += "?" + q.Encode()
	}
	f.calls = append(f.calls, uri)
	inject := f.inject
	f.mu.Unlock()
	if inject != nil && inject(n, w, r) {
		return
	}
	if key == "" {
		http.Redirect(w, r, "/data/missing_key.html", http.StatusFound)
		return
	}
	if key != f.key {
		http.Redirect(w, r, "/data/invalid_key.html", http.StatusFound)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/data/")
	if strings.HasSuffix(path, ".json") {
		b, err := os.ReadFile(filepath.Join("testdata", "fakeapi", filepath.FromSlash(path)))
		if err != nil {
			http.Error(w, "404 page not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	}
	if path != "2018/acs/acs5" && path != "2019/acs/acs5" {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	f.answer(w, q)
}

func apiError(w http.ResponseWriter, msg string) {
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprint(w, msg)
}

// answer serves a data request from the Alameda table.
func (f *fakeAPI) answer(w http.ResponseWriter, q url.Values) {
	get := strings.Split(q.Get("get"), ",")
	if len(get) > MaxVariables {
		apiError(w, "error: Requested too many variables. The maximum is 50.")
		return
	}
	var cols []*Column
	for _, g := range get {
		if strings.HasPrefix(g, "group(") {
			grp := strings.TrimSuffix(strings.TrimPrefix(g, "group("), ")")
			for _, c := range f.data.Columns {
				if strings.HasPrefix(c.Name, grp+"_") {
					cols = append(cols, c)
					// Annotation column of the estimate, all null
					// (the fake has no annotation data).
					if c.Kind == KindEstimate {
						cols = append(cols, &Column{Name: c.Name + "A", Kind: KindAnnotation, Raw: make([]string, f.data.Len()), Null: trueSlice(f.data.Len())})
					}
				}
			}
			continue
		}
		c := f.data.Column(g)
		if c == nil {
			apiError(w, fmt.Sprintf("error: error: unknown variable '%s'", g))
			return
		}
		cols = append(cols, c)
	}
	forLevel, forCodes, _ := strings.Cut(q.Get("for"), ":")
	in, err := parseClauses(q.Get("in"))
	if err != nil {
		apiError(w, "error: invalid 'in' argument")
		return
	}
	want := map[string]map[string]bool{}
	for _, cl := range in {
		if cl.codes != "*" {
			want[cl.level] = setOf(strings.Split(cl.codes, ","))
		}
	}
	if forCodes != "*" {
		want[forLevel] = setOf(strings.Split(forCodes, ","))
	}
	var geoCols []string
	switch forLevel {
	case "tract":
		geoCols = []string{"state", "county", "tract"}
		if len(in) == 0 || in[0].level != "state" {
			apiError(w, "error: unknown/unsupported geography heirarchy")
			return
		}
	case "county":
		geoCols = []string{"state", "county"}
	default:
		apiError(w, "error: unknown/unsupported geography heirarchy")
		return
	}
	header := append(append([]string(nil), namesOf(cols)...), geoCols...)
	rows := [][]*string{}
	seen := map[string]bool{}
	for i := 0; i < f.data.Len(); i++ {
		ok := true
		for lvl, set := range want {
			c := f.data.Column(lvl)
			if c == nil || !set[c.Text(i)] {
				ok = false
			}
		}
		if !ok {
			continue
		}
		var key []string
		row := []*string{}
		for _, c := range cols {
			if forLevel == "county" && c.Name == "NAME" {
				v := "Alameda County, California"
				row = append(row, &v)
				continue
			}
			if c.Null[i] {
				row = append(row, nil)
			} else {
				v := c.Text(i)
				row = append(row, &v)
			}
		}
		for _, g := range geoCols {
			v := f.data.Column(g).Text(i)
			key = append(key, v)
			row = append(row, &v)
		}
		k := strings.Join(key, "/")
		if seen[k] {
			continue
		}
		seen[k] = true
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// The API answers in no particular order; reverse to make sure callers
	// do not depend on it.
	for a, b := 0, len(rows)-1; a < b; a, b = a+1, b-1 {
		rows[a], rows[b] = rows[b], rows[a]
	}
	out := []any{header}
	for _, r := range rows {
		out = append(out, r)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	json.NewEncoder(w).Encode(out)
}

func trueSlice(n int) []bool {
	s := make([]bool, n)
	for i := range s {
		s[i] = true
	}
	return s
}

func setOf(s []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return m
}

func namesOf(cols []*Column) []string {
	var out []string
	for _, c := range cols {
		out = append(out, c.Name)
	}
	return out
}
