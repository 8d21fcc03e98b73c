package sedona

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// SummarySpec returns the job's form of summary s over a table whose
// columns have the given types (the places set's columns, placement columns
// included). It is ErrNotSQL (wrapped, with the reason) when the job could
// not compute it exactly as tabulate.Summarize does: a rule RuleSQL cannot
// translate, a By column of floats (whose text Spark writes differently), a
// measure that is not a number column, or one with a note column (top- or
// bottom-coded values, whose bounds groundwork works out itself).
func SummarySpec(s *config.Summary, types map[string]table.Type) (Summary, error) {
	out := Summary{Name: s.Name, By: slices.Clone(s.By)}
	for _, b := range s.By {
		t, ok := types[b]
		if !ok {
			return Summary{}, fmt.Errorf("summary %q: no column %q", s.Name, b)
		}
		if t == table.Float {
			return Summary{}, fmt.Errorf("summary %q: by %q is a column of decimals: %w", s.Name, b, ErrNotSQL)
		}
	}
	for _, m := range s.Measures {
		if t, ok := types[m.Column]; !ok || t != table.Int && t != table.Float {
			return Summary{}, fmt.Errorf("summary %q: measure %q is not a number column: %w", s.Name, m.Column, ErrNotSQL)
		}
		if _, ok := types[m.Column+table.NoteSuffix]; ok {
			return Summary{}, fmt.Errorf("summary %q: measure %q has coded values: %w", s.Name, m.Column, ErrNotSQL)
		}
		if !slices.Contains(out.Measures, m.Column) {
			out.Measures = append(out.Measures, m.Column)
		}
	}
	if s.Where != "" {
		w, err := RuleSQL(s.Where, types)
		if err != nil {
			return Summary{}, fmt.Errorf("summary %q: %w", s.Name, err)
		}
		out.Where = w
	}
	return out, nil
}

// SegmentSpec returns the job's form of segment s over a table whose
// columns have the given types, ranked with ties broken by column id (as
// tabulate.Select). It is ErrNotSQL (wrapped) for a rule RuleSQL cannot
// translate or an ID column of floats.
func SegmentSpec(s *config.Segment, id string, types map[string]table.Type) (Segment, error) {
	out := Segment{Name: s.Name, ID: id, Limit: s.Limit, Desc: true}
	switch t, ok := types[id]; {
	case !ok:
		return Segment{}, fmt.Errorf("segment %q: no ID column %q", s.Name, id)
	case t == table.Float:
		return Segment{}, fmt.Errorf("segment %q: ID %q is a column of decimals: %w", s.Name, id, ErrNotSQL)
	}
	if s.Rank != nil {
		out.Desc = s.Rank.Order != "asc"
		// Select ranks by numbers only; a rank column of text ranks
		// every record as null.
		if t := types[s.Rank.By]; t == table.Int || t == table.Float {
			out.Rank = s.Rank.By
		}
	}
	if s.Where != "" {
		w, err := RuleSQL(s.Where, types)
		if err != nil {
			return Segment{}, fmt.Errorf("segment %q: %w", s.Name, err)
		}
		out.Where = w
	}
	return out, nil
}

// SQLColumns returns the columns a job's summaries and segments read from
// their table, sorted, each once (the rules' columns, the By columns,
// measures, rank and ID columns); the caller writes those that are not
// placement columns into the table's records.
func SQLColumns(types map[string]table.Type, sums []*config.Summary, segs []*config.Segment, id string) []string {
	var cols []string
	add := func(c string) {
		if _, ok := types[c]; ok && !slices.Contains(cols, c) {
			cols = append(cols, c)
		}
	}
	for _, s := range sums {
		for _, c := range s.By {
			add(c)
		}
		for _, m := range s.Measures {
			add(m.Column)
		}
		for c := range ruleColumns(s.Where) {
			add(c)
		}
	}
	for _, s := range segs {
		add(id)
		if s.Rank != nil {
			add(s.Rank.By)
		}
		for c := range ruleColumns(s.Where) {
			add(c)
		}
	}
	slices.Sort(cols)
	return cols
}

// RecordBatch builds a Table batch: records idx of chunk r, numbered from
// rec on, whose points are rows points[k] of the point set, with columns
// cols of r.
func RecordBatch(r *frame.Table, idx []int, rec int64, points []int64, cols []string) (arrow.RecordBatch, error) {
	if len(points) != len(idx) {
		return nil, fmt.Errorf("sedona job: %d points for %d records", len(points), len(idx))
	}
	n := len(idx)
	recs := &table.Column{Name: "rec", Type: table.Int, Ints: make([]int64, n), Valid: make([]bool, n)}
	pts := &table.Column{Name: "point", Type: table.Int, Ints: slices.Clone(points), Valid: make([]bool, n)}
	for k := range idx {
		recs.Ints[k], recs.Valid[k], pts.Valid[k] = rec+int64(k), true, true
	}
	out := []*table.Column{recs, pts}
	types := r.Types()
	for _, c := range cols {
		col := &table.Column{Name: c, Type: types[c], Valid: make([]bool, 0, n)}
		for _, i := range idx {
			v := r.Get(i, c)
			switch col.Type {
			case table.Float:
				x, ok := v.(float64)
				col.AppendFloat(x, ok)
			case table.Int:
				x, ok := v.(int64)
				col.AppendInt(x, ok)
			case table.Bool:
				x, ok := v.(bool)
				col.AppendBool(x, ok)
			default:
				x, ok := v.(string)
				col.AppendString(x, ok)
			}
		}
		out = append(out, col)
	}
	return table.Build(nil, out...)
}

// Groups turns a summary's groups read from the job into tabulate's groups
// (for tabulate.SummaryOf), leaving out the groups with a null key; outside
// counts the records in those.
func Groups(gs []SummaryGroup, s *config.Summary) (groups []*result.Group, outside int) {
	for _, g := range gs {
		if g.Keys == nil {
			outside += int(g.N)
			continue
		}
		out := &result.Group{Keys: g.Keys, N: int(g.N), Stats: map[string]stats.Summary{}, Mean: map[string]float64{}}
		for _, m := range s.Measures {
			st := g.Measures[m.Column]
			out.Stats[m.Column] = stats.Summary{N: int(st.N), Min: st.Min, Median: st.Median, Max: st.Max}
			out.Mean[m.Column] = stats.Ratio(st.Sum, float64(st.Count))
		}
		groups = append(groups, out)
	}
	return groups, outside
}
