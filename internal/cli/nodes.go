package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/value"
)

func (a *App) newNodesCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "nodes [KIND]",
		Short: "Node and field reference",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set := fields.Builtin()
			switch format {
			case "json":
				fmt.Fprintln(a.S.Out, value.IndentJSON(set.JSON(), "  "))
				return nil
			case "schema":
				fmt.Fprintln(a.S.Out, value.IndentJSON(set.JSONSchema(), "  "))
				return nil
			case "text":
			default:
				return &runner.UsageError{Message: fmt.Sprintf("--format: %q is not one of text, json, schema", format)}
			}
			if len(args) == 0 {
				set.WriteList(a.S.Out)
				return nil
			}
			if err := set.WriteKind(a.S.Out, args[0]); err != nil {
				var uk *fields.UnknownKindError
				if errors.As(err, &uk) {
					ue := &runner.UsageError{Message: fmt.Sprintf("unknown node kind %q", args[0])}
					if h := uk.Hint(); h != "" {
						ue.Hints = []string{h}
					}
					return ue
				}
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, json or schema")
	return cmd
}
