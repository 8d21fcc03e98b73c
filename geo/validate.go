package geo

import (
	"fmt"
	"sort"
	"strings"

	"github.com/engelsjk/polygol"

	"github.com/paulmach/orb"
)

// ProblemKind names a kind of geometry problem that RepairOnLoad finds.
type ProblemKind string

// Problem kinds. Unclosed rings, empty geometries and duplicate or missing
// IDs are found by the readers (see ReadGeoJSON); RepairOnLoad finds the rest.
const (
	// WrongOrientation: an outer ring is clockwise or a hole
	// counter-clockwise (RFC 7946 section 3.1.6 asks for outer rings
	// counter-clockwise). Harmless for point location and areas here, and
	// valid in shapefiles (which wind outer rings clockwise): found, but
	// neither repaired nor reported by RepairOnLoad.
	WrongOrientation ProblemKind = "wrong orientation"
	// RepeatedPoints: consecutive equal points. Repaired by dropping the
	// repeats.
	RepeatedPoints ProblemKind = "repeated points"
	// SelfIntersection: two non-adjacent edges of one ring meet (a bow
	// tie, a ring that touches itself, a hole crossing its outer ring).
	// Repaired by rebuilding the feature's area from its edges with the
	// even-odd rule (a point is inside when a ray from it crosses the
	// feature's rings an odd number of times), which is what PostGIS
	// ST_MakeValid's "linework" method does: a bow tie becomes its two
	// triangles. The rebuilt feature's area is reported so that a reader
	// can judge it against what was drawn.
	SelfIntersection ProblemKind = "self-intersection"
	// DegenerateRing: fewer than 3 distinct points, or zero area. A
	// degenerate hole is repaired by dropping it; a degenerate outer ring
	// is not repaired.
	DegenerateRing ProblemKind = "degenerate ring"
)

// Problem is one geometry problem of one feature.
type Problem struct {
	Feature  int    // index in the layer
	ID       string // the feature's ID
	Polygon  int    // polygon within the feature's multipolygon
	Ring     int    // ring within the polygon: 0 is the outer ring
	Kind     ProblemKind
	Detail   string
	Repaired bool // RepairOnLoad fixed it
}

func (p Problem) String() string {
	s := fmt.Sprintf("feature %d (%s) polygon %d ring %d: %s", p.Feature, p.ID, p.Polygon, p.Ring, p.Kind)
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	if p.Repaired {
		s += " (repaired)"
	}
	return s
}

// check2 finds the problems of l, in feature, polygon and ring order; with
// fix (RepairOnLoad, the one caller outside tests) it also repairs in place what can
// be fixed safely (repeated points, degenerate holes, self-intersections),
// updates each feature's Bound, and sets Repaired on the fixed problems.
// Degenerate outer rings are reported, not fixed, and so is a
// self-intersection whose rebuild fails or leaves no area; orientation is
// reported, never changed.
func check2(l *Layer, fix bool) []Problem {
	var out []Problem
	for fi := range l.Features {
		f := &l.Features[fi]
		first := len(out)
		crossed := false
		for pi := range f.Geom {
			poly := f.Geom[pi]
			keep := poly[:0:0]
			for ri, r := range poly {
				report := func(kind ProblemKind, repaired bool, format string, args ...any) {
					out = append(out, Problem{Feature: fi, ID: f.ID, Polygon: pi, Ring: ri, Kind: kind, Detail: fmt.Sprintf(format, args...), Repaired: repaired && fix})
				}
				dedup := dropRepeats(r)
				if n := len(r) - len(dedup); n > 0 {
					report(RepeatedPoints, true, "%d repeated point(s)", n)
					if fix {
						r = dedup
					}
				}
				area := signedArea(dedup)
				if len(dedup) < 4 || area == 0 {
					report(DegenerateRing, ri > 0, "%d distinct points, area %g", len(dedup)-1, area)
					if fix && ri > 0 {
						continue // drop the hole
					}
				} else if (ri == 0) != (area > 0) {
					want := "counter-clockwise"
					if ri > 0 {
						want = "clockwise"
					}
					report(WrongOrientation, false, "want %s", want)
				}
				if a, b, ok := selfIntersection(dedup); ok {
					report(SelfIntersection, false, "edges %d and %d meet", a, b)
					crossed = true
				}
				keep = append(keep, r)
			}
			if fix {
				f.Geom[pi] = keep
			}
		}
		if fix && crossed {
			rebuildCrossed(f, out[first:])
		}
		if fix {
			f.Bound = f.Geom.Bound()
		}
	}
	return out
}

// rebuildCrossed rebuilds a self-intersecting feature from its edges by the
// even-odd rule (a union of the feature with itself through polygol, which
// splits crossing edges) and marks its self-intersection problems repaired,
// with the outcome in Detail. When the rebuild fails or leaves no area the
// feature is left as it was and the problems say why.
func rebuildCrossed(f *Feature, probs []Problem) {
	g, err := polygol.Union(toPolygol(f.Geom))
	mp := fromPolygol(g)
	note := ""
	ok := err == nil && len(mp) > 0 && Area(mp) > 0
	switch {
	case err != nil:
		note = fmt.Sprintf("; could not rebuild it (%v): fix it in the source (QGIS Fix geometries, PostGIS ST_MakeValid)", err)
	case !ok:
		note = "; rebuilt from its edges it has no area: fix it in the source (QGIS Fix geometries, PostGIS ST_MakeValid)"
	default:
		note = fmt.Sprintf("; rebuilt from its edges by the even-odd rule into %d polygon(s), %.0f m²", len(mp), Area(mp))
		f.Geom = mp
	}
	for i := range probs {
		if probs[i].Kind == SelfIntersection {
			probs[i].Detail += note
			probs[i].Repaired = ok
		}
	}
}

// RepairOnLoad repairs l in place as a boundary file is read (repeated
// points, degenerate holes, self-intersections; see the Problem kinds),
// updating each feature's Bound, and adds
// one warning per changed feature to l.Warnings, naming the file, the
// feature and every repair made to it (and what could not be repaired).
// Ring orientation is left as the file has it and not reported: it is not
// a problem of the data (shapefiles wind outer rings clockwise, RFC 7946
// counter-clockwise, both valid in their format) and nothing here depends
// on it. It returns the number of features with a problem.
func RepairOnLoad(l *Layer) int {
	probs := check2(l, true)
	byFeature := map[int][]string{}
	var order []int
	for _, p := range probs {
		if p.Kind == WrongOrientation {
			continue
		}
		if _, seen := byFeature[p.Feature]; !seen {
			order = append(order, p.Feature)
		}
		s := fmt.Sprintf("polygon %d ring %d: %s", p.Polygon, p.Ring, p.Kind)
		if p.Detail != "" {
			s += " (" + p.Detail + ")"
		}
		if p.Repaired {
			s += ", repaired"
		} else {
			s += ", not repaired"
		}
		byFeature[p.Feature] = append(byFeature[p.Feature], s)
	}
	for _, fi := range order {
		l.Warnings = append(l.Warnings, fmt.Sprintf("%s: feature %d (%s): %s", l.File, fi, l.Features[fi].ID, strings.Join(byFeature[fi], "; ")))
	}
	return len(order)
}

func dropRepeats(r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, len(r))
	for i, p := range r {
		if i > 0 && p == r[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// orient is the sign of the cross product (b-a) x (c-a).
func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func segmentsMeet(a, b, c, d orb.Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return o1 == 0 && onSegment(a, b, c) || o2 == 0 && onSegment(a, b, d) ||
		o3 == 0 && onSegment(c, d, a) || o4 == 0 && onSegment(c, d, b)
}

// selfIntersection finds two non-adjacent edges of a closed ring without
// repeated points that meet, by a sweep over x (edges sorted by their
// smallest x; only edges whose x ranges overlap are compared).
func selfIntersection(r orb.Ring) (int, int, bool) {
	n := len(r) - 1 // edges
	if n < 4 {
		return 0, 0, false
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	lo := func(i int) float64 { return min(r[i][0], r[i+1][0]) }
	hi := func(i int) float64 { return max(r[i][0], r[i+1][0]) }
	sort.Slice(idx, func(a, b int) bool { return lo(idx[a]) < lo(idx[b]) })
	var active []int
	for _, e := range idx {
		x := lo(e)
		k := 0
		for _, a := range active {
			if hi(a) >= x {
				active[k] = a
				k++
			}
		}
		active = active[:k]
		for _, a := range active {
			i, j := min(a, e), max(a, e)
			if j == i+1 || i == 0 && j == n-1 {
				continue // adjacent edges share a vertex
			}
			if segmentsMeet(r[i], r[i+1], r[j], r[j+1]) {
				return i, j, true
			}
		}
		active = append(active, e)
	}
	return 0, 0, false
}
