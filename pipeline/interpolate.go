package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// interpolate apportions tract counts onto the features of other
// boundaries (the pipeline file's interpolate list), by area overlap
// (geo.Overlaps) or by block population (geo.PointWeights), with
// geo.Apportion: the MOE rule is Apportion's. Each one is written to
// interpolated/<name>.parquet (the feature ID, then each column and its
// _moe) and kept for the report. It runs in the tracts stage, after the
// indicators.
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
			pts, pop, err := weightPoints(st.raw[w.Source], w.Lat, w.Lon, w.Population)
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
		res := result.Interpolation{Name: ip.Name, Title: cmp.Or(ip.Title, ip.Name), Onto: ip.Onto, Method: method, Columns: ip.Columns}
		out := frame.New()
		out.AddCol("id", table.String)
		for _, f := range dst.Features {
			out.AppendRow(map[string]any{"id": f.ID})
			res.Rows = append(res.Rows, result.InterpolatedRow{ID: f.ID})
		}
		for _, col := range ip.Columns {
			mcol := strings.TrimSuffix(col, "E") + "M"
			hasMOE := mcol != col && slices.Contains(st.tracts.Cols(), mcol)
			est := make([]float64, len(src.Features))
			var moe []float64
			if hasMOE {
				moe = make([]float64, len(src.Features))
			}
			for fi, f := range src.Features {
				est[fi] = math.NaN()
				i, ok := row[f.ID]
				if !ok {
					est[fi] = 0 // a polygon without a table row (water) holds no one
					if moe != nil {
						moe[fi] = 0
					}
					continue
				}
				if v, ok := frame.ToFloat(st.tracts.Get(i, col)); ok {
					est[fi] = v
				}
				if moe != nil {
					moe[fi] = math.NaN()
					if v, ok := frame.ToFloat(st.tracts.Get(i, mcol)); ok {
						moe[fi] = v
					}
				}
			}
			e, m, err := geo.Apportion(ov, len(dst.Features), geo.Count, est, moe)
			if err != nil {
				return fmt.Errorf("interpolate %s: %s: %w", ip.Name, col, err)
			}
			out.AddCol(col, table.Float)
			out.AddCol(col+"_moe", table.Float)
			for i := range dst.Features {
				v := stats.Value{Est: e[i], MOE: math.NaN()}
				if m != nil {
					v.MOE = m[i]
				}
				ok := !math.IsNaN(v.Est)
				if ok {
					out.Set(i, col, v.Est)
					if !math.IsNaN(v.MOE) {
						out.Set(i, col+"_moe", v.MOE)
					}
				}
				res.Rows[i].Values = append(res.Rows[i].Values, v)
				res.Rows[i].Valid = append(res.Rows[i].Valid, ok)
			}
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

// weightPoints reads the points and populations of a weights source; rows
// without coordinates or population are left out.
func weightPoints(rec arrow.RecordBatch, lat, lon, pop string) ([]orb.Point, []float64, error) {
	if rec == nil {
		return nil, nil, fmt.Errorf("not loaded")
	}
	t := frame.FromRecord(rec)
	var pts []orb.Point
	var w []float64
	for i := range t.Len() {
		y, ok1 := frame.ToFloat(t.Get(i, lat))
		x, ok2 := frame.ToFloat(t.Get(i, lon))
		p, ok3 := frame.ToFloat(t.Get(i, pop))
		if ok1 && ok2 && ok3 {
			pts = append(pts, orb.Point{x, y})
			w = append(w, p)
		}
	}
	return pts, w, nil
}
