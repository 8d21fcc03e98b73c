package pipeline

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/place"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// joinTracts joins the census table to the tract boundary by GEOID and
// assigns every tract to the areas by its representative point
// (geo.RepresentativePoint). Census rows without
// a polygon (water-only tracts are left out of cartographic boundary files)
// and polygons without a census row are reported, not dropped silently.
func (st *state) joinTracts(ctx context.Context) error {
	t := st.cfg.Tracts
	if t == nil {
		return nil
	}
	rec := st.raw[t.Source]
	r := frame.FromRecord(rec)
	layer := st.layers[t.Boundary]
	byID := map[string]int{}
	for i, f := range layer.Features {
		byID[f.ID] = i
	}
	areaNames := slices.Sorted(maps.Keys(st.cfg.Areas))
	for _, a := range areaNames {
		r.AddCol(st.cfg.Areas[a].Boundary, table.String)
		r.AddCol(a, table.String)
	}
	// each tract's seat of every decision layer, in the column named for
	// its boundary (as places have)
	var seatLayers []string
	for _, b := range st.cfg.DecisionLayers() {
		if !slices.Contains(r.Cols(), b) {
			r.AddCol(b, table.String)
			seatLayers = append(seatLayers, b)
		}
	}
	seen := map[string]bool{}
	var noPolygon []string
	var kept []int
	loc := place.NewLocator(st.layers, st.indexes, st.cfg.Areas, st.areaOf)
	buf := loc.Buffer()
	prog := st.progress(r.Len())
	for i := range r.Len() {
		if i%4096 == 0 {
			prog.done(i)
		}
		id := r.Str(i, table.GEOID)
		seen[id] = true
		fi, ok := byID[id]
		if !ok {
			noPolygon = append(noPolygon, id)
			continue
		}
		loc.Into(geo.RepresentativePoint(layer.Features[fi].Geom), buf)
		for _, a := range areaNames {
			b := st.cfg.Areas[a].Boundary
			r.Set(i, b, loc.Value(buf, b))
			r.Set(i, a, loc.Value(buf, a))
		}
		for _, b := range seatLayers {
			r.Set(i, b, loc.Value(buf, b))
		}
		kept = append(kept, i)
	}
	prog.done(r.Len())
	r.Keep(kept)
	if len(noPolygon) > 0 {
		st.warn("tracts: %d row(s) of %s have no polygon in %s and are left off the map (water-only tracts are omitted from cartographic boundary files): %s", len(noPolygon), t.Source, t.Boundary, notes.List(noPolygon, 0))
	}
	var noData []string
	for _, f := range layer.Features {
		if !seen[f.ID] {
			noData = append(noData, f.ID)
		}
	}
	if err := st.checkCoverage(slices.Collect(maps.Keys(seen)), layer); err != nil {
		return err
	}
	if len(noData) > 0 {
		st.warn("tracts: %d polygon(s) of %s have no row in %s: %s", len(noData), t.Boundary, t.Source, notes.List(noData, 0))
	}
	if len(kept) == 0 {
		return fmt.Errorf("no GEOID of %s matches a feature of %s; check that both are the same tract vintage and that GEOIDs kept their leading zeros", t.Source, t.Boundary)
	}
	st.tracts = r
	if err := st.computeIndicators(ctx); err != nil { // adds the indicator columns, writes tracts.parquet
		return err
	}
	return st.interpolate(ctx)
}

// checkCoverage refuses a census table of every tract of some counties
// (for: "tract:*") that lacks land tracts its tract boundary has there while
// having none the boundary lacks: an answer cut short at a row boundary,
// which is still valid JSON (census.TractCoverage). A table of another tract
// vintage, a boundary of other counties or water-only tracts do not trip
// it; a crosswalked table is not checked (the relationship file decides
// which tracts it has).
// rows are the table's GEOIDs, every row (with a polygon or not).
func (st *state) checkCoverage(rows []string, layer *geo.Layer) error {
	t := st.cfg.Tracts
	s := st.cfg.Sources[t.Source]
	if s == nil || s.Kind != config.KindCensus || s.Crosswalk != nil {
		return nil
	}
	ids := make([]string, len(layer.Features))
	for i, f := range layer.Features {
		ids[i] = f.ID
	}
	c, ok := census.TractCoverage(census.Request{For: s.For, In: s.In}, rows, ids)
	if !ok {
		return nil
	}
	err := c.Err()
	if err == nil {
		return nil
	}
	fix := "run again with --refresh to pull it from the Census Data API again (the cached answer is short)"
	if s.Recorded != "" {
		fix = fmt.Sprintf("the recorded file %s is short: save the whole answer again, or name the tracts it holds in for: (tract:400100,400200)", filepath.Base(s.Recorded))
	}
	return fmt.Errorf("source %q against boundary %q: %w; %s", t.Source, t.Boundary, err, fix)
}
