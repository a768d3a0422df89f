package parser

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/expr/builtin"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/frontmatter"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/typedsl"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// lowerer turns the element tree into the AST in two passes: structure
// (nodes, ids, scopes, phases) and then fields (which need every id to
// compile expressions).
type lowerer struct {
	f     *source.File
	cat   *fields.Set
	fm    *frontmatter.Frontmatter
	flow  *ast.Flow
	diags source.List
	funcs expr.Funcs

	elems    map[*ast.Node]*Element
	scopeEl  map[*ast.Scope]*Element
	names    map[string]source.Span // every explicit id / phase / var / context key -> first span
	genCount map[string]int
	phases   map[string]*ast.Phase
	vars     map[string]bool
	sawOWE   bool
	// knownNames caches known(); failed records fields whose value was
	// invalid (so N304 does not repeat the problem).
	knownNames []string
	baseNames  *expr.Names
	nodeTags   map[string]bool
	failed     map[string]bool
	loadSub    func(path string, at source.Span) *ast.Flow
}

var (
	idRe   = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9_-]*[A-Za-z0-9_])?$`)
	nameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

var reservedIDs = map[string]bool{"input": true, "item": true, "index": true, "this": true, "true": true,
	"false": true, "null": true, "typeof": true, "AND": true, "OR": true, "NOT": true, "IN": true}

// roleTags are the data-node elements, which need a type.
var roleTags = []string{"source", "transform", "sink"}

// scopeTags are child elements that hold node lists, by container tag.
var scopeTags = map[string][]string{
	"if":       {"then", "else"},
	"branch":   {"match", "case", "otherwise", "default"},
	"parallel": {"branch"},
}

// placement of non-node elements for N302 messages.
var onlyIn = map[string]string{
	"then": "<if>", "else": "<if>", "match": "<branch>", "case": "<branch>", "otherwise": "<branch>",
	"default": "<branch>", "on-error": "a node", "retry": "<on-error>", "fallback": "<on-error>",
	"action": "<checkpoint>", "bind": "<include>", "arg": "<call>", "field": "<output-schema>",
	"on-workflow-error": "<workflow>",
}

func (l *lowerer) errAt(sp source.Span, code, format string, args ...any) *source.Diagnostic {
	return l.diags.Add(l.f, sp, code, format, args...)
}

// isText tells the body reader which child elements are text fields
// (format.md §4.4): fields of the parent's schema, group blocks and retry.
func (l *lowerer) isText(parent *Element, name string) bool {
	if parent == nil {
		return false
	}
	if name == "retry" && parent.Name == "on-error" {
		return true
	}
	spec := l.specOf(parent)
	if spec == nil {
		return false
	}
	if spec.IsGroup(name) {
		return true
	}
	if l.isNodeTag(name) && (spec.Body || spec.Tag == "workflow") {
		return false
	}
	if spec.Child(name) != nil {
		return false
	}
	return l.fieldSpec(spec, name) != nil
}

// specOf returns the schema of an element (node or sub-element) by its
// tag and type attribute, or nil.
func (l *lowerer) specOf(e *Element) *fields.Element {
	switch e.Name {
	case "set":
		if e.Parent != nil && (e.Parent.Name == "context" || e.Parent.Name == "output") {
			return l.cat.ByKind(e.Parent.Name + "/set")
		}
	case "branch":
		if e.Parent != nil && e.Parent.Name == "parallel" {
			return l.cat.ByKind("parallel/branch")
		}
	case "match", "case":
		return l.cat.ByKind(e.Name)
	}
	typ := ""
	if a := attr(e, "type"); a != nil {
		typ = strings.TrimSpace(a.Value)
	}
	if s := l.cat.Lookup(e.Name, typ); s != nil {
		return s
	}
	return l.cat.ByKind(e.Name)
}

func (l *lowerer) isNodeTag(name string) bool {
	if name == "phase" {
		return true
	}
	if l.nodeTags == nil {
		l.nodeTags = map[string]bool{}
		for _, t := range l.cat.NodeTags() {
			l.nodeTags[t] = true
		}
	}
	return l.nodeTags[name]
}

func attr(e *Element, name string) *Attr {
	for _, a := range e.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// commonFields are the fields of nodes.md §1.1 beyond id.
var commonFields = map[string]*fields.Field{
	"input":             {Name: "input", Kind: fields.Expr, Desc: "Usually a node id; any expression is allowed."},
	"description":       {Name: "description", Kind: fields.Str, Desc: "Shown by inspect."},
	"timeout":           {Name: "timeout", Kind: fields.Dur, Min: 1, Desc: "Deadline for one attempt."},
	"continue-on-error": {Name: "continue-on-error", Kind: fields.Bool, Default: "false", Desc: "Keep the run going when this node fails."},
}

// fieldSpec finds a field of spec by any spelling, including the common
// fields the element takes.
func (l *lowerer) fieldSpec(spec *fields.Element, name string) *fields.Field {
	if f := spec.Field(name); f != nil {
		return f
	}
	c := fields.Canonical(name)
	if c == "description" && spec.Node {
		return commonFields[c]
	}
	for _, cm := range spec.Common {
		if cm == c {
			if f, ok := commonFields[c]; ok {
				return f
			}
		}
	}
	return nil
}

func (l *lowerer) fieldNames(spec *fields.Element) []string {
	names := spec.FieldNames()
	for _, cm := range spec.Common {
		if _, ok := commonFields[cm]; ok && spec.Field(cm) == nil {
			names = append(names, cm)
		}
	}
	if spec.Node && spec.Field("description") == nil {
		names = append(names, "description")
	}
	return names
}

// ---- pass 1: structure ----

func (l *lowerer) lower(root *Element) {
	l.funcs = builtin.Table()
	l.elems = map[*ast.Node]*Element{}
	l.scopeEl = map[*ast.Scope]*Element{}
	l.names = map[string]source.Span{}
	l.genCount = map[string]int{}
	l.phases = map[string]*ast.Phase{}
	l.vars = map[string]bool{}
	if root.Name != "workflow" {
		l.errAt(root.TagSpan, "S203", "expected <workflow>, found <%s>", root.Name)
		return
	}
	for _, a := range root.Attrs {
		l.errAt(a.NameSpan, "N303", "unknown attribute %q on <workflow>", a.Name)
	}
	top := &ast.Scope{Tag: "workflow", Span: root.TagSpan}
	l.flow.Root = top
	l.scopeEl[top] = root
	l.nodeList(root, top, nil, nil)
	// pass 2
	for _, n := range l.flow.Nodes {
		l.nodeFields(n, l.elems[n])
	}
	l.scopeFields(l.flow.Root)
	if l.flow.OnError != nil {
		l.scopeFields(l.flow.OnError)
	}
	l.checkOutput()
}

// nodeList reads the children of a node-list element into scope sc.
func (l *lowerer) nodeList(el *Element, sc *ast.Scope, ph *ast.Phase, parent *ast.Node) {
	for _, t := range el.Texts {
		l.errAt(t.Span, "S211", "text is not allowed in <%s>", el.Name)
	}
	for _, c := range el.Children {
		switch {
		case c.Name == "phase":
			l.phase(c, sc, ph, parent)
		case c.Name == "on-workflow-error":
			if el.Name != "workflow" {
				l.errAt(c.TagSpan, "N302", "<on-workflow-error> is only allowed in <workflow>")
				continue
			}
			if l.sawOWE {
				l.errAt(c.TagSpan, "N302", "only one <on-workflow-error> is allowed")
				continue
			}
			l.sawOWE = true
			for _, a := range c.Attrs {
				l.errAt(a.NameSpan, "N303", "unknown attribute %q on <on-workflow-error>", a.Name)
			}
			s := &ast.Scope{Name: "on-workflow-error", Tag: "on-workflow-error", Span: c.TagSpan}
			l.flow.OnError = s
			l.scopeEl[s] = c
			l.nodeList(c, s, nil, nil)
		case l.isNodeTag(c.Name):
			l.node(c, el, sc, ph, parent)
		default:
			l.unknownChild(c, el)
		}
	}
}

func (l *lowerer) unknownChild(c, parent *Element) {
	if where, ok := onlyIn[c.Name]; ok {
		l.errAt(c.TagSpan, "N302", "<%s> is only allowed in %s", c.Name, where)
		return
	}
	d := l.errAt(c.TagSpan, "N301", "unknown element <%s>", c.Name)
	cands := append([]string{"phase"}, l.cat.NodeTags()...)
	source.SuggestHint(d, c.Name, cands)
}

func (l *lowerer) declare(name string, sp source.Span, what string) bool {
	if first, ok := l.names[name]; ok {
		d := l.errAt(sp, "N309", "duplicate %s %q", what, name)
		d.Hints = append(d.Hints, fmt.Sprintf("first declared on line %d", l.f.Position(first.Start).Line))
		return false
	}
	l.names[name] = sp
	return true
}

func (l *lowerer) checkID(id string, sp source.Span) bool {
	if reservedIDs[id] {
		l.errAt(sp, "N308", "%q is reserved and cannot be an id", id)
		return false
	}
	if !idRe.MatchString(id) || len(id) > 64 {
		d := l.errAt(sp, "N308", "invalid id %q", id)
		d.Hints = append(d.Hints, "ids start with a letter, then letters, digits, _ or -, and do not end with -")
		return false
	}
	return true
}

func (l *lowerer) phase(c *Element, sc *ast.Scope, parent *ast.Phase, owner *ast.Node) {
	na, ia := attr(c, "name"), attr(c, "id")
	var name string
	var sp source.Span
	switch {
	case na != nil && ia != nil:
		l.errAt(ia.NameSpan, "N307", "<phase> takes \"name\" or \"id\", not both")
		name, sp = strings.TrimSpace(na.Value), na.ValueSpan
	case na != nil:
		name, sp = strings.TrimSpace(na.Value), na.ValueSpan
	case ia != nil:
		name, sp = strings.TrimSpace(ia.Value), ia.ValueSpan
	default:
		l.errAt(c.TagSpan, "N304", "missing required field \"name\" on <phase>")
	}
	for _, a := range c.Attrs {
		if a.Name != "name" && a.Name != "id" {
			if fields.Canonical(a.Name) == "description" {
				continue
			}
			d := l.errAt(a.NameSpan, "N303", "unknown attribute %q on <phase>", a.Name)
			source.SuggestHint(d, a.Name, []string{"name", "description"})
		}
	}
	if name != "" && l.checkID(name, sp) {
		l.declare(name, sp, "id")
	}
	p := &ast.Phase{Name: name, Span: c.TagSpan, Scope: sc, Parent: parent}
	if parent != nil {
		parent.Children = append(parent.Children, p)
	} else {
		sc.Phases = append(sc.Phases, p)
	}
	l.flow.Phases = append(l.flow.Phases, p)
	if name != "" {
		l.phases[name] = p
	}
	l.nodeList(c, sc, p, owner)
}

// node creates the node for element c (a node tag) in scope sc.
func (l *lowerer) node(c, parentEl *Element, sc *ast.Scope, ph *ast.Phase, parent *ast.Node) {
	var spec *fields.Element
	typ := ""
	isRole := false
	for _, r := range roleTags {
		if c.Name == r {
			isRole = true
		}
	}
	if isRole {
		ta := attr(c, "type")
		if ta == nil {
			d := l.errAt(c.TagSpan, "N304", "missing required field \"type\" on <%s>", c.Name)
			d.Hints = append(d.Hints, "expected one of: "+strings.Join(l.cat.Types(c.Name), ", "))
		} else {
			typ = strings.TrimSpace(ta.Value)
			spec = l.cat.Lookup(c.Name, typ)
			if spec == nil {
				if roles := l.cat.RoleOf(typ); len(roles) > 0 {
					d := l.errAt(ta.ValueSpan, "N305", "type %q is not allowed on <%s>", typ, c.Name)
					d.Hints = append(d.Hints, fmt.Sprintf("%q is a %s type", typ, strings.Join(roles, " and ")))
				} else {
					d := l.errAt(ta.ValueSpan, "N305", "unknown %s type %q", c.Name, typ)
					source.SuggestHint(d, typ, l.cat.Types(c.Name))
				}
			}
		}
	} else {
		spec = l.cat.Lookup(c.Name, "")
	}
	n := &ast.Node{Tag: c.Name, Type: typ, Spec: spec, TagSpan: c.TagSpan, Span: source.Sp(c.Start, c.End),
		Scope: sc, Phase: ph, Parent: parent, Fields: map[string]*ast.Field{}}
	n.Kind = c.Name
	if typ != "" {
		n.Kind = c.Name + "/" + typ
	}
	if spec != nil {
		n.Kind = spec.Kind
	}
	// id
	if ia := attr(c, "id"); ia != nil {
		id := strings.TrimSpace(ia.Value)
		if l.checkID(id, ia.ValueSpan) {
			l.declare(id, ia.ValueSpan, "id")
		}
		n.ID = id
	} else {
		l.genCount[c.Name]++
		n.ID = fmt.Sprintf("%s#%d", c.Name, l.genCount[c.Name])
		n.Generated = true
	}
	n.Index = len(l.flow.Nodes)
	l.flow.Nodes = append(l.flow.Nodes, n)
	if _, dup := l.flow.ByID[n.ID]; !dup {
		l.flow.ByID[n.ID] = n
	}
	sc.Nodes = append(sc.Nodes, n)
	for p := ph; p != nil; p = p.Parent {
		p.Nodes = append(p.Nodes, n)
	}
	if ph != nil {
		ph.Direct = append(ph.Direct, n)
	}
	l.elems[n] = c
	l.placement(n, c, sc, ph)
	if n.Tag == "set" {
		if va := attr(c, "var"); va != nil {
			v := strings.TrimSpace(va.Value)
			if !l.vars[v] {
				l.vars[v] = true
				l.flow.Vars = append(l.flow.Vars, v)
			}
		}
	}
	if spec == nil {
		return
	}
	if (n.Tag == "include" || n.Tag == "call") && l.loadSub != nil {
		if wa := attr(c, "workflow"); wa != nil && !strings.Contains(wa.Value, "{{") {
			if sub := l.loadSub(strings.TrimSpace(wa.Value), wa.ValueSpan); sub != nil {
				l.flow.Subflows[n] = sub
			}
		}
	}
	// inner scopes
	if arms, ok := scopeTags[n.Tag]; ok && !(n.Tag == "branch" && parentEl != nil && parentEl.Name == "parallel") {
		count := 0
		for _, ch := range c.Children {
			if !contains(arms, ch.Name) {
				continue
			}
			count++
			s := &ast.Scope{Tag: ch.Name, Owner: n, Parent: sc, Span: ch.TagSpan, Fields: map[string]*ast.Field{}}
			switch ch.Name {
			case "then", "else":
				s.Name = ch.Name
			case "otherwise", "default":
				s.Tag, s.Name = "otherwise", "otherwise"
			case "match":
				s.Name = fmt.Sprintf("match %d", count)
			case "case":
				s.Name = fmt.Sprintf("case %d", count)
			case "branch":
				s.Name = fmt.Sprintf("branch %d", count)
			}
			n.Scopes = append(n.Scopes, s)
			l.scopeEl[s] = ch
			l.nodeList(ch, s, nil, n)
		}
	} else if spec.Body {
		s := &ast.Scope{Name: "body", Tag: n.Tag, Owner: n, Parent: sc, Span: c.TagSpan,
			Iterating: n.Tag == "loop" || n.Tag == "while" || n.Tag == "foreach"}
		n.Scopes = append(n.Scopes, s)
		l.scopeEl[s] = c
		// Direct node children form the body; other children are fields.
		body := &Element{Name: c.Name, Parent: c.Parent}
		for _, ch := range c.Children {
			if l.isNodeTag(ch.Name) {
				body.Children = append(body.Children, ch)
			}
		}
		l.nodeList(body, s, nil, n)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// placement checks nodes.md §9 for the elements with restrictions.
func (l *lowerer) placement(n *ast.Node, c *Element, sc *ast.Scope, ph *ast.Phase) {
	inLoop := false
	inContainer := false
	for s := sc; s != nil; s = s.Parent {
		if s.Owner != nil {
			inContainer = true
			if s.Iterating {
				inLoop = true
			}
		}
	}
	if sc.Tag == "on-workflow-error" {
		inContainer = true
	}
	switch n.Tag {
	case "include":
		if inLoop {
			d := l.errAt(c.TagSpan, "N302", "<include> is not allowed inside a loop, while or foreach")
			d.Hints = append(d.Hints, "use <call> to run a sub-workflow per iteration")
		}
	case "break":
		if !inLoop {
			l.errAt(c.TagSpan, "N302", "<break> is only allowed inside a loop, while or foreach")
		}
	case "context", "output":
		if inContainer {
			l.errAt(c.TagSpan, "N302", "<%s> is only allowed in <workflow> or a phase not inside a container", n.Tag)
		}
		if n.Tag == "output" {
			if l.flow.Output != nil {
				d := l.errAt(c.TagSpan, "N302", "only one <output> is allowed")
				d.Hints = append(d.Hints, fmt.Sprintf("the first is on line %d", l.f.Position(l.flow.Output.TagSpan.Start).Line))
			} else {
				l.flow.Output = n
			}
		}
	}
}

func (l *lowerer) checkOutput() {
	if l.fm.Output != nil && l.flow.Output == nil {
		sp := l.fm.Spans["output"]
		d := l.errAt(sp, "N304", "frontmatter declares \"output\" but the body has no <output> element")
		d.Hints = append(d.Hints, "add <output value=\"{{ ... }}\"/> to the workflow")
	}
}

// ---- pass 2: fields ----

// namesFor returns the names field of node n may use: the item and index
// names of every enclosing foreach, and for a foreach's own "result"
// (evaluated at the end of each iteration, nodes.md §4.7) its own.
func (l *lowerer) namesFor(n *ast.Node, field string, arrow bool) *expr.Names {
	if l.baseNames == nil {
		l.baseNames = &expr.Names{
			Funcs:       l.funcs,
			IsNode:      l.isRefName,
			Member:      l.member,
			IsVar:       func(s string) bool { return l.vars[s] },
			AllowInput:  true,
			ConfigKeys:  nonNil(l.fm.ConfigKeys()),
			SecretNames: nonNil(l.fm.SecretNames()),
			EnvNames:    nonNil(l.fm.EnvNames()),
			InputKeys:   l.fm.InputKeys(),
			Known:       l.known(),
			PhaseNodes: func(name string) ([]string, bool) {
				p, ok := l.phases[name]
				if !ok {
					return nil, false
				}
				var ids []string
				for _, n := range p.Nodes {
					if !n.Generated {
						ids = append(ids, n.ID)
					}
				}
				return ids, true
			},
		}
	}
	var locals []string
	if n.Tag == "foreach" && field == "result" {
		locals = append(locals, l.ownName(n, "item"), l.ownName(n, "index"))
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Tag == "foreach" {
			locals = append(locals, staticStr(p, "item", "item"), staticStr(p, "index", "index"))
		}
	}
	if n.Kind == "transform/map" || n.Kind == "transform/filter" || n.Kind == "transform/reduce" {
		locals = append(locals, "item", "index")
	}
	if locals == nil && !arrow {
		return l.baseNames
	}
	nm := *l.baseNames
	nm.Locals, nm.AllowArrow = locals, arrow
	return &nm
}

// known lists the referable names for suggestions: explicit node ids,
// phase names and variables, in document order.
func (l *lowerer) known() []string {
	if l.knownNames != nil {
		return l.knownNames
	}
	out := []string{}
	for _, n := range l.flow.Nodes {
		if !n.Generated {
			out = append(out, n.ID)
		}
	}
	for _, p := range l.flow.Phases {
		out = append(out, p.Name)
	}
	out = append(out, l.flow.Vars...)
	l.knownNames = out
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ownName returns the item or index name (field) a foreach declares, read
// from its element: its own fields may be converted before that one is.
// An invalid name (reported by its field) gives the default.
func (l *lowerer) ownName(n *ast.Node, field string) string {
	if f := n.Field(field); f != nil {
		return staticStr(n, field, field)
	}
	if el := l.elems[n]; el != nil {
		for _, a := range el.Attrs {
			if fields.Canonical(a.Name) == field {
				if v := strings.TrimSpace(a.Value); nameRe.MatchString(v) {
					return v
				}
				return field
			}
		}
		for _, ch := range el.Children {
			if ch.Text != nil && fields.Canonical(ch.Name) == field {
				if v := strings.TrimSpace(ch.Text.Value); nameRe.MatchString(v) {
					return v
				}
				return field
			}
		}
	}
	return field
}

func staticStr(n *ast.Node, field, def string) string {
	if f := n.Field(field); f != nil && f.IsStatic {
		if s, ok := f.Static.(string); ok {
			return s
		}
	}
	return def
}

func (l *lowerer) isRefName(s string) bool {
	if n, ok := l.flow.ByID[s]; ok && !n.Generated {
		return true
	}
	_, ok := l.phases[s]
	return ok
}

func (l *lowerer) member(container, id string) (string, bool) {
	if p, ok := l.phases[container]; ok {
		for _, n := range p.Nodes {
			if n.ID == id && !n.Generated {
				return id, true
			}
		}
	}
	if n, ok := l.flow.ByID[container]; ok && n.Tag == "include" {
		if sub := l.flow.Subflows[n]; sub != nil {
			if t, ok := sub.ByID[id]; ok && !t.Generated {
				return container + "/" + id, true
			}
		}
	}
	return "", false
}

// nodeFields converts every field of n from attributes, field child
// elements and group blocks, then checks required fields and conflicts.
func (l *lowerer) nodeFields(n *ast.Node, el *Element) {
	spec := n.Spec
	if spec == nil {
		return
	}
	for _, a := range el.Attrs {
		if a.Name == "id" || (a.Name == "type" && n.Type != "") {
			continue
		}
		fs := l.fieldSpec(spec, a.Name)
		if fs == nil {
			d := l.errAt(a.NameSpan, "N303", "unknown attribute %q on <%s>", a.Name, n.Tag)
			source.SuggestHint(d, a.Name, l.fieldNames(spec))
			continue
		}
		l.setField(n.Fields, &n.FieldOrder, n, fs, textSrc{raw: a.Value, span: a.ValueSpan, pm: a.Map, nameSpan: a.NameSpan, attr: true})
	}
	for _, ch := range el.Children {
		switch {
		case l.isNodeTag(ch.Name) && (spec.Body || ch.Name != "set" && ch.Name != "timeout" && l.fieldSpec(spec, ch.Name) == nil):
			// nodes of a body, handled in pass 1; a node tag elsewhere
			if !spec.Body {
				if _, ok := scopeTags[n.Tag]; !ok {
					l.errAt(ch.TagSpan, "N302", "<%s> cannot hold node <%s>", n.Tag, ch.Name)
				}
			}
		case contains(scopeTags[n.Tag], ch.Name):
			// arms, handled in pass 1
		case ch.Name == "on-error":
			l.onError(n, ch)
		case spec.IsGroup(ch.Name):
			l.groupBlock(n, ch)
		case spec.Child(ch.Name) != nil:
			l.sub(n, spec.Child(ch.Name), ch)
		case l.fieldSpec(spec, ch.Name) != nil && ch.Text != nil:
			fs := l.fieldSpec(spec, ch.Name)
			for _, a := range ch.Attrs {
				l.errAt(a.NameSpan, "N303", "unknown attribute %q on field <%s>", a.Name, ch.Name)
			}
			l.setField(n.Fields, &n.FieldOrder, n, fs, textSrc{raw: ch.Text.Value, span: ch.Text.Span, pm: ch.Text.Map, nameSpan: ch.NameSpan, text: ch.Text, textEl: true})
		default:
			if where, ok := onlyIn[ch.Name]; ok {
				l.errAt(ch.TagSpan, "N302", "<%s> is only allowed in %s", ch.Name, where)
				continue
			}
			d := l.errAt(ch.TagSpan, "N301", "unknown element <%s> in <%s>", ch.Name, n.Tag)
			cands := l.fieldNames(spec)
			for _, c := range spec.Children {
				cands = append(cands, c.Tag)
			}
			cands = append(cands, spec.Groups...)
			source.SuggestHint(d, ch.Name, cands)
		}
	}
	if !spec.Body {
		if _, arms := scopeTags[n.Tag]; !arms || (n.Tag == "branch" && el.Parent != nil && el.Parent.Name == "parallel") {
			for _, t := range el.Texts {
				l.errAt(t.Span, "S211", "text is not allowed in <%s>", n.Tag)
			}
		}
	}
	l.requireFields(n, spec, n.Fields, n.TagSpan)
	l.nodeRules(n, el)
}

// textSrc is where a field value was written.
type textSrc struct {
	raw      string
	span     source.Span
	nameSpan source.Span
	pm       func(int) int
	attr     bool
	textEl   bool
	text     *Text
	yaml     *yaml.Node // value from a YAML block
}

func (l *lowerer) setField(m map[string]*ast.Field, order *[]string, n *ast.Node, fs *fields.Field, src textSrc) {
	if old, dup := m[fs.Name]; dup {
		d := l.errAt(src.nameSpan, "N306", "field %q is given more than once", fs.Name)
		d.Hints = append(d.Hints, fmt.Sprintf("first given on line %d", l.f.Position(old.NameSpan.Start).Line))
		return
	}
	arrow := n != nil && fs.Kind == fields.Expr && (fs.Name == "expression" || fs.Name == "condition") &&
		(n.Kind == "transform/map" || n.Kind == "transform/filter" || n.Kind == "transform/reduce")
	var nm *expr.Names
	if n != nil {
		nm = l.namesFor(n, fs.Name, arrow)
	} else {
		nm = l.namesFor(&ast.Node{}, "", false)
	}
	f := l.convert(fs, src, nm)
	if f == nil {
		if l.failed == nil {
			l.failed = map[string]bool{}
		}
		l.failed[fmt.Sprintf("%p/%s", m, fs.Name)] = true
		return
	}
	m[fs.Name] = f
	if order != nil {
		*order = append(*order, fs.Name)
	}
}

func (l *lowerer) addExprErrors(errs []*expr.Error) {
	for _, e := range errs {
		d := l.errAt(source.Sp(e.Start, e.End), e.Code, "%s", e.Message)
		d.Hints = append(d.Hints, e.Hints...)
		d.Suggestion = e.Suggestion
	}
}

func identity(base int) func(int) int { return func(i int) int { return base + i } }

// convert turns written text (or a YAML value) into a field value of the
// field's kind (format.md §5.2).
func (l *lowerer) convert(fs *fields.Field, src textSrc, nm *expr.Names) *ast.Field {
	f := &ast.Field{Spec: fs, Name: fs.Name, Raw: src.raw, Span: src.span, NameSpan: src.nameSpan}
	pm := src.pm
	if pm == nil {
		pm = identity(src.span.Start)
	}
	bad := func(format string, args ...any) *source.Diagnostic {
		return l.errAt(src.span, "N305", format, args...)
	}
	// YAML non-string values for scalar kinds are used directly.
	if src.yaml != nil && src.yaml.Kind == yaml.ScalarNode && src.yaml.ShortTag() != "!!str" && fs.Kind.Scalar() {
		v, err := value.ScalarFromYAML(src.yaml)
		if err != nil {
			bad("invalid value for %q: %v", fs.Name, err)
			return nil
		}
		src.raw = value.Render(v)
		f.Raw = src.raw
	}
	raw := src.raw
	switch fs.Kind {
	case fields.Map, fields.List, fields.Any:
		return l.convertTree(f, fs, src, nm, pm)
	case fields.Schema:
		if out, ok := l.schemaFields(f, src); ok {
			return out
		}
		t, err := typedsl.Parse(raw, pm)
		if err != nil {
			d := l.errAt(source.Sp(err.Start, err.End), "N305", "invalid schema: %s", err.Message)
			if err.Hint != "" {
				d.Hints = append(d.Hints, err.Hint)
			}
			return nil
		}
		f.Type = t
		return f
	case fields.Tmpl:
		if !strings.Contains(raw, "{{") {
			// No segment and no escape: the text is the value.
			f.Static, f.IsStatic = raw, true
			return f
		}
		t, errs := expr.CompileTemplate(raw, pm, nm)
		if len(errs) > 0 {
			l.addExprErrors(errs)
			return nil
		}
		f.Tmpl = t
		if t.IsLiteral() {
			f.Static, f.IsStatic = literalText(raw), true
		}
		return f
	case fields.Expr:
		for _, w := range fs.Enum {
			if strings.TrimSpace(raw) == w {
				// A special word, never a name (merge="object").
				f.Static, f.IsStatic = w, true
				return f
			}
		}
		p, errs := expr.Compile(raw, pm, nm)
		if len(errs) > 0 {
			l.addExprErrors(errs)
			return nil
		}
		f.Prog = p
		return f
	case fields.Str:
		if strings.Contains(raw, "{{") {
			d := bad("field %q is not a template", fs.Name)
			d.Hints = append(d.Hints, "this field is not a template; its text is used as written")
			if fs.Name == "query" {
				d.Hints = []string{"use params"}
			}
			return nil
		}
		f.Static, f.IsStatic = raw, true
		return f
	}
	text := strings.TrimSpace(raw)
	if fs.Dynamic() && strings.Contains(text, "{{") {
		t, errs := expr.CompileTemplate(raw, pm, nm)
		if len(errs) > 0 {
			l.addExprErrors(errs)
			return nil
		}
		f.Tmpl = t
		return f
	}
	v, d := fields.Convert(fs, text)
	if d != "" {
		dg := bad("%s", d)
		if fs.Kind == fields.Bool {
			switch strings.ToLower(text) {
			case "yes", "1", "on", "true":
				dg.Hints = append(dg.Hints, `write "true"`)
			case "no", "0", "off", "false":
				dg.Hints = append(dg.Hints, `write "false"`)
			}
		}
		if fs.Kind == fields.Enum {
			source.SuggestHint(dg, text, fs.Enum)
		}
		if fs.Kind == fields.Dur {
			if h := units.MissingUnitHint(text); h != "" {
				dg.Hints = append(dg.Hints, h)
			}
		}
		return nil
	}
	if fs.Kind == fields.ID {
		s := v.(string)
		if _, ok := l.flow.ByID[s]; !ok || l.flow.ByID[s].Generated {
			dg := l.errAt(src.span, "N310", "unknown node %q", s)
			var ids []string
			for _, n := range l.flow.Nodes {
				if !n.Generated {
					ids = append(ids, n.ID)
				}
			}
			source.SuggestHint(dg, s, ids)
			return nil
		}
	}
	f.Static, f.IsStatic = v, true
	return f
}

// literalText removes template escapes from a template without segments.
func literalText(raw string) string {
	if !strings.Contains(raw, `\{{`) {
		return raw
	}
	return strings.ReplaceAll(raw, `\{{`, "{{")
}
