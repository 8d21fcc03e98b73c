package geo_test

import (
	"context"
	"fmt"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/paulmach/orb"
)

// Read a Census Bureau shapefile zip as shipped (NAD83 .prj) and place a point.
func ExampleRead() {
	ctx := context.Background()
	l, err := geo.Read(ctx, "tracts", "testdata/cb_2018_39_tract_500k.zip", "GEOID")
	if err != nil {
		fmt.Println(err)
		return
	}
	idx := geo.NewIndex(l)
	// The Ohio Statehouse, Columbus (lon, lat); GeoPandas 0.12.2 places it in
	// the same tract.
	if i, ok := idx.Locate(orb.Point{-82.9993, 39.9612}); ok {
		fmt.Println(len(l.Features), "tracts; the Statehouse is in", l.Features[i].ID, l.Features[i].Props["NAME"])
	}
	// Output:
	// 2948 tracts; the Statehouse is in 39049004000 40
}

// Apportion a count and its MOE from 2010 tracts to 2020 tracts.
func ExampleApportion() {
	// Made-up overlaps: source 0 lies 25% in target 0 and 75% in target 1;
	// source 1 lies wholly in target 1.
	ov := []geo.Overlap{{Source: 0, Target: 0, SourceShare: 0.25}, {Source: 0, Target: 1, SourceShare: 0.75}, {Source: 1, Target: 1, SourceShare: 1}}
	est, moe, err := geo.Apportion(ov, 2, geo.Count, []float64{400, 200}, []float64{40, 30})
	fmt.Printf("%.0f %.1f %v\n", est, moe, err)
	_, _, err = geo.Apportion(ov, 2, geo.Median, []float64{51000, 64000}, nil)
	fmt.Println(err)
	// Output:
	// [100 500] [10.0 42.4] <nil>
	// statistic cannot be apportioned by area: a median is not an amount spread over space, so its area-weighted sum means nothing; apportion the counts it is computed from (numerator and denominator, or a distribution's bins) and compute the median on the targets
}
