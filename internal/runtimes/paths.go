package runtimes

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/flowscript/flowscript/internal/value"
)

// Resolved is a path checked against the allowed directories.
type Resolved struct {
	// Real is the absolute path with the symlinks of its existing part
	// resolved; it is the path to open.
	Real string
	// Display is the path as the user sees it: relative to the workflow
	// directory with "/" separators, or absolute (slashed) when it lies in
	// an --allow-path directory.
	Display string
}

// ResolvePath resolves p (relative to workflowDir unless absolute), cleans
// it, resolves the symlinks of its existing part and checks that the result
// lies inside workflowDir or one of allow. Outside, it returns an R608
// *Error naming p as written.
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

// realPath resolves the symlinks of the longest existing prefix of the
// absolute, clean path abs and appends the missing rest unchanged.
func realPath(abs string) (string, error) {
	var rest []string
	cur := abs
	for {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			for i := len(rest) - 1; i >= 0; i-- {
				r = filepath.Join(r, rest[i])
			}
			return r, nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = append(rest, filepath.Base(cur))
		cur = parent
	}
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
