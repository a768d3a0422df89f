// Package cli is the flowscript command line: a fresh cobra root per
// invocation, thin commands that copy flags into options and call the
// internal packages, and the one place where errors become exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowscript/flowscript/internal/checkpoint"
	"github.com/flowscript/flowscript/internal/progress"
	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/source"
)

// Exit codes (spec/cli.md §1).
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitRejected    = 3
	ExitTimedOut    = 124
	ExitInterrupted = 130
)

// App holds the streams of one invocation.
type App struct {
	S       runner.Streams
	colorOn string // --color
	isTTY   bool
}

// Main runs flowscript with the process's arguments and streams and
// returns the exit code.
func Main() int {
	if _, set := os.LookupEnv("GOGC"); !set {
		// Runs are short and hold their data in memory; a quarter more heap
		// than Go's default saves collections during large transforms
		// (measured: 1M-record filter+map 1.05 s -> 0.87 s). A much larger
		// heap is slower here: page faults on fresh memory cost more.
		debug.SetGCPercent(125)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// A second signal forces exit (execution.md §17).
		<-ctx.Done()
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		<-c
		runtimes.KillAll()
		fmt.Fprintln(os.Stderr, "interrupted again: stopped at once")
		os.Exit(ExitInterrupted)
	}()
	cwd, _ := os.Getwd()
	s := runner.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.LookupEnv, Cwd: cwd}
	if v := os.Getenv("FLOWSCRIPT_TEST_CLOCK"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			s.Now = func() time.Time { return t }
		}
	}
	if checkpoint.Interactive(os.Stdin, os.Stderr, os.LookupEnv) {
		// Checkpoints ask at the terminal (execution.md §11).
		s.Prompt = (&checkpoint.Prompter{In: os.Stdin, Out: os.Stderr, Now: s.Now}).Ask
	}
	return Run(ctx, os.Args[1:], s, isatty.IsTerminal(os.Stderr.Fd()))
}

// Run executes one command line with the given streams.
func Run(ctx context.Context, args []string, s runner.Streams, errTTY bool) int {
	app := &App{S: s, isTTY: errTTY}
	root := app.newRoot()
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	return app.exitCode(cmd, err)
}

// exitCode renders err once and maps it to the exit code.
func (a *App) exitCode(cmd *cobra.Command, err error) int {
	var (
		de *runner.DiagnosticsError
		ue *runner.UsageError
		pe *runner.ProblemsError
		re *runner.RunError
		ce *codeError
	)
	switch {
	case errors.As(err, &de):
		source.Printer{Color: a.S.Color}.Print(a.S.Err, de.List)
		progress.AnnotateDiagnostics(a.S.Err, a.S.Getenv, de.List)
		return ExitUsage
	case errors.As(err, &ue):
		a.usage(ue.Message, ue.Hints...)
		return ExitUsage
	case errors.As(err, &pe):
		for _, l := range pe.Lines {
			fmt.Fprintln(a.S.Err, l)
		}
		return ExitUsage
	case errors.As(err, &ce):
		return ce.code
	case errors.As(err, &re):
		switch re.Status {
		case "rejected":
			return ExitRejected
		case "timed_out":
			return ExitTimedOut
		case "interrupted":
			return ExitInterrupted
		}
		return ExitFailed
	}
	msg, hints := cobraUsage(cmd, err)
	a.usage(msg, hints...)
	return ExitUsage
}

// codeError ends a command with an exit code after it printed its own
// report.
type codeError struct{ code int }

func (e *codeError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func (a *App) usage(msg string, hints ...string) {
	fmt.Fprintln(a.S.Err, "flowscript: "+msg)
	for _, h := range hints {
		fmt.Fprintln(a.S.Err, "hint: "+h)
	}
}

// cobraUsage words cobra's and pflag's errors as spec/cli.md §1 wants,
// with suggestions.
func cobraUsage(cmd *cobra.Command, err error) (string, []string) {
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown flag: ") || strings.HasPrefix(msg, "unknown shorthand flag: ") {
		name := strings.TrimPrefix(msg, "unknown flag: ")
		if strings.HasPrefix(msg, "unknown shorthand flag: ") {
			return "unknown flag " + strings.TrimPrefix(strings.Split(msg, " in ")[0], "unknown shorthand flag: "), nil
		}
		var names []string
		if cmd != nil {
			cmd.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, "--"+f.Name) })
		}
		if s, ok := source.Suggest(name, names); ok {
			return "unknown flag " + name, []string{"did you mean " + s + "?"}
		}
		return "unknown flag " + name, nil
	}
	if strings.HasPrefix(msg, "unknown command ") {
		var name string
		fmt.Sscanf(strings.TrimPrefix(msg, "unknown command "), "%q", &name)
		var names []string
		if cmd != nil {
			for _, c := range cmd.Root().Commands() {
				names = append(names, c.Name())
			}
		}
		if s, ok := source.Suggest(name, names); ok {
			return fmt.Sprintf("unknown command %q", name), []string{fmt.Sprintf("did you mean %q?", s)}
		}
		return fmt.Sprintf("unknown command %q", name), []string{"run 'flowscript --help' for the commands"}
	}
	return msg, nil
}

func (a *App) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "flowscript",
		Short:         "Run workflows written as .flow.md files",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			switch a.colorOn {
			case "always":
				a.S.Color = true
			case "never":
				a.S.Color = false
			case "auto", "":
				_, noColor := a.S.Getenv("NO_COLOR")
				term, _ := a.S.Getenv("TERM")
				a.S.Color = a.isTTY && !noColor && term != "dumb"
			default:
				return &runner.UsageError{Message: fmt.Sprintf("--color: %q is not one of auto, always, never", a.colorOn)}
			}
			return nil
		},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().StringVar(&a.colorOn, "color", "auto", "colour: auto, always or never")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return err })
	root.CompletionOptions.DisableDefaultCmd = true
	a.addCommands(root, a.newRunCmd(), a.newPlanCmd(), a.newValidateCmd(), a.newVersionCmd(), a.newNodesCmd(), a.newRunsCmd(), a.newInspectCmd(), a.newFmtCmd(), a.newCompletionCmd(), a.newTestCmd())
	return root
}

// exactFiles is a positional-argument check that reports usage errors in
// our wording.
func exactFiles(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return &runner.UsageError{Message: fmt.Sprintf("%s needs %s", cmd.Name(), what),
				Hints: []string{"usage: " + cmd.UseLine()}}
		}
		if n > 0 && len(args) > n {
			return &runner.UsageError{Message: fmt.Sprintf("%s takes one %s, got %d arguments", cmd.Name(), what, len(args))}
		}
		return nil
	}
}
