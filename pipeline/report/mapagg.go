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

// countyShapes dissolves tract shapes into their counties (the GEOID's
// first five digits: state and county FIPS) and gives each county, for each
// indicator, the median of its tracts' valid estimates, with their number
// and range in the tooltip. A county is hatched when more than half of its
// tracts with an estimate are unreliable. It leaves the indicators' breaks
// to the caller (classify classes the counties). It returns false, changing nothing, when some shape's
// ID is not an 11-digit tract GEOID.
//
// The county value is a summary of tract estimates, not the county's own
// estimate (a median of medians is not the county median); the titles say
// so. Counties are dissolved concurrently, at most GOMAXPROCS at once.
func countyShapes(shapes []svgmap.Shape, inds []svgmap.Indicator) ([]svgmap.Shape, []svgmap.Indicator, bool) {
	byCounty := map[string][]int{}
	for i, s := range shapes {
		if !isTractGEOID(s.ID) {
			return nil, nil, false
		}
		byCounty[s.ID[:5]] = append(byCounty[s.ID[:5]], i)
	}
	counties := make([]string, 0, len(byCounty))
	for c := range byCounty {
		counties = append(counties, c)
	}
	sort.Strings(counties)

	out := make([]svgmap.Shape, len(counties))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for ci := range next {
				members := byCounty[counties[ci]]
				geoms := make([]orb.MultiPolygon, len(members))
				for j, i := range members {
					geoms[j] = shapes[i].Geom
				}
				out[ci] = svgmap.Shape{
					ID:   counties[ci],
					Name: fmt.Sprintf("County %s (%d tracts)", counties[ci], len(members)),
					Geom: geo.Dissolve(geoms),
				}
			}
		})
	}
	for ci := range counties {
		next <- ci
	}
	close(next)
	wg.Wait()

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
	return out, newInds, true
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
