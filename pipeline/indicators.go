package pipeline

import (
	"context"
	"fmt"
	"math"
	"path/filepath"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/pipeline/tabulate"
)

// tractNotCounts returns the variables of the tracts source that its
// Census metadata says are not counts, with the reason
// (result.Source.NotCounts), or nil.
func (st *state) tractNotCounts() map[string]string {
	if st.cfg.Tracts == nil {
		return nil
	}
	for _, s := range st.sourceInfo {
		if s.Name == st.cfg.Tracts.Source {
			return s.NotCounts
		}
	}
	return nil
}

// computeIndicators evaluates the declared indicators on every tract (adding
// <name>, _moe, _cv, _reliability and _note columns), compares the areas
// from summed counts, measures segregation, scores the need index, and
// writes tracts.parquet and indicators/areas.parquet.
func (st *state) computeIndicators(ctx context.Context) error {
	if st.tracts == nil {
		return nil
	}
	ind := st.cfg.Indicators
	if ind != nil {
		res, err := tabulate.Indicators(st.cfg, st.tracts, st.tractNotCounts(), st.warn)
		st.indicators = res
		if err != nil {
			return fmt.Errorf("indicators: %w", err)
		}
	}
	if err := st.writeGeoParquet(ctx, "tracts.parquet", st.tracts, st.tractGeom(st.tracts), map[string]string{"groundwork:table": "tracts"}); err != nil {
		return err
	}
	if st.indicators != nil && len(st.indicators.Areas) > 0 {
		out := frame.New()
		out.AddCol("area", table.String)
		out.AddCol("tracts", table.Int)
		for _, name := range ind.Compare.Indicators {
			for _, suf := range []string{"", indicator.MOESuffix, indicator.CVSuffix} {
				out.AddCol(name+suf, table.Float)
			}
			out.AddCol(name+indicator.ReliabilitySuffix, table.String)
			out.AddCol(name+"_note", table.String)
		}
		for _, a := range st.indicators.Areas {
			row := map[string]any{"area": a.Area, "tracts": int64(a.Tracts)}
			for name, v := range a.Values {
				if v.Valid {
					row[name] = v.Value.Est
					if !math.IsNaN(v.Value.MOE) {
						row[name+indicator.MOESuffix] = v.Value.MOE
					}
					if !math.IsNaN(v.CV) && !math.IsInf(v.CV, 0) {
						row[name+indicator.CVSuffix] = v.CV
					}
				}
				row[name+indicator.ReliabilitySuffix] = string(v.Reliability)
				if v.Note != "" {
					row[name+"_note"] = v.Note
				}
			}
			out.AppendRow(row)
		}
		arec, err := out.Record(map[string]string{"groundwork:table": "indicators by area", "groundwork:confidence": fmt.Sprint(int(st.indicators.Confidence))})
		if err != nil {
			return err
		}
		defer arec.Release()
		if err := st.writeParquet(ctx, filepath.Join("indicators", "areas.parquet"), arec); err != nil {
			return err
		}
	}
	return nil
}
