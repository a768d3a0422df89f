package dag

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/value"
)

// RenderOptions are the run settings shown in a plan's header.
type RenderOptions struct {
	Scheduler      string // "waves" or "eager"
	MaxConcurrency int
	File           string // the workflow path as given on the command line
}

func (p *Plan) nameVersion() (string, string) {
	if p.Flow.Front == nil {
		return "", ""
	}
	return p.Flow.Front.Name, p.Flow.Front.Version
}

func kindOf(n *ast.Node) string {
	if n.Kind != "" {
		return n.Kind
	}
	return n.Tag
}

// lineCol returns the 1-based line and column of node n's start tag.
func (p *Plan) lineCol(n *ast.Node) (int, int) {
	if p.Flow.File == nil {
		return 0, 0
	}
	pos := p.Flow.File.Position(n.TagSpan.Start)
	return pos.Line, pos.Col
}

func (p *Plan) tags(n *ast.Node) []string {
	var t []string
	if n.Phase != nil {
		t = append(t, "phase "+n.Phase.Name)
	}
	if n.GotoTarget {
		t = append(t, "goto target")
	}
	return t
}

// includePath is the `workflow` field of an include node as written.
func includePath(n *ast.Node) string {
	if f := n.Field("workflow"); f != nil {
		if s, ok := staticString(f); ok {
			return s
		}
		return strings.TrimSpace(f.Raw)
	}
	return ""
}

// WriteText writes the plan in the text form of spec/cli.md §3.1.
func (p *Plan) WriteText(w io.Writer, o RenderOptions) {
	bw := bufio.NewWriter(w)
	name, version := p.nameVersion()
	waves := 0
	if p.Root != nil {
		waves = len(p.Root.Waves)
	}
	fmt.Fprintf(bw, "plan %s %s: %d nodes, %d waves, scheduler %s, max concurrency %d\n\n",
		name, version, len(p.Flow.Nodes), waves, o.Scheduler, o.MaxConcurrency)
	var line []byte
	p.textGraph(bw, &line, p.Root, 0)
	if p.OnError != nil {
		bw.WriteString("on-workflow-error\n")
		p.textGraph(bw, &line, p.OnError, 2)
	}
	bw.Flush()
}

// textGraph writes graph g with its wave lines at indent and its nodes at
// indent+2; container scopes follow their container's line.
func (p *Plan) textGraph(w *bufio.Writer, line *[]byte, g *Graph, indent int) {
	if g == nil {
		return
	}
	idw, kw := 0, 0
	for _, list := range [][]*ast.Node{g.Nodes, g.Handlers} {
		for _, n := range list {
			idw = max(idw, len(n.ID))
			kw = max(kw, len(kindOf(n)))
		}
	}
	for k, wave := range g.Waves {
		writeIndent(w, indent)
		fmt.Fprintf(w, "wave %d\n", k+1)
		for _, n := range wave {
			p.textNode(w, line, n, indent+2, idw+2, kw+2)
		}
	}
	if len(g.Handlers) > 0 {
		writeIndent(w, indent)
		w.WriteString("handlers\n")
		for _, n := range g.Handlers {
			p.textNode(w, line, n, indent+2, idw+2, kw+2)
		}
	}
}

func writeIndent(w *bufio.Writer, n int) {
	for ; n > 0; n-- {
		w.WriteByte(' ')
	}
}

func (p *Plan) textNode(w *bufio.Writer, line *[]byte, n *ast.Node, indent, idw, kw int) {
	b := (*line)[:0]
	for i := 0; i < indent; i++ {
		b = append(b, ' ')
	}
	b = appendPadded(b, n.ID, idw)
	b = appendPadded(b, kindOf(n), kw)
	l, c := p.lineCol(n)
	b = fmt.Appendf(b, "%d:%d", l, c)
	if deps := p.Deps[n.Index]; len(deps) > 0 {
		b = append(b, "  needs "...)
		for i, d := range deps {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, d.ID...)
		}
	}
	for _, t := range p.tags(n) {
		b = append(b, "  ["...)
		b = append(b, t...)
		b = append(b, ']')
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	b = append(b, '\n')
	w.Write(b)
	*line = b
	for _, s := range n.Scopes {
		writeIndent(w, indent+2)
		w.WriteString(s.Name)
		w.WriteByte('\n')
		p.textGraph(w, line, p.byScope[s], indent+4)
	}
	if n.Tag == "include" && p.Includes != nil {
		if sub := p.Includes[n.Index]; sub != nil && sub != p {
			writeIndent(w, indent+2)
			w.WriteString("workflow " + includePath(n) + "\n")
			sub.textGraph(w, line, sub.Root, indent+4)
		}
	}
}

func appendPadded(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for i := len(s); i < width; i++ {
		b = append(b, ' ')
	}
	return b
}

// JSON returns the plan as a *value.Object in the key order of spec/cli.md
// §3.2.
func (p *Plan) JSON(o RenderOptions) any {
	name, version := p.nameVersion()
	var owe any
	if p.OnError != nil {
		owe = p.scopeJSON("on-workflow-error", p.OnError)
	}
	return value.ObjectOf(
		"workflow", value.ObjectOf("name", name, "version", version, "file", o.File),
		"scheduler", o.Scheduler,
		"max_concurrency", float64(o.MaxConcurrency),
		"waves", p.wavesJSON(p.Root),
		"nodes", p.nodesJSON(p.Root.Nodes),
		"handlers", p.nodesJSON(p.Root.Handlers),
		"on_workflow_error", owe,
	)
}

func (p *Plan) wavesJSON(g *Graph) []any {
	out := make([]any, len(g.Waves))
	for i, wave := range g.Waves {
		ids := make([]any, len(wave))
		for j, n := range wave {
			ids[j] = n.ID
		}
		out[i] = ids
	}
	return out
}

func (p *Plan) nodesJSON(list []*ast.Node) []any {
	out := make([]any, len(list))
	for i, n := range list {
		out[i] = p.nodeJSON(n)
	}
	return out
}

func (p *Plan) nodeJSON(n *ast.Node) *value.Object {
	l, c := p.lineCol(n)
	var wave any
	if !n.Handler {
		wave = float64(p.Wave[n.Index])
	}
	needs := make([]any, len(p.Deps[n.Index]))
	for i, d := range p.Deps[n.Index] {
		needs[i] = d.ID
	}
	var phase any
	if n.Phase != nil {
		phase = n.Phase.Name
	}
	tags := []any{}
	if n.GotoTarget {
		tags = append(tags, "goto target")
	}
	scopes := []any{}
	for _, s := range n.Scopes {
		scopes = append(scopes, p.scopeJSON(s.Name, p.byScope[s]))
	}
	if n.Tag == "include" && p.Includes != nil {
		if sub := p.Includes[n.Index]; sub != nil && sub != p {
			scopes = append(scopes, sub.scopeJSON("workflow "+includePath(n), sub.Root))
		}
	}
	return value.ObjectOf("id", n.ID, "kind", kindOf(n), "line", float64(l), "col", float64(c),
		"wave", wave, "needs", needs, "phase", phase, "tags", tags, "scopes", scopes)
}

func (p *Plan) scopeJSON(name string, g *Graph) *value.Object {
	o := value.ObjectOf("name", name, "waves", p.wavesJSON(g), "nodes", p.nodesJSON(g.Nodes))
	if len(g.Handlers) > 0 {
		o.Set("handlers", p.nodesJSON(g.Handlers))
	}
	return o
}

// group is a subgraph of the Mermaid and DOT forms: a container scope or
// a phase, with its items in document order.
type group struct {
	id, label string
	items     []item
}

type item struct {
	n *ast.Node
	g *group
}

// groups arranges the flow's nodes into nested scope and phase groups.
func (p *Plan) groups() *group {
	f := p.Flow
	scopeNum := map[*ast.Scope]int{}
	var scopes []*ast.Scope
	for _, n := range f.Nodes {
		scopes = append(scopes, n.Scopes...)
	}
	if f.OnError != nil {
		scopes = append(scopes, f.OnError)
	}
	slices.SortStableFunc(scopes, func(a, b *ast.Scope) int { return a.Span.Start - b.Span.Start })
	for i, s := range scopes {
		scopeNum[s] = i + 1
	}
	phaseNum := make(map[*ast.Phase]int, len(f.Phases))
	for i, ph := range f.Phases {
		phaseNum[ph] = i + 1
	}
	var fill func(s *ast.Scope, into *group)
	fill = func(s *ast.Scope, into *group) {
		var open []*group
		var openPh []*ast.Phase
		for _, n := range s.Nodes {
			var chain []*ast.Phase
			for ph := n.Phase; ph != nil; ph = ph.Parent {
				chain = append(chain, ph)
			}
			slices.Reverse(chain)
			k := 0
			for k < len(chain) && k < len(openPh) && chain[k] == openPh[k] {
				k++
			}
			open, openPh = open[:k], openPh[:k]
			for _, ph := range chain[k:] {
				g := &group{id: fmt.Sprintf("p%d", phaseNum[ph]), label: "phase " + ph.Name}
				cur := into
				if len(open) > 0 {
					cur = open[len(open)-1]
				}
				cur.items = append(cur.items, item{g: g})
				open, openPh = append(open, g), append(openPh, ph)
			}
			cur := into
			if len(open) > 0 {
				cur = open[len(open)-1]
			}
			cur.items = append(cur.items, item{n: n})
			for _, in := range n.Scopes {
				g := &group{id: fmt.Sprintf("s%d", scopeNum[in]), label: n.ID + ": " + shortScope(in.Name)}
				fill(in, g)
				cur.items = append(cur.items, item{g: g})
			}
		}
	}
	root := &group{}
	fill(f.Root, root)
	if f.OnError != nil {
		g := &group{id: fmt.Sprintf("s%d", scopeNum[f.OnError]), label: "on-workflow-error"}
		fill(f.OnError, g)
		root.items = append(root.items, item{g: g})
	}
	return root
}

// shortScope drops the pattern or condition of a "match N: ..." or
// "case N: ..." heading.
func shortScope(name string) string {
	if strings.HasPrefix(name, "match ") || strings.HasPrefix(name, "case ") {
		if i := strings.Index(name, ": "); i >= 0 {
			return name[:i]
		}
	}
	return name
}

func nodeName(n *ast.Node) string { return "n" + itoa(n.Index+1) }

// graphEdges calls dep for every dependency edge, per dependent node in
// document order, and dashed for the edges from a container to the
// wave-1 nodes of its scopes.
func (p *Plan) graphEdges(dep, dashed func(from, to *ast.Node)) {
	for _, n := range p.Flow.Nodes {
		for _, d := range p.Deps[n.Index] {
			dep(d, n)
		}
		for _, s := range n.Scopes {
			if g := p.byScope[s]; g != nil && len(g.Waves) > 0 {
				for _, m := range g.Waves[0] {
					dashed(n, m)
				}
			}
		}
	}
}

var mermaidEscaper = strings.NewReplacer(`"`, "#quot;", "#", "#35;")

// WriteMermaid writes the plan as a Mermaid flowchart (spec/cli.md §3.3).
func (p *Plan) WriteMermaid(w io.Writer, o RenderOptions) {
	bw := bufio.NewWriter(w)
	bw.WriteString("flowchart TD\n")
	var emit func(g *group, indent int)
	emit = func(g *group, indent int) {
		for _, it := range g.items {
			writeIndent(bw, indent)
			if it.n != nil {
				label := mermaidEscaper.Replace(it.n.ID) + "<br/>" + mermaidEscaper.Replace(kindOf(it.n))
				if it.n.IsLeaf() {
					fmt.Fprintf(bw, "%s[\"%s\"]\n", nodeName(it.n), label)
				} else {
					fmt.Fprintf(bw, "%s{{\"%s\"}}\n", nodeName(it.n), label)
				}
				continue
			}
			fmt.Fprintf(bw, "subgraph %s [\"%s\"]\n", it.g.id, mermaidEscaper.Replace(it.g.label))
			emit(it.g, indent+2)
			writeIndent(bw, indent)
			bw.WriteString("end\n")
		}
	}
	emit(p.groups(), 2)
	p.graphEdges(func(from, to *ast.Node) {
		fmt.Fprintf(bw, "  %s --> %s\n", nodeName(from), nodeName(to))
	}, func(from, to *ast.Node) {
		fmt.Fprintf(bw, "  %s -.-> %s\n", nodeName(from), nodeName(to))
	})
	bw.Flush()
}

var dotEscaper = strings.NewReplacer(`"`, `\"`, `\`, `\\`)

// WriteDOT writes the plan as a Graphviz digraph (spec/cli.md §3.3).
func (p *Plan) WriteDOT(w io.Writer, o RenderOptions) {
	bw := bufio.NewWriter(w)
	name, _ := p.nameVersion()
	fmt.Fprintf(bw, "digraph \"%s\" {\n  node [shape=box];\n", dotEscaper.Replace(name))
	for _, n := range p.Flow.Nodes {
		label := dotEscaper.Replace(n.ID) + `\n` + dotEscaper.Replace(kindOf(n))
		if n.IsLeaf() {
			fmt.Fprintf(bw, "  %s [label=\"%s\"];\n", nodeName(n), label)
		} else {
			fmt.Fprintf(bw, "  %s [label=\"%s\", shape=hexagon];\n", nodeName(n), label)
		}
	}
	var cluster func(g *group)
	cluster = func(g *group) {
		fmt.Fprintf(bw, "subgraph cluster_%s { label=\"%s\";", g.id, dotEscaper.Replace(g.label))
		for _, it := range g.items {
			if it.n != nil {
				fmt.Fprintf(bw, " %s;", nodeName(it.n))
			} else {
				bw.WriteByte(' ')
				cluster(it.g)
			}
		}
		bw.WriteString(" }")
	}
	for _, it := range p.groups().items {
		if it.g != nil {
			bw.WriteString("  ")
			cluster(it.g)
			bw.WriteByte('\n')
		}
	}
	p.graphEdges(func(from, to *ast.Node) {
		fmt.Fprintf(bw, "  %s -> %s;\n", nodeName(from), nodeName(to))
	}, func(from, to *ast.Node) {
		fmt.Fprintf(bw, "  %s -> %s [style=dashed];\n", nodeName(from), nodeName(to))
	})
	bw.WriteString("}\n")
	bw.Flush()
}
