package jobbench

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var (
	full    = flag.Bool("full", false, "run the full job workloads of issue 14 with every engine, printing the report (minutes; for docs/benchmarks.md)")
	dataDir = flag.String("data", "../../../shared/data", "the shared data folder (with oakland/ and census/) for -full")
)

// python is the repository's .venv interpreter; the test is skipped without
// it, and fails without it when CI=true.
func python(t *testing.T) string {
	p := os.Getenv("GROUNDWORK_PYTHON")
	if p == "" {
		p = "../../.venv/bin/python"
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: %v (CI needs scripts/setup-python.sh)", p, err)
		}
		t.Skipf("%s: %v (run scripts/setup-python.sh)", p, err)
	}
	abs, _ := filepath.Abs(p)
	return abs
}

// groundwork builds the command under test.
func groundwork(t *testing.T) string {
	exe := filepath.Join(t.TempDir(), "groundwork")
	cmd := exec.Command("go", "build", "-o", exe, "../../cmd/groundwork")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

// TestJobAgreesSmall runs the job on 20,000 generated points over the real
// Alameda tracts with groundwork and the three peers, and checks that every
// peer's counts and medians per tract and per county equal groundwork's
// (uniform points land on an edge with probability zero, so the boundary
// rules cannot differ here).
func TestJobAgreesSmall(t *testing.T) {
	py := python(t)
	var buf bytes.Buffer
	opts := Options{Workloads: []Workload{{Name: "alameda-small", Boundary: "../../geo/testdata/alameda_tracts_2010.geojson", IDProp: "GEOID", Points: 20000, Seed: 1}},
		Groundwork: []string{groundwork(t)}, Python: py, TempDir: t.TempDir()}
	if err := Run(context.Background(), opts, &buf); err != nil {
		t.Fatal(err)
	}
	// 349 of the 360 tracts get points (the others are small or water).
	const agreeing = " vs groundwork run: 349 tracts, 0 with other counts, 0 other medians; 1 counties, 0 other counts, 0 other medians\n"
	for _, want := range []string{
		"| groundwork run | this build | 20000 |",
		"- DuckDB spatial" + agreeing,
		"- SedonaDB" + agreeing,
		"- GeoPandas" + agreeing,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestFull is the measurement behind docs/benchmarks.md:
//
//	go test ./pipeline/jobbench -run TestFull -full -data /work/shared/data -timeout 2h -v
func TestFull(t *testing.T) {
	if !*full {
		t.Skip("run with -full")
	}
	opts := Options{Workloads: DefaultWorkloads(*dataDir), Groundwork: []string{groundwork(t)}, Python: python(t)}
	if err := Run(context.Background(), opts, os.Stdout); err != nil {
		t.Fatal(err)
	}
}
