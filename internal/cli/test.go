package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/testrun"
)

// testOptions are the flags of `flowscript test` (spec/cli.md §6).
type testOptions struct {
	format   string
	junit    string
	run      string
	failFast bool
}

func (a *App) newTestCmd() *cobra.Command {
	var o testOptions
	cmd := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run workflow test cases",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runTest(cmd.Context(), args, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "text, json or junit")
	f.StringVar(&o.junit, "junit", "", "also write JUnit XML to FILE")
	f.StringVar(&o.run, "run", "", "run only the cases whose name matches this regex")
	f.BoolVar(&o.failFast, "fail-fast", false, "stop after the first failing case")
	return cmd
}

// runTest finds, runs and reports test cases. Exit 0 when all pass, 1 when
// one fails, 2 when a file is invalid or no case was found.
func (a *App) runTest(ctx context.Context, paths []string, o testOptions) error {
	switch o.format {
	case "text", "json", "junit":
	default:
		return &runner.UsageError{Message: fmt.Sprintf("--format: %q is not one of text, json, junit", o.format)}
	}
	var re *regexp.Regexp
	if o.run != "" {
		var err error
		if re, err = regexp.Compile(o.run); err != nil {
			return &runner.UsageError{Message: fmt.Sprintf("--run: invalid regex %q: %s", o.run, strings.TrimPrefix(err.Error(), "error parsing regexp: "))}
		}
	}
	suites, diags, err := testrun.Discover(paths)
	var pe *testrun.PathError
	if errors.As(err, &pe) {
		return &runner.UsageError{Message: pe.Message}
	}
	if err != nil {
		return err
	}
	source.Printer{Color: a.S.Color}.Print(a.S.Err, diags)
	invalid := diags.HasErrors()
	if testrun.Selected(suites, re) == 0 {
		if invalid {
			return &codeError{code: ExitUsage}
		}
		where := "."
		if len(paths) > 0 {
			where = strings.Join(paths, " ")
		}
		if re != nil && testrun.Selected(suites, nil) > 0 {
			return &runner.UsageError{Message: fmt.Sprintf("no test case matches --run %q", o.run)}
		}
		return &runner.UsageError{Message: "no test cases found in " + where,
			Hints: []string{"test cases are in NAME.test.flow.md files or under \"tests:\" in a workflow's frontmatter"}}
	}
	clock := a.S.Now
	if clock == nil {
		clock = time.Now
	}
	res := testrun.Run(ctx, suites, testrun.Options{Run: re, FailFast: o.failFast, Clock: clock, Getenv: a.S.Getenv})
	switch o.format {
	case "json":
		err = res.WriteJSON(a.S.Out)
	case "junit":
		err = res.WriteJUnit(a.S.Out)
	default:
		err = res.WriteText(a.S.Out)
	}
	if err != nil {
		return err
	}
	if o.junit != "" {
		var b bytes.Buffer
		res.WriteJUnit(&b)
		path := o.junit
		if !filepath.IsAbs(path) {
			path = filepath.Join(a.S.Cwd, path)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			fmt.Fprintf(a.S.Err, "flowscript: cannot write %q: %v\n", o.junit, err)
			return &codeError{code: ExitUsage}
		}
	}
	_, _, failed := res.Counts()
	switch {
	case ctx.Err() != nil:
		return &codeError{code: ExitInterrupted}
	case invalid:
		return &codeError{code: ExitUsage}
	case failed > 0:
		return &codeError{code: ExitFailed}
	}
	return nil
}
