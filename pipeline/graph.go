package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// stageDef is one node of the stage graph: a unit of work with declared
// inputs (files named in the pipeline file, a configuration subtree and the
// stages it reads from) and outputs (files under the output folder and the
// in-memory tables its dependants read).
//
// A stage runs on a fork of the run's state (see state.fork) whose Config is
// narrowed to the stage's own item, so the per-kind state methods (load,
// place, summarize, selectSegments...) run one item at a time unchanged.
type stageDef struct {
	// Name is "<kind>" or "<kind>:<item>", e.g. "source:acs", "tracts",
	// "segment:flatland_elementary". It is what --force and plan print.
	Name string
	// Kind groups stages for --force (sources, boundaries, areas, tracts,
	// places, summaries, segments, partitions, report).
	Kind string
	// Deps names the stages whose outputs this stage reads.
	Deps []string
	// Files are the input files as written in the pipeline file (relative
	// to it); their bytes are part of the cache key.
	Files []string
	// Config is the configuration subtree that shapes the outputs; its JSON
	// encoding (struct fields in declaration order, map keys sorted) is part
	// of the cache key.
	Config any
	// narrow returns the Config the stage sees; nil means the whole file.
	narrow func(*config.Config) *config.Config
	// run is the state method that does the work.
	run func(*state, context.Context) error
	// reload marks a stage whose results live only in memory (boundaries):
	// on a cache hit that a dependant needs, it is run again rather than
	// restored from files.
	reload bool
}

// buildGraph derives the stage graph from a validated pipeline file, in a
// fixed order that is also a topological order: sources, boundaries, areas,
// tracts, places, summaries, segments, partitions, report. Warnings, source
// notes, summaries and segments are merged in this order, so the outputs do
// not depend on which parallel stage finishes first.
func buildGraph(cfg *config.Config, partitioned bool) []*stageDef {
	var g []*stageDef
	var allBoundaries, allAreas []string
	for _, name := range slices.Sorted(maps.Keys(cfg.Sources)) {
		s := cfg.Sources[name]
		var files []string
		if file := s.InputFile(); file != "" {
			files = []string{file}
		}
		g = append(g, &stageDef{
			Name: "source:" + name, Kind: "sources", Files: files, Config: s,
			narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Sources = map[string]*config.Source{name: c.Sources[name]}
				return &n
			},
			run: (*state).loadSources,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Boundaries)) {
		b := cfg.Boundaries[name]
		allBoundaries = append(allBoundaries, "boundary:"+name)
		g = append(g, &stageDef{
			Name: "boundary:" + name, Kind: "boundaries", Files: []string{b.File}, Config: b,
			narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Boundaries = map[string]*config.Boundary{name: c.Boundaries[name]}
				return &n
			},
			run:    (*state).loadBoundaries,
			reload: true,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Areas)) {
		a := cfg.Areas[name]
		allAreas = append(allAreas, "area:"+name)
		g = append(g, &stageDef{
			Name: "area:" + name, Kind: "areas", Config: a,
			Deps: []string{"source:" + a.Lookup.Source, "boundary:" + a.Boundary},
			narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Areas = map[string]*config.Area{name: c.Areas[name]}
				return &n
			},
			run: (*state).buildAreas,
		})
	}
	// Locating a point reads every boundary index and every area map.
	locating := append(slices.Clone(allBoundaries), allAreas...)
	if t := cfg.Tracts; t != nil {
		g = append(g, &stageDef{
			// The tracts stage also computes the indicators (they add
			// columns to tracts.parquet), so its configuration includes them.
			Name: "tracts", Kind: "tracts", Config: struct {
				Tracts     *config.Tracts
				Indicators *config.Indicators
			}{t, cfg.Indicators},
			Deps: uniq(append([]string{"source:" + t.Source}, locating...)),
			run:  (*state).joinTracts,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Places)) {
		pl := cfg.Places[name]
		deps := []string{"source:" + pl.Source}
		if pl.Locate != nil {
			deps = append(deps, "source:"+pl.Locate.Source)
		}
		g = append(g, &stageDef{
			Name: "places:" + name, Kind: "places", Config: pl,
			Deps: uniq(append(deps, locating...)),
			narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Places = map[string]*config.Places{name: c.Places[name]}
				return &n
			},
			run: (*state).placeAll,
		})
	}
	tableStage := func(of string) string {
		if of == "tracts" && cfg.Tracts != nil {
			return "tracts"
		}
		return "places:" + of
	}
	for _, s := range cfg.Summaries {
		g = append(g, &stageDef{
			Name: "summary:" + s.Name, Kind: "summaries", Config: s,
			Deps: uniq(append([]string{tableStage(s.Of)}, allAreas...)),
			narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Summaries = []*config.Summary{s}
				return &n
			},
			run: (*state).summarize,
		})
	}
	for _, s := range cfg.Segments {
		g = append(g, &stageDef{
			Name: "segment:" + s.Name, Kind: "segments", Config: s,
			Deps: []string{tableStage(s.Of)},
			narrow: func(c *config.Config) *config.Config {
				n := *c
				n.Segments = []*config.Segment{s}
				return &n
			},
			run: (*state).selectSegments,
		})
	}
	if ct := cfg.Contacts; ct != nil {
		deps := []string{"boundary:" + ct.Tracts}
		if cfg.Tracts != nil {
			deps = append(deps, "tracts")
		}
		if ct.Area != "" {
			deps = append(deps, "area:"+ct.Area, "boundary:"+cfg.Areas[ct.Area].Boundary)
		}
		for _, s := range cfg.Segments {
			if s.Of == "tracts" {
				deps = append(deps, "segment:"+s.Name)
			}
		}
		files := []string{ct.File}
		if cfg.Listening != nil {
			files = append(files, cfg.Listening.File)
		}
		if cfg.Turnout != nil {
			files = append(files, cfg.Turnout.File)
		}
		g = append(g, &stageDef{
			Name: "outreach", Kind: "outreach", Files: files,
			Config: struct {
				Contacts  *config.Contacts
				Listening *config.Listening
				Turnout   *config.TurnoutConfig
			}{ct, cfg.Listening, cfg.Turnout},
			Deps: uniq(deps),
			run:  (*state).runOutreach,
		})
	}
	if partitioned {
		if t := cfg.Tracts; t != nil {
			g = append(g, &stageDef{
				Name: "partitions:tracts", Kind: "partitions", Config: t,
				Deps: []string{"tracts", "boundary:" + t.Boundary},
				run:  (*state).partitionTracts,
			})
			for _, name := range slices.Sorted(maps.Keys(cfg.Places)) {
				g = append(g, &stageDef{
					Name: "partitions:places:" + name, Kind: "partitions", Config: t,
					Deps: []string{"places:" + name},
					narrow: func(c *config.Config) *config.Config {
						n := *c
						n.Places = map[string]*config.Places{name: c.Places[name]}
						return &n
					},
					run: (*state).partitionPlaces,
				})
			}
		}
	}
	if cfg.Report != nil {
		var all []string
		for _, s := range g {
			if s.Kind != "partitions" {
				all = append(all, s.Name)
			}
		}
		g = append(g, &stageDef{Name: "report", Kind: "report", Config: cfg, Deps: all, run: (*state).writeReport})
	}
	return g
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// ErrUnknownStage is wrapped by Run's and Plan's error when Options.Force
// names a stage the pipeline does not have.
var ErrUnknownStage = errors.New("no such stage")

// stageKinds lists the kinds accepted by --force besides stage names.
var stageKinds = []string{"sources", "boundaries", "areas", "tracts", "places", "summaries", "segments", "outreach", "partitions", "report"}

// resolveForce expands --force values (stage names, kinds, or "all") to the
// set of stage names, or reports the unknown ones with the valid names.
func resolveForce(g []*stageDef, force []string) (map[string]bool, error) {
	out := map[string]bool{}
	var bad []string
	for _, f := range force {
		hit := false
		for _, s := range g {
			if f == "all" || s.Name == f || s.Kind == f {
				out[s.Name], hit = true, true
			}
		}
		if !hit {
			bad = append(bad, f)
		}
	}
	if len(bad) > 0 {
		var valid []string
		for _, s := range g {
			valid = append(valid, s.Name)
		}
		return nil, fmt.Errorf("--force %s: %w; stages of this pipeline are %s, or a kind (%s), or all",
			strings.Join(bad, ", "), ErrUnknownStage, strings.Join(valid, ", "), strings.Join(stageKinds, ", "))
	}
	return out, nil
}

// stageOut is what one stage added to the run: the files it wrote, its
// warnings, and its in-memory results. The exported fields are saved in the
// cache (gob); the unexported ones are restored from the saved files.
type stageOut struct {
	Files      []string // relative to the output folder, in writing order
	Warnings   []string
	SourceInfo []result.Source
	Summaries  []*result.Summary
	Segments   []*result.Segment
	AreaOf     map[string]map[string]string
	Unplaced   map[string][]result.Unplaced
	PlacedBy   map[string]map[string]int
	Indicators *result.Indicators
	Outreach   *result.Outreach
	RowsOut    int

	raw     map[string]arrow.RecordBatch
	layers  map[string]*geo.Layer
	indexes map[string]*geo.Index
	places  map[string]*frame.Table
	tracts  *frame.Table
}

// fork returns a copy of st for one stage to run on: it shares the tables of
// earlier stages (read only) and has its own maps and lists to add to, so
// stages can run concurrently. cfg is the configuration the stage sees.
//
// New state fields that a stage writes must be added here, in collect and in
// merge (and, to be cached, to stageOut).
func (st *state) fork(cfg *config.Config) *state {
	f := &state{
		cfg: cfg, out: st.out, log: st.log,
		warnings:   slices.Clip(st.warnings),
		raw:        maps.Clone(st.raw),
		layers:     maps.Clone(st.layers),
		indexes:    maps.Clone(st.indexes),
		areaOf:     maps.Clone(st.areaOf),
		tracts:     st.tracts,
		places:     maps.Clone(st.places),
		unplaced:   maps.Clone(st.unplaced),
		placedBy:   maps.Clone(st.placedBy),
		summaries:  slices.Clip(st.summaries),
		segments:   slices.Clip(st.segments),
		sourceInfo: slices.Clip(st.sourceInfo),
		indicators: st.indicators,
		outreach:   st.outreach,
		census:     st.census,
	}
	f.base = forkBase{len(st.warnings), len(st.sourceInfo), len(st.summaries), len(st.segments), st.tracts}
	return f
}

// forkBase records the lengths of a state's lists when it was forked.
type forkBase struct {
	warnings, sourceInfo, summaries, segments int
	tracts                                    *frame.Table
}

// collect returns what the fork f added to its parent st since the fork. It
// runs on the scheduler's goroutine, the only one that changes st.
func (st *state) collect(f *state) *stageOut {
	o := &stageOut{
		Files:      f.files,
		Warnings:   slices.Clone(f.warnings[f.base.warnings:]),
		SourceInfo: slices.Clone(f.sourceInfo[f.base.sourceInfo:]),
		Summaries:  slices.Clone(f.summaries[f.base.summaries:]),
		Segments:   slices.Clone(f.segments[f.base.segments:]),
		AreaOf:     added(st.areaOf, f.areaOf),
		Unplaced:   added(st.unplaced, f.unplaced),
		PlacedBy:   added(st.placedBy, f.placedBy),
		raw:        added(st.raw, f.raw),
		layers:     added(st.layers, f.layers),
		indexes:    added(st.indexes, f.indexes),
		places:     added(st.places, f.places),
	}
	if f.tracts != f.base.tracts {
		o.tracts = f.tracts
	}
	if f.indicators != st.indicators {
		o.Indicators = f.indicators
	}
	if f.outreach != st.outreach {
		o.Outreach = f.outreach
	}
	for _, r := range o.raw {
		o.RowsOut += int(r.NumRows())
	}
	for _, si := range o.SourceInfo {
		if si.Streamed { // in its file, not in o.raw
			o.RowsOut += si.Rows
		}
	}
	for _, l := range o.layers {
		o.RowsOut += len(l.Features)
	}
	for _, m := range o.AreaOf {
		o.RowsOut += len(m)
	}
	if o.tracts != nil {
		o.RowsOut += o.tracts.Len()
	}
	for _, p := range o.places {
		o.RowsOut += p.Len()
	}
	for _, s := range o.Summaries {
		o.RowsOut += len(s.Groups)
	}
	for _, s := range o.Segments {
		o.RowsOut += len(s.Rows)
	}
	return o
}

// added returns the entries of b that a does not hold (by key), or nil.
func added[V any](a, b map[string]V) map[string]V {
	var out map[string]V
	for k, v := range b {
		if _, ok := a[k]; ok {
			continue
		}
		if out == nil {
			out = map[string]V{}
		}
		out[k] = v
	}
	return out
}

// merge adds the outputs of the finished stages to st. outs is indexed like
// the graph (nil for stages not finished); the ordered lists (warnings,
// files, source notes, summaries, segments) are rebuilt in graph order.
func (st *state) merge(outs []*stageOut, o *stageOut) {
	maps.Copy(st.areaOf, o.AreaOf)
	maps.Copy(st.unplaced, o.Unplaced)
	maps.Copy(st.placedBy, o.PlacedBy)
	maps.Copy(st.raw, o.raw)
	maps.Copy(st.layers, o.layers)
	maps.Copy(st.indexes, o.indexes)
	maps.Copy(st.places, o.places)
	if o.tracts != nil {
		st.tracts = o.tracts
	}
	if o.Indicators != nil {
		st.indicators = o.Indicators
	}
	if o.Outreach != nil {
		st.outreach = o.Outreach
	}
	st.warnings, st.files, st.sourceInfo, st.summaries, st.segments = nil, nil, nil, nil, nil
	for _, x := range outs {
		if x == nil {
			continue
		}
		st.warnings = append(st.warnings, x.Warnings...)
		st.files = append(st.files, x.Files...)
		st.sourceInfo = append(st.sourceInfo, x.SourceInfo...)
		st.summaries = append(st.summaries, x.Summaries...)
		st.segments = append(st.segments, x.Segments...)
	}
}

// partitionTracts writes the tracts table with each tract's polygon as
// Hive-style partitioned GeoParquet, partitioned/tracts/state=SS/county=CCC/,
// the state and county FIPS codes taken from the GEOID's first five
// characters.
func (st *state) partitionTracts(ctx context.Context) error {
	t := st.cfg.Tracts
	layer := st.layers[t.Boundary]
	byID := make(map[string]orb.Geometry, len(layer.Features))
	for _, f := range layer.Features {
		byID[f.ID] = f.Geom
	}
	r := st.tracts
	geom := func(i int) orb.Geometry { return byID[r.Str(i, table.GEOID)] }
	return st.writePartitioned(ctx, "tracts", geom, r, table.GEOID)
}

// partitionPlaces writes a places set as points (lon/lat) in Hive-style
// partitioned GeoParquet, partitioned/places/<name>/state=SS/county=CCC/,
// by the GEOID of the tract each place lies in (the tracts boundary's
// column); places in no tract go to state=__HIVE_DEFAULT_PARTITION__.
//
// A places set in memory is written directly. A streamed one is split in
// two passes so that memory holds one state's places, not all of them:
// its row groups are appended to a temporary file per state, then each
// state's file is read whole and written by county.
func (st *state) partitionPlaces(ctx context.Context) error {
	col := st.cfg.Tracts.Boundary
	for _, name := range slices.Sorted(maps.Keys(st.cfg.Places)) {
		rel := filepath.Join("places", name)
		write := func(r *frame.Table) error {
			geom := func(i int) orb.Geometry {
				lon, _ := frame.ToFloat(r.Get(i, "lon"))
				lat, _ := frame.ToFloat(r.Get(i, "lat"))
				return orb.Point{lon, lat}
			}
			return st.writePartitioned(ctx, rel, geom, r, col)
		}
		var err error
		if p := st.places[name]; p.Streamed() {
			err = st.byState(ctx, p, col, write)
		} else {
			err = write(p)
		}
		if err != nil {
			return fmt.Errorf("places %q: %w", name, err)
		}
	}
	return nil
}

// byState splits streamed rows by the state FIPS code of their GEOID
// column geoid (the first two characters; shorter or null GEOIDs form one
// group of their own) into temporary Parquet files, one per state, then
// calls write with each state's rows in turn, in state order. The
// temporary files are removed before it returns.
func (st *state) byState(ctx context.Context, r *frame.Table, geoid string, write func(*frame.Table) error) error {
	tmp, err := os.MkdirTemp(st.out, ".partition-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	writers := map[string]*store.Writer{}
	defer func() {
		for _, w := range writers {
			w.Abort()
		}
	}()
	err = r.Scan(ctx, func(c *frame.Table, _ int) error {
		groups := map[string][]int{}
		for i := range c.Len() {
			k := "none"
			if s := c.Str(i, geoid); len(s) >= 5 {
				k = s[:2]
			}
			groups[k] = append(groups[k], i)
		}
		for _, k := range slices.Sorted(maps.Keys(groups)) {
			rec, err := c.Subset(groups[k]).Record(nil)
			if err != nil {
				return err
			}
			w := writers[k]
			if w == nil {
				if w, err = store.NewWriter(filepath.Join(tmp, k+".parquet"), rec.Schema()); err != nil {
					rec.Release()
					return err
				}
				writers[k] = w
			}
			err = w.Write(ctx, rec)
			rec.Release()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(writers)) {
		if err := writers[k].Close(); err != nil {
			return err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(writers)) {
		delete(writers, k)
		part, err := frame.InFile(filepath.Join(tmp, k+".parquet"), r.Cols(), r.Types(), 0).Load(ctx)
		if err != nil {
			return err
		}
		if err := write(part); err != nil {
			return err
		}
	}
	return nil
}

// writePartitioned writes r's records with geometry geom(i), partitioned by
// the state and county FIPS codes of each record's GEOID (column geoid), as
// partitioned/<rel>/state=SS/county=CCC/part-0.parquet. Columns of r named
// state or county are left out (the partition columns take their names).
// Each partition's table is built just before it is written.
func (st *state) writePartitioned(ctx context.Context, rel string, geom func(i int) orb.Geometry, r *frame.Table, geoid string) error {
	var cols []string
	for _, c := range r.Cols() {
		if c != "state" && c != "county" {
			cols = append(cols, c)
		}
	}
	key := func(i, k int) any {
		id := r.Str(i, geoid)
		switch {
		case len(id) < 5:
			return nil
		case k == 0:
			return id[:2]
		}
		return id[2:5]
	}
	part := func(idx []int) *geoparquet.Table {
		tb := &geoparquet.Table{Geoms: make([]orb.Geometry, len(idx))}
		for j, i := range idx {
			tb.Geoms[j] = geom(i)
		}
		for _, c := range cols {
			vals := make([]any, len(idx))
			for j, i := range idx {
				vals[j] = r.Get(i, c)
			}
			tb.Columns = append(tb.Columns, geoparquet.Column{Name: c, Values: vals})
		}
		return tb
	}
	dir := filepath.Join("partitioned", rel)
	files, err := store.WritePartitions(ctx, filepath.Join(st.out, dir), r.Len(), []string{"state", "county"}, key, part)
	for _, f := range files {
		st.files = append(st.files, filepath.Join(dir, f))
	}
	return err
}
