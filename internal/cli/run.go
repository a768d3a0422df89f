package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/units"
)

func (a *App) newRunCmd() *cobra.Command {
	var o runner.Options
	var timeout string
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a workflow",
		Args:  exactFiles(1, "a workflow file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if timeout != "" {
				ms, err := units.ParseDuration(timeout)
				if err != nil || ms == 0 {
					return &runner.UsageError{Message: fmt.Sprintf("--timeout: invalid duration %q", timeout)}
				}
				o.Timeout = time.Duration(ms) * time.Millisecond
			}
			if cmd.Flags().Changed("max-concurrency") && o.MaxConcurrency < 1 {
				return &runner.UsageError{Message: "--max-concurrency must be at least 1"}
			}
			switch o.Progress {
			case "auto", "live", "plain", "github", "none":
			default:
				return &runner.UsageError{Message: fmt.Sprintf("--progress: %q is not one of auto, live, plain, github, none", o.Progress)}
			}
			return runner.Run(cmd.Context(), a.S, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.Config, "config", "c", nil, "set a config value KEY=VALUE (repeatable)")
	f.StringVar(&o.ConfigFile, "config-file", "", "YAML or JSON file of config values")
	f.StringVarP(&o.Input, "input", "i", "", "workflow input: JSON text, @FILE or -")
	f.IntVarP(&o.MaxConcurrency, "max-concurrency", "j", 0, "run-wide slot limit (default runtime.concurrency, else 10)")
	f.StringVar(&o.Scheduler, "scheduler", "", "waves or eager")
	f.StringVar(&timeout, "timeout", "", "run deadline, e.g. 10m")
	f.StringVar(&o.Progress, "progress", "auto", "auto, live, plain, github or none")
	f.BoolVar(&o.JSON, "json", false, "print NDJSON events on stdout")
	f.StringVarP(&o.Output, "output", "o", "", "write the workflow output to FILE")
	f.StringVar(&o.Report, "report", "", "write the final JSON report to FILE")
	f.StringVar(&o.ReportHTML, "report-html", "", "write a self-contained HTML report to FILE")
	f.StringArrayVar(&o.AllowPaths, "allow-path", nil, "extra directory file nodes may use (repeatable)")
	f.BoolVar(&o.DryRun, "dry-run", false, "validate and print the plan without running")
	f.StringArrayVar(&o.Approve, "approve", nil, "decide checkpoint ID[=ACTION[:TEXT]] (* = all); repeatable")
	f.BoolVar(&o.NonInteractive, "non-interactive", false, "never prompt")
	f.StringVar(&o.StateDir, "state-dir", "", "run store location (default .flowscript next to FILE)")
	f.BoolVar(&o.NoState, "no-state", false, "keep no run store (no resume)")
	f.StringVar(&o.Resume, "resume", "", "continue run id RUN or last")
	f.BoolVar(&o.Log, "log", false, "write the execution log into the workflow's footer")
	f.BoolVar(&o.NoLog, "no-log", false, "do not write the execution log")
	return cmd
}
