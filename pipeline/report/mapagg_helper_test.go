package report

import (
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/reports/svgmap"
)

// countyShapes is what shadeTracts does with a tract map past max_tracts,
// in one call: the tracts' counties dissolved (dissolveCounties), then
// their values (countyValues). It returns false, changing nothing, when
// some shape's ID is not an 11-digit tract GEOID.
func countyShapes(shapes []svgmap.Shape, inds []svgmap.Indicator) ([]svgmap.Shape, []svgmap.Indicator, bool) {
	ids := make([]string, len(shapes))
	geoms := make([]orb.MultiPolygon, len(shapes))
	for i, s := range shapes {
		ids[i], geoms[i] = s.ID, s.Geom
	}
	cg, ok := dissolveCounties(ids, geoms)
	if !ok {
		return nil, nil, false
	}
	cs, ci := countyValues(shapes, inds, cg)
	return cs, ci, true
}
