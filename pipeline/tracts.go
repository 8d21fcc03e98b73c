package pipeline

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/censusread"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/place"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/paulmach/orb"
)

// joinTracts joins the census table to the tract boundary by GEOID and
// assigns every tract to the areas by its representative point
// (geo.RepresentativePoints, located on all cores). Census rows without
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
	byID := make(map[string]int, len(layer.Features))
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
	seen := make(map[string]bool, r.Len())
	var noPolygon []string
	var kept []int // rows with a polygon
	var pts []orb.Point
	reps := geo.RepresentativePoints(layer) // on all cores
	prog := st.progress(r.Len())
	for i := range r.Len() {
		id := r.Str(i, table.GEOID)
		seen[id] = true
		fi, ok := byID[id]
		if !ok {
			noPolygon = append(noPolygon, id)
			continue
		}
		kept = append(kept, i)
		pts = append(pts, reps[fi])
	}
	loc := place.NewLocator(st.layers, st.indexes, st.cfg.Areas, st.areaOf)
	w := loc.Width()
	placed := make([]string, w*len(pts))
	if err := loc.LocateAll(ctx, pts, make([]int32, len(pts)), placed); err != nil { // as Into would, on all cores
		return err
	}
	for k, i := range kept {
		if k%4096 == 0 {
			prog.done(i)
		}
		buf := placed[k*w : (k+1)*w]
		for _, a := range areaNames {
			b := st.cfg.Areas[a].Boundary
			r.Set(i, b, loc.Value(buf, b))
			r.Set(i, a, loc.Value(buf, a))
		}
		for _, b := range seatLayers {
			r.Set(i, b, loc.Value(buf, b))
		}
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
	if err := censusread.CheckCoverage(st.cfg, slices.Collect(maps.Keys(seen)), layer); err != nil {
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
