package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

// TestGeoParquetBoundaryEndToEnd converts the demo's tract and
// neighborhood GeoJSON to GeoParquet, points the pipeline file at the
// GeoParquet files, and checks that the report is byte-identical to the
// GeoJSON run (the boundary file names shown in the sources section
// excepted).
func TestGeoParquetBoundaryEndToEnd(t *testing.T) {
	dir := demoDir(t)
	ctx := context.Background()
	for _, f := range []struct{ file, id string }{{"alameda_tracts_2010.geojson", "GEOID"}, {"oakland_neighborhoods.geojson", "name"}} {
		l, err := geo.ReadGeoJSON(ctx, "x", filepath.Join(dir, f.file), f.id)
		if err != nil {
			t.Fatal(err)
		}
		tb := &geoparquet.Table{}
		ids := geoparquet.Column{Name: f.id}
		for _, ft := range l.Features {
			tb.Geoms = append(tb.Geoms, orb.Geometry(ft.Geom))
			ids.Values = append(ids.Values, ft.ID)
		}
		tb.Columns = []geoparquet.Column{ids}
		if err := geoparquet.WriteFile(ctx, filepath.Join(dir, f.file+".parquet"), tb); err != nil {
			t.Fatal(err)
		}
	}
	out1 := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out1); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, oakland.Pipeline)
	b, _ := os.ReadFile(p)
	b = bytes.Replace(b, []byte("file: alameda_tracts_2010.geojson\n"), []byte("file: alameda_tracts_2010.geojson.parquet\n"), 1)
	b = bytes.Replace(b, []byte("file: oakland_neighborhoods.geojson\n"), []byte("file: oakland_neighborhoods.geojson.parquet\n"), 1)
	os.WriteFile(p, b, 0o644)
	out2 := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out2); err != nil {
		t.Fatal(err)
	}
	r1, _ := os.ReadFile(filepath.Join(out1, "report.html"))
	r2, _ := os.ReadFile(filepath.Join(out2, "report.html"))
	r2 = bytes.ReplaceAll(r2, []byte(".geojson.parquet"), []byte(".geojson"))
	if !bytes.Equal(r1, r2) {
		t.Error("the report from GeoParquet boundaries differs from the GeoJSON run")
	}
}

// TestShapefileZipBoundaryEndToEnd runs the demo with its tract boundary
// read from a shapefile zip (the same tracts written by GeoPandas/Fiona, see
// testdata/PROVENANCE.md) and checks the report equals the GeoJSON run's.
func TestShapefileZipBoundaryEndToEnd(t *testing.T) {
	dir := demoDir(t)
	zip, err := os.ReadFile(filepath.Join("testdata", "alameda_tracts_2010_shp.zip"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "alameda_tracts_2010_shp.zip"), zip, 0o644)
	out1 := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out1); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, oakland.Pipeline)
	b, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(b, []byte("file: alameda_tracts_2010.geojson\n"), []byte("file: alameda_tracts_2010_shp.zip\n"), 1), 0o644)
	out2 := filepath.Join(t.TempDir(), "out")
	if _, err := runDemo(t, dir, out2); err != nil {
		t.Fatal(err)
	}
	r1, _ := os.ReadFile(filepath.Join(out1, "report.html"))
	r2, _ := os.ReadFile(filepath.Join(out2, "report.html"))
	r2 = bytes.ReplaceAll(r2, []byte("alameda_tracts_2010_shp.zip"), []byte("alameda_tracts_2010.geojson"))
	if !bytes.Equal(r1, r2) {
		t.Error("the report from the shapefile zip differs from the GeoJSON run")
	}
}
