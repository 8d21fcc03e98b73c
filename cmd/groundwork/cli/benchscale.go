package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/groundwork-org/groundwork/pipeline"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/scalebench"
)

const benchScaleUsage = `Usage: groundwork bench-scale generate DIR [--tracts N] [--points N] [--variables N] [--data DIR]
       groundwork bench-scale run DIR [--partitioned=false] [--engine sedona [--spark-master URL]]
       groundwork bench-scale run DIR --procs 1,2 [--partitioned=false] [--trace TRACEDIR]

generate writes the national-scale benchmark's GENERATED inputs into DIR: real
Ohio and Georgia tract geometry (2018 cartographic boundaries, from --data)
replicated and translated to --tracts polygons, a recorded ACS-shaped response
with --variables generated columns, and --points generated points. See
docs/benchmarks.md.

run runs DIR/pipeline.yaml three times into DIR/out and prints each run's
summary: cold (empty cache), warm (nothing changed) and incremental (one
segment's rule edited), then the process's peak resident memory. Run it in its
own process, after generate, so the peak is the runs' alone. With --engine
sedona one Sedona job places the points and computes the summaries and
segments over them (see docs/scale.md); the job's own wall, CPU and peak
memory (Python and the Spark JVM, not in the process's peak) are logged as
"sedona job done".

With --procs, run instead times the per-point stages (each places set's
source and places stages, the summaries and segments over places) on as many
cores as each number given: a cold run fills the cache, then for each number
P the per-point stages run again (forced, everything else cached) in one
pass with GOMAXPROCS=P, and their wall and CPU time, from the first to start
to the last to finish, are printed with each stage's wall and CPU (from a CPU
profile whose samples carry the stage's name), the load average and the
speedup of each P over the latest run at the first number (in 1,2,1,2, each
pair's own). Repeat the list (1,2,1,2) on a
shared machine. --trace writes, for the k-th number P of the list, an
execution trace of that run (TRACEDIR/pass-k-gomaxprocs-P.trace, read it
with go tool trace) and its CPU profile with the stage labels (.pprof).

Flags:
`

// benchScaleCmd is `groundwork bench-scale`.
func benchScaleCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("bench-scale", flag.ContinueOnError)
	fl.SetOutput(helpOutput(args, stdout, stderr))
	spec := scalebench.National
	fl.IntVar(&spec.Tracts, "tracts", spec.Tracts, "number of tract polygons")
	fl.IntVar(&spec.Points, "points", spec.Points, "number of points")
	fl.IntVar(&spec.Variables, "variables", spec.Variables, "number of ACS-named columns (at most 30)")
	fl.BoolVar(&spec.Report, "report", spec.Report, "include the report (with a map of every tract)")
	data := fl.String("data", filepath.Join("..", "shared", "data", "census"), "`folder` holding "+strings.Join(scalebench.Sources, " and "))
	verbose := fl.Bool("v", false, "log every stage")
	partitioned := fl.Bool("partitioned", true, "run: also write the partitioned GeoParquet outputs")
	cpuProfile := fl.String("cpuprofile", "", "run: write a CPU profile of the three runs to `file` (read it with go tool pprof)")
	memProfile := fl.String("memprofile", "", "run: write a heap profile (allocations) taken after the cold run to `file`")
	peakProfile := fl.String("peakprofile", "", "run: write the heap profile taken when the cold run's live heap was largest to `file`")
	engine := fl.String("engine", "", "run: the `engine` that places points (native or sedona)")
	master := fl.String("spark-master", "", "run: Spark master `URL` of the sedona engine (default local[*])")
	procs := fl.String("procs", "", "run: time the per-point stages alone at each GOMAXPROCS in this comma-separated `list` (e.g. 1,2)")
	traceDir := fl.String("trace", "", "run --procs: write each timed run's execution trace and CPU profile into `folder`")
	fl.Usage = func() { fmt.Fprint(fl.Output(), benchScaleUsage); fl.PrintDefaults() }
	if err := parseInterspersed(fl, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fl.NArg() != 2 || (fl.Arg(0) != "generate" && fl.Arg(0) != "run") {
		fl.Usage()
		return ExitUsage
	}
	dir := fl.Arg(1)
	if fl.Arg(0) == "generate" {
		t0 := time.Now()
		p, err := scalebench.Generate(ctx, *data, dir, spec)
		if err != nil {
			fmt.Fprintf(stderr, "groundwork bench-scale: %v\n", err)
			return ExitFailure
		}
		fmt.Fprintf(stdout, "Generated %d tracts, %d points, %d variables in %s: %s\n", spec.Tracts, spec.Points, spec.Variables, time.Since(t0).Round(time.Millisecond), p)
		return ExitOK
	}
	cfg, err := config.Load(filepath.Join(dir, "pipeline.yaml"))
	if err != nil {
		fmt.Fprintf(stderr, "groundwork bench-scale: %v (run groundwork bench-scale generate %s first)\n", err, dir)
		return ExitConfig
	}
	level := slog.LevelWarn
	if *verbose || *engine == "sedona" {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: dropTime}))
	out := filepath.Join(dir, "out")
	cache := filepath.Join(dir, "cache")
	if err := os.RemoveAll(cache); err != nil {
		fmt.Fprintf(stderr, "groundwork bench-scale: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "groundwork bench-scale on %d CPU(s), %s/%s, %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if *procs != "" {
		if *cpuProfile != "" || *memProfile != "" || *peakProfile != "" {
			fmt.Fprintln(stderr, "groundwork bench-scale: --procs takes its own CPU profiles: leave out -cpuprofile, -memprofile and -peakprofile")
			return ExitUsage
		}
		return benchProcs(ctx, cfg, pipeline.Options{OutDir: out, CacheDir: cache, Partitioned: *partitioned, Engine: *engine, SparkMaster: *master},
			*procs, *traceDir, level, stdout, stderr)
	}
	if *traceDir != "" {
		fmt.Fprintln(stderr, "groundwork bench-scale: --trace traces the runs of --procs: give --procs too")
		return ExitUsage
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "groundwork bench-scale: %v\n", err)
			return ExitFailure
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "groundwork bench-scale: cpu profile: %v\n", err)
			return ExitFailure
		}
		defer pprof.StopCPUProfile()
	}
	var peak *peakHeap
	if *peakProfile != "" {
		peak = watchPeakHeap(100 * time.Millisecond)
	}
	for i, run := range []struct{ name, edit string }{
		{"cold (empty cache)", ""},
		{"warm (nothing changed)", ""},
		{"incremental (segment rule edited)", "score >= 80"},
	} {
		if run.edit != "" {
			for _, s := range cfg.Segments {
				s.Where = strings.Replace(s.Where, "score >= 90", run.edit, 1)
			}
		}
		res, err := pipeline.Run(ctx, cfg, pipeline.Options{OutDir: out, Logger: log, CacheDir: cache, Partitioned: *partitioned,
			Engine: *engine, SparkMaster: *master})
		if err != nil {
			fmt.Fprintf(stderr, "groundwork bench-scale: %s: %v\n", run.name, err)
			return ExitFailure
		}
		fmt.Fprintf(stdout, "\n== %s: %s\n", run.name, res.Wall.Round(time.Millisecond))
		writeSummary(stdout, res)
		if peak != nil && i == 0 {
			live, err := peak.stop(*peakProfile)
			if err != nil {
				fmt.Fprintf(stderr, "groundwork bench-scale: peak heap profile: %v\n", err)
				return ExitFailure
			}
			fmt.Fprintf(stdout, "largest live heap of the cold run: %d MiB (profile: %s)\n", live>>20, *peakProfile)
		}
		if *memProfile != "" && i == 0 {
			if err := writeHeapProfile(*memProfile); err != nil {
				fmt.Fprintf(stderr, "groundwork bench-scale: heap profile: %v\n", err)
				return ExitFailure
			}
		}
	}
	if hwm := peakRSS(); hwm != "" {
		fmt.Fprintf(stdout, "\nprocess peak RSS (VmHWM): %s\n", hwm)
	}
	return ExitOK
}

// benchProcs is bench-scale run --procs: a cold run into opts.OutDir, then
// the per-point stages (scalebench.PointsPass) forced at each GOMAXPROCS in
// list, timed by a scalebench.Clock; with traceDir, each timed run's
// execution trace and CPU profile are written there.
func benchProcs(ctx context.Context, cfg *config.Config, opts pipeline.Options, list, traceDir string, level slog.Level, stdout, stderr io.Writer) int {
	var ps []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "groundwork bench-scale: --procs %q: want a comma-separated list of core counts, such as 1,2\n", list)
			return ExitUsage
		}
		ps = append(ps, n)
	}
	pass := scalebench.PointsPass(cfg)
	if len(pass) == 0 {
		fmt.Fprintln(stderr, "groundwork bench-scale: --procs: the pipeline places no points")
		return ExitConfig
	}
	clock := scalebench.NewClock(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: dropTime}))
	opts.Logger = slog.New(clock)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	if _, err := pipeline.Run(ctx, cfg, opts); err != nil {
		fmt.Fprintf(stderr, "groundwork bench-scale: cold run: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "per-point stages, forced, the rest cached: %s\n", strings.Join(pass, ", "))
	var base time.Duration
	for i, p := range ps {
		runtime.GOMAXPROCS(p)
		clock.Reset()
		o := opts
		// The pass alone: its source does not read ahead while the
		// boundaries load again.
		o.Force, o.Parallel, o.NoReadAhead = pass, p, true
		var prof bytes.Buffer
		if err := pprof.StartCPUProfile(&prof); err != nil {
			fmt.Fprintf(stderr, "groundwork bench-scale: cpu profile: %v\n", err)
			return ExitFailure
		}
		var tr bytes.Buffer
		if traceDir != "" {
			if err := trace.Start(&tr); err != nil {
				pprof.StopCPUProfile()
				fmt.Fprintf(stderr, "groundwork bench-scale: trace: %v\n", err)
				return ExitFailure
			}
		}
		res, err := pipeline.Run(ctx, cfg, o)
		pprof.StopCPUProfile()
		if traceDir != "" {
			trace.Stop()
			if err == nil {
				err = writeTrace(traceDir, fmt.Sprintf("pass-%d-gomaxprocs-%d", i+1, p), tr.Bytes(), prof.Bytes())
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "groundwork bench-scale: GOMAXPROCS=%d: %v\n", p, err)
			return ExitFailure
		}
		byStage, other, err := scalebench.StageCPU(prof.Bytes())
		if err != nil {
			fmt.Fprintf(stderr, "groundwork bench-scale: GOMAXPROCS=%d: %v\n", p, err)
			return ExitFailure
		}
		wall, cpu, ok := clock.Window(pass)
		if !ok {
			fmt.Fprintf(stderr, "groundwork bench-scale: GOMAXPROCS=%d: a per-point stage did not run\n", p)
			return ExitFailure
		}
		if p == ps[0] {
			base = wall // each pair's own: in 1,2,1,2 the second 2 is over the second 1
		}
		load, _ := os.ReadFile("/proc/loadavg")
		fmt.Fprintf(stdout, "GOMAXPROCS=%d  wall %6.3fs  CPU %6.3fs (%.2f cores)  speedup over the last GOMAXPROCS=%d %.2fx  load %s\n",
			p, wall.Seconds(), cpu.Seconds(), cpu.Seconds()/wall.Seconds(), ps[0], base.Seconds()/wall.Seconds(), strings.Join(strings.Fields(string(load))[:3], " "))
		for _, s := range res.Stages {
			if slices.Contains(pass, s.Name) {
				fmt.Fprintf(stdout, "    %-24s wall %8s  CPU %8s  %10d rows\n", s.Name, s.Wall.Round(time.Millisecond), byStage[s.Name].Round(time.Millisecond), s.RowsOut)
			}
		}
		fmt.Fprintf(stdout, "    %-24s               CPU %8s  (garbage collector, runtime; the whole run's)\n", "other", other.Round(time.Millisecond))
	}
	return ExitOK
}

// writeTrace writes an execution trace and a CPU profile into dir as
// name.trace and name.pprof.
func writeTrace(dir, name string, trace, profile []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".trace"), trace, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".pprof"), profile, 0o644)
}

// writeHeapProfile writes the heap profile (with allocation counts since
// the start) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// peakRSS reads the process's peak resident set size from /proc (Linux).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return ""
}
