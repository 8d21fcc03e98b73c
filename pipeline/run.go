package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Options control a run.
type Options struct {
	// OutDir receives the outputs. It is replaced as a whole when the run
	// succeeds and left untouched when it fails. It must be empty, missing, or
	// a folder an earlier run wrote (it holds a .groundwork-out marker).
	OutDir string
	// Logger receives progress lines; nil discards them.
	Logger *slog.Logger
	// Census configures live Census Data API pulls.
	Census CensusOptions
}

// Result describes a finished run.
type Result struct {
	OutDir   string
	Files    []string // written files, relative to OutDir, sorted
	Warnings []string
	Report   string // path of report.html, when written
	state    *state
}

// marker names the file that identifies a folder as groundwork output.
const marker = ".groundwork-out"

// state carries the tables between stages.
type state struct {
	cfg      *Config
	out      string // staging folder
	log      *slog.Logger
	files    []string
	warnings []string

	raw        map[string]arrow.RecordBatch
	layers     map[string]*geo.Layer
	indexes    map[string]*geo.Index
	areaOf     map[string]map[string]string // area -> boundary feature ID -> area value
	tracts     *rows
	places     map[string]*rows
	unplaced   map[string][]Unplaced
	placedBy   map[string]map[string]int // places -> located_by -> count
	summaries  []*SummaryResult
	indicators *IndicatorResults
	outreach   *OutreachResult
	segments   []*SegmentResult
	sourceInfo []SourceInfo
}

// Unplaced is a record that could not be placed on the map, with the reason.
type Unplaced struct {
	ID, Name, Reason string
}

// SourceInfo describes a dataset read by the run.
type SourceInfo struct {
	Name, Title, About, File string
	Rows                     int
}

// Run executes the pipeline: extract and load every source to Parquet, place
// points and tracts in the boundaries and areas, summarise, select segments,
// and write the report. Outputs are staged in a temporary folder beside
// OutDir and moved into place only when every stage has succeeded.
func Run(ctx context.Context, cfg *Config, opts Options) (*Result, error) {
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
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
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
		areaOf: map[string]map[string]string{}, places: map[string]*rows{}, unplaced: map[string][]Unplaced{},
		placedBy: map[string]map[string]int{},
	}
	defer func() {
		for _, r := range st.raw {
			r.Release()
		}
		st.raw = nil // released: tests reading Result.state must not see them
	}()
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"extract and load", func(ctx context.Context) error { return st.load(ctx, opts.Census) }},
		{"areas", st.buildAreas},
		{"tracts", st.joinTracts},
		{"indicators", st.computeIndicators},
		{"places", st.placeAll},
		{"summaries", st.summarize},
		{"segments", st.selectSegments},
		{"outreach", st.runOutreach},
		{"report", st.writeReport},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		log.Info("stage", "name", s.name)
		if err := s.fn(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	if err := os.WriteFile(filepath.Join(stage, marker), []byte("written by groundwork; this folder is replaced on every run\n"), 0o644); err != nil {
		return nil, err
	}
	if err := swapDir(stage, out); err != nil {
		return nil, err
	}
	committed = true
	sort.Strings(st.files)
	res := &Result{OutDir: out, Files: st.files, Warnings: st.warnings, state: st}
	if cfg.Report != nil {
		res.Report = filepath.Join(out, "report.html")
	}
	return res, nil
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

func (st *state) writeFile(rel string, write func(io.Writer) error) error {
	st.files = append(st.files, rel)
	return store.WriteAtomic(filepath.Join(st.out, rel), write)
}

// load is the extract and load stages: every source is read, typed, and
// written to raw/<name>.parquet; every boundary is read and validated.
func (st *state) load(ctx context.Context, co CensusOptions) error {
	c := st.cfg
	var errs []error
	for _, name := range sortedKeys(c.Sources) {
		s := c.Sources[name]
		var rec arrow.RecordBatch
		var err error
		var file string
		switch s.Kind {
		case "census":
			rec, file, err = st.readCensus(ctx, name, s, co)
		case "csv":
			file = c.Path(s.File)
			rec, err = source.ReadCSV(ctx, file, s.csvSpec())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("source %q: %w", name, err))
			continue
		}
		st.raw[name] = rec
		st.sourceInfo = append(st.sourceInfo, SourceInfo{Name: name, Title: s.Title, About: s.About, File: filepath.Base(file), Rows: int(rec.NumRows())})
		st.log.Info("loaded source", "name", name, "rows", rec.NumRows())
		if err := st.writeParquet(ctx, filepath.Join("raw", name+".parquet"), rec); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(c.Boundaries) {
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
		st.sourceInfo = append(st.sourceInfo, SourceInfo{Name: name, Title: b.Title, About: b.About, File: filepath.Base(b.File), Rows: len(l.Features)})
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
	for _, name := range sortedKeys(c.Areas) {
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
			if len(a.Order) > 0 && !contains(a.Order, vals[i]) && !contains(a.Exclude, vals[i]) {
				errs = append(errs, fmt.Errorf("area %q: lookup %s row %d: value %q is neither in order (%s) nor in exclude", name, a.Lookup.Source, i+2, vals[i], strings.Join(a.Order, ", ")))
				continue
			}
			if !ids[keys[i]] {
				st.warn("area %s: lookup %s names %q, which is not a feature of boundary %s", name, a.Lookup.Source, keys[i], a.Boundary)
				continue
			}
			if contains(a.Exclude, vals[i]) {
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

func excludedIn(rec arrow.RecordBatch, a *Area, id string) bool {
	keys, _, _ := table.Strings(rec, a.Lookup.Key)
	vals, _, _ := table.Strings(rec, a.Lookup.Value)
	for i := range keys {
		if keys[i] == id && contains(a.Exclude, vals[i]) {
			return true
		}
	}
	return false
}

// areasOf returns, for a point, the feature ID of every boundary and the area
// of every area definition containing it ("" where none).
func (st *state) locate(p orb.Point) map[string]string {
	out := map[string]string{}
	for name, idx := range st.indexes {
		if i, ok := idx.Locate(p); ok {
			out[name] = st.layers[name].Features[i].ID
		} else {
			out[name] = ""
		}
	}
	for name, a := range st.cfg.Areas {
		out[name] = st.areaOf[name][out[a.Boundary]]
	}
	return out
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
