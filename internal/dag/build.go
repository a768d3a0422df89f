package dag

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/source"
)

// Plan is the dependency graph and the waves of every scope of one flow.
// The per-node slices are indexed by ast.Node.Index.
type Plan struct {
	Flow    *ast.Flow
	Root    *Graph // top level
	OnError *Graph // <on-workflow-error>, or nil

	// Deps are each node's same-scope dependencies after lifting, in
	// document order. A handler's entry holds its own dependencies; its
	// invokers wait for them too.
	Deps [][]*ast.Node
	// InputRefs are the nodes each node's `input` expression refers to,
	// before lifting (skip rule 4 of nodes.md §1.3). A reference to a phase
	// lists its nodes; a reference into an include lists the include node.
	InputRefs [][]*ast.Node
	// Wave is each node's 1-based wave in its scope (0 for handlers and
	// for nodes on or behind a cycle).
	Wave []int
	// Pos is each node's position in its graph's Nodes (-1 for handlers).
	Pos []int
	// Graphs lists the graph of every scope: Root first, then the inner
	// scopes of the containers in document order, then OnError. Use
	// ScopeGraph to find the graph of one scope.
	Graphs []*Graph
	// Includes holds the plan of each include node's sub-workflow, indexed
	// by Node.Index (nil for other nodes).
	Includes []*Plan

	byScope map[*ast.Scope]*Graph
}

// ScopeGraph returns the graph of scope s, or nil when s is not a scope
// of this plan's flow.
func (p *Plan) ScopeGraph(s *ast.Scope) *Graph { return p.byScope[s] }

// Graph is one scope's nodes and their waves.
type Graph struct {
	Scope *ast.Scope
	// Nodes are the scope's nodes except handlers, in document order.
	Nodes []*ast.Node
	// Waves are the Kahn levels of Nodes, each in document order.
	Waves [][]*ast.Node
	// Handlers are the handler nodes declared in this scope.
	Handlers []*ast.Node
	// Dependents lists, per position in Nodes, the positions of the nodes
	// that depend on it, ascending (for the eager scheduler).
	Dependents [][]int
}

// Kinds of raw edges, for the cycle notes.
type edgeKind uint8

const (
	byRef   edgeKind = iota // an expression of via refers to to (or reads a variable it wrote)
	byGoto                  // from is a goto target of to
	byPhase                 // from's phase comes after to's phase
	byBreak                 // from comes after the break to
)

// rawEdge is "from depends on to" before lifting. via is the node whose
// field made the reference (from itself, or a handler that from invokes);
// span is where (a reference, a goto field, a break or phase tag).
type rawEdge struct {
	from, to, via *ast.Node
	span          source.Span
	kind          edgeKind
}

// edge is a lifted edge between nodes of one scope, by index, with the raw
// edge it came from.
type edge struct {
	a, b int32
	raw  int32
}

// varEvent is one read or write of a variable, at node n. A whole read
// ($vars itself, or $vars[k] with a computed k) reads every variable.
type varEvent struct {
	n     *ast.Node
	write bool
	whole bool
	span  source.Span
}

type builder struct {
	flow  *ast.Flow
	file  *source.File
	diags source.List

	depth    []int32       // number of enclosing containers
	top      []*ast.Scope  // the root-level scope (Root or OnError) of each node
	foreach  []*ast.Node   // innermost enclosing foreach
	invokers [][]*ast.Node // direct invokers of each handler
	selfRef  []bool        // G501 already reported for a self-reference

	raw       []rawEdge
	inputRefs [][]*ast.Node
	phases    map[string]*ast.Phase
	contexts  map[string][]*ast.Node
	allCtx    []*ast.Node
	vars      map[string][]varEvent
	varOrder  []string
	wholeVars []varEvent  // whole reads of $vars, in document order
	targets   []*ast.Node // scratch for resolve
}

// Build computes dependencies and waves for every scope of flow and checks
// the reference rules of spec/execution.md §2.3 (N311), the order of
// variable reads and writes (G503), the goto and handler placement rules
// (N311) and cycles (G501, the whole path with one note per edge). Every
// problem is reported. The plans of included sub-workflows are built too;
// their diagnostics are appended, positioned in their own files.
func Build(flow *ast.Flow) (*Plan, source.List) {
	return build(flow, map[*ast.Flow]*Plan{})
}

func build(flow *ast.Flow, done map[*ast.Flow]*Plan) (*Plan, source.List) {
	n := len(flow.Nodes)
	b := &builder{
		flow:      flow,
		file:      flow.File,
		depth:     make([]int32, n),
		top:       make([]*ast.Scope, n),
		foreach:   make([]*ast.Node, n),
		invokers:  make([][]*ast.Node, n),
		selfRef:   make([]bool, n),
		inputRefs: make([][]*ast.Node, n),
		phases:    make(map[string]*ast.Phase, len(flow.Phases)),
		contexts:  map[string][]*ast.Node{},
		vars:      map[string][]varEvent{},
		raw:       make([]rawEdge, 0, 2*n+16),
	}
	p := &Plan{Flow: flow, byScope: map[*ast.Scope]*Graph{}}
	done[flow] = p
	b.prepare()
	b.collect()
	b.varEdges()
	b.expandHandlers()
	edges := b.liftEdges()
	b.plan(p, edges)
	p.InputRefs = b.inputRefs

	p.Includes = make([]*Plan, n)
	for _, nd := range flow.Nodes {
		if nd.Tag != "include" {
			continue
		}
		sub := flow.Subflows[nd]
		if sub == nil {
			continue
		}
		if sp, ok := done[sub]; ok {
			p.Includes[nd.Index] = sp // already built, or an include cycle (G502)
			continue
		}
		sp, d := build(sub, done)
		p.Includes[nd.Index] = sp
		b.diags.Append(d...)
	}
	b.diags.Sort()
	return p, b.diags
}

// prepare fills the per-node tables and the phase, context and handler
// indexes.
func (b *builder) prepare() {
	for _, ph := range b.flow.Phases {
		b.phases[ph.Name] = ph
	}
	for _, n := range b.flow.Nodes {
		i := n.Index
		if par := n.Parent; par != nil {
			b.depth[i] = b.depth[par.Index] + 1
			b.top[i] = b.top[par.Index]
			if par.Tag == "foreach" {
				b.foreach[i] = par
			} else {
				b.foreach[i] = b.foreach[par.Index]
			}
		} else {
			b.top[i] = n.Scope
		}
		switch n.Tag {
		case "context":
			b.allCtx = append(b.allCtx, n)
			for _, s := range n.Subs {
				if k, ok := staticString(s.Fields["key"]); ok && s.Tag == "set" {
					b.contexts[k] = append(b.contexts[k], n)
				}
			}
		case "timeout":
			if h := b.nodeByID(n.Field("on-timeout")); h != nil {
				b.invokers[h.Index] = append(b.invokers[h.Index], n)
			}
		}
		if n.OnError != nil && n.OnError.Fallback != nil {
			h := n.OnError.Fallback
			b.invokers[h.Index] = append(b.invokers[h.Index], n)
		}
	}
}

// nodeByID returns the node named by a static id field, or nil.
func (b *builder) nodeByID(f *ast.Field) *ast.Node {
	if id, ok := staticString(f); ok {
		return b.flow.ByID[id]
	}
	return nil
}

func staticString(f *ast.Field) (string, bool) {
	if f == nil || !f.IsStatic {
		return "", false
	}
	s, ok := f.Static.(string)
	return s, ok
}

// fieldRefs returns the references made by a field's compiled expression,
// template, pattern or template tree.
func fieldRefs(f *ast.Field) []expr.Ref {
	switch {
	case f == nil:
		return nil
	case f.Prog != nil:
		return f.Prog.Refs()
	case f.Tmpl != nil:
		return f.Tmpl.Refs()
	case f.Pat != nil:
		return f.Pat.Refs()
	case f.Tree != nil:
		return appendTreeRefs(nil, f.Tree)
	}
	return nil
}

func appendTreeRefs(dst []expr.Ref, t *ast.Tree) []expr.Ref {
	if t == nil {
		return dst
	}
	if tm, ok := t.Leaf.(*expr.Template); ok && tm != nil {
		dst = append(dst, tm.Refs()...)
	}
	for _, it := range t.Items {
		dst = appendTreeRefs(dst, it)
	}
	return dst
}

// sortedFields returns the fields of m ordered by position.
func sortedFields(m map[string]*ast.Field) []*ast.Field {
	if len(m) == 0 {
		return nil
	}
	out := make([]*ast.Field, 0, len(m))
	for _, f := range m {
		out = append(out, f)
	}
	slices.SortFunc(out, func(x, y *ast.Field) int {
		return cmp.Or(cmp.Compare(x.Span.Start, y.Span.Start), strings.Compare(x.Name, y.Name))
	})
	return out
}

// collect gathers the raw edges of every node in document order:
// references, variable events, gotos, phase barriers and breaks.
func (b *builder) collect() {
	for _, n := range b.flow.Nodes {
		if len(n.FieldOrder) == len(n.Fields) {
			for _, name := range n.FieldOrder {
				b.fieldEdges(n, n.Fields[name])
			}
		} else {
			for _, f := range sortedFields(n.Fields) {
				b.fieldEdges(n, f)
			}
		}
		for _, s := range n.Scopes {
			for _, f := range sortedFields(s.Fields) {
				b.fieldEdges(n, f)
			}
		}
		for _, s := range n.Subs {
			for _, f := range sortedFields(s.Fields) {
				b.fieldEdges(n, f)
			}
		}
		if n.OnError != nil && n.OnError.Retry != nil {
			for _, f := range sortedFields(n.OnError.Retry.Fields) {
				b.fieldEdges(n, f)
			}
		}
		switch n.Tag {
		case "set":
			if f := n.Field("var"); f != nil {
				if name, ok := staticString(f); ok {
					b.varEvent(name, varEvent{n: n, write: true, span: f.Span})
				}
			}
		case "goto":
			b.gotoEdge(n, n.Field("node"))
		case "checkpoint":
			for _, s := range n.Subs {
				if s.Tag == "action" {
					b.gotoEdge(n, s.Fields["goto"])
				}
			}
		}
	}
	b.barriers(b.flow.Root)
	if b.flow.OnError != nil {
		b.barriers(b.flow.OnError)
	}
	for _, n := range b.flow.Nodes {
		for _, s := range n.Scopes {
			b.barriers(s)
		}
	}
	b.checkHandlers()
}

// fieldEdges records the references of one field of node n.
func (b *builder) fieldEdges(n *ast.Node, f *ast.Field) {
	if f == nil {
		return
	}
	if f.Tree != nil {
		for _, r := range appendTreeRefs(nil, f.Tree) {
			b.ref(n, f, r)
		}
		return
	}
	for _, r := range fieldRefs(f) {
		b.ref(n, f, r)
	}
}

func (b *builder) ref(n *ast.Node, f *ast.Field, r expr.Ref) {
	sp := source.Sp(r.Start, r.End)
	switch r.Kind {
	case expr.RefNode:
		b.targets = b.resolve(r.Name, b.targets[:0])
		for _, t := range b.targets {
			if f.Name == "input" && !slices.Contains(b.inputRefs[n.Index], t) {
				b.inputRefs[n.Index] = append(b.inputRefs[n.Index], t)
			}
			b.nodeRef(n, t, f.Name, sp)
		}
	case expr.RefVar:
		if r.Name == "" {
			b.wholeRead(varEvent{n: n, whole: true, span: sp})
			break
		}
		b.varEvent(r.Name, varEvent{n: n, span: sp})
	case expr.RefContext:
		list := b.allCtx
		if r.Name != "" {
			list = b.contexts[r.Name]
		}
		for _, c := range list {
			if c != n && b.top[c.Index] == b.top[n.Index] {
				b.raw = append(b.raw, rawEdge{from: n, to: c, via: n, span: sp})
			}
		}
	}
}

// resolve appends the nodes a node reference names: a node id, every node
// of a phase, or the include node of "include/node".
func (b *builder) resolve(name string, dst []*ast.Node) []*ast.Node {
	if t := b.flow.ByID[name]; t != nil {
		return append(dst, t)
	}
	if ph := b.phases[name]; ph != nil {
		return append(dst, ph.Nodes...)
	}
	if i := strings.IndexByte(name, '/'); i > 0 {
		if t := b.flow.ByID[name[:i]]; t != nil {
			return append(dst, t)
		}
	}
	return dst
}

// ownBodyFields are the container fields that may read the container's
// own body (execution.md §2.3).
var ownBodyFields = map[string]bool{"break": true, "condition": true, "result": true, "merge": true}

// nodeRef checks a reference from node a (field fname) to node t against
// the table of execution.md §2.3 and records the edge when allowed.
func (b *builder) nodeRef(a, t *ast.Node, fname string, sp source.Span) {
	if t == a {
		if !b.selfRef[a.Index] {
			b.selfRef[a.Index] = true
			d := b.diags.Add(b.file, a.TagSpan, "G501", "dependency cycle: %s -> %s", a.ID, a.ID)
			d.Notes = append(d.Notes, b.note(sp, `"`+a.ID+`" uses "`+a.ID+`"`))
		}
		return
	}
	if ta, tt := b.top[a.Index], b.top[t.Index]; ta != tt {
		if tt == b.flow.OnError {
			d := b.diags.Add(b.file, sp, "N311", "cannot refer to %q in on-workflow-error", t.ID)
			d.Hints = append(d.Hints, "on-workflow-error nodes run only after the workflow has failed")
		}
		return // on-workflow-error reading the main graph: it runs after it
	}
	if b.isAncestor(t, a) {
		d := b.diags.Add(b.file, sp, "N311", "cannot refer to %q from inside it", t.ID)
		d.Hints = append(d.Hints, "a container's output exists only after its body has run; refer to it after the container")
		return
	}
	if b.isAncestor(a, t) {
		if !ownBodyFields[fname] {
			d := b.diags.Add(b.file, sp, "N311", "field %q of %q cannot refer to %q inside it", fname, a.ID, t.ID)
			d.Hints = append(d.Hints, "only break, condition, result and merge may read a container's own body")
		}
		return
	}
	a2, t2 := b.lift(a, t)
	if t2 != t {
		for c := t.Parent; c != nil; c = c.Parent {
			if c.Tag == "foreach" {
				d := b.diags.Add(b.file, sp, "N311", "cannot refer to %q inside foreach %q", t.ID, c.ID)
				d.Hints = append(d.Hints, "foreach iterations run in their own scopes; refer to \""+c.ID+"\" for the results")
				return
			}
			if c == t2 {
				break
			}
		}
	}
	if a2 == t2 {
		b.armsError(sp, t, a2)
		return
	}
	b.raw = append(b.raw, rawEdge{from: a, to: t, via: a, span: sp})
}

// armsError reports a reference between different arms or branches of
// container c.
func (b *builder) armsError(sp source.Span, t, c *ast.Node) {
	if c.Tag == "parallel" {
		d := b.diags.Add(b.file, sp, "N311", "cannot refer to %q in another branch of parallel %q", t.ID, c.ID)
		d.Hints = append(d.Hints, "parallel branches run independently and may not share nodes or variables")
		return
	}
	d := b.diags.Add(b.file, sp, "N311", "cannot refer to %q in another arm of %s %q", t.ID, c.Tag, c.ID)
	d.Hints = append(d.Hints, "only one arm of an "+c.Tag+" runs, so the other arm's nodes are skipped")
}

// isAncestor reports whether container c encloses node n (c != n).
func (b *builder) isAncestor(c, n *ast.Node) bool {
	dc := b.depth[c.Index]
	for n != nil && b.depth[n.Index] > dc {
		n = n.Parent
		if n == c {
			return true
		}
	}
	return false
}

// lift returns the nodes of the innermost scope holding both a and t that
// contain a and t (or are them). a and t must share their root scope.
func (b *builder) lift(a, t *ast.Node) (*ast.Node, *ast.Node) {
	for b.depth[a.Index] > b.depth[t.Index] {
		a = a.Parent
	}
	for b.depth[t.Index] > b.depth[a.Index] {
		t = t.Parent
	}
	for a.Scope != t.Scope {
		a, t = a.Parent, t.Parent
	}
	return a, t
}

func (b *builder) note(sp source.Span, text string) string {
	if b.file == nil {
		return text
	}
	p := b.file.Position(sp.Start)
	return b.file.Name + ":" + itoa(p.Line) + ":" + itoa(p.Col) + ": " + text
}

func itoa(i int) string { return strconv.Itoa(i) }

// gotoEdge checks a goto (or checkpoint action goto) field of node g and
// makes its target depend on g (nodes.md §4.3).
func (b *builder) gotoEdge(g *ast.Node, f *ast.Field) {
	t := b.nodeByID(f)
	if t == nil {
		return
	}
	sp := f.Span
	bad := func(format string, args ...any) {
		d := b.diags.Add(b.file, sp, "N311", format, args...)
		d.Hints = append(d.Hints, "a goto activates a node after it, in the same iteration and parallel branch")
	}
	switch {
	case b.top[t.Index] != b.top[g.Index]:
		if b.top[t.Index] == b.flow.OnError {
			bad("goto target %q is in on-workflow-error", t.ID)
		} else {
			bad("goto target %q is outside on-workflow-error", t.ID)
		}
		return
	case t.Handler:
		d := b.diags.Add(b.file, sp, "N311", "goto target %q is a handler", t.ID)
		d.Hints = append(d.Hints, "handlers run only when a <fallback> or on-timeout invokes them")
		return
	case t == g || b.isAncestor(t, g):
		bad("goto target %q contains the goto", t.ID)
		return
	case t.Index < g.Index:
		bad("goto target %q comes before the goto", t.ID)
		return
	}
	for c := t.Parent; c != nil; c = c.Parent {
		if b.isAncestor(c, g) {
			if c.Tag == "parallel" && b.branchOf(c, t) != b.branchOf(c, g) {
				bad("goto target %q is in another branch of parallel %q", t.ID, c.ID)
				return
			}
			break
		}
		switch c.Tag {
		case "loop", "while", "foreach":
			bad("goto target %q is inside %s %q, which does not contain the goto", t.ID, c.Tag, c.ID)
			return
		case "parallel":
			bad("goto target %q is inside a branch of parallel %q, which does not contain the goto", t.ID, c.ID)
			return
		}
	}
	b.raw = append(b.raw, rawEdge{from: t, to: g, via: t, span: sp, kind: byGoto})
}

// branchOf returns the scope of container c that holds n.
func (b *builder) branchOf(c, n *ast.Node) *ast.Scope {
	for n != nil && n.Parent != c {
		n = n.Parent
	}
	if n == nil {
		return nil
	}
	return n.Scope
}

// checkHandlers applies nodes.md §8.2: a handler must not sit in a loop,
// while, foreach or parallel branch that does not contain its invokers.
func (b *builder) checkHandlers() {
	for _, h := range b.flow.Nodes {
		for _, inv := range b.invokers[h.Index] {
			sp := inv.TagSpan
			if inv.OnError != nil && inv.OnError.Fallback == h {
				sp = inv.OnError.FallbackSpan
			} else if f := inv.Field("on-timeout"); f != nil {
				sp = f.Span
			}
			if b.top[h.Index] != b.top[inv.Index] {
				d := b.diags.Add(b.file, sp, "N311", "handler %q is not in the same graph as its invoker %q", h.ID, inv.ID)
				d.Hints = append(d.Hints, "declare the handler next to the nodes that use it")
				continue
			}
			for c := h.Parent; c != nil; c = c.Parent {
				if c == inv || b.isAncestor(c, inv) {
					if c.Tag == "parallel" && b.branchOf(c, h) != b.branchOf(c, inv) {
						b.handlerError(sp, h, inv, c)
					}
					break
				}
				if c.Tag == "loop" || c.Tag == "while" || c.Tag == "foreach" || c.Tag == "parallel" {
					b.handlerError(sp, h, inv, c)
					break
				}
			}
		}
	}
}

func (b *builder) handlerError(sp source.Span, h, inv, c *ast.Node) {
	what := c.Tag
	if what == "parallel" {
		what = "a branch of parallel"
	}
	d := b.diags.Add(b.file, sp, "N311", "handler %q is inside %s %q, which does not contain its invoker %q", h.ID, what, c.ID, inv.ID)
	d.Hints = append(d.Hints, "declare the handler next to the nodes that use it")
}

// barriers makes every node of each phase of scope s depend on every node
// of the previous sibling phase (execution.md §3), recursively for nested
// phases.
func (b *builder) barriers(s *ast.Scope) {
	b.phaseSeq(s.Phases)
	// Breaks: later nodes of the same list depend on each <break>.
	for i, n := range s.Nodes {
		if n.Tag != "break" {
			continue
		}
		for _, m := range s.Nodes[i+1:] {
			b.raw = append(b.raw, rawEdge{from: m, to: n, via: m, span: n.TagSpan, kind: byBreak})
		}
	}
}

func (b *builder) phaseSeq(list []*ast.Phase) {
	for k, ph := range list {
		b.phaseSeq(ph.Children)
		if k == 0 {
			continue
		}
		prev := list[k-1]
		for _, n := range ph.Nodes {
			if n.Scope != ph.Scope && ph.Scope != nil {
				continue
			}
			for _, m := range prev.Nodes {
				if m.Handler || (m.Scope != prev.Scope && prev.Scope != nil) {
					continue
				}
				b.raw = append(b.raw, rawEdge{from: n, to: m, via: n, span: ph.Span, kind: byPhase})
			}
		}
	}
}

// varEvent appends a read or write of variable name; repeated reads by
// the same node count once.
func (b *builder) varEvent(name string, e varEvent) {
	evs, ok := b.vars[name]
	if !ok {
		b.varOrder = append(b.varOrder, name)
	}
	if !e.write {
		for i := len(evs) - 1; i >= 0 && evs[i].n == e.n; i-- {
			if !evs[i].write {
				return
			}
		}
	}
	b.vars[name] = append(evs, e)
}

// wholeRead records a read of $vars as a whole; repeated whole reads by
// the same node count once.
func (b *builder) wholeRead(e varEvent) {
	if k := len(b.wholeVars); k > 0 && b.wholeVars[k-1].n == e.n {
		return
	}
	b.wholeVars = append(b.wholeVars, e)
}

// withWholeReads merges the whole reads of $vars into the events of one
// variable, in document order (node order; a node's own events first). A
// node that already reads the variable by name gains no second read.
func (b *builder) withWholeReads(evs []varEvent) []varEvent {
	if len(b.wholeVars) == 0 {
		return evs
	}
	out := make([]varEvent, 0, len(evs)+len(b.wholeVars))
	i := 0
	for _, w := range b.wholeVars {
		for i < len(evs) && evs[i].n.Index <= w.n.Index {
			out = append(out, evs[i])
			i++
		}
		named := false
		for j := len(out) - 1; j >= 0 && out[j].n == w.n; j-- {
			named = named || !out[j].write
		}
		if !named {
			out = append(out, w)
		}
	}
	return append(out, evs[i:]...)
}

// sees reports whether an event at node w takes part in the ordering with
// an event at node y: a <set> inside a foreach body only does within that
// body (execution.md §2.2).
func (b *builder) sees(w varEvent, y *ast.Node) bool {
	if !w.write {
		return true
	}
	f := b.foreach[w.n.Index]
	return f == nil || b.isAncestor(f, y)
}

// varEdges orders the readers and writers of every variable (execution.md
// §2.2): each event depends on every earlier writer, each writer on every
// earlier reader. A read of $vars as a whole is a read of every variable.
// Reads by name without an earlier writer are G503.
func (b *builder) varEdges() {
	for _, name := range b.varOrder {
		evs := b.withWholeReads(b.vars[name])
		for j, e := range evs {
			found, shared := false, false
			for _, x := range evs[:j] {
				if x.n == e.n || !(x.write || e.write) || !b.sees(x, e.n) || !b.sees(e, x.n) {
					continue
				}
				if b.isAncestor(x.n, e.n) || b.isAncestor(e.n, x.n) {
					// a container's own fields and its body: no edge
					found = found || x.write
					continue
				}
				if x.write {
					found = true
				}
				if b.top[x.n.Index] != b.top[e.n.Index] {
					continue
				}
				if a2, t2 := b.lift(e.n, x.n); a2 == t2 {
					if a2.Tag == "parallel" && !shared {
						shared = true
						d := b.diags.Add(b.file, e.span, "N311", "variable %q is shared across branches of parallel %q", name, a2.ID)
						d.Hints = append(d.Hints, "a variable written in one parallel branch may not be read or written in another")
					}
					continue
				}
				b.raw = append(b.raw, rawEdge{from: e.n, to: x.n, via: e.n, span: e.span})
			}
			if !e.write && !e.whole && !found && !b.writtenInside(evs, e.n) {
				d := b.diags.Add(b.file, e.span, "G503", "variable %q is read before it is set", name)
				hint := "add <set var=\"" + name + "\" .../> before this read"
				for _, w := range evs[j+1:] {
					if w.write && b.file != nil {
						hint = "the first <set var=\"" + name + "\"> is on line " +
							itoa(b.file.Position(w.span.Start).Line) + "; move it before this read"
						break
					}
				}
				d.Hints = append(d.Hints, hint)
			}
		}
	}
}

// writtenInside reports whether container c's body writes the variable
// of evs: then c's own fields may read it (they are evaluated around the
// body).
func (b *builder) writtenInside(evs []varEvent, c *ast.Node) bool {
	if c.IsLeaf() {
		return false
	}
	for _, w := range evs {
		if w.write && b.isAncestor(c, w.n) {
			return true
		}
	}
	return false
}

// expandHandlers gives every invoker of a handler the handler's raw
// dependencies (rule 6 of execution.md §2.1), through chains of handlers.
func (b *builder) expandHandlers() {
	m := len(b.raw)
	var closure []*ast.Node
	for i := 0; i < m; i++ {
		r := b.raw[i]
		if !r.from.Handler {
			continue
		}
		closure = b.invokerClosure(r.from, closure[:0])
		for _, inv := range closure {
			b.raw = append(b.raw, rawEdge{from: inv, to: r.to, via: r.via, span: r.span, kind: r.kind})
		}
	}
}

// invokerClosure appends the nodes that invoke handler h, directly or
// through other handlers.
func (b *builder) invokerClosure(h *ast.Node, dst []*ast.Node) []*ast.Node {
	start := len(dst)
	dst = append(dst, b.invokers[h.Index]...)
	for i := start; i < len(dst); i++ {
		if dst[i].Handler {
			for _, inv := range b.invokers[dst[i].Index] {
				if inv != h && !slices.Contains(dst[start:], inv) {
					dst = append(dst, inv)
				}
			}
		}
	}
	return dst
}

// liftEdges turns raw edges into same-scope edges (execution.md §2.3). An edge
// to a handler becomes edges to the nodes that invoke it.
func (b *builder) liftEdges() []edge {
	edges := make([]edge, 0, len(b.raw))
	var inv []*ast.Node
	for i, r := range b.raw {
		to := r.to
		if !to.Handler {
			edges = b.liftOne(edges, r.from, to, i)
			continue
		}
		inv = b.invokerClosure(to, inv[:0])
		for _, t := range inv {
			if !t.Handler {
				edges = b.liftOne(edges, r.from, t, i)
			}
		}
	}
	return edges
}

func (b *builder) liftOne(edges []edge, from, to *ast.Node, raw int) []edge {
	if from == to || b.top[from.Index] != b.top[to.Index] {
		return edges
	}
	a2, t2 := b.lift(from, to)
	if a2 == t2 {
		return edges
	}
	return append(edges, edge{a: int32(a2.Index), b: int32(t2.Index), raw: int32(raw)})
}
