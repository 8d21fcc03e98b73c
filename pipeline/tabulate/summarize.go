// Package tabulate computes over a stage's table (frame.Table): summaries
// of groups of records (Summarize) and ranked selections (Select).
package tabulate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/stats"
)

// Summarize groups the records of r that pass s.Where by the values of the
// s.By columns and summarises each measure per group (stats.Summarize, and
// the mean). Groups come in area order (cfg.AreaRank) then value order. A
// record with a null By value forms no group; outside counts them. done is
// called with the records read so far every 4096 records.
func Summarize(ctx context.Context, cfg *config.Config, s *config.Summary, r *frame.Table, done func(int)) (res *result.Summary, outside int, err error) {
	res = &result.Summary{Name: s.Name, Title: s.Title, By: s.By, Measures: s.Measures}
	for _, b := range s.By {
		if a, ok := cfg.Areas[b]; ok && a.Compare != nil {
			res.Area, res.Compare = b, a.Compare
			break
		}
	}
	var rule *segment.Rule
	if s.Where != "" {
		if rule, err = segment.Compile(s.Where, r.Cols()); err != nil {
			return nil, 0, err
		}
	}
	type acc struct {
		keys []string
		n    int
		vals map[string][]float64
	}
	groups := map[string]*acc{}
	env := map[string]any{}
	keys := make([]string, len(s.By))
	var kb []byte
	err = r.Scan(ctx, func(c *frame.Table, base int) error {
		for i := range c.Len() {
			if i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				done(base + i)
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
		return nil, 0, err
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
			ra, rb := cfg.AreaRank(col, a.Keys[k]), cfg.AreaRank(col, b.Keys[k])
			if ra != rb {
				return ra < rb
			}
			return a.Keys[k] < b.Keys[k]
		}
		return false
	})
	return res, outside, nil
}
