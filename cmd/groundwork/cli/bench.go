package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/groundwork-org/groundwork/geo/geobench"
)

const benchUsage = `Usage: groundwork bench join [--data DIR] [--points N] [--peers] [--peer-points N]

Measures groundwork's points-in-polygons join against the tools analysts use
today, in one run, on the same deterministic points over real tracts: 1M points
over Alameda County's 360 tracts and 10M over Ohio's 2,948. Run from the
repository's folder it finds both files in the repository itself; a workload
whose file is not there is skipped, saying so. With --peers it also
runs GeoPandas sjoin (Debian python3-geopandas python3-rtree, /usr/bin/python3)
and PostGIS ST_Contains with a GiST index (Debian postgresql-15-postgis-3, on a
throwaway cluster on 127.0.0.1); a peer that is not installed is skipped with a
message. Prints points per second per engine, the ratios and the agreement.
docs/benchmarks.md holds measured figures.

Examples:
  groundwork bench join --data ../shared/data
  groundwork bench join --data ../shared/data --peers --peer-points 200000

Flags:
`

// repoCopy is where a clone of the repository keeps the workloads' files,
// from its root folder.
var repoCopy = map[string]string{
	"alameda_tracts_2010.geojson": filepath.Join("pipeline", "demo", "oakland", "alameda_tracts_2010.geojson"),
	"cb_2018_39_tract_500k.zip":   filepath.Join("geo", "testdata", "cb_2018_39_tract_500k.zip"),
}

func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	data := fs.String("data", "../shared/data", "`folder` holding oakland/alameda_tracts_2010.geojson and census/cb_2018_39_tract_500k.zip")
	points := fs.Int("points", 0, "points per workload (default: 1M for Alameda, 10M for Ohio)")
	peers := fs.Bool("peers", false, "also run GeoPandas and PostGIS")
	peerPoints := fs.Int("peer-points", 0, "points given to each peer (default 1,000,000)")
	workers := fs.Int("workers", 0, "worker goroutines (default: all cores)")
	fs.Usage = func() { fmt.Fprint(fs.Output(), benchUsage); fs.PrintDefaults() }
	if code, ok := parseSubcommand(fs, args, "join"); !ok {
		return code
	}
	var wl []geobench.Workload
	for _, w := range geobench.DefaultWorkloads(*data) {
		if _, err := os.Stat(w.Boundary); err != nil {
			// a fresh clone has its own copies of both files
			if alt := repoCopy[filepath.Base(w.Boundary)]; alt != "" {
				if _, err := os.Stat(alt); err == nil {
					w.Boundary = alt
				}
			}
		}
		if _, err := os.Stat(w.Boundary); err != nil {
			fmt.Fprintf(stdout, "skipped workload %s: %s is not there (give --data the folder that holds it)\n", w.Name, w.Boundary)
			continue
		}
		wl = append(wl, w)
	}
	if len(wl) == 0 {
		fmt.Fprintln(stderr, "groundwork bench: no workload has its data; run from the repository's folder, or give --data")
		return ExitFailure
	}
	if *points > 0 {
		for i := range wl {
			wl[i].Points = *points
		}
	}
	opts := geobench.Options{Workloads: wl, PeerPoints: *peerPoints, GeoPandas: *peers, PostGIS: *peers, Workers: *workers}
	if err := geobench.Run(ctx, opts, stdout); err != nil {
		fmt.Fprintf(stderr, "groundwork bench: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}
