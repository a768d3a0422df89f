package progress

import (
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/units"
)

// Printer is a progress display: the run line, the events, and the final
// summary line.
type Printer interface {
	exec.Observer
	Header(runID, name, version string, nodes, waves, maxConc int)
	Done(rep *exec.Report)
}

// Mode picks the display for --progress (spec/cli.md §12.1): "auto"
// becomes "github" when GITHUB_ACTIONS=true, else "live" when stderr is a
// terminal, TERM is not dumb and CI is not true, else "plain". Explicit
// modes are returned as given, except that "live" falls back to "plain"
// when stderr is not a terminal.
func Mode(flag string, getenv func(string) (string, bool), errTTY bool) string {
	env := func(k string) string {
		if getenv == nil {
			return ""
		}
		v, _ := getenv(k)
		return v
	}
	switch flag {
	case "", "auto":
		if env("GITHUB_ACTIONS") == "true" {
			return "github"
		}
		if errTTY && env("TERM") != "dumb" && env("CI") != "true" {
			return "live"
		}
		return "plain"
	case "live":
		if !errTTY {
			return "plain"
		}
	}
	return flag
}

// IsTerminal reports whether w is a terminal file.
func IsTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// maskLog returns ev with its log line masked as a line of its own, so a
// short secret that makes up the whole line is caught (execution.md §15)
// before the line is embedded in a longer one; other events as they are.
func maskLog(ev *exec.Event, mask func(string) string) *exec.Event {
	if ev.Type != exec.EvNodeLog || mask == nil {
		return ev
	}
	c := *ev
	c.Line = mask(ev.Line)
	return &c
}

// EventLine is the unindented plain line of one event (cli.md §12.3), or
// false when the event prints nothing (wave ends, retried starts, nested
// wave starts).
func EventLine(ev *exec.Event) (string, bool) {
	switch ev.Type {
	case exec.EvWaveStart:
		if ev.Scope != "" {
			return "", false
		}
		return fmt.Sprintf("wave %d/%d: %s", ev.Wave, ev.Waves, strings.Join(ev.Nodes, ", ")), true
	case exec.EvNodeStart:
		if ev.Attempt > 1 {
			return "", false
		}
		return word("start") + ev.Inst.Key + " (" + ev.Inst.Node.Kind + ")", true
	case exec.EvNodeLog:
		sep := " | "
		if ev.Stream == "stderr" {
			sep = " ! "
		}
		return ev.Inst.Key + sep + ev.Line, true
	case exec.EvNodeRetry:
		return fmt.Sprintf("%s%s in %s: attempt %d failed: [%s] %s", word("retry"), ev.Inst.Key,
			units.FormatElapsed(time.Duration(ev.DelayMS)*time.Millisecond), ev.Attempt, ev.Error.Code, ev.Error.Message), true
	case exec.EvNodeSkip:
		return word("skip") + ev.Inst.Key + ": " + ev.Inst.Reason, true
	case exec.EvCheckpointWait:
		return word("wait") + ev.Inst.Key + ": " + firstLine(ev.Checkpoint.Prompt), true
	case exec.EvCheckpointDecision:
		return word("decide") + ev.Inst.Key + ": " + ev.Decision.Action + " (by " + ev.Decision.By + ")", true
	case exec.EvNodeEnd:
		in := ev.Inst
		switch in.Status {
		case exec.StatusSuccess:
			s := word("ok") + in.Key + " " + units.FormatElapsed(in.Duration())
			if in.RecoveredBy != "" {
				s += " (recovered by " + in.RecoveredBy + ")"
			}
			return s, true
		case exec.StatusFailed:
			return fmt.Sprintf("%s%s %s: [%s] %s", word("FAIL"), in.Key, units.FormatElapsed(in.Duration()), in.Err.Code, firstLine(in.Err.Message)), true
		case exec.StatusCancelled:
			return word("cancel") + in.Key, true
		}
	}
	return "", false
}

// headerLine is the run line.
func headerLine(runID, name, version string, nodes, waves, maxConc int) string {
	return fmt.Sprintf("run %s %s %s: %d nodes, %d waves, max concurrency %d", runID, name, version, nodes, waves, maxConc)
}

// doneLine is the final line.
func doneLine(rep *exec.Report) string {
	return fmt.Sprintf("done %s in %s: %s", rep.Status, units.FormatElapsed(rep.End.Sub(rep.Start)), Counts(rep.Counts))
}

// isLeaf reports whether the instance's node holds no inner scopes.
func isLeaf(in *exec.Instance) bool { return in != nil && in.Node != nil && len(in.Node.Scopes) == 0 }
