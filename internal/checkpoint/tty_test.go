package checkpoint

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The release checkpoint of spec/nodes.md §7, run for real.
const releaseFlow = `---
name: rel
version: 1
input:
  tag: {type: string, default: "v1.4.2"}
---
<workflow>
  <checkpoint id="review" default="reject" timeout="30m">
    <prompt>Release {{ $input.tag }}?</prompt>
    <action id="ship" label="Ship it" goto="publish"/>
    <action id="edit" label="Request changes" ask="What should change?" goto="revise"/>
    <action id="reject" label="Stop"/>
  </checkpoint>
  <transform id="publish" type="template" template="published"/>
  <transform id="revise" type="template" template="revise: {{ review.input }}"/>
  <output>
    <set field="by" expr="review.by"/>
    <set field="publish" expr="publish"/>
    <set field="revise" expr="revise"/>
  </output>
</workflow>
`

// A checkpoint that gives up waiting after a second.
const hurryFlow = `---
name: hurry
version: 1
---
<workflow>
  <checkpoint id="gate" default="approve" timeout="1s">
    <prompt>Go on?</prompt>
  </checkpoint>
  <output expr="gate.action + ' by ' + gate.by"/>
</workflow>
`

// wait is a string the screen must show n times.
type wait struct {
	s string
	n int
}

const promptBlock = `checkpoint review: Release v1.4.2?
  1) ship     Ship it
  2) edit     Request changes
  3) reject   Stop
choose 1-3 or an action id [default reject, 30m00s left]: `

// TestTerminal runs `flowscript run` in a real pseudo-terminal (tmux),
// types the answers and reads the screen.
func TestTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the flowscript binary")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is needed for the terminal test: apt-get install -y tmux")
		}
		t.Skip("no tmux: terminal test skipped")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "flowscript")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(gobin, "build", "-o", bin, "github.com/flowscript/flowscript/cmd/flowscript").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for name, src := range map[string]string{"rel.flow.md": releaseFlow, "hurry.flow.md": hurryFlow} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name string
		flow string
		keys [][]string // each after the screen shows its wait string
		wait []wait
		want []string // on the screen, in order
		exit string
	}{
		{
			name: "edit with text",
			flow: "rel.flow.md",
			wait: []wait{{"left]: ", 1}, {"What should change?: ", 1}},
			keys: [][]string{{"2", "Enter"}, {"-l", "shorter intro"}, {"Enter"}},
			want: []string{promptBlock + "2\nWhat should change?: shorter intro\n", "skip  publish: not activated",
				`"by": "tty"`, `"publish": null`, `"revise": "revise: shorter intro"`},
			exit: "EXIT=0",
		},
		{
			name: "ship by label",
			flow: "rel.flow.md",
			wait: []wait{{"left]: ", 1}},
			keys: [][]string{{"-l", "SHIP IT"}, {"Enter"}},
			want: []string{promptBlock + "SHIP IT\n", "skip  revise: not activated", `"publish": "published"`},
			exit: "EXIT=0",
		},
		{
			name: "reject",
			flow: "rel.flow.md",
			wait: []wait{{"left]: ", 1}},
			keys: [][]string{{"stop", "Enter"}},
			want: []string{promptBlock + "stop\n", `error[R614]: node "review" failed: rejected at checkpoint (action "reject")`},
			exit: "EXIT=3",
		},
		{
			name: "three wrong answers",
			flow: "rel.flow.md",
			wait: []wait{{"left]: ", 1}, {"left]: ", 2}, {"left]: ", 3}},
			keys: [][]string{{"yes", "Enter"}, {"y", "Enter"}, {"ok", "Enter"}},
			want: []string{promptBlock + "yes\nno action \"yes\"\n", `no action "ok"; using the default "reject"`, "error[R614]"},
			exit: "EXIT=3",
		},
		{
			name: "ctrl-c",
			flow: "rel.flow.md",
			wait: []wait{{"left]: ", 1}},
			keys: [][]string{{"C-c"}},
			want: []string{promptBlock + "^C\n", "done interrupted"},
			exit: "EXIT=130",
		},
		{
			name: "timeout",
			flow: "hurry.flow.md",
			want: []string{"checkpoint gate: Go on?\n  1) approve\n  2) reject\nchoose 1-2 or an action id [default approve, 1s left]: \n",
				"\napprove by timeout\n"},
			exit: "EXIT=0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sock, err := os.MkdirTemp("", "fs-tmux")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(sock)
			tm := func(args ...string) string {
				t.Helper()
				out, err := exec.Command(tmux, append([]string{"-S", filepath.Join(sock, "s"), "-f", "/dev/null"}, args...)...).CombinedOutput()
				if err != nil {
					t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			shell := "cd " + dir + " && env -u CI NO_COLOR=1 FLOWSCRIPT_TEST_CLOCK=2026-11-25T10:15:00Z " +
				"./flowscript run " + tt.flow + " --progress plain; echo EXIT=$?; sleep 60"
			tm("new-session", "-d", "-s", "t", "-x", "200", "-y", "60", shell)
			defer tm("kill-server")
			screen := func() string { return tm("capture-pane", "-p", "-J", "-S", "-", "-t", "t") }
			waitFor := func(w wait) string {
				t.Helper()
				for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
					if sc := screen(); strings.Count(sc, w.s) >= w.n {
						return sc
					}
				}
				t.Fatalf("screen never showed %d× %q:\n%s", w.n, w.s, screen())
				return ""
			}
			for i, keys := range tt.keys {
				if i < len(tt.wait) {
					waitFor(tt.wait[i])
				}
				tm(append([]string{"send-keys", "-t", "t"}, keys...)...)
			}
			sc := waitFor(wait{"EXIT=", 1})
			// The screen has trailing blanks on the prompt line; compare
			// without them.
			var lines []string
			for _, l := range strings.Split(sc, "\n") {
				lines = append(lines, strings.TrimRight(l, " "))
			}
			sc = strings.TrimRight(strings.Join(lines, "\n"), "\n")
			rest := sc
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, ": \n", ":\n")
				w = strings.TrimRight(w, " ")
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("screen lacks (in order) %q:\n%s", w, sc)
				}
				rest = rest[i+len(w):]
			}
			if !strings.Contains(sc, tt.exit) {
				t.Errorf("want %s:\n%s", tt.exit, sc)
			}
		})
	}
}
