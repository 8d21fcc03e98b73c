package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/feed"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
	"github.com/groundwork-org/groundwork/pipeline/store"
)

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
	unplaced   map[string]result.UnplacedSet
	placedBy   map[string]map[string]int // places -> located_by -> count
	summaries  []*result.Summary
	indicators *result.Indicators
	outreach   *result.Outreach
	census     CensusOptions  // for census sources pulled live
	sedona     *sedona.Engine // the sedona engine places points; nil: native
	spark      *sedona.Out    // what the sedona stage's job computed; nil: none
	segments   []*result.Segment
	sourceInfo []result.Source

	base    forkBase      // set by fork
	counter *stageCounter // the running stage's rows (see progress); nil outside a run
	// feed, set by the scheduler on the forks of a streamed source stage
	// and of the places stage that shares its pass, carries the source's
	// chunks from one to the other (pipeline/feed); nil otherwise.
	feed *feed.Feed
	// fanout, set on the fork of a places stage that runs in one pass
	// with summaries or segments over its places set, carries the placed
	// chunks to each of them; placedIn, set on the fork of such a summary
	// or segment, is its end of one (pipeline/feed).
	fanout   []*feed.Feed
	placedIn *feed.Feed
}

func (st *state) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	st.warnings = append(st.warnings, msg)
	st.log.Warn(msg)
}

// outPath returns the path of rel (slash- or OS-separated, relative to the
// output folder) in the staging folder, after store.Path has proved that it
// stays inside it. Every file a stage writes goes through it.
func (st *state) outPath(rel string) (string, error) {
	return store.Path(st.out, strings.Split(filepath.ToSlash(rel), "/")...)
}

func (st *state) writeParquet(ctx context.Context, rel string, rec arrow.RecordBatch) error {
	path, err := st.outPath(rel)
	if err != nil {
		return err
	}
	st.files = append(st.files, rel)
	return store.WriteParquet(ctx, path, rec)
}

// parquetWriter starts rel, a Parquet file written a record at a time; it is
// listed among the stage's files (and appears) once its Writer is closed.
func (st *state) parquetWriter(rel string, schema *arrow.Schema) (*store.Writer, error) {
	path, err := st.outPath(rel)
	if err != nil {
		return nil, err
	}
	st.files = append(st.files, rel)
	return store.NewWriter(path, schema)
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
	t, err := frame.OpenFile(filepath.Join(st.out, "raw", name+".parquet"))
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", name, err)
	}
	return t, nil
}

func (st *state) writeFile(rel string, write func(io.Writer) error) error {
	path, err := st.outPath(rel)
	if err != nil {
		return err
	}
	st.files = append(st.files, rel)
	return store.WriteAtomic(path, write)
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
	Unplaced   map[string]result.UnplacedSet
	PlacedBy   map[string]map[string]int
	Indicators *result.Indicators
	Outreach   *result.Outreach
	Spark      *sedona.Out
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
		sedona:     st.sedona,
		spark:      st.spark,
	}
	f.base = forkBase{len(st.warnings), len(st.sourceInfo), len(st.summaries), len(st.segments), st.tracts, st.spark}
	return f
}

// forkBase records the lengths of a state's lists when it was forked.
type forkBase struct {
	warnings, sourceInfo, summaries, segments int
	tracts                                    *frame.Table
	// spark as forked: the sedona stage may merge while another stage
	// runs, so the parent's is not the fork's starting value.
	spark *sedona.Out
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
	if f.spark != f.base.spark {
		o.Spark = f.spark
		o.RowsOut += len(f.spark.At)
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
	if o.Spark != nil {
		st.spark = o.Spark
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
