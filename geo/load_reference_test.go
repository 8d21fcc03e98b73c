package geo

// The load path as it was before issue 14's session 4 (main at fa0a966):
// one goroutine, GeoParquet rows converted to GeoJSON features, every
// feature's Bound computed twice by orb, and the self-intersection sweep run
// on every ring. Kept, verbatim but for the names, as the reference that
// TestLoadMatchesReference and BenchmarkLoad compare the production path with.
// (Its GeoParquet file is decoded by geoparquet.Read, column-wise since
// session 5: geoparquet's TestReadColumnsMatchesRows compares that with the
// row loop.)

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// referenceReadGeoParquet is the GeoParquet reader as it was (then the
// exported ReadGeoParquet).
func referenceReadGeoParquet(ctx context.Context, name, path, idProp string) (*Layer, error) {
	t, err := geoparquet.ReadFile(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("boundary %q: %w", name, err)
	}
	fc := geojson.NewFeatureCollection()
	for i, g := range t.Geoms {
		props := geojson.Properties{}
		for _, col := range t.Columns {
			if v := col.Values[i]; v != nil {
				props[col.Name] = v
			}
		}
		fc.Append(&geojson.Feature{Type: "Feature", Geometry: g, Properties: props})
	}
	reproject(fc, t.CRS)
	return referenceFromFeatureCollection(name, path, fc, idProp)
}

// referenceFromFeatureCollection is fromFeatures with repair, as it was.
func referenceFromFeatureCollection(name, file string, fc *geojson.FeatureCollection, idProp string) (*Layer, error) {
	l := &Layer{Name: name, File: file}
	var errs []error
	seen := map[string]int{}
	for i, f := range fc.Features {
		fe := func(id, format string, args ...any) {
			errs = append(errs, &FeatureError{File: file, Index: i, ID: id, Problem: fmt.Sprintf(format, args...)})
		}
		raw, ok := f.Properties[idProp]
		var id string
		switch v := raw.(type) {
		case string:
			id = v
		case nil:
			if ok {
				fe("", "property %q is null; every feature needs an ID", idProp)
			} else {
				fe("", "no property %q; set the boundary's id to a property every feature has", idProp)
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
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		case nil:
			fe(id, "no geometry")
			continue
		default:
			fe(id, "geometry is %s, want Polygon or MultiPolygon", g.GeoJSONType())
			continue
		}
		mp, warns, err := referenceCheck(mp)
		if err != nil {
			fe(id, "%v", err)
			continue
		}
		for _, w := range warns {
			l.Warnings = append(l.Warnings, fmt.Sprintf("%s: feature %d (%s): %s", file, i, id, w))
		}
		props := make(map[string]any, len(f.Properties))
		for k, v := range f.Properties {
			if k != idProp {
				props[k] = v
			}
		}
		l.Features = append(l.Features, Feature{ID: id, Props: props, Geom: mp, Bound: mp.Bound()})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(l.Features) == 0 {
		return nil, fmt.Errorf("%s: no polygon features", file)
	}
	referenceRepairOnLoad(l)
	return l, nil
}

// referenceCheck is check (of a feature's coordinates and ring closure) as
// it was: on a copy of the multipolygon and its polygons.
func referenceCheck(mp orb.MultiPolygon) (orb.MultiPolygon, []string, error) {
	var warns []string
	if len(mp) == 0 {
		return nil, nil, errors.New("empty geometry")
	}
	out := make(orb.MultiPolygon, len(mp))
	for pi, poly := range mp {
		if len(poly) == 0 {
			return nil, nil, fmt.Errorf("polygon %d is empty", pi)
		}
		np := make(orb.Polygon, len(poly))
		for ri, ring := range poly {
			for _, p := range ring {
				if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
					return nil, nil, fmt.Errorf("polygon %d ring %d has coordinate [%g, %g] outside lon/lat range; reproject to EPSG:4326", pi, ri, p[0], p[1])
				}
			}
			if len(ring) > 0 && !ring.Closed() {
				ring = append(append(orb.Ring{}, ring...), ring[0])
				warns = append(warns, fmt.Sprintf("polygon %d ring %d was not closed; closed it by repeating its first point", pi, ri))
			}
			if len(ring) < 4 {
				return nil, nil, fmt.Errorf("polygon %d ring %d has %d points, a ring needs at least 4 (3 corners and the closing point)", pi, ri, len(ring))
			}
			np[ri] = ring
		}
		out[pi] = np
	}
	return out, warns, nil
}

// referenceCheck2 is check2 as it was.
func referenceCheck2(l *Layer, fix bool) []Problem {
	var out []Problem
	for fi := range l.Features {
		f := &l.Features[fi]
		first := len(out)
		crossed := false
		for pi := range f.Geom {
			poly := f.Geom[pi]
			keep := poly[:0:0]
			for ri, r := range poly {
				report := func(kind ProblemKind, repaired bool, format string, args ...any) {
					out = append(out, Problem{Feature: fi, ID: f.ID, Polygon: pi, Ring: ri, Kind: kind, Detail: fmt.Sprintf(format, args...), Repaired: repaired && fix})
				}
				dedup := referenceDropRepeats(r)
				if n := len(r) - len(dedup); n > 0 {
					report(RepeatedPoints, true, "%d repeated point(s)", n)
					if fix {
						r = dedup
					}
				}
				area := signedArea(dedup)
				if len(dedup) < 4 || area == 0 {
					report(DegenerateRing, ri > 0, "%d distinct points, area %g", len(dedup)-1, area)
					if fix && ri > 0 {
						continue // drop the hole
					}
				} else if (ri == 0) != (area > 0) {
					want := "counter-clockwise"
					if ri > 0 {
						want = "clockwise"
					}
					report(WrongOrientation, false, "want %s", want)
				}
				if a, b, ok := selfIntersection(dedup); ok {
					report(SelfIntersection, false, "edges %d and %d meet", a, b)
					crossed = true
				}
				keep = append(keep, r)
			}
			if fix {
				f.Geom[pi] = keep
			}
		}
		if fix && crossed {
			rebuildCrossed(f, out[first:])
		}
		if fix {
			f.Bound = f.Geom.Bound()
		}
	}
	return out
}

// referenceRepairOnLoad is RepairOnLoad as it was.
func referenceRepairOnLoad(l *Layer) int {
	probs := referenceCheck2(l, true)
	byFeature := map[int][]string{}
	var order []int
	for _, p := range probs {
		if p.Kind == WrongOrientation {
			continue
		}
		if _, seen := byFeature[p.Feature]; !seen {
			order = append(order, p.Feature)
		}
		s := fmt.Sprintf("polygon %d ring %d: %s", p.Polygon, p.Ring, p.Kind)
		if p.Detail != "" {
			s += " (" + p.Detail + ")"
		}
		if p.Repaired {
			s += ", repaired"
		} else {
			s += ", not repaired"
		}
		byFeature[p.Feature] = append(byFeature[p.Feature], s)
	}
	for _, fi := range order {
		l.Warnings = append(l.Warnings, fmt.Sprintf("%s: feature %d (%s): %s", l.File, fi, l.Features[fi].ID, strings.Join(byFeature[fi], "; ")))
	}
	return len(order)
}

func referenceDropRepeats(r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, len(r))
	for i, p := range r {
		if i > 0 && p == r[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}
