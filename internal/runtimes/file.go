package runtimes

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/value"
)

// File reads (source/file) or writes (sink/file) a file in one of the
// formats of nodes.md §2.3, confined to the workflow directory and the
// --allow-path directories.
type File struct {
	// Role is "source" or "sink".
	Role string
}

// Kind returns "source/file" or "sink/file".
func (f *File) Kind() string { return f.Role + "/file" }

// Run reads or writes the file named by the "path" field.
func (f *File) Run(ctx context.Context, c *Call) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("file not accessed: %w", err)
	}
	p := c.Str("path")
	if p == "" {
		return nil, Errorf("R607", false, "path is empty")
	}
	res, err := ResolvePath(c.WorkflowDir, c.AllowPaths, p)
	if err != nil {
		return nil, err
	}
	format, opts, err := fileFormat(c, res.Display)
	if err != nil {
		return nil, err
	}
	role := c.Role
	if role == "" {
		role = f.Role
	}
	if role == "sink" {
		return writeFile(c, res, format, opts)
	}
	data, err := os.ReadFile(res.Real)
	if err != nil {
		return nil, fileError("cannot read", res.Display, err)
	}
	v, err := Decode(format, data, opts)
	if err != nil {
		return nil, &Error{Code: "R607", Message: fmt.Sprintf("cannot parse %s: %v", res.Display, err), Cause: err}
	}
	if format == FormatJSON && c.Origin != nil {
		c.Origin(Origin{Path: res.Real, Size: int64(len(data)), Sum: Checksum(data)})
	}
	return v, nil
}

// fileError is an R607 error for a failed file-system operation.
func fileError(what, display string, err error) *Error {
	return &Error{Code: "R607", Message: what + " " + display + ": " + describeFSError(err), Cause: err}
}

// fileFormat picks the format and options from the fields and the path.
func fileFormat(c *Call, path string) (string, FormatOptions, error) {
	opts := FormatOptions{
		Header:       c.Bool("header", true),
		Compact:      !c.Bool("pretty", true),
		FinalNewline: c.Bool("final-newline", true),
	}
	byExt, tab := FormatOf(path)
	format := c.Str("format")
	switch format {
	case "", "auto":
		format = byExt
	case "tsv":
		format, tab = FormatCSV, true
	case FormatJSON, FormatYAML, FormatCSV, FormatText, FormatLines, FormatNDJSON:
	default:
		return "", opts, Errorf("R607", false, "unknown format %s", quote(format))
	}
	d := c.Str("delimiter")
	if d == `\t` {
		d = "\t"
	}
	switch {
	case d == "" || d == ",":
		// The default: a .tsv file keeps its tab.
		opts.Delimiter = ','
		if tab {
			opts.Delimiter = '\t'
		}
	case utf8.RuneCountInString(d) == 1 && !strings.ContainsAny(d, "\"\r\n"):
		opts.Delimiter, _ = utf8.DecodeRuneInString(d)
	default:
		return "", opts, Errorf("R607", false, "delimiter must be one character other than a quote or line break, got %s", quote(d))
	}
	return format, opts, nil
}

func writeFile(c *Call, res Resolved, format string, opts FormatOptions) (any, error) {
	v, ok := c.Fields["content"]
	if !ok {
		v = c.Input
	}
	appending := c.Bool("append", false)
	if appending {
		switch format {
		case FormatText, FormatLines, FormatNDJSON, FormatCSV:
		default:
			return nil, Errorf("R607", false, "cannot append to %s: append works for text, lines, ndjson and csv, not %s", res.Display, format)
		}
	}
	modeText := c.Str("mode")
	if modeText == "" {
		modeText = "0644"
	}
	mode, err := strconv.ParseUint(modeText, 8, 32)
	if err != nil || mode > 0o7777 {
		return nil, Errorf("R607", false, "invalid mode %s: expected octal digits like \"0644\"", quote(modeText))
	}
	if st, err := os.Stat(res.Real); err == nil && st.IsDir() {
		return nil, Errorf("R607", false, "cannot write %s: is a directory", res.Display)
	}
	data, err := Encode(format, v, opts, appending)
	if err != nil {
		return nil, &Error{Code: "R607", Message: fmt.Sprintf("cannot write %s: %v", res.Display, err), Cause: err}
	}
	dir := filepath.Dir(res.Real)
	if c.Bool("mkdir", true) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fileError("cannot create the directory of", res.Display, err)
		}
	} else if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, Errorf("R607", false, "cannot write %s: no such directory (mkdir is false)", res.Display)
		}
		return nil, fileError("cannot write", res.Display, err)
	}
	if appending {
		err = appendFile(res.Real, data, fs.FileMode(mode))
	} else {
		err = writeAtomic(res.Real, data, fs.FileMode(mode))
	}
	if err != nil {
		return nil, fileError("cannot write", res.Display, err)
	}
	return value.ObjectOf("path", res.Display, "bytes", float64(len(data)), "format", format), nil
}

// renameFile is os.Rename; tests replace it to make the last step fail.
var renameFile = os.Rename

// writeAtomic writes data to a temporary file in path's directory, flushes
// it to disk, sets its mode and renames it over path: readers see the old
// or the new content, never a part.
func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Chmod(mode); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := renameFile(tmp, path); err != nil {
		return err
	}
	done = true
	syncDir(dir)
	return nil
}

// appendFile appends data to path, creating it with mode when missing.
func appendFile(path string, data []byte, mode fs.FileMode) error {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, mode)
	if err != nil {
		return err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := f.Chmod(mode); err != nil {
			_ = f.Close()
			return err
		}
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// syncDir flushes a directory entry change (best effort; not all systems
// can fsync a directory).
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
