package exec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/expr/builtin"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/value"
)

// prepared is what the engine computes once per node.
type prepared struct {
	defaults map[string]any
	lastDesc int // index of the node's last descendant (itself if none)
}

// preparedCache keeps each node's prepared data across runs of the same
// plan (tests and benchmarks run a plan many times).
var preparedCache sync.Map // *ast.Node -> *prepared

func (e *engine) prepared(n *ast.Node) *prepared {
	if p, ok := preparedCache.Load(n); ok {
		return p.(*prepared)
	}
	p := &prepared{defaults: map[string]any{}, lastDesc: n.Index}
	if n.Spec != nil {
		for _, fs := range n.Spec.Fields {
			if _, set := n.Fields[fs.Name]; set || fs.Default == "" {
				continue
			}
			if s, isStr := fs.Value.(string); isStr && strings.Contains(s, "{{") {
				continue // role defaults such as "input" are applied by runtimes
			}
			if fs.Value != nil {
				p.defaults[fs.Name] = fs.Value
			} else if v, ok := defaultValue(fs); ok {
				p.defaults[fs.Name] = v
			}
		}
	}
	var walk func(s *ast.Scope)
	walk = func(s *ast.Scope) {
		for _, c := range s.Nodes {
			if c.Index > p.lastDesc {
				p.lastDesc = c.Index
			}
			for _, in := range c.Scopes {
				walk(in)
			}
		}
	}
	for _, s := range n.Scopes {
		walk(s)
	}
	preparedCache.Store(n, p)
	return p
}

// defaultValue converts a field's documented default when it is a plain
// value of the field's kind.
func defaultValue(fs *fields.Field) (any, bool) {
	d := strings.Trim(fs.Default, "`")
	switch fs.Kind {
	case fields.Int, fields.Num, fields.Bool, fields.Enum, fields.Dur, fields.Size:
		v, problem := fields.Convert(fs, d)
		return v, problem == ""
	case fields.List, fields.Map:
		if strings.HasPrefix(d, "[") || strings.HasPrefix(d, "{") {
			v, err := value.ParseYAML([]byte(d))
			return v, err == nil
		}
	}
	return nil, false
}

// runNode runs one node of a wave in frame f. broken tells whether a
// <break> had ended the iteration when the node was started (in document
// order, nodes.md §4.6): a node started before the break still runs.
func (e *engine) runNode(ctx context.Context, f *frame, n *ast.Node, broken bool) error {
	if err := ctx.Err(); err != nil {
		return err // not started: it stays pending ("not run", execution.md §8)
	}
	in := e.inst(f, n)
	if reason := e.skipReason(f, n, broken); reason != "" {
		e.skipNode(f, n, reason)
		return nil
	}
	if e.reuse(f, n, in) {
		return nil
	}
	if n.Spec != nil && n.Spec.Container || n.Tag == "include" || n.Tag == "call" {
		err := e.runContainer(ctx, f, n, in)
		if err == nil && e.opts.Reuse != nil && n.Tag != "call" {
			in.Reused = e.allReused(f, n)
		}
		return err
	}
	return e.runLeaf(ctx, f, n, in)
}

// reusable are the node kinds whose stored result a resume may keep.
func reusable(n *ast.Node) bool {
	if n.Type != "" {
		return true
	}
	switch n.Tag {
	case "set", "context", "output", "checkpoint", "call", "delay", "goto":
		return true
	}
	return false
}

// reuse keeps a node's stored result on resume when every rule holds.
func (e *engine) reuse(f *frame, n *ast.Node, in *Instance) bool {
	if e.opts.Reuse == nil || !reusable(n) || !e.iterationsReusable(f) {
		return false
	}
	for _, d := range e.plan.Deps[n.Index] {
		if di := f.lookup(d.Index); di == nil || !di.Reused {
			return false
		}
	}
	out, attempts, ok := e.opts.Reuse(n, in.Key, in.Scope)
	if !ok {
		return false
	}
	now := e.now()
	in.Status, in.Output, in.Reused, in.Start, in.End, in.Attempts = StatusSuccess, out, true, now, now, attempts
	// Reusing a node also redoes what it did to the run: variables, the
	// context, and the goto targets it activated.
	switch n.Tag {
	case "set":
		e.setVar(f, n.Field("var").Static.(string), out)
	case "context":
		if o, isObj := out.(*value.Object); isObj {
			e.mergeContext(o)
		}
	case "goto":
		e.activate(f, n.Field("node").Static.(string))
	case "checkpoint":
		if o, isObj := out.(*value.Object); isObj {
			action, _ := o.Get("action")
			for _, a := range checkpointActions(n) {
				if a.ID == value.Render(action) && a.Goto != "" {
					e.activate(f, a.Goto)
				}
			}
		}
	}
	if e.observe {
		e.obs.Event(&Event{Type: EvNodeReuse, Time: now, Inst: in})
	}
	return true
}

// mergeContext sets the keys of o in $context. The context object is
// replaced, never modified, so environments built earlier keep theirs.
func (e *engine) mergeContext(o *value.Object) {
	e.mu.Lock()
	defer e.mu.Unlock()
	next := e.context.Clone()
	for _, k := range o.Keys() {
		v, _ := o.Get(k)
		next.Set(k, v)
	}
	e.context = next
}

// iterationsReusable: nodes inside loop and while iterations always run
// again; inside foreach iterations they may be reused when each enclosing
// foreach had only reused dependencies, so its collection (and the
// iteration's item) is the stored one (execution.md §14).
func (e *engine) iterationsReusable(f *frame) bool {
	for c := f; c != nil; c = c.parent {
		if c.loop == nil {
			continue
		}
		if c.loop.Tag != "foreach" {
			return false
		}
		for _, d := range e.plan.Deps[c.loop.Index] {
			if di := c.parent.lookup(d.Index); di == nil || !di.Reused {
				return false
			}
		}
	}
	return true
}

// allReused reports whether every leaf that ran inside container n was
// reused (and at least one ran).
func (e *engine) allReused(f *frame, n *ast.Node) bool {
	ran, all := 0, true
	e.inside(f, n, e.inst(f, n), func(in *Instance) {
		if in.Node.Spec != nil && in.Node.Spec.Container || in.Status == StatusSkipped || in.Status == StatusPending {
			return
		}
		ran++
		all = all && in.Reused
	})
	return all && ran > 0
}

// skipReason applies nodes.md §1.3 rules 2 and 4 (arms and breaks are
// applied by containers).
func (e *engine) skipReason(f *frame, n *ast.Node, broken bool) string {
	if broken {
		return "break"
	}
	if n.GotoTarget {
		of := f.owner(n.Index)
		of.mu.Lock()
		act := of.activated[n.Index]
		of.mu.Unlock()
		if !act {
			return "not activated"
		}
	}
	refs := e.plan.InputRefs[n.Index]
	if len(refs) > 0 {
		for _, r := range refs {
			if in := f.lookup(r.Index); in != nil && in.Status == StatusSuccess {
				return ""
			}
			if r.Tag == "phase" {
				return ""
			}
		}
		return "input skipped"
	}
	return ""
}

// skipNode marks n (and everything inside it) skipped.
func (e *engine) skipNode(f *frame, n *ast.Node, reason string) {
	in := e.inst(f, n)
	in.Status, in.Reason = StatusSkipped, reason
	if e.observe {
		e.obs.Event(&Event{Type: EvNodeSkip, Time: e.now(), Inst: in})
	}
	for _, s := range n.Scopes {
		e.skipScope(f, s, "branch not taken")
	}
}

func (e *engine) skipScope(f *frame, s *ast.Scope, reason string) {
	for _, c := range s.Nodes {
		if in := e.inst(f, c); in != nil && in.Status == StatusPending {
			e.skipNode(f, c, reason)
		}
	}
}

func (f *frame) isBroken() bool {
	for c := f; c != nil; c = c.parent {
		c.mu.Lock()
		b := c.broken
		c.mu.Unlock()
		if b {
			return true
		}
	}
	return false
}

// newEnv builds the evaluation environment of a node in frame f.
func (e *engine) newEnv(f *frame, attempt int) *expr.Env {
	e.mu.Lock()
	if e.globalsCur == nil || e.globalsCur.Context != e.context {
		g := *e.globals
		g.Context = e.context // replaced, never modified, by <context> nodes
		e.globalsCur = &g
	}
	g := e.globalsCur
	runErr := e.runErrValue
	e.mu.Unlock()
	env := &expr.Env{Globals: g, Resolver: resolver{e, f}, Runtime: e.opts.Runtime, Attempt: attempt}
	if runErr != nil {
		env.SetLocal("$error", runErr)
	}
	inner, iterSet, branchSet := true, false, false
	for c := f; c != nil; c = c.parent {
		if c.iter == nil {
			continue
		}
		it := c.iter
		if it.isItem {
			if inner {
				env.SetItemNames(it.itemName, it.indexName)
				env.SetItem(it.item, it.index, it.index == 0, it.index == len(it.items)-1, it.items)
				inner = false
			} else {
				env.SetLocal(it.itemName, it.item)
				env.SetLocal(it.indexName, float64(it.index))
			}
		}
		if it.iteration >= 0 && !iterSet {
			env.SetLocal("$iteration", float64(it.iteration))
			iterSet = true
		}
		if it.branch >= 0 && !branchSet {
			env.SetLocal("$branch", float64(it.branch))
			branchSet = true
		}
	}
	return env
}

// evalErr converts an evaluation error into a node error.
func evalErr(err error, n *ast.Node) *NodeError {
	var ee *expr.EvalError
	if errors.As(err, &ee) {
		return &NodeError{Code: ee.Code, Message: ee.Message, Span: spanOf(ee.Start, ee.End)}
	}
	var re *runtimes.Error
	if errors.As(err, &re) {
		return fromRuntimeError(re)
	}
	return &NodeError{Code: "R602", Message: err.Error(), Span: n.TagSpan}
}

// render evaluates the node's fields for one attempt (format.md §5.2,
// expressions.md §8.4): templates rendered once, scalar kinds converted.
func (e *engine) render(n *ast.Node, env *expr.Env) (map[string]any, map[string]*expr.Program, *NodeError) {
	out, lazy, _, ne := e.renderAll(n, env)
	return out, lazy, ne
}

// renderAll also returns the lazy fields that are templates or YAML trees
// as functions the runtime calls per item (database exec params).
func (e *engine) renderAll(n *ast.Node, env *expr.Env) (map[string]any, map[string]*expr.Program, map[string]func(*expr.Env) (any, error), *NodeError) {
	p := e.prepared(n)
	var out map[string]any
	if len(n.Fields)+len(p.defaults) > 0 {
		out = make(map[string]any, len(n.Fields)+len(p.defaults))
	}
	for k, v := range p.defaults {
		out[k] = v
	}
	var lazy map[string]*expr.Program
	var deferred map[string]func(*expr.Env) (any, error)
	for name, f := range n.Fields {
		if name == "input" {
			continue
		}
		if f.Spec.Lazy && f.Prog != nil {
			if lazy == nil {
				lazy = map[string]*expr.Program{}
			}
			lazy[name] = f.Prog
			continue
		}
		if f.Spec.Lazy && !f.IsStatic && (f.Tree != nil || f.Tmpl != nil) {
			if deferred == nil {
				deferred = map[string]func(*expr.Env) (any, error){}
			}
			deferred[name] = func(env *expr.Env) (any, error) {
				v, ne := e.fieldValue(f, env, n)
				if ne != nil {
					return nil, &runtimes.Error{Code: ne.Code, Message: ne.Message}
				}
				return v, nil
			}
			continue
		}
		v, ne := e.fieldValue(f, env, n)
		if ne != nil {
			return nil, nil, nil, ne
		}
		out[name] = v
	}
	return out, lazy, deferred, nil
}

// setBranch sets $branch, the position of the branch of the innermost
// <parallel> holding n (expressions.md §5).
func setBranch(env *expr.Env, n *ast.Node) {
	for p := n; p != nil && p.Parent != nil; p = p.Parent {
		if p.Parent.Tag != "parallel" {
			continue
		}
		for i, s := range p.Parent.Scopes {
			if s == p.Scope {
				env.SetLocal("$branch", float64(i))
				return
			}
		}
	}
}

// scalar is the value of a scalar field of n that the executor reads
// itself (concurrency, max, continue-on-error, retry settings): its static
// value, or its template rendered in frame f and converted (format.md
// §5.2). ok is false when the field is absent.
func (e *engine) scalar(f *frame, n *ast.Node, fd *ast.Field) (v any, ok bool, ne *NodeError) {
	if fd == nil {
		return nil, false, nil
	}
	if fd.IsStatic {
		return fd.Static, true, nil
	}
	v, ne = e.fieldValue(fd, e.newEnv(f, 1), n)
	return v, ne == nil, ne
}

func (e *engine) fieldValue(f *ast.Field, env *expr.Env, n *ast.Node) (any, *NodeError) {
	switch {
	case f.IsStatic:
		return f.Static, nil
	case f.Prog != nil:
		v, err := f.Prog.Eval(env)
		if err != nil {
			return nil, evalErr(err, n)
		}
		return v, nil
	case f.Tmpl != nil:
		v, err := f.Tmpl.Eval(env)
		if err != nil {
			return nil, evalErr(err, n)
		}
		if f.Spec.Kind != fields.Tmpl && f.Spec.Kind.Scalar() && f.Spec.Kind != fields.Str {
			return convertDynamic(f, v)
		}
		if (f.Spec.Kind == fields.Map) && v != nil {
			if _, ok := v.(*value.Object); !ok {
				return nil, &NodeError{Code: "R603", Message: "field \"" + f.Name + "\" expects an object, got " + value.TypeName(v), Span: f.Span}
			}
		}
		if f.Spec.Kind == fields.List && v != nil {
			if str, ok := v.(string); ok {
				if n.Type == "email" {
					return str, nil // addresses: the runtime parses "a, b" itself (display names may hold commas)
				}
				return splitList(str), nil
			}
			if _, ok := v.([]any); !ok {
				return nil, &NodeError{Code: "R603", Message: "field \"" + f.Name + "\" expects an array, got " + value.TypeName(v), Span: f.Span}
			}
		}
		return v, nil
	case f.Tree != nil:
		return e.renderTree(f.Tree, env, n)
	case f.Type != nil:
		return f.Type, nil
	}
	return nil, nil
}

// convertDynamic converts a rendered template value of a scalar kind.
func convertDynamic(f *ast.Field, v any) (any, *NodeError) {
	switch x := v.(type) {
	case float64:
		// A number is a whole number for int fields, milliseconds for
		// durations and bytes for sizes (expressions.md §10), checked as
		// the same text would be. Other kinds fall to the error below.
		if ok, problem := convertNumber(f, x); problem != "" {
			return nil, &NodeError{Code: "R603", Message: problem, Span: f.Span}
		} else if ok {
			return x, nil
		}
	case bool:
		if f.Spec.Kind == fields.Bool {
			return x, nil
		}
	case string:
		c, problem := fields.Convert(f.Spec, strings.TrimSpace(x))
		if problem == "" {
			return c, nil
		}
		return nil, &NodeError{Code: "R603", Message: problem, Span: f.Span}
	}
	return nil, &NodeError{Code: "R603", Message: "field \"" + f.Name + "\" expects " + f.Spec.Kind.String() + ", got " + value.Describe(v), Span: f.Span}
}

// convertNumber checks a rendered number for field f: ok when it fits,
// else problem (empty when the number is simply the wrong kind).
func convertNumber(f *ast.Field, x float64) (ok bool, problem string) {
	switch f.Spec.Kind {
	case fields.Num:
		return true, ""
	case fields.Int:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return false, ""
		}
		_, problem = fields.Convert(f.Spec, strconv.FormatInt(int64(x), 10))
	case fields.Dur:
		switch {
		case x < 0:
			problem = fmt.Sprintf("%q: negative duration %s ms", f.Name, value.Render(x))
		case f.Spec.Min > 0 && x == 0:
			problem = fmt.Sprintf("%q: the duration must be greater than zero", f.Name)
		}
	case fields.Size:
		if x < 0 || x != math.Trunc(x) {
			problem = fmt.Sprintf("%q: size %s is not a whole, non-negative number of bytes", f.Name, value.Render(x))
		}
	default:
		return false, ""
	}
	return problem == "", problem
}

func (e *engine) renderTree(t *ast.Tree, env *expr.Env, n *ast.Node) (any, *NodeError) {
	switch {
	case t.IsMap:
		o := value.NewObject(len(t.Keys))
		for i, k := range t.Keys {
			v, ne := e.renderTree(t.Items[i], env, n)
			if ne != nil {
				return nil, ne
			}
			o.Set(k, v)
		}
		return o, nil
	case t.IsSeq:
		a := make([]any, len(t.Items))
		for i, it := range t.Items {
			v, ne := e.renderTree(it, env, n)
			if ne != nil {
				return nil, ne
			}
			a[i] = v
		}
		return a, nil
	}
	if tm, ok := t.Leaf.(*expr.Template); ok {
		v, err := tm.Eval(env)
		if err != nil {
			return nil, evalErr(err, n)
		}
		return v, nil
	}
	return t.Leaf, nil
}

// runLeaf runs a leaf node with its retries, fallback and
// continue-on-error (nodes.md §8, execution.md §7).
func (e *engine) runLeaf(ctx context.Context, f *frame, n *ast.Node, in *Instance) error {
	needSlot := n.Tag != "delay" && n.Tag != "checkpoint"
	retry, ne := e.retrySpec(f, n)
	in.Start = e.now()
	if ne != nil {
		in.Attempts = 1
		ne.Node, ne.Attempt, ne.NodeRef = in.Key, 1, n
		return e.handleFailure(ctx, f, n, in, ne)
	}
	for attempt := 1; ; attempt++ {
		in.Attempts = attempt
		if needSlot {
			if err := e.slots.Acquire(ctx, 1); err != nil {
				if attempt == 1 {
					// stopped while waiting for a slot: never started
					in.Attempts, in.Start = 0, time.Time{}
					return err
				}
				return e.cancelled(in, err)
			}
		}
		if e.observe {
			e.obs.Event(&Event{Type: EvNodeStart, Time: e.now(), Inst: in, Attempt: attempt})
		}
		var out any
		out, ne = e.attempt(ctx, f, n, in, attempt)
		if needSlot {
			e.slots.Release(1)
		}
		if ne == nil {
			in.Output, in.Status, in.End = out, StatusSuccess, e.now()
			if e.observe {
				e.obs.Event(&Event{Type: EvNodeEnd, Time: in.End, Inst: in, Status: in.Status})
			}
			return nil
		}
		ne.Node, ne.Attempt, ne.NodeRef = in.Key, attempt, n
		if ne.Span == (spanZero) {
			ne.Span = n.TagSpan
		}
		if ctx.Err() != nil {
			return e.cancelled(in, ctx.Err())
		}
		if again, stop := e.backoff(ctx, f, n, in, retry, ne, attempt); !again {
			if stop != nil {
				return stop
			}
			break
		}
	}
	return e.handleFailure(ctx, f, n, in, ne)
}

// backoff decides whether the failure ne of attempt is retried (nodes.md
// §8.1, execution.md §9); if so it announces the retry, waits its delay
// and reports again. stop is set when the wait was cancelled.
func (e *engine) backoff(ctx context.Context, f *frame, n *ast.Node, in *Instance, retry *retrySpec, ne *NodeError, attempt int) (again bool, stop error) {
	if retry == nil || attempt > retry.max || !e.shouldRetry(f, n, retry, ne, attempt) {
		return false, nil
	}
	delay := retry.delay(attempt, ne)
	if e.observe {
		e.obs.Event(&Event{Type: EvNodeRetry, Time: e.now(), Inst: in, Attempt: attempt, DelayMS: delay.Milliseconds(), Error: ne})
	}
	if err := e.sleep(ctx, delay); err != nil {
		return false, e.cancelled(in, err)
	}
	return true, nil
}

var spanZero = spanOf(0, 0)

// handleFailure applies fallback and continue-on-error after the last
// attempt failed.
func (e *engine) handleFailure(ctx context.Context, f *frame, n *ast.Node, in *Instance, ne *NodeError) error {
	if n.OnError != nil && n.OnError.Fallback != nil {
		h := n.OnError.Fallback
		out, ok := e.runHandler(ctx, f, h, ne)
		if ok {
			in.Output, in.Status, in.Err, in.End, in.RecoveredBy = out, StatusSuccess, ne, e.now(), h.ID
			if e.observe {
				e.obs.Event(&Event{Type: EvNodeEnd, Time: in.End, Inst: in, Status: in.Status})
			}
			return nil
		}
		if ctx.Err() != nil {
			return e.cancelled(in, ctx.Err())
		}
	}
	in.Status, in.Err, in.End = StatusFailed, ne, e.now()
	if e.observe {
		e.obs.Event(&Event{Type: EvNodeEnd, Time: in.End, Inst: in, Status: in.Status, Error: ne})
	}
	if v, _, cerr := e.scalar(f, n, n.Field("continue-on-error")); cerr == nil && v == true {
		return nil
	}
	if n.Parent == nil && f.parent == nil {
		// The failure reached the top-level scope: it is the run error
		// unless one got there first (execution.md §8). A failure inside
		// a container becomes the container's, which decides.
		e.recordFailure(ne)
	}
	return errStop
}

// runHandler runs handler h once with $error (nodes.md §8.2).
func (e *engine) runHandler(ctx context.Context, f *frame, h *ast.Node, cause *NodeError) (any, bool) {
	in := e.inst(f, h)
	in.Start = e.now()
	in.Attempts++
	if err := e.slots.Acquire(ctx, 1); err != nil {
		return nil, false
	}
	if e.observe {
		e.obs.Event(&Event{Type: EvNodeStart, Time: e.now(), Inst: in, Attempt: in.Attempts})
	}
	out, ne := e.attemptWith(ctx, f, h, in, in.Attempts, func(env *expr.Env) { env.SetLocal("$error", cause.Object()) })
	e.slots.Release(1)
	in.End = e.now()
	if ne != nil {
		ne.Node, ne.NodeRef = in.Key, h
		if ne.Span == spanZero {
			ne.Span = h.TagSpan
		}
		in.Status, in.Err = StatusFailed, ne
		if e.observe {
			e.obs.Event(&Event{Type: EvNodeEnd, Time: in.End, Inst: in, Status: in.Status, Error: ne})
		}
		return nil, false
	}
	in.Status, in.Output, in.Err = StatusSuccess, out, nil
	if e.observe {
		e.obs.Event(&Event{Type: EvNodeEnd, Time: in.End, Inst: in, Status: in.Status})
	}
	return out, true
}

// cancelled marks in as cancelled by the context and returns the error
// that stops the scope.
func (e *engine) cancelled(in *Instance, err error) error {
	in.Status, in.End = StatusCancelled, e.now()
	in.Err = &NodeError{Code: "R605", Message: "cancelled", Node: in.Key, Attempt: in.Attempts, Span: in.Node.TagSpan, NodeRef: in.Node}
	if e.observe {
		e.obs.Event(&Event{Type: EvNodeEnd, Time: in.End, Inst: in, Status: in.Status})
	}
	return err
}

func (e *engine) attempt(ctx context.Context, f *frame, n *ast.Node, in *Instance, attempt int) (any, *NodeError) {
	return e.attemptWith(ctx, f, n, in, attempt, nil)
}

// attemptWith runs one attempt: evaluate input, render fields, run.
func (e *engine) attemptWith(ctx context.Context, f *frame, n *ast.Node, in *Instance, attempt int, setup func(*expr.Env)) (any, *NodeError) {
	env := e.newEnv(f, attempt)
	setBranch(env, n)
	if setup != nil {
		setup(env)
	}
	if inf := n.Field("input"); inf != nil && inf.Prog != nil {
		v, err := inf.Prog.Eval(env)
		if err != nil {
			return nil, evalErr(err, n)
		}
		env.Input, in.Input, in.HasInput = v, v, true
	}
	vals, lazy, deferred, ne := e.renderAll(n, env)
	if ne != nil {
		return nil, ne
	}
	if e.opts.KeepFields {
		in.Fields = vals
	}
	actx := ctx
	// (A checkpoint's timeout is how long to wait for an answer, not a
	// deadline of the attempt.)
	if ms, ok := vals["timeout"].(float64); ok && ms > 0 && n.Spec != nil && !n.Spec.Container && n.Tag != "checkpoint" {
		var cancel context.CancelFunc
		d := time.Duration(ms) * time.Millisecond
		actx, cancel = e.withTimeout(ctx, d, &nodeTimeout{d})
		defer cancel()
	}
	out, ne := e.dispatch(actx, f, n, in, env, vals, lazy, deferred)
	if ne != nil && ctx.Err() == nil {
		var nt *nodeTimeout
		if errors.As(context.Cause(actx), &nt) {
			return nil, &NodeError{Code: "R604", Message: nt.Error(), Retryable: true}
		}
	}
	return out, ne
}

// dispatch runs the node's own behaviour.
func (e *engine) dispatch(ctx context.Context, f *frame, n *ast.Node, in *Instance, env *expr.Env, vals map[string]any, lazy map[string]*expr.Program, deferred map[string]func(*expr.Env) (any, error)) (any, *NodeError) {
	switch n.Tag {
	case "set":
		v := vals["expr"]
		if _, ok := vals["value"]; ok {
			v = vals["value"]
		}
		e.setVar(f, n.Field("var").Static.(string), v)
		return v, nil
	case "context":
		o := value.NewObject(len(n.Subs))
		for _, s := range n.Subs {
			v, ne := e.subValue(s, env, n)
			if ne != nil {
				return nil, ne
			}
			o.Set(s.Field("key").Static.(string), v)
		}
		e.mergeContext(o)
		return o, nil
	case "output":
		if len(n.Subs) > 0 {
			o := value.NewObject(len(n.Subs))
			for _, s := range n.Subs {
				v, ne := e.subValue(s, env, n)
				if ne != nil {
					return nil, ne
				}
				o.Set(s.Field("field").Static.(string), v)
			}
			return o, nil
		}
		if v, ok := vals["value"]; ok {
			return v, nil
		}
		return vals["expr"], nil
	case "goto":
		e.activate(f, n.Field("node").Static.(string))
		return nil, nil
	case "checkpoint":
		return e.runCheckpoint(ctx, f, n, in, env, vals)
	case "break":
		if w := n.Field("when"); w != nil && w.Prog != nil {
			v, err := w.Prog.Eval(env)
			if err != nil {
				return nil, evalErr(err, n)
			}
			if !value.Truthy(v) {
				return nil, nil
			}
		}
		e.breakLoop(f, n)
		return nil, nil
	case "delay":
		if e.opts.Override != nil {
			if rt := e.opts.Override(n, in.Key); rt != nil {
				break
			}
		}
		ms, _ := vals["duration"].(float64)
		if err := e.sleep(ctx, time.Duration(ms)*time.Millisecond); err != nil {
			return nil, &NodeError{Code: "R605", Message: "cancelled"}
		}
		return env.Input, nil
	}
	var rt runtimes.Runtime
	if e.opts.Override != nil {
		rt = e.opts.Override(n, in.Key)
	}
	ok := rt != nil
	if !ok {
		rt, ok = e.opts.Registry.Get(n.Kind)
	}
	if !ok {
		return nil, &NodeError{Code: "R601", Message: "node kind \"" + n.Kind + "\" is not supported yet"}
	}
	call := &runtimes.Call{
		Node: in.Key, Kind: n.Kind, Role: n.Tag, Input: env.Input, HasInput: in.HasInput,
		Fields: vals, Lazy: lazy, Deferred: deferred, Env: env, WorkflowDir: e.flow.Dir, AllowPaths: e.opts.AllowPaths,
		RunID: e.opts.RunID, ProcEnv: e.procEnv,
		Usage: func(prompt, completion, total int) {
			in.Usage = &Usage{Prompt: prompt, Completion: completion, Total: total}
		},
		Origin: func(o runtimes.Origin) { in.Origin = &o },
		Now:    e.now,
		AI:     runtimes.AIDefaults{BaseURL: e.flow.Front.Runtime.AI.BaseURL, APIKeySecret: e.flow.Front.Runtime.AI.APIKeySecret, Model: e.flow.Front.Runtime.AI.Model, TokenBudget: e.flow.Front.Runtime.AI.TokenBudget},
		Log: func(stream, line string) {
			if e.observe {
				e.obs.Event(&Event{Type: EvNodeLog, Time: e.now(), Inst: in, Stream: stream, Line: line})
			}
		},
	}
	in.Origin = nil
	out, err := rt.Run(ctx, call)
	if err != nil {
		in.Origin = nil
		if ctx.Err() != nil {
			return nil, &NodeError{Code: "R605", Message: "cancelled"}
		}
		return nil, evalErr(err, n)
	}
	return out, nil
}

func (e *engine) subValue(s *ast.Sub, env *expr.Env, n *ast.Node) (any, *NodeError) {
	if f := s.Field("value"); f != nil {
		return e.fieldValue(f, env, n)
	}
	if f := s.Field("expr"); f != nil {
		return e.fieldValue(f, env, n)
	}
	return nil, nil
}

// sleep waits d with the run's clock.
func (e *engine) sleep(ctx context.Context, d time.Duration) error {
	if e.opts.Sleep != nil {
		return e.opts.Sleep(ctx, d)
	}
	return sleep(ctx, d)
}

// lanes are the contexts of n pieces of work that start side by side
// (see Options.Fork); without a Fork hook every piece uses ctx and
// nothing is allocated.
type lanes struct {
	ctx context.Context
	per []context.Context
}

func (e *engine) fork(ctx context.Context, n int) lanes {
	if e.opts.Fork != nil && n > 1 {
		return lanes{ctx, e.opts.Fork(ctx, n)}
	}
	return lanes{ctx: ctx}
}

// at is the context of piece i (pieces beyond n wrap around).
func (l lanes) at(i int) context.Context {
	if l.per == nil {
		return l.ctx
	}
	return l.per[i%len(l.per)]
}

// withTimeout is context.WithTimeoutCause on the run's clock.
func (e *engine) withTimeout(ctx context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc) {
	if e.opts.WithTimeout != nil {
		return e.opts.WithTimeout(ctx, d, cause)
	}
	return context.WithTimeoutCause(ctx, d, cause)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retrySpec is a node's effective <retry> (or runtime.retry).
type retrySpec struct {
	max      int
	backoff  string
	base     time.Duration
	maxDelay time.Duration
	jitter   string
	factor   float64
	when     *expr.Program
	rnd      func() float64 // uniform in [0, 1)
}

// retrySpec is n's <retry> (its templates rendered in frame fr), or
// runtime.retry, or nil.
func (e *engine) retrySpec(fr *frame, n *ast.Node) (*retrySpec, *NodeError) {
	if n.OnError == nil || n.OnError.Retry == nil {
		return e.defaultRetry(n), nil
	}
	r := &retrySpec{max: 3, backoff: "exponential", base: time.Second, maxDelay: 30 * time.Second, jitter: "full", rnd: rand.Float64}
	fs := n.OnError.Retry.Fields
	for _, name := range []string{"max", "backoff", "base", "max-delay", "jitter"} {
		v, ok, ne := e.scalar(fr, n, fs[name])
		if ne != nil {
			return nil, ne
		}
		if !ok {
			continue
		}
		switch name {
		case "max":
			r.max = int(num(v))
		case "backoff":
			r.backoff = value.Render(v)
		case "base":
			r.base = time.Duration(num(v)) * time.Millisecond
		case "max-delay":
			r.maxDelay = time.Duration(num(v)) * time.Millisecond
		case "jitter":
			r.jitter = value.Render(v)
		}
	}
	if f := fs["when"]; f != nil {
		r.when = f.Prog
	}
	return r, nil
}

// num is v as a number (0 when it is not one).
func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// defaultRetry is runtime.retry for data nodes, include and call without a
// <retry> of their own; handlers never retry (format.md §2.9, nodes.md
// §8.2).
func (e *engine) defaultRetry(n *ast.Node) *retrySpec {
	rs := e.flow.Front.Runtime.Retry
	if rs == nil || n.Handler || !(n.Type != "" || n.Tag == "include" || n.Tag == "call") {
		return nil
	}
	r := &retrySpec{max: rs.Max, backoff: rs.Backoff, base: time.Duration(rs.Base) * time.Millisecond,
		maxDelay: time.Duration(rs.MaxDelay) * time.Millisecond, jitter: rs.Jitter, rnd: rand.Float64}
	if r.max == 0 {
		r.max = 3
	}
	if r.backoff == "" {
		r.backoff = "exponential"
	}
	if r.base == 0 {
		r.base = time.Second
	}
	if r.maxDelay == 0 {
		r.maxDelay = 30 * time.Second
	}
	if r.jitter == "" {
		r.jitter = "full"
	}
	if rs.When != "" {
		e.mu.Lock()
		p, ok := e.whenCache[rs.When]
		if !ok {
			p, _ = expr.Compile(rs.When, nil, &expr.Names{Funcs: builtin.Table()})
			e.whenCache[rs.When] = p
		}
		e.mu.Unlock()
		r.when = p
	}
	return r
}

func (e *engine) shouldRetry(f *frame, n *ast.Node, r *retrySpec, ne *NodeError, attempt int) bool {
	if r.when == nil {
		return ne.Retryable
	}
	env := e.newEnv(f, attempt)
	env.SetLocal("$error", ne.Object())
	v, err := r.when.Eval(env)
	return err == nil && value.Truthy(v)
}

// delay computes the wait before retry k (execution.md §9).
func (r *retrySpec) delay(k int, ne *NodeError) time.Duration {
	var raw time.Duration
	switch r.backoff {
	case "linear":
		raw = r.base * time.Duration(k)
	case "fixed":
		raw = r.base
	default:
		raw = r.base << (k - 1)
		if k > 40 || raw <= 0 {
			raw = r.maxDelay
		}
	}
	capped := min(raw, r.maxDelay)
	d := capped
	switch r.jitter {
	case "none":
	case "full", "":
		d = time.Duration(r.rnd() * float64(capped))
	default:
		var f float64
		if err := yaml.Unmarshal([]byte(r.jitter), &f); err == nil {
			u := r.rnd()*2 - 1
			d = time.Duration(float64(capped) * (1 + f*u))
			d = max(0, min(d, r.maxDelay))
		}
	}
	if ne != nil && ne.RetryAfterMS > 0 {
		d = min(max(d, time.Duration(ne.RetryAfterMS)*time.Millisecond), r.maxDelay)
	}
	return d.Round(time.Millisecond)
}

// splitList reads text rendered for a list field as comma-separated items
// (format.md §5.2: lists may be written as comma-separated words).
func splitList(s string) []any {
	out := []any{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
