package source

import (
	"runtime"
	"testing"
	"unsafe"
)

// BenchmarkKeyCheck checks 10,000,000 MADE-UP distinct keys shaped like
// bench-scale's point ids ("P0000000") for uniqueness: "hashes" with the
// keyCheck ScanCSV uses, "map" with the map of the keys into a byte arena
// it used before (kept here as the baseline). B/key is what the check
// allocates per key, live-B/key what it holds when all keys are in (the
// heap after a collection, less the heap before); the collections are
// not timed.
func BenchmarkKeyCheck(b *testing.B) {
	const n = 10_000_000
	buf := []byte("P0000000")
	key := func(i int) string { // the i-th key, in buf: valid until the next call
		for j := len(buf) - 1; j > 0; j-- {
			buf[j] = byte('0' + i%10)
			i /= 10
		}
		return unsafe.String(unsafe.SliceData(buf), len(buf))
	}
	run := func(b *testing.B, check func() func(k string, line int) bool) {
		var ms runtime.MemStats
		var live uint64
		for b.Loop() {
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := ms.HeapAlloc
			b.StartTimer()
			add := check()
			for i := range n {
				if add(key(i), i+2) {
					b.Fatalf("key %d: a duplicate", i)
				}
			}
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&ms)
			live = ms.HeapAlloc - before
			runtime.KeepAlive(add)
			b.StartTimer()
		}
		b.ReportMetric(float64(live)/n, "live-B/key")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/key")
	}
	b.Run("hashes", func(b *testing.B) {
		b.ReportAllocs()
		run(b, func() func(string, int) bool {
			kc := newKeyCheck(nil)
			return func(k string, line int) bool { return kc.check(k, line-1, line, 0) }
		})
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		run(b, func() func(string, int) bool {
			keys := map[string]int{}
			var arena []byte
			return func(k string, line int) bool {
				if _, dup := keys[k]; dup {
					return true
				}
				if cap(arena)-len(arena) < len(k) {
					arena = make([]byte, 0, max(64<<10, len(k)))
				}
				start := len(arena)
				arena = append(arena, k...)
				keys[unsafe.String(unsafe.SliceData(arena[start:]), len(k))] = line
				return false
			}
		})
	})
}
