package cli

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		live uint64
		want int
	}{
		{0, 100},
		{100 * mib, 100},
		{256 * mib, 100},
		{320 * mib, 80},
		{512 * mib, 50},
		{588 * mib, 50},
		{8 << 30, 50},
	}
	for _, tt := range tests {
		if got := gcPercent(tt.live, gcHeadroomFloor, gcMinShare); got != tt.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", tt.live/mib, got, tt.want)
		}
	}
}

func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestGCTuner: with a live heap above the floor the tuner lowers GOGC after
// a collection (here a 1 MiB floor and 16 MiB held: GOGC 50), Stop restores
// 100, and GOGC set by the user turns the tuner off.
func TestGCTuner(t *testing.T) {
	if startGCTuner(func(k string) string { return map[string]string{"GOGC": "200"}[k] }, 1<<20, 0.5) != nil {
		t.Fatal("tuner started though GOGC is set")
	}
	if gogc() != 100 {
		t.Skipf("GOGC is %d in this process", gogc())
	}
	held := make([]byte, 16<<20)
	for i := range held {
		held[i] = byte(i)
	}
	tu := startGCTuner(func(string) string { return "" }, 1<<20, 0.5)
	deadline := time.Now().Add(5 * time.Second)
	for gogc() != 50 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(held)
	if got := gogc(); got != 50 {
		t.Fatalf("GOGC %d with 16 MiB live over a 1 MiB floor, want 50", got)
	}
	tu.Stop()
	if got := gogc(); got != 100 {
		t.Fatalf("GOGC %d after Stop, want 100", got)
	}
}
