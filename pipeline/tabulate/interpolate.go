package tabulate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Interpolate apportions the columns of ip from tracts (row: tract GEOID ->
// row), the features of src, onto the features of dst through the overlaps
// ov, with geo.Apportion (its MOE rule; a column's MOE is its name with the
// final E replaced by M, when tracts has it). It returns the table to write
// (the feature ID, then each column and its _moe) and the report's result.
func Interpolate(tracts *frame.Table, row map[string]int, src, dst *geo.Layer, ov []geo.Overlap, ip *config.Interpolation, method string) (*frame.Table, result.Interpolation, error) {
	res := result.Interpolation{Name: ip.Name, Title: cmp.Or(ip.Title, ip.Name), Onto: ip.Onto, Method: method, Columns: ip.Columns}
	out := frame.New()
	out.AddCol("id", table.String)
	for _, f := range dst.Features {
		out.AppendRow(map[string]any{"id": f.ID})
		res.Rows = append(res.Rows, result.InterpolatedRow{ID: f.ID})
	}
	for _, col := range ip.Columns {
		mcol := strings.TrimSuffix(col, "E") + "M"
		hasMOE := mcol != col && slices.Contains(tracts.Cols(), mcol)
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
			if v, ok := frame.ToFloat(tracts.Get(i, col)); ok {
				est[fi] = v
			}
			if moe != nil {
				moe[fi] = math.NaN()
				if v, ok := frame.ToFloat(tracts.Get(i, mcol)); ok {
					moe[fi] = v
				}
			}
		}
		e, m, err := geo.Apportion(ov, len(dst.Features), geo.Count, est, moe)
		if err != nil {
			return nil, res, fmt.Errorf("interpolate %s: %s: %w", ip.Name, col, err)
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
	return out, res, nil
}

// WeightPoints reads the points and populations of a weights source; rows
// without coordinates or population are left out.
func WeightPoints(rec arrow.RecordBatch, lat, lon, pop string) ([]orb.Point, []float64, error) {
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
