// Package jobbench is the engine of `groundwork bench job`: the whole job an
// analyst would otherwise write in DuckDB, SedonaDB or GeoPandas, run by each
// of them and by groundwork on the same inputs, each in its own process, timed
// (wall, CPU, peak resident memory, from the operating system) and checked
// for agreement.
//
// The job: a CSV of points -> each placed in a tract -> the count and the
// median of a column per tract and per county -> Parquet (the placed points,
// the two summaries). The tracts are real (a boundary file read with
// geo.Read and handed to every engine as the same GeoParquet file); the
// county of a tract is the first five characters of its real GEOID. The
// points and their values are GENERATED (PCG with a fixed seed, uniform over
// the tracts' bounding box, so some fall in no tract): no point is a real
// place.
//
// Nothing here is timed in tests; the figures are measurements for
// docs/benchmarks.md.
package jobbench

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Workload is one job: Points generated points over the polygons of
// Boundary.
type Workload struct {
	Name     string
	Boundary string // a boundary file geo.Read accepts
	IDProp   string // the 11-character tract GEOID property
	Points   int
	Seed     uint64
}

// DefaultWorkloads are issue 14's: 1M points over Alameda's 360 tracts and
// 10M over Ohio's 2,948, under the shared data folder dataDir.
func DefaultWorkloads(dataDir string) []Workload {
	return []Workload{
		{Name: "alameda-1M", Boundary: filepath.Join(dataDir, "oakland", "alameda_tracts_2010.geojson"), IDProp: "GEOID", Points: 1_000_000, Seed: 1},
		{Name: "ohio-10M", Boundary: filepath.Join(dataDir, "census", "cb_2018_39_tract_500k.zip"), IDProp: "GEOID", Points: 10_000_000, Seed: 2},
	}
}

// Options configures Run.
type Options struct {
	Workloads []Workload
	// Groundwork is the command that runs groundwork (its executable and
	// any leading arguments); `run PIPELINE --out DIR --no-cache --quiet`
	// is appended. Empty: groundwork is not run.
	Groundwork []string
	// Python is the interpreter of the repository's .venv (requirements.txt
	// pins duckdb, duckdb-extension-spatial, sedonadb, geopandas). Empty:
	// the peers are not run.
	Python string
	// Peers lists the peers to run, from "duckdb", "sedonadb", "geopandas";
	// nil means all three.
	Peers []string
	// TempDir is where each workload's folder is made (and removed);
	// default os.TempDir().
	TempDir string
	// Baseline, when set, is another groundwork command (an earlier build)
	// run on the same inputs, alternating with Groundwork: baseline, this
	// build, baseline, this build... (Repeat times each), so that the two
	// are compared in one run under the same load.
	Baseline []string
	// Repeat is the number of runs of each groundwork command (at least 1).
	Repeat int
}

// Result is one engine's run of one workload.
type Result struct {
	Engine     string
	Version    string
	Points     int
	Seconds    float64 // wall
	CPUSeconds float64 // user + system, all threads of the process
	PeakRSSMiB float64
	Note       string
}

var (
	//go:embed job_duckdb.py
	duckdbJob string
	//go:embed job_sedonadb.py
	sedonadbJob string
	//go:embed job_geopandas.py
	geopandasJob string
)

var peerJobs = []struct{ name, engine, script string }{
	{"duckdb", "DuckDB spatial", duckdbJob},
	{"sedonadb", "SedonaDB", sedonadbJob},
	{"geopandas", "GeoPandas", geopandasJob},
}

// Generate writes wl's inputs into dir: tracts.parquet (GeoParquet),
// counties.csv (geoid,county), points.csv (id,value,lat,lon) and
// pipeline.yaml, groundwork's pipeline for the job.
func Generate(ctx context.Context, wl Workload, dir string) error {
	l, err := geo.Read(ctx, "tract", wl.Boundary, wl.IDProp)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Only the ID and the geometry: every engine reads the same columns.
	slim := &geo.Layer{Name: l.Name, File: l.File, Features: make([]geo.Feature, len(l.Features))}
	for i, f := range l.Features {
		slim.Features[i] = geo.Feature{ID: f.ID, Geom: f.Geom, Bound: f.Bound}
	}
	if err := geo.WriteGeoParquet(ctx, filepath.Join(dir, "tracts.parquet"), slim, "GEOID"); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "counties.csv"), func(w *bufio.Writer) error {
		w.WriteString("geoid,county\n")
		for _, f := range l.Features {
			if len(f.ID) != 11 {
				return fmt.Errorf("%s: feature %q: want an 11-character tract GEOID", wl.Boundary, f.ID)
			}
			fmt.Fprintf(w, "%s,%s\n", f.ID, f.ID[:5])
		}
		return nil
	}); err != nil {
		return err
	}
	b := l.Features[0].Bound
	for _, f := range l.Features {
		b = b.Union(f.Bound)
	}
	rng := rand.New(rand.NewPCG(wl.Seed, 0x6a6f62))
	if err := writeFile(filepath.Join(dir, "points.csv"), func(w *bufio.Writer) error {
		w.WriteString("id,value,lat,lon\n")
		for i := range wl.Points {
			if i%65536 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			lon := b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0])
			lat := b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])
			fmt.Fprintf(w, "P%08d,%d,%.6f,%.6f\n", i, rng.IntN(1000), lat, lon)
		}
		return nil
	}); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(pipelineYAML), 0o644)
}

const pipelineYAML = `# GENERATED job benchmark (groundwork pipeline/jobbench): real tracts, generated points.
name: "Job benchmark (generated points)"
sources:
  points:
    kind: csv
    title: "Generated points"
    file: points.csv
    columns:
      - id: string
      - value: int
      - lat: float
      - lon: float
  counties:
    kind: csv
    file: counties.csv
    key: geoid
    columns:
      - geoid: string
      - county: string
boundaries:
  tract:
    file: tracts.parquet
    id: GEOID
areas:
  county:
    title: County
    boundary: tract
    lookup: {source: counties, key: geoid, value: county}
places:
  pts:
    source: points
    id: id
    name: id
    lat: lat
    lon: lon
summaries:
  - name: by_tract
    of: pts
    by: [tract]
    measures:
      - {column: value, stats: [count, median]}
  - name: by_county
    of: pts
    by: [county]
    measures:
      - {column: value, stats: [count, median]}
`

func writeFile(path string, fill func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// measured runs cmd and returns its wall time, CPU time and peak RSS from
// the operating system's accounting of the child.
func measured(cmd *exec.Cmd) (Result, []byte, error) {
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start).Seconds()
	if err != nil {
		return Result{}, nil, fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args[:min(2, len(cmd.Args))], " "), err, lastLine(stderr.String()))
	}
	r := Result{Seconds: wall}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.CPUSeconds = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
		r.PeakRSSMiB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return r, out, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// summary is one engine's count and median per key.
type summary map[string]struct {
	n      int64
	median float64
}

// readSummary reads a (key, count, median) Parquet file; cols names its
// columns in the file.
func readSummary(ctx context.Context, path string, cols [3]string) (summary, error) {
	rec, err := store.ReadParquet(ctx, path)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	s := summary{}
	idx := [3]int{-1, -1, -1}
	for i, f := range rec.Schema().Fields() {
		for k, c := range cols {
			if f.Name == c {
				idx[k] = i
			}
		}
	}
	for k, i := range idx {
		if i < 0 {
			return nil, fmt.Errorf("%s: no column %q", path, cols[k])
		}
	}
	for r := range int(rec.NumRows()) {
		key, ok := table.Value(rec.Column(idx[0]), r).(string)
		if !ok {
			continue
		}
		e := s[key]
		switch v := table.Value(rec.Column(idx[1]), r).(type) {
		case int64:
			e.n = v
		case float64:
			e.n = int64(v)
		}
		switch v := table.Value(rec.Column(idx[2]), r).(type) {
		case int64:
			e.median = float64(v)
		case float64:
			e.median = v
		}
		s[key] = e
	}
	return s, nil
}

// agree compares two engines' summaries: keys whose counts differ, and
// keys whose medians differ by more than 1e-9.
func agree(a, b summary) (countDiff, medianDiff int, example string) {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		x, y := a[k], b[k]
		switch {
		case x.n != y.n:
			countDiff++
			if example == "" {
				example = fmt.Sprintf("%s: %d vs %d points", k, x.n, y.n)
			}
		case math.Abs(x.median-y.median) > 1e-9:
			medianDiff++
			if example == "" {
				example = fmt.Sprintf("%s: median %g vs %g", k, x.median, y.median)
			}
		}
	}
	return countDiff, medianDiff, example
}

// Run runs every workload of opts with every engine and writes a Markdown
// report to w.
func Run(ctx context.Context, opts Options, w io.Writer) error {
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	for _, wl := range opts.Workloads {
		if err := runWorkload(ctx, opts, wl, w); err != nil {
			return fmt.Errorf("workload %s: %w", wl.Name, err)
		}
	}
	return nil
}

func runWorkload(ctx context.Context, opts Options, wl Workload, w io.Writer) error {
	dir, err := os.MkdirTemp(opts.TempDir, "groundwork-job-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := Generate(ctx, wl, dir); err != nil {
		return err
	}
	fmt.Fprintf(w, "## %s: %d generated points over the tracts of %s\n\n", wl.Name, wl.Points, filepath.Base(wl.Boundary))
	type engine struct {
		res     Result
		byTract summary
		byArea  summary
	}
	var engines []engine
	runGroundwork := func(cmd []string, name, version string) error {
		out := filepath.Join(dir, "groundwork")
		if err := os.RemoveAll(out); err != nil {
			return err
		}
		args := append(append([]string{}, cmd[1:]...), "run", filepath.Join(dir, "pipeline.yaml"), "--out", out, "--no-cache", "--quiet")
		r, _, err := measured(exec.CommandContext(ctx, cmd[0], args...))
		if err != nil {
			return err
		}
		r.Engine, r.Version, r.Points = name, version, wl.Points
		r.Note = "the whole pipeline run: also writes raw/points.parquet and unplaced/pts.csv"
		e := engine{res: r}
		cols := [3]string{"tract", "value_count", "value_median"}
		if e.byTract, err = readSummary(ctx, filepath.Join(out, "summaries", "by_tract.parquet"), cols); err != nil {
			return err
		}
		cols[0] = "county"
		if e.byArea, err = readSummary(ctx, filepath.Join(out, "summaries", "by_county.parquet"), cols); err != nil {
			return err
		}
		engines = append(engines, e)
		return nil
	}
	var this, baseline []Result // groundwork's runs, for the comparison line
	baseIdx := 0                // the engine the others are compared with: this build's first run
	if len(opts.Groundwork) > 0 {
		for k := range max(1, opts.Repeat) {
			name := "groundwork run"
			if opts.Repeat > 1 {
				name = fmt.Sprintf("groundwork run %d", k+1)
			}
			if len(opts.Baseline) > 0 {
				if err := runGroundwork(opts.Baseline, name+", baseline", strings.Join(opts.Baseline, " ")); err != nil {
					return fmt.Errorf("baseline: %w", err)
				}
				baseline = append(baseline, engines[len(engines)-1].res)
			}
			if err := runGroundwork(opts.Groundwork, name, "this build"); err != nil {
				return err
			}
			if len(this) == 0 {
				baseIdx = len(engines) - 1
			}
			this = append(this, engines[len(engines)-1].res)
		}
	}
	for _, p := range peerJobs {
		if opts.Python == "" || (opts.Peers != nil && !contains(opts.Peers, p.name)) {
			continue
		}
		r, stdout, err := measured(exec.CommandContext(ctx, opts.Python, "-c", p.script, dir))
		if err != nil {
			fmt.Fprintf(w, "%s skipped: %v\n\n", p.engine, err)
			continue
		}
		var rep struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal([]byte(lastLine(string(stdout))), &rep); err != nil {
			return fmt.Errorf("%s output %q: %w", p.engine, stdout, err)
		}
		r.Engine, r.Version, r.Points = p.engine, rep.Version, wl.Points
		r.Note = "the process: Python start, reads, join, group-bys, Parquet writes"
		e := engine{res: r}
		cols := [3]string{"tract", "n", "median"}
		if e.byTract, err = readSummary(ctx, filepath.Join(dir, p.name, "by_tract.parquet"), cols); err != nil {
			return err
		}
		cols[0] = "county"
		if e.byArea, err = readSummary(ctx, filepath.Join(dir, p.name, "by_county.parquet"), cols); err != nil {
			return err
		}
		engines = append(engines, e)
	}
	if len(engines) == 0 {
		fmt.Fprintf(w, "no engine ran\n\n")
		return nil
	}
	base := engines[baseIdx].res
	fmt.Fprintf(w, "| engine | version | points | wall s | points/s | CPU s | CPU s per million points | peak RSS MiB | wall / %s | CPU / %s | note |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n", base.Engine, base.Engine)
	for _, e := range engines {
		r := e.res
		fmt.Fprintf(w, "| %s | %s | %d | %.2f | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %s |\n", r.Engine, r.Version, r.Points, r.Seconds, float64(r.Points)/r.Seconds,
			r.CPUSeconds, r.CPUSeconds/(float64(r.Points)/1e6), r.PeakRSSMiB, r.Seconds/base.Seconds, r.CPUSeconds/base.CPUSeconds, r.Note)
	}
	fmt.Fprintln(w)
	if len(baseline) > 0 {
		sum := func(rs []Result, f func(Result) float64) float64 {
			t := 0.0
			for _, r := range rs {
				t += f(r)
			}
			return t
		}
		cpu := func(r Result) float64 { return r.CPUSeconds }
		peak := func(rs []Result) float64 {
			m := 0.0
			for _, r := range rs {
				m = max(m, r.PeakRSSMiB)
			}
			return m
		}
		fmt.Fprintf(w, "This build / baseline, %d interleaved runs each: CPU %.2f (%.2f vs %.2f CPU s per million points, mean), peak RSS %.0f vs %.0f MiB (largest)\n\n",
			len(this), sum(this, cpu)/sum(baseline, cpu), sum(this, cpu)/float64(len(this))/(float64(wl.Points)/1e6), sum(baseline, cpu)/float64(len(baseline))/(float64(wl.Points)/1e6), peak(this), peak(baseline))
	}
	for i, e := range engines {
		if i == baseIdx {
			continue
		}
		tc, tm, tex := agree(engines[baseIdx].byTract, e.byTract)
		ac, am, aex := agree(engines[baseIdx].byArea, e.byArea)
		if tex == "" {
			tex = aex
		}
		if tex != "" {
			tex = "; first: " + tex
		}
		fmt.Fprintf(w, "- %s vs %s: %d tracts, %d with other counts, %d other medians; %d counties, %d other counts, %d other medians%s\n",
			e.res.Engine, base.Engine, len(e.byTract), tc, tm, len(e.byArea), ac, am, tex)
	}
	fmt.Fprintln(w)
	return nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
