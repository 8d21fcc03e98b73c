package geo

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/groundwork-org/groundwork/geo/crs"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// counts returns the number of polygons, rings and coordinates of l.
func counts(l *Layer) (polys, rings, coords int) {
	for _, f := range l.Features {
		for _, p := range f.Geom {
			polys++
			for _, r := range p {
				rings++
				coords += len(r)
			}
		}
	}
	return
}

func layerBound(l *Layer) orb.Bound {
	b := l.Features[0].Bound
	for _, f := range l.Features {
		b = b.Union(f.Bound)
	}
	return b
}

// TestReadCensusShapefileZip reads the Census Bureau's unmodified Ohio tract
// zip. The expected figures are from an independent reader, Fiona 1.9.0 on
// GDAL 3.6.2 (Debian bookworm): 2,948 features, 2,961 polygons, 2,970 rings,
// 113,149 coordinates, bounds [-84.820159, 38.403202, -80.518693, 41.977523];
// tract 39035101700 has NAME "1017" and ALAND 726454.
func TestReadCensusShapefileZip(t *testing.T) {
	l, err := Read(context.Background(), "ohio", "testdata/cb_2018_39_tract_500k.zip", "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Features) != 2948 {
		t.Errorf("%d features, want 2948", len(l.Features))
	}
	if p, r, c := counts(l); p != 2961 || r != 2970 || c != 113149 {
		t.Errorf("%d polygons, %d rings, %d coordinates; want 2961, 2970, 113149", p, r, c)
	}
	want := orb.Bound{Min: orb.Point{-84.820159, 38.403202}, Max: orb.Point{-80.518693, 41.977523}}
	if b := layerBound(l); math.Abs(b.Min[0]-want.Min[0]) > 1e-9 || math.Abs(b.Min[1]-want.Min[1]) > 1e-9 ||
		math.Abs(b.Max[0]-want.Max[0]) > 1e-9 || math.Abs(b.Max[1]-want.Max[1]) > 1e-9 {
		t.Errorf("bounds %v, want %v", b, want)
	}
	found := false
	for _, f := range l.Features {
		if f.ID == "39035101700" {
			found = true
			if f.Props["NAME"] != "1017" || f.Props["ALAND"] != 726454 {
				t.Errorf("tract 39035101700: NAME %#v ALAND %#v, want \"1017\" 726454", f.Props["NAME"], f.Props["ALAND"])
			}
		}
	}
	if !found {
		t.Error("tract 39035101700 missing")
	}
}

// maxDiff returns the largest coordinate difference between features of a
// and b with the same ID, and fails when their structure differs.
func maxDiff(t *testing.T, a, b *Layer) float64 {
	t.Helper()
	byID := map[string]*Feature{}
	for i := range b.Features {
		byID[b.Features[i].ID] = &b.Features[i]
	}
	d := 0.0
	for _, fa := range a.Features {
		fb := byID[fa.ID]
		if fb == nil {
			t.Fatalf("feature %s missing", fa.ID)
		}
		if len(fa.Geom) != len(fb.Geom) {
			t.Fatalf("feature %s: %d polygons vs %d", fa.ID, len(fa.Geom), len(fb.Geom))
		}
		for i := range fa.Geom {
			for j := range fa.Geom[i] {
				ra, rb := fa.Geom[i][j], fb.Geom[i][j]
				if len(ra) != len(rb) {
					t.Fatalf("feature %s ring %d: %d points vs %d", fa.ID, j, len(ra), len(rb))
				}
				for k := range ra {
					d = max(d, math.Abs(ra[k][0]-rb[k][0]), math.Abs(ra[k][1]-rb[k][1]))
				}
			}
		}
	}
	return d
}

// TestReadProjected reads files that GeoPandas 0.12.2 / PROJ 9.1.1 (Debian
// bookworm) projected from real lon/lat tracts (testdata/PROVENANCE.md) and
// checks that converting back recovers the lon/lat originals to 1e-8 degree
// (about 1 mm).
func TestReadProjected(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, projected, original string
	}{
		{"shapefile zip in Ohio South state plane ftUS (EPSG:3735, .prj)", "testdata/ohio_3tracts_epsg3735.zip", "testdata/ohio_3tracts.zip"},
		{"GeoJSON with crs member California Albers (EPSG:3310)", "testdata/alameda_3tracts_epsg3310.geojson", "testdata/alameda_tracts_2010.geojson"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Read(ctx, "p", tt.projected, "GEOID")
			if err != nil {
				t.Fatal(err)
			}
			o, err := Read(ctx, "o", tt.original, "GEOID")
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Features) != 3 {
				t.Fatalf("%d features, want 3", len(p.Features))
			}
			if d := maxDiff(t, p, o); d > 1e-8 {
				t.Errorf("largest difference from the lon/lat original: %g degrees", d)
			}
		})
	}
}

// unzipTo extracts the zip at src into dir, skipping members for which skip
// returns true, and returns the path of the .shp.
func unzipTo(t *testing.T, src, dir string, skip func(name string) bool) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	shp := ""
	for _, f := range zr.File {
		if skip != nil && skip(f.Name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(p, ".shp") {
			shp = p
		}
	}
	return shp
}

func TestReadShapefileSet(t *testing.T) {
	dir := t.TempDir()
	shp := unzipTo(t, "testdata/ohio_3tracts_epsg3735.zip", dir, nil)
	l, err := Read(context.Background(), "ohio", shp, "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	z, err := Read(context.Background(), "ohio", "testdata/ohio_3tracts_epsg3735.zip", "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(t, l, z); d != 0 {
		t.Errorf(".shp set and .zip differ by %g", d)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	noPrj := unzipTo(t, "testdata/ohio_3tracts.zip", dir, func(n string) bool { return strings.HasSuffix(n, ".prj") })
	badCRS := filepath.Join(t.TempDir(), "nad27.geojson")
	os.WriteFile(badCRS, []byte(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4267"}},"features":[]}`), 0o644)
	notLonLat := filepath.Join(t.TempDir(), "madeup_projected_without_crs.geojson")
	os.WriteFile(notLonLat, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":[[[564266,4183875],[564366,4183875],[564366,4183975],[564266,4183875]]]}}]}`), 0o644)
	// Real Alameda tracts with every point given as [latitude, longitude].
	swapped := filepath.Join(t.TempDir(), "alameda_tracts_2010_swapped.geojson")
	{
		b, err := os.ReadFile("testdata/alameda_tracts_2010.geojson")
		if err != nil {
			t.Fatal(err)
		}
		pair := regexp.MustCompile(`\[(-?[0-9.]+), ?(-?[0-9.]+)\]`)
		os.WriteFile(swapped, pair.ReplaceAll(b, []byte("[$2, $1]")), 0o644)
	}
	tests := []struct {
		name, path string
		isCRS      bool   // error wraps crs.ErrUnknown
		want       string // substring of the error
	}{
		{"shapefile without .prj", noPrj, true, "no .prj"},
		{"GeoJSON in NAD27", badCRS, true, "NAD27"},
		{"GeoJSON plainly not lon/lat", notLonLat, false, "outside lon/lat range; reproject to EPSG:4326"},
		{"GeoJSON in lat/lon order", swapped, false, "outside lon/lat range; it would fit as [latitude, longitude]: GeoJSON and WKT give each point as [longitude, latitude], so swap the two numbers of every point"},
		{"unknown extension", "testdata/PROVENANCE.md", false, "unknown file type \".md\""},
		{"missing file", "testdata/nothing.zip", false, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "id"
			if strings.Contains(tt.path, "alameda_tracts") {
				id = "GEOID"
			}
			_, err := Read(context.Background(), "b", tt.path, id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if errors.Is(err, crs.ErrUnknown) != tt.isCRS {
				t.Errorf("errors.Is(err, crs.ErrUnknown) = %v, want %v", !tt.isCRS, tt.isCRS)
			}
		})
	}
}

func TestGeoParquetRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, src := range []string{"testdata/alameda_tracts_2010.geojson", "testdata/cb_2018_39_tract_500k.zip"} {
		t.Run(filepath.Base(src), func(t *testing.T) {
			l, err := Read(ctx, "b", src, "GEOID")
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "b.parquet")
			if err := WriteGeoParquet(ctx, out, l, "GEOID"); err != nil {
				t.Fatal(err)
			}
			back, err := Read(ctx, "b", out, "GEOID")
			if err != nil {
				t.Fatal(err)
			}
			if len(back.Features) != len(l.Features) {
				t.Fatalf("%d features back, want %d", len(back.Features), len(l.Features))
			}
			for i, f := range l.Features {
				g := back.Features[i]
				if g.ID != f.ID || !orb.Equal(g.Geom, f.Geom) {
					t.Fatalf("feature %d: got %s, want %s with the same geometry", i, g.ID, f.ID)
				}
				for k, v := range f.Props {
					w := g.Props[k]
					if n, ok := v.(int); ok { // shapefile numbers come back as int64
						v = int64(n)
					}
					if w != v {
						t.Fatalf("feature %s property %s: got %#v, want %#v", f.ID, k, w, v)
					}
				}
			}
			// Deterministic output: writing again gives the same bytes.
			out2 := filepath.Join(t.TempDir(), "b.parquet")
			if err := WriteGeoParquet(ctx, out2, back, "GEOID"); err != nil {
				t.Fatal(err)
			}
			b1, _ := os.ReadFile(out)
			b2, _ := os.ReadFile(out2)
			if !bytes.Equal(b1, b2) {
				t.Error("writing the same layer twice gave different files")
			}
		})
	}
}

func FuzzReadShapefileZip(f *testing.F) {
	for _, p := range []string{"testdata/ohio_3tracts.zip", "testdata/ohio_3tracts_epsg3735.zip"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := readShapefileZip(data)
		if err != nil {
			return
		}
		l, err := fromShapefile("fuzz", "fuzz.zip", sf, "GEOID", true)
		if err != nil {
			return
		}
		for _, ft := range l.Features {
			if ft.ID == "" || len(ft.Geom) == 0 {
				t.Fatalf("accepted feature %+v", ft)
			}
		}
	})
}

func FuzzReadGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3310"}},"features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[100,0],[100,100],[0,0]]]}}]}`))
	data, err := os.ReadFile("testdata/alameda_3tracts_epsg3310.geojson")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "f.geojson")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := ReadGeoJSON(context.Background(), "fuzz", p, "id")
		if err != nil {
			return
		}
		for _, ft := range l.Features {
			for _, poly := range ft.Geom {
				for _, r := range poly {
					if len(r) < 4 || !r.Closed() {
						t.Fatalf("feature %s: accepted ring %v", ft.ID, r)
					}
				}
			}
		}
	})
}

func mustRead(t testing.TB, path string) *Layer {
	t.Helper()
	l, err := Read(context.Background(), "b", path, "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// writeGeoJSON writes l as a GeoJSON FeatureCollection at path with orb's
// encoder, each feature's ID as property idProp: the input of
// TestGeoJSONRoundTrip.
func writeGeoJSON(t *testing.T, path string, l *Layer, idProp string) {
	t.Helper()
	fc := geojson.NewFeatureCollection()
	for _, f := range l.Features {
		g := geojson.NewFeature(f.Geom)
		for k, v := range f.Props {
			g.Properties[k] = v
		}
		g.Properties[idProp] = f.ID
		fc.Append(g)
	}
	data, err := fc.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGeoJSONRoundTrip writes the real Ohio shapefile's tracts as GeoJSON and
// reads them back with ReadGeoJSON: same IDs, geometry and properties
// (numbers come back as float64, GeoJSON's only number type), and what was
// read back gives the same bytes when written again.
func TestGeoJSONRoundTrip(t *testing.T) {
	ctx := context.Background()
	l := mustRead(t, "testdata/cb_2018_39_tract_500k.zip")
	out := filepath.Join(t.TempDir(), "ohio.geojson")
	writeGeoJSON(t, out, l, "GEOID")
	back, err := ReadGeoJSON(ctx, "ohio", out, "GEOID")
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Features) != len(l.Features) {
		t.Fatalf("%d features back, want %d", len(back.Features), len(l.Features))
	}
	for i, f := range l.Features {
		g := back.Features[i]
		if g.ID != f.ID || !orb.Equal(g.Geom, f.Geom) {
			t.Fatalf("feature %d: %s, want %s with the same geometry", i, g.ID, f.ID)
		}
		if g.Props["NAME"] != f.Props["NAME"] || g.Props["ALAND"] != float64(f.Props["ALAND"].(int)) {
			t.Fatalf("feature %s: props %v, want %v", f.ID, g.Props, f.Props)
		}
	}
	out2 := filepath.Join(t.TempDir(), "ohio.geojson")
	writeGeoJSON(t, out2, back, "GEOID")
	b1, _ := os.ReadFile(out)
	b2, _ := os.ReadFile(out2)
	if !bytes.Equal(b1, b2) {
		t.Error("writing the same layer twice gave different files")
	}
}
