package partition

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// WriteFile writes r as one GeoParquet 1.1 file at path (geoparquet.Write:
// a WKB geometry column, the bbox covering, lon/lat), making its folder,
// geom(i) being row i's geometry and meta further key/value metadata. The
// file appears once complete. Rows go to the writer column by column
// (Batch), their geometries fileChunk at a time, so memory beyond r stays
// flat in its number of rows; the bytes are those of geoparquet.Write of
// the whole table (TestWriteFileInChunks).
func WriteFile(ctx context.Context, path string, r *frame.Table, geom func(i int) orb.Geometry, meta map[string]string) error {
	w, err := NewFile(path, r, meta)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	cols := r.Cols()
	for lo := 0; lo < r.Len(); lo += fileChunk {
		b, err := Batch(r, cols, lo, min(r.Len(), lo+fileChunk), geom)
		if err == nil {
			err = w.WriteBatch(ctx, b)
		}
		if err != nil {
			w.Abort()
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return w.Close()
}

// fileChunk is the number of rows WriteFile takes geometries of at a time:
// a multiple of the rows geoparquet's Writer takes at a time (1,024), so
// that the file's pages are those of one Write of the whole table.
const fileChunk = 8 * 1024

// Batch is the GeoParquet batch of rows [lo, hi) of r, column by column
// without a copy of the values: the columns cols with r's types (a column
// r lacks is null throughout), and the geometries geom(i); when geom is
// nil, the points of r's lon and lat columns, as PointGeom gives them.
func Batch(r *frame.Table, cols []string, lo, hi int, geom func(i int) orb.Geometry) (*geoparquet.Batch, error) {
	n := hi - lo
	b := &geoparquet.Batch{Len: n, Columns: make([]geoparquet.Values, len(cols))}
	for j, name := range cols {
		c := r.Column(name)
		if c == nil {
			b.Columns[j] = geoparquet.Values{Valid: make([]bool, n), Strings: make([]string, n), Int64s: make([]int64, n), Float64s: make([]float64, n), Bools: make([]bool, n)}
			continue
		}
		v := geoparquet.Values{Valid: c.Valid[lo:hi]}
		switch c.Type {
		case table.String:
			v.Strings = c.Strings[lo:hi]
		case table.Float:
			v.Float64s = c.Floats[lo:hi]
		case table.Int:
			v.Int64s = c.Ints[lo:hi]
		case table.Bool:
			v.Bools = c.Bools[lo:hi]
		default:
			return nil, fmt.Errorf("column %q: type %v is not written to GeoParquet", name, c.Type)
		}
		b.Columns[j] = v
	}
	lon, lat := r.Column("lon"), r.Column("lat")
	switch {
	case geom != nil:
	case lon != nil && lat != nil && lon.Type == table.Float && lat.Type == table.Float:
		b.X, b.Y, b.PointOK = lon.Floats[lo:hi], lat.Floats[lo:hi], make([]bool, n)
		for i := range n {
			b.PointOK[i] = lon.Valid[lo+i] && lat.Valid[lo+i]
		}
		return b, nil
	default:
		geom = PointGeom(r)
	}
	b.Geoms = make([]orb.Geometry, n)
	for i := range n {
		b.Geoms[i] = geom(lo + i)
	}
	return b, nil
}

// WriteFrame appends the rows of r, a places set's chunk with the file's
// columns cols, their points from its lon and lat columns (PointGeom):
// the bytes of Write(ctx, GeoTable(r, PointGeom(r), cols, nil)), written
// column by column (TestWriteFrameAsTable).
func (g *File) WriteFrame(ctx context.Context, r *frame.Table, cols []string) error {
	b, err := Batch(r, cols, 0, r.Len(), nil)
	if err != nil {
		return err
	}
	return g.WriteBatch(ctx, b)
}

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
