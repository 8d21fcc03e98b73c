// Package partition writes tables as Hive-style partitioned GeoParquet by the
// state and county of each record's GEOID.
package partition

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/paulmach/orb"
)

// ByState splits the rows of r (typically streamed, in a file) by the state
// FIPS code of their GEOID column geoid (the first two characters; shorter
// or null GEOIDs form one group of their own) into temporary Parquet files,
// one per state, in a folder it makes in tmpParent, then calls write with
// each state's rows in turn, in state order, so that memory holds one
// state's rows at a time. The temporary files are removed before it
// returns.
func ByState(ctx context.Context, tmpParent string, r *frame.Table, geoid string, write func(*frame.Table) error) error {
	tmp, err := os.MkdirTemp(tmpParent, ".partition-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	writers := map[string]*store.Writer{}
	defer func() {
		for _, w := range writers {
			w.Abort()
		}
	}()
	err = r.Scan(ctx, func(c *frame.Table, _ int) error {
		groups := map[string][]int{}
		for i := range c.Len() {
			k := "none"
			if s := c.Str(i, geoid); len(s) >= 5 {
				k = s[:2]
			}
			groups[k] = append(groups[k], i)
		}
		for _, k := range slices.Sorted(maps.Keys(groups)) {
			rec, err := c.Subset(groups[k]).Record(nil)
			if err != nil {
				return err
			}
			w := writers[k]
			if w == nil {
				path, err := store.Path(tmp, k+".parquet")
				if err != nil {
					rec.Release()
					return fmt.Errorf("state code %q of a GEOID: %w", k, err)
				}
				if w, err = store.NewWriter(path, rec.Schema()); err != nil {
					rec.Release()
					return err
				}
				writers[k] = w
			}
			err = w.Write(ctx, rec)
			rec.Release()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(writers)) {
		if err := writers[k].Close(); err != nil {
			return err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(writers)) {
		delete(writers, k)
		part, err := frame.InFile(filepath.Join(tmp, k+".parquet"), r.Cols(), r.Types(), 0).Load(ctx)
		if err != nil {
			return err
		}
		if err := write(part); err != nil {
			return err
		}
	}
	return nil
}

// kindOf maps a table type to the GeoParquet column kind.
var kindOf = map[table.Type]string{table.String: "string", table.Float: "float64", table.Int: "int64", table.Bool: "bool"}

// Write writes r's records with geometry geom(i) as Hive-style partitioned
// GeoParquet under dir, partitioned by the state and county FIPS codes of
// each record's GEOID (column geoid): dir/state=SS/county=CCC/part-0.parquet,
// records with a GEOID shorter than five characters under the default
// partition. Columns of r named state or county are left out (the partition
// columns take their names). Each partition's table is built just before it
// is written. It returns the files written, relative to dir, also on error.
func Write(ctx context.Context, dir string, geom func(i int) orb.Geometry, r *frame.Table, geoid string) ([]string, error) {
	var cols []string
	for _, c := range r.Cols() {
		if c != "state" && c != "county" {
			cols = append(cols, c)
		}
	}
	key := func(i, k int) any {
		id := r.Str(i, geoid)
		switch {
		case len(id) < 5:
			return nil
		case k == 0:
			return id[:2]
		}
		return id[2:5]
	}
	part := func(idx []int) *geoparquet.Table { return GeoTable(r, geom, cols, idx) }
	return store.WritePartitions(ctx, dir, r.Len(), []string{"state", "county"}, key, part)
}

// GeoTable builds the GeoParquet table of rows idx of r (every row when idx
// is nil): the columns cols, each with r's type (so that the files of a
// partitioned dataset share one schema), and geom(i) as row i's geometry.
func GeoTable(r *frame.Table, geom func(i int) orb.Geometry, cols []string, idx []int) *geoparquet.Table {
	if idx == nil {
		idx = make([]int, r.Len())
		for i := range idx {
			idx[i] = i
		}
	}
	tb := &geoparquet.Table{Geoms: make([]orb.Geometry, len(idx))}
	for j, i := range idx {
		tb.Geoms[j] = geom(i)
	}
	types := r.Types()
	for _, c := range cols {
		vals := make([]any, len(idx))
		for j, i := range idx {
			vals[j] = r.Get(i, c)
		}
		tb.Columns = append(tb.Columns, geoparquet.Column{Name: c, Values: vals, Kind: kindOf[types[c]]})
	}
	return tb
}
