package source

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/table"
)

// BenchmarkScanCSV types 200,000 MADE-UP rows (seeded PCG) shaped like a
// points file: a unique key, a name, a category, an integer and two
// coordinates, with two declared null markers, in chunks of 65,536 rows:
// by the former row-at-a-time reader (old), and by ScanCSV typing blocks
// serially (serial) and on GOMAXPROCS goroutines (blocks). cpu-ns/row is
// the process's CPU time (user + system) per row.
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
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		scan func(r io.ReadSeeker, fn func(arrow.RecordBatch) error) error
	}{
		{"old", func(r io.ReadSeeker, fn func(arrow.RecordBatch) error) error {
			return oldScanCSV(ctx, "made-up.csv", r, spec, 1<<16, fn, nil)
		}},
		{"serial", func(r io.ReadSeeker, fn func(arrow.RecordBatch) error) error {
			return scanCSVWith(ctx, "made-up.csv", r, spec, 1<<16, fn, scanOptions{workers: 1})
		}},
		{"blocks-csvreader", func(r io.ReadSeeker, fn func(arrow.RecordBatch) error) error {
			return scanCSVWith(ctx, "made-up.csv", r, spec, 1<<16, fn, scanOptions{workers: runtime.GOMAXPROCS(0), block: csvBlockBytes, readerOnly: true})
		}},
		{"blocks", func(r io.ReadSeeker, fn func(arrow.RecordBatch) error) error {
			return ScanCSV(ctx, "made-up.csv", r, spec, 1<<16, fn)
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				rows := 0
				if err := bc.scan(bytes.NewReader(body), func(rec arrow.RecordBatch) error {
					rows += int(rec.NumRows())
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				if rows != n {
					b.Fatalf("%d rows, want %d", rows, n)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/n, "cpu-ns/row")
		})
	}
}

// cpuTime is the process's CPU time so far (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
