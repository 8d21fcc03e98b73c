package source

import (
	"hash/maphash"
	"runtime"
	"testing"
	"unsafe"
)

// BenchmarkKeyCheck checks 10,000,000 MADE-UP distinct keys shaped like
// bench-scale's point ids ("P0000000") for uniqueness: "hashes" with the
// keyCheck ScanCSV uses (fingerprints, fpSet), "hashes64" with the set of
// 64-bit hashes it used before (session 3), "map" with the map of the keys
// into a byte arena it used before that (both kept here as baselines). B/key is what the check
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
			// The file's size known: the rows still to come, as rowsLeft
			// estimates them for the bench's file of same-length rows.
			kc := newKeyCheck(nil, func(held int) int { return rowsLeft(int64(n), int64(held), held) })
			return func(k string, line int) bool { return kc.check(k, line-1, line, 0) }
		})
	})
	b.Run("hashes-touched", func(b *testing.B) {
		// As ScanCSV's merge checks them: hashed ahead (by the typing
		// goroutines), their slots touched touchRows at a time.
		b.ReportAllocs()
		run(b, func() func(string, int) bool {
			kc := newKeyCheck(nil, func(held int) int { return rowsLeft(int64(n), int64(held), held) })
			var hs [touchRows]uint64
			return func(k string, line int) bool {
				i := line - 2
				if i%touchRows == 0 {
					for j := range hs {
						hs[j] = kc.hash(key(i + j))
					}
					kc.set.touch(hs[:min(touchRows, n-i)])
					k = key(i)
				}
				return kc.checkHash(hs[i%touchRows], k, line-1, line, 0)
			}
		})
	})
	b.Run("hashes64", func(b *testing.B) {
		b.ReportAllocs()
		run(b, func() func(string, int) bool {
			seed := maphash.MakeSeed()
			var set hashSet
			return func(k string, line int) bool { return set.add(maphash.String(seed, k)) }
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

// hashSet is the 64-bit set keyCheck used before fpSet (session 3), kept
// as the baseline of BenchmarkKeyCheck: a set of 64-bit hashes: open addressing with linear probing
// over one pointer-free slice, so that it costs 8 bytes a slot (10.7 to 21
// bytes a key: the table doubles when three quarters full, and holds the
// old table while it does) and nothing for the collector to scan. 0 marks an empty slot; a hash of 0 is stored as 1
// (a collision more, which the caller resolves like any other).
type hashSet struct {
	slots []uint64
	n     int
}

// add inserts h and reports whether it was already in the set.
func (s *hashSet) add(h uint64) (seen bool) {
	if h == 0 {
		h = 1
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return true
		case 0:
			s.slots[i] = h
			s.n++
			return false
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(1024, 2*len(old)))
	mask := uint64(len(s.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
}
