//go:build unix

package sedona

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts the job in its own process group, so that
// terminate reaches the Spark driver JVM that pyspark starts as well.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// terminate sends SIGTERM to the job's process group.
func terminate(cmd *exec.Cmd) error {
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
}
