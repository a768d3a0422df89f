package dag

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/expr/builtin"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/frontmatter"
	"github.com/flowscript/flowscript/internal/source"
)

// fb builds an ast.Flow by hand for tests, writing a matching source text
// line by line so that spans and positions are real: every node is one
// start-tag line `<tag id="x" field="value">`.
type fb struct {
	t      testing.TB
	name   string
	src    strings.Builder
	flow   *ast.Flow
	stack  []frame
	gen    map[string]int
	gotos  []*ast.Field // goto fields (node / action goto), resolved at finish
	falls  map[*ast.Node]string
	vars   map[string]bool
	fields []pending
}

type frame struct {
	tag   string
	node  *ast.Node  // container or leaf with children
	scope *ast.Scope // scope opened by this frame (nil for phases / leaves)
	phase *ast.Phase
}

type pending struct {
	n    *ast.Node
	f    *ast.Field
	kind byte // 'e' expression, 't' template, 'p' pattern
}

// exprFields are compiled as expressions; staticFields keep their text.
var exprFields = map[string]bool{"input": true, "condition": true, "when": true, "break": true,
	"result": true, "merge": true, "collection": true, "expr": true}
var staticFields = map[string]bool{"var": true, "node": true, "goto": true, "on-timeout": true,
	"workflow": true, "key": true, "field": true, "id": true, "name": true, "loop": true, "item": true, "index": true}

// armTags are the container tags whose scopes are opened with arm.
var armTags = map[string]bool{"if": true, "branch": true, "parallel": true}

func newFB(t testing.TB, name string) *fb {
	b := &fb{t: t, name: name, gen: map[string]int{}, falls: map[*ast.Node]string{}, vars: map[string]bool{}}
	b.flow = &ast.Flow{ByID: map[string]*ast.Node{}, Subflows: map[*ast.Node]*ast.Flow{},
		Front: &frontmatter.Frontmatter{Name: name, Version: "1"}}
	b.src.WriteString("---\nname: " + name + "\nversion: 1\n---\n")
	root := &ast.Scope{Tag: "workflow"}
	b.flow.Root = root
	b.line(0, "<workflow>")
	b.stack = []frame{{tag: "workflow", scope: root}}
	return b
}

func (b *fb) indent() int { return 2 * len(b.stack) }

func (b *fb) line(indent int, text string) int {
	b.src.WriteString(strings.Repeat(" ", indent))
	start := b.src.Len()
	b.src.WriteString(text + "\n")
	return start
}

// scope returns the innermost open scope and phase.
func (b *fb) cur() (*ast.Scope, *ast.Phase, *ast.Node) {
	var ph *ast.Phase
	for i := len(b.stack) - 1; i >= 0; i-- {
		f := b.stack[i]
		if f.phase != nil && ph == nil {
			ph = f.phase
		}
		if f.scope != nil {
			return f.scope, ph, f.scope.Owner
		}
	}
	b.t.Fatal("no open scope")
	return nil, nil, nil
}

// add writes one node. kind is "source/file" or a tag; id "" generates
// one; attrs are "name=value" (value written as is). With children (subs
// or a body) the tag stays open until end.
func (b *fb) add(kind, id string, open bool, attrs ...string) *ast.Node {
	tag, typ := kind, ""
	if i := strings.IndexByte(kind, '/'); i > 0 {
		tag, typ = kind[:i], kind[i+1:]
	}
	sc, ph, parent := b.cur()
	n := &ast.Node{Index: len(b.flow.Nodes), ID: id, Tag: tag, Type: typ, Kind: kind,
		Fields: map[string]*ast.Field{}, Scope: sc, Phase: ph, Parent: parent,
		Spec: &fields.Element{Kind: kind, Tag: tag, Node: true, Container: isContainer(tag)}}
	if typ == "" {
		n.Kind = tag
	}
	if id == "" {
		b.gen[tag]++
		n.ID = fmt.Sprintf("%s#%d", tag, b.gen[tag])
		n.Generated = true
	}
	text := "<" + tag
	if !n.Generated {
		text += ` id="` + id + `"`
	}
	type at struct {
		name, val string
		off       int
	}
	var ats []at
	for _, a := range attrs {
		k, v, _ := strings.Cut(a, "=")
		text += " " + k + `="`
		ats = append(ats, at{k, v, len(text)})
		text += v + `"`
	}
	if open {
		text += ">"
	} else {
		text += "/>"
	}
	start := b.line(b.indent(), text)
	n.TagSpan = source.Sp(start, start+1+len(tag))
	for _, a := range ats {
		sp := source.Sp(start+a.off, start+a.off+len(a.val))
		if a.name == "fallback" {
			b.falls[n] = a.val
			n.OnError = &ast.OnError{FallbackSpan: sp}
			continue
		}
		f := b.field(n, a.name, a.val, sp)
		n.Fields[a.name] = f
		n.FieldOrder = append(n.FieldOrder, a.name)
		if a.name == "var" && tag == "set" {
			b.vars[a.val] = true
		}
		if a.name == "node" && tag == "goto" {
			b.gotos = append(b.gotos, f)
		}
	}
	b.flow.Nodes = append(b.flow.Nodes, n)
	b.flow.ByID[n.ID] = n
	sc.Nodes = append(sc.Nodes, n)
	for p := ph; p != nil; p = p.Parent {
		p.Nodes = append(p.Nodes, n)
	}
	if ph != nil {
		ph.Direct = append(ph.Direct, n)
	}
	if tag == "output" {
		b.flow.Output = n
	}
	if open {
		fr := frame{tag: tag, node: n}
		if isContainer(tag) && !armTags[tag] {
			fr.scope = &ast.Scope{Name: "body", Tag: tag, Owner: n, Parent: sc, Span: n.TagSpan,
				Iterating: tag == "loop" || tag == "while" || tag == "foreach"}
			n.Scopes = append(n.Scopes, fr.scope)
		}
		b.stack = append(b.stack, fr)
	}
	return n
}

func isContainer(tag string) bool {
	switch tag {
	case "if", "branch", "loop", "while", "foreach", "parallel", "timeout", "include", "call":
		return true
	}
	return false
}

func (b *fb) field(n *ast.Node, name, val string, sp source.Span) *ast.Field {
	f := &ast.Field{Name: name, Raw: val, Span: sp}
	switch {
	case staticFields[name]:
		f.Static, f.IsStatic = val, true
	case exprFields[name]:
		b.fields = append(b.fields, pending{n, f, 'e'})
	case name == "pattern":
		b.fields = append(b.fields, pending{n, f, 'p'})
	default:
		b.fields = append(b.fields, pending{n, f, 't'})
	}
	return f
}

// leaf adds a node without children.
func (b *fb) leaf(kind, id string, attrs ...string) *ast.Node {
	return b.add(kind, id, false, attrs...)
}

// open adds a node whose children follow until end.
func (b *fb) open(kind, id string, attrs ...string) *ast.Node { return b.add(kind, id, true, attrs...) }

// sub adds a non-node child element (set key, action, bind, ...) to the
// innermost open node.
func (b *fb) sub(tag string, attrs ...string) *ast.Sub {
	n := b.stack[len(b.stack)-1].node
	s := &ast.Sub{Tag: tag, Fields: map[string]*ast.Field{}}
	text := "<" + tag
	type at struct {
		name, val string
		off       int
	}
	var ats []at
	for _, a := range attrs {
		k, v, _ := strings.Cut(a, "=")
		text += " " + k + `="`
		ats = append(ats, at{k, v, len(text)})
		text += v + `"`
	}
	start := b.line(b.indent(), text+"/>")
	s.TagSpan = source.Sp(start, start+1+len(tag))
	for _, a := range ats {
		f := b.field(n, a.name, a.val, source.Sp(start+a.off, start+a.off+len(a.val)))
		s.Fields[a.name] = f
		if a.name == "goto" {
			b.gotos = append(b.gotos, f)
		}
	}
	n.Subs = append(n.Subs, s)
	return s
}

// arm opens an arm or branch of the innermost if/branch/parallel:
// "then", "match" (pattern), "case" (when), "otherwise", "branch".
func (b *fb) arm(tag string, attrs ...string) *ast.Scope {
	owner := b.stack[len(b.stack)-1].node
	s := &ast.Scope{Tag: tag, Owner: owner, Parent: owner.Scope, Fields: map[string]*ast.Field{}}
	text := "<" + tag
	var val string
	off := 0
	for _, a := range attrs {
		k, v, _ := strings.Cut(a, "=")
		text += " " + k + `="`
		off, val = len(text), v
		text += v + `"`
	}
	start := b.line(b.indent(), text+">")
	s.Span = source.Sp(start, start+1+len(tag))
	count := len(owner.Scopes) + 1
	switch tag {
	case "match", "case":
		k, _, _ := strings.Cut(attrs[0], "=")
		s.Fields[k] = b.field(owner, k, val, source.Sp(start+off, start+off+len(val)))
		s.Name = fmt.Sprintf("%s %d: %s", tag, count, val)
	case "branch":
		s.Name = fmt.Sprintf("branch %d", count)
	default:
		s.Name = tag
	}
	owner.Scopes = append(owner.Scopes, s)
	b.stack = append(b.stack, frame{tag: tag, scope: s})
	return s
}

// phase opens a phase in the current scope.
func (b *fb) phase(name string) *ast.Phase {
	sc, parent, _ := b.cur()
	start := b.line(b.indent(), `<phase name="`+name+`">`)
	ph := &ast.Phase{Name: name, Span: source.Sp(start, start+6), Scope: sc, Parent: parent}
	if parent != nil {
		parent.Children = append(parent.Children, ph)
	} else {
		sc.Phases = append(sc.Phases, ph)
	}
	b.flow.Phases = append(b.flow.Phases, ph)
	b.stack = append(b.stack, frame{tag: "phase", phase: ph})
	return ph
}

// onError opens <on-workflow-error>.
func (b *fb) onError() {
	start := b.line(b.indent(), "<on-workflow-error>")
	s := &ast.Scope{Name: "on-workflow-error", Tag: "on-workflow-error", Span: source.Sp(start, start+18)}
	b.flow.OnError = s
	b.stack = append(b.stack, frame{tag: "on-workflow-error", scope: s})
}

// end closes the innermost open element.
func (b *fb) end() {
	f := b.stack[len(b.stack)-1]
	b.stack = b.stack[:len(b.stack)-1]
	b.line(b.indent(), "</"+f.tag+">")
}

// done closes the workflow, resolves handlers and gotos and compiles the
// fields.
func (b *fb) done() *ast.Flow {
	for len(b.stack) > 1 {
		b.end()
	}
	b.line(0, "</workflow>")
	src := b.src.String()
	b.flow.File = source.NewFile(b.name+".flow.md", []byte(src))
	fl := b.flow
	for n, h := range b.falls {
		if hn := fl.ByID[h]; hn != nil {
			n.OnError.Fallback = hn
			hn.Handler = true
		}
	}
	for _, n := range fl.Nodes {
		if f := n.Fields["on-timeout"]; f != nil {
			if hn := fl.ByID[f.Raw]; hn != nil {
				hn.Handler = true
			}
		}
	}
	for _, f := range b.gotos {
		if t := fl.ByID[f.Raw]; t != nil {
			t.GotoTarget = true
		}
	}
	phases := map[string]*ast.Phase{}
	for _, ph := range fl.Phases {
		phases[ph.Name] = ph
	}
	funcs := builtin.Table()
	for _, p := range b.fields {
		names := &expr.Names{
			Funcs: funcs,
			IsNode: func(s string) bool {
				n := fl.ByID[s]
				return n != nil && !n.Generated || phases[s] != nil
			},
			Member: func(c, id string) (string, bool) {
				if ph := phases[c]; ph != nil {
					for _, n := range ph.Nodes {
						if n.ID == id {
							return id, true
						}
					}
				}
				return "", false
			},
			IsVar:      func(s string) bool { return b.vars[s] },
			AllowInput: true,
			Locals:     []string{"item", "index"},
		}
		start := p.f.Span.Start
		pm := func(i int) int { return start + i }
		var errs []*expr.Error
		switch p.kind {
		case 'e':
			p.f.Prog, errs = expr.Compile(p.f.Raw, pm, names)
		case 'p':
			p.f.Pat, errs = expr.CompilePattern(p.f.Raw, pm, names)
		default:
			p.f.Tmpl, errs = expr.CompileTemplate(p.f.Raw, pm, names)
		}
		if len(errs) > 0 {
			b.t.Fatalf("%s: field %s=%q: %v", p.n.ID, p.f.Name, p.f.Raw, errs[0])
		}
	}
	return fl
}
