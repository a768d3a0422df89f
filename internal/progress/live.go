package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/units"
)

// Live is the terminal display (spec/cli.md §12.5): finished nodes print
// their plain line; below them an area, redrawn at most ten times a
// second, lists the running nodes with a spinner, the elapsed time, the
// last output line of exec nodes and a bar for foreach. The area is
// cleared before the final summary. Lines are cut to the terminal width so
// the area can always be erased, and on a resize it is redrawn at once.
// It is safe for concurrent use.
type Live struct {
	mu      sync.Mutex
	w       io.Writer
	size    func() int
	color   bool
	now     func() time.Time
	pending []string // finished lines not yet written
	tasks   []*liveTask
	byInst  map[*exec.Instance]*liveTask
	area    []int // widths of the area lines now on screen
	frame   int
	inWave  bool
	stop    chan struct{}
	stopped chan struct{}
	// Mask replaces secret values in text before it is written.
	Mask func(string) string
	// Interval is the redraw period (default 100ms).
	Interval time.Duration
}

type liveTask struct {
	in    *exec.Instance
	kind  string
	start time.Time
	last  string
	// foreach: iterations (-1 unknown), body nodes, ended body instances.
	total, body, ended int
}

// NewLive returns a live display writing to w. width reports the terminal
// width (nil: the width of w when it is a terminal, else 80); color turns
// on ANSI colours, which never change the characters printed.
func NewLive(w io.Writer, width func() int, color bool) *Live {
	if width == nil {
		width = func() int { return 80 }
		if f, ok := w.(*os.File); ok {
			fd := int(f.Fd())
			width = func() int {
				if c, _, err := term.GetSize(fd); err == nil && c > 0 {
					return c
				}
				return 80
			}
		}
	}
	return &Live{w: w, size: width, color: color, now: time.Now, byInst: map[*exec.Instance]*liveTask{},
		Mask: func(s string) string { return s }, Interval: 100 * time.Millisecond}
}

// Header prints the run line and starts the redraw loop.
func (l *Live) Header(runID, name, version string, nodes, waves, maxConc int) {
	l.mu.Lock()
	l.pending = append(l.pending, headerLine(runID, name, version, nodes, waves, maxConc))
	l.render()
	l.start()
	l.mu.Unlock()
}

// start runs the redraw loop unless it runs; the caller holds mu.
func (l *Live) start() {
	if l.stop == nil {
		l.stop, l.stopped = make(chan struct{}), make(chan struct{})
		go l.loop(l.stop, l.stopped)
	}
}

// Resume starts redrawing again after Clear (a prompt was answered).
func (l *Live) Resume() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.start()
}

func (l *Live) loop(stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	t := time.NewTicker(l.Interval)
	defer t.Stop()
	resize, cancel := notifyResize()
	defer cancel()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		case <-resize:
		}
		l.mu.Lock()
		l.frame++
		l.render()
		l.mu.Unlock()
	}
}

func (l *Live) paint(code, s string) string {
	if !l.color || code == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// finished queues a finished line with the plain indentation; the word
// before the key is coloured.
func (l *Live) finished(line string) {
	code := ""
	switch {
	case strings.HasPrefix(line, "ok "):
		code = "32"
	case strings.HasPrefix(line, "FAIL "):
		code = "31;1"
	case strings.HasPrefix(line, "skip "), strings.HasPrefix(line, "cancel "):
		code = "2"
	case strings.HasPrefix(line, "retry "):
		code = "33"
	}
	if code != "" {
		w, rest, _ := strings.Cut(line, " ")
		line = l.paint(code, w) + " " + rest
	}
	if l.inWave {
		line = "  " + line
	}
	l.pending = append(l.pending, line)
}

// Event records one event; the screen follows at the next redraw.
func (l *Live) Event(ev *exec.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev = maskLog(ev, l.Mask)
	switch ev.Type {
	case exec.EvWaveStart:
		if ev.Scope == "" {
			l.inWave = false
			line, _ := EventLine(ev)
			l.finished(line)
			l.inWave = true
		}
	case exec.EvWaveEnd:
		if ev.Scope == "" {
			l.inWave = false
		}
	case exec.EvNodeStart:
		if l.byInst[ev.Inst] != nil {
			return
		}
		t := &liveTask{in: ev.Inst, kind: ev.Inst.Node.Kind, start: ev.Time, total: -1}
		if t.start.IsZero() {
			t.start = l.now()
		}
		if n := ev.Inst.Node; n.Tag == "foreach" && len(n.Scopes) > 0 {
			for _, b := range n.Scopes[0].Nodes {
				if !b.Handler && b.Parent == n {
					t.body++
				}
			}
		}
		l.tasks = append(l.tasks, t)
		l.byInst[ev.Inst] = t
	case exec.EvNodeLog:
		if t := l.byInst[ev.Inst]; t != nil {
			t.last = ev.Line
		}
	case exec.EvForeachItems:
		if t := l.byInst[ev.Inst]; t != nil {
			t.total = ev.Count
		}
	case exec.EvNodeRetry:
		line, _ := EventLine(ev)
		l.finished(line)
	case exec.EvNodeSkip, exec.EvNodeEnd:
		if line, ok := EventLine(ev); ok {
			l.finished(line)
		}
		l.countIteration(ev.Inst)
		if t := l.byInst[ev.Inst]; t != nil && ev.Type == exec.EvNodeEnd {
			delete(l.byInst, ev.Inst)
			for i, x := range l.tasks {
				if x == t {
					l.tasks = append(l.tasks[:i], l.tasks[i+1:]...)
					break
				}
			}
		}
	}
}

// countIteration advances the bar of the foreach running in's body.
func (l *Live) countIteration(in *exec.Instance) {
	p := in.Node.Parent
	if p == nil || p.Tag != "foreach" {
		return
	}
	for _, t := range l.tasks {
		if t.in.Node == p && strings.HasPrefix(in.Key, t.in.Key+"[") {
			t.ended++
			return
		}
	}
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// areaLines renders the running nodes, each cut to cols-1 characters.
func (l *Live) areaLines(cols int) ([]string, []int) {
	const maxRows = 12
	var lines []string
	var widths []int
	add := func(plain, colored string) {
		lines = append(lines, colored)
		widths = append(widths, utf8.RuneCountInString(plain))
	}
	now := l.now()
	for i, t := range l.tasks {
		if i == maxRows-1 && len(l.tasks) > maxRows {
			s := cut(fmt.Sprintf("  … and %d more running", len(l.tasks)-i), cols-1)
			add(s, s)
			break
		}
		spin := spinner[l.frame%len(spinner)]
		text := fmt.Sprintf("%s (%s) %s", t.in.Key, t.kind, units.FormatElapsed(now.Sub(t.start)))
		if t.body > 0 {
			done := t.ended / t.body
			if t.total >= 0 {
				text += " " + bar(done, t.total, 20) + fmt.Sprintf(" %d/%d", done, t.total)
			} else {
				text += fmt.Sprintf(" %d done", done)
			}
		}
		if t.last != "" {
			text += " │ " + clean(l.Mask(t.last))
		}
		text = cut(l.Mask(text), cols-3)
		add(spin+" "+text, l.paint("36", spin)+" "+text)
	}
	return lines, widths
}

func bar(done, total, width int) string {
	if total <= 0 {
		return "[" + strings.Repeat("-", width) + "]"
	}
	n := min(done*width/total, width)
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]"
}

// clean replaces control characters so a line cannot move the cursor.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// cut keeps at most n characters.
func cut(s string, n int) string {
	if n < 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n-1 {
			return s[:k] + "…"
		}
		i++
	}
	return s
}

// erase returns the escape codes that move to the first row of the area
// and clear to the end of the screen. Rows are counted at the current
// width so an area reflowed by a narrower terminal is erased whole.
func (l *Live) erase(cols int) string {
	rows := 0
	for _, w := range l.area {
		rows += max(1, (w+cols-1)/cols)
	}
	if rows == 0 {
		return ""
	}
	return fmt.Sprintf("\r\x1b[%dA\x1b[J", rows)
}

// erasePending starts a write that erases the area and prints the
// finished lines waiting for it; the caller holds mu.
func (l *Live) erasePending(cols int) *strings.Builder {
	b := &strings.Builder{}
	b.WriteString(l.erase(cols))
	for _, p := range l.pending {
		b.WriteString(l.Mask(p) + "\n")
	}
	l.pending = l.pending[:0]
	return b
}

// render writes the pending finished lines and redraws the area in one
// write; the caller holds mu.
func (l *Live) render() {
	cols := max(l.size(), 4)
	b := l.erasePending(cols)
	lines, widths := l.areaLines(cols)
	for _, s := range lines {
		b.WriteString(s + "\n")
	}
	l.area = widths
	if b.Len() > 0 {
		io.WriteString(l.w, b.String())
	}
}

// Clear stops the redraw loop and erases the area (before a prompt or
// the end of the run). Resume starts the loop again.
func (l *Live) Clear() {
	l.mu.Lock()
	stop, stopped := l.stop, l.stopped
	l.stop = nil
	l.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.erasePending(max(l.size(), 4))
	l.area = nil
	if b.Len() > 0 {
		io.WriteString(l.w, b.String())
	}
}

// Done clears the area and prints the final line.
func (l *Live) Done(rep *exec.Report) {
	l.Clear()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inWave = false
	io.WriteString(l.w, l.Mask(doneLine(rep))+"\n")
}
