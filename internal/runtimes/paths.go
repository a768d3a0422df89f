package runtimes

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/flowscript/flowscript/internal/value"
)

// Resolved is a path checked against the allowed directories.
type Resolved struct {
	// Real is the absolute path with the symlinks of its existing part
	// resolved (a dangling symlink too: Real is its target); it is the
	// path to open, and opening it follows no symlink outside the
	// allowed directories.
	Real string
	// Display is the path as the user sees it: relative to the workflow
	// directory with "/" separators, or absolute (slashed) when it lies in
	// an --allow-path directory.
	Display string
}

// ResolvePath resolves p (relative to workflowDir unless absolute), cleans
// it, resolves the symlinks of its existing part (dangling ones included,
// so that a link inside pointing at a missing file outside is caught before
// a writer creates that file) and checks that the result lies inside
// workflowDir or one of allow. Outside, it returns an R608 *Error naming p
// as written.
func ResolvePath(workflowDir string, allow []string, p string) (Resolved, error) {
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(workflowDir, p)
	}
	abs = filepath.Clean(abs)
	real, err := realPath(abs)
	if err != nil {
		return Resolved{}, &Error{Code: "R607", Message: "cannot resolve " + p + ": " + describeFSError(err), Cause: err}
	}
	display := filepath.ToSlash(abs)
	if rel, ok := within(filepath.Clean(workflowDir), abs); ok {
		display = filepath.ToSlash(rel)
	}
	roots := append([]string{workflowDir}, allow...)
	for _, root := range roots {
		if root == "" {
			continue
		}
		rr, err := realPath(filepath.Clean(root))
		if err != nil {
			continue
		}
		if _, ok := within(rr, real); ok {
			return Resolved{Real: real, Display: display}, nil
		}
	}
	return Resolved{}, &Error{
		Code:    "R608",
		Message: "path " + quote(p) + " is outside the workflow directory",
		Hints:   []string{"allow another directory with --allow-path DIR"},
	}
}

// maxLinks is the most symlinks realPath follows for one path, like the
// kernel's limit (ELOOP).
const maxLinks = 255

// realPath resolves every symlink of the absolute, clean path abs that
// exists, and appends the missing rest unchanged. A symlink whose target
// does not exist (dangling) is followed too: its target, resolved the same
// way, is where writing through the link would create the file, so it is
// what the confinement check must see.
func realPath(abs string) (string, error) {
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return "", err
	}
	vol := filepath.VolumeName(abs)
	sep := string(filepath.Separator)
	resolved := vol + sep
	pending := splitPath(abs[len(vol):])
	links := 0
	for len(pending) > 0 {
		name := pending[0]
		pending = pending[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			resolved = filepath.Dir(resolved)
			continue
		}
		next := filepath.Join(resolved, name)
		fi, err := os.Lstat(next)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				return "", err
			}
			// The rest does not exist: nothing left to resolve, unless a
			// link target climbs back out of the missing part
			// ("missing/../other"): then the cleaned path is resolved
			// from the start, as the path the writer will open.
			rest := filepath.Join(append([]string{next}, pending...)...)
			if !slices.Contains(pending, "..") {
				return rest, nil
			}
			rv := filepath.VolumeName(rest)
			resolved, pending = rv+sep, splitPath(rest[len(rv):])
			continue
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		links++
		if links > maxLinks {
			return "", &fs.PathError{Op: "resolve", Path: abs, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		target = filepath.FromSlash(target)
		if filepath.IsAbs(target) {
			tv := filepath.VolumeName(target)
			resolved = tv + sep
			target = target[len(tv):]
		}
		pending = append(splitPath(target), pending...)
	}
	return resolved, nil
}

// splitPath splits a path on the separator; empty parts are kept (and
// skipped by the caller).
func splitPath(p string) []string {
	return strings.Split(p, string(filepath.Separator))
}

// within reports whether path lies inside root (or is root), with the
// relative path.
func within(root, path string) (string, bool) {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return "", false
	}
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// describeFSError returns the short reason of a file-system error:
// "no such file", "permission denied", "is a directory", ...
func describeFSError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	return err.Error()
}

// quote returns s in double quotes, JSON-escaped.
func quote(s string) string {
	return string(value.AppendQuoted(nil, s))
}
