//go:build linux

package sedona

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// groupUsage sums the CPU seconds (user and system) and the resident memory
// of the live processes of process group pgid, from /proc. ok is false when
// /proc cannot be read.
func groupUsage(pgid int) (cpu float64, rss int64, ok bool) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, 0, false
	}
	tick := 100.0 // USER_HZ on every Linux ABI Go supports
	page := int64(os.Getpagesize())
	for _, p := range stats {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // the process ended
		}
		s := string(data)
		// The command name is in parentheses and may hold spaces.
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		// f[0] is field 3 (state): pgrp is field 5, utime 14, stime 15,
		// rss 24 (proc(5)).
		if len(f) < 22 {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g != pgid {
			continue
		}
		ut, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		r, _ := strconv.ParseInt(f[21], 10, 64)
		cpu += (ut + st) / tick
		rss += r * page
	}
	return cpu, rss, true
}
