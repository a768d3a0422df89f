package checkpoint_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/checkpoint"
	"github.com/flowscript/flowscript/internal/cli"
	"github.com/flowscript/flowscript/internal/runner"
)

const flow = `---
name: rel
version: 1
---
<workflow>
  <checkpoint id="review" default="reject" timeout="30m">
    <prompt>Release?</prompt>
    <action id="ship" label="Ship it" goto="publish"/>
    <action id="edit" label="Request changes" ask="What should change?" goto="revise"/>
    <action id="reject" label="Stop"/>
  </checkpoint>
  <transform id="publish" type="template" template="published"/>
  <transform id="revise" type="template" template="revise: {{ review.input }}"/>
  <output expr="{by: review.by, publish: publish, revise: revise}"/>
</workflow>
`

// TestRunExitCodes runs the CLI with a Prompter on a typed input, the way
// Main wires it on a terminal, and checks the exit codes of
// execution.md §18.
func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rel.flow.md")
	if err := os.WriteFile(file, []byte(flow), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		typed  string // nil Prompt when empty: not interactive
		code   int
		stdout string
		stderr string
	}{
		{name: "prompt edit", typed: "2\nshorter intro\n", code: cli.ExitOK,
			stdout: `"by": "tty"`, stderr: "What should change?: "},
		{name: "prompt reject", typed: "3\n", code: cli.ExitRejected, stderr: "error[R614]"},
		{name: "prompt end of input", typed: "\x00", code: cli.ExitRejected, stderr: "[default reject, 30m00s left]: \n"},
		{name: "flag wins over prompt", args: []string{"--approve", "review=ship"}, typed: "3\n", code: cli.ExitOK,
			stdout: `"publish": "published"`},
		{name: "non-interactive flag", args: []string{"--non-interactive"}, typed: "1\n", code: cli.ExitRejected},
		{name: "not interactive", code: cli.ExitRejected, stderr: `rejected at checkpoint (action "reject")`},
		{name: "flag", args: []string{"--approve", "review=edit:x"}, code: cli.ExitOK, stdout: `"revise": "revise: x"`},
		{name: "unknown id", args: []string{"--approve", "nope"}, code: cli.ExitUsage, stderr: `unknown checkpoint "nope"`},
		{name: "unknown action", args: []string{"--approve", "review=nope"}, code: cli.ExitUsage, stderr: `unknown action "nope"`},
	}
	frozen := time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			typed := strings.TrimSuffix(tt.typed, "\x00")
			s := runner.Streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: os.LookupEnv, Cwd: dir,
				Now: func() time.Time { return frozen }}
			if tt.typed != "" {
				s.Prompt = (&checkpoint.Prompter{In: strings.NewReader(typed), Out: &errb, Now: s.Now}).Ask
			}
			args := append([]string{"run", file, "--progress", "none"}, tt.args...)
			code := cli.Run(context.Background(), args, s, false)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstderr:\n%s", code, tt.code, errb.String())
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, out.String())
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errb.String())
			}
		})
	}
}
