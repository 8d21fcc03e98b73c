package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
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
	// Partitioned also writes tracts and places as Hive-style partitioned
	// GeoParquet under partitioned/ (see store.WritePartitioned).
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

	// afterStage, when set (tests), is called after each stage finishes,
	// from the goroutine that schedules stages.
	afterStage func(name string)
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

// marker names the file that identifies a folder as groundwork output.
const marker = ".groundwork-out"

// state carries the tables between stages. Each stage runs on a fork of it
// (see fork); the runner merges each stage's additions back.
type state struct {
	cfg      *config.Config
	out      string // staging folder
	log      *slog.Logger
	files    []string
	warnings []string

	raw        map[string]arrow.RecordBatch
	layers     map[string]*geo.Layer
	indexes    map[string]*geo.Index
	areaOf     map[string]map[string]string // area -> boundary feature ID -> area value
	tracts     *frame.Table
	places     map[string]*frame.Table
	unplaced   map[string][]result.Unplaced
	placedBy   map[string]map[string]int // places -> located_by -> count
	summaries  []*result.Summary
	indicators *result.Indicators
	outreach   *result.Outreach
	census     CensusOptions // for census sources pulled live
	segments   []*result.Segment
	sourceInfo []result.Source

	base    forkBase      // set by fork
	counter *stageCounter // the running stage's rows (see progress); nil outside a run
}

// Run executes the pipeline as a graph of stages (see Plan): extract and
// load every source to Parquet, read the boundaries, place points and tracts
// in the boundaries and areas, summarise, select segments, and write the
// report. Stages whose inputs are all ready run concurrently, at most
// Options.Parallel at a time. A stage whose cache key (code version,
// configuration subtree, input file bytes, upstream keys) has results in the
// cache is not run: its files are linked from the cache.
//
// Outputs are staged in a temporary folder beside OutDir and moved into
// place only when every stage has succeeded, so a failure, a cancelled
// context (SIGINT) or a crash leaves OutDir as it was. Each finished stage
// is saved in the cache as soon as it ends, so the next run resumes from
// the stages that had finished.
func Run(ctx context.Context, cfg *config.Config, opts Options) (*Result, error) {
	began := time.Now()
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
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	removeStale(parent, filepath.Base(out), time.Now().Add(-staleAfter), log)
	stage, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".staging-*")
	if err != nil {
		return nil, fmt.Errorf("create staging folder: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			os.RemoveAll(stage)
		}
	}()
	st := &state{
		cfg: cfg, out: stage, log: log,
		raw: map[string]arrow.RecordBatch{}, layers: map[string]*geo.Layer{}, indexes: map[string]*geo.Index{},
		areaOf: map[string]map[string]string{}, places: map[string]*frame.Table{}, unplaced: map[string][]result.Unplaced{},
		placedBy: map[string]map[string]int{}, census: opts.Census,
	}
	defer func() {
		for _, r := range st.raw {
			r.Release()
		}
		st.raw = nil // released: tests reading Result.state must not see them
	}()
	mem := startSampler()
	defer mem.stop()
	reports, err := execute(ctx, st, p, opts, mem)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(stage, marker), []byte("written by groundwork; this folder is replaced on every run\n"), 0o644); err != nil {
		return nil, err
	}
	if err := swapDir(stage, out); err != nil {
		return nil, err
	}
	committed = true
	if !opts.NoCache {
		inUse := map[string]bool{}
		for i, s := range p.graph {
			inUse[p.cache.entry(s.Name, p.keys[i].Key)] = true
		}
		if err := p.cache.saveRun(out, p.graph, p.keys, reports, p.last); err != nil {
			log.Warn("could not record this run in the cache; the next plan will not say what changed", "err", err)
		}
		if err := p.cache.prune(inUse); err != nil {
			log.Warn("could not prune the cache", "dir", p.cache.dir, "err", err)
		}
	}
	files := slices.Clone(st.files)
	sort.Strings(files)
	res := &Result{OutDir: out, Files: files, Warnings: st.warnings, Stages: reports, Wall: time.Since(began), PeakBytes: mem.peak(), state: st}
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

// stageDone is a finished stage, sent from its goroutine to the scheduler.
type stageDone struct {
	i    int
	fork *state    // set when the stage ran
	out  *stageOut // set when restored from the cache
	err  error
	wall time.Duration
}

// execute runs the plan's stages on st: a stage starts once every stage it
// reads has been merged, at most opts.Parallel at a time. Only this
// goroutine touches st; stages run on forks. On the first error the
// context of the running stages is cancelled and, once they have stopped,
// the error is returned prefixed with the stage's name.
func execute(ctx context.Context, st *state, p *plan, opts Options, mem *sampler) ([]StageReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g := p.graph
	par := opts.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	index := map[string]int{}
	for i, s := range g {
		index[s.Name] = i
	}
	outs := make([]*stageOut, len(g))
	started := make([]bool, len(g))
	reports := make([]StageReport, len(g))
	done := make(chan stageDone)
	running := map[int]time.Time{}
	var firstErr error
	ready := func(i int) bool {
		for _, d := range g[i].Deps {
			if outs[index[d]] == nil {
				return false
			}
		}
		return true
	}
	var tick <-chan time.Time
	if opts.ProgressEvery > 0 {
		t := time.NewTicker(opts.ProgressEvery)
		defer t.Stop()
		tick = t.C
	}
	var redraw <-chan time.Time
	if opts.OnProgress != nil {
		t := time.NewTicker(redrawEvery)
		defer t.Stop()
		redraw = t.C
	}
	counters := make([]*stageCounter, len(g))
	for {
		for i := range g {
			if firstErr != nil || len(running) >= par {
				break
			}
			if started[i] || !ready(i) {
				continue
			}
			started[i] = true
			running[i] = time.Now()
			counters[i] = p.newCounter(i, running[i])
			mem.begin(i)
			s, sp := g[i], p.stages[i]
			reports[i] = StageReport{Name: s.Name, Why: sp.Why}
			for _, d := range s.Deps {
				reports[i].RowsIn += outs[index[d]].RowsOut
			}
			switch {
			case !sp.Run && !(p.restore[i] && s.reload):
				reports[i].Status = "cached"
				counters[i].last = 0 // the last run's time is running it, not restoring it
				st.log.Info("stage cached", "stage", s.Name)
				go func(i int, restore bool) {
					t0 := time.Now()
					o, err := p.cache.get(s.Name, p.keys[i].Key, st.out)
					if err == nil && restore {
						err = o.restore(ctx, st.out, st.cfg)
					}
					done <- stageDone{i: i, out: o, err: err, wall: time.Since(t0)}
				}(i, p.restore[i])
			default:
				reports[i].Status = "ran"
				if !sp.Run {
					reports[i].Status = "reloaded"
				}
				cfg := st.cfg
				if s.narrow != nil {
					cfg = s.narrow(cfg)
				}
				f := st.fork(cfg)
				f.counter = counters[i]
				st.log.Info("stage started", "stage", s.Name, "why", sp.Why)
				go func(i int) {
					t0 := time.Now()
					err := s.run(f, ctx)
					done <- stageDone{i: i, fork: f, err: err, wall: time.Since(t0)}
				}(i)
			}
		}
		if len(running) == 0 {
			break
		}
		var d stageDone
		select {
		case d = <-done:
		case <-tick:
			st.log.Info("running", p.progress(time.Now(), counters, running, -1, outs, par).logArgs()...)
			continue
		case <-redraw:
			opts.OnProgress(p.progress(time.Now(), counters, running, -1, outs, par))
			continue
		}
		delete(running, d.i)
		rep := &reports[d.i]
		rep.Wall = d.wall
		rep.PeakBytes = mem.end(d.i)
		s := g[d.i]
		if d.err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", s.Name, d.err)
				cancel()
			}
			continue
		}
		o := d.out
		if d.fork != nil {
			o = st.collect(d.fork)
			if p.stages[d.i].Run && !opts.NoCache {
				if err := p.cache.put(s.Name, p.keys[d.i].Key, st.out, o); err != nil {
					st.log.Warn("could not save a stage in the cache; it will run again next time", "stage", s.Name, "err", err)
				}
			}
		}
		outs[d.i] = o
		st.merge(outs, o)
		rep.RowsOut, rep.Warnings = o.RowsOut, len(o.Warnings)
		logStage(st.log, rep)
		if opts.OnProgress != nil {
			opts.OnProgress(p.progress(time.Now(), counters, running, d.i, outs, par))
		}
		if opts.afterStage != nil {
			opts.afterStage(s.Name)
		}
		if firstErr == nil && ctx.Err() != nil {
			firstErr = ctx.Err()
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return reports, nil
}

// eta estimates the time the run has left: the unfinished stages' times
// divided among par workers. A running stage's time left is in left (see
// StageProgress.ETA); any other stage that will run counts the wall time it
// took when it last ran into the same folder. It is false when some such
// stage has neither.
func (p *plan) eta(outs []*stageOut, left map[int]time.Duration, par int) (time.Duration, bool) {
	var sum time.Duration
	for i, s := range p.graph {
		if outs[i] != nil || !p.stages[i].Run {
			continue
		}
		if d, ok := left[i]; ok {
			sum += d
			continue
		}
		if p.last == nil {
			return 0, false
		}
		ms, ok := p.last.Millis[s.Name]
		if !ok {
			return 0, false
		}
		sum += time.Duration(ms) * time.Millisecond
	}
	return sum / time.Duration(max(1, par)), true
}

func logStage(log *slog.Logger, r *StageReport) {
	secs := r.Wall.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(r.RowsOut) / secs
	}
	log.Info("stage finished", "stage", r.Name, "status", r.Status, "rows_in", r.RowsIn, "rows_out", r.RowsOut,
		"rows_per_s", int64(rate), "warnings", r.Warnings, "wall", r.Wall.Round(time.Millisecond), "peak_mib", r.PeakBytes>>20)
}

// sampler tracks the process's memory every 10 ms and the peak seen while
// each stage runs.
type sampler struct {
	mu      sync.Mutex
	all     uint64
	running map[int]uint64
	quit    chan struct{}
	wg      sync.WaitGroup
}

var memSamples = []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}

func readMem() uint64 {
	s := slices.Clone(memSamples)
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

func startSampler() *sampler {
	m := &sampler{running: map[int]uint64{}, quit: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.quit:
				return
			case <-t.C:
				m.sample()
			}
		}
	}()
	return m
}

func (m *sampler) sample() {
	v := readMem()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.all = max(m.all, v)
	for i, p := range m.running {
		m.running[i] = max(p, v)
	}
}

func (m *sampler) begin(i int) {
	m.sample()
	m.mu.Lock()
	m.running[i] = 0
	m.mu.Unlock()
	m.sample()
}

func (m *sampler) end(i int) uint64 {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.running[i]
	delete(m.running, i)
	return p
}

func (m *sampler) peak() uint64 {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.all
}

func (m *sampler) stop() {
	close(m.quit)
	m.wg.Wait()
}

// staleAfter is the age after which a staging folder left by a crashed run
// is removed by the next run into the same output folder.
const staleAfter = 24 * time.Hour

// removeStale removes the staging folders (and folders set aside while
// swapping) of output folder base in parent that were last modified before
// cutoff: a crash or kill -9 leaves them behind. Errors are logged only.
func removeStale(parent, base string, cutoff time.Time, log *slog.Logger) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "."+base+".staging-") {
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		if err := os.RemoveAll(p); err != nil {
			log.Warn("could not remove a staging folder left by an earlier run", "dir", p, "err", err)
		} else {
			log.Info("removed a staging folder left by an earlier run", "dir", p)
		}
	}
}

// checkOutDir refuses to replace a folder that groundwork did not write, so
// that a mistyped --out never deletes a user's files.
func checkOutDir(out string) error {
	ents, err := os.ReadDir(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output folder %s: %w", out, err)
	}
	if len(ents) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, marker)); err == nil {
		return nil
	}
	return fmt.Errorf("output folder %s is not empty and was not written by groundwork; choose another folder with --out (groundwork replaces its output folder on every run)", out)
}

// swapDir replaces out with stage: out is renamed aside, stage renamed into
// place, and the old folder removed.
func swapDir(stage, out string) error {
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = stage + ".old"
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("replace %s: %w", out, err)
		}
	}
	if err := os.Rename(stage, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		return fmt.Errorf("replace %s: %w", out, err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

func (st *state) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	st.warnings = append(st.warnings, msg)
	st.log.Warn(msg)
}

func (st *state) writeParquet(ctx context.Context, rel string, rec arrow.RecordBatch) error {
	st.files = append(st.files, rel)
	return store.WriteParquet(ctx, filepath.Join(st.out, rel), rec)
}

// parquetWriter starts rel, a Parquet file written a record at a time; it is
// listed among the stage's files (and appears) once its Writer is closed.
func (st *state) parquetWriter(rel string, schema *arrow.Schema) (*store.Writer, error) {
	st.files = append(st.files, rel)
	return store.NewWriter(filepath.Join(st.out, rel), schema)
}

// source returns a source's table: a fresh in-memory copy (the caller may
// change it), or, for a streamed source, its raw Parquet file (rows.scan).
func (st *state) source(ctx context.Context, name string) (*frame.Table, error) {
	if rec := st.raw[name]; rec != nil {
		return frame.FromRecord(rec), nil
	}
	if !st.cfg.StreamedSource(name) {
		return nil, fmt.Errorf("source %q was not loaded", name)
	}
	path := filepath.Join(st.out, "raw", name+".parquet")
	names, types, n, err := store.Describe(path)
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	tm := map[string]table.Type{}
	for i, c := range names {
		tm[c] = types[i]
	}
	return frame.InFile(path, names, tm, int(n)), nil
}

func (st *state) writeFile(rel string, write func(io.Writer) error) error {
	st.files = append(st.files, rel)
	return store.WriteAtomic(filepath.Join(st.out, rel), write)
}

// loadSources is the extract and load stage: every source is read, typed,
// and written to raw/<name>.parquet.
func (st *state) loadSources(ctx context.Context) error {
	c := st.cfg
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c.Sources)) {
		s := c.Sources[name]
		var rec arrow.RecordBatch
		var err error
		var file string
		switch s.Kind {
		case config.KindCensus:
			rec, file, err = st.readCensus(ctx, name, s, st.census)
		case config.KindCSV:
			file = c.Path(s.File)
			if c.StreamedSource(name) {
				n, err := st.streamCSV(ctx, name, file, s)
				if err != nil {
					errs = append(errs, fmt.Errorf("source %q: %w", name, err))
					continue
				}
				st.sourceInfo = append(st.sourceInfo, result.Source{Name: name, Title: s.Title, About: s.About, File: filepath.Base(file), Rows: n, Streamed: true})
				st.log.Info("loaded source", "name", name, "rows", n, "streamed", true)
				continue
			}
			rec, err = source.ReadCSV(ctx, file, s.CSVSpec())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("source %q: %w", name, err))
			continue
		}
		st.raw[name] = rec
		st.sourceInfo = append(st.sourceInfo, result.Source{Name: name, Title: s.Title, About: s.About, File: filepath.Base(file), Rows: int(rec.NumRows())})
		st.log.Info("loaded source", "name", name, "rows", rec.NumRows())
		if err := st.writeParquet(ctx, filepath.Join("raw", name+".parquet"), rec); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// loadBoundaries reads and validates every boundary (GeoJSON, shapefile or
// GeoParquet, by extension; see geo.Read) and indexes it.
// streamChunk is the number of records a streamed source is read, placed
// and written in at a time: one Parquet row group.
var streamChunk = 64 * 1024 // a variable so that tests can make chunks small

// streamCSV reads a streamed CSV source a chunk at a time into
// raw/<name>.parquet, holding one chunk in memory, and returns its number
// of rows. On an error nothing is left at raw/<name>.parquet.
func (st *state) streamCSV(ctx context.Context, name, file string, s *config.Source) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var w *store.Writer
	n := 0
	err = source.ScanCSV(ctx, file, f, s.CSVSpec(), streamChunk, func(rec arrow.RecordBatch) error {
		if w == nil {
			var err error
			if w, err = st.parquetWriter(filepath.Join("raw", name+".parquet"), rec.Schema()); err != nil {
				return err
			}
		}
		n += int(rec.NumRows())
		return w.Write(ctx, rec)
	})
	if err == nil && w == nil {
		err = errors.New("no records read") // ScanCSV always gives one, if empty
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil && w != nil {
		w.Abort()
	}
	return n, err
}

func (st *state) loadBoundaries(ctx context.Context) error {
	c := st.cfg
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c.Boundaries)) {
		b := c.Boundaries[name]
		l, err := geo.Read(ctx, name, c.Path(b.File), b.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("boundary %q: %w", name, err))
			continue
		}
		for _, w := range l.Warnings {
			st.warn("boundary %s: %s", name, w)
		}
		st.layers[name] = l
		st.indexes[name] = geo.NewIndex(l)
		st.sourceInfo = append(st.sourceInfo, result.Source{Name: name, Title: b.Title, About: b.About, File: filepath.Base(b.File), Rows: len(l.Features)})
		st.log.Info("loaded boundary", "name", name, "features", len(l.Features))
	}
	return errors.Join(errs...)
}

// readRecorded decodes a saved Census Data API response.
func readRecorded(path string) (arrow.RecordBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := census.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t.Record()
}

// buildAreas maps each feature of an area's boundary to its area through the
// lookup table, warning about lookup rows that match no feature and features
// that no lookup row names.
func (st *state) buildAreas(ctx context.Context) error {
	c := st.cfg
	for _, name := range slices.Sorted(maps.Keys(c.Areas)) {
		a := c.Areas[name]
		rec := st.raw[a.Lookup.Source]
		keys, kv, err := table.Strings(rec, a.Lookup.Key)
		if err != nil {
			return fmt.Errorf("area %q: lookup %q: %w", name, a.Lookup.Source, err)
		}
		vals, vv, err := table.Strings(rec, a.Lookup.Value)
		if err != nil {
			return fmt.Errorf("area %q: lookup %q: %w", name, a.Lookup.Source, err)
		}
		layer := st.layers[a.Boundary]
		ids := map[string]bool{}
		for _, f := range layer.Features {
			ids[f.ID] = true
		}
		m := map[string]string{}
		var errs []error
		for i := range keys {
			if !kv[i] || !vv[i] {
				continue
			}
			if len(a.Order) > 0 && !slices.Contains(a.Order, vals[i]) && !slices.Contains(a.Exclude, vals[i]) {
				errs = append(errs, fmt.Errorf("area %q: lookup %s row %d: value %q is neither in order (%s) nor in exclude", name, a.Lookup.Source, i+2, vals[i], strings.Join(a.Order, ", ")))
				continue
			}
			if !ids[keys[i]] {
				st.warn("area %s: lookup %s names %q, which is not a feature of boundary %s", name, a.Lookup.Source, keys[i], a.Boundary)
				continue
			}
			if slices.Contains(a.Exclude, vals[i]) {
				continue
			}
			m[keys[i]] = vals[i]
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		var missing []string
		for _, f := range layer.Features {
			if _, ok := m[f.ID]; !ok && !excludedIn(rec, a, f.ID) {
				missing = append(missing, f.ID)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			st.warn("area %s: %d feature(s) of %s have no row in %s and belong to no area: %s", name, len(missing), a.Boundary, a.Lookup.Source, strings.Join(missing, ", "))
		}
		st.areaOf[name] = m
	}
	return nil
}

func excludedIn(rec arrow.RecordBatch, a *config.Area, id string) bool {
	keys, _, _ := table.Strings(rec, a.Lookup.Key)
	vals, _, _ := table.Strings(rec, a.Lookup.Value)
	for i := range keys {
		if keys[i] == id && slices.Contains(a.Exclude, vals[i]) {
			return true
		}
	}
	return false
}

// interiorPoint returns a point inside mp: the area-weighted centroid of its
// largest polygon when that lies inside, otherwise the midpoint of the widest
// interior span of the horizontal line through the centroid.
func interiorPoint(mp orb.MultiPolygon) orb.Point {
	var best orb.Polygon
	bestArea := -1.0
	for _, p := range mp {
		if a := math.Abs(ringArea(p[0])); a > bestArea {
			best, bestArea = p, a
		}
	}
	c := centroid(best[0])
	if polyContains(best, c) {
		return c
	}
	// scan line through the centroid's latitude
	var xs []float64
	for _, r := range best {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if (a[1] > c[1]) != (b[1] > c[1]) {
				xs = append(xs, a[0]+(c[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	wide := -1.0
	p := c
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > wide {
			wide, p = w, orb.Point{(xs[i] + xs[i+1]) / 2, c[1]}
		}
	}
	return p
}

func polyContains(poly orb.Polygon, p orb.Point) bool {
	l := &geo.Layer{Features: []geo.Feature{{ID: "x", Geom: orb.MultiPolygon{poly}, Bound: poly.Bound()}}}
	_, ok := geo.NewBruteIndex(l).Locate(p)
	return ok
}

// ringArea is the signed shoelace area in squared degrees.
func ringArea(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// centroid of a ring (shoelace formula; planar in lon/lat, adequate for
// choosing a point at tract scale).
func centroid(r orb.Ring) orb.Point {
	a := ringArea(r)
	if a == 0 {
		return r.Bound().Center()
	}
	var cx, cy float64
	for i := 0; i+1 < len(r); i++ {
		f := r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
		cx += (r[i][0] + r[i+1][0]) * f
		cy += (r[i][1] + r[i+1][1]) * f
	}
	return orb.Point{cx / (6 * a), cy / (6 * a)}
}
