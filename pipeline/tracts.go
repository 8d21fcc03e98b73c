package pipeline

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/place"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// interiorPoint returns a point inside mp: the area-weighted centroid of its
// largest polygon when that lies inside, otherwise the midpoint of the widest
// interior span of the horizontal line through the centroid.
func interiorPoint(mp orb.MultiPolygon) orb.Point {
	var best orb.Polygon
	bestArea := -1.0
	for _, p := range mp {
		if a := math.Abs(ringArea(p[0])); a > bestArea {
			best, bestArea = p, a
		}
	}
	c := centroid(best[0])
	if polyContains(best, c) {
		return c
	}
	// scan line through the centroid's latitude
	var xs []float64
	for _, r := range best {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if (a[1] > c[1]) != (b[1] > c[1]) {
				xs = append(xs, a[0]+(c[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	wide := -1.0
	p := c
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > wide {
			wide, p = w, orb.Point{(xs[i] + xs[i+1]) / 2, c[1]}
		}
	}
	return p
}

func polyContains(poly orb.Polygon, p orb.Point) bool {
	l := &geo.Layer{Features: []geo.Feature{{ID: "x", Geom: orb.MultiPolygon{poly}, Bound: poly.Bound()}}}
	_, ok := geo.NewBruteIndex(l).Locate(p)
	return ok
}

// ringArea is the signed shoelace area in squared degrees.
func ringArea(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// centroid of a ring (shoelace formula; planar in lon/lat, adequate for
// choosing a point at tract scale).
func centroid(r orb.Ring) orb.Point {
	a := ringArea(r)
	if a == 0 {
		return r.Bound().Center()
	}
	var cx, cy float64
	for i := 0; i+1 < len(r); i++ {
		f := r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
		cx += (r[i][0] + r[i+1][0]) * f
		cy += (r[i][1] + r[i+1][1]) * f
	}
	return orb.Point{cx / (6 * a), cy / (6 * a)}
}

// joinTracts joins the census table to the tract boundary by GEOID and
// assigns every tract to the areas by its interior point. Census rows without
// a polygon (water-only tracts are left out of cartographic boundary files)
// and polygons without a census row are reported, not dropped silently.
func (st *state) joinTracts(ctx context.Context) error {
	t := st.cfg.Tracts
	if t == nil {
		return nil
	}
	rec := st.raw[t.Source]
	r := frame.FromRecord(rec)
	layer := st.layers[t.Boundary]
	byID := map[string]int{}
	for i, f := range layer.Features {
		byID[f.ID] = i
	}
	areaNames := slices.Sorted(maps.Keys(st.cfg.Areas))
	for _, a := range areaNames {
		r.AddCol(st.cfg.Areas[a].Boundary, table.String)
		r.AddCol(a, table.String)
	}
	seen := map[string]bool{}
	var noPolygon []string
	var kept []int
	loc := place.NewLocator(st.layers, st.indexes, st.cfg.Areas, st.areaOf)
	buf := loc.Buffer()
	prog := st.progress(r.Len())
	for i := range r.Len() {
		if i%4096 == 0 {
			prog.done(i)
		}
		id := r.Str(i, table.GEOID)
		seen[id] = true
		fi, ok := byID[id]
		if !ok {
			noPolygon = append(noPolygon, id)
			continue
		}
		loc.Into(interiorPoint(layer.Features[fi].Geom), buf)
		for _, a := range areaNames {
			b := st.cfg.Areas[a].Boundary
			r.Set(i, b, nullIfEmpty(loc.Get(buf, b)))
			r.Set(i, a, nullIfEmpty(loc.Get(buf, a)))
		}
		kept = append(kept, i)
	}
	prog.done(r.Len())
	r.Keep(kept)
	if len(noPolygon) > 0 {
		st.warn("tracts: %d row(s) of %s have no polygon in %s and are left off the map (water-only tracts are omitted from cartographic boundary files): %s", len(noPolygon), t.Source, t.Boundary, strings.Join(noPolygon, ", "))
	}
	var noData []string
	for _, f := range layer.Features {
		if !seen[f.ID] {
			noData = append(noData, f.ID)
		}
	}
	if len(noData) > 0 {
		st.warn("tracts: %d polygon(s) of %s have no row in %s: %s", len(noData), t.Boundary, t.Source, strings.Join(noData, ", "))
	}
	if len(kept) == 0 {
		return fmt.Errorf("no GEOID of %s matches a feature of %s; check that both are the same tract vintage and that GEOIDs kept their leading zeros", t.Source, t.Boundary)
	}
	st.tracts = r
	return st.computeIndicators(ctx) // adds the indicator columns, writes tracts.parquet
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
