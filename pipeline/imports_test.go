package pipeline

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirections keeps the architecture of ../shared/STYLE.md: data
// flows cmd -> pipeline -> {pipeline/*, geo, reports/*}; no pipeline/*
// package imports pipeline; geo and reports never import pipeline; only
// pipeline/census reaches the network (geo/geobench may pick a loopback
// port for its local PostgreSQL peer). It reads `go list -json ./...` (direct
// imports of non-test code).
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
		for _, imp := range p.Imports {
			local := strings.TrimPrefix(imp, mod)
			isLocal := strings.HasPrefix(imp, mod)
			switch {
			case isLocal && local == "pipeline" && strings.HasPrefix(pkg, "pipeline/"):
				t.Errorf("%s imports pipeline: sub-packages must not import the runner", pkg)
			case isLocal && (local == "pipeline" || strings.HasPrefix(local, "pipeline/")) && (pkg == "geo" || strings.HasPrefix(pkg, "geo/") || strings.HasPrefix(pkg, "reports")):
				t.Errorf("%s imports %s: geo and reports never import pipeline", pkg, local)
			case isLocal && strings.HasPrefix(local, "cmd") && !strings.HasPrefix(pkg, "cmd"):
				t.Errorf("%s imports %s: only cmd imports cmd", pkg, local)
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
