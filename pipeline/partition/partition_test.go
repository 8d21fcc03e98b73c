package partition

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestOneTypeAcrossPartitions: a float column that is null in every row of
// one partition is still a double there (it was a string), so readers that
// union the partitions see one schema. GEOIDs are two real Alameda tracts;
// the values are made up.
func TestOneTypeAcrossPartitions(t *testing.T) {
	r := frame.New()
	r.AddCol("geoid", table.String)
	r.AddCol("value", table.Float)
	r.AppendRow(map[string]any{"geoid": "06001400100", "value": 1.5})
	r.AppendRow(map[string]any{"geoid": "13121000100"}) // value null
	dir := t.TempDir()
	files, err := Write(context.Background(), dir, func(int) orb.Geometry { return orb.Point{0, 0} }, r, "geoid")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := fh.Stat()
		pf, err := parquet.OpenFile(fh, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, fd := range pf.Schema().Fields() {
			if fd.Name() == "value" {
				found = true
				if k := fd.Type().Kind(); k != parquet.Double {
					t.Errorf("%s: value is %s, want DOUBLE", f, k)
				}
			}
		}
		fh.Close()
		if !found {
			t.Errorf("%s has no value column", f)
		}
	}
}
