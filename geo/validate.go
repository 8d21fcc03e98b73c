package geo

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

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
//
// Features are checked on up to GOMAXPROCS goroutines, in chunks of
// consecutive features whose problems are joined in feature order; the
// rebuilds of self-intersecting features (polygol) run afterwards on the
// calling goroutine, in feature order. The result is the same as checking the
// features one after the other.
func check2(l *Layer, fix bool) []Problem { return checkLayer(l, fix, true) }

// checkLayer is check2, leaving out the WrongOrientation problems unless
// orientation (RepairOnLoad has no use for them, and in shapefiles, whose
// outer rings are clockwise, nearly every ring has one).
func checkLayer(l *Layer, fix, orientation bool) []Problem {
	lc := newLayerCheck(l, fix, orientation)
	parallel(runtime.GOMAXPROCS(0), func(int) { lc.work() })
	return lc.problems()
}

// layerCheck is checkLayer in steps, so that goroutines can join it as
// they come free (Load's index build, once it is done): the features in
// chunks of consecutive ones, each chunk checked by whichever goroutine
// takes it (work), the problems joined in feature order at the end.
type layerCheck struct {
	l                *Layer
	fix, orientation bool
	size             int // features per chunk
	chunks           []checkChunk
	next             atomic.Int64 // the next chunk to take
}

type checkChunk struct {
	probs   []Problem
	crossed [][3]int // feature, first and end of its problems in probs
}

func newLayerCheck(l *Layer, fix, orientation bool) *layerCheck {
	n := len(l.Features)
	size := max(256, n/(8*runtime.GOMAXPROCS(0)))
	return &layerCheck{l: l, fix: fix, orientation: orientation, size: size, chunks: make([]checkChunk, (n+size-1)/size)}
}

// work checks chunks until none is left; it may run on several goroutines
// at once.
func (lc *layerCheck) work() {
	var sc sweepScratch
	n := len(lc.l.Features)
	for {
		c := int(lc.next.Add(1) - 1)
		if c >= len(lc.chunks) {
			return
		}
		ch := &lc.chunks[c]
		for fi := c * lc.size; fi < min(n, (c+1)*lc.size); fi++ {
			first := len(ch.probs)
			var crossed bool
			ch.probs, crossed = checkFeature(ch.probs, fi, &lc.l.Features[fi], lc.fix, lc.orientation, &sc)
			if lc.fix && crossed {
				ch.crossed = append(ch.crossed, [3]int{fi, first, len(ch.probs)})
			}
		}
	}
}

// problems runs the rebuilds of self-intersecting features (with fix) in
// feature order and returns the problems in feature order; every work call
// must have returned.
func (lc *layerCheck) problems() []Problem {
	var out []Problem
	for _, ch := range lc.chunks {
		for _, c := range ch.crossed {
			f := &lc.l.Features[c[0]]
			rebuildCrossed(f, ch.probs[c[1]:c[2]])
			f.Bound = multiPolygonBound(f.Geom)
		}
		out = append(out, ch.probs...)
	}
	return out
}

// parallel calls fn(0), ..., fn(n-1) on up to GOMAXPROCS goroutines (the
// caller's among them) and returns when all have returned.
func parallel(n int, fn func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(i)
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// checkFeature appends the problems of feature fi (f) to out, as
// checkLayer describes, and reports whether a ring of f meets itself. With
// fix it repairs f in place, except for the self-intersection rebuild
// (rebuildCrossed, which the caller runs when crossed), and sets f.Bound; a
// polygon with a ring repaired or dropped is replaced by a new one, the
// others are kept.
func checkFeature(out []Problem, fi int, f *Feature, fix, orientation bool, sc *sweepScratch) (_ []Problem, crossed bool) {
	for pi := range f.Geom {
		poly := f.Geom[pi]
		var keep orb.Polygon // nil while poly's rings are kept as they are
		change := func(ri int) {
			if keep == nil {
				keep = append(make(orb.Polygon, 0, len(poly)), poly[:ri]...)
			}
		}
		for ri, r := range poly {
			report := func(kind ProblemKind, repaired bool, format string, args ...any) {
				out = append(out, Problem{Feature: fi, ID: f.ID, Polygon: pi, Ring: ri, Kind: kind, Detail: fmt.Sprintf(format, args...), Repaired: repaired && fix})
			}
			dedup := dropRepeats(r)
			if n := len(r) - len(dedup); n > 0 {
				report(RepeatedPoints, true, "%d repeated point(s)", n)
				if fix {
					change(ri)
					r = dedup
				}
			}
			area := signedArea(dedup)
			if len(dedup) < 4 || area == 0 {
				report(DegenerateRing, ri > 0, "%d distinct points, area %g", len(dedup)-1, area)
				if fix && ri > 0 {
					change(ri)
					continue // drop the hole
				}
			} else if orientation && (ri == 0) != (area > 0) {
				want := "counter-clockwise"
				if ri > 0 {
					want = "clockwise"
				}
				report(WrongOrientation, false, "want %s", want)
			}
			if sc.meets(dedup) {
				// The pair named is the one the sweep in selfIntersection
				// finds first.
				a, b, _ := selfIntersection(dedup)
				report(SelfIntersection, false, "edges %d and %d meet", a, b)
				crossed = true
			}
			if keep != nil {
				keep = append(keep, r)
			}
		}
		if fix && keep != nil {
			f.Geom[pi] = keep
		}
	}
	if fix {
		f.Bound = multiPolygonBound(f.Geom)
	}
	return out, crossed
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
	probs := checkLayer(l, true, false)
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

// dropRepeats returns r without consecutive equal points: r itself when it
// has none (the caller must not change the result), else a copy.
func dropRepeats(r orb.Ring) orb.Ring {
	i := 1
	for i < len(r) && r[i] != r[i-1] {
		i++
	}
	if i >= len(r) {
		return r
	}
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

// multiPolygonBound is mp.Bound() (orb's: the union of the outer rings'
// bounds), computed without orb's per-point Extend calls. A ring with a zero
// or NaN coordinate is left to orb, whose choice between -0 and +0 (and
// handling of NaN) a plain comparison would not copy; for the others a
// minimum and maximum by comparison give the same bits.
func multiPolygonBound(mp orb.MultiPolygon) orb.Bound {
	if len(mp) == 0 {
		return mp.Bound()
	}
	b := outerBound(mp[0])
	for _, p := range mp[1:] {
		b = b.Union(outerBound(p))
	}
	return b
}

func outerBound(p orb.Polygon) orb.Bound {
	if len(p) == 0 || len(p[0]) == 0 {
		return p.Bound()
	}
	r := p[0]
	lo, hi := r[0], r[0]
	for _, q := range r {
		x, y := q[0], q[1]
		if x == 0 || y == 0 || x != x || y != y {
			return r.Bound()
		}
		if x < lo[0] {
			lo[0] = x
		} else if x > hi[0] {
			hi[0] = x
		}
		if y < lo[1] {
			lo[1] = y
		} else if y > hi[1] {
			hi[1] = y
		}
	}
	return orb.Bound{Min: lo, Max: hi}
}
