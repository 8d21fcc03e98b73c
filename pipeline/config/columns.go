package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/indicator"
	"github.com/groundwork-org/groundwork/pipeline/segment"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
	"github.com/groundwork-org/groundwork/pipeline/table"
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

// censusValue matches the estimate and margin-of-error variables of a Census
// table (B19013_001E, B25003_002M, B19013A_001E): numbers. Other variables
// (NAME, annotation columns such as B19013_001EA) are not assumed numeric.
var censusValue = regexp.MustCompile(`^[A-Z]{1,3}[0-9]{1,6}[A-Z]?_[0-9]{3}[EM]$`)

// columnTypes maps the columns of a source's table to their types as a rule
// sees them: declared types for local files, numbers for Census estimates and
// MOEs, text for GEOIDs and names, segment.Any where the type is known only
// from the data.
func (s *Source) columnTypes() map[string]segment.Type {
	out := map[string]segment.Type{}
	if s.Kind == KindCensus {
		for _, n := range s.columnNames() {
			switch {
			case n == "geoid" || n == "name" || n == "NAME" || n == "GEO_ID":
				out[n] = segment.Text
			case censusValue.MatchString(n):
				out[n] = segment.Number
			default:
				out[n] = segment.Any
			}
		}
		return out
	}
	for _, c := range s.Columns {
		if c == nil {
			continue
		}
		t, _ := table.ParseType(c.Type)
		switch {
		case c.Type == "":
			out[c.Name] = segment.Any
		case t == table.String:
			out[c.Name] = segment.Text
		case t == table.Float || t == table.Int:
			out[c.Name] = segment.Number
		case t == table.Bool:
			out[c.Name] = segment.Bool
		default:
			out[c.Name] = segment.Any
		}
	}
	if s.Kind == KindGeoJSON {
		out["lon"], out["lat"] = segment.Number, segment.Number
	}
	return out
}

// tableTypes maps every column of table of (see tableColumns) to its type:
// its source's types (columnTypes), text for boundary and area columns and
// located_by, numbers for lat and lon and the indicators, text for an
// indicator's reliability and note. A column of unknown type is segment.Any.
func (c *Config) tableTypes(of string) map[string]segment.Type {
	cols, ok := c.tableColumns(of)
	if !ok {
		return nil
	}
	known := map[string]segment.Type{"lat": segment.Number, "lon": segment.Number, "located_by": segment.Text}
	var srcs []*Source
	if of == "tracts" {
		if c.Tracts != nil {
			srcs = append(srcs, c.Sources[c.Tracts.Source])
		}
	} else if pl := c.Places[of]; pl != nil {
		srcs = append(srcs, c.Sources[pl.Source])
		if c.Tracts != nil {
			srcs = append(srcs, c.Sources[c.Tracts.Source]) // inherited columns
		}
	}
	for n := range c.Boundaries {
		known[n] = segment.Text
	}
	for n, a := range c.Areas {
		known[n] = segment.Text
		if a != nil {
			known[a.Boundary] = segment.Text
		}
	}
	for _, n := range c.indicatorColumns() {
		switch {
		case strings.HasSuffix(n, indicator.ReliabilitySuffix), strings.HasSuffix(n, "_note"):
			known[n] = segment.Text
		default:
			known[n] = segment.Number
		}
	}
	// A source's own columns come first: they keep their values over
	// inherited ones (see inheritable).
	for i := len(srcs) - 1; i >= 0; i-- {
		if srcs[i] == nil {
			continue
		}
		maps.Copy(known, srcs[i].columnTypes())
	}
	out := make(map[string]segment.Type, len(cols))
	for _, n := range cols {
		out[n] = known[n] // segment.Any when not known
	}
	return out
}
