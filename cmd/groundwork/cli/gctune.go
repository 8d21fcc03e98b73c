package cli

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The collector's policy for large runs. Go's collector lets the heap grow
// to twice the live heap between cycles (GOGC=100): for a run whose live
// heap is 600 MiB (national size, 10 million points) that is 1.2 GiB of
// heap, most of it garbage, while the soft memory limit (setMemoryLimit,
// three quarters of the machine) is far away on a large machine. The policy
// instead gives the heap a headroom above the live heap of
//
//	max(gcHeadroomFloor, gcMinShare of the live heap), at most the live heap
//
// so a small run (live heap under 256 MiB) keeps the default GOGC=100, and
// a large one keeps its heap within 1.5x its live heap (GOGC 50). The
// collector then runs at most twice as often as by default, so a big job
// never thrashes: each cycle still has half the live heap to allocate into,
// whatever the machine. The policy is re-applied after every collection
// (the live heap changes as the run goes). GOGC set by the user turns it
// off; the soft limit stays as the ceiling in every case.
const (
	gcHeadroomFloor = 256 << 20
	gcMinShare      = 0.5
)

// gcPercent is the GOGC value that gives a live heap of live bytes the
// policy's headroom: 100 up to floor, then 100*floor/live, never under
// 100*share.
func gcPercent(live uint64, floor uint64, share float64) int {
	if live <= floor {
		return 100
	}
	p := int(100 * float64(floor) / float64(live))
	return max(p, int(100*share))
}

// gcTuner re-applies the policy after each collection.
type gcTuner struct {
	floor uint64
	share float64
	mu    sync.Mutex
	set   int // the GOGC last set
	stop  bool
}

var liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// startGCTuner applies the policy (floor, share) after every collection
// from now on, unless the user set GOGC; it returns nil then. Stop ends it
// and restores GOGC=100.
func startGCTuner(getenv func(string) string, floor uint64, share float64) *gcTuner {
	if getenv("GOGC") != "" {
		return nil
	}
	t := &gcTuner{floor: floor, share: share, set: 100}
	t.arm()
	return t
}

// arm makes a sentinel object whose cleanup runs after the next collection
// that finds it unreachable: the cleanup applies the policy and arms again.
func (t *gcTuner) arm() {
	s := new([64]byte)
	runtime.AddCleanup(s, func(t *gcTuner) { t.tune() }, t)
}

func (t *gcTuner) tune() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stop {
		return
	}
	s := []metrics.Sample{liveSample[0]}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		if p := gcPercent(s[0].Value.Uint64(), t.floor, t.share); p != t.set {
			debug.SetGCPercent(p)
			t.set = p
		}
	}
	t.arm()
}

// Stop ends the policy and restores GOGC=100.
func (t *gcTuner) Stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stop = true
	if t.set != 100 {
		debug.SetGCPercent(100)
	}
}
