package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/engage"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/place"
	"github.com/groundwork-org/groundwork/pipeline/place/contact"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/sedona"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/pipeline/tabulate"
)

// sparkOut is what the sedona stage's Spark job computed, for the stages
// after it; it is cached with the stage (gob).
type sparkOut struct {
	// Names are the boundaries, then the areas, of each point's
	// placements in At.
	Names []string
	// At holds the placements of every point of every places set, of the
	// contacts, the listening survey and the sign-ins.
	At map[orb.Point][]string
	// Summaries and Segments are those the job computed, by name.
	Summaries map[string]*sparkSummary
	Segments  map[string]*sparkSegment
}

// sparkSummary is a summary computed by the job: its groups before
// tabulate.SummaryOf, and the records with a null key.
type sparkSummary struct {
	Groups  []*result.Group
	Outside int
}

// sparkSegment is a segment selected by the job: the rows of its places
// table, in rank order, and the records its rule could not decide.
type sparkSegment struct {
	Rows    []int
	Missing int
}

// summary returns the job's summary name, a copy the caller may change, or
// nil when it was computed natively (or there was no job).
func (o *sparkOut) summary(name string) *sparkSummary {
	if o == nil || o.Summaries[name] == nil {
		return nil
	}
	s := o.Summaries[name]
	c := &sparkSummary{Outside: s.Outside}
	for _, g := range s.Groups {
		cg := *g
		c.Groups = append(c.Groups, &cg)
	}
	return c
}

func (o *sparkOut) segment(name string) *sparkSegment {
	if o == nil {
		return nil
	}
	return o.Segments[name]
}

// locate returns the placements of p in boundary or area name, and whether
// the job placed p.
func (o *sparkOut) locate(name string, p orb.Point) (string, bool) {
	row, ok := o.At[p]
	if !ok {
		return "", false
	}
	if i := slices.Index(o.Names, name); i >= 0 {
		return row[i], true
	}
	return "", true
}

// sparkTable is a places set whose records the job summarises.
type sparkTable struct {
	name      string
	spec      sedona.Table
	recPoint  []int64 // each record's point (filled while the job is written)
	summaries []*config.Summary
	segments  []*config.Segment
}

// runSpark is the sedona engine's stage: one Spark job (pipeline/sedona)
// places the distinct points of every places set, of the contacts, the
// listening survey and the sign-ins, in every boundary and area, and
// computes the summaries and segments over places sets that it can compute
// exactly as tabulate does (the others, logged, stay native). The stages
// after it take their placements from it (Locator.Precompute,
// contact.Placer.WithLocate) and build every output as the native engine
// does.
func (st *state) runSpark(ctx context.Context) error {
	loc := place.NewLocator(st.layers, st.indexes, st.cfg.Areas, st.areaOf)
	bounds := slices.Sorted(maps.Keys(st.indexes))
	var areas []sedona.Area
	var areaNames []string
	for _, n := range slices.Sorted(maps.Keys(st.cfg.Areas)) {
		if b := st.cfg.Areas[n].Boundary; st.indexes[b] != nil {
			areas = append(areas, sedona.Area{Name: n, Boundary: b, Values: st.areaOf[n]})
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

	var tables []*sparkTable
	for _, name := range slices.Sorted(maps.Keys(st.cfg.Places)) {
		t, err := st.sparkPlaces(ctx, name, loc, add)
		if err != nil {
			return fmt.Errorf("places %q: %w", name, err)
		}
		if t != nil {
			tables = append(tables, t)
		}
	}
	if err := st.sparkPeople(ctx, func(p orb.Point) { add(p) }); err != nil {
		return err
	}

	if len(pts) == 0 {
		// Nothing to place: the native stages are as quick.
		st.log.Info("sedona engine: no points to place, no job", "stage", "sedona")
		return nil
	}
	job := &sedona.Job{Areas: areas,
		Points: []sedona.Points{{Name: "points", Points: pts, Boundaries: bounds, Areas: areaNames}}}
	for _, b := range bounds {
		job.Boundaries = append(job.Boundaries, sedona.Boundary{Layer: st.layers[b], Counties: sedona.CountyCoded(st.layers[b])})
	}
	for _, t := range tables {
		job.Tables = append(job.Tables, t.spec)
	}
	var usage sedona.Usage
	eng := *st.sedona
	eng.Usage = &usage
	eng.Log = sedona.LogLines(st.log, "sedona")
	st.log.Info("sedona job", "stage", "sedona", "points", len(pts), "tables", len(tables), "master", cmp.Or(eng.Master, "local[*]"))
	work, cleanup, err := eng.Run(ctx, st.out, job)
	if err != nil {
		return err
	}
	defer cleanup()
	if work == "" {
		st.log.Info("sedona job written", "stage", "sedona", "folder", eng.WriteTo)
		return nil
	}
	located, err := sedona.ReadLocated(ctx, work, "points", bounds, areaNames, pts)
	if err != nil {
		return err
	}
	out := &sparkOut{Names: located.Names, At: located.At, Summaries: map[string]*sparkSummary{}, Segments: map[string]*sparkSegment{}}
	for _, t := range tables {
		if err := out.readTable(ctx, work, t, pts, len(bounds)); err != nil {
			return err
		}
	}
	st.spark = out
	st.log.Info("sedona job done", "stage", "sedona", "distinct_points", len(pts),
		"summaries", len(out.Summaries), "segments", len(out.Segments),
		"wall", usage.Wall.Round(time.Millisecond).String(), "cpu", usage.CPU.Round(time.Millisecond).String(),
		"peak_mib", usage.PeakRSS>>20)
	return nil
}

// sparkPlaces adds the points of places set name to the job (through add)
// and returns its table when the job computes summaries or segments over
// it (nil otherwise). Its records are written by a second pass over the
// source while the job is written.
func (st *state) sparkPlaces(ctx context.Context, name string, loc *place.Locator, add func(orb.Point) int64) (*sparkTable, error) {
	pl := st.cfg.Places[name]
	src, err := st.source(ctx, pl.Source)
	if err != nil {
		return nil, err
	}
	bounds, areas := slices.Sorted(maps.Keys(st.cfg.Boundaries)), slices.Sorted(maps.Keys(st.cfg.Areas))
	placer, err := place.NewPlacer(pl, src.Cols(), place.Coordinates(pl, st.raw), loc, bounds, areas)
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
	t := &sparkTable{name: name, spec: sedona.Table{Name: name, Points: "points", Boundaries: slices.Sorted(maps.Keys(st.indexes))}}
	for _, s := range st.cfg.Summaries {
		if s.Of != name {
			continue
		}
		spec, err := sedona.SummarySpec(s, types)
		if err != nil {
			st.log.Info("sedona engine: summary computed natively", "stage", "sedona", "summary", s.Name, "reason", err.Error())
			continue
		}
		t.spec.Summaries = append(t.spec.Summaries, spec)
		t.summaries = append(t.summaries, s)
	}
	for _, s := range st.cfg.Segments {
		if s.Of != name {
			continue
		}
		spec, err := sedona.SegmentSpec(s, pl.ID, types)
		if err != nil {
			st.log.Info("sedona engine: segment computed natively", "stage", "sedona", "segment", s.Name, "reason", err.Error())
			continue
		}
		t.spec.Segments = append(t.spec.Segments, spec)
		t.segments = append(t.segments, s)
	}
	if len(t.summaries) == 0 && len(t.segments) == 0 {
		return nil, nil
	}
	cols := slices.DeleteFunc(sedona.SQLColumns(src.Types(), t.summaries, t.segments, pl.ID), func(c string) bool {
		return slices.Contains(loc.Names(), c) // the job's placements replace them, as Place does
	})
	t.spec.Records = func(emit func(arrow.RecordBatch) error) error {
		t.recPoint = t.recPoint[:0]
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
			rec, err := sedona.RecordBatch(r, idx, int64(len(t.recPoint)), at, cols)
			if err != nil {
				return err
			}
			defer rec.Release()
			t.recPoint = append(t.recPoint, at...)
			empty = false
			return emit(rec)
		})
		return err
	}
	return t, nil
}

// readTable reads the summaries and segments of table t from the job
// folder work. A record is in the places table when its point is in a
// feature of some boundary (the first nb of Names); its row there is its
// position among those.
func (o *sparkOut) readTable(ctx context.Context, work string, t *sparkTable, pts []orb.Point, nb int) error {
	row := make([]int, len(t.recPoint))
	n := 0
	for rec, p := range t.recPoint {
		row[rec] = -1
		if slices.ContainsFunc(o.At[pts[p]][:nb], func(id string) bool { return id != "" }) {
			row[rec] = n
			n++
		}
	}
	for k, s := range t.summaries {
		gs, err := sedona.ReadSummary(ctx, work, t.spec.Summaries[k])
		if err != nil {
			return err
		}
		groups, outside := sedona.Groups(gs, s)
		o.Summaries[s.Name] = &sparkSummary{Groups: groups, Outside: outside}
	}
	for _, s := range t.segments {
		m, err := sedona.ReadSegment(ctx, work, s.Name)
		if err != nil {
			return err
		}
		sg := &sparkSegment{Missing: int(m.Missing)}
		for _, rec := range m.Recs {
			if rec < 0 || int(rec) >= len(row) || row[rec] < 0 {
				return fmt.Errorf("sedona engine: segment %q: record %d is not a placed record of %s", s.Name, rec, t.name)
			}
			sg.Rows = append(sg.Rows, row[rec])
		}
		o.Segments[s.Name] = sg
	}
	return nil
}

// sparkPeople adds the points of the contacts, the listening survey and the
// sign-ins to the job: it reads them as the outreach stage does, with a
// placer that only collects the points.
func (st *state) sparkPeople(ctx context.Context, add func(orb.Point)) error {
	ct := st.cfg.Contacts
	if ct == nil {
		return nil
	}
	collect := contact.NewPlacer(nil, nil, nil).WithLocate(func(p orb.Point) (string, string) {
		add(p)
		return "", ""
	})
	if _, err := source.ReadContactsFile(ctx, st.cfg.Path(ct.File), ct.Mapping, collect, func(source.Contact) error { return nil }); err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	if l := st.cfg.Listening; l != nil {
		if _, err := readWith(st.cfg.Path(l.File), func(r io.Reader) (*engage.ListeningSummary, error) {
			return engage.ReadListening(ctx, r, filepath.Base(l.File), l.Mapping, collect)
		}); err != nil {
			return fmt.Errorf("listening: %w", err)
		}
	}
	if t := st.cfg.Turnout; t != nil {
		if _, err := readWith(st.cfg.Path(t.File), func(r io.Reader) (*engage.TurnoutSummary, error) {
			return engage.ReadTurnout(ctx, r, filepath.Base(t.File), t.Mapping, collect, contact.NewPlaceBook())
		}); err != nil {
			return fmt.Errorf("turnout: %w", err)
		}
	}
	return nil
}

// sparkSummaryOf returns summary s as the job computed it, or nil.
func (st *state) sparkSummaryOf(s *config.Summary) (*result.Summary, int) {
	sp := st.spark.summary(s.Name)
	if sp == nil {
		return nil, 0
	}
	return tabulate.SummaryOf(st.cfg, s, sp.Groups), sp.Outside
}
