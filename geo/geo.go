// Package geo holds groundwork's boundaries: reading polygon layers
// (Read: GeoJSON, Shapefile zip or .shp set, GeoParquet; CRS detection and
// reprojection in geo/crs), writing them (WriteGeoParquet), validating them
// and repairing them as they are read (RepairOnLoad), indexing
// them (NewIndex, with BruteIndex as its reference twin), placing points in
// them (Index.Locate, LocateAll, the streaming JoinPoints), an interior
// point of each polygon (RepresentativePoint, by which tracts are placed in
// areas), and moving counts between polygon sets by exact area overlap
// (Overlaps, Apportion; between tract vintages also by the Census Bureau's
// relationship file: ReadRelationship). Map simplification lives with the map
// renderer (reports/svgmap).
//
// All coordinates are EPSG:4326 longitude/latitude in decimal degrees (orb's
// X is longitude, Y is latitude). Readers refuse coordinates that are plainly
// not lon/lat.
package geo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Feature is one polygon feature of a layer.
type Feature struct {
	// ID is the feature's identifier, taken from the layer's ID property;
	// unique within the layer.
	ID string
	// Props are the feature's other properties as decoded from the source.
	Props map[string]any
	// Geom is the feature's area as a multipolygon (a Polygon is wrapped).
	Geom orb.MultiPolygon
	// Bound is Geom's bounding box.
	Bound orb.Bound
}

// Layer is a named set of polygon features, ordered as in the source.
type Layer struct {
	Name     string
	File     string
	Features []Feature
	// Warnings lists problems that were repaired or tolerated, one per
	// feature, each naming the feature.
	Warnings []string
}

// FeatureError reports a problem with one feature of a boundary file.
type FeatureError struct {
	File    string
	Index   int    // zero-based position in the file's feature list
	ID      string // the feature's ID, when known
	Problem string
}

func (e *FeatureError) Error() string {
	who := fmt.Sprintf("feature %d", e.Index)
	if e.ID != "" {
		who += fmt.Sprintf(" (%s)", e.ID)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, who, e.Problem)
}

// ReadGeoJSON reads a GeoJSON FeatureCollection of Polygon or MultiPolygon
// features from path. idProp names the property that identifies each feature;
// its value must be present, a string (numbers are refused, because numeric
// identifiers such as GEOIDs lose their leading zeros) and unique.
//
// A crs member (GeoJSON 2008, still written by GDAL) naming a projected CRS
// that package crs knows, such as "urn:ogc:def:crs:EPSG::3310", has the
// coordinates converted to lon/lat; an unknown one is refused. Without a crs
// member coordinates are lon/lat (RFC 7946).
//
// Rings that are not closed are closed and reported in Layer.Warnings, and
// so is every repair RepairOnLoad makes (repeated points, degenerate holes,
// self-intersections), one warning per feature. Every
// feature-level problem that cannot be repaired is collected and returned at
// once, joined with errors.Join, each a *FeatureError.
func ReadGeoJSON(ctx context.Context, name, path, idProp string) (*Layer, error) {
	return readGeoJSON(ctx, name, path, idProp, true)
}

func readGeoJSON(ctx context.Context, name, path, idProp string, repair bool) (*Layer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read boundary %q: %w", name, err)
	}
	if err := checkUTF8(path, data); err != nil {
		return nil, err
	}
	c, err := geojsonCRS(path, data)
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a GeoJSON FeatureCollection: %w", path, err)
	}
	reproject(fc, c)
	return fromFeatures(name, path, fc, idProp, repair)
}

// fromFeatures builds a layer from decoded GeoJSON (see ReadGeoJSON), with
// RepairOnLoad only when repair.
func fromFeatures(name, file string, fc *geojson.FeatureCollection, idProp string, repair bool) (*Layer, error) {
	return buildLayer(file, idProp, len(fc.Features), func(i int) rawFeature {
		f := fc.Features[i]
		raw, ok := f.Properties[idProp]
		return rawFeature{id: raw, hasID: ok, geom: f.Geometry}
	}, func(i int) map[string]any {
		f := fc.Features[i]
		props := make(map[string]any, len(f.Properties))
		for k, v := range f.Properties {
			if k != idProp {
				props[k] = v
			}
		}
		return props
	}, name, repair)
}

// rawFeature is one feature as a reader decoded it: the value of its ID
// property (hasID when the property is present) and its geometry.
type rawFeature struct {
	id    any
	hasID bool
	geom  orb.Geometry
}

// maxFeatureErrors is how many feature problems a refused layer lists;
// the rest are counted.
const maxFeatureErrors = 20

// buildLayer validates the n features that raw gives (IDs, geometry types,
// coordinates; see ReadGeoJSON), takes each accepted feature's properties
// other than the ID from props, sets each feature's Bound, and with repair
// repairs the layer (RepairOnLoad). raw
// and props are called on up to GOMAXPROCS goroutines at once, props only
// for features whose ID is valid (and for feature 0, to name its properties,
// when no feature has idProp); at most maxFeatureErrors problems are listed; IDs are checked in feature order, and
// errors and warnings come in feature order. The geometries raw gives
// become the layer's (closed and repaired in place): nothing else may hold
// them.
func buildLayer(file, idProp string, n int, raw func(i int) rawFeature, props func(i int) map[string]any, name string, repair bool) (*Layer, error) {
	// The geometry of every feature is checked first, in parallel; a
	// feature refused for its ID is then left out, as if never checked.
	type checked struct {
		id    any
		hasID bool
		mp    orb.MultiPolygon
		bound orb.Bound
		warns []string
		geomT string // a geometry type that is not a polygon
		err   error
	}
	cs := make([]checked, n)
	const chunk = 1024
	parallel((n+chunk-1)/chunk, func(c int) {
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			rf := raw(i)
			c := &cs[i]
			c.id, c.hasID = rf.id, rf.hasID
			switch g := rf.geom.(type) {
			case orb.Polygon:
				c.mp, c.warns, c.err = check(orb.MultiPolygon{g})
			case orb.MultiPolygon:
				c.mp, c.warns, c.err = check(g)
			case nil:
			default:
				c.geomT = g.GeoJSONType()
			}
			if c.err == nil && c.mp != nil {
				c.bound = multiPolygonBound(c.mp) // while its points are in cache
			}
		}
	})
	l := &Layer{Name: name, File: file, Features: make([]Feature, 0, n)}
	var errs []error
	missing := 0 // features without the ID property
	seen := make(map[string]int, n)
	keep := make([]int, 0, n)
	for i := range cs {
		c := &cs[i]
		fe := func(id, format string, args ...any) {
			errs = append(errs, &FeatureError{File: file, Index: i, ID: id, Problem: fmt.Sprintf(format, args...)})
		}
		var id string
		switch v := c.id.(type) {
		case string:
			id = v
		case nil:
			if c.hasID {
				fe("", "property %q is null; every feature needs an ID", idProp)
			} else {
				fe("", "no property %q; set the boundary's id to a property every feature has", idProp)
				missing++
			}
			continue
		default:
			fe(fmt.Sprint(v), "property %q is %T %v, want a string: numeric IDs lose leading zeros (write \"06001400100\", not 6001400100)", idProp, v, v)
			continue
		}
		if id == "" {
			fe("", "property %q is empty", idProp)
			continue
		}
		if j, dup := seen[id]; dup {
			fe(id, "duplicate ID %q (also feature %d)", id, j)
			continue
		}
		seen[id] = i
		switch {
		case c.geomT != "":
			fe(id, "geometry is %s, want Polygon or MultiPolygon", c.geomT)
			continue
		case c.err != nil:
			fe(id, "%v", c.err)
			continue
		case c.mp == nil:
			fe(id, "no geometry")
			continue
		}
		for _, w := range c.warns {
			l.Warnings = append(l.Warnings, fmt.Sprintf("%s: feature %d (%s): %s", file, i, id, w))
		}
		l.Features = append(l.Features, Feature{ID: id, Geom: c.mp, Bound: c.bound})
		keep = append(keep, i)
	}
	if n > 0 && missing == n {
		// A mistyped id: one error naming the properties there are, not
		// one per feature.
		names := slices.Sorted(maps.Keys(props(0)))
		return nil, fmt.Errorf("%s: no feature has the property %q; set the boundary's id to one of the properties feature 0 has: %s", file, idProp, strings.Join(names, ", "))
	}
	if len(errs) > maxFeatureErrors {
		more := len(errs) - maxFeatureErrors
		errs = append(errs[:maxFeatureErrors], fmt.Errorf("%s: and %d more feature problem(s)", file, more))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(l.Features) == 0 {
		return nil, fmt.Errorf("%s: no polygon features", file)
	}
	parallel((len(keep)+chunk-1)/chunk, func(c int) {
		for k := c * chunk; k < min(len(keep), (c+1)*chunk); k++ {
			l.Features[k].Props = props(keep[k])
		}
	})
	if repair {
		RepairOnLoad(l)
	}
	return l, nil
}

// check validates a multipolygon's coordinates and closes unclosed rings,
// in place: an unclosed ring is replaced in its polygon by a closed copy
// (the reader's geometries are the layer's, nobody else holds them).
func check(mp orb.MultiPolygon) (orb.MultiPolygon, []string, error) {
	var warns []string
	if len(mp) == 0 {
		return nil, nil, errors.New("empty geometry")
	}
	for pi, poly := range mp {
		if len(poly) == 0 {
			return nil, nil, fmt.Errorf("polygon %d is empty", pi)
		}
		for ri, ring := range poly {
			for _, p := range ring {
				if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
					fix := "reproject to EPSG:4326"
					if p[0] >= -90 && p[0] <= 90 && p[1] >= -180 && p[1] <= 180 {
						fix = "it would fit as [latitude, longitude]: GeoJSON and WKT give each point as [longitude, latitude], so swap the two numbers of every point"
					}
					return nil, nil, fmt.Errorf("polygon %d ring %d has coordinate [%g, %g] outside lon/lat range; %s", pi, ri, p[0], p[1], fix)
				}
			}
			if len(ring) > 0 && !ring.Closed() {
				ring = append(append(orb.Ring{}, ring...), ring[0])
				warns = append(warns, fmt.Sprintf("polygon %d ring %d was not closed; closed it by repeating its first point", pi, ri))
			}
			if len(ring) < 4 {
				return nil, nil, fmt.Errorf("polygon %d ring %d has %d points, a ring needs at least 4 (3 corners and the closing point)", pi, ri, len(ring))
			}
			poly[ri] = ring
		}
	}
	return mp, warns, nil
}

// checkUTF8 refuses a GeoJSON file that is not UTF-8 (RFC 7946 requires it;
// encoding/json would silently turn each bad byte into U+FFFD), naming the
// line of the first bad byte.
func checkUTF8(path string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	i := 0
	for i < len(data) {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	line := 1 + bytes.Count(data[:i], []byte("\n"))
	return fmt.Errorf("%s:%d: invalid UTF-8 (byte 0x%02X): GeoJSON must be UTF-8; convert the file (for example: iconv -f latin1 -t utf-8)", path, line, data[i])
}
