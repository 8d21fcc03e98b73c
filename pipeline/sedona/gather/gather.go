// Package gather builds the sedona engine's Spark job (package sedona) from
// a run: the distinct points of every places set, of the contacts, the
// listening survey and the sign-ins, to be placed in every boundary and
// area, and the places tables with the summaries and segments over them
// that the job can compute exactly as tabulate does (the others, logged,
// stay native). The runner's sedona stage runs the job and reads it back
// (sedona.ReadOut).
package gather

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/engage"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/place"
	"github.com/groundwork-org/groundwork/pipeline/place/contact"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Input is what the job is gathered from: the run's pipeline file and the
// tables of the stages before the sedona stage.
type Input struct {
	Config  *config.Config
	Layers  map[string]*geo.Layer
	Indexes map[string]*geo.Index
	AreaOf  map[string]map[string]string // area -> boundary feature ID -> area value
	Raw     map[string]arrow.RecordBatch
	// Source returns a source's table (a fresh copy, or a streamed
	// source's file).
	Source func(ctx context.Context, name string) (*frame.Table, error)
	Log    *slog.Logger
}

// Job returns the job of the run in: its one point set ("points") and
// the places tables it summarises. The job is nil when there is no point
// to place (the native stages are as quick). The tables' records are
// written by a second pass over their sources while the job is written.
func Job(ctx context.Context, in Input) (*sedona.Job, []*sedona.PlacesTable, error) {
	cfg := in.Config
	loc := place.NewLocator(in.Layers, in.Indexes, cfg.Areas, in.AreaOf)
	bounds := slices.Sorted(maps.Keys(in.Indexes))
	var areas []sedona.Area
	var areaNames []string
	for _, n := range slices.Sorted(maps.Keys(cfg.Areas)) {
		if b := cfg.Areas[n].Boundary; in.Indexes[b] != nil {
			areas = append(areas, sedona.Area{Name: n, Boundary: b, Values: in.AreaOf[n]})
			areaNames = append(areaNames, n)
		}
	}
	pos := map[orb.Point]int64{}
	var pts []orb.Point
	add := func(p orb.Point) int64 {
		i, ok := pos[p]
		if !ok {
			i = int64(len(pts))
			pos[p] = i
			pts = append(pts, p)
		}
		return i
	}

	var tables []*sedona.PlacesTable
	for _, name := range slices.Sorted(maps.Keys(cfg.Places)) {
		t, err := in.places(ctx, name, loc, add)
		if err != nil {
			return nil, nil, fmt.Errorf("places %q: %w", name, err)
		}
		if t != nil {
			tables = append(tables, t)
		}
	}
	if err := people(ctx, cfg, func(p orb.Point) { add(p) }); err != nil {
		return nil, nil, err
	}
	if len(pts) == 0 {
		return nil, nil, nil
	}
	job := &sedona.Job{Areas: areas,
		Points: []sedona.Points{{Name: "points", Points: pts, Boundaries: bounds, Areas: areaNames}}}
	for _, b := range bounds {
		job.Boundaries = append(job.Boundaries, sedona.Boundary{Layer: in.Layers[b], Counties: sedona.CountyCoded(in.Layers[b])})
	}
	for _, t := range tables {
		job.Tables = append(job.Tables, t.Spec)
	}
	return job, tables, nil
}

// places adds the points of places set name to the job (through add) and
// returns its table when the job computes summaries or segments over it
// (nil otherwise).
func (in Input) places(ctx context.Context, name string, loc *place.Locator, add func(orb.Point) int64) (*sedona.PlacesTable, error) {
	cfg := in.Config
	pl := cfg.Places[name]
	src, err := in.Source(ctx, pl.Source)
	if err != nil {
		return nil, err
	}
	bounds, areas := slices.Sorted(maps.Keys(cfg.Boundaries)), slices.Sorted(maps.Keys(cfg.Areas))
	placer, err := place.NewPlacer(pl, src.Cols(), place.Coordinates(pl, in.Raw), loc, bounds, areas)
	if err != nil {
		return nil, err
	}
	scan := func(fn func(r *frame.Table, base int) error) error {
		if src.Streamed() {
			return src.Scan(ctx, fn)
		}
		return fn(src, 0)
	}
	if err := scan(func(r *frame.Table, _ int) error {
		_, pts, err := placer.Points(ctx, r)
		for _, p := range pts {
			add(p)
		}
		return err
	}); err != nil {
		return nil, err
	}

	// The summaries and segments over the set, with the column types of
	// its places table (placement columns are text).
	types := maps.Clone(src.Types())
	for _, c := range loc.Names() {
		types[c] = table.String
	}
	t := &sedona.PlacesTable{Spec: sedona.Table{Name: name, Points: "points", Boundaries: slices.Sorted(maps.Keys(in.Indexes))}}
	for _, s := range cfg.Summaries {
		if s.Of != name {
			continue
		}
		spec, err := sedona.SummarySpec(s, types)
		if err != nil {
			in.Log.Info("sedona engine: summary computed natively", "stage", "sedona", "summary", s.Name, "reason", err.Error())
			continue
		}
		t.Spec.Summaries = append(t.Spec.Summaries, spec)
		t.Summaries = append(t.Summaries, s)
	}
	for _, s := range cfg.Segments {
		if s.Of != name {
			continue
		}
		spec, err := sedona.SegmentSpec(s, pl.ID, types)
		if err != nil {
			in.Log.Info("sedona engine: segment computed natively", "stage", "sedona", "segment", s.Name, "reason", err.Error())
			continue
		}
		t.Spec.Segments = append(t.Spec.Segments, spec)
		t.Segments = append(t.Segments, s)
	}
	if len(t.Summaries) == 0 && len(t.Segments) == 0 {
		return nil, nil
	}
	cols := slices.DeleteFunc(sedona.SQLColumns(src.Types(), t.Summaries, t.Segments, pl.ID), func(c string) bool {
		return slices.Contains(loc.Names(), c) // the job's placements replace them, as Place does
	})
	t.Spec.Records = func(emit func(arrow.RecordBatch) error) error {
		t.RecPoint = t.RecPoint[:0]
		empty := true
		err := scan(func(r *frame.Table, _ int) error {
			idx, pts, err := placer.Points(ctx, r)
			if err != nil {
				return err
			}
			if len(idx) == 0 && !empty {
				return nil
			}
			at := make([]int64, len(pts))
			for k, p := range pts {
				at[k] = add(p)
			}
			rec, err := sedona.RecordBatch(r, idx, int64(len(t.RecPoint)), at, cols)
			if err != nil {
				return err
			}
			defer rec.Release()
			t.RecPoint = append(t.RecPoint, at...)
			empty = false
			return emit(rec)
		})
		return err
	}
	return t, nil
}

// people adds the points of the contacts, the listening survey and the
// sign-ins to the job: it reads them as the outreach stage does, with a
// placer that only collects the points.
func people(ctx context.Context, cfg *config.Config, add func(orb.Point)) error {
	ct := cfg.Contacts
	if ct == nil {
		return nil
	}
	collect := contact.NewPlacer(nil, nil, nil).WithLocate(func(p orb.Point) (string, string) {
		add(p)
		return "", ""
	})
	if _, err := source.ReadContactsFile(ctx, cfg.Path(ct.File), ct.Mapping, collect, func(source.Contact) error { return nil }); err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	if l := cfg.Listening; l != nil {
		if _, err := source.ReadWith(cfg.Path(l.File), func(r io.Reader) (*engage.ListeningSummary, error) {
			return engage.ReadListening(ctx, r, filepath.Base(l.File), l.Mapping, collect)
		}); err != nil {
			return fmt.Errorf("listening: %w", err)
		}
	}
	if t := cfg.Turnout; t != nil {
		if _, err := source.ReadWith(cfg.Path(t.File), func(r io.Reader) (*engage.TurnoutSummary, error) {
			return engage.ReadTurnout(ctx, r, filepath.Base(t.File), t.Mapping, collect, contact.NewPlaceBook())
		}); err != nil {
			return fmt.Errorf("turnout: %w", err)
		}
	}
	return nil
}
