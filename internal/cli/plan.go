package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/value"
)

type planOptions struct {
	format     string
	config     []string
	configFile string
	input      string
	maxConc    int
	scheduler  string
}

func (a *App) newPlanCmd() *cobra.Command {
	var o planOptions
	cmd := &cobra.Command{
		Use:   "plan FILE",
		Short: "Print the waves without running",
		Args:  exactFiles(1, "a workflow file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runPlan(args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "text, json, mermaid or dot")
	f.StringArrayVarP(&o.config, "config", "c", nil, "set a config value KEY=VALUE")
	f.StringVar(&o.configFile, "config-file", "", "YAML or JSON file of config values")
	f.StringVarP(&o.input, "input", "i", "", "workflow input: JSON text, @FILE or -")
	f.IntVarP(&o.maxConc, "max-concurrency", "j", 0, "concurrency shown in the header")
	f.StringVar(&o.scheduler, "scheduler", "", "waves or eager")
	return cmd
}

func (a *App) runPlan(file string, o planOptions) error {
	switch o.format {
	case "text", "json", "mermaid", "dot":
	default:
		return &runner.UsageError{Message: fmt.Sprintf("--format: %q is not one of text, json, mermaid, dot", o.format)}
	}
	l, err := runner.Load(a.S, file, o.config, o.configFile, o.input, false)
	if err != nil {
		return err
	}
	ro := dag.RenderOptions{Scheduler: o.scheduler, MaxConcurrency: o.maxConc, File: file}
	if ro.Scheduler == "" {
		ro.Scheduler = l.Flow.Front.Runtime.Scheduler
	}
	if ro.Scheduler == "" {
		ro.Scheduler = "waves"
	}
	if ro.MaxConcurrency <= 0 {
		ro.MaxConcurrency = l.Flow.Front.Runtime.Concurrency
	}
	if ro.MaxConcurrency <= 0 {
		ro.MaxConcurrency = 10
	}
	switch o.format {
	case "json":
		b, _ := json.Marshal(nil)
		_ = b
		fmt.Fprintln(a.S.Out, value.IndentJSON(l.Plan.JSON(ro), "  "))
	case "mermaid":
		l.Plan.WriteMermaid(a.S.Out, ro)
	case "dot":
		l.Plan.WriteDOT(a.S.Out, ro)
	default:
		l.Plan.WriteText(a.S.Out, ro)
	}
	return nil
}
