package report

import (
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/stats"
	"github.com/groundwork-org/groundwork/reports/svgmap"
)

// counties is the county geometry of a tract map: the counties' codes in
// order, the indexes of each county's tracts (in the tracts' order) and
// each county's dissolved geometry.
type counties struct {
	codes   []string
	members map[string][]int
	geoms   []orb.MultiPolygon
}

// dissolveCounties groups the tracts ids[i] (with geometry geoms[i]) by
// county and dissolves each county (geo.Dissolve, at most GOMAXPROCS
// counties at once). It returns false when some id is not an 11-digit
// tract GEOID. It needs no values, so the report starts it while it
// still reads the tracts' values.
func dissolveCounties(ids []string, geoms []orb.MultiPolygon) (*counties, bool) {
	byCounty := map[string][]int{}
	for i, id := range ids {
		if !isTractGEOID(id) {
			return nil, false
		}
		byCounty[id[:5]] = append(byCounty[id[:5]], i)
	}
	codes := make([]string, 0, len(byCounty))
	for c := range byCounty {
		codes = append(codes, c)
	}
	sort.Strings(codes)

	out := make([]orb.MultiPolygon, len(codes))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for ci := range next {
				members := byCounty[codes[ci]]
				g := make([]orb.MultiPolygon, len(members))
				for j, i := range members {
					g[j] = geoms[i]
				}
				out[ci] = geo.Dissolve(g)
			}
		})
	}
	for ci := range codes {
		next <- ci
	}
	close(next)
	wg.Wait()
	return &counties{codes: codes, members: byCounty, geoms: out}, true
}

// countyValues makes the county shapes of a tract map too large to draw
// tract by tract, from the tract shapes and their counties cg
// (dissolveCounties of the shapes' IDs and geometry, in the shapes' order):
// it gives each county, for each indicator, the median of its tracts'
// valid estimates, with their number and range in the tooltip. A county is
// hatched when more than half of its tracts with an estimate are
// unreliable. It leaves the indicators' breaks to the caller (classify
// classes the counties).
//
// The county value is a summary of tract estimates, not the county's own
// estimate (a median of medians is not the county median); the titles say
// so.
func countyValues(shapes []svgmap.Shape, inds []svgmap.Indicator, cg *counties) ([]svgmap.Shape, []svgmap.Indicator) {
	counties, byCounty := cg.codes, cg.members
	out := make([]svgmap.Shape, len(counties))
	for ci, c := range counties {
		out[ci] = svgmap.Shape{
			ID:   c,
			Name: fmt.Sprintf("County %s (%d tracts)", c, len(byCounty[c])),
			Geom: cg.geoms[ci],
		}
	}

	newInds := make([]svgmap.Indicator, len(inds))
	for k, in := range inds {
		in.Title += " (median of each county's tracts)"
		format := in.Format
		if format == nil {
			format = func(x float64) string { return fmt.Sprint(x) }
		}
		for ci, c := range counties {
			var ests []float64
			unreliable := 0
			for _, i := range byCounty[c] {
				if k >= len(shapes[i].Values) || !shapes[i].Values[k].Valid {
					continue
				}
				v := shapes[i].Values[k]
				ests = append(ests, v.Estimate)
				if v.Unreliable {
					unreliable++
				}
			}
			var v svgmap.Value
			if len(ests) > 0 {
				sm := stats.Summarize(ests)
				v = svgmap.Value{Estimate: sm.Median, Valid: true, Unreliable: 2*unreliable > len(ests)}
				v.Note = fmt.Sprintf("%d of %d tracts have an estimate, from %s to %s", len(ests), len(byCounty[c]), format(sm.Min), format(sm.Max))
				if unreliable > 0 {
					v.Reliability = fmt.Sprintf("%d of them unreliable", unreliable)
				}
			} else {
				v.Note = "no tract has an estimate"
			}
			out[ci].Values = append(out[ci].Values, v)
		}
		newInds[k] = in
	}
	return out, newInds
}

// isTractGEOID reports whether s is 11 ASCII digits.
func isTractGEOID(s string) bool {
	if len(s) != 11 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
