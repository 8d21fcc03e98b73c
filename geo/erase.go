package geo

import (
	"context"
	"fmt"
	"math"

	"github.com/engelsjk/polygol"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// EraseStats says what EraseWater removed.
type EraseStats struct {
	Features int     // features that lost some area
	Removed  float64 // square metres removed in all (EPSG:5070, see Area)
}

// EraseWater removes the area covered by the features of water (TIGER/Line
// AREAWATER polygons, say) from every feature of l, in place, as tigris's
// erase_water and censusdis's remove_water do. Each changed feature gets a
// warning naming it and the share of its area removed. A feature that water
// would cover entirely is kept as it was, with a warning: an empty
// boundary would lose its tracts. Bounds are updated. The difference is
// computed in lon/lat (planar, by github.com/engelsjk/polygol); areas are
// measured in EPSG:5070.
func EraseWater(ctx context.Context, l, water *Layer) (EraseStats, error) {
	var st EraseStats
	var tree rtree.RTreeG[int]
	wg := make([]polygol.Geom, len(water.Features))
	for i := range water.Features {
		f := &water.Features[i]
		tree.Insert([2]float64{f.Bound.Min[0], f.Bound.Min[1]}, [2]float64{f.Bound.Max[0], f.Bound.Max[1]}, i)
		wg[i] = toPolygol(f.Geom)
	}
	for fi := range l.Features {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		f := &l.Features[fi]
		var cut []polygol.Geom
		tree.Search([2]float64{f.Bound.Min[0], f.Bound.Min[1]}, [2]float64{f.Bound.Max[0], f.Bound.Max[1]}, func(_, _ [2]float64, wi int) bool {
			cut = append(cut, wg[wi])
			return true
		})
		if len(cut) == 0 {
			continue
		}
		before := Area(f.Geom)
		out, err := polygol.Difference(toPolygol(f.Geom), cut...)
		if err != nil {
			return st, fmt.Errorf("erase water from %s feature %s: %w", l.Name, f.ID, err)
		}
		mp := fromPolygol(out)
		after := 0.0
		if len(mp) > 0 {
			after = Area(mp)
		}
		if before-after <= MinShare*before {
			continue
		}
		if len(mp) == 0 || after <= 0 {
			l.Warnings = append(l.Warnings, fmt.Sprintf("%s: feature %d (%s): water covers it entirely; kept it unerased", l.File, fi, f.ID))
			continue
		}
		f.Geom = mp
		f.Bound = mp.Bound()
		st.Features++
		st.Removed += before - after
		l.Warnings = append(l.Warnings, fmt.Sprintf("%s: feature %d (%s): erased water, %.1f%% of its area", l.File, fi, f.ID, 100*(before-after)/before))
	}
	return st, nil
}

func toPolygol(mp orb.MultiPolygon) polygol.Geom {
	g := make(polygol.Geom, len(mp))
	for i, poly := range mp {
		g[i] = make([][][]float64, len(poly))
		for j, r := range poly {
			ring := make([][]float64, len(r))
			for k, p := range r {
				ring[k] = []float64{p[0], p[1]}
			}
			g[i][j] = ring
		}
	}
	return g
}

func fromPolygol(g polygol.Geom) orb.MultiPolygon {
	out := make(orb.MultiPolygon, 0, len(g))
	for _, poly := range g {
		var p orb.Polygon
		for _, r := range poly {
			ring := make(orb.Ring, len(r))
			for k, c := range r {
				ring[k] = orb.Point{c[0], c[1]}
			}
			if len(ring) > 0 && !ring.Closed() {
				ring = append(ring, ring[0])
			}
			if len(ring) >= 4 {
				p = append(p, ring)
			}
		}
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// Filter keeps the features of l for which keep is true, in order, and
// returns how many were dropped.
func Filter(l *Layer, keep func(f *Feature) bool) int {
	n := 0
	out := l.Features[:0]
	for i := range l.Features {
		if keep(&l.Features[i]) {
			out = append(out, l.Features[i])
		} else {
			n++
		}
	}
	clear(l.Features[len(out):])
	l.Features = out
	return n
}

// KeepOverlapping keeps the features of l that share at least minShare of
// their own area with some feature of region (a county, a state), and
// returns how many were dropped. It is the filter for layers whose IDs do
// not carry the county code (places, school districts, legislative
// districts): a feature that only touches the region along an edge, or
// overlaps it by a sliver of generalization, is dropped.
func KeepOverlapping(ctx context.Context, l, region *Layer, minShare float64) (int, error) {
	ov, err := Overlaps(ctx, l, region)
	if err != nil {
		return 0, err
	}
	share := make([]float64, len(l.Features))
	for _, o := range ov {
		share[o.Source] += o.SourceShare
	}
	i := -1
	return Filter(l, func(*Feature) bool {
		i++
		return share[i] >= minShare || math.IsNaN(share[i])
	}), nil
}
