// Package geobench is the engine of `groundwork bench join`: it builds
// deterministic points over real polygons and places them with groundwork's
// join (geo.JoinPoints) and, in the same run and on the same points, with the
// tools analysts use today: GeoPandas sjoin (predicate "within") and PostGIS
// ST_Contains with a GiST index, in its default plan and in the
// polygons-outer plan, DuckDB spatial's ST_Contains join (its R-tree
// SPATIAL_JOIN) and SedonaDB's. It reports points per second per engine, the ratios,
// the versions, and how far each peer agrees with groundwork.
//
// Peers are optional: a peer that is not installed is skipped with a message
// saying what to install. Nothing here is timed in tests; the figures are
// measurements for docs/benchmarks.md.
package geobench

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/paulmach/orb"
)

// Workload is one benchmark: Points points over the polygons of Boundary.
type Workload struct {
	Name     string
	Boundary string // a boundary file geo.Read accepts
	IDProp   string
	Points   int
	Seed     uint64
	// EdgeEvery puts every EdgeEvery-th point exactly on a polygon vertex
	// (0: none), to exercise the boundary rule; the others are uniform over
	// the layer's bounding box.
	EdgeEvery int
}

// DefaultWorkloads are the workloads of issue 4, with boundary files under
// the shared data directory dataDir (../shared/data from the repository).
func DefaultWorkloads(dataDir string) []Workload {
	return []Workload{
		{Name: "alameda-1M", Boundary: filepath.Join(dataDir, "oakland", "alameda_tracts_2010.geojson"), IDProp: "GEOID", Points: 1_000_000, Seed: 1, EdgeEvery: 1000},
		{Name: "ohio-10M", Boundary: filepath.Join(dataDir, "census", "cb_2018_39_tract_500k.zip"), IDProp: "GEOID", Points: 10_000_000, Seed: 2, EdgeEvery: 1000},
	}
}

// Options configures Run. Zero fields take the defaults given.
type Options struct {
	Workloads []Workload
	// PeerPoints caps the points given to each peer (the first PeerPoints
	// of the same stream); peers' rates are compared with ours on the full
	// workload. 0 means 1,000,000.
	PeerPoints int
	// GeoPandas and PostGIS enable the peers given PeerPoints points.
	GeoPandas, PostGIS bool
	// DuckDB and SedonaDB enable the peers given every point of the
	// workload (they are fast enough), from the Python environment of the
	// repository's requirements.txt.
	DuckDB, SedonaDB bool
	// Python is the interpreter with the peers' packages; default
	// /usr/bin/python3.
	Python string
	// PGBin holds initdb, pg_ctl and psql; default
	// /usr/lib/postgresql/15/bin.
	PGBin string
	// TempDir is where point files and the throwaway PostgreSQL cluster
	// go; default os.TempDir(). Everything made there is removed.
	TempDir string
	// Workers is the worker count of the parallel run; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
}

// Result is one engine's measurement on one workload.
type Result struct {
	Engine  string
	Version string
	Points  int
	Seconds float64
	// CPUSeconds is the user+system CPU time of the timed part, all
	// threads (0: not measured).
	CPUSeconds float64
	// PeakRSSMiB is the peak resident memory of the peer's process (0:
	// not measured; groundwork runs in the benchmark's own process).
	PeakRSSMiB float64
	Note       string
}

// cpuPerPoint is CPU seconds per point, or 0 when not measured.
func (r Result) cpuPerPoint() float64 { return r.CPUSeconds / float64(r.Points) }

// Rate is points per second.
func (r Result) Rate() float64 { return float64(r.Points) / r.Seconds }

// points is the deterministic point stream of a workload.
type points struct {
	rng      *rand.Rand
	b        orb.Bound
	vertices []orb.Point
	every, i int
}

func newPoints(w Workload, l *geo.Layer) *points {
	p := &points{rng: rand.New(rand.NewPCG(w.Seed, 0x67726f756e64)), every: w.EdgeEvery}
	p.b = l.Features[0].Bound
	for _, f := range l.Features {
		p.b = p.b.Union(f.Bound)
		for _, poly := range f.Geom {
			for _, r := range poly {
				p.vertices = append(p.vertices, r[:len(r)-1]...)
			}
		}
	}
	return p
}

func (p *points) next() orb.Point {
	p.i++
	if p.every > 0 && p.i%p.every == 0 {
		return p.vertices[p.rng.IntN(len(p.vertices))]
	}
	return orb.Point{p.b.Min[0] + p.rng.Float64()*(p.b.Max[0]-p.b.Min[0]), p.b.Min[1] + p.rng.Float64()*(p.b.Max[1]-p.b.Min[1])}
}

// Run runs every workload of opts and writes a Markdown report to w.
func Run(ctx context.Context, opts Options, w io.Writer) error {
	if opts.PeerPoints <= 0 {
		opts.PeerPoints = 1_000_000
	}
	if opts.Python == "" {
		opts.Python = "/usr/bin/python3"
	}
	if opts.PGBin == "" {
		opts.PGBin = "/usr/lib/postgresql/15/bin"
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	fmt.Fprintf(w, "groundwork join benchmark: %s/%s, %d CPUs, GOMAXPROCS %d, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	for _, wl := range opts.Workloads {
		if err := runWorkload(ctx, opts, wl, w); err != nil {
			return fmt.Errorf("workload %s: %w", wl.Name, err)
		}
	}
	return nil
}

func runWorkload(ctx context.Context, opts Options, wl Workload, w io.Writer) error {
	l, err := geo.Read(ctx, wl.Name, wl.Boundary, wl.IDProp)
	if err != nil {
		return err
	}
	start := time.Now()
	idx := geo.NewIndex(l)
	build := time.Since(start)
	nPeer := min(opts.PeerPoints, wl.Points)
	fmt.Fprintf(w, "## %s: %d points over %d polygons of %s\n\n", wl.Name, wl.Points, len(l.Features), filepath.Base(wl.Boundary))
	fmt.Fprintf(w, "index build: %.1f ms; every %d-th point is a polygon vertex, the rest uniform over the bounding box\n\n", float64(build.Microseconds())/1000, wl.EdgeEvery)

	var results []Result
	// In memory, like the peers' tables: LocateAll on 1 and on all workers.
	gen := newPoints(wl, l)
	all := make([]orb.Point, wl.Points)
	for i := range all {
		all[i] = gen.next()
	}
	out := make([]int32, wl.Points)
	matched := func() string {
		m := 0
		for _, f := range out {
			if f != geo.Unmatched {
				m++
			}
		}
		return fmt.Sprintf("points in memory; %.1f%% matched", 100*float64(m)/float64(len(out)))
	}
	for _, workers := range []int{1, opts.Workers} {
		start, c0 := time.Now(), cpuSeconds()
		if err := geo.LocateAll(ctx, idx, all, out, workers); err != nil {
			return err
		}
		results = append(results, Result{Engine: fmt.Sprintf("groundwork LocateAll, %d worker(s)", workers), Version: runtime.Version(), Points: wl.Points, Seconds: time.Since(start).Seconds(), CPUSeconds: cpuSeconds() - c0, Note: matched()})
	}
	ours := out // our answers, for the agreement checks
	all = nil
	// Streaming: points generated on the fly by one goroutine, memory flat.
	{
		pts := newPoints(wl, l)
		n := 0
		next := func() (orb.Point, bool) {
			if n == wl.Points {
				return orb.Point{}, false
			}
			n++
			return pts.next(), true
		}
		start := time.Now()
		st, err := geo.JoinPoints(ctx, idx, next, func(first int64, _ []orb.Point, fs []int32) error {
			for i, f := range fs {
				if j := first + int64(i); j < int64(nPeer) && f != ours[j] {
					return fmt.Errorf("point %d: JoinPoints says %d, LocateAll %d", j, f, ours[j])
				}
			}
			return nil
		}, geo.JoinOptions{Workers: opts.Workers})
		if err != nil {
			return err
		}
		results = append(results, Result{Engine: fmt.Sprintf("groundwork JoinPoints streaming, %d worker(s)", opts.Workers), Version: runtime.Version(), Points: wl.Points, Seconds: time.Since(start).Seconds(),
			Note: fmt.Sprintf("includes generating each point in one goroutine; %.1f%% matched", 100*float64(st.Matched)/float64(st.Points))})
	}

	var peerFiles *peerInput
	if opts.GeoPandas || opts.PostGIS || opts.DuckDB || opts.SedonaDB {
		dir, err := os.MkdirTemp(opts.TempDir, "groundwork-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		nAll := nPeer
		if opts.DuckDB || opts.SedonaDB {
			nAll = wl.Points
		}
		peerFiles, err = writePeerInput(dir, wl, l, nPeer, nAll)
		if err != nil {
			return err
		}
	}
	var agreements []string
	if opts.GeoPandas {
		r, got, err := runGeoPandas(ctx, opts.Python, peerFiles)
		if err != nil {
			fmt.Fprintf(w, "GeoPandas skipped: %v\n\n", err)
		} else {
			results = append(results, r)
			agreements = append(agreements, agreement("GeoPandas sjoin within", idx, peerFiles, ours, got))
		}
	}
	for _, m := range []struct {
		on     bool
		name   string
		script string
	}{{opts.DuckDB, "DuckDB spatial ST_Contains join", duckdbScript}, {opts.SedonaDB, "SedonaDB ST_Contains join", sedonadbScript}} {
		if !m.on {
			continue
		}
		r, got, err := runModern(ctx, opts.Python, m.name, m.script, peerFiles)
		if err != nil {
			fmt.Fprintf(w, "%s skipped: %v\n\n", m.name, err)
			continue
		}
		results = append(results, r)
		agreements = append(agreements, agreement(m.name, idx, peerFiles, ours, got))
	}
	if opts.PostGIS {
		rs, got, err := runPostGIS(ctx, opts.PGBin, peerFiles)
		if err != nil {
			fmt.Fprintf(w, "PostGIS skipped: %v\n\n", err)
		} else {
			results = append(results, rs...)
			agreements = append(agreements, agreement("PostGIS ST_Contains", idx, peerFiles, ours, got))
		}
	}
	best := results[len(results)-1]
	for _, r := range results {
		if r.Engine[:10] == "groundwork" && r.Rate() > best.Rate() {
			best = r
		}
	}
	oneCore := results[0] // LocateAll on 1 worker: the per-core baseline
	fmt.Fprintf(w, "| engine | version | points | seconds | points/s | CPU s | CPU us/point | peak RSS MiB | groundwork (best) is x faster | groundwork is x cheaper per CPU s | note |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range results {
		cpu, per, rss, cheaper := "-", "-", "-", "-"
		if r.CPUSeconds > 0 {
			cpu, per = fmt.Sprintf("%.3f", r.CPUSeconds), fmt.Sprintf("%.3f", 1e6*r.cpuPerPoint())
			if oneCore.CPUSeconds > 0 {
				cheaper = fmt.Sprintf("%.1f", r.cpuPerPoint()/oneCore.cpuPerPoint())
			}
		}
		if r.PeakRSSMiB > 0 {
			rss = fmt.Sprintf("%.0f", r.PeakRSSMiB)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.3f | %.0f | %s | %s | %s | %.1f | %s | %s |\n", r.Engine, r.Version, r.Points, r.Seconds, r.Rate(), cpu, per, rss, best.Rate()/r.Rate(), cheaper, r.Note)
	}
	fmt.Fprintln(w)
	if opts.Workers > 1 {
		fmt.Fprintf(w, "LocateAll speedup, %d workers over 1: %.2fx\n\n", opts.Workers, results[1].Rate()/results[0].Rate())
	}
	for _, a := range agreements {
		fmt.Fprintln(w, a)
	}
	fmt.Fprintln(w)
	return nil
}

// agreement compares a peer's answers with ours; disagreements on points
// exactly on an edge (where ST_Contains and "within" leave the boundary out)
// are counted apart.
func agreement(name string, idx *geo.Index, in *peerInput, ours, theirs []int32) string {
	agree, edge, other := 0, 0, 0
	var example string
	for i := range theirs {
		if ours[i] == theirs[i] {
			agree++
			continue
		}
		if idx.OnEdge(in.pts[i]) {
			edge++
			continue
		}
		other++
		if example == "" {
			example = fmt.Sprintf("; first: point %d %v ours %d theirs %d", i, in.pts[i], ours[i], theirs[i])
		}
	}
	return fmt.Sprintf("- %s: %d of %d points agree; %d differ on points exactly on an edge (excepted); %d differ elsewhere%s",
		name, agree, len(theirs), edge, other, example)
}

// peerInput is the data handed to peers: polygons as hex WKB with their
// feature index, and points as little-endian float64 lon, lat pairs (all
// of pts) and as CSV (the first n).
type peerInput struct {
	dir                string
	polyCSV, pointsBin string
	pointsCSV          string
	pts                []orb.Point
	n                  int // points for the slow peers
	nFeatures          int
}

func writePeerInput(dir string, wl Workload, l *geo.Layer, n, nAll int) (*peerInput, error) {
	in := &peerInput{dir: dir, polyCSV: filepath.Join(dir, "polys.csv"), pointsBin: filepath.Join(dir, "points.f64"), pointsCSV: filepath.Join(dir, "points.csv"), n: n, nFeatures: len(l.Features)}
	pf, err := os.Create(in.polyCSV)
	if err != nil {
		return nil, err
	}
	for i, f := range l.Features {
		fmt.Fprintf(pf, "%d,%s\n", i, hexWKB(f.Geom))
	}
	if err := pf.Close(); err != nil {
		return nil, err
	}
	pts := newPoints(wl, l)
	in.pts = make([]orb.Point, max(n, nAll))
	buf := make([]byte, 16*len(in.pts))
	cf, err := os.Create(in.pointsCSV)
	if err != nil {
		return nil, err
	}
	cw := bufio.NewWriter(cf)
	for i := range in.pts {
		p := pts.next()
		in.pts[i] = p
		binary.LittleEndian.PutUint64(buf[16*i:], math.Float64bits(p[0]))
		binary.LittleEndian.PutUint64(buf[16*i+8:], math.Float64bits(p[1]))
		if i < n {
			// %v of a float64 is the shortest text that reads back exactly.
			fmt.Fprintf(cw, "%d,%v,%v\n", i, p[0], p[1])
		}
	}
	if err := cw.Flush(); err != nil {
		return nil, err
	}
	if err := cf.Close(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(in.pointsBin, buf, 0o644); err != nil {
		return nil, err
	}
	return in, nil
}

var errNotInstalled = errors.New("not installed")
