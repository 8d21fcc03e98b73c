//go:build unix

package outdir

import (
	"errors"
	"syscall"
)

// processAlive reports whether pid is a running process: signal 0 checks
// existence without sending anything (EPERM: it exists, owned by another
// user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
