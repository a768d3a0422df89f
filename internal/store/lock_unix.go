//go:build unix

package store

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// lock is a held run lock: the lock file, flock(2)-locked for the life of
// the process (the kernel drops it when the process dies), holding the
// pid for readers.
type lock struct {
	f    *os.File
	path string
}

// acquire takes the lock at path. The lock is busy when another open file
// holds the flock, or when the file names a live pid other than a stale
// one (spec/execution.md §12.2); the file of a dead process is replaced.
func acquire(path, runID string) (*lock, error) {
	for range 5 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			pid := readPID(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, &LockedError{RunID: runID, PID: pid}
			}
			return nil, err
		}
		// The file may have been removed and recreated by its previous
		// owner between our open and flock: then retry on the new file.
		fi, err1 := f.Stat()
		pi, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || !os.SameFile(fi, pi) {
			f.Close()
			continue
		}
		if pid := readPID(f); pid != 0 && alive(pid) {
			f.Close()
			return nil, &LockedError{RunID: runID, PID: pid}
		}
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, err
		}
		if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
			f.Close()
			return nil, err
		}
		f.Sync()
		return &lock{f: f, path: path}, nil
	}
	return nil, errors.New("cannot take the run lock: it keeps changing")
}

func readPID(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	return parsePID(b[:n])
}

// release removes the lock file and drops the flock.
func (l *lock) release() error {
	err := os.Remove(l.path)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// held reports whether the lock at path is held by a live process.
func held(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return true
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	pid := readPID(f)
	return pid != 0 && alive(pid)
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
