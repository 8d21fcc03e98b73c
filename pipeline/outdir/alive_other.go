//go:build !unix

package outdir

import "os"

// processAlive reports whether pid is a running process (FindProcess opens
// a handle on Windows, and fails for a process that has exited).
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
