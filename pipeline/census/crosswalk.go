package census

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/groundwork-org/groundwork/geo"
)

// ErrMedianCrosswalk is wrapped by Crosswalk's error when the table holds a
// median, mean or other value that is not a count.
var ErrMedianCrosswalk = errors.New("a median or mean cannot be moved to other tracts by area")

// Crosswalk moves a tract table onto other tracts (2020 tracts onto 2010
// ones, or back) with crosswalk rows such as geo.Relationship.Weights gives,
// by geo.Apportion: each count is shared out by the land-area weights, and
// each MOE carried with it (the MOE rule is Apportion's: see geo.Apportion).
// The result has the target tracts as rows (sorted by GEOID) with
// state/county/tract geography columns, NAME "Census Tract N, from <vintage>
// tracts", and every estimate and MOE column of t; other columns are left
// out. A target fed by a source tract whose value is missing (an annotation,
// a null) has no value and carries that source's annotation (so its note
// gives the source's reason), so a suppressed cell never turns into a small
// number.
//
// Columns that isMedian reports (medians, means, ratios: not amounts spread
// over space) are refused with an error wrapping ErrMedianCrosswalk that names
// them and says what to do instead. from names the source vintage in NAME.
func Crosswalk(t *Table, rows []geo.CrosswalkRow, from int, isMedian func(col string) bool) (*Table, error) {
	var medians []string
	for _, c := range t.Columns {
		if (c.Kind == KindEstimate || c.Kind == KindMOE) && isMedian != nil && isMedian(c.Name) {
			medians = append(medians, c.Name)
		}
	}
	if len(medians) > 0 {
		return nil, fmt.Errorf("%w: %s (an area-weighted sum of medians means nothing); bring the counts of the distribution across instead (for B19013, the B19001 income brackets) and take the median on the new tracts, or compare the median on the tracts it was published for", ErrMedianCrosswalk, strings.Join(medians, ", "))
	}
	ids := t.GEOIDs()
	ov, targets, _, _ := geo.CrosswalkOverlaps(rows, ids)
	if len(targets) == 0 {
		return nil, fmt.Errorf("census: crosswalk: none of the table's %d tracts is in the crosswalk; check that the table is on %d tracts", len(ids), from)
	}
	n := len(targets)
	out := &Table{rows: n}
	geoCol := func(name string, f func(id string) string) *Column {
		c := &Column{Name: name, Kind: KindGeography, Raw: make([]string, n), Null: make([]bool, n)}
		for i, id := range targets {
			c.Raw[i] = f(id)
		}
		return c
	}
	out.Columns = append(out.Columns,
		geoCol("NAME", func(id string) string { return fmt.Sprintf("Census Tract %s, from %d tracts", tractName(id[5:]), from) }),
		geoCol("state", func(id string) string { return id[:2] }),
		geoCol("county", func(id string) string { return id[2:5] }),
		geoCol("tract", func(id string) string { return id[5:] }))
	out.Columns[0].Kind = KindOther
	byName := map[string]*Column{}
	for _, c := range t.Columns {
		byName[c.Name] = c
	}
	var names []string
	for _, c := range t.Columns {
		if c.Kind == KindEstimate {
			names = append(names, c.Name)
		}
	}
	sort.Strings(names)
	// missing carries, per target, the annotation of a source tract that
	// feeds it without a value (NoAnnotation with null for a JSON null).
	missing := func(src *Column) []Annotation {
		ann := make([]Annotation, n)
		for _, o := range ov {
			if !src.Valid[o.Source] && o.SourceShare > 0 && ann[o.Target] == NoAnnotation {
				ann[o.Target] = src.Annotation[o.Source]
			}
		}
		return ann
	}
	add := func(name string, kind Kind, vals []float64, ann []Annotation) {
		c := &Column{Name: name, Kind: kind, Raw: make([]string, n), Null: make([]bool, n), Values: vals, Valid: make([]bool, n),
			Annotation: ann, Coding: make([]Coding, n)}
		for i, v := range vals {
			if math.IsNaN(v) {
				c.Values[i] = math.NaN()
				if ann[i] == NoAnnotation {
					c.Null[i] = true
				} else {
					c.Raw[i] = strconv.FormatFloat(ann[i].Code(), 'f', -1, 64)
				}
				continue
			}
			c.Raw[i] = strconv.FormatFloat(v, 'f', -1, 64)
			c.Valid[i] = true
		}
		out.Columns = append(out.Columns, c)
	}
	for _, name := range names {
		e := byName[name]
		est := make([]float64, len(ids))
		for i := range est {
			est[i] = e.Values[i]
			if !e.Valid[i] {
				est[i] = math.NaN()
			}
		}
		var moe []float64
		mName := strings.TrimSuffix(name, "E") + "M"
		m := byName[mName]
		if m != nil && m.Kind == KindMOE && mName != name {
			moe = make([]float64, len(ids))
			for i := range moe {
				moe[i] = m.Values[i]
				if !m.Valid[i] {
					moe[i] = math.NaN()
				}
			}
		}
		ae, am, err := geo.Apportion(ov, n, geo.Count, est, moe)
		if err != nil {
			return nil, fmt.Errorf("census: crosswalk %s: %w", name, err)
		}
		add(name, KindEstimate, ae, missing(e))
		if am != nil {
			add(mName, KindMOE, am, missing(m))
		}
	}
	return out, nil
}

// tractName writes a six-digit tract code as the Bureau names tracts:
// 000201 is "2.01", 001400 is "14".
func tractName(code string) string {
	whole := strings.TrimLeft(code[:4], "0")
	if whole == "" {
		whole = "0"
	}
	if code[4:] == "00" {
		return whole
	}
	return whole + "." + code[4:]
}
