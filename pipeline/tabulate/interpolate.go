package tabulate

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Interpolate apportions the tract columns of ip (cfg.Apportioned: its
// columns and the counts its indicators read) from tracts (row: tract GEOID
// -> row), the features of src, onto the features of dst through the
// overlaps ov, with geo.Apportion (its MOE rule; a column's MOE is its name
// with the final E replaced by M, when tracts has it). It then evaluates
// ip's indicators on each feature's apportioned counts, as the area
// comparison evaluates them on summed counts (interpolatedIndicators), and
// tests every pair of the features ip.Compare names. It returns the table to
// write (the feature ID, then each column and its _moe, then each
// indicator's columns) and the report's result. notCounts are the tract
// source's variables its metadata says are not counts (result.Source).
func Interpolate(cfg *config.Config, tracts *frame.Table, row map[string]int, src, dst *geo.Layer, ov []geo.Overlap, ip *config.Interpolation, method string, notCounts map[string]string) (*frame.Table, result.Interpolation, error) {
	columns := cfg.Apportioned(ip)
	res := result.Interpolation{Name: ip.Name, Title: cmp.Or(ip.Title, ip.Name), Onto: ip.Onto, Method: method, Columns: columns, Indicators: ip.Indicators}
	out := frame.New()
	out.AddCol("id", table.String)
	for _, f := range dst.Features {
		out.AppendRow(map[string]any{"id": f.ID})
		res.Rows = append(res.Rows, result.InterpolatedRow{ID: f.ID})
	}
	for _, col := range columns {
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
	if len(ip.Indicators) > 0 {
		if err := interpolatedIndicators(cfg, ip, out, &res, notCounts); err != nil {
			return nil, res, fmt.Errorf("interpolate %s: %w", ip.Name, err)
		}
	}
	return out, res, nil
}

// interpolatedIndicators evaluates ip's indicators on the apportioned
// counts of out (one row per feature), with the indicator options of the
// pipeline file (confidence, reliability bands, what is not a count), adds
// each one's columns to out (indicator.Result.Columns) and its values to
// res's rows, and tests every pair of the features ip.Compare names
// (pairwiseTests), in its order. Features that share a tract are not
// independent samples; the test treats them as independent (the README's
// interpolate section says what that does to it).
func interpolatedIndicators(cfg *config.Config, ip *config.Interpolation, out *frame.Table, res *result.Interpolation, notCounts map[string]string) error {
	opts := cfg.Indicators.Options(cfg)
	for v, why := range notCounts {
		opts.NotSummable[v], opts.Reasons[v] = true, why
	}
	res.Confidence = opts.Confidence
	// the apportioned counts under their Census names, estimate and MOE
	ev := frame.New()
	for range out.Len() {
		ev.AppendRow(nil)
	}
	for _, col := range res.Columns {
		mcol := strings.TrimSuffix(col, "E") + "M"
		ev.AddCol(col, table.Float)
		hasMOE := false
		for i := range out.Len() {
			if x, ok := frame.ToFloat(out.Get(i, col)); ok {
				ev.Set(i, col, x)
			}
			if _, ok := out.Get(i, col+"_moe").(float64); ok {
				hasMOE = true
			}
		}
		if hasMOE && mcol != col {
			ev.AddCol(mcol, table.Float)
			for i := range out.Len() {
				if x, ok := out.Get(i, col+"_moe").(float64); ok {
					ev.Set(i, mcol, x)
				}
			}
		}
	}
	rec, err := ev.Record(nil)
	if err != nil {
		return err
	}
	defer rec.Release()
	for i := range res.Rows {
		res.Rows[i].Indicators = map[string]result.AreaValue{}
	}
	for _, name := range ip.Indicators {
		var d *config.IndicatorDef
		for _, def := range cfg.Indicators.Define {
			if def.Name == name {
				d = def
			}
		}
		if d == nil {
			return fmt.Errorf("%s: not a defined indicator", name) // Validate refuses it first
		}
		spec, err := d.Spec()
		if err != nil {
			return err
		}
		ci, err := indicator.Compile(spec, ev.Cols(), opts)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		r, err := ci.Evaluate(rec)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, c := range r.Columns() {
			if err := out.PutCol(c); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		rowOf := map[string]int{}
		for i := range res.Rows {
			v := result.AreaValue{Value: stats.Value{Est: r.Est[i], MOE: r.MOE[i]}, Valid: r.Valid[i], CV: r.CV[i], Reliability: r.Reliability[i], Note: r.Note[i]}
			res.Rows[i].Indicators[name] = v
			rowOf[res.Rows[i].ID] = i
		}
		if len(ip.Compare) > 0 {
			var names []string
			var vals []stats.Value
			for j, id := range ip.Compare {
				i, ok := rowOf[id]
				if !ok {
					return fmt.Errorf("compare[%d]: %s has no feature %q%s", j, ip.Onto, id, suggest.Hint(id, slices.Collect(maps.Keys(rowOf))))
				}
				names, vals = append(names, id), append(vals, res.Rows[i].Indicators[name].Value)
			}
			res.Comparisons = append(res.Comparisons, pairwiseTests(name, names, vals, r.Confidence, ip.Disparities)...)
		}
	}
	return nil
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
