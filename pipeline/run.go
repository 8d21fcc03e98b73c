package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/outdir"
	"github.com/groundwork-org/groundwork/pipeline/peakmem"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
)

// Options control a run.
type Options struct {
	// OutDir receives the outputs. It is replaced as a whole when the run
	// succeeds and left untouched when it fails or is interrupted. It must be
	// empty, missing, or a folder an earlier run wrote (it holds a
	// .groundwork-out marker).
	OutDir string
	// Logger receives progress lines; nil discards them.
	Logger *slog.Logger
	// Census configures live Census Data API pulls.
	Census CensusOptions
	// CacheDir holds the stage cache; empty means CacheDirName beside OutDir
	// (in OutDir's parent folder), so that runs into the same folder share it.
	CacheDir string
	// NoCache runs every stage and leaves the cache as it is.
	NoCache bool
	// Force names stages to run even though their results are cached: a
	// stage name as Plan prints it, a kind (sources, boundaries, areas,
	// tracts, places, summaries, segments, partitions, report) or "all".
	Force []string
	// Parallel bounds how many stages run at once; 0 means GOMAXPROCS.
	Parallel int
	// NoReadAhead keeps a streamed source that shares a pass with its
	// places stage from starting before the rest of the pass (see
	// execute): bench-scale run --procs sets it to time the pass alone.
	NoReadAhead bool
	// Partitioned also writes tracts and places as Hive-style partitioned
	// GeoParquet under partitioned/ (see pipeline/partition).
	Partitioned bool
	// ProgressEvery, when positive, logs a "running" record at that
	// interval: stages done, the run's ETA, and each running stage's
	// elapsed time, rows done, rows per second and ETA (see Progress).
	ProgressEvery time.Duration
	// OnProgress, when set, is called with a snapshot of the running stages
	// every 200 ms while stages run, and when a stage finishes (listing it
	// with its final counts). It is called from the goroutine that schedules
	// stages, so it must return quickly; cmd/groundwork draws it as progress bars.
	OnProgress func(Progress)

	// Engine, when set, overrides the pipeline file's engine: "native" or
	// "sedona" (places sets placed by a Spark job with Apache Sedona; see
	// docs/scale.md).
	Engine string
	// SparkMaster is the Spark master URL of the sedona engine; "" means
	// local[*].
	SparkMaster string
	// Python is the interpreter with pyspark for the sedona engine; ""
	// means $GROUNDWORK_PYTHON or the nearest .venv (see sedona.FindSetup).
	Python string
	// JobsOut, with the sedona engine, writes the run's Spark job into
	// JobsOut without running it (`groundwork job`); the run places the
	// points and computes everything natively. JobsFrom takes the outputs
	// of that job, run elsewhere, from JobsFrom instead of running it
	// (`groundwork report --from`), after checking that it was written
	// from the same inputs.
	JobsOut, JobsFrom string

	// afterStage, when set (tests), is called after each stage finishes,
	// from the goroutine that schedules stages.
	afterStage func(name string)
	// inStage, when set (tests), is called at the start of each stage that
	// runs, from the stage's goroutine.
	inStage func(name string)
}

// Result describes a finished run.
type Result struct {
	OutDir   string
	Files    []string // written files, relative to OutDir, sorted
	Warnings []string
	Report   string // path of report.html, when written
	// Stages reports each stage in run order.
	Stages []StageReport
	// Wall is the run's elapsed time; PeakBytes the highest memory the Go
	// runtime held from the operating system during the run (see
	// StageReport.PeakBytes).
	Wall      time.Duration
	PeakBytes uint64
	state     *state
}

// StageReport is one stage's line of the run summary.
type StageReport struct {
	Name string
	// Status is "ran", "cached" (results reused from the cache) or
	// "reloaded" (cached, but read again because a dependant ran).
	Status string
	// Why is the plan's reason (see StagePlan.Why).
	Why string
	// RowsIn is the sum of RowsOut of the stages it reads; RowsOut counts
	// the rows (records, features, groups, segment members) it produced.
	RowsIn, RowsOut int
	Warnings        int
	Wall            time.Duration
	// PeakBytes is the highest memory the Go runtime held from the
	// operating system (runtime/metrics /memory/classes/total:bytes less
	// released heap), sampled every 10 ms while the stage ran. Stages that
	// run at the same time share the process, so each sees the others' use.
	PeakBytes uint64
}

// Run executes the pipeline as a graph of stages (see Plan): extract and
// load every source to Parquet, read the boundaries, place points and tracts
// in the boundaries and areas, summarise, select segments, and write the
// report. Stages whose inputs are all ready run concurrently, at most
// Options.Parallel at a time. A stage whose cache key (code version,
// configuration subtree, input file bytes, upstream keys) has results in the
// cache is not run: its files are linked from the cache.
//
// Outputs are written into a new version folder beside OutDir, and OutDir
// (a symbolic link to the version folder) is switched to it with one rename
// only when every stage has succeeded (package outdir), so a failure, a
// cancelled context (SIGINT) or a crash at any moment leaves OutDir as it
// was, and every instant OutDir holds a complete output. What a killed run
// left is removed by the next run (a lock file names its process). Each finished stage
// is saved in the cache as soon as it ends, so the next run resumes from
// the stages that had finished.
func Run(ctx context.Context, cfg *config.Config, opts Options) (*Result, error) {
	began := time.Now()
	cfg, err := withEngine(cfg, opts.Engine)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	out := opts.OutDir
	if out == "" {
		return nil, errors.New("no output folder given")
	}
	if err := checkOutDir(out); err != nil {
		return nil, err
	}
	p, err := makePlan(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	stg, err := outdir.Begin(out)
	if err != nil {
		return nil, err
	}
	for _, p := range stg.Removed() {
		log.Info("removed what a run that died left beside the output folder", "path", p)
	}
	stage := stg.Dir()
	committed := false
	defer func() {
		if !committed {
			stg.Abort()
		}
	}()
	st := &state{
		cfg: cfg, out: stage, log: log,
		raw: map[string]arrow.RecordBatch{}, layers: map[string]*geo.Layer{}, indexes: map[string]*geo.Index{},
		areaOf: map[string]map[string]string{}, places: map[string]*frame.Table{}, unplaced: map[string]result.UnplacedSet{},
		placedBy: map[string]map[string]int{}, census: opts.Census,
	}
	if cfg.Engine == "sedona" {
		st.sedona = &sedona.Engine{Master: opts.SparkMaster, WriteTo: opts.JobsOut, ReadFrom: opts.JobsFrom}
		if opts.JobsOut == "" && opts.JobsFrom == "" {
			if st.sedona.Setup, err = sedona.FindSetup(opts.Python); err != nil {
				return nil, err
			}
		}
	} else if opts.JobsOut != "" || opts.JobsFrom != "" {
		return nil, errors.New("sedona jobs given without the sedona engine")
	}
	defer func() {
		for _, r := range st.raw {
			r.Release()
		}
		st.raw = nil // released: tests reading Result.state must not see them
	}()
	mem := peakmem.Start()
	defer mem.Stop()
	reports, err := execute(ctx, st, p, opts, mem)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(stage, marker), []byte("written by groundwork; this folder is replaced on every run\n"), 0o644); err != nil {
		return nil, err
	}
	if err := stg.Commit(); err != nil {
		return nil, err
	}
	committed = true
	if !opts.NoCache {
		inUse, ran, names := map[string]bool{}, map[string]time.Duration{}, []string{}
		for i, s := range p.graph {
			inUse[p.cache.Entry(s.Name, p.keys[i].Key)] = true
			names = append(names, s.Name)
			if reports[i].Status == "ran" {
				ran[s.Name] = reports[i].Wall
			}
		}
		if err := p.cache.SaveRun(out, names, p.keys, ran, p.last); err != nil {
			log.Warn("could not record this run in the cache; the next plan will not say what changed", "err", err)
		}
		if err := p.cache.Prune(inUse); err != nil {
			log.Warn("could not prune the cache", "dir", p.cache.Dir, "err", err)
		}
	}
	files := slices.Clone(st.files)
	sort.Strings(files)
	res := &Result{OutDir: out, Files: files, Warnings: st.warnings, Stages: reports, Wall: time.Since(began), PeakBytes: mem.Peak(), state: st}
	if cfg.Report != nil {
		res.Report = filepath.Join(out, "report.html")
	}
	log.Info("run finished", "stages", len(reports), "ran", res.Ran(), "wall", res.Wall.Round(time.Millisecond), "peak_mib", res.PeakBytes>>20)
	return res, nil
}

// Ran counts the stages that ran (rather than being restored from the cache).
func (res *Result) Ran() int {
	n := 0
	for _, r := range res.Stages {
		if r.Status == "ran" {
			n++
		}
	}
	return n
}
