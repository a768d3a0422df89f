package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/runner"
)

// completionShells are the shells `flowscript completion` writes scripts
// for (spec/cli.md §10).
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

func (a *App) newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "completion SHELL",
		Short:     "Print a shell completion script (bash, zsh, fish or powershell)",
		ValidArgs: completionShells,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &runner.UsageError{Message: "completion needs one shell: bash, zsh, fish or powershell",
					Hints: []string{"usage: " + cmd.UseLine()}}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, w := cmd.Root(), a.S.Out
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, true)
			case "zsh":
				return root.GenZshCompletion(w)
			case "fish":
				return root.GenFishCompletion(w, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(w)
			}
			ue := &runner.UsageError{Message: fmt.Sprintf("unknown shell %q", args[0])}
			if s, ok := suggestWord(args[0], completionShells); ok {
				ue.Hints = []string{fmt.Sprintf("did you mean %q?", s)}
			} else {
				ue.Hints = []string{"shells: bash, zsh, fish, powershell"}
			}
			return ue
		},
	}
}

func suggestWord(w string, words []string) (string, bool) {
	for _, c := range words {
		if strings.HasPrefix(c, w) || strings.HasPrefix(w, c) {
			return c, true
		}
	}
	return "", false
}

// addCommands adds the subcommands to root and wires the dynamic
// completions that span commands: --format values, node kinds, workflow
// files, run ids for --resume and the runs commands.
func (a *App) addCommands(root *cobra.Command, cmds ...*cobra.Command) {
	root.AddCommand(cmds...)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		wireCompletions(c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// formatValues lists the --format values by command path, for commands
// whose flag usage does not list them as "a, b or c".
var formatValues = map[string][]string{
	"flowscript plan":     {"text", "json", "mermaid", "dot"},
	"flowscript validate": {"text", "json"},
	"flowscript inspect":  {"text", "json"},
	"flowscript nodes":    {"text", "json", "schema"},
	"flowscript version":  {"text", "json"},
	"flowscript test":     {"text", "json", "junit"},
}

func wireCompletions(c *cobra.Command) {
	if f := c.Flags().Lookup("format"); f != nil {
		vals := formatValues[c.CommandPath()]
		if vals == nil {
			vals = usageWords(f.Usage)
		}
		if vals != nil {
			_ = c.RegisterFlagCompletionFunc("format", func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
				return withPrefix(vals, prefix), cobra.ShellCompDirectiveNoFileComp
			})
		}
	}
	if c.Flags().Lookup("resume") != nil {
		_ = c.RegisterFlagCompletionFunc("resume", func(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return withPrefix(runIDs(cmd, args), prefix), cobra.ShellCompDirectiveNoFileComp
		})
	}
	if c.Flags().Lookup("state-dir") != nil {
		_ = c.RegisterFlagCompletionFunc("state-dir", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		})
	}
	if c.ValidArgsFunction != nil || len(c.ValidArgs) > 0 {
		return
	}
	switch c.CommandPath() {
	case "flowscript nodes":
		c.ValidArgsFunction = nodeKinds
	case "flowscript run", "flowscript plan", "flowscript validate", "flowscript inspect", "flowscript fmt",
		"flowscript test", "flowscript runs list", "flowscript runs prune":
		c.ValidArgsFunction = flowFileArgs
	case "flowscript runs show", "flowscript runs logs":
		c.ValidArgsFunction = func(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return withPrefix(runIDs(cmd, args), prefix), cobra.ShellCompDirectiveNoFileComp
			}
			return flowFileArgs(cmd, args, "")
		}
	}
}

// withPrefix keeps the words that start with prefix.
func withPrefix(words []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}

// usageWords reads the values out of a flag usage written as
// "text, json or schema"; nil when it is not such a list.
func usageWords(usage string) []string {
	usage = strings.ReplaceAll(usage, " or ", ", ")
	var out []string
	for _, w := range strings.Split(usage, ",") {
		w = strings.TrimSpace(w)
		if w == "" || strings.ContainsAny(w, " :=") {
			return nil
		}
		out = append(out, w)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// nodeKinds completes the KIND argument of `flowscript nodes`.
func nodeKinds(_ *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, e := range fields.Builtin().All() {
		if !strings.HasPrefix(e.Kind, prefix) {
			continue
		}
		out = append(out, cobra.CompletionWithDesc(e.Kind, e.Desc))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// flowFileArgs completes workflow files (*.md) and directories.
func flowFileArgs(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return []cobra.Completion{"md"}, cobra.ShellCompDirectiveFilterFileExt
}

// runIDs lists the stored run ids, newest first, with "last": from
// --state-dir when given, else .flowscript next to the first .md argument,
// else .flowscript in the current directory (spec/cli.md §7).
func runIDs(cmd *cobra.Command, args []string) []cobra.Completion {
	var dirs []string
	if f := cmd.Flags().Lookup("state-dir"); f != nil && f.Changed {
		dirs = append(dirs, f.Value.String())
	}
	for _, a := range args {
		if strings.HasSuffix(a, ".md") {
			dirs = append(dirs, filepath.Join(filepath.Dir(a), ".flowscript"))
			break
		}
	}
	dirs = append(dirs, ".flowscript")
	for _, d := range dirs {
		entries, err := os.ReadDir(filepath.Join(d, "runs"))
		if err != nil {
			continue
		}
		var ids []string
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				ids = append(ids, e.Name())
			}
		}
		slices.Sort(ids)
		slices.Reverse(ids)
		return append([]cobra.Completion{"last"}, ids...)
	}
	return []cobra.Completion{"last"}
}
