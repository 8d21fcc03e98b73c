package source

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// BenchmarkScanCSV types 200,000 MADE-UP rows (seeded PCG) shaped like a
// points file: a unique key, a name, a category, an integer and two
// coordinates, with two declared null markers, in chunks of 65,536 rows.
// cpu-ns/row is the process's CPU time per row.
func BenchmarkScanCSV(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 4))
	var buf bytes.Buffer
	buf.WriteString("id,name,kind,score,lat,lon\n")
	const n = 200_000
	for i := range n {
		score := fmt.Sprint(rng.IntN(100))
		if i%50 == 0 {
			score = "NA"
		}
		fmt.Fprintf(&buf, "P%07d,Person %d,kind-%d,%s,%.6f,%.6f\n", i, i, rng.IntN(4), score, 37+rng.Float64(), -122+rng.Float64())
	}
	spec := CSV{Key: "id", Null: []string{"NA", "-"}, Columns: []Column{
		{Name: "id", Type: table.String}, {Name: "name", Type: table.String}, {Name: "kind", Type: table.String},
		{Name: "score", Type: table.Int}, {Name: "lat", Type: table.Float}, {Name: "lon", Type: table.Float},
	}}
	body := buf.Bytes()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rows := 0
		if err := ScanCSV(context.Background(), "made-up.csv", bytes.NewReader(body), spec, 1<<16, func(rec arrow.RecordBatch) error {
			rows += int(rec.NumRows())
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		if rows != n {
			b.Fatalf("%d rows, want %d", rows, n)
		}
	}
}
