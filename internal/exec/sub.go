package exec

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// SubValues are the run values of a sub-workflow.
type SubValues struct {
	Config, Input, Secrets, Env any
}

// chainKey carries the absolute paths of the sub-workflows active in the
// current chain (runtime cycle detection, nodes.md §6).
type chainKey struct{}

// runSub runs an include or call node: the sub-workflow's nodes join this
// run (keys "<id>/<node>"), share the run's slots, and its output becomes
// the node's output (nodes.md §6).
func (e *engine) runSub(ctx context.Context, f *frame, n *ast.Node, in *Instance, env *expr.Env) (any, *NodeError) {
	sub := e.flow.Subflows[n]
	if sub == nil {
		return nil, &NodeError{Code: "R616", Message: "sub-workflow was not loaded"}
	}
	chain, _ := ctx.Value(chainKey{}).([]string)
	if len(chain) == 0 {
		chain = []string{e.flow.Path}
	}
	for _, c := range chain {
		if c == sub.Path {
			return nil, &NodeError{Code: "R616", Message: fmt.Sprintf("sub-workflow %q is already running in this chain", e.relPath(sub.Path))}
		}
	}
	if len(chain) > 16 { // the chain holds the top workflow too
		return nil, &NodeError{Code: "R616", Message: "sub-workflows are nested deeper than 16 levels"}
	}
	ctx = context.WithValue(ctx, chainKey{}, append(chain[:len(chain):len(chain)], sub.Path))

	base := value.NewObject(0)
	switch x := env.Input.(type) {
	case *value.Object:
		base = x.Clone()
	case nil:
	default:
		if n.Field("input") != nil {
			return nil, &NodeError{Code: "R603", Message: "sub-workflow input must be an object, got " + value.TypeName(x)}
		}
	}
	for _, s := range n.Subs {
		key := ""
		if k := s.Field("key"); k != nil {
			key, _ = k.Static.(string)
		} else if k := s.Field("name"); k != nil {
			key, _ = k.Static.(string)
		}
		v, ne := e.subValue(s, env, n)
		if ne != nil {
			return nil, ne
		}
		base.Set(key, v)
	}
	var overrides *value.Object
	if cf := n.Field("config"); cf != nil {
		v, ne := e.fieldValue(cf, env, n)
		if ne != nil {
			return nil, ne
		}
		overrides, _ = v.(*value.Object)
	}
	vals := SubValues{Input: base}
	if e.opts.SubResolver != nil {
		var err error
		vals, err = e.opts.SubResolver(sub, overrides, base)
		if err != nil {
			return nil, &NodeError{Code: "R616", Message: err.Error()}
		}
	}
	plan := e.subPlan(n, sub)
	if plan == nil {
		return nil, &NodeError{Code: "R616", Message: "sub-workflow has no plan"}
	}
	opts := e.opts
	opts.Config, opts.Input, opts.Secrets, opts.Env = vals.Config, vals.Input, vals.Secrets, vals.Env
	child := newEngine(plan, opts, e.now)
	child.slots, child.obs, child.observe = e.slots, e.obs, e.observe
	root := newFrame(nil, 0, len(sub.Nodes), in.Key+"/")
	if e.opts.ScopeSum != nil {
		root.scope = e.opts.ScopeSum(in.Scope, vals.Input, vals.Config)
	}
	e.mu.Lock()
	e.subs[in] = &subRun{eng: child, root: root}
	e.mu.Unlock()
	sctx := ctx
	if ms := sub.Front.Runtime.Timeout; ms > 0 {
		var cancel context.CancelFunc
		d := time.Duration(ms) * time.Millisecond
		sctx, cancel = e.withTimeout(ctx, d, &nodeTimeout{d})
		defer cancel()
	}
	if err := child.runScope(sctx, root, plan.Root); err != nil {
		if ctx.Err() != nil {
			return nil, &NodeError{Code: "R605", Message: "cancelled"}
		}
		if sctx.Err() != nil {
			return nil, &NodeError{Code: "R604", Message: "sub-workflow " + (&nodeTimeout{time.Duration(sub.Front.Runtime.Timeout) * time.Millisecond}).Error(), Retryable: true}
		}
		inner := child.runErr
		if inner == nil {
			return nil, &NodeError{Code: "R616", Message: "sub-workflow failed"}
		}
		if inner.Code == "R614" {
			// A rejected checkpoint rejects the whole run (nodes.md §7).
			return nil, &NodeError{Code: "R614", Message: fmt.Sprintf("sub-workflow %q: %s", e.relPath(sub.Path), inner.Message)}
		}
		return nil, &NodeError{Code: "R616", Retryable: inner.Retryable,
			Message: fmt.Sprintf("sub-workflow %q failed at node %q: [%s] %s", e.relPath(sub.Path), inner.Node, inner.Code, inner.Message)}
	}
	return child.workflowOutput(root), nil
}

type subRun struct {
	eng  *engine
	root *frame
}

// subPlan returns the plan of n's sub-workflow: the dag's for includes,
// built once per run for calls.
func (e *engine) subPlan(n *ast.Node, sub *ast.Flow) *dag.Plan {
	if e.plan.Includes != nil && n.Index < len(e.plan.Includes) && e.plan.Includes[n.Index] != nil {
		return e.plan.Includes[n.Index]
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.callPlans[sub]; ok {
		return p
	}
	p, diags := dag.Build(sub)
	if diags.HasErrors() {
		p = nil
	}
	e.callPlans[sub] = p
	return p
}

// subNode resolves "inc/node" references into an include's nodes.
func (r resolver) subNode(key string) (expr.NodeState, bool) {
	incID, rest, ok := strings.Cut(key, "/")
	if !ok {
		return expr.NodeState{}, false
	}
	inc, ok := r.e.flow.ByID[incID]
	if !ok {
		return expr.NodeState{}, false
	}
	in := r.f.lookup(inc.Index)
	if in == nil {
		return expr.NodeState{Status: StatusPending}, true
	}
	r.e.mu.Lock()
	sr := r.e.subs[in]
	r.e.mu.Unlock()
	if sr == nil {
		return expr.NodeState{Status: StatusPending}, true
	}
	return resolver{sr.eng, sr.root}.Node(rest), true
}
