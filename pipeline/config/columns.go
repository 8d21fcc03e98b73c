package config

import (
	"fmt"
	"maps"
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
	return append(cols, c.InheritedColumns(places)...), true
}

// InheritedColumns lists the tract columns a places set takes from the
// tract each place lies in (a segment of places in the highest-need tracts
// is then one rule): the Census variables and the indicator columns of the
// tracts table, except geoid and name and any column the places already
// have (their source's, lat, lon, located_by, boundaries, areas), which
// keep their own values. Nil without a tracts table.
func (c *Config) InheritedColumns(places string) []string {
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
