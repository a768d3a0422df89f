package exec

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// errRunTimeout is the cause of the run deadline.
var errRunTimeout = errors.New("run timed out")

// errNodeTimeout is the cause of a node attempt's deadline.
type nodeTimeout struct{ d time.Duration }

func (t *nodeTimeout) Error() string { return "timed out after " + formatDur(t.d) }

// errStop is returned by a node that failed and stops its scope; the
// failure itself is in the node's instance.
var errStop = errors.New("node failed")

type engine struct {
	plan  *dag.Plan
	flow  *ast.Flow
	opts  Options
	n     int
	slots *semaphore.Weighted
	obs   Observer
	// observe is false when nobody listens: events are not even built.
	observe bool
	now     func() time.Time

	globals *expr.Globals
	// globalsCur is globals with the current context (rebuilt when a
	// <context> node replaces it).
	globalsCur *expr.Globals
	procEnv    []string

	mu      sync.Mutex
	vars    *value.Object
	context *value.Object
	runErr  *NodeError
	// invokers lists, per handler node, the nodes that may invoke it.
	invokers map[*ast.Node][]*ast.Node
	// iterations of iterating containers, by the container's instance
	iterations map[*Instance][]*frame
	// subs are the sub-workflow runs of include/call instances.
	subs      map[*Instance]*subRun
	callPlans map[*ast.Flow]*dag.Plan
	whenCache map[string]*expr.Program
	// runErrValue is $error for <on-workflow-error> nodes.
	runErrValue *value.Object
	// hooks for node kinds (lazy per node)
}

// newEngine prepares an engine for plan (also used for sub-workflows).
func newEngine(plan *dag.Plan, opts Options, now func() time.Time) *engine {
	observe := opts.Observer != nil
	if !observe {
		opts.Observer = ObserverFunc(func(*Event) {})
	}
	e := &engine{plan: plan, flow: plan.Flow, opts: opts, n: opts.MaxConcurrency,
		slots: semaphore.NewWeighted(int64(opts.MaxConcurrency)), obs: opts.Observer, observe: observe, now: now,
		vars: value.NewObject(len(plan.Flow.Vars)), context: value.NewObject(0),
		iterations: map[*Instance][]*frame{}, subs: map[*Instance]*subRun{}, callPlans: map[*ast.Flow]*dag.Plan{}, whenCache: map[string]*expr.Program{}}
	e.globals = &expr.Globals{
		Input: orEmpty(opts.Input), Config: orEmpty(opts.Config), Secrets: orEmpty(opts.Secrets),
		Env: orEmpty(opts.Env), Context: e.context,
		Run: value.ObjectOf("id", opts.RunID, "started_at", formatTime(now()), "attempt", float64(max(1, opts.Attempt))),
		Workflow: value.ObjectOf("name", plan.Flow.Front.Name, "version", plan.Flow.Front.Version,
			"file", plan.Flow.Path, "dir", plan.Flow.Dir),
	}
	e.procEnv = e.buildProcEnv()
	e.invokers = map[*ast.Node][]*ast.Node{}
	for _, n := range plan.Flow.Nodes {
		if n.OnError != nil && n.OnError.Fallback != nil {
			e.invokers[n.OnError.Fallback] = append(e.invokers[n.OnError.Fallback], n)
		}
		if h := n.Field("on-timeout"); h != nil && h.IsStatic {
			if hn := plan.Flow.ByID[value.Render(h.Static)]; hn != nil {
				e.invokers[hn] = append(e.invokers[hn], n)
			}
		}
	}
	return e
}

// skipSettledHandlers skips the handlers of scope g in frame f that no
// node invoked (nodes.md §1.3): once every invoker has ended, so that
// nodes after them read the handler as skipped, or all of them when the
// scope has finished (final).
func (e *engine) skipSettledHandlers(f *frame, g *dag.Graph, final bool) {
	for _, h := range g.Handlers {
		if in := e.inst(f, h); in == nil || in.Status != StatusPending || !in.Start.IsZero() {
			continue
		}
		if final || e.invokersEnded(f, h) {
			e.skipNode(f, h, "handler not invoked")
		}
	}
}

// invokersEnded reports whether handler h has invokers and every one of
// them, seen from f, has ended (or was skipped).
func (e *engine) invokersEnded(f *frame, h *ast.Node) bool {
	for _, inv := range e.invokers[h] {
		if ii := f.lookup(inv.Index); ii == nil || ii.End.IsZero() && ii.Status != StatusSkipped {
			return false
		}
	}
	return len(e.invokers[h]) > 0
}

// Run executes plan and returns the report. The returned error is only
// for problems that prevent running at all; node failures are in the
// report.
func Run(ctx context.Context, plan *dag.Plan, opts Options) (*Report, error) {
	if opts.MaxConcurrency <= 0 {
		opts.MaxConcurrency = 10
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	e := newEngine(plan, opts, now)
	rep := &Report{Start: now()}
	runCtx := ctx
	var cancel context.CancelFunc
	if opts.Timeout > 0 {
		runCtx, cancel = context.WithTimeoutCause(ctx, opts.Timeout, errRunTimeout)
		defer cancel()
	}
	root := newFrame(nil, 0, len(e.flow.Nodes), "")
	err := e.runScope(runCtx, root, plan.Root)
	rep.End = now()
	switch {
	case err == nil:
		rep.Status = RunSuccess
	case errors.Is(context.Cause(runCtx), errRunTimeout):
		rep.Status = RunTimedOut
	case ctx.Err() != nil && e.runErr == nil:
		rep.Status = RunInterrupted
	default:
		rep.Status = RunFailed
		if e.runErr != nil && e.runErr.Code == "R614" {
			rep.Status = RunRejected
		}
	}
	rep.Err = e.runErr
	if rep.Status == RunTimedOut {
		rep.Err = &NodeError{Code: "R620", Message: "run timed out after " + formatDur(opts.Timeout)}
	}
	if rep.Status == RunSuccess {
		rep.Output = e.workflowOutput(root)
		if out := e.flow.Front.Output; out != nil {
			if _, problems := out.Check(rep.Output, "$output"); len(problems) > 0 {
				rep.Status, rep.Output = RunFailed, nil
				rep.Err = &NodeError{Code: "R618", Message: "workflow output does not match the output schema: " + strings.Join(problems, "; ")}
			}
		}
	}
	if e.flow.OnError != nil && (rep.Status == RunFailed || rep.Status == RunRejected || rep.Status == RunTimedOut) {
		e.runOnWorkflowError(ctx, root, rep.Err)
		rep.End = now()
	}
	rep.Instances = e.orderedInstances(root)
	for _, in := range rep.Instances {
		switch in.Status {
		case StatusSuccess:
			rep.Counts.Success++
		case StatusFailed:
			rep.Counts.Failed++
		case StatusSkipped:
			rep.Counts.Skipped++
		case StatusCancelled:
			rep.Counts.Cancelled++
		default:
			rep.Counts.NotRun++
		}
	}
	return rep, nil
}

func orEmpty(v any) any {
	if v == nil {
		return value.NewObject(0)
	}
	return v
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (e *engine) buildProcEnv() []string {
	env := append([]string(nil), e.opts.BaseEnv...)
	if obj, ok := e.opts.Env.(*value.Object); ok {
		for _, k := range obj.Keys() {
			v, _ := obj.Get(k)
			if v != nil {
				env = append(env, k+"="+value.Render(v))
			}
		}
	}
	env = append(env, "FLOWSCRIPT_RUN_ID="+e.opts.RunID, "FLOWSCRIPT_WORKFLOW_DIR="+e.flow.Dir)
	return env
}

// frame holds the states of the nodes of one scope instance: the top
// level, or one iteration of a loop body. Nodes of a container are
// contiguous in document order, so a frame owns the index range [lo, hi).
type frame struct {
	parent *frame
	lo, hi int
	states []*Instance
	prefix string // instance-key prefix, "loop[2]/"
	// activated goto targets of this frame
	mu        sync.Mutex
	activated map[int]bool
	vars      *value.Object // iteration-local variables (foreach), or nil
	broken    bool          // a <break> ended this iteration
	iter      *iterInfo     // set for iteration and branch frames
	loop      *ast.Node     // the iterating container of this frame
	failure   *NodeError    // a failure of the iteration's own fields
	scope     uint64        // Instance.Scope of the frame's instances
	// prev is the previous iteration's frame while a while condition is
	// evaluated: body nodes not run yet read from there (nodes.md §4.5).
	prev *frame
}

// iterInfo describes the iteration a frame runs.
type iterInfo struct {
	isItem              bool
	item                any
	index               int
	items               []any
	itemName, indexName string
	iteration           int // loop/while iteration, -1 otherwise
	branch              int // parallel branch, -1 otherwise
}

func newFrame(parent *frame, lo, hi int, prefix string) *frame {
	return &frame{parent: parent, lo: lo, hi: hi, states: make([]*Instance, hi-lo), prefix: prefix}
}

// owner returns the frame that holds node index i.
func (f *frame) owner(i int) *frame {
	for c := f; c != nil; c = c.parent {
		if i >= c.lo && i < c.hi {
			return c
		}
	}
	return nil
}

// inst returns (creating) the instance of node n in this frame.
func (e *engine) inst(f *frame, n *ast.Node) *Instance {
	fr := f.owner(n.Index)
	if fr == nil {
		return nil
	}
	in := fr.states[n.Index-fr.lo]
	if in == nil {
		in = &Instance{Key: fr.prefix + n.ID, Node: n, Status: StatusPending, Scope: fr.scope}
		fr.states[n.Index-fr.lo] = in
	}
	return in
}

// lookup returns the instance of node n visible from f, or nil.
func (f *frame) lookup(i int) *Instance {
	fr := f.owner(i)
	if fr == nil {
		return nil
	}
	if in := fr.states[i-fr.lo]; in != nil || fr.prev == nil {
		return in
	}
	return fr.prev.lookup(i)
}

// runScope runs the waves of graph g in frame f. It returns errStop (or
// a context error) when the scope failed. Once it has finished, the
// scope's handlers that no node invoked are skipped (nodes.md §1.3).
func (e *engine) runScope(ctx context.Context, f *frame, g *dag.Graph) error {
	var err error
	if e.opts.Scheduler == "eager" {
		err = e.runScopeEager(ctx, f, g)
	} else {
		err = e.runWaves(ctx, f, g)
	}
	if err == nil && len(g.Handlers) > 0 {
		e.skipSettledHandlers(f, g, true)
	}
	return err
}

// runWaves runs the waves of g one after the other.
func (e *engine) runWaves(ctx context.Context, f *frame, g *dag.Graph) error {
	// scope: the instance key of the container whose scope this is ("" at
	// the top level; the include or call for a sub-workflow's top level;
	// "fe[2]" for an iteration of fe; "on-workflow-error" for that scope).
	var scopeKey string
	switch {
	case g.Scope == e.flow.OnError:
		scopeKey = "on-workflow-error"
	case g.Scope.Owner == nil, f.loop == g.Scope.Owner:
		scopeKey = strings.TrimSuffix(f.prefix, "/")
	default:
		if in := f.lookup(g.Scope.Owner.Index); in != nil {
			scopeKey = in.Key
		}
	}
	for wi, wave := range g.Waves {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.observe {
			ids := make([]string, len(wave))
			for i, n := range wave {
				ids[i] = n.ID
			}
			e.obs.Event(&Event{Type: EvWaveStart, Time: e.now(), Scope: scopeKey, Wave: wi + 1, Waves: len(g.Waves), Nodes: ids})
		}
		var err error
		if len(wave) == 1 {
			// One node: nothing to run beside it, so no group or goroutine.
			err = e.runNode(ctx, f, wave[0], f.isBroken())
		} else {
			grp, wctx := errgroup.WithContext(ctx)
			grp.SetLimit(e.n)
			nodeCtx := e.fork(wctx, len(wave))
			// Nodes start in document order (execution.md §5): one
			// launched before the first failure was started and ends
			// cancelled if it is stopped; one launched after it was not
			// started and stays pending, whatever order the goroutines
			// happen to run in.
			var launched atomic.Int64
			var cutoff atomic.Int64
			cutoff.Store(math.MaxInt64)
			for i, n := range wave {
				broken := f.isBroken()
				grp.Go(func() error {
					err := e.runNode(nodeCtx.at(i), f, n, broken)
					if err == nil {
						return nil
					}
					cutoff.CompareAndSwap(math.MaxInt64, launched.Load())
					if in := e.inst(f, n); in.Status == StatusPending && int64(i) < cutoff.Load() && wctx.Err() != nil {
						return e.cancelled(in, wctx.Err()) // started, then stopped before it ran
					}
					return err
				})
				launched.Add(1)
			}
			err = grp.Wait()
		}
		if e.observe {
			st := StatusSuccess
			if err != nil {
				st = StatusFailed
			}
			e.obs.Event(&Event{Type: EvWaveEnd, Time: e.now(), Scope: scopeKey, Wave: wi + 1, Status: st})
		}
		if err == nil && len(g.Handlers) > 0 {
			e.skipSettledHandlers(f, g, false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// runOnWorkflowError runs the <on-workflow-error> nodes after the run
// failed, was rejected or timed out (nodes.md §8.4): their own graph, a
// fresh 60 s deadline, $error the run error. Their failures are reported
// in their instances but change neither the status nor the exit code.
func (e *engine) runOnWorkflowError(ctx context.Context, root *frame, runErr *NodeError) {
	g := e.plan.OnError
	if g == nil {
		return
	}
	if runErr == nil {
		runErr = &NodeError{Code: "R601", Message: "run failed"}
	}
	e.mu.Lock()
	e.runErrValue = runErr.Object()
	e.mu.Unlock()
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	_ = e.runScope(hctx, root, g)
}

// fail records a node failure as the run error if it is the first.
func (e *engine) recordFailure(ne *NodeError) {
	e.mu.Lock()
	if e.runErr == nil {
		e.runErr = ne
	}
	e.mu.Unlock()
}

// workflowOutput is the <output> node's value or the result of the top
// level (nodes.md §1.4, §3.4).
func (e *engine) workflowOutput(root *frame) any {
	if o := e.flow.Output; o != nil {
		if in := root.lookup(o.Index); in != nil && in.Status == StatusSuccess {
			return in.Output
		}
		return nil
	}
	return e.result(root, e.flow.Root)
}

// result of a node list: the output of its last successful node in
// document order, ignoring goto, break and context.
func (e *engine) result(f *frame, s *ast.Scope) any {
	for i := len(s.Nodes) - 1; i >= 0; i-- {
		n := s.Nodes[i]
		switch n.Tag {
		case "goto", "break", "context":
			continue
		}
		if n.Handler {
			continue
		}
		if in := f.lookup(n.Index); in != nil && in.Status == StatusSuccess {
			return in.Output
		}
	}
	return nil
}

// orderedInstances lists instances in document order with iterations
// after their container.
func (e *engine) orderedInstances(root *frame) []*Instance {
	var out []*Instance
	add := func(in *Instance) { out = append(out, in) }
	e.walkScope(root, e.flow.Root, add)
	if e.flow.OnError != nil {
		e.walkScope(root, e.flow.OnError, add)
	}
	return out
}

// walkScope calls fn for the instance of every node of scope s in frame
// f, in document order, each followed by the instances inside it: its
// iterations', its sub-workflow's, or its arms' (see inside).
func (e *engine) walkScope(f *frame, s *ast.Scope, fn func(*Instance)) {
	for _, n := range s.Nodes {
		in := f.lookup(n.Index)
		if in == nil {
			in = e.inst(f, n)
		}
		fn(in)
		e.inside(f, n, in, fn)
	}
}

// inside calls fn for the instances inside node n (instance in, frame f):
// a sub-workflow's, every iteration's of a foreach/loop/while that ran
// (none when none ran: they have no key), or the arms' of another
// container, which share the frame.
func (e *engine) inside(f *frame, n *ast.Node, in *Instance, fn func(*Instance)) {
	e.mu.Lock()
	sr := e.subs[in]
	iters := e.iterations[in]
	e.mu.Unlock()
	if sr != nil {
		for _, x := range sr.eng.orderedInstances(sr.root) {
			fn(x)
		}
	}
	if len(n.Scopes) == 0 {
		return
	}
	if iters == nil {
		switch n.Tag {
		case "foreach", "loop", "while":
			return
		}
		iters = []*frame{f}
	}
	for _, it := range iters {
		for _, sc := range n.Scopes {
			e.walkScope(it, sc, fn)
		}
	}
}

func formatDur(d time.Duration) string { return units.FormatDuration(d.Milliseconds()) }

// relPath is p relative to the workflow directory with '/'.
func (e *engine) relPath(p string) string {
	r, err := filepath.Rel(e.flow.Dir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

type timeDuration = time.Duration

const timeMillisecond = time.Millisecond
