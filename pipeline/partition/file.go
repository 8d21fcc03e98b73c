package partition

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/frame"
)

// WriteFile writes r as one GeoParquet 1.1 file at path (geoparquet.Write:
// a WKB geometry column, the bbox covering, lon/lat), making its folder,
// geom(i) being row i's geometry and meta further key/value metadata. The
// file appears once complete. Rows are converted fileChunk at a time, so
// memory beyond r stays flat in its number of rows; the bytes are those of
// geoparquet.Write of the whole table (TestWriteFileInChunks).
func WriteFile(ctx context.Context, path string, r *frame.Table, geom func(i int) orb.Geometry, meta map[string]string) error {
	w, err := NewFile(path, r, meta)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	cols := r.Cols()
	idx := make([]int, 0, min(r.Len(), fileChunk))
	for lo := 0; lo < r.Len(); lo += fileChunk {
		idx = idx[:0]
		for i := lo; i < min(r.Len(), lo+fileChunk); i++ {
			idx = append(idx, i)
		}
		if err := w.Write(ctx, GeoTable(r, geom, cols, idx)); err != nil {
			w.Abort()
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return w.Close()
}

// fileChunk is the number of rows WriteFile converts at a time: a multiple
// of the rows geoparquet's Writer hands parquet-go at a time (1,024), so
// that the file's pages are those of one Write of the whole table.
const fileChunk = 8 * 1024

// PointGeom gives row i of r, a places set, its point from the lon and lat
// columns; nil where either is null or r has no such columns.
func PointGeom(r *frame.Table) func(i int) orb.Geometry {
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

// File is a GeoParquet file being written a table at a time into a
// temporary file beside it, renamed into place by Close.
type File struct {
	*geoparquet.Writer
	f    *os.File
	path string
}

// NewFile starts path, a GeoParquet file with the columns of r (and their
// types) and metadata meta, written a table at a time (File.Write, tables
// from GeoTable with the same columns); it makes the folder. The file
// appears at path once Close succeeds; Abort removes it.
func NewFile(path string, r *frame.Table, meta map[string]string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	w, err := geoparquet.NewWriter(f, GeoTable(r, nil, r.Cols(), []int{}).Columns, meta)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{Writer: w, f: f, path: path}, nil
}

// Close finishes the file and renames it into place.
func (g *File) Close() error {
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
func (g *File) Abort() {
	g.f.Close()
	os.Remove(g.f.Name())
}
