//go:build !unix

package runtimes

import (
	"os"
	"os/exec"
)

// setProcessGroup does nothing here: without process groups only the
// process itself is signalled (Windows job objects are not used yet).
func setProcessGroup(cmd *exec.Cmd) {}

// signalGroup kills the process; systems without Unix signals have no
// SIGTERM, so there is no graceful stop.
func signalGroup(p *os.Process, kill bool) error {
	return p.Kill()
}

// lookPath finds a program in FlowScript's own PATH.
func lookPath(name, path string) (string, error) {
	return exec.LookPath(name)
}

// groupAlive reports false: without process groups there is nothing left
// to wait for once the process has been waited for.
func groupAlive(pgid int) bool { return false }
