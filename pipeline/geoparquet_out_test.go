package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/internal/pyref"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/demo/oakland"
)

// TestOutputsAreGeoParquet runs the demo and reads tracts.parquet and
// places/schools.parquet as GeoParquet 1.1 three ways: the geo package's
// reader (geometry per row), Arrow's pqarrow (the geometry and bbox columns
// and the geo metadata) and DuckDB spatial from the pinned .venv (the
// column is a GEOMETRY, the bbox covering matches each geometry's extent).
// A second run restores the stages from the cache (reading the files
// back, geometry skipped) and gives the same report.
func TestOutputsAreGeoParquet(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "out")
	cfg, err := config.Load(filepath.Join(dir, oakland.Pipeline))
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	if _, err := Run(context.Background(), cfg, Options{OutDir: out, CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"tracts.parquet": "Polygon", filepath.Join("places", "schools.parquet"): "Point"}
	rows := map[string]int64{}
	for f, kind := range files {
		path := filepath.Join(out, f)
		g, err := geoparquet.ReadFile(context.Background(), path)
		if err != nil {
			t.Fatalf("%s is not GeoParquet: %v", f, err)
		}
		n := 0
		for _, x := range g.Geoms {
			if x != nil {
				n++
				if kind == "Point" && x.GeoJSONType() != "Point" {
					t.Errorf("%s: geometry %s, want Point", f, x.GeoJSONType())
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no geometry", f)
		}
		rec := readWithPqarrow(t, path)
		rows[filepath.Base(f)] = rec.NumRows()
		if rec.Schema().HasMetadata() {
			if _, ok := rec.Schema().Metadata().GetValue("geo"); !ok {
				t.Errorf("%s: pqarrow sees no geo metadata", f)
			}
		}
		for _, c := range []string{"geometry", "bbox", "geoid"} {
			if len(rec.Schema().FieldIndices(c)) == 0 && !(c == "geoid" && kind == "Point") {
				t.Errorf("%s: pqarrow finds no column %q in %s", f, c, rec.Schema())
			}
		}
		rec.Release()
	}
	report1, _ := os.ReadFile(filepath.Join(out, "report.html"))

	// the stage cache restores from these files
	res, err := Run(context.Background(), cfg, Options{OutDir: out, CacheDir: cache})
	if err != nil {
		t.Fatalf("rerun from the cache: %v", err)
	}
	if res == nil {
		t.Fatal("no result")
	}
	report2, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !bytes.Equal(report1, report2) {
		t.Error("the report rebuilt from the cached GeoParquet files differs")
	}

	var got map[string]map[string]any
	pyref.Run(t, filepath.Join("testdata", "geoparquet_duckdb.py"), map[string]any{"files": []string{filepath.Join(out, "tracts.parquet"), filepath.Join(out, "places", "schools.parquet")}}, &got)
	want := map[string]map[string]any{
		"tracts.parquet":  {"rows": float64(rows["tracts.parquet"]), "type": "GEOMETRY('OGC:CRS84')", "bad_bbox": float64(0), "version": "1.1.0", "encoding": "WKB", "covering": []any{"bbox", "xmin"}, "crs": "absent (OGC:CRS84)"},
		"schools.parquet": {"rows": float64(rows["schools.parquet"]), "type": "GEOMETRY('OGC:CRS84')", "geometry_types": []any{"POINT"}, "bad_bbox": float64(0), "version": "1.1.0", "encoding": "WKB", "covering": []any{"bbox", "xmin"}, "crs": "absent (OGC:CRS84)"},
	}
	delete(got["tracts.parquet"], "geometry_types") // Polygon and MultiPolygon
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DuckDB spatial reading the outputs (-want +got):\n%s", diff)
	}
}
