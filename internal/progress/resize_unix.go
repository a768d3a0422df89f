//go:build unix

package progress

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyResize delivers SIGWINCH (the terminal was resized).
func notifyResize() (<-chan os.Signal, func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGWINCH)
	return c, func() { signal.Stop(c) }
}
