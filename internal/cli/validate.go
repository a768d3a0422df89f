package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/load"
	"github.com/flowscript/flowscript/internal/progress"
	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/testrun"
	"github.com/flowscript/flowscript/internal/value"
)

func (a *App) newValidateCmd() *cobra.Command {
	var format string
	var strict bool
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check workflow files",
		Args:  exactFiles(1, "at least one file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &runner.UsageError{Message: fmt.Sprintf("--format: %q is not one of text, json", format)}
			}
			return a.runValidate(args, format, strict)
		},
	}
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return &runner.UsageError{Message: "validate needs at least one file", Hints: []string{"usage: " + cmd.UseLine()}}
		}
		return nil
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	cmd.Flags().BoolVar(&strict, "strict", false, "warnings fail too")
	return cmd
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func (a *App) runValidate(files []string, format string, strict bool) error {
	valid := 0
	var results []any
	for _, file := range files {
		var flow *ast.Flow
		var diags source.List
		if strings.HasSuffix(file, testrun.TestSuffix) {
			// A test file: its keys, its workflow, and mocks and
			// expectations naming existing nodes (cli.md §4).
			diags = testrun.Validate(file)
		} else {
			flow, _, diags = load.File(file)
			if flow != nil {
				diags = append(diags, testrun.Validate(file)...) // inline tests:
			}
		}
		progress.AnnotateDiagnostics(a.S.Err, a.S.Getenv, diags)
		errs, warns := diags.Counts()
		ok := errs == 0 && !(strict && warns > 0)
		if ok {
			valid++
		}
		if format == "json" {
			ds := make([]any, 0, len(diags))
			for _, d := range diags {
				ds = append(ds, diagValue(d))
			}
			var nodes any
			if flow != nil {
				nodes = float64(len(flow.Nodes))
			}
			results = append(results, value.ObjectOf("file", file, "valid", ok, "nodes", nodes,
				"errors", float64(errs), "warnings", float64(warns), "diagnostics", ds))
			continue
		}
		source.Printer{Color: a.S.Color}.Print(a.S.Err, diags)
		what := "test file"
		if flow != nil {
			what = plural(len(flow.Nodes), "node")
		}
		switch {
		case errs == 0 && warns == 0:
			fmt.Fprintf(a.S.Err, "%s: ok (%s)\n", file, what)
		case errs == 0 && ok:
			fmt.Fprintf(a.S.Err, "%s: ok (%s, %s)\n", file, what, plural(warns, "warning"))
		default:
			fmt.Fprintf(a.S.Err, "%s: %s, %s\n", file, plural(errs, "error"), plural(warns, "warning"))
		}
	}
	if format == "json" {
		fmt.Fprintln(a.S.Out, value.JSON(value.ObjectOf("valid", valid == len(files), "files", results)))
	} else if len(files) > 1 {
		fmt.Fprintf(a.S.Err, "%d files: %d valid, %d invalid\n", len(files), valid, len(files)-valid)
	}
	if valid != len(files) {
		return &codeError{code: ExitUsage}
	}
	return nil
}

func diagValue(d *source.Diagnostic) any {
	j := d.ToJSON()
	hints := make([]any, len(j.Hints))
	for i, h := range j.Hints {
		hints[i] = h
	}
	var sug any
	if j.Suggestion != nil {
		sug = *j.Suggestion
	}
	return value.ObjectOf("file", j.File, "line", float64(j.Line), "col", float64(j.Col),
		"end_line", float64(j.EndLine), "end_col", float64(j.EndCol), "severity", j.Severity,
		"code", j.Code, "message", j.Message, "hints", hints, "suggestion", sug)
}
