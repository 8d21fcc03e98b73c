package config

import (
	"maps"
	"slices"
	"strings"
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
	return cols, true
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
