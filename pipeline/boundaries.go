package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/table"
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
		st.indexes[name] = geo.NewIndex(l)
		st.sourceInfo = append(st.sourceInfo, result.Source{Name: name, Title: b.Title, About: b.About, File: filepath.Base(b.File), Rows: len(l.Features)})
		st.log.Info("loaded boundary", "name", name, "features", len(l.Features))
	}
	return errors.Join(errs...)
}

// loadCensusBoundary fetches a boundary named by Census layer through the
// boundary file cache (see census.LoadBoundary), or reads it from there.
func (st *state) loadCensusBoundary(ctx context.Context, name string, b *config.Boundary) error {
	files, err := st.census.files(st.log)
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
	st.indexes[name] = geo.NewIndex(l)
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
		var unknown []string
		for i := range keys {
			if !kv[i] || !vv[i] {
				continue
			}
			if len(a.Order) > 0 && !slices.Contains(a.Order, vals[i]) && !slices.Contains(a.Exclude, vals[i]) {
				errs = append(errs, fmt.Errorf("area %q: lookup %s row %d: value %q is neither in order (%s) nor in exclude", name, a.Lookup.Source, i+2, vals[i], strings.Join(a.Order, ", ")))
				continue
			}
			if !ids[keys[i]] {
				unknown = append(unknown, strconv.Quote(keys[i]))
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
		if len(unknown) > 0 {
			st.warn("area %s: lookup %s names %d value(s) that are not features of boundary %s: %s", name, a.Lookup.Source, len(unknown), a.Boundary, notes.List(unknown, 0))
		}
		var missing []string
		for _, f := range layer.Features {
			if _, ok := m[f.ID]; !ok && !excludedIn(rec, a, f.ID) {
				missing = append(missing, f.ID)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			st.warn("area %s: %d feature(s) of %s have no row in %s and belong to no area: %s", name, len(missing), a.Boundary, a.Lookup.Source, notes.List(missing, 0))
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
