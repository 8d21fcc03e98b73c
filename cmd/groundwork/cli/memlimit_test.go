package cli

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	dir := t.TempDir()
	meminfo := filepath.Join(dir, "meminfo")
	os.WriteFile(meminfo, []byte("MemTotal:        8000000 kB\nMemFree:  1 kB\n"), 0o644)
	cg := filepath.Join(dir, "memory.max")
	env := func(v string) func(string) string { return func(string) string { return v } }
	tests := []struct {
		name     string
		gomem    string
		cgroup   string // "" for no file
		want     int64
		unlimits bool
	}{
		{"physical memory", "", "", int64(8000000 * 1024 * 0.75), false},
		{"container limit below it", "", "2147483648\n", int64(2147483648 * 0.75), false},
		{"no container limit", "", "max\n", int64(8000000 * 1024 * 0.75), false},
		{"GOMEMLIMIT set by the user", "1GiB", "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(math.MaxInt64)
			os.Remove(cg)
			if tt.cgroup != "" {
				os.WriteFile(cg, []byte(tt.cgroup), 0o644)
			}
			if got := setMemoryLimit(env(tt.gomem), meminfo, cg); got != tt.want {
				t.Errorf("limit %d, want %d", got, tt.want)
			}
			cur := debug.SetMemoryLimit(-1)
			if tt.unlimits && cur != math.MaxInt64 || !tt.unlimits && cur != tt.want {
				t.Errorf("runtime limit %d after the call", cur)
			}
		})
	}
}
