package pipeline

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// layers is the allow table of local imports (docs/architecture.md): a
// package (matched by its path in the module, "x/" meaning x's
// sub-packages) may import the local packages that one of may matches.
// Data flows cmd -> pipeline -> {pipeline/*, geo, reports/*}; no pipeline/*
// package imports pipeline; geo and reports never import pipeline, and geo
// never imports reports.
var layers = []struct {
	pkg string
	may []string
}{
	{"cmd/", []string{"cmd/", "pipeline", "pipeline/", "geo", "geo/", "reports", "reports/"}},
	{"pipeline", []string{"pipeline/", "geo", "geo/", "reports", "reports/"}},
	{"pipeline/", []string{"pipeline/", "geo", "geo/", "reports", "reports/", "internal/strarena"}},
	{"geo", []string{"geo/"}},
	{"geo/", []string{"geo", "geo/", "internal/strarena"}},
	{"reports", []string{"reports/", "geo", "geo/"}},
	{"reports/", []string{"reports", "reports/", "geo", "geo/"}},
	// internal/pyref runs the Python reference libraries for tests of
	// pipeline/stats and geo; internal/strarena makes the strings of Parquet
	// pages for geo/geoparquet and pipeline/store. Neither imports a local
	// package.
	{"internal/", []string{}},
}

// below lists, for the packages the runner's stages share, the local
// packages they must not import: the pipeline file and the results are read
// by the table, placement, computation and report packages, never the
// reverse, and results stay plain data the stage cache can save; the
// readers of pipeline/source know nothing of placement (pipeline/place,
// pipeline/place/contact) or the summaries built on them (pipeline/engage).
// The stage helpers that read the pipeline file and fill results
// (pipeline/censusread, pipeline/followup) sit above config and result;
// pipeline/census, the client, knows nothing of the pipeline file. The
// stage graph (pipeline/stagegraph) is derived from the pipeline file
// alone: it knows no stage's work. A pass's feed (pipeline/feed) carries
// tables between stages and knows none of them. The sedona engine's job package
// (pipeline/sedona) knows nothing of how a run places records or reads
// people: pipeline/sedona/gather, above it, builds its job from a run.
var below = map[string][]string{
	"pipeline/config":     {"pipeline/result", "pipeline/report", "pipeline/frame", "pipeline/tabulate", "pipeline/place", "pipeline/place/contact", "pipeline/engage", "pipeline/partition", "pipeline/censusread", "pipeline/followup"},
	"pipeline/result":     {"pipeline/report", "pipeline/frame", "pipeline/tabulate", "pipeline/place", "pipeline/partition", "pipeline/censusread", "pipeline/followup"},
	"pipeline/source":     {"pipeline/config", "pipeline/result", "pipeline/place", "pipeline/place/contact", "pipeline/engage", "pipeline/report", "pipeline/censusread", "pipeline/followup"},
	"pipeline/census":     {"pipeline/config", "pipeline/result", "pipeline/censusread"},
	"pipeline/stagegraph": {"pipeline/result", "pipeline/report", "pipeline/frame", "pipeline/tabulate", "pipeline/place", "pipeline/sedona", "pipeline/stagecache"},
	"pipeline/feed":       {"pipeline/config", "pipeline/result", "pipeline/source", "pipeline/place", "pipeline/tabulate", "pipeline/report", "pipeline/stagegraph"},
	"pipeline/sedona":     {"pipeline/sedona/gather", "pipeline/place", "pipeline/place/contact", "pipeline/engage", "pipeline/source"},
}

// matches reports whether path is matched by pattern: "x" is x itself, "x/"
// any package below x.
func matches(pattern, path string) bool {
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(path, pattern)
	}
	return path == pattern
}

// TestImportDirections keeps the architecture of docs/architecture.md with
// the allow table layers (and below), and checks that only pipeline/census
// reaches the network (geo/geobench may pick a loopback port for its local
// PostgreSQL peer). It reads `go list -json ./...` (direct imports of
// non-test code).
func TestImportDirections(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "github.com/groundwork-org/groundwork/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	const mod = "github.com/groundwork-org/groundwork/"
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		n++
		pkg := strings.TrimPrefix(p.ImportPath, mod)
		var may []string
		for _, l := range layers {
			if matches(l.pkg, pkg) {
				may = l.may
			}
		}
		if may == nil {
			t.Errorf("%s is in no layer of the allow table; add it to layers (and docs/architecture.md)", pkg)
		}
		for _, imp := range p.Imports {
			switch {
			case strings.HasPrefix(imp, mod):
				local := strings.TrimPrefix(imp, mod)
				ok := false
				for _, m := range may {
					ok = ok || matches(m, local)
				}
				if !ok {
					t.Errorf("%s imports %s: the layers allow it only %s", pkg, local, strings.Join(may, ", "))
				}
				for _, b := range below[pkg] {
					if local == b {
						t.Errorf("%s imports %s, which builds on it", pkg, local)
					}
				}
			case imp == "net" && pkg == "geo/geobench":
				// allowed: picks a free loopback port for the benchmark's
				// throwaway PostgreSQL cluster on 127.0.0.1
			case (imp == "net/http" || imp == "net") && pkg != "pipeline/census":
				t.Errorf("%s imports %s: only pipeline/census reaches the network", pkg, imp)
			}
		}
	}
	if n < 10 {
		t.Errorf("go list found %d packages; the test is not looking at the module", n)
	}
}
