package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/units"
)

// GitHub prints the plain lines with GitHub Actions workflow commands
// (spec/cli.md §12.4): the lines of each leaf node are held back and
// printed as one ::group:: when the node ends, and each failed node adds
// an ::error annotation at its element. It is safe for concurrent use.
type GitHub struct {
	mu     sync.Mutex
	w      io.Writer
	file   *source.File
	inWave bool
	held   map[*exec.Instance][]string
	// Mask replaces secret values in text before it is written.
	Mask func(string) string
}

// NewGitHub returns a GitHub printer writing to w; file is the workflow
// source, used for the positions of annotations.
func NewGitHub(w io.Writer, file *source.File) *GitHub {
	return &GitHub{w: w, file: file, held: map[*exec.Instance][]string{}, Mask: func(s string) string { return s }}
}

// Header prints the run line.
func (g *GitHub) Header(runID, name, version string, nodes, waves, maxConc int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.write(headerLine(runID, name, version, nodes, waves, maxConc))
}

// write prints lines as they are; the caller holds mu.
func (g *GitHub) write(lines ...string) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(g.Mask(l))
		b.WriteByte('\n')
	}
	io.WriteString(g.w, b.String())
}

func (g *GitHub) indent(s string) string {
	if g.inWave {
		return "  " + s
	}
	return s
}

// Event renders one event.
func (g *GitHub) Event(ev *exec.Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ev = maskLog(ev, g.Mask)
	switch ev.Type {
	case exec.EvWaveStart:
		if ev.Scope == "" {
			g.inWave = false
		}
	case exec.EvWaveEnd:
		if ev.Scope == "" {
			g.inWave = false
		}
		return
	}
	line, ok := EventLine(ev)
	leaf := ev.Inst != nil && isLeaf(ev.Inst) && ev.Type != exec.EvNodeSkip
	switch {
	case leaf && ev.Type == exec.EvNodeEnd:
		in := ev.Inst
		lines := g.held[in]
		delete(g.held, in)
		if ok {
			lines = append(lines, g.indent(line))
		}
		out := append([]string{"::group::" + groupTitle(in)}, lines...)
		out = append(out, "::endgroup::")
		g.write(out...)
		if in.Status == exec.StatusFailed && in.Err != nil {
			g.annotate(in)
		}
	case leaf:
		if ok {
			g.held[ev.Inst] = append(g.held[ev.Inst], g.indent(line))
		}
	default:
		if ok {
			g.write(g.indent(line))
		}
		if ev.Type == exec.EvNodeEnd && ev.Inst.Status == exec.StatusFailed && ev.Inst.Err != nil && ev.Inst.Err.Node == ev.Inst.Key {
			g.annotate(ev.Inst)
		}
	}
	if ev.Type == exec.EvWaveStart && ev.Scope == "" {
		g.inWave = true
	}
}

// groupTitle is "ok save (sink/file) 1ms", "FAIL …" or "cancel …".
func groupTitle(in *exec.Instance) string {
	w := "ok"
	switch in.Status {
	case exec.StatusFailed:
		w = "FAIL"
	case exec.StatusCancelled:
		w = "cancel"
	}
	return fmt.Sprintf("%s %s (%s) %s", w, in.Key, in.Node.Kind, units.FormatElapsed(in.Duration()))
}

// annotate writes the ::error line of a failed node; the caller holds mu.
func (g *GitHub) annotate(in *exec.Instance) {
	sp := in.Node.TagSpan
	if in.Err.Code == "R602" && in.Err.Span != (source.Span{}) {
		sp = in.Err.Span
	}
	name, line, col := "", 0, 0
	if g.file != nil {
		p := g.file.Position(sp.Start)
		name, line, col = g.file.Name, p.Line, p.Col
	}
	g.write(Annotation("error", []Prop{{"file", name}, {"line", fmt.Sprint(line)}, {"col", fmt.Sprint(col)},
		{"title", "FlowScript " + in.Err.Code + " in " + in.Key}}, in.Err.Message))
}

// Done prints the final line.
func (g *GitHub) Done(rep *exec.Report) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inWave = false
	g.write(doneLine(rep))
}

// Prop is one property of a workflow command.
type Prop struct{ Name, Value string }

// Annotation renders a GitHub workflow command such as
// "::error file=F,line=1,col=2,title=T::MESSAGE", escaping the message and
// the property values as spec/cli.md §12.4 says.
func Annotation(command string, props []Prop, msg string) string {
	var b strings.Builder
	b.WriteString("::" + command)
	for i, p := range props {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(p.Name + "=" + EscapeProperty(p.Value))
	}
	b.WriteString("::" + EscapeData(msg))
	return b.String()
}

var dataEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
var propEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")

// EscapeData escapes a workflow command message: % CR LF.
func EscapeData(s string) string { return dataEscaper.Replace(s) }

// EscapeProperty escapes a workflow command property value: % CR LF : ,.
func EscapeProperty(s string) string { return propEscaper.Replace(s) }

// DiagnosticAnnotation renders a validation diagnostic as an ::error or
// ::warning command with file, line, col, endLine, endColumn and title.
func DiagnosticAnnotation(d *source.Diagnostic) string {
	var props []Prop
	if d.File != nil {
		s, e := d.Start(), d.End()
		if d.Span.End > d.Span.Start {
			e = d.File.Position(d.Span.End - 1) // GitHub's end column is inclusive
		}
		props = append(props, Prop{"file", d.File.Name}, Prop{"line", fmt.Sprint(s.Line)}, Prop{"col", fmt.Sprint(s.Col)},
			Prop{"endLine", fmt.Sprint(e.Line)}, Prop{"endColumn", fmt.Sprint(e.Col)})
	}
	props = append(props, Prop{"title", d.Code})
	return Annotation(d.Severity.String(), props, d.Message)
}

// AnnotateDiagnostics writes one annotation per diagnostic to w when
// GITHUB_ACTIONS=true (the `validate` command in GitHub mode).
func AnnotateDiagnostics(w io.Writer, getenv func(string) (string, bool), diags source.List) {
	if getenv == nil {
		return
	}
	if v, _ := getenv("GITHUB_ACTIONS"); v != "true" {
		return
	}
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(DiagnosticAnnotation(d) + "\n")
	}
	io.WriteString(w, b.String())
}
