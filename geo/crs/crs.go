// Package crs identifies the coordinate reference system of boundary files
// and converts projected coordinates to EPSG:4326 longitude/latitude.
//
// It knows the systems US boundary data comes in: geographic NAD83 and WGS84,
// and projected Transverse Mercator (UTM, Transverse Mercator state plane
// zones), Lambert Conformal Conic (most state plane zones), Albers Equal Area
// (California Albers EPSG:3310, CONUS Albers EPSG:5070) and Web Mercator,
// described by WKT1 (a shapefile's .prj, in its OGC or Esri flavour), an EPSG
// code, an OGC URN (a GeoJSON crs member) or PROJJSON (GeoParquet metadata).
//
// Datums: NAD83 (any realization) and WGS84 are both treated as WGS84 without
// a datum shift. They differ by about 1 to 2 metres in the conterminous US,
// well below the generalization of cartographic boundary files and the
// placement error of geocoded addresses. NAD27 and other datums that would
// need a grid shift (tens to hundreds of metres) are refused.
//
// The projection formulas are the ellipsoidal ones of J. P. Snyder, "Map
// Projections: A Working Manual", USGS Professional Paper 1395 (1987), tested
// against his worked examples and against PROJ 9.1.1.
package crs

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// CRS is a coordinate reference system that groundwork can convert to
// EPSG:4326 lon/lat. The zero value is not usable; use LonLat, FromEPSG,
// FromName, ParseWKT or FromPROJJSON. A CRS is immutable and safe for
// concurrent use.
type CRS struct {
	// Name is a human-readable name, from the WKT or the EPSG code.
	Name string
	// EPSG is the EPSG code when known, else 0.
	EPSG int
	p    projection // nil for geographic lon/lat
	unit float64    // metres per linear unit of projected coordinates
	fe   float64    // false easting, metres
	fn   float64    // false northing, metres
}

// LonLat is OGC:CRS84: longitude, latitude in decimal degrees on WGS84, the
// axis order of GeoJSON, GeoParquet and groundwork (EPSG:4326 with lon first).
var LonLat = &CRS{Name: "WGS 84 (lon/lat)", EPSG: 4326}

// IsLonLat reports whether coordinates in c are already lon/lat degrees.
func (c *CRS) IsLonLat() bool { return c.p == nil }

// ToLonLat converts projected coordinates x, y (in c's linear unit) to
// longitude and latitude in degrees. For a lon/lat CRS it returns x, y.
func (c *CRS) ToLonLat(x, y float64) (lon, lat float64) {
	if c.p == nil {
		return x, y
	}
	lam, phi := c.p.inverse(x*c.unit-c.fe, y*c.unit-c.fn)
	return lam * 180 / math.Pi, phi * 180 / math.Pi
}

// FromLonLat converts longitude and latitude in degrees to c's coordinates
// (in c's linear unit). For a lon/lat CRS it returns lon, lat.
func (c *CRS) FromLonLat(lon, lat float64) (x, y float64) {
	if c.p == nil {
		return lon, lat
	}
	x, y = c.p.forward(lon*math.Pi/180, lat*math.Pi/180)
	return (x + c.fe) / c.unit, (y + c.fn) / c.unit
}

func (c *CRS) String() string {
	if c.EPSG != 0 {
		return fmt.Sprintf("%s (EPSG:%d)", c.Name, c.EPSG)
	}
	return c.Name
}

// ErrUnknown is wrapped by the errors of this package for a CRS it cannot
// identify or convert.
var ErrUnknown = errors.New("unsupported coordinate reference system")

const reprojectHint = "reproject the file to EPSG:4326 (for example: ogr2ogr -t_srs EPSG:4326 out.geojson in.shp)"

func unknown(format string, args ...any) error {
	return fmt.Errorf("%w: %s; %s", ErrUnknown, fmt.Sprintf(format, args...), reprojectHint)
}

// Ellipsoids.
var (
	grs80      = ellipsoid{a: 6378137, invf: 298.257222101}
	wgs84      = ellipsoid{a: 6378137, invf: 298.257223563}
	clarke1866 = ellipsoid{a: 6378206.4, b: 6356583.8}
)

// FromEPSG returns the CRS of an EPSG code groundwork knows: 4326, 4269,
// 4152, 4617, 6318 (geographic; coordinates are taken lon first, as in GeoJSON
// and shapefiles), 3857, 3310, 5070, 6350, and UTM zones on NAD83 (269zz) and
// WGS84 (326zz, 327zz). State plane systems are known from their WKT (.prj),
// not by code.
func FromEPSG(code int) (*CRS, error) {
	switch {
	case code == 4326:
		return LonLat, nil
	case code == 4269 || code == 4152 || code == 6318 || code == 4617:
		return &CRS{Name: "NAD83 (lon/lat, treated as WGS 84)", EPSG: code}, nil
	case code == 4267:
		return nil, unknown("EPSG:4267 is NAD27, which needs a datum grid shift groundwork does not do")
	case code == 3857 || code == 900913:
		return &CRS{Name: "WGS 84 / Pseudo-Mercator", EPSG: code, p: webMercator{}, unit: 1}, nil
	case code == 3310:
		return &CRS{Name: "NAD83 / California Albers", EPSG: code, unit: 1, fn: -4000000,
			p: newAlbers(grs80, 34, 40.5, 0, -120)}, nil
	case code == 5070 || code == 6350:
		return &CRS{Name: "NAD83 / Conus Albers", EPSG: code, unit: 1,
			p: newAlbers(grs80, 29.5, 45.5, 23, -96)}, nil
	case code >= 26901 && code <= 26923:
		z := code - 26900
		return &CRS{Name: fmt.Sprintf("NAD83 / UTM zone %dN", z), EPSG: code, unit: 1, fe: 500000,
			p: newTransverseMercator(grs80, 0.9996, 0, float64(6*z-183))}, nil
	case code >= 32601 && code <= 32660:
		z := code - 32600
		return &CRS{Name: fmt.Sprintf("WGS 84 / UTM zone %dN", z), EPSG: code, unit: 1, fe: 500000,
			p: newTransverseMercator(wgs84, 0.9996, 0, float64(6*z-183))}, nil
	case code >= 32701 && code <= 32760:
		z := code - 32700
		return &CRS{Name: fmt.Sprintf("WGS 84 / UTM zone %dS", z), EPSG: code, unit: 1, fe: 500000, fn: 10000000,
			p: newTransverseMercator(wgs84, 0.9996, 0, float64(6*z-183))}, nil
	}
	return nil, unknown("EPSG:%d is not one groundwork knows (it knows 4326, 4269, 3857, 3310, 5070, UTM 269zz/326zz/327zz, and state plane from a .prj)", code)
}

// FromName parses a CRS name as found in a GeoJSON crs member or a pipeline
// file: "EPSG:26910", "urn:ogc:def:crs:EPSG::4269",
// "urn:ogc:def:crs:OGC:1.3:CRS84", "OGC:CRS84", "CRS84".
func FromName(name string) (*CRS, error) {
	s := strings.ToUpper(strings.TrimSpace(name))
	switch s {
	case "OGC:CRS84", "CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84", "WGS84":
		return LonLat, nil
	case "URN:OGC:DEF:CRS:OGC:1.3:CRS83", "OGC:CRS83":
		return FromEPSG(4269)
	}
	var code string
	switch {
	case strings.HasPrefix(s, "EPSG:"):
		code = s[len("EPSG:"):]
	case strings.HasPrefix(s, "URN:OGC:DEF:CRS:EPSG:"):
		code = s[strings.LastIndexByte(s, ':')+1:]
	default:
		return nil, unknown("crs name %q is not an EPSG code or OGC URN", name)
	}
	n := 0
	for _, r := range code {
		if r < '0' || r > '9' || n > 1e7 {
			return nil, unknown("crs name %q has no numeric EPSG code", name)
		}
		n = 10*n + int(r-'0')
	}
	if code == "" {
		return nil, unknown("crs name %q has no numeric EPSG code", name)
	}
	return FromEPSG(n)
}
