//go:build unix

package sedona

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/groundwork-org/groundwork/geo"
)

// BenchmarkPlaceOhio places GENERATED points (uniform in Ohio's bounding
// box, fixed seed) in Ohio's real 2018 tracts with the native index
// (geo.LocateAll, every core) and with the Sedona job on local Spark
// (local[*]), at 1,000,000 and 10,000,000 points. It reports wall seconds,
// CPU seconds (the Go process, or the job's process group) and peak MiB
// (the Go heap in use after placement, or the job's largest resident
// memory). Run with: go test ./pipeline/sedona -run XXX -bench PlaceOhio -benchtime 1x
func BenchmarkPlaceOhio(b *testing.B) {
	ctx := context.Background()
	ohio, err := geo.Read(ctx, "ohio_tract", ohioZip, "GEOID")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1_000_000, 10_000_000} {
		pts := generate(ohio, n, 13)
		b.Run(fmt.Sprintf("native/%d", n), func(b *testing.B) {
			for range b.N {
				runtime.GC()
				cpu0 := cpuSeconds()
				start := time.Now()
				idx := geo.NewIndex(ohio)
				out := make([]int32, len(pts))
				if err := geo.LocateAll(ctx, idx, pts, out, 0); err != nil {
					b.Fatal(err)
				}
				wall := time.Since(start)
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(wall.Seconds(), "wall-s")
				b.ReportMetric(cpuSeconds()-cpu0, "cpu-s")
				b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
				runtime.KeepAlive(out)
			}
		})
		b.Run(fmt.Sprintf("sedona/%d", n), func(b *testing.B) {
			setup, err := FindSetup("")
			if err != nil {
				b.Skip(err)
			}
			dir := b.TempDir()
			job := &Job{Boundaries: []Boundary{{Layer: ohio, Counties: true}},
				Points: []Points{{Name: "points", Points: pts, Boundaries: []string{"ohio_tract"}}}}
			if err := Write(ctx, dir, job); err != nil {
				b.Fatal(err)
			}
			for range b.N {
				var u Usage
				if err := Submit(ctx, dir, setup, SubmitOptions{Usage: &u}); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(u.Wall.Seconds(), "wall-s")
				b.ReportMetric(u.CPU.Seconds(), "cpu-s")
				b.ReportMetric(float64(u.PeakRSS)/(1<<20), "rss-MiB")
			}
		})
	}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
