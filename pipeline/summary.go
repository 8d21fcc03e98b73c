package pipeline

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/table"
	"github.com/groundwork-org/groundwork/pipeline/tabulate"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

func (st *state) tableRows(of string) *frame.Table {
	if of == "tracts" {
		return st.tracts
	}
	return st.places[of]
}

// summarize computes every summary and writes summaries/<name>.parquet.
// Records whose group value is null (outside every area) form no group;
// they are counted in a warning.
func (st *state) summarize(ctx context.Context) error {
	for _, s := range st.cfg.Summaries {
		r := st.tableRows(s.Of)
		if r == nil {
			return fmt.Errorf("summary %q: %s was not computed", s.Name, s.Of)
		}
		prog := st.progress(r.Len())
		res, outside := st.sparkSummaryOf(s) // computed by the sedona engine's job
		if res != nil {
			st.log.Info("sedona engine: summary from the job", "summary", s.Name)
		} else {
			var err error
			if res, outside, err = tabulate.Summarize(ctx, st.cfg, s, r, prog.done); err != nil {
				return fmt.Errorf("summary %q: %w", s.Name, err)
			}
		}
		prog.done(r.Len())
		if outside > 0 {
			st.warn("summary %s: %d record(s) of %s have no value for %s (outside every area) and are not summarised", s.Name, outside, s.Of, strings.Join(s.By, " or "))
		}
		st.summaries = append(st.summaries, res)
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
		rec, err := out.Record(map[string]string{"groundwork:summary": s.Name})
		if err != nil {
			return err
		}
		err = st.writeParquet(ctx, filepath.Join("summaries", s.Name+".parquet"), rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// writeCSV writes a header and the rows emitted by fill, with every cell
// neutralised against spreadsheet formula injection (outreach.Neutralize).
func writeCSV(w io.Writer, header []string, fill func(emit func(...string) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := fill(func(cells ...string) error {
		for i, c := range cells {
			cells[i] = outreach.Neutralize(c)
		}
		return cw.Write(cells)
	}); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
