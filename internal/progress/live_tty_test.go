package progress

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const ttyFlow = `---
name: tty
version: 1
---
<workflow>
  <source id="slow" type="exec" command="for i in 1 2 3 4 5 6; do echo step $i; sleep 0.2; done"/>
  <source id="quick" type="exec" command="sleep 0.3; echo quick"/>
  <foreach id="each" collection="[1, 2, 3, 4, 5]">
    <transform id="work" type="exec" command="sleep 0.15; echo item"/>
  </foreach>
  <transform id="after" type="exec" input="slow" command="cat >/dev/null; echo after"/>
</workflow>
`

// TestLiveInTerminal runs the real binary in a tmux pane (a pseudo-
// terminal), narrows the pane while it runs, and checks the final screen:
// the finished lines and the summary, and no running-area line left over.
func TestLiveInTerminal(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is needed in CI for the live display test")
		}
		t.Skip("tmux not installed (apt-get install -y tmux); skipping the pseudo-terminal test")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "flowscript")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/flowscript")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "tty.flow.md"), []byte(ttyFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := "fs-live-" + filepath.Base(dir)
	run := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-L", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	script := "cd " + dir + " && env -u CI -u GITHUB_ACTIONS -u NO_COLOR ./flowscript run tty.flow.md -j 4; echo EXIT=$? > exit.txt; sleep 60"
	run("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "sh", "-c", script)
	t.Cleanup(func() { exec.Command(tmux, "-L", sock, "kill-server").Run() })

	deadline := time.Now().Add(20 * time.Second)
	sawArea, sawCount, resized := false, false, false
	start := time.Now()
	for {
		if _, err := os.Stat(filepath.Join(dir, "exit.txt")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not finish; screen:\n%s", run("capture-pane", "-p", "-t", "t"))
		}
		pane := run("capture-pane", "-p", "-t", "t")
		if strings.Contains(pane, "each (foreach)") || strings.Contains(pane, "slow (source/exec)") {
			sawArea = true
		}
		if regexp.MustCompile(`each \(foreach\) .*\] [0-5]/5`).MatchString(pane) {
			sawCount = true
		}
		if !resized && time.Since(start) > 500*time.Millisecond {
			run("resize-window", "-t", "t", "-x", "50", "-y", "40")
			resized = true
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	pane := run("capture-pane", "-p", "-J", "-S", "-", "-t", "t")
	exit, _ := os.ReadFile(filepath.Join(dir, "exit.txt"))
	if strings.TrimSpace(string(exit)) != "EXIT=0" {
		t.Fatalf("%s; screen:\n%s", exit, pane)
	}
	if !sawArea {
		t.Errorf("never saw the running area")
	}
	if !sawCount {
		t.Errorf("never saw the foreach bar with its item count (N/5)")
	}
	for _, want := range []string{"run 2026", "ok    slow", "ok    quick", "ok    each[4]/work", "ok    after", "done success in "} {
		if !strings.Contains(pane, want) && !strings.Contains(pane, strings.Replace(want, "run 2026", "run 20", 1)) {
			t.Errorf("final screen lacks %q:\n%s", want, pane)
		}
	}
	for _, sp := range spinner {
		if strings.Contains(pane, sp) {
			t.Errorf("spinner %q left on the final screen:\n%s", sp, pane)
		}
	}
	lines := strings.Split(strings.TrimRight(pane, "\n "), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "done success in ") {
		t.Errorf("last line %q, want the summary; screen:\n%s", last, pane)
	}
}
