package store_test

import (
	"context"
	"fmt"
	"os"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
	"github.com/groundwork-org/groundwork/pipeline/store"
)

// Two made-up points (example data, not real places) partitioned by state and
// county; the third has no county and goes to Hive's null partition.
func ExampleWritePartitioned() {
	dir, _ := os.MkdirTemp("", "partitioned-*")
	defer os.RemoveAll(dir)
	t := &geoparquet.Table{
		Geoms: []orb.Geometry{orb.Point{-122.27, 37.80}, orb.Point{-84.39, 33.75}, orb.Point{-83.0, 40.0}},
		Columns: []geoparquet.Column{
			{Name: "id", Values: []any{"a", "b", "c"}},
			{Name: "state", Values: []any{"06", "13", "39"}},
			{Name: "county", Values: []any{"001", "121", nil}},
		},
	}
	files, err := store.WritePartitioned(context.Background(), dir, t, []string{"state", "county"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(f)
	}
	// Output:
	// state=06/county=001/part-0.parquet
	// state=13/county=121/part-0.parquet
	// state=39/county=__HIVE_DEFAULT_PARTITION__/part-0.parquet
}
