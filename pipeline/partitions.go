package pipeline

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/paulmach/orb"

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
			return st.writePartitioned(ctx, rel, partition.PointGeom(r), r, col)
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

// writeGeoParquet writes r as GeoParquet at rel (partition.WriteFile),
// geom(i) being row i's geometry and meta further key/value metadata, and
// lists the file.
func (st *state) writeGeoParquet(ctx context.Context, rel string, r *frame.Table, geom func(i int) orb.Geometry, meta map[string]string) error {
	path, err := st.outPath(rel)
	if err != nil {
		return err
	}
	st.files = append(st.files, rel)
	return partition.WriteFile(ctx, path, r, geom, meta)
}

// geoParquetWriter starts rel, a GeoParquet file with the columns of r
// written a table at a time (partition.NewFile), and lists it among the
// stage's files.
func (st *state) geoParquetWriter(rel string, r *frame.Table, meta map[string]string) (*partition.File, error) {
	path, err := st.outPath(rel)
	if err != nil {
		return nil, err
	}
	w, err := partition.NewFile(path, r, meta)
	if err == nil {
		st.files = append(st.files, rel)
	}
	return w, err
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
