package parser

import (
	"path/filepath"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/frontmatter"
	"github.com/flowscript/flowscript/internal/source"
)

// MaxFileSize is the largest accepted file (format.md §1).
const MaxFileSize = 8 << 20

// ParseFile parses and validates one .flow.md file: name is the path as
// given on the command line (used in diagnostics and to resolve relative
// paths), src its content. It reports every static error it finds; the
// returned flow is nil when there are errors. Warnings are in the list and
// in flow.Warnings.
func ParseFile(name string, src []byte) (*ast.Flow, source.List) {
	return Parse(name, src, Options{})
}

// Options configure a parse.
type Options struct {
	// LoadSub loads the sub-workflow named by an include or call node's
	// workflow field (path as written, relative to the including file).
	// It returns nil when the file cannot be loaded; its diagnostics are
	// reported under N313 by the caller. Nil: sub-workflows are not loaded.
	LoadSub func(path string, at source.Span) *ast.Flow
	// Partial returns the flow even when the body has errors (when its
	// structure could be read), so the graph's checks can add their own
	// diagnostics: every static error is reported at once. Such a flow
	// must never run.
	Partial bool
}

// Parse is ParseFile with options.
func Parse(name string, src []byte, opts Options) (*ast.Flow, source.List) {
	return parse(name, src, fields.Builtin(), opts)
}

func parse(name string, src []byte, cat *fields.Set, opts Options) (*ast.Flow, source.List) {
	f := source.NewFile(name, src)
	var diags source.List
	if len(src) > MaxFileSize {
		diags.Add(f, source.Sp(0, 1), "S212", "file is larger than 8 MiB (%d bytes)", len(src))
		return nil, diags
	}
	if !utf8.Valid(src) {
		off := firstInvalidUTF8(src)
		diags.Add(f, source.Sp(off, off+1), "F102", "file is not valid UTF-8")
		return nil, diags
	}
	start := 0
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		start = 3
	}
	fm, bodyStart, fd := frontmatter.Parse(f, start)
	diags.Append(fd...)
	if fm == nil {
		return nil, diags
	}
	loc, ld := LocateBody(f, bodyStart)
	diags.Append(ld...)
	if loc == nil || ld.HasErrors() {
		diags.Sort()
		return nil, diags
	}
	lw := &lowerer{f: f, cat: cat, fm: fm, loadSub: opts.LoadSub}
	root, bodyEnd, bd := ParseBody(f, loc.Start, loc.End, loc.Fenced, lw.isText)
	diags.Append(bd...)
	if root == nil {
		diags.Sort()
		return nil, diags
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	flow := &ast.Flow{
		File: f, Path: abs, Dir: filepath.Dir(abs), Front: fm,
		ByID:      map[string]*ast.Node{},
		Subflows:  map[*ast.Node]*ast.Flow{},
		BodyStart: root.Start, BodyEnd: root.End, FooterStart: bodyEnd,
		LogBegin: loc.LogBegin, LogEnd: loc.LogEnd, LogDisabled: loc.LogMalformed,
	}
	if loc.Fenced {
		flow.FooterStart = loc.End
	}
	lw.flow = flow
	lw.lower(root)
	diags.Append(lw.diags...)
	diags.Sort()
	for _, d := range diags {
		if d.Severity == source.Warning {
			flow.Warnings = append(flow.Warnings, d)
		}
	}
	if diags.HasErrors() && !opts.Partial {
		return nil, diags
	}
	return flow, diags
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
