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
	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Summarize groups the records of r that pass s.Where by the values of the
// s.By columns and summarises each measure per group (stats.Summarize, and
// the mean). Groups come in area order (cfg.AreaRank) then value order. A
// record with a null By value forms no group; outside counts them. done is
// called with the records read so far every 4096 records.
//
// Each chunk's columns are read through their typed slices (no value is
// boxed per cell): a By value is its text, or fmt.Sprint of a number or
// bool, as frame.Table.Get would give; a measure is a float or int column's
// value; a measure's note column, when the chunk has one, marks bounds.
func Summarize(ctx context.Context, cfg *config.Config, s *config.Summary, r *frame.Table, done func(int)) (res *result.Summary, outside int, err error) {
	var rule *segment.Rule
	if s.Where != "" {
		if rule, err = segment.Compile(s.Where, r.Cols()); err != nil {
			return nil, 0, err
		}
	}
	// A measure's values are kept per column (slot): two measures of one
	// column share them.
	slotOf := map[string]int{}
	var slotCols []string
	for _, m := range s.Measures {
		if _, ok := slotOf[m.Column]; !ok {
			slotOf[m.Column] = len(slotCols)
			slotCols = append(slotCols, m.Column)
		}
	}
	type acc struct {
		keys []string
		n    int
		vals [][]float64 // by slot
		// coded holds the slots' values that are bounds (top- or
		// bottom-coded medians, or indicators computed from them).
		coded [][]codedValue
	}
	groups := map[string]*acc{}
	env := map[string]any{}
	keys := make([]string, len(s.By))
	var kb []byte
	// Read only the columns the summary uses: a measure's note column too,
	// so that a table read from a file or a stream marks the same bounds
	// as one in memory.
	need := slices.Clone(s.By)
	for _, m := range s.Measures {
		need = append(need, m.Column)
		if _, ok := r.Types()[m.Column+table.NoteSuffix]; ok {
			need = append(need, m.Column+table.NoteSuffix)
		}
	}
	if rule != nil {
		need = append(need, rule.Columns()...)
	}
	by := make([]*table.Column, len(s.By))
	vals := make([]*table.Column, len(slotCols))
	notes := make([]*table.Column, len(slotCols))
	err = r.ScanCols(ctx, need, func(c *frame.Table, base int) error {
		for k, b := range s.By {
			by[k] = c.Column(b)
		}
		for j, col := range slotCols {
			vals[j], notes[j] = c.Column(col), c.Column(col+table.NoteSuffix)
		}
		var match func(int) (bool, error)
		if rule != nil {
			match = c.Matcher(rule, env)
		}
		for i := range c.Len() {
			if i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				done(base + i)
			}
			if match != nil {
				ok, err := match(i)
				if err != nil && !errors.Is(err, segment.ErrMissing) {
					return err
				}
				if !ok {
					continue
				}
			}
			null := false
			kb = kb[:0]
			for k, col := range by {
				if col == nil || !col.Valid[i] {
					null = true
					break
				}
				keys[k] = keyText(col, i)
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
				g = &acc{keys: slices.Clone(keys), vals: make([][]float64, len(slotCols))}
				for k := range g.keys {
					g.keys[k] = strings.Clone(g.keys[k])
				}
				groups[string(kb)] = g
			}
			g.n++
			for _, m := range s.Measures {
				j := slotOf[m.Column]
				x, ok := vals[j].Number(i) // frame.ToFloat(Get(i))
				if !ok {
					if countsValues(vals[j], i) {
						// Counted with a placeholder: config refuses
						// every other statistic of a text or boolean
						// column (and the sedona engine leaves such a
						// summary to this code: sedona.SummarySpec).
						g.vals[j] = append(g.vals[j], 0)
					}
					continue
				}
				g.vals[j] = append(g.vals[j], x)
				if note, ok := text(notes[j], i); ok {
					if b := indicator.NoteBound(note); b != indicator.Exact {
						if g.coded == nil {
							g.coded = make([][]codedValue, len(slotCols))
						}
						words, _ := indicator.NoteCode(note)
						g.coded[j] = append(g.coded[j], codedValue{x, b, words})
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
			j := slotOf[m.Column]
			v := g.vals[j]
			grp.Stats[m.Column] = stats.Summarize(v)
			sum := 0.0
			for _, x := range v {
				sum += x
			}
			grp.Mean[m.Column] = stats.Ratio(sum, float64(len(v)))
			if g.coded != nil && len(g.coded[j]) > 0 {
				if grp.Bounds == nil {
					grp.Bounds = map[string]map[string]string{}
				}
				grp.Bounds[m.Column] = statBounds(v, grp.Stats[m.Column], g.coded[j])
			}
		}
		out = append(out, grp)
	}
	return SummaryOf(cfg, s, out), outside, nil
}

// countsValues reports whether record i of col is a value that a measure
// of a text or boolean column counts: the column has a value there. Its
// only statistic is count (the records with a value); config refuses min,
// median, max and mean of such a column.
func countsValues(col *table.Column, i int) bool {
	return col != nil && (col.Type == table.String || col.Type == table.Bool) && col.Valid[i]
}

// keyText is the group key text of valid record i of col: frame.Table.Get's
// value as text (a string itself, anything else through fmt.Sprint).
func keyText(col *table.Column, i int) string {
	switch col.Type {
	case table.Float:
		return fmt.Sprint(col.Floats[i])
	case table.Int:
		return fmt.Sprint(col.Ints[i])
	case table.Bool:
		return fmt.Sprint(col.Bools[i])
	}
	return col.Strings[i]
}

// text is Get(i).(string) for col: a valid value of a column held as text.
func text(col *table.Column, i int) (string, bool) {
	if col == nil || !col.Valid[i] {
		return "", false
	}
	switch col.Type {
	case table.Float, table.Int, table.Bool:
		return "", false
	}
	return col.Strings[i], true
}

// SummaryOf completes summary s from its groups, computed by Summarize or
// elsewhere (the Sedona engine's job), each with its Keys, N, Stats, Mean
// and Bounds: it labels the keys (s.Labels), puts the groups in area order
// (cfg.AreaRank) then value order, and names the first By column that is a
// compared area.
func SummaryOf(cfg *config.Config, s *config.Summary, groups []*result.Group) *result.Summary {
	res := &result.Summary{Name: s.Name, Title: s.Title, By: s.By, Measures: s.Measures, Groups: groups}
	for _, b := range s.By {
		if a, ok := cfg.Areas[b]; ok && a.Compare != nil {
			res.Area, res.Compare = b, a.Compare
			break
		}
	}
	for _, g := range groups {
		g.Labels = nil
		for i, b := range s.By {
			lbl := g.Keys[i]
			if l, ok := s.Labels[b][lbl]; ok {
				lbl = l
			}
			g.Labels = append(g.Labels, lbl)
		}
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
	return res
}

// codedValue is a value that is a bound (indicator.NoteBound); raw when it
// is a Census top or bottom code itself (census.Column.Note), not a value
// computed from one.
type codedValue struct {
	x float64
	b indicator.Bound
	// words are the Bureau's words when x is a Census code itself ("3,500
	// or more", indicator.NoteCode), "" when x was computed from one.
	words string
}

// statBounds says which statistics of vals (summarised in sum) are bounds
// because of the coded values among them, in the words of
// result.Group.Bounds. The minimum and maximum are a bound when they are a
// coded value (the Bureau's words, "3,500 or more", when that value is a
// Census code itself); the median when a value it is taken from is (the
// middle one, or either of the two middle ones); the mean whenever a coded
// value enters it. Otherwise the order is kept: a top-coded value is at
// least the value shown, so a median below it is unchanged.
func statBounds(vals []float64, sum stats.Summary, coded []codedValue) map[string]string {
	out := map[string]string{}
	// at returns the bound of value x and the Bureau's words when every
	// coded value equal to x is that same Census code.
	at := func(x float64) (indicator.Bound, string) {
		b, words, first := indicator.Exact, "", true
		for _, c := range coded {
			if c.x == x {
				b = joinBound(b, c.b)
				if first {
					words, first = c.words, false
				} else if words != c.words {
					words = ""
				}
			}
		}
		return b, words
	}
	put := func(stat string, b indicator.Bound, words string) {
		switch {
		case b == indicator.Exact:
		case words != "" && (b == indicator.AtLeast || b == indicator.AtMost):
			out[stat] = words
		default:
			out[stat] = b.Words()
		}
	}
	b, w := at(sum.Min)
	put("min", b, w)
	b, w = at(sum.Max)
	put("max", b, w)
	v := slices.Clone(vals)
	slices.Sort(v)
	if n := len(v); n > 0 {
		b, w := at(v[(n-1)/2])
		if n%2 == 0 {
			b2, _ := at(v[n/2])
			b, w = joinBound(b, b2), ""
		}
		put("median", b, w)
	}
	mb := indicator.Exact
	for _, c := range coded {
		mb = joinBound(mb, c.b)
	}
	put("mean", mb, "")
	return out
}

func joinBound(a, b indicator.Bound) indicator.Bound {
	switch {
	case a == indicator.Exact:
		return b
	case b == indicator.Exact || a == b:
		return a
	}
	return indicator.Inexact
}
