package runtimes

import "github.com/flowscript/flowscript/internal/extract"

// httpExtract applies an http node's extract expression to a parsed body
// (nodes.md §2.2, package extract); a failure is R601.
func httpExtract(expr string, body any) (any, error) {
	v, err := extract.Eval(expr, body)
	if err != nil {
		e := Errorf("R601", false, "extract: %v", err)
		e.Cause = err
		return nil, e
	}
	return v, nil
}
