// Package load reads a workflow file from disk and turns it into a
// validated plan: parse (package parser), then graph (package dag), with
// every include and call target loaded recursively (N313 for a target
// that cannot be loaded or is invalid, G502 for an include/call cycle).
// Every static diagnostic of all stages is returned together.
package load

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/parser"
	"github.com/flowscript/flowscript/internal/source"
)

// MaxDepth is the sub-workflow depth limit (nodes.md §6).
const MaxDepth = 16

// File loads and validates path (as given on the command line). The flow
// and plan are nil when there are errors.
func File(path string) (*ast.Flow, *dag.Plan, source.List) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, source.List{readError(path, err)}
	}
	return Source(path, src)
}

// Source validates src as the content of the file named path.
func Source(path string, src []byte) (*ast.Flow, *dag.Plan, source.List) {
	l := &loader{cache: map[string]*ast.Flow{}}
	abs, _ := filepath.Abs(path)
	flow, diags := l.parse(path, abs, src, []string{abs})
	if flow == nil {
		diags.Sort()
		return nil, nil, diags
	}
	// The graph checks run on a flow with body errors too, so every static
	// error is reported at once; such a flow is never returned.
	plan, gd := graph(flow, diags.HasErrors())
	diags = append(diags, gd...)
	diags.Sort()
	if diags.HasErrors() {
		return nil, nil, diags
	}
	return flow, plan, diags
}

// graph builds the plan. For a flow that already has errors the graph's
// own diagnostics are extra information: should a half-built node trip the
// builder, they are dropped rather than lost with the others.
func graph(flow *ast.Flow, partial bool) (plan *dag.Plan, diags source.List) {
	if partial {
		defer func() {
			if recover() != nil {
				plan, diags = nil, nil
			}
		}()
	}
	return dag.Build(flow)
}

type loader struct {
	cache map[string]*ast.Flow // by absolute path; only valid flows
}

// parse parses one file; chain holds the absolute paths of the files
// including it (for cycles).
func (l *loader) parse(name, abs string, src []byte, chain []string) (*ast.Flow, source.List) {
	var subDiags source.List
	var f *source.File
	opts := parser.Options{LoadSub: func(p string, at source.Span) *ast.Flow {
		return l.sub(name, abs, p, at, chain, &subDiags, &f)
	}}
	opts.Partial = len(chain) == 1 // the top file: graph checks run despite body errors
	flow, diags := parser.Parse(name, src, opts)
	if flow != nil {
		f = flow.File
	}
	// Sub-workflow problems are attached to the including file.
	for _, d := range subDiags {
		if d.File == nil && f != nil {
			d.File = f
		}
	}
	diags = append(diags, subDiags...)
	if diags.HasErrors() && !opts.Partial {
		return nil, diags
	}
	return flow, diags
}

// sub loads the target of an include/call written in file `from`.
func (l *loader) sub(fromName, fromAbs, p string, at source.Span, chain []string, out *source.List, f **source.File) *ast.Flow {
	target := p
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(fromAbs), target)
	}
	target = filepath.Clean(target)
	for i, c := range chain {
		if c == target {
			cyc := append(append([]string{}, chain[i:]...), target)
			for j := range cyc {
				cyc[j] = filepath.Base(cyc[j])
			}
			d := &source.Diagnostic{Span: at, Code: "G502", Message: "include cycle: " + strings.Join(cyc, " -> ")}
			*out = append(*out, d)
			return nil
		}
	}
	// chain holds the top file too: the target is sub-workflow number
	// len(chain) of the chain, allowed up to MaxDepth.
	if len(chain) > MaxDepth {
		*out = append(*out, &source.Diagnostic{Span: at, Code: "N313", Message: fmt.Sprintf("sub-workflows are nested deeper than %d levels", MaxDepth)})
		return nil
	}
	if fl, ok := l.cache[target]; ok {
		return fl
	}
	display := filepath.Join(filepath.Dir(fromName), p)
	src, err := os.ReadFile(target)
	if err != nil {
		d := readError(display, err)
		*out = append(*out, &source.Diagnostic{Span: at, Code: "N313", Message: fmt.Sprintf("cannot load sub-workflow %q: %s", p, strings.TrimPrefix(d.Message, "cannot read \""+display+"\": "))})
		return nil
	}
	flow, diags := l.parse(display, target, src, append(chain, target))
	if diags.HasErrors() {
		errs, _ := diags.Counts()
		d := &source.Diagnostic{Span: at, Code: "N313", Message: fmt.Sprintf("sub-workflow %q is invalid (%d errors)", p, errs)}
		var b strings.Builder
		source.Printer{}.Print(&b, diags)
		for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			d.Extra = append(d.Extra, "    "+line)
		}
		*out = append(*out, d)
		return nil
	}
	l.cache[target] = flow
	return flow
}

// readError is F101 for a file that cannot be read.
func readError(path string, err error) *source.Diagnostic {
	reason := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err.Error()
	}
	if errors.Is(err, fs.ErrNotExist) {
		reason = "no such file"
	}
	if strings.Contains(reason, "is a directory") {
		reason = "it is a directory"
	}
	f := source.NewFile(path, nil)
	return &source.Diagnostic{File: f, Code: "F101", Message: "cannot read \"" + path + "\": " + reason}
}
