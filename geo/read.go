package geo

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/groundwork-org/groundwork/geo/crs"
	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/twpayne/go-geom"
	shapefile "github.com/twpayne/go-shapefile"
)

// Read reads a polygon boundary layer from path, choosing the reader by the
// file's extension:
//
//   - .geojson, .json: ReadGeoJSON
//   - .zip, .shp: ReadShapefile
//   - .parquet, .geoparquet: the GeoParquet file's primary geometry column
//     (WKB Polygon or MultiPolygon) with its other top-level columns as
//     properties; the CRS comes from the column's "crs" metadata (PROJJSON;
//     absent means OGC:CRS84) and idProp must name a string column
//
// Coordinates in a projected CRS the file declares are converted to EPSG:4326
// lon/lat (see package crs for what is known); an unidentifiable CRS is
// refused. idProp names the identifying property (see ReadGeoJSON).
func Read(ctx context.Context, name, path, idProp string) (*Layer, error) {
	return read(ctx, name, path, idProp, true)
}

// read is Read, with RepairOnLoad only when repair (else each feature's
// Bound is set, and nothing else is checked or changed).
func read(ctx context.Context, name, path, idProp string, repair bool) (*Layer, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".geojson", ".json":
		return readGeoJSON(ctx, name, path, idProp, repair)
	case ".zip", ".shp":
		return readShapefile(ctx, name, path, idProp, repair)
	case ".parquet", ".geoparquet":
		return readGeoParquet(ctx, name, path, idProp, repair)
	default:
		return nil, fmt.Errorf("boundary %q: %s: unknown file type %q; use .geojson, .json, .zip (a zipped shapefile), .shp or .parquet (GeoParquet)", name, path, ext)
	}
}

// Load reads a boundary layer as Read does and indexes it as NewIndexShared
// does, giving the same layer (features, warnings) and index as the two one
// after the other. The index is built while the layer is checked for
// repairs (RepairOnLoad's checks, on the other cores: GOMAXPROCS-1
// goroutines, so that the index build keeps a core, and on that one too
// once the index is built); when the check finds
// nothing, as in Census Bureau files, that is all, and otherwise the layer is
// repaired once the index is built and indexed again.
func Load(ctx context.Context, name, path, idProp string) (*Layer, *Index, error) {
	l, err := read(ctx, name, path, idProp, false)
	if err != nil {
		return nil, nil, err
	}
	// NewIndexShared re-points the rings of l's polygons into its arena: the
	// check reads the rings through polygons of its own, so that the two
	// touch no common memory but the coordinates, which both only read.
	view := &Layer{File: l.File, Features: make([]Feature, len(l.Features))}
	const chunk = 1024
	parallel((len(l.Features)+chunk-1)/chunk, func(c int) {
		for i := c * chunk; i < min(len(l.Features), (c+1)*chunk); i++ {
			f := &l.Features[i]
			mp := make(orb.MultiPolygon, len(f.Geom))
			for pi, p := range f.Geom {
				mp[pi] = slices.Clone(p)
			}
			view.Features[i] = Feature{ID: f.ID, Geom: mp}
		}
	})
	// The check runs on GOMAXPROCS-1 goroutines (the caller's among them)
	// while the index is built; the index's goroutine joins it when done.
	lc := newLayerCheck(view, false, false)
	var idx *Index
	var wg sync.WaitGroup
	wg.Go(func() {
		idx = NewIndexShared(l)
		lc.work()
	})
	for range max(1, runtime.GOMAXPROCS(0)-1) - 1 {
		wg.Go(lc.work)
	}
	lc.work()
	wg.Wait()
	probs := lc.problems()
	if len(probs) > 0 {
		RepairOnLoad(l)
		idx = NewIndexShared(l)
	}
	return l, idx, nil
}

// geojsonCRS decodes the crs member of a GeoJSON file (GeoJSON 2008; RFC 7946
// dropped it, but GDAL still writes it for data not in lon/lat).
func geojsonCRS(file string, data []byte) (*crs.CRS, error) {
	var doc struct {
		CRS *struct {
			Type       string `json:"type"`
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"crs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.CRS == nil {
		return crs.LonLat, nil // decoding errors are reported by the full decoder
	}
	if doc.CRS.Type != "name" {
		return nil, fmt.Errorf("%s: crs member of type %q; only named crs (\"type\": \"name\") are supported: %w", file, doc.CRS.Type, crs.ErrUnknown)
	}
	c, err := crs.FromName(doc.CRS.Properties.Name)
	if err != nil {
		return nil, fmt.Errorf("%s: crs member: %w", file, err)
	}
	return c, nil
}

// reproject converts the polygon coordinates of fc from c to lon/lat in
// place.
func reproject(fc *geojson.FeatureCollection, c *crs.CRS) {
	if c.IsLonLat() {
		return
	}
	gs := make([]orb.Geometry, len(fc.Features))
	for i, f := range fc.Features {
		gs[i] = f.Geometry
	}
	reprojectGeoms(gs, c)
}

// reprojectGeoms converts the coordinates of the polygons and multipolygons
// in gs from c to lon/lat in place; other geometries are left alone.
func reprojectGeoms(gs []orb.Geometry, c *crs.CRS) {
	if c.IsLonLat() {
		return
	}
	conv := func(rs []orb.Ring) {
		for _, r := range rs {
			for i, p := range r {
				r[i][0], r[i][1] = c.ToLonLat(p[0], p[1])
			}
		}
	}
	for _, g := range gs {
		switch g := g.(type) {
		case orb.Polygon:
			conv(g)
		case orb.MultiPolygon:
			for _, p := range g {
				conv(p)
			}
		}
	}
}

// ReadShapefile reads a polygon shapefile: a .zip holding one shapefile (as
// the Census Bureau ships TIGER/Line and cartographic boundary files), or a
// .shp whose .dbf and .prj (and optional .shx, .cpg) sit beside it with the
// same base name. Attributes come from the .dbf (decoded with the .cpg's
// charset); the CRS from the .prj, which is required. NAD83 (the Census
// Bureau's EPSG:4269) is taken as lon/lat without a datum shift; projected
// coordinates are converted to lon/lat. idProp names the identifying
// attribute (GEOID for Census files); see ReadGeoJSON for its rules.
func ReadShapefile(ctx context.Context, name, path, idProp string) (*Layer, error) {
	return readShapefile(ctx, name, path, idProp, true)
}

func readShapefile(ctx context.Context, name, path, idProp string, repair bool) (*Layer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var sf *shapefile.Shapefile
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read boundary %q: %w", name, err)
		}
		sf, err = readShapefileZip(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	} else {
		base := strings.TrimSuffix(path, filepath.Ext(path))
		shp, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("read boundary %q: %w", name, err)
		}
		var dbfSize int64
		if dbf, err := os.Stat(base + ".dbf"); err == nil {
			dbfSize = dbf.Size()
		}
		sf, err = shapefile.Read(base, shapefileOptions(shp.Size(), dbfSize))
		if err != nil {
			return nil, fmt.Errorf("%s: not a readable shapefile: %w", path, err)
		}
	}
	return fromShapefile(name, path, sf, idProp, repair)
}

// shapefileOptions bounds what the shapefile decoder allocates on the word
// of a file header by the real sizes of the .shp and .dbf (in bytes), so a
// corrupt header cannot make it allocate gigabytes.
func shapefileOptions(shpSize, dbfSize int64) *shapefile.ReadShapefileOptions {
	limit := func(n, cap int64) int { return int(max(min(n, cap), 1)) }
	return &shapefile.ReadShapefileOptions{
		DBF: &shapefile.ReadDBFOptions{MaxHeaderSize: limit(dbfSize, 1<<20), MaxRecordSize: limit(dbfSize, 1<<20), MaxRecords: limit(dbfSize, 1<<26)},
		SHP: &shapefile.ReadSHPOptions{MaxParts: limit(shpSize/4, 1<<24), MaxPoints: limit(shpSize/16, 1<<28), MaxRecordSize: limit(shpSize, 1<<31)},
	}
}

// memberSize bounds the uncompressed size of a zip member: its declared size,
// but no more than deflate's best ratio (1032:1) allows.
func memberSize(f *zip.File) int64 {
	return int64(min(f.UncompressedSize64, 1032*f.CompressedSize64+1024))
}

func readShapefileZip(data []byte) (*shapefile.Shapefile, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a zip file: %w", err)
	}
	n := 0
	var shpSize, dbfSize int64
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "__MACOSX") {
			continue
		}
		switch strings.ToLower(filepath.Ext(f.Name)) {
		case ".shp":
			n++
			shpSize = memberSize(f)
		case ".dbf":
			dbfSize = memberSize(f)
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("zip holds %d .shp files, want exactly 1; unzip it and name the .shp", n)
	}
	sf, err := shapefile.ReadZipReader(zr, shapefileOptions(shpSize, dbfSize))
	if err != nil {
		return nil, fmt.Errorf("not a readable shapefile zip: %w", err)
	}
	return sf, nil
}

// fromShapefile converts a decoded shapefile to a layer through the GeoJSON
// path, so both formats share validation.
func fromShapefile(name, file string, sf *shapefile.Shapefile, idProp string, repair bool) (*Layer, error) {
	fc, err := shapefileFeatures(file, sf, idProp)
	if err != nil {
		return nil, err
	}
	return fromFeatures(name, file, fc, idProp, repair)
}

// shapefileFeatures converts a decoded shapefile to GeoJSON features in
// lon/lat.
func shapefileFeatures(file string, sf *shapefile.Shapefile, idProp string) (*geojson.FeatureCollection, error) {
	if sf.SHP == nil {
		return nil, fmt.Errorf("%s: no .shp", file)
	}
	if sf.PRJ == nil {
		return nil, fmt.Errorf("%s: no .prj, so the coordinate reference system is unknown; add the .prj that came with the data (Census files are NAD83, EPSG:4269): %w", file, crs.ErrUnknown)
	}
	c, err := crs.ParseWKT(sf.PRJ.Projection)
	if err != nil {
		return nil, fmt.Errorf("%s: .prj: %w", file, err)
	}
	if sf.DBF == nil {
		return nil, fmt.Errorf("%s: no .dbf, so features have no attributes and no %q", file, idProp)
	}
	if len(sf.DBF.Records) != len(sf.SHP.Records) {
		return nil, fmt.Errorf("%s: .shp has %d records but .dbf has %d; the files do not belong together", file, len(sf.SHP.Records), len(sf.DBF.Records))
	}
	fc := geojson.NewFeatureCollection()
	for i, rec := range sf.SHP.Records {
		props := geojson.Properties(sf.DBF.Record(i))
		if props == nil {
			props = geojson.Properties{} // deleted .dbf record
		}
		var g orb.Geometry
		if rec != nil {
			switch t := rec.Geom.(type) {
			case *geom.MultiPolygon:
				g = toOrb(t)
			case *geom.Polygon:
				g = orb.MultiPolygon{toOrbPolygon(t)}
			case nil:
			default:
				return nil, &FeatureError{File: file, Index: i, Problem: fmt.Sprintf("shape type %T; a boundary file needs polygons", t)}
			}
		}
		fc.Append(&geojson.Feature{Type: "Feature", Geometry: g, Properties: props})
	}
	reproject(fc, c)
	return fc, nil
}

func toOrbPolygon(p *geom.Polygon) orb.Polygon {
	out := make(orb.Polygon, p.NumLinearRings())
	for i := range out {
		lr := p.LinearRing(i)
		r := make(orb.Ring, lr.NumCoords())
		for j := range r {
			c := lr.Coord(j)
			r[j] = orb.Point{c[0], c[1]}
		}
		out[i] = r
	}
	return out
}

func toOrb(mp *geom.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, mp.NumPolygons())
	for i := range out {
		out[i] = toOrbPolygon(mp.Polygon(i))
	}
	return out
}

// readGeoParquet reads a GeoParquet boundary for read (see Read).
func readGeoParquet(ctx context.Context, name, path, idProp string, repair bool) (*Layer, error) {
	t, err := geoparquet.ReadFile(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("boundary %q: %w", name, err)
	}
	reprojectGeoms(t.Geoms, t.CRS)
	// The features are built straight from the columns, as if each row were
	// a GeoJSON feature whose properties are its non-null values.
	return buildLayer(path, idProp, len(t.Geoms), func(i int) rawFeature {
		rf := rawFeature{geom: t.Geoms[i]}
		for _, col := range t.Columns {
			if v := col.Values[i]; v != nil && col.Name == idProp {
				rf.id, rf.hasID = v, true
			}
		}
		return rf
	}, func(i int) map[string]any {
		props := make(map[string]any, len(t.Columns))
		for _, col := range t.Columns {
			if v := col.Values[i]; v != nil && col.Name != idProp {
				props[col.Name] = v
			}
		}
		return props
	}, name, repair)
}

// WriteGeoParquet writes l as a GeoParquet 1.1 file at path, atomically
// (a temporary file in the same directory, renamed into place): one row per
// feature in layer order, a string column named idProp with the IDs, one
// column per property (see geoparquet.Table for the column types), the WKB
// geometry column "geometry" (MultiPolygon, OGC:CRS84) and its "bbox"
// covering column.
func WriteGeoParquet(ctx context.Context, path string, l *Layer, idProp string) error {
	t := &geoparquet.Table{CRS: crs.LonLat, Geoms: make([]orb.Geometry, len(l.Features))}
	ids := make([]any, len(l.Features))
	keys := map[string]bool{}
	for i, f := range l.Features {
		t.Geoms[i] = f.Geom
		ids[i] = f.ID
		for k := range f.Props {
			keys[k] = true
		}
	}
	delete(keys, idProp)
	t.Columns = append(t.Columns, geoparquet.Column{Name: idProp, Values: ids})
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vals := make([]any, len(l.Features))
		for i, f := range l.Features {
			vals[i] = f.Props[k]
		}
		t.Columns = append(t.Columns, geoparquet.Column{Name: k, Values: vals})
	}
	if err := geoparquet.WriteFile(ctx, path, t); err != nil {
		return fmt.Errorf("write boundary %q: %w", l.Name, err)
	}
	return nil
}
