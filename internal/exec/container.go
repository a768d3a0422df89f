package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

func spanOf(start, end int) source.Span { return source.Span{Start: start, End: end} }

// runContainer runs a container node with its <retry> (nodes.md §1.1,
// execution.md §9), then its fallback and continue-on-error; it never
// holds a slot. Each retry runs the container's logic and inner nodes
// afresh.
func (e *engine) runContainer(ctx context.Context, f *frame, n *ast.Node, in *Instance) error {
	in.Start = e.now()
	retry, ne := e.retrySpec(f, n)
	if ne != nil {
		in.Attempts = 1
		return e.handleFailure(ctx, f, n, in, containerErr(in, n, ne))
	}
	for attempt := 1; ; attempt++ {
		in.Attempts = attempt
		var stop error
		if ne, stop = e.containerAttempt(ctx, f, n, in, attempt); stop != nil || ne == nil {
			return stop
		}
		if ne.NodeRef == n {
			ne.Attempt = attempt // the container's own failure (an inner one keeps its node's)
		}
		if again, stop := e.backoff(ctx, f, n, in, retry, ne, attempt); !again {
			if stop != nil {
				return stop
			}
			break
		}
		e.resetInner(f, n, in)
	}
	return e.handleFailure(ctx, f, n, in, ne)
}

// containerErr fills in the node of a container's own failure.
func containerErr(in *Instance, n *ast.Node, ne *NodeError) *NodeError {
	if ne.Node == "" {
		ne.Node, ne.Attempt, ne.NodeRef = in.Key, 1, n
		if ne.Span == spanZero {
			ne.Span = n.TagSpan // an error of an expression keeps its own
		}
	}
	return ne
}

// resetInner forgets the instances of the nodes inside container n before
// a retry, so they run again from scratch.
func (e *engine) resetInner(f *frame, n *ast.Node, in *Instance) {
	p := e.prepared(n)
	for j := n.Index + 1; j <= p.lastDesc; j++ {
		if of := f.owner(j); of != nil {
			of.states[j-of.lo] = nil
		}
	}
	e.mu.Lock()
	delete(e.iterations, in)
	delete(e.subs, in)
	e.mu.Unlock()
}

// containerAttempt runs one attempt of container n: it evaluates its own
// fields and runs its inner scopes with the same executor. It returns the
// attempt's failure (nil on success), or stop when the run was cancelled.
func (e *engine) containerAttempt(ctx context.Context, f *frame, n *ast.Node, in *Instance, attempt int) (*NodeError, error) {
	if e.observe {
		e.obs.Event(&Event{Type: EvNodeStart, Time: e.now(), Inst: in, Attempt: attempt})
	}
	env := e.newEnv(f, attempt)
	setBranch(env, n)
	if inf := n.Field("input"); inf != nil && inf.Prog != nil {
		v, err := inf.Prog.Eval(env)
		if err != nil {
			return containerErr(in, n, evalErr(err, n)), nil
		}
		env.Input, in.Input, in.HasInput = v, v, true
	}
	cctx := ctx
	if tf := n.Field("timeout"); tf != nil && n.Tag != "timeout" {
		v, ne := e.fieldValue(tf, env, n)
		if ne != nil {
			return containerErr(in, n, ne), nil
		}
		if d := msDur(v); d > 0 {
			var cancel context.CancelFunc
			cctx, cancel = e.withTimeout(ctx, d, &nodeTimeout{d})
			defer cancel()
		}
	}
	var out any
	var ne *NodeError
	switch n.Tag {
	case "if":
		out, ne = e.runIf(cctx, f, n, env)
	case "branch":
		out, ne = e.runBranch(cctx, f, n, env)
	case "loop", "while":
		out, ne = e.runLoop(cctx, f, n, in, env)
	case "foreach":
		out, ne = e.runForeach(cctx, f, n, in, env)
	case "parallel":
		out, ne = e.runParallel(cctx, f, n, in, env)
	case "timeout":
		out, ne = e.runTimeout(cctx, f, n, env)
	case "include", "call":
		if e.opts.Override != nil {
			if rt := e.opts.Override(n, in.Key); rt != nil {
				out, ne = e.runOverride(cctx, n, in, env, rt)
				break
			}
		}
		out, ne = e.runSub(cctx, f, n, in, env)
	default:
		ne = &NodeError{Code: "R601", Message: fmt.Sprintf("<%s> is not supported yet", n.Tag)}
	}
	if ne == nil {
		in.Output, in.Status, in.End = out, StatusSuccess, e.now()
		if e.observe {
			e.obs.Event(&Event{Type: EvNodeEnd, Time: in.End, Inst: in, Status: in.Status})
		}
		return nil, nil
	}
	if ctx.Err() != nil {
		return nil, e.cancelled(in, ctx.Err())
	}
	var nt *nodeTimeout
	if errors.As(context.Cause(cctx), &nt) && cctx != ctx {
		ne = &NodeError{Code: "R604", Message: nt.Error(), Retryable: true}
	}
	return containerErr(in, n, ne), nil
}

// scopeError returns the failure that stopped a scope run in frame f.
func (e *engine) scopeError(f *frame, s *ast.Scope, err error) *NodeError {
	var found *NodeError
	e.walkInstances(f, s, func(in *Instance) {
		if found == nil && in.Status == StatusFailed && in.Err != nil {
			found = in.Err
		}
	})
	if found != nil {
		return found
	}
	return &NodeError{Code: "R605", Message: "cancelled"}
}

func (e *engine) walkInstances(f *frame, s *ast.Scope, fn func(*Instance)) {
	for _, c := range s.Nodes {
		if in := f.lookup(c.Index); in != nil {
			fn(in)
		}
		for _, in := range c.Scopes {
			e.walkInstances(f, in, fn)
		}
	}
}

// runArm runs one arm (non-iterating scope) in frame f and returns its
// result.
func (e *engine) runArm(ctx context.Context, f *frame, s *ast.Scope) (any, *NodeError) {
	if err := e.runScope(ctx, f, e.plan.ScopeGraph(s)); err != nil {
		return nil, e.scopeError(f, s, err)
	}
	return e.result(f, s), nil
}

func (e *engine) runIf(ctx context.Context, f *frame, n *ast.Node, env *expr.Env) (any, *NodeError) {
	v, err := n.Field("condition").Prog.Eval(env)
	if err != nil {
		return nil, evalErr(err, n)
	}
	want := "else"
	if value.Truthy(v) {
		want = "then"
	}
	var chosen *ast.Scope
	for _, s := range n.Scopes {
		if s.Tag == want {
			chosen = s
		} else {
			e.skipScope(f, s, "branch not taken")
		}
	}
	if chosen == nil {
		return nil, nil
	}
	return e.runArm(ctx, f, chosen)
}

func (e *engine) runBranch(ctx context.Context, f *frame, n *ast.Node, env *expr.Env) (any, *NodeError) {
	var chosen *ast.Scope
	for _, s := range n.Scopes {
		if chosen != nil {
			e.skipScope(f, s, "branch not taken")
			continue
		}
		switch s.Tag {
		case "match":
			ok, err := s.Fields["pattern"].Pat.Match(env, env.Input)
			if err != nil {
				return nil, evalErr(err, n)
			}
			if ok {
				chosen = s
			}
		case "case":
			v, err := s.Fields["when"].Prog.Eval(env)
			if err != nil {
				return nil, evalErr(err, n)
			}
			if value.Truthy(v) {
				chosen = s
			}
		case "otherwise":
			chosen = s
		}
		if chosen != s {
			e.skipScope(f, s, "branch not taken")
		}
	}
	if chosen == nil {
		return nil, nil
	}
	return e.runArm(ctx, f, chosen)
}

// publishLastRun makes the body instances of loop iteration frame fr that
// ran visible from f, the loop's frame: a reference from outside a loop
// or while reads a body node's last iteration where it ran (nodes.md
// §1.2, execution.md §2.3).
func (e *engine) publishLastRun(f *frame, fr *frame) {
	for j, bi := range fr.states {
		if bi == nil || bi.Status == StatusPending || bi.Status == StatusSkipped {
			continue
		}
		if of := f.owner(fr.lo + j); of != nil {
			of.states[fr.lo+j-of.lo] = bi
		}
	}
}

// iterFrame creates the frame of one iteration of container n.
func (e *engine) iterFrame(f *frame, n *ast.Node, in *Instance, i int, info *iterInfo) *frame {
	p := e.prepared(n)
	fr := newFrame(f, n.Index+1, p.lastDesc+1, fmt.Sprintf("%s[%d]/", in.Key, i))
	fr.iter, fr.loop, fr.scope = info, n, f.scope
	if info.isItem && e.opts.ScopeSum != nil {
		fr.scope = e.opts.ScopeSum(f.scope, info.item)
	}
	return fr
}

func (e *engine) breakLoop(f *frame, b *ast.Node) {
	target := ""
	if lf := b.Field("loop"); lf != nil && lf.IsStatic {
		target = lf.Static.(string)
	}
	for c := f; c != nil; c = c.parent {
		if c.loop == nil {
			continue
		}
		c.mu.Lock()
		c.broken = true
		c.mu.Unlock()
		if target == "" || c.loop.ID == target {
			return
		}
	}
}

func (e *engine) evalLazy(n *ast.Node, name string, env *expr.Env) (any, bool, *NodeError) {
	fl := n.Field(name)
	if fl == nil || fl.Prog == nil {
		return nil, false, nil
	}
	v, err := fl.Prog.Eval(env)
	if err != nil {
		return nil, true, evalErr(err, n)
	}
	return v, true, nil
}

func (e *engine) runLoop(ctx context.Context, f *frame, n *ast.Node, in *Instance, env *expr.Env) (any, *NodeError) {
	max := 100
	if n.Tag == "while" {
		max = 1000
	}
	if v, ok, ne := e.scalar(f, n, n.Field("max")); ne != nil {
		return nil, ne
	} else if ok {
		max = int(num(v))
	}
	body := n.Scopes[0]
	var last any
	var prev *frame
	for i := 0; ; i++ {
		fr := e.iterFrame(f, n, in, i, &iterInfo{iteration: i, branch: -1})
		fenv := e.newEnv(fr, 1)
		fenv.Input = env.Input
		if n.Tag == "while" {
			// The condition reads the body nodes of the previous iteration
			// (null before the first).
			fr.prev = prev
			v, _, ne := e.evalLazy(n, "condition", fenv)
			fr.prev = nil
			if ne != nil {
				return nil, ne
			}
			if !value.Truthy(v) {
				break
			}
			if i >= max {
				return nil, &NodeError{Code: "R613", Message: fmt.Sprintf("while condition still true after %d iterations", max)}
			}
		} else if i >= max {
			break
		}
		e.mu.Lock()
		e.iterations[in] = []*frame{fr}
		e.mu.Unlock()
		prev = fr
		err := e.runScope(ctx, fr, e.plan.ScopeGraph(body))
		e.publishLastRun(f, fr)
		if err != nil {
			return nil, e.scopeError(fr, body, err)
		}
		fenv = e.newEnv(fr, 1)
		fenv.Input = env.Input
		if v, ok, ne := e.evalLazy(n, "result", fenv); ne != nil {
			return nil, ne
		} else if ok {
			last = v
		} else {
			last = e.result(fr, body)
		}
		if fr.broken {
			break
		}
		if v, ok, ne := e.evalLazy(n, "break", fenv); ne != nil {
			return nil, ne
		} else if ok && value.Truthy(v) {
			break
		}
	}
	return last, nil
}

func (e *engine) runForeach(ctx context.Context, f *frame, n *ast.Node, in *Instance, env *expr.Env) (any, *NodeError) {
	coll := env.Input
	if c := n.Field("collection"); c != nil {
		v, err := c.Prog.Eval(env)
		if err != nil {
			return nil, evalErr(err, n)
		}
		coll = v
	}
	items, ok := coll.([]any)
	if !ok {
		return nil, &NodeError{Code: "R603", Message: "foreach needs an array, got " + value.TypeName(coll)}
	}
	if e.observe {
		e.obs.Event(&Event{Type: EvForeachItems, Time: e.now(), Inst: in, Count: len(items)})
	}
	conc := 1
	if v, ok, ne := e.scalar(f, n, n.Field("concurrency")); ne != nil {
		return nil, ne
	} else if ok {
		conc = max(int(num(v)), 1)
	}
	itemName, indexName := "item", "index"
	if v := n.Field("item"); v != nil && v.IsStatic {
		itemName = v.Static.(string)
	}
	if v := n.Field("index"); v != nil && v.IsStatic {
		indexName = v.Static.(string)
	}
	body := n.Scopes[0]
	var th *throttle
	if tf := n.Field("throttle"); tf != nil && tf.IsStatic {
		if r, ok := tf.Static.(units.Rate); ok && r.N > 0 {
			th = newThrottle(r.N, time.Duration(r.Per)*time.Millisecond)
		}
	}
	frames := make([]*frame, len(items))
	results := make([]any, len(items))
	started := make([]bool, len(items))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(conc)
	broken := false
	var brokeMu = &f.mu
	for i := range items {
		fr := e.iterFrame(f, n, in, i, &iterInfo{isItem: true, item: items[i], index: i, items: items,
			itemName: itemName, indexName: indexName, iteration: -1, branch: -1})
		fr.vars = value.NewObject(0)
		frames[i] = fr
	}
	e.mu.Lock()
	e.iterations[in] = frames
	e.mu.Unlock()
	// One lane per concurrency slot; iteration i runs on slot i mod conc.
	slots := e.fork(gctx, min(conc, max(len(items), 1)))
	for i := range items {
		brokeMu.Lock()
		stop := broken
		brokeMu.Unlock()
		if stop || gctx.Err() != nil {
			break
		}
		fr := frames[i]
		if th != nil {
			if err := th.wait(gctx, e.sleep); err != nil {
				break
			}
		}
		g.Go(func() error {
			brokeMu.Lock()
			stop := broken
			if !stop {
				started[i] = true
			}
			brokeMu.Unlock()
			if stop {
				return nil // a <break> ended the foreach: start no new iteration
			}
			if err := e.runScope(slots.at(i), fr, e.plan.ScopeGraph(body)); err != nil {
				return err
			}
			fenv := e.newEnv(fr, 1)
			fenv.Input = env.Input
			if v, ok, ne := e.evalLazy(n, "result", fenv); ne != nil {
				ne.Node, ne.NodeRef = in.Key, n
				if ne.Span == spanZero {
					ne.Span = n.TagSpan
				}
				e.recordIterFailure(fr, ne)
				return errStop
			} else if ok {
				results[i] = v
			} else {
				results[i] = e.result(fr, body)
			}
			if fr.broken {
				brokeMu.Lock()
				broken = true
				brokeMu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		for _, fr := range frames {
			if ne := e.firstFailure(fr, body); ne != nil {
				return nil, ne
			}
		}
		return nil, &NodeError{Code: "R605", Message: "cancelled"}
	}
	out := make([]any, 0, len(items))
	for i := range items {
		if started[i] {
			out = append(out, results[i])
		}
	}
	return out, nil
}

func (e *engine) recordIterFailure(fr *frame, ne *NodeError) {
	fr.mu.Lock()
	fr.failure = ne
	fr.mu.Unlock()
}

func (e *engine) firstFailure(fr *frame, s *ast.Scope) *NodeError {
	fr.mu.Lock()
	fl := fr.failure
	fr.mu.Unlock()
	if fl != nil {
		return fl
	}
	var found *NodeError
	e.walkInstances(fr, s, func(in *Instance) {
		if found == nil && in.Status == StatusFailed && in.Err != nil {
			found = in.Err
		}
	})
	return found
}

func (e *engine) runParallel(ctx context.Context, f *frame, n *ast.Node, in *Instance, env *expr.Env) (any, *NodeError) {
	k := len(n.Scopes)
	need := k
	if w := n.Field("wait"); w != nil && w.IsStatic {
		var problem string
		if need, problem = fields.CheckWait(strings.TrimSpace(value.Render(w.Static)), k); problem != "" {
			return nil, &NodeError{Code: "R603", Message: problem, Span: w.Span}
		}
	}
	conc := k
	if v, ok, ne := e.scalar(f, n, n.Field("concurrency")); ne != nil {
		return nil, ne
	} else if ok {
		conc = max(int(num(v)), 1)
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, conc)
	type res struct {
		i   int
		ok  bool
		out any
	}
	done := make(chan res, k)
	branchCtx := e.fork(pctx, k)
	for i, s := range n.Scopes {
		go func() {
			select {
			case sem <- struct{}{}:
			case <-pctx.Done():
				done <- res{i: i}
				return
			}
			defer func() { <-sem }()
			err := e.runScope(branchCtx.at(i), f, e.plan.ScopeGraph(s))
			if err != nil {
				done <- res{i: i}
				return
			}
			done <- res{i: i, ok: true, out: e.result(f, s)}
		}()
	}
	oks := make([]bool, k)
	outs := make([]any, k)
	succeeded, failed := 0, 0
	var firstErr *NodeError
	for range k {
		r := <-done
		if r.ok {
			oks[r.i], outs[r.i] = true, r.out
			succeeded++
		} else {
			failed++
			if firstErr == nil && pctx.Err() == nil {
				firstErr = e.scopeError(f, n.Scopes[r.i], nil)
			}
		}
		if succeeded >= need || failed > k-need {
			cancel()
		}
	}
	if succeeded < need {
		if firstErr == nil {
			firstErr = &NodeError{Code: "R605", Message: "cancelled"}
		}
		return nil, firstErr
	}
	var merged []any
	for i := range k {
		if oks[i] {
			merged = append(merged, outs[i])
		}
	}
	if merged == nil {
		merged = []any{}
	}
	mf := n.Field("merge")
	mode := "array"
	if mf != nil && mf.Prog != nil {
		menv := e.newEnv(f, 1)
		menv.SetLocal("$branches", merged)
		v, err := mf.Prog.Eval(menv)
		if err != nil {
			return nil, evalErr(err, n)
		}
		return v, nil
	} else if mf != nil && mf.IsStatic {
		mode = value.Render(mf.Static)
	}
	switch mode {
	case "concat":
		out := []any{}
		for _, r := range merged {
			switch x := r.(type) {
			case nil:
			case []any:
				out = append(out, x...)
			default:
				out = append(out, x)
			}
		}
		return out, nil
	case "object":
		o := value.NewObject(0)
		for _, r := range merged {
			switch x := r.(type) {
			case nil:
			case *value.Object:
				for _, key := range x.Keys() {
					v, _ := x.Get(key)
					o.Set(key, v)
				}
			default:
				return nil, &NodeError{Code: "R603", Message: "merge \"object\" needs object results, got " + value.TypeName(r)}
			}
		}
		return o, nil
	}
	return merged, nil
}

func (e *engine) runTimeout(ctx context.Context, f *frame, n *ast.Node, env *expr.Env) (any, *NodeError) {
	v, ne := e.fieldValue(n.Field("duration"), env, n)
	if ne != nil {
		return nil, ne
	}
	d := msDur(v)
	tctx, cancel := e.withTimeout(ctx, d, &nodeTimeout{d})
	defer cancel()
	body := n.Scopes[0]
	err := e.runScope(tctx, f, e.plan.ScopeGraph(body))
	if err == nil {
		return e.result(f, body), nil
	}
	var nt *nodeTimeout
	if ctx.Err() == nil && errors.As(context.Cause(tctx), &nt) {
		if h := n.Field("on-timeout"); h != nil && h.IsStatic {
			hn := e.flow.ByID[h.Static.(string)]
			ne := &NodeError{Code: "R604", Message: nt.Error(), Retryable: true}
			if out, ok := e.runHandler(ctx, f, hn, ne); ok {
				return out, nil
			}
		}
		return nil, &NodeError{Code: "R604", Message: nt.Error(), Retryable: true}
	}
	return nil, e.scopeError(f, body, err)
}

func msDur(v any) (d timeDuration) {
	ms, _ := v.(float64)
	return timeDuration(ms) * timeMillisecond
}

// runOverride runs a mock in place of an include or call.
func (e *engine) runOverride(ctx context.Context, n *ast.Node, in *Instance, env *expr.Env, rt runtimes.Runtime) (any, *NodeError) {
	vals, lazy, ne := e.render(n, env)
	if ne != nil {
		return nil, ne
	}
	if e.opts.KeepFields {
		in.Fields = vals
	}
	out, err := rt.Run(ctx, &runtimes.Call{Node: in.Key, Kind: n.Kind, Role: n.Tag, Input: env.Input, HasInput: in.HasInput,
		Fields: vals, Lazy: lazy, Env: env, WorkflowDir: e.flow.Dir, RunID: e.opts.RunID, Log: func(string, string) {}})
	if err != nil {
		return nil, evalErr(err, n)
	}
	return out, nil
}
