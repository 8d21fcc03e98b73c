// Package place puts points in boundaries and areas: the Placer places a
// places set's records a chunk at a time; the Locator finds, for
// a point, the feature of every boundary and the area of every area
// definition that contains it, and Coordinates finds a record's point.
package place

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/paulmach/orb"
)

// Locator finds, for a point, the feature of every boundary and the area of
// every area definition that contains it. It is safe for concurrent use once
// built.
type Locator struct {
	bounds  []string // boundary names, sorted
	idx     []*geo.Index
	ids     [][]string // feature IDs per boundary, by feature index
	areas   []string   // area names, sorted
	areaB   []int      // position in bounds of each area's boundary (-1: none)
	areaOf  []map[string]string
	byName  map[string]int // boundary or area name -> position in the output
	outSize int
}

// NewLocator builds the locator over the indexed boundaries (layers holds
// each index's layer, for the feature IDs) and the area definitions, whose
// features' areas areaOf gives.
func NewLocator(layers map[string]*geo.Layer, indexes map[string]*geo.Index, areas map[string]*config.Area, areaOf map[string]map[string]string) *Locator {
	l := &Locator{byName: map[string]int{}}
	l.bounds = slices.Sorted(maps.Keys(indexes))
	for i, name := range l.bounds {
		l.idx = append(l.idx, indexes[name])
		fs := layers[name].Features
		ids := make([]string, len(fs))
		for j, f := range fs {
			ids[j] = f.ID
		}
		l.ids = append(l.ids, ids)
		l.byName[name] = i
	}
	l.areas = slices.Sorted(maps.Keys(areas))
	for i, name := range l.areas {
		b, ok := l.byName[areas[name].Boundary]
		if !ok {
			b = -1
		}
		l.areaB = append(l.areaB, b)
		l.areaOf = append(l.areaOf, areaOf[name])
		l.byName[name] = len(l.bounds) + i
	}
	l.outSize = len(l.bounds) + len(l.areas)
	return l
}

// Buffer returns a slice for Into to fill.
func (l *Locator) Buffer() []string { return make([]string, l.outSize) }

// Into writes the point's feature ID for each boundary, then its area for
// each area, into out ("" where none contains it); Get reads them by name.
// It allocates nothing.
func (l *Locator) Into(p orb.Point, out []string) {
	for i, idx := range l.idx {
		out[i] = ""
		if j, ok := idx.Locate(p); ok {
			out[i] = l.ids[i][j]
		}
	}
	for i, b := range l.areaB {
		v := ""
		if b >= 0 && out[b] != "" {
			v = l.areaOf[i][out[b]]
		}
		out[len(l.bounds)+i] = v
	}
}

// Get returns the value Into wrote for a boundary or area name.
func (l *Locator) Get(out []string, name string) string {
	if i, ok := l.byName[name]; ok {
		return out[i]
	}
	return ""
}

// Coordinates returns the function that finds the point of record i of a
// table of places set pl, how it was found ("coordinates", the directory's
// name, or "same street address as <key>"), or why not (a reason for the
// unplaced list). dirs holds the sources a locate section names, by name.
func Coordinates(pl *config.Places, dirs map[string]arrow.RecordBatch) func(r *frame.Table, i int) (orb.Point, string, string) {
	if pl.Locate == nil {
		return func(r *frame.Table, i int) (orb.Point, string, string) {
			lat, ok1 := frame.ToFloat(r.Get(i, pl.Lat))
			lon, ok2 := frame.ToFloat(r.Get(i, pl.Lon))
			if !ok1 || !ok2 {
				return orb.Point{}, "", "no coordinates"
			}
			return orb.Point{lon, lat}, "coordinates", ""
		}
	}
	l := pl.Locate
	dir := frame.FromRecord(dirs[l.Source])
	type entry struct {
		p      orb.Point
		ok     bool
		street string
	}
	byKey := map[string]entry{}
	byStreet := map[string][]string{} // normalised street -> keys with coordinates
	for i := range dir.Len() {
		k := fmt.Sprint(dir.Get(i, l.Key))
		lat, ok1 := frame.ToFloat(dir.Get(i, l.Lat))
		lon, ok2 := frame.ToFloat(dir.Get(i, l.Lon))
		e := entry{p: orb.Point{lon, lat}, ok: ok1 && ok2}
		if l.SameStreet != "" {
			e.street = normStreet(dir.Str(i, l.SameStreet))
			if e.ok && e.street != "" {
				byStreet[e.street] = append(byStreet[e.street], k)
			}
		}
		byKey[k] = e
	}
	for s := range byStreet {
		sort.Strings(byStreet[s])
	}
	return func(r *frame.Table, i int) (orb.Point, string, string) {
		k := fmt.Sprint(r.Get(i, pl.ID))
		e, ok := byKey[k]
		switch {
		case !ok:
			return orb.Point{}, "", fmt.Sprintf("%s %s is not in %s", l.Key, k, l.Source)
		case e.ok:
			return e.p, l.Source, ""
		case l.SameStreet != "" && e.street != "" && len(byStreet[e.street]) > 0:
			other := byStreet[e.street][0]
			return byKey[other].p, fmt.Sprintf("same street address as %s", other), ""
		case l.SameStreet != "":
			return orb.Point{}, "", fmt.Sprintf("%s has no coordinates for it, nor for any other school at its street address", l.Source)
		}
		return orb.Point{}, "", fmt.Sprintf("%s has no coordinates for it (closed schools have none)", l.Source)
	}
}

// normStreet normalises a street address for matching: lower case, single
// spaces, trailing punctuation removed.
func normStreet(s string) string {
	return strings.Trim(strings.Join(strings.Fields(strings.ToLower(s)), " "), ".,")
}

// Value returns what Get returns, or nil (a null cell) for "".
func (l *Locator) Value(out []string, name string) any {
	if v := l.Get(out, name); v != "" {
		return v
	}
	return nil
}
