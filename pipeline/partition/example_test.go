package partition_test

import (
	"context"
	"fmt"
	"os"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/partition"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// Three made-up points (example data, not real places) partitioned by the
// state and county of their GEOIDs; the third has no GEOID and goes to
// Hive's null partition.
func ExampleWrite() {
	dir, _ := os.MkdirTemp("", "partitioned-*")
	defer os.RemoveAll(dir)
	r := frame.New()
	r.AddCol("id", table.String)
	r.AddCol("geoid", table.String)
	r.AppendRow(map[string]any{"id": "a", "geoid": "06001400100"})
	r.AppendRow(map[string]any{"id": "b", "geoid": "13121000100"})
	r.AppendRow(map[string]any{"id": "c"})
	pts := []orb.Point{{-122.27, 37.80}, {-84.39, 33.75}, {-83.0, 40.0}}
	files, err := partition.Write(context.Background(), dir, func(i int) orb.Geometry { return pts[i] }, r, "geoid")
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
	// state=__HIVE_DEFAULT_PARTITION__/county=__HIVE_DEFAULT_PARTITION__/part-0.parquet
}
