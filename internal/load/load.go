// Package load reads a workflow file from disk and turns it into a
// validated plan: parse (package parser), then graph (package dag). Every
// static diagnostic of both stages is returned together.
package load

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/parser"
	"github.com/flowscript/flowscript/internal/source"
)

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
	flow, diags := parser.ParseFile(path, src)
	if flow == nil {
		return nil, nil, diags
	}
	plan, gd := dag.Build(flow)
	diags = append(diags, gd...)
	diags.Sort()
	if diags.HasErrors() {
		return nil, nil, diags
	}
	return flow, plan, diags
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
