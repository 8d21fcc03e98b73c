package svgmap

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forChunks calls fn on consecutive ranges [lo, hi) that cover [0, n),
// from up to GOMAXPROCS goroutines at once, and returns when every call has
// returned. Ranges are handed out in small pieces so that uneven work
// balances. fn must write only what its range owns; the result is then
// the same as one call fn(0, n).
func forChunks(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		fn(0, n)
		return
	}
	chunk := max(1, n/(8*workers))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunk, n))
			}
		})
	}
	wg.Wait()
}
