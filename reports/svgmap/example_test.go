package svgmap_test

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/reports/svgmap"
)

func ExampleAlbersFor() {
	// Ohio's extent: standard parallels at 1/6 and 5/6 of its latitudes
	a := svgmap.AlbersFor(orb.Bound{Min: orb.Point{-84.82, 38.40}, Max: orb.Point{-80.52, 42.00}})
	fmt.Printf("φ1 %.2f φ2 %.2f λ0 %.2f\n", a.Lat1, a.Lat2, a.Lon0)
	// Output: φ1 39.00 φ2 41.40 λ0 -82.67
}

func ExampleRender() {
	sq := func(x float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 40}, {x + 0.01, 40}, {x + 0.01, 40.01}, {x, 40.01}, {x, 40}}}}
	}
	m := &svgmap.Map{
		Width: 400,
		Title: "Two made-up tracts",
		Indicators: []svgmap.Indicator{{
			Title:   "Median household income (dollars)",
			Breaks:  []float64{50000},
			Palette: []string{"#eff3ff", "#08519c"},
		}},
		Shapes: []svgmap.Shape{
			{ID: "1", Name: "Tract 1", Geom: sq(-83), Values: []svgmap.Value{{Estimate: 42000, MOE: 6000, Valid: true}}},
			{ID: "2", Name: "Tract 2", Geom: sq(-82.99), Values: []svgmap.Value{{Estimate: 61000, MOE: 30000, Valid: true, Unreliable: true, Reliability: "unreliable: CV 30%"}}},
		},
	}
	svg := svgmap.Render(m)
	fmt.Println(strings.Count(svg, "<path class="), "shapes;", strings.Count(svg, `class="c0-1 u0"`), "hatched")
	fmt.Println(strings.Contains(svgmap.Legend(m), "hatched: too uncertain to use"))
	// Output:
	// 2 shapes; 1 hatched
	// true
}
