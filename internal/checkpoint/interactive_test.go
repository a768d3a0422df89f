//go:build linux

package checkpoint

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the controlling side and the
// terminal side.
func openPTY(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pseudo-terminal number: %v", err)
	}
	pts, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { pts.Close() })
	return ptm, pts
}

func TestInteractive(t *testing.T) {
	_, tty := openPTY(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	tests := []struct {
		name          string
		stdin, stderr *os.File
		env           map[string]string
		want          bool
	}{
		{"terminals", tty, tty, nil, true},
		{"CI=false", tty, tty, map[string]string{"CI": "false"}, true},
		{"CI=true", tty, tty, map[string]string{"CI": "true"}, false},
		{"stdin a pipe", r, tty, nil, false},
		{"stderr a pipe", tty, w, nil, false},
		{"no stdin", nil, tty, nil, false},
	}
	for _, tt := range tests {
		if got := Interactive(tt.stdin, tt.stderr, env(tt.env)); got != tt.want {
			t.Errorf("%s: Interactive = %v, want %v", tt.name, got, tt.want)
		}
	}
}
