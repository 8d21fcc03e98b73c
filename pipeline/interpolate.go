package pipeline

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/pipeline/tabulate"
)

// interpolate apportions tract counts onto the features of other
// boundaries (the pipeline file's interpolate list), by area overlap
// (geo.Overlaps) or by block population (geo.PointWeights), with
// geo.Apportion: the MOE rule is Apportion's; the interpolation's
// indicators are evaluated on the apportioned counts and its compare
// features tested pair by pair (tabulate.Interpolate). Each one is written
// to interpolated/<name>.parquet (the feature ID, then each column and its
// _moe, then each indicator's columns) and kept for the report. It runs in
// the tracts stage, after the indicators.
func (st *state) interpolate(ctx context.Context) error {
	c := st.cfg
	if len(c.Interpolate) == 0 || st.tracts == nil {
		return nil
	}
	src := st.layers[c.Tracts.Boundary]
	row := map[string]int{}
	for i := range st.tracts.Len() {
		row[st.tracts.Str(i, table.GEOID)] = i
	}
	if st.indicators == nil {
		st.indicators = &result.Indicators{}
	}
	for _, ip := range c.Interpolate {
		dst := st.layers[ip.Onto]
		var ov []geo.Overlap
		method := "area"
		var err error
		if w := ip.Weights; w != nil {
			pts, pop, err := tabulate.WeightPoints(st.raw[w.Source], w.Lat, w.Lon, w.Population)
			if err != nil {
				return fmt.Errorf("interpolate %s: weights %s: %w", ip.Name, w.Source, err)
			}
			var warns []string
			ov, warns, err = geo.PointWeights(ctx, src, dst, pts, pop)
			if err != nil {
				return fmt.Errorf("interpolate %s: %w", ip.Name, err)
			}
			for _, m := range warns {
				st.warn("interpolate %s: %s", ip.Name, m)
			}
			method = fmt.Sprintf("population (%s, %d points)", w.Source, len(pts))
		} else if ov, err = geo.Overlaps(ctx, src, dst); err != nil {
			return fmt.Errorf("interpolate %s: %w", ip.Name, err)
		}
		out, res, err := tabulate.Interpolate(c, st.tracts, row, src, dst, ov, ip, method, st.tractNotCounts())
		if err != nil {
			return err
		}
		rec, err := out.Record(map[string]string{"groundwork:table": "interpolated/" + ip.Name, "groundwork:method": method})
		if err != nil {
			return err
		}
		err = st.writeParquet(ctx, filepath.Join("interpolated", ip.Name+".parquet"), rec)
		rec.Release()
		if err != nil {
			return err
		}
		st.indicators.Interpolations = append(st.indicators.Interpolations, res)
		st.log.Info("interpolated", "name", ip.Name, "onto", ip.Onto, "features", len(dst.Features), "overlaps", len(ov), "method", method)
	}
	return nil
}
