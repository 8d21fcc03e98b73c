package census

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// mergedColumn is a column of a table made from rows of others
// (mergeColumns, concatRows): an estimate or MOE column's text
// is derived from its values, as in scanTable's (Column.derived), other
// columns' kept in Raw.
func mergedColumn(name string, k Kind, n int) *Column {
	if k != KindEstimate && k != KindMOE {
		return newColumnKind(name, k, n)
	}
	c := newColumnText(name, k, n, false)
	c.derived = true
	return c
}

// copyRow copies row j of src into row i of dst (same kind). Into a
// mergedColumn, an estimate's or MOE's text is copied only when it is not
// the canonical form of its value (the value and annotation are copied
// anyway): most are, and making a string of each would cost more than the
// rest of the copy.
func copyRow(dst *Column, i int, src *Column, j int) {
	dst.Null[i] = src.Null[j]
	switch {
	case dst.Raw != nil:
		dst.Raw[i] = src.Text(j)
	case src.Null[j]:
	case src.derived:
		if s, ok := src.odd[j]; ok {
			dst.keepOdd(i, s)
		}
	default:
		if s := src.Text(j); !isCanonical(s) {
			dst.keepOdd(i, strings.Clone(s))
		}
	}
	if dst.Values != nil {
		dst.Values[i], dst.Valid[i] = src.Values[j], src.Valid[j]
		dst.Annotation[i] = src.Annotation[j]
		dst.setCoding(i, src.Coding[j], src.Words(j))
	}
}

// mergeColumns joins tables that cover the same geographies (the chunks of
// one split request) on their GEOIDs. The result has the first table's rows
// in its order; other tables' columns not already present are inserted
// before the geography columns. Differing GEOID sets or duplicate GEOIDs are
// errors: the merge is exact or fails.
func mergeColumns(tabs []*Table) (*Table, error) {
	base := tabs[0]
	if len(tabs) == 1 {
		return base, nil
	}
	ids := base.GEOIDs()
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		if _, dup := pos[id]; dup {
			return nil, fmt.Errorf("merging split requests: GEOID %q occurs twice", id)
		}
		pos[id] = i
	}
	var front, geo []*Column
	have := map[string]bool{}
	for _, c := range base.Columns {
		have[c.Name] = true
		if c.Kind == KindGeography {
			geo = append(geo, c)
		} else {
			front = append(front, c)
		}
	}
	for k, t := range tabs[1:] {
		if t.Len() != base.Len() {
			return nil, fmt.Errorf("merging split requests: part %d has %d rows, part 1 has %d", k+2, t.Len(), base.Len())
		}
		tids := t.GEOIDs()
		perm := make([]int, len(tids)) // perm[i] = row of t for base row i
		seen := make([]bool, len(ids))
		for j, id := range tids {
			i, ok := pos[id]
			if !ok || seen[i] {
				return nil, fmt.Errorf("merging split requests: GEOID %q of part %d is missing from part 1 or repeated", id, k+2)
			}
			seen[i] = true
			perm[i] = j
		}
		for _, c := range t.Columns {
			if have[c.Name] {
				continue
			}
			have[c.Name] = true
			nc := mergedColumn(c.Name, c.Kind, base.rows)
			for i := range ids {
				copyRow(nc, i, c, perm[i])
			}
			front = append(front, nc)
		}
	}
	return &Table{Columns: append(front, geo...), rows: base.rows}, nil
}

// concatRows stacks tables with the same columns and sorts the rows by
// GEOID (stable, so rows with equal GEOIDs keep their order).
func concatRows(tabs []*Table) (*Table, error) {
	if len(tabs) == 0 {
		return &Table{}, nil
	}
	first := tabs[0]
	n := 0
	for k, t := range tabs {
		if len(t.Columns) != len(first.Columns) {
			return nil, fmt.Errorf("response %d has %d columns, response 1 has %d", k+1, len(t.Columns), len(first.Columns))
		}
		for j, c := range t.Columns {
			if c.Name != first.Columns[j].Name {
				return nil, fmt.Errorf("response %d has column %q where response 1 has %q", k+1, c.Name, first.Columns[j].Name)
			}
		}
		n += t.Len()
	}
	type src struct {
		t   *Table
		row int
		id  string
	}
	rows := make([]src, 0, n)
	for _, t := range tabs {
		for i, id := range t.GEOIDs() {
			rows = append(rows, src{t, i, id})
		}
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].id < rows[b].id })
	out := &Table{rows: n}
	for j, c := range first.Columns {
		nc := mergedColumn(c.Name, c.Kind, n)
		for i, r := range rows {
			copyRow(nc, i, r.t.Columns[j], r.row)
		}
		out.Columns = append(out.Columns, nc)
	}
	return out, nil
}

// without returns t without the columns drop selects (sharing columns).
func (t *Table) without(drop func(*Column) bool) *Table {
	out := &Table{rows: t.rows}
	for _, c := range t.Columns {
		if !drop(c) {
			out.Columns = append(out.Columns, c)
		}
	}
	return out
}

// LabelChange is a variable whose label differs between two years of a
// multi-year pull.
type LabelChange struct {
	Variable string
	FromYear int
	From     string
	ToYear   int
	To       string
}

func (l LabelChange) String() string {
	return fmt.Sprintf("%s changed label between %d and %d: %q became %q; check that the estimates are comparable", l.Variable, l.FromYear, l.ToYear, l.From, l.To)
}

// GetYears pulls the same request for each year (r.Year is ignored) and
// returns one table per year, in the order of years. Before any data request
// it checks every year's metadata; labels that change between consecutive
// years are returned as LabelChanges and logged as warnings. Label
// differences in punctuation only ("Estimate!!Total" vs "Estimate!!Total:",
// the 2019 ACS relabelling) are still reported, since the Bureau made them
// for a reason; callers may filter.
func (c *Client) GetYears(ctx context.Context, r Request, years []int) ([]*Table, []LabelChange, error) {
	var changes []LabelChange
	var prev *Metadata
	for _, y := range years {
		m, err := c.Metadata(ctx, r.Dataset, y)
		if err != nil {
			return nil, nil, err
		}
		if prev != nil {
			for _, v := range r.Variables {
				if strings.HasPrefix(v, "group(") {
					continue
				}
				a, b := prev.Variables[v], m.Variables[v]
				if a.Name != "" && b.Name != "" && a.Label != b.Label {
					lc := LabelChange{Variable: v, FromYear: prev.Year, From: a.Label, ToYear: y, To: b.Label}
					changes = append(changes, lc)
					c.cfg.Logger.Warn("census label changed", "variable", v, "from_year", prev.Year, "to_year", y, "from", a.Label, "to", b.Label)
				}
			}
		}
		prev = m
	}
	out := make([]*Table, 0, len(years))
	for _, y := range years {
		ry := r
		ry.Year = y
		t, err := c.Get(ctx, ry)
		if err != nil {
			return nil, changes, err
		}
		out = append(out, t)
	}
	return out, changes, nil
}

// JoinYear returns t with the estimate and MOE columns of prev, a pull of
// the same request for an earlier year, added as <name>_<year> (so
// B25064_001E of 2012 becomes B25064_001E_2012), matched on GEOID. Rows of t
// whose GEOID prev lacks get nulls there; missing counts them (tract codes
// change between decennial vintages: bring the tables onto one with a
// crosswalk first). t is not changed.
func (t *Table) JoinYear(prev *Table, year int) (out *Table, missing int) {
	pos := map[string]int{}
	for j, id := range prev.GEOIDs() {
		pos[id] = j
	}
	ids := t.GEOIDs()
	var added []*Column
	for _, c := range prev.Columns {
		if c.Kind != KindEstimate && c.Kind != KindMOE {
			continue
		}
		// Raw kept: callers read the added columns' Raw.
		nc := newColumnKind(fmt.Sprintf("%s_%d", c.Name, year), c.Kind, t.rows)
		for i, id := range ids {
			if j, ok := pos[id]; ok {
				copyRow(nc, i, c, j)
			} else {
				nc.Null[i] = true
			}
		}
		added = append(added, nc)
	}
	for _, id := range ids {
		if _, ok := pos[id]; !ok {
			missing++
		}
	}
	var front, geo []*Column
	for _, c := range t.Columns {
		if c.Kind == KindGeography {
			geo = append(geo, c)
		} else {
			front = append(front, c)
		}
	}
	cols := append(append(front, added...), geo...)
	return &Table{Columns: cols, rows: t.rows}, missing
}
