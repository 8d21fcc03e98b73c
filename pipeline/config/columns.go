package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

func names[V any](m map[string]V) string {
	k := slices.Sorted(maps.Keys(m))
	if len(k) == 0 {
		return "none are defined"
	}
	return "defined: " + strings.Join(k, ", ")
}

func validVariable(v string) bool {
	if v == "NAME" || v == "GEO_ID" {
		return true
	}
	if _, ok := GroupOf(v); ok {
		return true
	}
	if len(v) < 6 || strings.ContainsAny(v, " ,&?=") {
		return false
	}
	return v[0] >= 'A' && v[0] <= 'Z'
}

func (s *Source) hasColumn(name string) bool {
	return slices.Contains(s.columnNames(), name)
}

// placeColumns lists the columns of a placed table: the source's columns plus
// the join results.
func (c *Config) placeColumns(places string) ([]string, bool) {
	pl, ok := c.Places[places]
	if !ok || pl == nil {
		return nil, false
	}
	src, ok := c.Sources[pl.Source]
	if !ok || src == nil {
		return nil, false
	}
	cols := append([]string{}, src.columnNames()...)
	cols = append(cols, "lat", "lon", "located_by")
	for _, b := range slices.Sorted(maps.Keys(c.Boundaries)) {
		cols = append(cols, b)
	}
	for _, a := range slices.Sorted(maps.Keys(c.Areas)) {
		cols = append(cols, a)
	}
	return append(cols, c.inheritable(places)...), true
}

// InheritedColumns lists the tract columns a places set takes from the
// tract each place lies in, so that a segment of places in the highest-need
// tracts is one rule (`need_index > 0.9`): every inheritable column (see
// inheritable) that a summary, a segment or the map of that places set
// uses. Only those are copied, so a list of millions of points does not
// carry every tract column; nil when none is used.
func (c *Config) InheritedColumns(places string) []string {
	var used []string
	for _, col := range c.inheritable(places) {
		if c.usesColumn(places, col) {
			used = append(used, col)
		}
	}
	return used
}

// usesColumn says whether a summary, segment or the map of places set of
// reads column col.
func (c *Config) usesColumn(of, col string) bool {
	word := regexp.MustCompile(`\b` + regexp.QuoteMeta(col) + `\b`)
	for _, s := range c.Summaries {
		if s == nil || s.Of != of {
			continue
		}
		if slices.Contains(s.By, col) || word.MatchString(s.Where) {
			return true
		}
		for _, m := range s.Measures {
			if m != nil && m.Column == col {
				return true
			}
		}
	}
	for _, s := range c.Segments {
		if s == nil || s.Of != of {
			continue
		}
		if slices.Contains(s.Columns, col) || word.MatchString(s.Where) || s.Rank != nil && s.Rank.By == col {
			return true
		}
	}
	if r := c.Report; r != nil && r.Map != nil && r.Map.Points != nil && r.Map.Points.Of == of {
		return r.Map.Points.Size == col || r.Map.Points.Color == col
	}
	return false
}

// inheritable lists the tract columns a places set can take from its tract:
// the Census variables and the indicator columns of the tracts table, except
// geoid and name and any column the places already have (their source's,
// lat, lon, located_by, boundaries, areas), which keep their own values.
// Nil without a tracts table.
func (c *Config) inheritable(places string) []string {
	pl, ok := c.Places[places]
	if !ok || pl == nil || c.Tracts == nil {
		return nil
	}
	src, tsrc := c.Sources[pl.Source], c.Sources[c.Tracts.Source]
	if src == nil || tsrc == nil {
		return nil
	}
	have := map[string]bool{"lat": true, "lon": true, "located_by": true, "geoid": true, "name": true}
	for _, n := range src.columnNames() {
		have[n] = true
	}
	for n := range c.Boundaries {
		have[n] = true
	}
	for n := range c.Areas {
		have[n] = true
	}
	var out []string
	for _, n := range append(slices.Clone(tsrc.columnNames()), c.indicatorColumns()...) {
		if !have[n] {
			have[n] = true
			out = append(out, n)
		}
	}
	return out
}

func (c *Config) tableColumns(of string) ([]string, bool) {
	if of == "tracts" && c.Tracts != nil {
		src := c.Sources[c.Tracts.Source]
		if src == nil {
			return nil, false
		}
		cols := append([]string{}, src.columnNames()...)
		for _, a := range slices.Sorted(maps.Keys(c.Areas)) {
			cols = append(cols, a, c.Areas[a].Boundary)
		}
		return append(cols, c.indicatorColumns()...), true
	}
	return c.placeColumns(of)
}

func suggestName(want string, have []string) string {
	if best := suggest.Closest(want, have); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// tableID matches an ACS or decennial table ID: B25003, C16002, B19013A, P1.
var tableID = regexp.MustCompile(`^[A-Z]{1,3}[0-9]{1,6}[A-Z]?$`)

// GroupOf returns the table of a whole-table pull: "group(B25003)", or the
// table ID alone ("B25003"), which means the same.
func GroupOf(v string) (string, bool) {
	if g, ok := strings.CutPrefix(v, "group("); ok && strings.HasSuffix(g, ")") {
		g = strings.TrimSuffix(g, ")")
		return g, tableID.MatchString(g)
	}
	if tableID.MatchString(v) && !strings.Contains(v, "_") {
		return v, true
	}
	return "", false
}

// groupCells is how many cells of a whole-table pull validation accepts
// (T_001E to T_099E and their MOEs): the table's real size is known only
// from the Census metadata, after the pull, where a reference to a cell the
// table does not have is an unknown column.
const groupCells = 99

// groupColumns lists the cell names validation accepts for table t.
func groupColumns(t string) []string {
	out := make([]string, 0, 2*groupCells)
	for i := 1; i <= groupCells; i++ {
		out = append(out, fmt.Sprintf("%s_%03dE", t, i), fmt.Sprintf("%s_%03dM", t, i))
	}
	return out
}
