package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/groundwork-org/groundwork/geo/geobench"
	"github.com/groundwork-org/groundwork/pipeline/jobbench"
)

const benchUsage = `Usage: groundwork bench join|job|all [--data DIR] [--points N] [--peers] [--python PATH]
       groundwork bench job [--workload NAME] --baseline OLD-BINARY --repeat N

join measures groundwork's points-in-polygons join alone against the tools
analysts use today, in one run, on the same deterministic points over real
tracts: 1M points over Alameda County's 360 tracts and 10M over Ohio's 2,948.
With --peers it also runs DuckDB spatial's and SedonaDB's ST_Contains joins
(on every point) and GeoPandas sjoin (on --peer-points), from the Python of
the repository's .venv (scripts/setup-python.sh; --python or
$GROUNDWORK_PYTHON), and PostGIS ST_Contains with a GiST index (Debian
postgresql-15-postgis-3, on a throwaway cluster on 127.0.0.1). A peer that is
not installed is skipped with a message. Run from the repository's folder, both
commands find the workloads' files in the repository itself; a workload whose
file is not there is skipped, saying so.

job runs the whole job end to end (a CSV of points -> placed in tracts ->
count and median of a column per tract and per county -> Parquet) with this
groundwork binary and, with --peers, DuckDB spatial, SedonaDB and GeoPandas,
each in its own process, and checks that they agree. With --baseline, an
earlier groundwork binary runs on the same inputs, alternating with this one
--repeat times, and the CPU and peak memory ratio of the two is printed.

all runs join, then job. Each prints, per engine, points per second, CPU
seconds, peak resident memory and the ratios; docs/benchmarks.md holds
measured figures.

Examples:
  groundwork bench join --data ../shared/data
  groundwork bench all --data ../shared/data --peers --python .venv/bin/python

Flags:
`

// repoCopy is where a clone of the repository keeps the workloads' files,
// from its root folder.
var repoCopy = map[string]string{
	"alameda_tracts_2010.geojson": filepath.Join("pipeline", "demo", "oakland", "alameda_tracts_2010.geojson"),
	"cb_2018_39_tract_500k.zip":   filepath.Join("geo", "testdata", "cb_2018_39_tract_500k.zip"),
}

const noWorkload = "groundwork bench: no workload has its data; run from the repository's folder, or give --data"

// boundaryFile returns the workload's boundary file, or the repository's own
// copy of it, or "" after saying on w that the workload is skipped.
func boundaryFile(name, path string, w io.Writer) string {
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if alt := repoCopy[filepath.Base(path)]; alt != "" {
		if _, err := os.Stat(alt); err == nil {
			return alt
		}
	}
	fmt.Fprintf(w, "skipped workload %s: %s is not there (give --data the folder that holds it)\n", name, path)
	return ""
}

func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	data := fs.String("data", "../shared/data", "`folder` holding oakland/alameda_tracts_2010.geojson and census/cb_2018_39_tract_500k.zip")
	points := fs.Int("points", 0, "points per workload (default: 1M for Alameda, 10M for Ohio)")
	peers := fs.Bool("peers", false, "also run the peers (DuckDB spatial, SedonaDB, GeoPandas; PostGIS for join)")
	peerPoints := fs.Int("peer-points", 0, "join: points given to GeoPandas and PostGIS (default 1,000,000)")
	python := fs.String("python", os.Getenv("GROUNDWORK_PYTHON"), "the Python `interpreter` with the peers' packages (default: .venv/bin/python)")
	workers := fs.Int("workers", 0, "join: worker goroutines (default: all cores)")
	baseline := fs.String("baseline", "", "job: another groundwork `binary` (an earlier build) run on the same inputs, alternating with this one, for a before/after ratio")
	repeat := fs.Int("repeat", 1, "job: runs of groundwork (and of --baseline) per workload, interleaved")
	only := fs.String("workload", "", "run only the workload of this `name` (alameda-1M or ohio-10M)")
	fs.Usage = func() { fmt.Fprint(fs.Output(), benchUsage); fs.PrintDefaults() }
	which := ""
	if len(args) > 0 {
		which = args[0]
	}
	if which != "join" && which != "job" && which != "all" {
		which = "join" // parseSubcommand prints the usage
	}
	if code, ok := parseSubcommand(fs, args, which); !ok {
		return code
	}
	if *python == "" {
		*python = ".venv/bin/python"
	}
	if which == "join" || which == "all" {
		var wl []geobench.Workload
		for _, w := range geobench.DefaultWorkloads(*data) {
			if *only != "" && w.Name != *only {
				continue
			}
			if w.Boundary = boundaryFile(w.Name, w.Boundary, stdout); w.Boundary != "" {
				wl = append(wl, w)
			}
		}
		if len(wl) == 0 {
			fmt.Fprintln(stderr, noWorkload)
			return ExitFailure
		}
		for i := range wl {
			if *points > 0 {
				wl[i].Points = *points
			}
		}
		opts := geobench.Options{Workloads: wl, PeerPoints: *peerPoints, GeoPandas: *peers, PostGIS: *peers, DuckDB: *peers, SedonaDB: *peers, Python: *python, Workers: *workers}
		fmt.Fprintf(stdout, "# The join alone\n\n")
		if err := geobench.Run(ctx, opts, stdout); err != nil {
			fmt.Fprintf(stderr, "groundwork bench: %v\n", err)
			return ExitFailure
		}
	}
	if which == "job" || which == "all" {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintf(stderr, "groundwork bench: %v\n", err)
			return ExitFailure
		}
		var wl []jobbench.Workload
		for _, w := range jobbench.DefaultWorkloads(*data) {
			if *only != "" && w.Name != *only {
				continue
			}
			if w.Boundary = boundaryFile(w.Name, w.Boundary, stdout); w.Boundary != "" {
				wl = append(wl, w)
			}
		}
		if len(wl) == 0 {
			fmt.Fprintln(stderr, noWorkload)
			return ExitFailure
		}
		for i := range wl {
			if *points > 0 {
				wl[i].Points = *points
			}
		}
		opts := jobbench.Options{Workloads: wl, Groundwork: []string{exe}, Repeat: *repeat}
		if *baseline != "" {
			opts.Baseline = []string{*baseline}
		}
		if *peers {
			opts.Python = *python
		}
		fmt.Fprintf(stdout, "# The whole job\n\n")
		if err := jobbench.Run(ctx, opts, stdout); err != nil {
			fmt.Fprintf(stderr, "groundwork bench: %v\n", err)
			return ExitFailure
		}
	}
	return ExitOK
}
