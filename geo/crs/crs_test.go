package crs

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestSnyderExamples checks the projection formulas against the worked
// numerical examples of J. P. Snyder, "Map Projections: A Working Manual",
// USGS Professional Paper 1395 (1987), appendix A, all on the Clarke 1866
// ellipsoid. Snyder prints metres to 0.1.
func TestSnyderExamples(t *testing.T) {
	tests := []struct {
		name     string
		p        projection
		lon, lat float64
		x, y     float64
	}{
		{"Albers, p. 292", newAlbers(clarke1866, 29.5, 45.5, 23, -96), -75, 35, 1885472.7, 1535925.0},
		{"Lambert Conformal Conic, p. 296", newLCC(clarke1866, 33, 45, 23, -96, 1), -75, 35, 1894410.9, 1564649.5},
		{"Transverse Mercator, p. 269", newTransverseMercator(clarke1866, 0.9996, 0, -75), -73.5, 40.5, 127106.5, 4484124.4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := tt.p.forward(rad(tt.lon), rad(tt.lat))
			if math.Abs(x-tt.x) > 0.06 || math.Abs(y-tt.y) > 0.06 {
				t.Errorf("forward(%g, %g) = %.2f, %.2f; Snyder: %.1f, %.1f", tt.lon, tt.lat, x, y, tt.x, tt.y)
			}
			lam, phi := tt.p.inverse(tt.x, tt.y)
			lon, lat := lam*180/math.Pi, phi*180/math.Pi
			// 0.1 m is about 1e-6 degree.
			if math.Abs(lon-tt.lon) > 2e-6 || math.Abs(lat-tt.lat) > 2e-6 {
				t.Errorf("inverse(%.1f, %.1f) = %.8f, %.8f; want %g, %g", tt.x, tt.y, lon, lat, tt.lon, tt.lat)
			}
		})
	}
}

// Esri-flavour WKT of three state plane zones, as PROJ 9.1.1 (pyproj 3.4.1,
// Debian bookworm) writes them with CRS(code).to_wkt(WKT1_ESRI), and the
// OGC flavour of one.
const (
	wktCA3    = `PROJCS["NAD_1983_StatePlane_California_III_FIPS_0403_Feet",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",6561666.667],PARAMETER["False_Northing",1640416.667],PARAMETER["Central_Meridian",-120.5],PARAMETER["Standard_Parallel_1",38.4333333333333],PARAMETER["Standard_Parallel_2",37.0666666666667],PARAMETER["Latitude_Of_Origin",36.5],UNIT["US survey foot",0.304800609601219]]`
	wktOHS    = `PROJCS["NAD_1983_StatePlane_Ohio_South_FIPS_3402_Feet",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",1968500.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-82.5],PARAMETER["Standard_Parallel_1",40.0333333333333],PARAMETER["Standard_Parallel_2",38.7333333333333],PARAMETER["Latitude_Of_Origin",38.0],UNIT["US survey foot",0.304800609601219]]`
	wktFLE    = `PROJCS["NAD_1983_StatePlane_Florida_East_FIPS_0901_Feet",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",656166.667],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-81.0],PARAMETER["Scale_Factor",0.999941177],PARAMETER["Latitude_Of_Origin",24.3333333333333],UNIT["US survey foot",0.304800609601219]]`
	wktOHSOGC = `PROJCS["NAD83 / Ohio South (ftUS)",GEOGCS["NAD83",DATUM["North_American_Datum_1983",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],AUTHORITY["EPSG","6269"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4269"]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["latitude_of_origin",38],PARAMETER["central_meridian",-82.5],PARAMETER["standard_parallel_1",40.0333333333333],PARAMETER["standard_parallel_2",38.7333333333333],PARAMETER["false_easting",1968500],PARAMETER["false_northing",0],UNIT["US survey foot",0.304800609601219,AUTHORITY["EPSG","9003"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","3735"]]`
	wktCensus = `GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]`
)

// TestAgainstPROJ compares with PROJ 9.1.1 through pyproj 3.4.1 (Debian
// bookworm packages), computed as
// Transformer.from_crs("EPSG:4326", code, always_xy=True).transform(lon, lat).
func TestAgainstPROJ(t *testing.T) {
	fromWKT := func(s string) func() (*CRS, error) { return func() (*CRS, error) { return ParseWKT(s) } }
	fromCode := func(c int) func() (*CRS, error) { return func() (*CRS, error) { return FromEPSG(c) } }
	tests := []struct {
		name     string
		crs      func() (*CRS, error)
		lon, lat float64
		x, y     float64
		tol      float64 // in the CRS's unit
	}{
		{"California zone 3 ftUS (LCC), Esri WKT", fromWKT(wktCA3), -122.27, 37.8, 6050301.4106, 2118595.9266, 0.01},
		{"Ohio South ftUS (LCC), Esri WKT", fromWKT(wktOHS), -82.99, 39.96, 1831142.6094, 714254.4168, 0.01},
		{"Ohio South ftUS (LCC), OGC WKT", fromWKT(wktOHSOGC), -82.99, 39.96, 1831142.6094, 714254.4168, 0.01},
		{"Florida East ftUS (TM), Esri WKT", fromWKT(wktFLE), -80.19, 25.77, 922732.8249, 522916.3219, 0.01},
		{"EPSG:26910 NAD83 UTM 10N", fromCode(26910), -122.27, 37.8, 564266.1577, 4183875.9169, 0.005},
		{"EPSG:32617 WGS84 UTM 17N", fromCode(32617), -82.99, 39.96, 330029.0688, 4425213.7928, 0.005},
		{"EPSG:3310 California Albers", fromCode(3310), -122.27, 37.8, -199587.7135, -21663.1887, 0.005},
		{"EPSG:5070 CONUS Albers", fromCode(5070), -82.99, 39.96, 1098116.4324, 1957779.0822, 0.005},
		{"EPSG:3857 Web Mercator", fromCode(3857), -122.27, 37.8, -13611034.1393, 4551210.9197, 0.005},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.crs()
			if err != nil {
				t.Fatal(err)
			}
			if c.IsLonLat() {
				t.Fatal("IsLonLat() = true for a projected CRS")
			}
			x, y := c.FromLonLat(tt.lon, tt.lat)
			if math.Abs(x-tt.x) > tt.tol || math.Abs(y-tt.y) > tt.tol {
				t.Errorf("FromLonLat(%g, %g) = %.4f, %.4f; PROJ: %.4f, %.4f", tt.lon, tt.lat, x, y, tt.x, tt.y)
			}
			lon, lat := c.ToLonLat(tt.x, tt.y)
			if math.Abs(lon-tt.lon) > 1e-8 || math.Abs(lat-tt.lat) > 1e-8 {
				t.Errorf("ToLonLat(%.4f, %.4f) = %.10f, %.10f; want %g, %g", tt.x, tt.y, lon, lat, tt.lon, tt.lat)
			}
		})
	}
}

func TestIdentify(t *testing.T) {
	tests := []struct {
		name    string
		parse   func() (*CRS, error)
		lonLat  bool
		epsg    int
		wantErr string // substring; "" for success
	}{
		{"Census cartographic boundary .prj (NAD83)", func() (*CRS, error) { return ParseWKT(wktCensus) }, true, 0, ""},
		{"GeoJSON CRS84 URN", func() (*CRS, error) { return FromName("urn:ogc:def:crs:OGC:1.3:CRS84") }, true, 4326, ""},
		{"GeoJSON EPSG URN", func() (*CRS, error) { return FromName("urn:ogc:def:crs:EPSG::4269") }, true, 4269, ""},
		{"EPSG name", func() (*CRS, error) { return FromName("EPSG:26917") }, false, 26917, ""},
		{"PROJJSON id", func() (*CRS, error) {
			return FromPROJJSON([]byte(`{"type":"ProjectedCRS","name":"NAD83 / Conus Albers","id":{"authority":"EPSG","code":5070}}`))
		}, false, 5070, ""},
		{"WKT2 with ID", func() (*CRS, error) { return ParseWKT(`GEOGCRS["WGS 84",ID["EPSG",4326]]`) }, true, 4326, ""},
		{"NAD27 refused", func() (*CRS, error) {
			return ParseWKT(`GEOGCS["GCS_North_American_1927",DATUM["D_North_American_1927",SPHEROID["Clarke_1866",6378206.4,294.9786982]],PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]]`)
		}, false, 0, "NAD27"},
		{"NAD27 code refused", func() (*CRS, error) { return FromEPSG(4267) }, false, 0, "NAD27"},
		{"unknown code", func() (*CRS, error) { return FromEPSG(2154) }, false, 0, "EPSG:2154"},
		{"unknown projection", func() (*CRS, error) {
			return ParseWKT(strings.Replace(wktFLE, "Transverse_Mercator", "Polyconic", 1))
		}, false, 0, "Polyconic"},
		{"not WKT", func() (*CRS, error) { return ParseWKT("hello") }, false, 0, "want GEOGCS or PROJCS"},
		{"truncated WKT", func() (*CRS, error) { return ParseWKT(wktCA3[:100]) }, false, 0, "cannot parse"},
		{"bad name", func() (*CRS, error) { return FromName("EPSG:abc") }, false, 0, "no numeric EPSG code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.parse()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrUnknown) {
					t.Fatalf("err = %v, want an ErrUnknown containing %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "reproject") {
					t.Errorf("err = %v, want advice on what to do", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.IsLonLat() != tt.lonLat || c.EPSG != tt.epsg {
				t.Errorf("got lon/lat %v EPSG %d, want %v %d", c.IsLonLat(), c.EPSG, tt.lonLat, tt.epsg)
			}
		})
	}
}

func FuzzParseWKT(f *testing.F) {
	for _, s := range []string{wktCA3, wktOHS, wktFLE, wktOHSOGC, wktCensus, `GEOGCRS["x",ID["EPSG",4326]]`, "PROJCS[", `A["\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseWKT(s)
		if err != nil {
			if !errors.Is(err, ErrUnknown) {
				t.Fatalf("error %v does not wrap ErrUnknown", err)
			}
			return
		}
		// Whatever parses must convert without panicking.
		c.ToLonLat(1000, 1000)
		c.FromLonLat(-100, 40)
	})
}

func FuzzFromPROJJSON(f *testing.F) {
	f.Add([]byte(`{"id":{"authority":"EPSG","code":5070}}`))
	f.Add([]byte(`{"id":{"authority":"OGC","code":"CRS84"}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := FromPROJJSON(b); err != nil && !errors.Is(err, ErrUnknown) {
			t.Fatalf("error %v does not wrap ErrUnknown", err)
		}
	})
}
