package geo

import (
	"context"
	"fmt"
	"sort"

	"github.com/paulmach/orb"
)

// PointWeights returns the overlaps of src and dst features weighted by
// population instead of area (dasymetric weighting, as tobler's and
// censusdis's population-weighted interpolation do): each point (a census
// block's internal point) carries its population w, and
//
//	SourceShare(s, t) = (sum of w of points in s and in t) / (sum of w of points in s)
//
// so a tract's count is shared out as its people are, not as its land is.
// TargetShare is the same share of t. Points outside src are ignored; the
// weight of points in s but outside every dst feature stays out of every
// target (as area outside the targets does in Overlaps). A source feature
// holding no weight at all (no point, or population 0) falls back to area
// weights from Overlaps, and each such feature is named in the warnings.
// Overlaps are sorted by Source then Target; see Apportion for using them.
func PointWeights(ctx context.Context, src, dst *Layer, pts []orb.Point, w []float64) ([]Overlap, []string, error) {
	if len(pts) != len(w) {
		return nil, nil, fmt.Errorf("point weights: %d points, %d weights", len(pts), len(w))
	}
	si, di := NewIndex(src), NewIndex(dst)
	type pair struct{ s, t int }
	acc := map[pair]float64{}
	srcTotal := make([]float64, len(src.Features))
	dstTotal := make([]float64, len(dst.Features))
	for i, p := range pts {
		if i%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		s, ok := si.Locate(p)
		if !ok {
			continue
		}
		srcTotal[s] += w[i]
		if t, ok := di.Locate(p); ok {
			acc[pair{s, t}] += w[i]
			dstTotal[t] += w[i]
		}
	}
	var out []Overlap
	for k, v := range acc {
		if v <= 0 || srcTotal[k.s] <= 0 {
			continue
		}
		o := Overlap{Source: k.s, Target: k.t, SourceShare: v / srcTotal[k.s]}
		if dstTotal[k.t] > 0 {
			o.TargetShare = v / dstTotal[k.t]
		}
		out = append(out, o)
	}
	var warns []string
	empty := &Layer{Name: src.Name, File: src.File}
	var emptyIdx []int
	for s, tot := range srcTotal {
		if tot <= 0 {
			empty.Features = append(empty.Features, src.Features[s])
			emptyIdx = append(emptyIdx, s)
			warns = append(warns, fmt.Sprintf("%s feature %s holds no population in the weights; its values are shared out by area", src.Name, src.Features[s].ID))
		}
	}
	if len(emptyIdx) > 0 {
		ov, err := Overlaps(ctx, empty, dst)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range ov {
			o.Source = emptyIdx[o.Source]
			out = append(out, o)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Source != out[b].Source {
			return out[a].Source < out[b].Source
		}
		return out[a].Target < out[b].Target
	})
	return out, warns, nil
}
