package tabulate

import (
	"math"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// SummaryTable is the table of summaries/<name>.parquet for summary s: a
// row per group of res with its keys (the By columns), its size n, and a
// column <measure>_<stat> per statistic (null when NaN).
func SummaryTable(s *config.Summary, res *result.Summary) *frame.Table {
	out := frame.New()
	for _, b := range s.By {
		out.AddCol(b, table.String)
	}
	out.AddCol("n", table.Int)
	for _, m := range s.Measures {
		for _, stat := range m.Stats {
			out.AddCol(m.Column+"_"+stat, table.Float)
		}
	}
	for _, g := range res.Groups {
		row := map[string]any{"n": int64(g.N)}
		for i, b := range s.By {
			row[b] = g.Keys[i]
		}
		for _, m := range s.Measures {
			sm := g.Stats[m.Column]
			for _, stat := range m.Stats {
				v := result.StatValue(sm, g.Mean[m.Column], stat)
				if !math.IsNaN(v) {
					row[m.Column+"_"+stat] = v
				}
			}
		}
		out.AppendRow(row)
	}
	return out
}

// AreasTable is the table of indicators/areas.parquet: a row per compared
// area of res with its tract count and, for each indicator of ind's
// comparison, its estimate, MOE and CV (null when missing, NaN or
// infinite), reliability and note.
func AreasTable(ind *config.Indicators, res *result.Indicators) *frame.Table {
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
	for _, a := range res.Areas {
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
	return out
}
