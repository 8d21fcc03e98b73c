package cli

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryLimitShare is the share of the machine's memory (or of the
// container's limit) a run is given as its Go soft memory limit when
// GOMEMLIMIT is not set: the collector then works harder as a run nears it
// rather than letting garbage push the process past what the machine has.
const memoryLimitShare = 0.75

// setMemoryLimit sets the Go runtime's soft memory limit from the machine
// unless the user set GOMEMLIMIT: memoryLimitShare of the smaller of the
// physical memory (/proc/meminfo MemTotal) and the cgroup v2 limit
// (/sys/fs/cgroup/memory.max). It returns the limit set, 0 when none (not
// Linux, unreadable files, or GOMEMLIMIT given).
func setMemoryLimit(getenv func(string) string, meminfo, cgroupMax string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return 0
	}
	total := memTotal(meminfo)
	if b, err := os.ReadFile(cgroupMax); err == nil {
		if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 && (total == 0 || v < total) {
			total = v // "max" (no limit) does not parse
		}
	}
	if total <= 0 {
		return 0
	}
	limit := int64(float64(total) * memoryLimitShare)
	debug.SetMemoryLimit(limit)
	return limit
}

// memTotal reads MemTotal (bytes) from a /proc/meminfo file, 0 if it cannot.
func memTotal(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
