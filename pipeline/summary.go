package pipeline

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
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
		res, err := st.summarizeOne(ctx, s, r)
		if err != nil {
			return fmt.Errorf("summary %q: %w", s.Name, err)
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

func (st *state) summarizeOne(ctx context.Context, s *config.Summary, r *frame.Table) (*result.Summary, error) {
	res := &result.Summary{Name: s.Name, Title: s.Title, By: s.By, Measures: s.Measures}
	for _, b := range s.By {
		if a, ok := st.cfg.Areas[b]; ok && a.Compare != nil {
			res.Area, res.Compare = b, a.Compare
			break
		}
	}
	var rule *segment.Rule
	if s.Where != "" {
		var err error
		if rule, err = segment.Compile(s.Where, r.Cols()); err != nil {
			return nil, err
		}
	}
	type acc struct {
		keys []string
		n    int
		vals map[string][]float64
	}
	groups := map[string]*acc{}
	outside := 0
	env := map[string]any{}
	prog := st.progress(r.Len())
	keys := make([]string, len(s.By))
	var kb []byte
	err := r.Scan(ctx, func(c *frame.Table, base int) error {
		for i := range c.Len() {
			if i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				prog.done(base + i)
			}
			if rule != nil {
				ok, err := c.Match(rule, i, env)
				if err != nil && !errors.Is(err, segment.ErrMissing) {
					return err
				}
				if !ok {
					continue
				}
			}
			null := false
			kb = kb[:0]
			for k, b := range s.By {
				v := c.Get(i, b)
				if v == nil {
					null = true
					break
				}
				if str, ok := v.(string); ok {
					keys[k] = str
				} else {
					keys[k] = fmt.Sprint(v)
				}
				if k > 0 {
					kb = append(kb, 0)
				}
				kb = append(kb, keys[k]...)
			}
			if null {
				outside++
				continue
			}
			g := groups[string(kb)]
			if g == nil {
				g = &acc{keys: slices.Clone(keys), vals: map[string][]float64{}}
				for k := range g.keys {
					g.keys[k] = strings.Clone(g.keys[k])
				}
				groups[string(kb)] = g
			}
			g.n++
			for _, m := range s.Measures {
				if x, ok := frame.ToFloat(c.Get(i, m.Column)); ok {
					g.vals[m.Column] = append(g.vals[m.Column], x)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	prog.done(r.Len())
	if outside > 0 {
		st.warn("summary %s: %d record(s) of %s have no value for %s (outside every area) and are not summarised", s.Name, outside, s.Of, strings.Join(s.By, " or "))
	}
	for _, g := range groups {
		out := &result.Group{Keys: g.keys, N: g.n, Stats: map[string]stats.Summary{}, Mean: map[string]float64{}}
		for i, b := range s.By {
			lbl := g.keys[i]
			if l, ok := s.Labels[b][lbl]; ok {
				lbl = l
			}
			out.Labels = append(out.Labels, lbl)
		}
		for _, m := range s.Measures {
			v := g.vals[m.Column]
			out.Stats[m.Column] = stats.Summarize(v)
			sum := 0.0
			for _, x := range v {
				sum += x
			}
			out.Mean[m.Column] = stats.Ratio(sum, float64(len(v)))
		}
		res.Groups = append(res.Groups, out)
	}
	sort.Slice(res.Groups, func(i, j int) bool {
		a, b := res.Groups[i], res.Groups[j]
		for k, col := range s.By {
			if a.Keys[k] == b.Keys[k] {
				continue
			}
			ra, rb := st.cfg.AreaRank(col, a.Keys[k]), st.cfg.AreaRank(col, b.Keys[k])
			if ra != rb {
				return ra < rb
			}
			return a.Keys[k] < b.Keys[k]
		}
		return false
	})
	return res, nil
}

// writeCSV writes a header and the rows emitted by fill, with every cell
// neutralised against spreadsheet formula injection.
func writeCSV(w io.Writer, header []string, fill func(emit func(...string) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := fill(func(cells ...string) error {
		for i, c := range cells {
			cells[i] = neutralise(c)
		}
		return cw.Write(cells)
	}); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// neutralise prefixes a cell that a spreadsheet would run as a formula (one
// starting with =, +, -, @, tab or carriage return; OWASP "CSV Injection")
// with a single quote. Plain negative numbers are left as they are.
func neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if s[0] == '-' && isNumber(s) {
			return s
		}
		return "'" + s
	}
	return s
}

func isNumber(s string) bool {
	_, err := fmt.Sscanf(s, "%g", new(float64))
	if err != nil {
		return false
	}
	for _, c := range s[1:] {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+') {
			return false
		}
	}
	return true
}
