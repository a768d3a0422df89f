// Package progress renders run events for people: the plain line format
// of spec/cli.md §12.3 (also used when stderr is not a terminal), and the
// summary and failure report printed at the end of a run.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/units"
)

// Plain prints one line per event (cli.md §12.3). It is safe for
// concurrent use.
type Plain struct {
	mu     sync.Mutex
	w      io.Writer
	inWave bool
	// Mask replaces secret values in text before it is written.
	Mask func(string) string
}

// NewPlain returns a plain printer writing to w.
func NewPlain(w io.Writer) *Plain { return &Plain{w: w, Mask: func(s string) string { return s }} }

// Header prints the run line.
func (p *Plain) Header(runID, name, version string, nodes, waves, maxConc int) {
	p.line(fmt.Sprintf("run %s %s %s: %d nodes, %d waves, max concurrency %d", runID, name, version, nodes, waves, maxConc))
}

func (p *Plain) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inWave {
		s = "  " + s
	}
	io.WriteString(p.w, p.Mask(s)+"\n")
}

func word(w string) string {
	if len(w) >= 6 {
		return w + " "
	}
	return w + strings.Repeat(" ", 6-len(w))
}

// Event renders one event.
func (p *Plain) Event(ev *exec.Event) {
	ev = maskLog(ev, p.Mask)
	switch ev.Type {
	case exec.EvWaveStart:
		if ev.Scope != "" {
			return
		}
		p.mu.Lock()
		p.inWave = false
		p.mu.Unlock()
		line, _ := EventLine(ev)
		p.line(line)
		p.mu.Lock()
		p.inWave = true
		p.mu.Unlock()
		return
	case exec.EvWaveEnd:
		if ev.Scope == "" {
			p.mu.Lock()
			p.inWave = false
			p.mu.Unlock()
		}
		return
	}
	if line, ok := EventLine(ev); ok {
		p.line(line)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Counts renders the non-zero counts in the order ok, failed, skipped,
// cancelled, not run ("4 ok, 1 failed").
func Counts(c exec.Counts) string {
	var parts []string
	add := func(n int, w string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, w))
		}
	}
	add(c.Success, "ok")
	add(c.Failed, "failed")
	add(c.Skipped, "skipped")
	add(c.Cancelled, "cancelled")
	add(c.NotRun, "not run")
	if len(parts) == 0 {
		return "no nodes"
	}
	return strings.Join(parts, ", ")
}

// Done prints the final line.
func (p *Plain) Done(rep *exec.Report) {
	p.mu.Lock()
	p.inWave = false
	p.mu.Unlock()
	p.line(fmt.Sprintf("done %s in %s: %s", rep.Status, units.FormatElapsed(rep.End.Sub(rep.Start)), Counts(rep.Counts)))
}
