package tabulate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// summarizeRef is Summarize as it was before the typed-column loop (session 5),
// kept as the reference of TestSummarizeMatchesRef. It groups the records of r that pass s.Where by the values of the
// s.By columns and summarises each measure per group (stats.Summarize, and
// the mean). Groups come in area order (cfg.AreaRank) then value order. A
// record with a null By value forms no group; outside counts them. done is
// called with the records read so far every 4096 records.
func summarizeRef(ctx context.Context, cfg *config.Config, s *config.Summary, r *frame.Table, done func(int)) (res *result.Summary, outside int, err error) {
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
		// coded holds the measures' values that are bounds (top- or
		// bottom-coded medians, or indicators computed from them).
		coded map[string][]codedValue
	}
	groups := map[string]*acc{}
	env := map[string]any{}
	keys := make([]string, len(s.By))
	var kb []byte
	// Read only the columns the summary uses.
	need := slices.Clone(s.By)
	for _, m := range s.Measures {
		need = append(need, m.Column)
	}
	if rule != nil {
		need = append(need, rule.Columns()...)
	}
	err = r.ScanCols(ctx, need, func(c *frame.Table, base int) error {
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
				switch c.Get(i, m.Column).(type) {
				case string, bool: // counted since session 10 (a text column's count)
					g.vals[m.Column] = append(g.vals[m.Column], 0)
					continue
				}
				if x, ok := frame.ToFloat(c.Get(i, m.Column)); ok {
					g.vals[m.Column] = append(g.vals[m.Column], x)
					if note, ok := c.Get(i, m.Column+table.NoteSuffix).(string); ok {
						if b := indicator.NoteBound(note); b != indicator.Exact {
							if g.coded == nil {
								g.coded = map[string][]codedValue{}
							}
							words, _ := indicator.NoteCode(note)
							g.coded[m.Column] = append(g.coded[m.Column], codedValue{x, b, words})
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	var out []*result.Group
	for _, g := range groups {
		grp := &result.Group{Keys: g.keys, N: g.n, Stats: map[string]stats.Summary{}, Mean: map[string]float64{}}
		for _, m := range s.Measures {
			v := g.vals[m.Column]
			grp.Stats[m.Column] = stats.Summarize(v)
			sum := 0.0
			for _, x := range v {
				sum += x
			}
			grp.Mean[m.Column] = stats.Ratio(sum, float64(len(v)))
			if cv := g.coded[m.Column]; len(cv) > 0 {
				if grp.Bounds == nil {
					grp.Bounds = map[string]map[string]string{}
				}
				grp.Bounds[m.Column] = statBounds(v, grp.Stats[m.Column], cv)
			}
		}
		out = append(out, grp)
	}
	return SummaryOf(cfg, s, out), outside, nil
}
