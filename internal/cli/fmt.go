package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/format"
	"github.com/flowscript/flowscript/internal/load"
	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/source"
)

type fmtOptions struct {
	check bool
	diff  bool
}

func (a *App) newFmtCmd() *cobra.Command {
	var o fmtOptions
	cmd := &cobra.Command{
		Use:   "fmt FILE...",
		Short: "Normalise the body's layout",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runFmt(args, o)
		},
	}
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return &runner.UsageError{Message: "fmt needs at least one file", Hints: []string{"usage: " + cmd.UseLine()}}
		}
		return nil
	}
	cmd.Flags().BoolVar(&o.check, "check", false, "change nothing; exit 1 if a file would change")
	cmd.Flags().BoolVar(&o.diff, "diff", false, "print a unified diff instead of writing")
	cmd.ValidArgsFunction = flowFileArgs
	return cmd
}

// runFmt formats each file (spec/cli.md §9). Names of changed (or, with
// --check, unformatted) files go to stderr, the diff to stdout. Exit 2
// when a file is invalid or unreadable, else 1 when --check found a file
// to change, else 0.
func (a *App) runFmt(files []string, o fmtOptions) error {
	invalid, unformatted := false, false
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			_, _, diags := load.File(file) // F101 with the reason
			source.Printer{Color: a.S.Color}.Print(a.S.Err, diags)
			invalid = true
			continue
		}
		out, diags := format.Format(file, src)
		if diags.HasErrors() || out == nil {
			source.Printer{Color: a.S.Color}.Print(a.S.Err, diags)
			invalid = true
			continue
		}
		if bytes.Equal(out, src) {
			continue
		}
		if o.diff {
			a.S.Out.Write(format.Diff(filepath.ToSlash(file), src, out))
		}
		if o.check || o.diff {
			unformatted = true
			if o.check {
				fmt.Fprintln(a.S.Err, file)
			}
			continue
		}
		if err := writeAtomic(file, out); err != nil {
			fmt.Fprintf(a.S.Err, "flowscript: cannot write %q: %v\n", file, err)
			invalid = true
			continue
		}
		fmt.Fprintln(a.S.Err, file)
	}
	switch {
	case invalid:
		return &codeError{ExitUsage}
	case unformatted && o.check:
		return &codeError{ExitFailed}
	}
	return nil
}

// writeAtomic replaces path with data through a temporary file in the same
// directory, keeping the file's mode.
func writeAtomic(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".fmt-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(name, path)
}
