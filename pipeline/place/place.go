// Package place puts points in boundaries and areas: the Placer places a
// places set's records a chunk at a time; the Locator finds, for
// a point, the feature of every boundary and the area of every area
// definition that contains it, and Coordinates finds a record's point.
package place

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/paulmach/orb"
)

// Locator finds, for a point, the feature of every boundary and the area of
// every area definition that contains it. It is safe for concurrent use once
// built.
type Locator struct {
	bounds []string // boundary names, sorted
	idx    []*geo.Index
	ids    [][]string // feature IDs per boundary, by feature index
	areas  []string   // area names, sorted
	areaB  []int      // position in bounds of each area's boundary (-1: none)
	areaOf []map[string]string
	// areaByFeature[a][f] is area a's value for feature f of its boundary
	// ("" for none): area lookups by feature index, not by ID string.
	areaByFeature [][]string
	byName        map[string]int // boundary or area name -> position in the output
	outSize       int

	// Placements made elsewhere (the Sedona engine), by point: at[p][j]
	// goes to output position pos[j]. Nil when Into uses the indexes.
	at     map[orb.Point][]string
	pos    []int
	missed atomic.Int64 // points Into placed with the indexes although at is set
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
		var byF []string
		if b >= 0 {
			byF = make([]string, len(l.ids[b]))
			for f, id := range l.ids[b] {
				byF[f] = areaOf[name][id]
			}
		}
		l.areaByFeature = append(l.areaByFeature, byF)
		l.byName[name] = len(l.bounds) + i
	}
	l.outSize = len(l.bounds) + len(l.areas)
	return l
}

// Precompute makes Into answer from placements made by another engine (the
// Sedona job): at gives, for each point, the values of the boundaries and
// areas named in names, in that order. A boundary or area of the locator
// not in names gets "". A point not in at is placed with the indexes as
// before and counted (Missed). Precompute must be called before the
// Locator is shared.
func (l *Locator) Precompute(names []string, at map[orb.Point][]string) error {
	pos := make([]int, len(names))
	for j, n := range names {
		i, ok := l.byName[n]
		if !ok {
			return fmt.Errorf("precomputed placements name %q, which is neither a boundary nor an area", n)
		}
		pos[j] = i
	}
	l.at, l.pos = at, pos
	return nil
}

// Missed is the number of points Into placed with the indexes because
// Precompute's placements did not have them.
func (l *Locator) Missed() int64 { return l.missed.Load() }

// Names returns the boundaries with an index, then the areas, each sorted:
// what Into fills.
func (l *Locator) Names() []string {
	return append(slices.Clone(l.bounds), l.areas...)
}

// Buffer returns a slice for Into to fill.
func (l *Locator) Buffer() []string { return make([]string, l.outSize) }

// Into writes the point's feature ID for each boundary, then its area for
// each area, into out ("" where none contains it); Get reads them by name.
// It allocates nothing.
func (l *Locator) Into(p orb.Point, out []string) {
	if row, ok := l.at[p]; ok {
		clear(out)
		for j, i := range l.pos {
			out[i] = row[j]
		}
		return
	}
	if l.at != nil {
		l.missed.Add(1)
	}
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

// LocateAll places pts (EPSG:4326 lon/lat) in every boundary on all cores
// (geo.LocateAll: batches in space-filling-curve order) and writes, for
// point k, the same values Into would into out[k*l.Width():(k+1)*l.Width()]
// (out must have that length). feats is scratch of len(pts), reused.
func (l *Locator) LocateAll(ctx context.Context, pts []orb.Point, feats []int32, out []string) error {
	w := l.outSize
	if len(out) != w*len(pts) || len(feats) != len(pts) {
		panic("place: LocateAll: buffer lengths") // a programming error
	}
	if l.at != nil { // placements made elsewhere: Into looks each point up
		for k, p := range pts {
			if k%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			l.Into(p, out[k*w:(k+1)*w])
		}
		return nil
	}
	for i, idx := range l.idx {
		if err := geo.LocateAll(ctx, idx, pts, feats, 0); err != nil {
			return err
		}
		// The values by feature, on all cores too: a lookup per point in
		// tables of the layer's size, in input order (random places),
		// which one core would otherwise do while the others wait.
		inParts(len(feats), func(lo, hi int) { l.valuesOf(i, feats, out, lo, hi) })
	}
	for a, b := range l.areaB {
		if b < 0 {
			for k := range pts {
				out[k*w+len(l.bounds)+a] = ""
			}
		}
	}
	return nil
}

// valuesOf writes, for points lo to hi-1, boundary i's feature IDs and the
// areas over it, from their features feats, into out (see LocateAll).
func (l *Locator) valuesOf(i int, feats []int32, out []string, lo, hi int) {
	w, ids := l.outSize, l.ids[i]
	for k := lo; k < hi; k++ {
		v := ""
		if f := feats[k]; f != geo.Unmatched {
			v = ids[f]
		}
		out[k*w+i] = v
	}
	for a, b := range l.areaB {
		if b != i {
			continue
		}
		byF := l.areaByFeature[a]
		for k := lo; k < hi; k++ {
			v := ""
			if f := feats[k]; f != geo.Unmatched {
				v = byF[f]
			}
			out[k*w+len(l.bounds)+a] = v
		}
	}
}

// minPart is the fewest points inParts gives a goroutine of its own.
const minPart = 8192

// inParts calls fn on consecutive parts [lo, hi) of [0, n), one per core
// (GOMAXPROCS) but none under minPart points, concurrently, and returns
// when every call has.
func inParts(n int, fn func(lo, hi int)) {
	parts := max(1, min(runtime.GOMAXPROCS(0), n/minPart))
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := n*p/parts, n*(p+1)/parts
		if p == parts-1 {
			fn(lo, hi) // on this goroutine
			break
		}
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

// Width is the number of values Into writes per point.
func (l *Locator) Width() int { return l.outSize }

// Pos is the position in Into's values of a boundary or area name, -1
// for another name (valueAt then gives "", as Get does).
func (l *Locator) Pos(name string) int {
	if i, ok := l.byName[name]; ok {
		return i
	}
	return -1
}

// valueAt is out[pos], "" for pos -1.
func valueAt(out []string, pos int) string {
	if pos < 0 {
		return ""
	}
	return out[pos]
}

// Get returns the value Into wrote for a boundary or area name.
func (l *Locator) Get(out []string, name string) string {
	if i, ok := l.byName[name]; ok {
		return out[i]
	}
	return ""
}

// Coordinates returns the function that, given a table of places set pl,
// returns the function that finds the point of its record i, how it was
// found ("coordinates", the directory's name, or "same street address as
// <key>"), or why not (a reason for the unplaced list): the columns are
// looked up once per table, which must not change its columns while the
// second function is used. dirs holds the sources a locate section names,
// by name.
func Coordinates(pl *config.Places, dirs map[string]arrow.RecordBatch) func(r *frame.Table) func(i int) (orb.Point, string, string) {
	if pl.Locate == nil {
		return func(r *frame.Table) func(i int) (orb.Point, string, string) {
			lats, lons := r.Column(pl.Lat), r.Column(pl.Lon)
			return func(i int) (orb.Point, string, string) {
				// frame.ToFloat(r.Get(i, ...)), read typed
				lat, ok1 := lats.Number(i)
				lon, ok2 := lons.Number(i)
				if !ok1 || !ok2 {
					return orb.Point{}, "", "no coordinates"
				}
				if err := source.CheckLonLat(lon, lat); err != nil {
					return orb.Point{}, "", err.Error()
				}
				return orb.Point{lon, lat}, "coordinates", ""
			}
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
			e.street = source.NormalizeStreet(dir.Str(i, l.SameStreet))
			if e.ok && e.street != "" {
				byStreet[e.street] = append(byStreet[e.street], k)
			}
		}
		byKey[k] = e
	}
	for s := range byStreet {
		sort.Strings(byStreet[s])
	}
	point := func(r *frame.Table, i int) (orb.Point, string, string) {
		k := fmt.Sprint(r.Get(i, pl.ID))
		e, ok := byKey[k]
		switch {
		case !ok:
			return orb.Point{}, "", fmt.Sprintf("%s %s is not in %s", l.Key, k, l.Source)
		case e.ok:
			if err := source.CheckLonLat(e.p[0], e.p[1]); err != nil {
				return orb.Point{}, "", fmt.Sprintf("%s gives it a point that is no location: %v", l.Source, err)
			}
			return e.p, l.Source, ""
		case l.SameStreet != "" && e.street != "" && len(byStreet[e.street]) > 0:
			other := byStreet[e.street][0]
			return byKey[other].p, fmt.Sprintf("same street address as %s", other), ""
		case l.SameStreet != "":
			return orb.Point{}, "", fmt.Sprintf("%s has no coordinates for it, nor for any other record at its street address", l.Source)
		}
		return orb.Point{}, "", fmt.Sprintf("%s has no coordinates for it", l.Source)
	}
	return func(r *frame.Table) func(i int) (orb.Point, string, string) {
		return func(i int) (orb.Point, string, string) { return point(r, i) }
	}
}

// Value returns what Get returns, or nil (a null cell) for "".
func (l *Locator) Value(out []string, name string) any {
	if v := l.Get(out, name); v != "" {
		return v
	}
	return nil
}
