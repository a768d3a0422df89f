package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/value"
)

// Version is the FlowScript version; commit and date come from the build
// information when available.
const Version = "0.1.0"

func buildInfo() (commit, built string) {
	commit, built = "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if len(s.Value) >= 7 {
					commit = s.Value[:7]
				}
			case "vcs.time":
				if len(s.Value) >= 10 {
					built = s.Value[:10]
				}
			}
		}
	}
	return
}

func versionString() string {
	commit, built := buildInfo()
	return fmt.Sprintf("flowscript %s (commit %s, built %s, %s, %s/%s)", Version, commit, built, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func (a *App) newVersionCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text":
				fmt.Fprintln(a.S.Out, versionString())
			case "json":
				commit, built := buildInfo()
				fmt.Fprintln(a.S.Out, value.JSON(value.ObjectOf("version", Version, "commit", commit, "built", built,
					"go", runtime.Version(), "platform", runtime.GOOS+"/"+runtime.GOARCH)))
			default:
				return &runner.UsageError{Message: fmt.Sprintf("--format: %q is not one of text, json", format)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}
