package cli

import (
	"bytes"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// peakHeap samples the live heap (the heap marked live by the last
// collection) and keeps the heap profile of the largest one seen, to find
// what a run holds at its peak rather than after it.
type peakHeap struct {
	quit chan struct{}
	done chan struct{}
	max  uint64
	prof []byte
}

// watchPeakHeap starts sampling every d; stop ends it.
func watchPeakHeap(d time.Duration) *peakHeap {
	p := &peakHeap{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
			}
			metrics.Read(s)
			// A new profile only when the peak grew by 2%: writing one
			// costs a pass over the sampled allocations.
			if live := s[0].Value.Uint64(); live > p.max+p.max/50 {
				var b bytes.Buffer
				if err := pprof.Lookup("heap").WriteTo(&b, 0); err == nil {
					p.max, p.prof = live, b.Bytes()
				}
			}
		}
	}()
	return p
}

// stop ends the sampling, writes the profile of the peak to path and
// returns the peak's live bytes.
func (p *peakHeap) stop(path string) (uint64, error) {
	close(p.quit)
	<-p.done
	return p.max, os.WriteFile(path, p.prof, 0o644)
}
