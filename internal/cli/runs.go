package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/parser"
	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/store"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// runsOptions are the flags of the runs commands.
type runsOptions struct {
	stateDir  string
	format    string
	limit     int
	node      string
	raw       bool
	keep      int
	olderThan string
	dryRun    bool
}

func (a *App) newRunsCmd() *cobra.Command {
	var o runsOptions
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "Look at stored runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return &runner.UsageError{Message: "runs needs a command: list, show, logs or prune",
				Hints: []string{"usage: flowscript runs list|show|logs|prune"}}
		},
	}
	cmd.PersistentFlags().StringVar(&o.stateDir, "state-dir", "", "run store location")

	list := &cobra.Command{
		Use:   "list [FILE]",
		Short: "List stored runs, newest first",
		Args:  maxArgs(1, "at most one workflow file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runsList(o, optArg(args, 0))
		},
	}
	list.Flags().IntVar(&o.limit, "limit", 20, "show at most N runs")
	list.Flags().StringVar(&o.format, "format", "text", "text or json")

	show := &cobra.Command{
		Use:   "show RUN [FILE]",
		Short: "Show a run's header and node table",
		Args:  runArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runsShow(o, args[0], optArg(args, 1))
		},
	}
	show.Flags().StringVar(&o.format, "format", "text", "text or json")

	logs := &cobra.Command{
		Use:   "logs RUN [FILE]",
		Short: "Print a run's journal as progress lines",
		Args:  runArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runsLogs(o, args[0], optArg(args, 1))
		},
	}
	logs.Flags().StringVar(&o.node, "node", "", "only the lines of node KEY")
	logs.Flags().BoolVar(&o.raw, "raw", false, "print the NDJSON as stored")

	prune := &cobra.Command{
		Use:   "prune [FILE]",
		Short: "Delete old run directories",
		Args:  maxArgs(1, "at most one workflow file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("keep") && o.olderThan != "" {
				o.keep = 0
			}
			return a.runsPrune(o, optArg(args, 0))
		},
	}
	prune.Flags().IntVar(&o.keep, "keep", 20, "keep the newest N runs")
	prune.Flags().StringVar(&o.olderThan, "older-than", "", "delete only runs started longer ago than DURATION")
	prune.Flags().BoolVar(&o.dryRun, "dry-run", false, "name the runs without deleting them")

	cmd.AddCommand(list, show, logs, prune)
	return cmd
}

func optArg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// cmdPath is the command's path without the program name ("runs show").
func cmdPath(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return &runner.UsageError{Message: fmt.Sprintf("%s takes %s, got %d arguments", cmdPath(cmd), what, len(args))}
		}
		return nil
	}
}

func runArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return &runner.UsageError{Message: cmdPath(cmd) + " needs a run id or last",
			Hints: []string{"usage: " + cmd.UseLine()}}
	}
	if len(args) > 2 {
		return &runner.UsageError{Message: fmt.Sprintf("%s takes a run and at most one workflow file, got %d arguments",
			cmdPath(cmd), len(args))}
	}
	return nil
}

// abs resolves a path against the invocation's directory.
func (a *App) abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(a.S.Cwd, p)
}

// runsStore finds the store (spec/cli.md §7) and the absolute workflow
// path ("" without FILE).
func (a *App) runsStore(o runsOptions, file string) (*store.Store, string) {
	wf := ""
	if file != "" {
		wf = a.abs(file)
	}
	dir := filepath.Join(a.S.Cwd, ".flowscript")
	switch {
	case o.stateDir != "":
		dir = a.abs(o.stateDir)
	case wf != "":
		dir = filepath.Join(filepath.Dir(wf), ".flowscript")
	}
	s := store.At(dir)
	s.Now = a.S.Now
	return s, wf
}

func checkFormat(f string) error {
	if f != "text" && f != "json" {
		return &runner.UsageError{Message: fmt.Sprintf("--format: %q is not one of text, json", f)}
	}
	return nil
}

// runError words a store error as a usage error (exit 2).
func runError(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &runner.UsageError{Message: strings.TrimSuffix(err.Error(), ": "+store.ErrNotFound.Error()) + " not found"}
	}
	return &runner.UsageError{Message: err.Error()}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

func runDuration(st *store.State) string {
	if st.EndedAt.IsZero() {
		return "-"
	}
	return units.FormatElapsed(st.Duration())
}

// writeTable writes rows with columns padded to the widest cell + 2; the
// last column is not padded.
func writeTable(w io.Writer, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]+2-len([]rune(c))))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

func (a *App) runsList(o runsOptions, file string) error {
	if err := checkFormat(o.format); err != nil {
		return err
	}
	if o.limit < 1 {
		return &runner.UsageError{Message: "--limit must be at least 1"}
	}
	s, wf := a.runsStore(o, file)
	all, err := s.List()
	if err != nil {
		return err
	}
	var sts []*store.State
	for _, st := range all {
		if wf != "" && st.Workflow.File != wf {
			continue
		}
		if len(sts) == o.limit {
			break
		}
		sts = append(sts, st)
	}
	if o.format == "json" {
		out := make([]any, len(sts))
		for i, st := range sts {
			var ended, dur any
			if !st.EndedAt.IsZero() {
				ended = st.EndedAt.UTC().Format(store.TimeLayout)
				dur = float64(st.Duration().Milliseconds())
			}
			var started any
			if !st.StartedAt.IsZero() {
				started = st.StartedAt.UTC().Format(store.TimeLayout)
			}
			out[i] = value.ObjectOf("run_id", st.RunID,
				"workflow", value.ObjectOf("name", st.Workflow.Name, "version", st.Workflow.Version, "file", st.Workflow.File),
				"status", st.Status, "attempt", float64(st.Attempt), "started_at", started, "ended_at", ended, "duration_ms", dur)
		}
		fmt.Fprintln(a.S.Out, value.IndentJSON(out, "  "))
		return nil
	}
	if len(sts) == 0 {
		fmt.Fprintln(a.S.Err, "no runs in "+s.Dir)
		return nil
	}
	rows := [][]string{{"RUN", "WORKFLOW", "STATUS", "ATTEMPT", "STARTED (UTC)", "DURATION"}}
	for _, st := range sts {
		rows = append(rows, []string{st.RunID, st.Workflow.Name, st.Status, strconv.Itoa(st.Attempt),
			stamp(st.StartedAt), runDuration(st)})
	}
	writeTable(a.S.Out, rows)
	return nil
}

func cut60(s string) string {
	r := []rune(s)
	if len(r) <= 60 {
		return s
	}
	return string(r[:60]) + "…"
}

func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

func (a *App) runsShow(o runsOptions, ref, file string) error {
	if err := checkFormat(o.format); err != nil {
		return err
	}
	s, wf := a.runsStore(o, file)
	st, err := s.Load(ref, wf)
	if err != nil {
		return runError(err)
	}
	if o.format == "json" {
		a.S.Out.Write(st.JSON())
		return nil
	}
	head := [][]string{
		{"run", st.RunID},
		{"workflow", strings.TrimSpace(st.Workflow.Name + " " + st.Workflow.Version)},
		{"file", st.Workflow.File},
		{"status", st.Status},
		{"attempt", strconv.Itoa(st.Attempt)},
		{"started", stamp(st.StartedAt) + " UTC"},
		{"duration", runDuration(st)},
	}
	if e := st.Error; e != nil {
		msg := "[" + e.Code + "] " + oneLine(e.Message)
		if e.Node != "" {
			msg = e.Node + ": " + msg
		}
		head = append(head, []string{"error", msg})
	}
	writeTable(a.S.Out, head)
	fmt.Fprintln(a.S.Out)
	rows := [][]string{{"NODE", "STATUS", "ATTEMPTS", "DURATION", "OUTPUT"}}
	for _, k := range st.Keys() {
		n := st.Nodes[k]
		status := n.Status
		if status == "pending" {
			status = "not run"
		}
		dur := "-"
		if !n.EndedAt.IsZero() {
			dur = units.FormatElapsed(time.Duration(n.DurationMS) * time.Millisecond)
		}
		out := ""
		switch {
		case n.HasOutput:
			out = cut60(string(value.AppendJSONPrefix(nil, n.Output, 240)))
		case n.Lost != "":
			out = "(" + n.Lost + ")"
		case n.Error != nil:
			out = cut60(oneLine("[" + n.Error.Code + "] " + n.Error.Message))
		}
		rows = append(rows, []string{k, status, strconv.Itoa(n.Attempts), dur, out})
	}
	writeTable(a.S.Out, rows)
	return nil
}

func (a *App) runsLogs(o runsOptions, ref, file string) error {
	s, wf := a.runsStore(o, file)
	data, id, err := s.ReadJournal(ref, wf)
	if err != nil {
		return runError(err)
	}
	if o.raw {
		if o.node != "" {
			if data, err = store.FilterRaw(data, o.node); err != nil {
				return runError(fmt.Errorf("run %q: %v", id, err))
			}
		}
		_, err := a.S.Out.Write(data)
		return err
	}
	po := store.PlainOptions{Node: o.node}
	if src, err := s.ReadWorkflow(id); err == nil {
		if flow, _ := parser.ParseFile(store.WorkflowFile, src); flow != nil {
			po.Nodes = len(flow.Nodes)
		}
	}
	if err := store.WritePlain(a.S.Out, data, po); err != nil {
		return runError(fmt.Errorf("run %q: %v", id, err))
	}
	return nil
}

func (a *App) runsPrune(o runsOptions, file string) error {
	if o.keep < 0 {
		return &runner.UsageError{Message: "--keep must not be negative"}
	}
	var older time.Duration
	if o.olderThan != "" {
		ms, err := units.ParseDuration(o.olderThan)
		if err != nil || ms == 0 {
			return &runner.UsageError{Message: fmt.Sprintf("--older-than: invalid duration %q", o.olderThan)}
		}
		older = time.Duration(ms) * time.Millisecond
	}
	s, _ := a.runsStore(o, file)
	if _, err := os.Stat(s.Dir); err != nil {
		fmt.Fprintln(a.S.Err, "no runs in "+s.Dir)
		return nil
	}
	ids, err := s.Prune(o.keep, older, o.dryRun)
	verb := "deleted"
	if o.dryRun {
		verb = "would delete"
	}
	for _, id := range ids {
		fmt.Fprintln(a.S.Err, verb+" "+id)
	}
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		fmt.Fprintln(a.S.Err, "nothing to prune")
	}
	return nil
}
