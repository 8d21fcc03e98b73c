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
	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/place"
	"github.com/groundwork-org/groundwork/pipeline/result"
)

// maxFeatureWarnings bounds the warnings one boundary adds to the run notes
// (a layer with 100,000 unclosed rings gives 10 lines and a count).
const maxFeatureWarnings = 10

// loadBoundaries reads and validates every boundary (GeoJSON, shapefile or
// GeoParquet, by extension; see geo.Read) and indexes it.
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
		l, err := geo.Read(ctx, name, c.Path(b.File), b.ID)
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
		st.indexes[name] = geo.NewIndexShared(l) // l is fresh: nothing else reads it yet
		st.sourceInfo = append(st.sourceInfo, result.Source{Name: name, Title: b.Title, About: b.About, File: filepath.Base(b.File), Rows: len(l.Features)})
		st.log.Info("loaded boundary", "name", name, "features", len(l.Features))
	}
	return errors.Join(errs...)
}

// loadCensusBoundary fetches a boundary named by Census layer through the
// boundary file cache (see census.LoadBoundary), or reads it from there.
func (st *state) loadCensusBoundary(ctx context.Context, name string, b *config.Boundary) error {
	files, err := st.census.Files(st.log)
	if err != nil {
		return fmt.Errorf("boundary %q: %w", name, err)
	}
	lb, err := census.LoadBoundary(ctx, files, name, b.Census.Spec())
	if err != nil {
		return err
	}
	l := lb.Layer
	for _, w := range l.Warnings {
		st.warn("boundary %s: %s", name, w)
	}
	for _, n := range lb.Notes {
		st.warn("boundary %s: %s", name, n)
	}
	st.layers[name] = l
	st.indexes[name] = geo.NewIndexShared(l) // l is fresh: nothing else reads it yet
	main := lb.Files[0]
	about := b.About
	if about != "" {
		about += " "
	}
	about += fmt.Sprintf("U.S. Census Bureau %s, %s: %s (SHA-256 %s).", lb.Product, b.Census.Spec(), main.Published, main.SHA256)
	for _, f := range lb.Files[1:] {
		about += fmt.Sprintf(" Also %s (SHA-256 %s).", f.Published, f.SHA256)
	}
	st.sourceInfo = append(st.sourceInfo, result.Source{Name: name, Title: b.Title, About: about, File: filepath.Base(main.Path), Rows: len(l.Features)})
	st.log.Info("loaded boundary", "name", name, "features", len(l.Features), "url", main.URL, "cached", main.Cached)
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
