//go:build !unix

package progress

import "os"

// notifyResize never fires where there is no SIGWINCH; the periodic
// redraw picks up the new width.
func notifyResize() (<-chan os.Signal, func()) { return nil, func() {} }
