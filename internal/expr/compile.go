package expr

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/value"
)

// Names is what a field may refer to, used at compile (validate) time.
type Names struct {
	Funcs       Funcs
	IsNode      func(name string) bool                           // declared node id, phase name or include id
	Member      func(container, id string) (key string, ok bool) // `p.x`: node x in phase/include p -> key to resolve
	IsVar       func(name string) bool                           // declared <set var> names
	Locals      []string                                         // extra bare names in scope (foreach/map item and index names...)
	AllowInput  bool                                             // `input` is in scope
	AllowArrow  bool                                             // the whole expression may be an arrow function
	ConfigKeys  []string                                         // nil: not checked
	SecretNames []string                                         // nil: not checked
	EnvNames    []string                                         // nil: not checked
	InputKeys   []string                                         // nil: $input keys not checked
	// Known lists node ids, phase names, include ids and variable names
	// offered as did-you-mean suggestions for an unknown name (optional).
	Known []string
	// PhaseNodes, when set, returns the explicit node ids declared inside
	// phase p and true, or false when p is not a phase: `p.x` for a node
	// x outside p is X402 (nodes.md §3.1).
	PhaseNodes func(p string) ([]string, bool)
}

// evalFn is a compiled expression.
type evalFn func(e *Env) (any, error)

// Program is a compiled expression field.
type Program struct {
	src   string
	fn    evalFn
	refs  []Ref
	arrow bool
	all   *rtErr
}

// Eval evaluates the expression; errors are *EvalError. For a whole-arrow
// program the value is a *Function (see Call).
func (p *Program) Eval(env *Env) (any, error) {
	env.begin()
	v, err := p.fn(env)
	if err != nil {
		return nil, p.all.wrap(err)
	}
	return v, nil
}

// Call evaluates a whole-arrow program applied to args (map and filter pass
// item and index, reduce acc, item and index) as one evaluation; for other
// programs it is Eval.
func (p *Program) Call(env *Env, args ...any) (any, error) {
	env.begin()
	v, err := p.fn(env)
	if err == nil && p.arrow {
		v, err = env.ctx.Call(v, args...)
	}
	if err != nil {
		return nil, p.all.wrap(err)
	}
	return v, nil
}

// Refs lists the references the expression makes, in source order.
func (p *Program) Refs() []Ref { return p.refs }

// IsArrow reports whether the whole expression is an arrow function.
func (p *Program) IsArrow() bool { return p.arrow }

// Source returns the expression text.
func (p *Program) Source() string { return p.src }

// Compile parses, checks and compiles an expression field. One {{ … }}
// wrapper around the whole expression is removed; text outside it is N305.
func Compile(src string, pm PosMap, n *Names) (*Program, []*Error) {
	if n == nil {
		n = &Names{}
	}
	d := &diag{src: src, pm: pm}
	if len(src) > maxSource {
		d.add("X401", 0, len(src), fmt.Sprintf("expression longer than %d bytes", maxSource))
		return nil, d.finish()
	}
	start, end, ok := unwrap(src, d)
	if !ok {
		return nil, d.finish()
	}
	p := newParser(src, start, end, d, n)
	ast := catch(func() node { return p.parseTop(n.AllowArrow) })
	if ast == nil {
		return nil, d.finish()
	}
	c := &compiler{src: src, pm: pm, n: n, d: d}
	fn := c.compile(ast)
	if len(d.errs) > 0 {
		return nil, d.finish()
	}
	_, isArrow := ast.(*arrowNode)
	return &Program{src: src, fn: fn, refs: c.refs, arrow: isArrow, all: c.atSpan(0, len(src))}, nil
}

// unwrap finds the {{ … }} wrapper of an expression field (§1) and returns
// the bounds of what it holds, or the whole source when there is none. "{{"
// outside string literals never starts valid expression syntax, so its
// first occurrence is the wrapper: non-blank text before it or after its
// "}}" is N305 ("text outside the wrapper"), an unclosed one X401; ok is
// false after such an error (added to d).
func unwrap(src string, d *diag) (start, end int, ok bool) {
	w := findOpen(src)
	if w < 0 {
		return 0, len(src), true
	}
	cs := w + 2
	if cs < len(src) && src[cs] == '~' {
		cs++
	}
	ce, te, closed := scanSegment(src, cs)
	if !closed {
		d.add("X401", w, w+2, `unclosed "{{"`, `close it with "}}"`)
		return 0, 0, false
	}
	if s, e := trimmedSpan(src, 0, w); s < e {
		strayText(d, src, s, e)
		return 0, 0, false
	}
	if s, e := trimmedSpan(src, te, len(src)); s < e {
		strayText(d, src, s, e)
		return 0, 0, false
	}
	return cs, ce, true
}

// strayText reports text outside an expression field's {{ }} wrapper.
func strayText(d *diag, src string, s, e int) {
	d.add("N305", s, e, "text "+snippet(src, s, e)+` outside the "{{ }}" wrapper`,
		"an expression field holds one expression: write all of it inside one {{ }}, or drop the braces")
}

// trimmedSpan returns the bounds of src[s:e] without leading and trailing
// blanks (s == e when it is all blank).
func trimmedSpan(src string, s, e int) (int, int) {
	for s < e && isBlank(src[s]) {
		s++
	}
	for e > s && isBlank(src[e-1]) {
		e--
	}
	return s, e
}

// findOpen returns the index of the first "{{" of src outside string
// literals, -1 if there is none.
func findOpen(src string) int {
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '\'', '"':
			for i++; i < len(src) && src[i] != c; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '{':
			if i+1 < len(src) && src[i+1] == '{' {
				return i
			}
		}
	}
	return -1
}

// compiler checks names and turns the AST into closures.
type compiler struct {
	src    string
	pm     PosMap
	n      *Names
	d      *diag
	scopes []scope
	refs   []Ref
}

// scope is a level of arrow or block parameters; name i lives in slot
// base+i of Env.frames.
type scope struct {
	names []string
	base  int
}

func (c *compiler) slots() int {
	if len(c.scopes) == 0 {
		return 0
	}
	s := c.scopes[len(c.scopes)-1]
	return s.base + len(s.names)
}

func (c *compiler) push(names []string) int {
	base := c.slots()
	c.scopes = append(c.scopes, scope{names: names, base: base})
	return base
}

func (c *compiler) pop() { c.scopes = c.scopes[:len(c.scopes)-1] }

func (c *compiler) ref(kind RefKind, name string, n node) {
	s, e := n.span()
	c.refs = append(c.refs, Ref{Kind: kind, Name: name, Start: c.pm.at(s), End: c.pm.at(e)})
}

// protect converts stray errors into positioned *EvalErrors.
func (c *compiler) protect(fn evalFn) evalFn {
	r := &rtErr{src: c.src, start: 0, end: len(c.src), fstart: c.pm.at(0), fend: c.pm.at(len(c.src))}
	return func(e *Env) (any, error) {
		v, err := fn(e)
		if err != nil {
			return nil, r.wrap(err)
		}
		return v, nil
	}
}

type nameKind int

const (
	nkUnknown nameKind = iota
	nkSlot
	nkLocal
	nkInput
	nkNode
	nkVar
	nkGlobal   // $input, $config, ...
	nkDollar   // $item, $acc, ...
	nkUndef    // undefined
	nkThisOut  // this outside blocks
	nkAtOut    // @index outside blocks
	nkBadDollr // unknown $name
)

var globalNames = map[string]bool{
	"$input": true, "$config": true, "$secrets": true, "$env": true, "$context": true, "$vars": true,
	"$run": true, "$workflow": true,
}

var dollarNames = map[string]bool{
	"$attempt": true, "$item": true, "$index": true, "$first": true, "$last": true, "$items": true,
	"$acc": true, "$iteration": true, "$branch": true, "$branches": true, "$error": true,
}

// resolve finds what a bare name refers to, in the order of §5.
func (c *compiler) resolve(name string) (nameKind, int) {
	for i := len(c.scopes) - 1; i >= 0; i-- {
		s := c.scopes[i]
		for j := len(s.names) - 1; j >= 0; j-- {
			if s.names[j] == name {
				return nkSlot, s.base + j
			}
		}
	}
	if strings.HasPrefix(name, "$") {
		switch {
		case globalNames[name]:
			return nkGlobal, 0
		case dollarNames[name]:
			return nkDollar, 0
		case slices.Contains(c.n.Locals, name):
			return nkLocal, 0
		}
		return nkBadDollr, 0
	}
	if slices.Contains(c.n.Locals, name) {
		return nkLocal, 0
	}
	if name == "input" && c.n.AllowInput {
		return nkInput, 0
	}
	if c.n.IsNode != nil && c.n.IsNode(name) {
		return nkNode, 0
	}
	if c.n.IsVar != nil && c.n.IsVar(name) {
		return nkVar, 0
	}
	switch {
	case name == "undefined":
		return nkUndef, 0
	case name == "this":
		return nkThisOut, 0
	case name[0] == '@':
		return nkAtOut, 0
	}
	return nkUnknown, 0
}

// candidates are the names offered for did-you-mean.
func (c *compiler) candidates() []string {
	var out []string
	for i := len(c.scopes) - 1; i >= 0; i-- {
		out = append(out, c.scopes[i].names...)
	}
	out = append(out, c.n.Locals...)
	if c.n.AllowInput {
		out = append(out, "input")
	}
	out = append(out, c.n.Known...)
	return out
}

func (c *compiler) unknownName(n *nameNode, kind nameKind) {
	switch kind {
	case nkUndef:
		c.d.add("X402", n.start, n.end, "unknown name \"undefined\"", "use null")
	case nkThisOut:
		c.d.add("X401", n.start, n.end, "\"this\" is only available inside template blocks")
	case nkAtOut:
		c.d.add("X402", n.start, n.end, fmt.Sprintf("unknown name %q", n.name), "@index, @key, @first and @last exist inside {{#each}} blocks")
	case nkBadDollr:
		var all []string
		for k := range globalNames {
			all = append(all, k)
		}
		for k := range dollarNames {
			all = append(all, k)
		}
		sort.Strings(all)
		c.suggest(c.d.add("X402", n.start, n.end, fmt.Sprintf("unknown name %q", n.name)), n.name, all)
	default:
		c.suggest(c.d.add("X402", n.start, n.end, fmt.Sprintf("unknown name %q", n.name)), n.name, c.candidates())
	}
}

func (c *compiler) suggest(e *Error, name string, cands []string) {
	if s, ok := source.Suggest(name, cands); ok {
		e.Hints = append(e.Hints, fmt.Sprintf("did you mean %q?", s))
		e.Suggestion = s
	}
}

func constFn(v any) evalFn { return func(*Env) (any, error) { return v, nil } }

func stepErr() error {
	return &BudgetError{Message: fmt.Sprintf("expression budget exceeded: more than %d steps", MaxSteps)}
}

// compile returns the closure for n; errors are collected in c.d.
func (c *compiler) compile(n node) evalFn {
	switch n := n.(type) {
	case *litNode:
		return constFn(n.val)
	case *parenNode:
		return c.compile(n.x)
	case *nameNode:
		return c.compileName(n)
	case *memberNode:
		return c.compileMember(n)
	case *indexNode:
		return c.compileIndex(n)
	case *callNode:
		return c.compileCall(n)
	case *unaryNode:
		return c.compileUnary(n)
	case *binaryNode:
		return c.compileBinary(n)
	case *condNode:
		cf, af, bf := c.compile(n.c), c.compile(n.a), c.compile(n.b)
		return func(e *Env) (any, error) {
			v, err := cf(e)
			if err != nil {
				return nil, err
			}
			if value.Truthy(v) {
				return af(e)
			}
			return bf(e)
		}
	case *arrayNode:
		return c.compileArray(n)
	case *objectNode:
		return c.compileObject(n)
	case *arrowNode:
		return c.compileArrow(n)
	}
	panic(fmt.Sprintf("expr: unknown node %T", n))
}

func (c *compiler) compileName(n *nameNode) evalFn {
	kind, slot := c.resolve(n.name)
	switch kind {
	case nkSlot:
		return func(e *Env) (any, error) {
			if slot < len(e.frames) {
				return e.frames[slot], nil
			}
			return nil, nil
		}
	case nkLocal:
		name := n.name
		if name == "item" {
			return func(e *Env) (any, error) {
				if e.hasItem && e.itemName == "" {
					return e.item, nil
				}
				return e.local(name), nil
			}
		}
		return func(e *Env) (any, error) { return e.local(name), nil }
	case nkInput:
		c.ref(RefNodeInput, "input", n)
		return func(e *Env) (any, error) { return e.Input, nil }
	case nkNode:
		c.ref(RefNode, n.name, n)
		return nodeField(n.name, "output")
	case nkVar:
		c.ref(RefVar, n.name, n)
		name := n.name
		return func(e *Env) (any, error) {
			if e.Resolver == nil {
				return nil, nil
			}
			return e.Resolver.Var(name), nil
		}
	case nkGlobal:
		switch n.name {
		case "$input":
			c.ref(RefInput, "", n)
		case "$config":
			c.ref(RefConfig, "", n)
		case "$secrets":
			c.ref(RefSecret, "", n)
		case "$env":
			c.ref(RefEnv, "", n)
		case "$context":
			c.ref(RefContext, "", n)
		case "$vars":
			c.ref(RefVar, "", n)
		}
		return globalFn(n.name)
	case nkDollar:
		name := n.name
		return func(e *Env) (any, error) { return e.dollar(name), nil }
	}
	c.unknownName(n, kind)
	return constFn(nil)
}

// globalFn reads a global $ name.
func globalFn(name string) evalFn {
	var get func(g *Globals) any
	switch name {
	case "$input":
		get = func(g *Globals) any { return g.Input }
	case "$config":
		get = func(g *Globals) any { return g.Config }
	case "$secrets":
		get = func(g *Globals) any { return g.Secrets }
	case "$env":
		get = func(g *Globals) any { return g.Env }
	case "$context":
		get = func(g *Globals) any { return g.Context }
	case "$run":
		get = func(g *Globals) any { return g.Run }
	case "$workflow":
		get = func(g *Globals) any { return g.Workflow }
	case "$vars":
		return func(e *Env) (any, error) {
			if e.Resolver == nil {
				return nil, nil
			}
			return e.Resolver.Var(""), nil
		}
	}
	return func(e *Env) (any, error) {
		if e.Globals == nil {
			return nil, nil
		}
		return get(e.Globals), nil
	}
}

// nodeField reads one field of a node reference (nodes.md §1.2).
func nodeField(key, field string) evalFn {
	return func(e *Env) (any, error) {
		if e.Resolver == nil {
			return nil, nil
		}
		st := e.Resolver.Node(key)
		switch field {
		case "output":
			return st.Output, nil
		case "status":
			return st.Status, nil
		case "error":
			return st.Error, nil
		case "duration":
			return st.Duration, nil
		case "attempts":
			return st.Attempts, nil
		}
		return nil, nil
	}
}

// nodeKey reports whether n is a node reference: a node name, or p.x with x a
// node of phase or include p. It records nothing.
func (c *compiler) nodeKey(n node) (string, bool) {
	switch n := n.(type) {
	case *nameNode:
		if k, _ := c.resolve(n.name); k == nkNode {
			return n.name, true
		}
	case *memberNode:
		if b, ok := n.x.(*nameNode); ok && c.n.Member != nil {
			if k, _ := c.resolve(b.name); k == nkNode {
				if key, ok := c.n.Member(b.name, n.name); ok {
					return key, true
				}
			}
		}
	}
	return "", false
}

// keyed is the $ name whose member keys are checked and recorded.
type keyed struct {
	kind  RefKind
	keys  []string
	what  string
	check bool
}

func (c *compiler) keyedGlobal(n node) (keyed, bool) {
	b, ok := n.(*nameNode)
	if !ok {
		return keyed{}, false
	}
	if k, _ := c.resolve(b.name); k != nkGlobal {
		return keyed{}, false
	}
	switch b.name {
	case "$config":
		return keyed{RefConfig, c.n.ConfigKeys, "config key", c.n.ConfigKeys != nil}, true
	case "$secrets":
		return keyed{RefSecret, c.n.SecretNames, "secret", c.n.SecretNames != nil}, true
	case "$env":
		return keyed{RefEnv, c.n.EnvNames, "environment variable", c.n.EnvNames != nil}, true
	case "$input":
		return keyed{RefInput, c.n.InputKeys, "input field", c.n.InputKeys != nil}, true
	case "$context":
		return keyed{RefContext, nil, "context key", false}, true
	case "$vars":
		return keyed{RefVar, nil, "variable", false}, true
	}
	return keyed{}, false
}

// keyRef checks and records a `$config.k` style read (the base name itself
// is not recorded again).
func (c *compiler) keyRef(kd keyed, key string, whole node, keyStart, keyEnd int) {
	if kd.kind == RefVar {
		if key != "" && c.n.IsVar != nil && !c.n.IsVar(key) {
			e := c.d.add("X402", keyStart, keyEnd, fmt.Sprintf("unknown variable %q", key))
			c.suggest(e, key, c.n.Known)
		}
		c.ref(RefVar, key, whole)
		return
	}
	if kd.check && key != "" && !slices.Contains(kd.keys, key) {
		e := c.d.add("X406", keyStart, keyEnd, fmt.Sprintf("unknown %s %q", kd.what, key))
		c.suggest(e, key, kd.keys)
		if e.Suggestion == "" && len(kd.keys) == 0 {
			e.Hints = append(e.Hints, fmt.Sprintf("no %ss are declared", kd.what))
		}
	}
	c.ref(kd.kind, key, whole)
}

func (c *compiler) compileMember(n *memberNode) evalFn {
	r := c.at(n)
	step := func(e *Env) error {
		e.ctx.steps++
		if e.ctx.steps > MaxSteps {
			return r.wrap(stepErr())
		}
		return nil
	}
	if key, ok := c.nodeKey(n); ok {
		c.ref(RefNode, key, n)
		return nodeField(key, "output")
	}
	if key, ok := c.nodeKey(n.x); ok {
		switch n.name {
		case "output", "status", "error", "duration", "attempts":
		default:
			if b, isName := n.x.(*nameNode); isName && c.n.PhaseNodes != nil {
				if ids, isPhase := c.n.PhaseNodes(b.name); isPhase {
					e := c.d.add("X402", n.nameStart, n.end, fmt.Sprintf("unknown node %q in phase %q", n.name, b.name))
					c.suggest(e, n.name, ids)
					return constFn(nil)
				}
			}
		}
		c.ref(RefNode, key, n.x)
		switch n.name {
		case "output", "status", "error", "duration", "attempts":
			f := nodeField(key, n.name)
			return func(e *Env) (any, error) {
				if err := step(e); err != nil {
					return nil, err
				}
				return f(e)
			}
		}
		return c.memberOf(nodeField(key, "output"), n, r)
	}
	if kd, ok := c.keyedGlobal(n.x); ok {
		base := n.x.(*nameNode)
		c.keyRef(kd, n.name, n, n.nameStart, n.end)
		if kd.kind == RefVar {
			name := n.name
			return func(e *Env) (any, error) {
				if err := step(e); err != nil {
					return nil, err
				}
				if e.Resolver == nil {
					return nil, nil
				}
				return e.Resolver.Var(name), nil
			}
		}
		return c.memberOf(globalFn(base.name), n, r)
	}
	return c.memberOf(c.compile(n.x), n, r)
}

// memberOf compiles the member read of §4 on the value of xf.
func (c *compiler) memberOf(xf evalFn, n *memberNode, r *rtErr) evalFn {
	name, optional := n.name, n.optional
	return func(e *Env) (any, error) {
		x, err := xf(e)
		if err != nil {
			return nil, err
		}
		e.ctx.steps++
		if e.ctx.steps > MaxSteps {
			return nil, r.wrap(stepErr())
		}
		if o, ok := x.(*value.Object); ok {
			v, _ := o.Get(name)
			return v, nil
		}
		return member(x, name, optional, r)
	}
}

// member reads a named member of a value that is not an object.
func member(x any, name string, optional bool, r *rtErr) (any, error) {
	switch x := x.(type) {
	case nil:
		return nil, nil
	case *value.Object:
		v, _ := x.Get(name)
		return v, nil
	case []any:
		if name == "length" {
			return float64(len(x)), nil
		}
	case string:
		if name == "length" {
			return float64(runeCount(x)), nil
		}
	}
	if optional {
		return nil, nil
	}
	return nil, r.errorf("cannot read member %q of %s", name, value.TypeName(x))
}

func (c *compiler) compileIndex(n *indexNode) evalFn {
	r := c.at(n)
	var xf evalFn
	if key, ok := c.nodeKey(n.x); ok {
		c.ref(RefNode, key, n.x)
		xf = nodeField(key, "output")
	} else if kd, ok := c.keyedGlobal(n.x); ok {
		base := n.x.(*nameNode)
		key := ""
		if lit, ok := n.index.(*litNode); ok {
			if s, ok := lit.val.(string); ok {
				key = s
			}
		}
		ks, ke := n.index.span()
		c.keyRef(kd, key, n, ks, ke)
		if kd.kind == RefVar {
			idx := c.compile(n.index)
			return func(e *Env) (any, error) {
				k, err := idx(e)
				if err != nil {
					return nil, err
				}
				s, ok := k.(string)
				if !ok {
					return nil, r.errorf("variable name must be a string, got %s", value.TypeName(k))
				}
				if e.Resolver == nil {
					return nil, nil
				}
				return e.Resolver.Var(s), nil
			}
		}
		xf = globalFn(base.name)
	} else {
		xf = c.compile(n.x)
	}
	idx := c.compile(n.index)
	optional := n.optional
	return func(e *Env) (any, error) {
		x, err := xf(e)
		if err != nil {
			return nil, err
		}
		k, err := idx(e)
		if err != nil {
			return nil, err
		}
		e.ctx.steps++
		if e.ctx.steps > MaxSteps {
			return nil, r.wrap(stepErr())
		}
		return index(x, k, optional, r)
	}
}

// index reads x[k] (§4 member access with a computed member).
func index(x, k any, optional bool, r *rtErr) (any, error) {
	if s, ok := k.(string); ok && blockedMembers[s] {
		return nil, r.errorf("member %q is not allowed", s)
	}
	switch xv := x.(type) {
	case nil:
		return nil, nil
	case *value.Object:
		switch kv := k.(type) {
		case string:
			v, _ := xv.Get(kv)
			return v, nil
		case float64:
			v, _ := xv.Get(formatNum(kv))
			return v, nil
		}
		if optional {
			return nil, nil
		}
		return nil, r.errorf("cannot index object with %s", value.TypeName(k))
	case []any:
		switch kv := k.(type) {
		case float64:
			if kv != float64(int64(kv)) {
				if optional {
					return nil, nil
				}
				return nil, r.errorf("array index %s is not an integer", formatNum(kv))
			}
			if kv < 0 || kv >= float64(len(xv)) {
				return nil, nil
			}
			return xv[int(kv)], nil
		case string:
			return member(x, kv, optional, r)
		}
	case string:
		switch kv := k.(type) {
		case float64:
			if kv != float64(int64(kv)) {
				if optional {
					return nil, nil
				}
				return nil, r.errorf("string index %s is not an integer", formatNum(kv))
			}
			if kv < 0 {
				return nil, nil
			}
			i := int(kv)
			for _, ch := range xv {
				if i == 0 {
					return string(ch), nil
				}
				i--
			}
			return nil, nil
		case string:
			return member(x, kv, optional, r)
		}
	}
	if optional {
		return nil, nil
	}
	return nil, r.errorf("cannot index %s with %s", value.TypeName(x), value.TypeName(k))
}

func argCountMsg(name string, f *Func, got int) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case f.Max < 0:
		return fmt.Sprintf("%s takes at least %s, got %d", name, plural(f.Min), got)
	case f.Min == f.Max:
		return fmt.Sprintf("%s takes %s, got %d", name, plural(f.Min), got)
	default:
		return fmt.Sprintf("%s takes %d to %d arguments, got %d", name, f.Min, f.Max, got)
	}
}

func (c *compiler) compileCall(n *callNode) evalFn {
	args := make([]evalFn, len(n.args))
	for i, a := range n.args {
		args[i] = c.compile(a)
	}
	f := c.n.Funcs[n.name]
	if f == nil {
		e := c.d.add("X403", n.nameBeg, n.nameEnd, fmt.Sprintf("unknown function %q", n.name))
		names := make([]string, 0, len(c.n.Funcs))
		for k := range c.n.Funcs {
			names = append(names, k)
		}
		sort.Strings(names)
		c.suggest(e, n.name, names)
		return constFn(nil)
	}
	if len(args) < f.Min || f.Max >= 0 && len(args) > f.Max {
		c.d.add("X404", n.start, n.end, argCountMsg(n.name, f, len(args)))
		return constFn(nil)
	}
	r := c.at(n)
	call, name := f.Call, n.name
	return func(e *Env) (any, error) {
		e.ctx.steps++
		if e.ctx.steps > MaxSteps {
			return nil, r.wrap(stepErr())
		}
		vals := make([]any, len(args))
		for i, a := range args {
			v, err := a(e)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		v, err := call(&e.ctx, vals)
		if err != nil {
			return nil, r.wrap(err)
		}
		if _, isFn := v.(*Function); isFn {
			return nil, r.errorf("a function is not a value (%s returned one)", name)
		}
		return v, nil
	}
}

// mayBeFunction reports whether the value of n can be a function that no
// other check catches: a parameter, or an operand passed through by a
// conditional, &&, || or ??. (Calls check their results; operators,
// members and literals never yield one.)
func mayBeFunction(n node) bool {
	switch n := n.(type) {
	case *nameNode:
		return true
	case *parenNode:
		return mayBeFunction(n.x)
	case *condNode:
		return mayBeFunction(n.a) || mayBeFunction(n.b)
	case *binaryNode:
		switch n.op {
		case "&&", "||", "??":
			return mayBeFunction(n.l) || mayBeFunction(n.r)
		}
	}
	return false
}

// compileArrow compiles an arrow function: its value is a *Function. A
// function exists only as an argument (§4), so a body whose value is a
// function (a parameter bound to one, as reduce's init may be) is R602.
func (c *compiler) compileArrow(n *arrowNode) evalFn {
	base := c.push(n.params)
	body := c.compile(n.body)
	c.pop()
	if mayBeFunction(n.body) {
		inner, r := body, c.at(n.body)
		body = func(e *Env) (any, error) {
			v, err := inner(e)
			if _, isFn := v.(*Function); isFn && err == nil {
				return nil, r.errorf("a function is not a value (an arrow function returned one)")
			}
			return v, err
		}
	}
	code := &arrowCode{base: base, nparams: len(n.params), body: body}
	return func(e *Env) (any, error) {
		f := &Function{code: code, buf: make([]any, base+code.nparams)}
		copy(f.buf, e.frames)
		return f, nil
	}
}

func (c *compiler) compileArray(n *arrayNode) evalFn {
	items := make([]evalFn, len(n.items))
	for i, it := range n.items {
		items[i] = c.compile(it)
	}
	spread := n.spread
	spreadErr := make([]*rtErr, len(n.items))
	for i, it := range n.items {
		spreadErr[i] = c.at(it)
	}
	r := c.at(n)
	return func(e *Env) (any, error) {
		out := make([]any, 0, len(items))
		for i, f := range items {
			v, err := f(e)
			if err != nil {
				return nil, err
			}
			if spread[i] {
				xs, ok := v.([]any)
				if !ok {
					return nil, spreadErr[i].errorf("cannot spread %s into an array", value.TypeName(v))
				}
				out = append(out, xs...)
				continue
			}
			if _, isFn := v.(*Function); isFn {
				return nil, spreadErr[i].errorf("a function is not a value (it cannot be an array item)")
			}
			out = append(out, v)
		}
		if err := e.ctx.Alloc(16 * len(out)); err != nil {
			return nil, r.wrap(err)
		}
		if err := e.ctx.Step(1); err != nil {
			return nil, r.wrap(err)
		}
		return out, nil
	}
}

func (c *compiler) compileObject(n *objectNode) evalFn {
	type pf struct {
		key    string
		keyFn  evalFn
		val    evalFn
		spread bool
		at     *rtErr
	}
	noFn := func(p pf) error {
		return p.at.errorf("a function is not a value (it cannot be an object value)")
	}
	props := make([]pf, len(n.props))
	for i, p := range n.props {
		props[i] = pf{key: p.key, val: c.compile(p.value), spread: p.spread, at: c.at(p.value)}
		if p.keyNode != nil {
			props[i].keyFn = c.compile(p.keyNode)
		}
	}
	r := c.at(n)
	// Fixed, distinct keys (the common {a: x, b: y}): share one key list.
	var fixed []string
	seen := map[string]bool{}
	for _, p := range props {
		if p.spread || p.keyFn != nil || seen[p.key] {
			fixed = nil
			break
		}
		seen[p.key] = true
		fixed = append(fixed, p.key)
	}
	if len(fixed) > 0 {
		return func(e *Env) (any, error) {
			vals := make([]any, len(props))
			for i, p := range props {
				v, err := p.val(e)
				if err != nil {
					return nil, err
				}
				if _, isFn := v.(*Function); isFn {
					return nil, noFn(p)
				}
				vals[i] = v
			}
			if err := e.ctx.Alloc(16 * len(vals)); err != nil {
				return nil, r.wrap(err)
			}
			if err := e.ctx.Step(1); err != nil {
				return nil, r.wrap(err)
			}
			return value.NewObjectWithKeys(fixed, vals), nil
		}
	}
	return func(e *Env) (any, error) {
		o := value.NewObject(len(props))
		for _, p := range props {
			v, err := p.val(e)
			if err != nil {
				return nil, err
			}
			if _, isFn := v.(*Function); isFn && !p.spread {
				return nil, noFn(p)
			}
			switch {
			case p.spread:
				switch sv := v.(type) {
				case nil:
				case *value.Object:
					for _, k := range sv.Keys() {
						x, _ := sv.Get(k)
						o.Set(k, x)
					}
				default:
					return nil, r.errorf("cannot spread %s into an object", value.TypeName(v))
				}
			case p.keyFn != nil:
				k, err := p.keyFn(e)
				if err != nil {
					return nil, err
				}
				switch kv := k.(type) {
				case string:
					o.Set(kv, v)
				case float64:
					o.Set(formatNum(kv), v)
				default:
					return nil, r.errorf("object key must be a string, got %s", value.TypeName(k))
				}
			default:
				o.Set(p.key, v)
			}
		}
		if err := e.ctx.Alloc(16 * o.Len()); err != nil {
			return nil, r.wrap(err)
		}
		if err := e.ctx.Step(1); err != nil {
			return nil, r.wrap(err)
		}
		return o, nil
	}
}
