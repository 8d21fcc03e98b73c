package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/place"
	"github.com/groundwork-org/groundwork/pipeline/result"
)

// maxFeatureWarnings bounds the warnings one boundary adds to the run notes
// (a layer with 100,000 unclosed rings gives 10 lines and a count).
const maxFeatureWarnings = 10

// loadBoundaries reads and validates every boundary (GeoJSON, shapefile or
// GeoParquet, by extension; see geo.Read) and indexes it (geo.Load: the
// index is built while the layer is checked).
func (st *state) loadBoundaries(ctx context.Context) error {
	c := st.cfg
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c.Boundaries)) {
		b := c.Boundaries[name]
		if b.Census != nil {
			if err := st.loadCensusBoundary(ctx, name, b); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		l, idx, err := geo.Load(ctx, name, c.Path(b.File), b.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("boundary %q: %w", name, err))
			continue
		}
		for i, w := range l.Warnings {
			if i == maxFeatureWarnings {
				st.warn("boundary %s: %d more warning(s) like these", name, len(l.Warnings)-i)
				break
			}
			// The file as the pipeline file names it: no absolute path
			// reaches the report.
			st.warn("boundary %s: %s", name, strings.ReplaceAll(w, c.Path(b.File), filepath.ToSlash(b.File)))
		}
		st.layers[name] = l
		st.indexes[name] = idx
		st.sourceInfo = append(st.sourceInfo, result.Source{Name: name, Title: b.Title, About: b.About, File: filepath.Base(b.File), Rows: len(l.Features)})
		st.log.Info("loaded boundary", "name", name, "features", len(l.Features))
	}
	return errors.Join(errs...)
}

// loadCensusBoundary fetches a boundary named by Census layer, or reads it
// from the boundary file cache (censusread.Options.Boundary).
func (st *state) loadCensusBoundary(ctx context.Context, name string, b *config.Boundary) error {
	lb, note, err := st.census.Boundary(ctx, st.log, name, b)
	if err != nil {
		return err
	}
	l := lb.Layer
	for _, w := range l.Warnings {
		st.warn("boundary %s: %s", name, w)
	}
	// How the layer was cut from the Bureau's file ("kept the 349 features
	// in ...") is not a warning: it is said with the file, in the sources.
	for _, n := range lb.Notes {
		note.About = strings.TrimSuffix(note.About, ".") + ". " + strings.ToUpper(n[:1]) + n[1:] + "."
	}
	st.layers[name] = l
	st.indexes[name] = geo.NewIndexShared(l) // l is fresh: nothing else reads it yet
	st.sourceInfo = append(st.sourceInfo, note)
	st.log.Info("loaded boundary", "name", name, "features", len(l.Features), "url", lb.Files[0].URL, "cached", lb.Files[0].Cached)
	return nil
}

// buildAreas maps each feature of an area's boundary to its area through the
// lookup table (place.AreaMap), warning about lookup rows that match no
// feature and features that no lookup row names.
func (st *state) buildAreas(ctx context.Context) error {
	c := st.cfg
	for _, name := range slices.Sorted(maps.Keys(c.Areas)) {
		m, warns, err := place.AreaMap(name, c.Areas[name], st.raw[c.Areas[name].Lookup.Source], st.layers[c.Areas[name].Boundary])
		if err != nil {
			return err
		}
		for _, w := range warns {
			st.warn("%s", w)
		}
		st.areaOf[name] = m
	}
	return nil
}
