package pipeline

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/partition"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// partitionTracts writes the tracts table with each tract's polygon as
// Hive-style partitioned GeoParquet, partitioned/tracts/state=SS/county=CCC/,
// the state and county FIPS codes taken from the GEOID's first five
// characters.
func (st *state) partitionTracts(ctx context.Context) error {
	return st.writePartitioned(ctx, "tracts", st.tractGeom(st.tracts), st.tracts, table.GEOID)
}

// tractGeom gives row i of r, a tracts table, its polygon in the tracts
// boundary (nil when the boundary lacks its GEOID).
func (st *state) tractGeom(r *frame.Table) func(i int) orb.Geometry {
	layer := st.layers[st.cfg.Tracts.Boundary]
	byID := make(map[string]orb.Geometry, len(layer.Features))
	for _, f := range layer.Features {
		byID[f.ID] = f.Geom
	}
	return func(i int) orb.Geometry { return byID[r.Str(i, table.GEOID)] }
}

// placeGeom gives row i of r, a places set, its point from the lon and lat
// columns; nil where either is null or r has no such columns.
func placeGeom(r *frame.Table) func(i int) orb.Geometry {
	types := r.Types()
	if _, ok := types["lon"]; !ok {
		return func(int) orb.Geometry { return nil }
	}
	if _, ok := types["lat"]; !ok {
		return func(int) orb.Geometry { return nil }
	}
	return func(i int) orb.Geometry {
		lon, ok1 := frame.ToFloat(r.Get(i, "lon"))
		lat, ok2 := frame.ToFloat(r.Get(i, "lat"))
		if !ok1 || !ok2 {
			return nil
		}
		return orb.Point{lon, lat}
	}
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
			return st.writePartitioned(ctx, rel, placeGeom(r), r, col)
		}
		var err error
		if p := st.places[name]; p.Streamed() {
			err = partition.ByState(ctx, st.out, p, col, write)
		} else {
			err = write(p)
		}
		if err != nil {
			return fmt.Errorf("places %q: %w", name, err)
		}
	}
	return nil
}

// writeGeoParquet writes r as GeoParquet 1.1 (geoparquet.Write: a WKB
// geometry column, the bbox covering, lon/lat) at rel, geom(i) being row
// i's geometry and meta further key/value metadata, and lists the file.
func (st *state) writeGeoParquet(ctx context.Context, rel string, r *frame.Table, geom func(i int) orb.Geometry, meta map[string]string) error {
	st.files = append(st.files, rel)
	path := filepath.Join(st.out, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	t := partition.GeoTable(r, geom, r.Cols(), nil)
	t.Metadata = meta
	return geoparquet.WriteFile(ctx, path, t)
}

// geoFile is a GeoParquet file being written a table at a time into a
// temporary file beside it, renamed into place by Close.
type geoFile struct {
	*geoparquet.Writer
	f    *os.File
	path string
}

// geoParquetWriter starts rel, a GeoParquet file with the columns of r (and
// their types) written a table at a time; it is listed among the stage's
// files and appears once Close succeeds. Abort removes it.
func (st *state) geoParquetWriter(rel string, r *frame.Table, meta map[string]string) (*geoFile, error) {
	path := filepath.Join(st.out, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	w, err := geoparquet.NewWriter(f, partition.GeoTable(r, nil, r.Cols(), []int{}).Columns, meta)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	st.files = append(st.files, rel)
	return &geoFile{Writer: w, f: f, path: path}, nil
}

// Close finishes the file and renames it into place.
func (g *geoFile) Close() error {
	err := g.Writer.Close()
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(g.f.Name(), g.path)
	}
	if err != nil {
		os.Remove(g.f.Name())
		return fmt.Errorf("write %s: %w", g.path, err)
	}
	return nil
}

// Abort removes the unfinished file.
func (g *geoFile) Abort() {
	g.f.Close()
	os.Remove(g.f.Name())
}

// writePartitioned writes r as partitioned/<rel>/ (see partition.Write) and
// lists the files among the stage's.
func (st *state) writePartitioned(ctx context.Context, rel string, geom func(i int) orb.Geometry, r *frame.Table, geoid string) error {
	dir := filepath.Join("partitioned", rel)
	path, err := st.outPath(dir)
	if err != nil {
		return err
	}
	files, err := partition.Write(ctx, path, geom, r, geoid)
	for _, f := range files {
		st.files = append(st.files, filepath.Join(dir, f))
	}
	return err
}
