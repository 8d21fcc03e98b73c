package source

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// The Atlanta transit stations (real: CNT's National TOD Database via the
// Urban Displacement Project, 134 rows) as GeoJSON points and as Parquet
// written by pyarrow; see ../../testdata/atlanta/PROVENANCE.md.
var (
	stationsGeoJSON = filepath.Join("..", "..", "testdata", "atlanta", "atlanta_transit_stations.geojson")
	stationsParquet = filepath.Join("..", "..", "testdata", "atlanta", "atlanta_transit_stations.parquet")
)

func TestReadGeoJSONPoints(t *testing.T) {
	rec, err := ReadGeoJSONPoints(context.Background(), stationsGeoJSON, Points{Columns: []Column{
		{Name: "name", Header: "station_name", Type: table.String}, {Name: "agency", Type: table.String}, {Name: "year_opened", Type: table.String}}})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if rec.NumRows() != 134 || rec.NumCols() != 5 {
		t.Fatalf("%d rows, %d columns; want 134 and 5 (3 declared + lon, lat)", rec.NumRows(), rec.NumCols())
	}
	names, _, _ := table.Strings(rec, "name")
	lon, _, _ := table.Floats(rec, "lon")
	lat, _, _ := table.Floats(rec, "lat")
	// first CSV row: "AVONDALE STATION", 33.77533, -84.280715
	if names[0] != "AVONDALE STATION" || lon[0] != -84.280715 || lat[0] != 33.77533 {
		t.Errorf("first row = %q %v %v", names[0], lon[0], lat[0])
	}
	_, valid, _ := table.Strings(rec, "year_opened")
	n := 0
	for _, v := range valid {
		if v {
			n++
		}
	}
	if n != 40 { // SOURCES.md: "Pre-2000" for the 40 existing MARTA rows, empty for all others
		t.Errorf("year_opened set in %d rows, want 40", n)
	}

	// every property, typed from the data
	all, err := ReadGeoJSONPoints(context.Background(), stationsGeoJSON, Points{})
	if err != nil {
		t.Fatal(err)
	}
	defer all.Release()
	var got []string
	for _, f := range all.Schema().Fields() {
		got = append(got, f.Name+":"+f.Type.String())
	}
	if want := "agency:utf8 buffer:utf8 lines:utf8 station_name:utf8 year_opened:utf8 lon:float64 lat:float64"; strings.Join(got, " ") != want {
		t.Errorf("inferred columns %s, want %s", strings.Join(got, " "), want)
	}
}

func TestReadGeoJSONPointsErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "made_up_points.geojson")
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	pt := func(props string) string {
		return `{"type":"Feature","geometry":{"type":"Point","coordinates":[-84.28,33.77]},"properties":` + props + `}`
	}
	cols := []Column{{Name: "id", Type: table.String, Digits: 5}, {Name: "size", Type: table.Float}}
	for _, tt := range []struct{ name, in, want string }{
		{"not geojson", `[1,2]`, "not a GeoJSON FeatureCollection"},
		{"polygon", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"id":"00001","size":1}}]}`,
			`made_up_points.geojson:1: column "geometry": feature 1: geometry is Polygon, want Point`},
		{"lost zeros", `{"type":"FeatureCollection","features":[` + pt(`{"id":1234,"size":1}`) + `]}`, `column "id": feature 1: code "1234" has 4 digits, want 5`},
		{"wrong type", `{"type":"FeatureCollection","features":[` + pt(`{"id":"00001","size":"big"}`) + `]}`, `column "size": feature 1: value "big" is not a number`},
		{"missing property", `{"type":"FeatureCollection","features":[` + pt(`{"id":"00001","sise":1}`) + `]}`, `column "size": no feature has this property; did you mean "sise"?`},
		{"duplicate key", `{"type":"FeatureCollection","features":[` + pt(`{"id":"00001","size":1}`) + `,` + pt(`{"id":"00001","size":2}`) + `]}`, `feature 2: duplicate key "00001" (first in feature 1)`},
		{"projected", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[2226000,1350000]},"properties":{"id":"00001","size":1}}]}`, "are not lon/lat"},
	} {
		_, err := ReadGeoJSONPoints(context.Background(), write(tt.in), Points{Columns: cols, Key: "id"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v; want %q", tt.name, err, tt.want)
		}
	}
}

func TestReadParquetSource(t *testing.T) {
	rec, err := ReadParquet(context.Background(), stationsParquet, Points{})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	var got []string
	for _, f := range rec.Schema().Fields() {
		got = append(got, f.Name+":"+f.Type.String())
	}
	if want := "buffer:utf8 agency:utf8 lines:utf8 station_name:utf8 year_opened:utf8 latitude:float64 longitude:float64"; strings.Join(got, " ") != want || rec.NumRows() != 134 {
		t.Errorf("columns %s (%d rows), want %s (134)", strings.Join(got, " "), rec.NumRows(), want)
	}
	sel, err := ReadParquet(context.Background(), stationsParquet, Points{Columns: []Column{{Name: "name", Header: "station_name", Type: table.String}, {Name: "lat", Header: "latitude", Type: table.Float}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Release()
	names, _, _ := table.Strings(sel, "name")
	lat, _, _ := table.Floats(sel, "lat")
	if sel.NumCols() != 2 || names[1] != "DECATUR STATION" || lat[1] != 33.774449 {
		t.Errorf("second row %q %v", names[1], lat[1])
	}
	for _, tt := range []struct {
		name string
		spec Points
		want string
	}{
		{"typo", Points{Columns: []Column{{Name: "latitud", Type: table.Float}}}, `column "latitud": no such column in the file; did you mean "latitude"?`},
		{"type", Points{Columns: []Column{{Name: "latitude", Type: table.Int}}}, `column "latitude": the file's schema has float, declared int; declare it as float`},
		{"key", Points{Columns: []Column{{Name: "agency", Type: table.String}}, Key: "agency"}, `row 2: duplicate key "MARTA" (first in row 1)`},
		{"not parquet", Points{}, "not a Parquet file"},
	} {
		p := stationsParquet
		if tt.name == "not parquet" {
			p = stationsGeoJSON
		}
		_, err := ReadParquet(context.Background(), p, tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v; want %q", tt.name, err, tt.want)
		}
	}
}
