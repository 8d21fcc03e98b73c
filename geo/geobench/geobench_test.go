package geobench

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
)

var dataDir = flag.String("data", "../../../shared/data", "the shared data folder (with oakland/ and census/) for -full")

var full = flag.Bool("full", false, "run the full benchmark workloads of issue 4 with the peers, printing the report (minutes; for docs/benchmarks.md)")

// TestRunSmall runs a small workload over the real Alameda tracts without
// peers and checks the report's shape (nothing here is timed).
func TestRunSmall(t *testing.T) {
	var buf bytes.Buffer
	opts := Options{Workloads: []Workload{{Name: "alameda-small", Boundary: "../testdata/alameda_tracts_2010.geojson", IDProp: "GEOID", Points: 20000, Seed: 1, EdgeEvery: 100}}, Workers: 2}
	if err := Run(context.Background(), opts, &buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## alameda-small: 20000 points over 360 polygons", "| groundwork LocateAll, 1 worker(s) |", "| groundwork LocateAll, 2 worker(s) |", "| groundwork JoinPoints streaming, 2 worker(s) |", "LocateAll speedup, 2 workers over 1"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestPeersSkippedWhenMissing(t *testing.T) {
	var buf bytes.Buffer
	opts := Options{Workloads: []Workload{{Name: "w", Boundary: "../testdata/alameda_tracts_2010.geojson", IDProp: "GEOID", Points: 1000, Seed: 1}},
		GeoPandas: true, PostGIS: true, Python: "/nonexistent/python3", PGBin: "/nonexistent/pg", TempDir: t.TempDir()}
	if err := Run(context.Background(), opts, &buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GeoPandas skipped: /nonexistent/python3 not installed (Debian: apt-get install python3-geopandas", "PostGIS skipped: /nonexistent/pg/initdb not installed (Debian: apt-get install postgresql-15-postgis-3)"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestFull is the measurement behind docs/benchmarks.md:
//
//	go test ./geo/geobench -run TestFull -full -data /work/shared/data -timeout 2h -v
func TestFull(t *testing.T) {
	if !*full {
		t.Skip("run with -full")
	}
	python := os.Getenv("GROUNDWORK_PYTHON")
	if python == "" {
		python = "../../.venv/bin/python"
	}
	opts := Options{Workloads: DefaultWorkloads(*dataDir), GeoPandas: true, PostGIS: true, DuckDB: true, SedonaDB: true, Python: python}
	if err := Run(context.Background(), opts, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

func ExampleRun() {
	opts := Options{Workloads: []Workload{{Name: "alameda", Boundary: "../testdata/alameda_tracts_2010.geojson", IDProp: "GEOID", Points: 1000, Seed: 1}}}
	var buf bytes.Buffer
	if err := Run(context.Background(), opts, &buf); err != nil {
		panic(err)
	}
	// The report holds timings, so only its heading is stable.
	os.Stdout.WriteString(strings.Split(buf.String(), "\n")[2] + "\n")
	// Output:
	// ## alameda: 1000 points over 360 polygons of alameda_tracts_2010.geojson
}

// TestModernPeers runs DuckDB spatial and SedonaDB on a small workload and
// checks that they agree with groundwork off the edges. It needs the
// repository's .venv (scripts/setup-python.sh): skipped without it, failed
// without it when CI=true.
func TestModernPeers(t *testing.T) {
	python := os.Getenv("GROUNDWORK_PYTHON")
	if python == "" {
		python = "../../.venv/bin/python"
	}
	if _, err := os.Stat(python); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: %v (CI needs scripts/setup-python.sh)", python, err)
		}
		t.Skipf("%s: %v (run scripts/setup-python.sh)", python, err)
	}
	var buf bytes.Buffer
	opts := Options{Workloads: []Workload{{Name: "alameda-small", Boundary: "../testdata/alameda_tracts_2010.geojson", IDProp: "GEOID", Points: 20000, Seed: 1, EdgeEvery: 100}},
		DuckDB: true, SedonaDB: true, Python: python, TempDir: t.TempDir(), Workers: 2}
	if err := Run(context.Background(), opts, &buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| DuckDB spatial ST_Contains join | DuckDB 1.5.5, spatial ",
		"| SedonaDB ST_Contains join | SedonaDB 0.5.0 |",
		"- DuckDB spatial ST_Contains join: 19800 of 20000 points agree; 200 differ on points exactly on an edge (excepted); 0 differ elsewhere",
		"- SedonaDB ST_Contains join: 19800 of 20000 points agree; 200 differ on points exactly on an edge (excepted); 0 differ elsewhere",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}
