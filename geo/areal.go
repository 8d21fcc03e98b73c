package geo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/engelsjk/polygol"
	"github.com/groundwork-org/groundwork/geo/crs"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Overlap is the area a source feature shares with a target feature.
type Overlap struct {
	Source, Target int     // feature indices in the source and target layers
	Area           float64 // square metres, on the ellipsoid (see Overlaps)
	SourceShare    float64 // Area / area of the source feature
	TargetShare    float64 // Area / area of the target feature
}

// MinShare is the smallest overlap Overlaps reports, as a share of the
// smaller of the two features' areas: below it an overlap is numerical noise
// along a shared edge (a sliver nanometres wide), not geography.
const MinShare = 1e-9

// equalArea is NAD83 / Conus Albers (EPSG:5070). Albers is equal-area
// everywhere, not only near its standard parallels, so areas computed in it
// are exact ellipsoidal areas for any US data (edges are taken as straight in
// the projection; for tract-sized edges the difference from straight edges in
// lon/lat is far below the generalization of the boundaries).
var equalArea, _ = crs.FromEPSG(5070)

// projected returns f's geometry in EPSG:5070 metres as polygol input.
func projected(mp orb.MultiPolygon) polygol.Geom {
	g := make(polygol.Geom, len(mp))
	for i, poly := range mp {
		g[i] = make([][][]float64, len(poly))
		for j, r := range poly {
			ring := make([][]float64, len(r))
			for k, p := range r {
				x, y := equalArea.FromLonLat(p[0], p[1])
				ring[k] = []float64{x, y}
			}
			g[i][j] = ring
		}
	}
	return g
}

func geomArea(g polygol.Geom) float64 {
	a := 0.0
	for _, poly := range g {
		for j, r := range poly {
			if j == 0 {
				a += math.Abs(signedArea(r))
			} else {
				a -= math.Abs(signedArea(r))
			}
		}
	}
	return a
}

// Area returns the area of mp in square metres, computed in the equal-area
// EPSG:5070 projection (see Overlaps). Holes are subtracted.
func Area(mp orb.MultiPolygon) float64 { return geomArea(projected(mp)) }

// Overlaps returns every pair of a source and a target feature whose shared
// area is at least MinShare of the smaller feature, sorted by Source then
// Target. Areas are exact polygon intersections (github.com/engelsjk/polygol,
// a Martinez-Rueda sweep-line clipper) computed in NAD83 / Conus Albers
// (EPSG:5070), an equal-area projection, so they are areas on the ellipsoid.
// A pair the clipper cannot intersect is an error naming both features.
func Overlaps(ctx context.Context, src, dst *Layer) ([]Overlap, error) {
	var tree rtree.RTreeG[int]
	dstGeom := make([]polygol.Geom, len(dst.Features))
	dstArea := make([]float64, len(dst.Features))
	for i := range dst.Features {
		f := &dst.Features[i]
		tree.Insert([2]float64{f.Bound.Min[0], f.Bound.Min[1]}, [2]float64{f.Bound.Max[0], f.Bound.Max[1]}, i)
		dstGeom[i] = projected(f.Geom)
		dstArea[i] = geomArea(dstGeom[i])
	}
	var out []Overlap
	var errs []error
	for si := range src.Features {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f := &src.Features[si]
		sg := projected(f.Geom)
		sa := geomArea(sg)
		var cands []int
		tree.Search([2]float64{f.Bound.Min[0], f.Bound.Min[1]}, [2]float64{f.Bound.Max[0], f.Bound.Max[1]}, func(_, _ [2]float64, ti int) bool {
			cands = append(cands, ti)
			return true
		})
		sort.Ints(cands)
		for _, ti := range cands {
			inter, err := polygol.Intersection(sg, dstGeom[ti])
			if err != nil {
				errs = append(errs, fmt.Errorf("intersect %s feature %s with %s feature %s: %w; check both with geo validation", src.Name, f.ID, dst.Name, dst.Features[ti].ID, err))
				continue
			}
			a := geomArea(inter)
			if a <= 0 || a < MinShare*math.Min(sa, dstArea[ti]) {
				continue
			}
			out = append(out, Overlap{Source: si, Target: ti, Area: a, SourceShare: a / sa, TargetShare: a / dstArea[ti]})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// Statistic is the kind of an estimate, which decides whether it can be
// apportioned by area.
type Statistic int

const (
	// Count is an extensive total (people, households, housing units):
	// the only kind that can be apportioned by area.
	Count Statistic = iota
	// Median, Mean, Ratio and Percent are intensive: they describe a
	// distribution or a quotient, not an amount spread over space.
	Median
	Mean
	Ratio
	Percent
)

func (s Statistic) String() string {
	switch s {
	case Count:
		return "count"
	case Median:
		return "median"
	case Mean:
		return "mean"
	case Ratio:
		return "ratio"
	case Percent:
		return "percent"
	}
	return fmt.Sprintf("Statistic(%d)", int(s))
}

// ErrNotApportionable is wrapped by Apportion's error for a statistic that is
// not a count.
var ErrNotApportionable = errors.New("statistic cannot be apportioned by area")

// Apportion interpolates counts from source features to target features by
// area (areal weighting): with w_st the summed SourceShare of source s's
// pieces in target t (Overlaps gives one piece per pair; a crosswalk read
// from a relationship file may give several),
//
//	est_t = sum_s w_st * est_s
//	MOE_t = sqrt(sum_s (sum_k w_stk * MOE_s)^2)
//
// The pieces k of one source are fractions of one estimate, so they are
// perfectly correlated: their MOEs add (w_1 X + w_2 X = (w_1 + w_2) X has
// MOE (w_1 + w_2) MOE_X, exactly). Different sources are independent
// samples, combined by the ACS rule for the MOE of a sum, the root of summed
// squares (U.S. Census Bureau, "Understanding and Using American Community
// Survey Data" (2020), ch. 8, "Calculating MOEs for Aggregated Count Data").
// Treating the pieces as independent understates the MOE (pieces 0.8 and 0.2
// of a source with MOE 50: sqrt(40^2 + 10^2) = 41.2 instead of 50). It
// assumes the count is spread evenly over each source's area (the same
// assumption as tobler's area_interpolate, with which the tests agree). est
// and moe are indexed by source feature; moe may be nil (no MOE). A NaN (a
// suppressed or missing value) in a source with a nonzero weight makes the
// target NaN. A target that no source overlaps is NaN (null, estimate and
// MOE): no data covers it, which is not a count of 0.
//
// Medians, means, ratios and percents are refused with an error wrapping
// ErrNotApportionable: they are not amounts spread over space, so an
// area-weighted sum of them has no meaning. Apportion their numerator and
// denominator counts and divide, or, for a median, apportion the
// distribution's bins.
func Apportion(ov []Overlap, nTargets int, stat Statistic, est, moe []float64) (outEst, outMOE []float64, err error) {
	if stat != Count {
		return nil, nil, fmt.Errorf("%w: a %s is not an amount spread over space, so its area-weighted sum means nothing; apportion the counts it is computed from (numerator and denominator, or a distribution's bins) and compute the %s on the targets", ErrNotApportionable, stat, stat)
	}
	if moe != nil && len(moe) != len(est) {
		return nil, nil, fmt.Errorf("%d MOEs for %d estimates", len(moe), len(est))
	}
	outEst = make([]float64, nTargets)
	covered := make([]bool, nTargets)
	// weight[t][s]: the summed weight of source s's pieces in target t.
	weight := make([]map[int]float64, nTargets)
	for _, o := range ov {
		if o.Source < 0 || o.Source >= len(est) || o.Target < 0 || o.Target >= nTargets {
			return nil, nil, fmt.Errorf("overlap %d -> %d outside %d sources, %d targets", o.Source, o.Target, len(est), nTargets)
		}
		w := o.SourceShare
		outEst[o.Target] += w * est[o.Source]
		covered[o.Target] = true
		if weight[o.Target] == nil {
			weight[o.Target] = map[int]float64{}
		}
		weight[o.Target][o.Source] += w
	}
	if moe != nil {
		outMOE = make([]float64, nTargets)
		for t, ws := range weight {
			srcs := make([]int, 0, len(ws))
			for s := range ws {
				srcs = append(srcs, s)
			}
			sort.Ints(srcs) // a fixed order of the sum: reproducible to the bit
			sq := 0.0
			for _, s := range srcs {
				m := ws[s] * moe[s]
				sq += m * m
			}
			outMOE[t] = math.Sqrt(sq)
		}
	}
	for t, ok := range covered {
		if !ok {
			outEst[t] = math.NaN()
			if outMOE != nil {
				outMOE[t] = math.NaN()
			}
		}
	}
	return outEst, outMOE, nil
}

// CrosswalkRow is one pair of a crosswalk between two tract vintages, as
// the Census Bureau's relationship file gives it (Relationship.Weights).
// Moving counts between two layers by their own polygons' overlap, for
// layers the Bureau publishes no relationship file for, is the pipeline
// file's interpolate: (Overlaps, then Apportion).
type CrosswalkRow struct {
	From, To  string  // feature IDs in the from and to layers
	Area      float64 // shared area, square metres
	FromShare float64 // share of From's area that lies in To: the weight for counts from From to To
	ToShare   float64 // share of To's area that lies in From
}
