package testrun

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/frontmatter"
	"github.com/flowscript/flowscript/internal/redact"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/value"
)

// Options configure a test run.
type Options struct {
	// Run keeps only the cases whose name matches (nil: all).
	Run *regexp.Regexp
	// FailFast stops after the first failing case.
	FailFast bool
	// Clock times the cases and gives the default start of the virtual
	// clock (nil: time.Now).
	Clock func() time.Time
	// Registry provides the real runtimes (nil: runtimes.Builtin()).
	Registry *runtimes.Registry
	// Getenv reads the process environment; the values of the variables
	// that declared secrets read are masked in the results like the case's
	// own secret values (nil: os.LookupEnv).
	Getenv func(string) (string, bool)
}

// Result is the outcome of a test run.
type Result struct {
	Files []*FileResult
}

// FileResult is the outcome of the cases of one suite.
type FileResult struct {
	File, Workflow, Class string
	Cases                 []*CaseResult
}

// CaseResult is the outcome of one case.
type CaseResult struct {
	Name     string
	Passed   bool
	Duration time.Duration
	Failures []Failure
}

// Failure is one failed expectation: its one line (spec/cli.md §6.4),
// secrets masked.
type Failure struct {
	Text string
}

// Counts returns the number of cases run, passed and failed.
func (r *Result) Counts() (total, passed, failed int) {
	for _, f := range r.Files {
		for _, c := range f.Cases {
			total++
			if c.Passed {
				passed++
			} else {
				failed++
			}
		}
	}
	return
}

// Selected counts the cases of suites that o.Run keeps.
func Selected(suites []*Suite, re *regexp.Regexp) int {
	n := 0
	for _, s := range suites {
		for _, c := range s.Cases {
			if re == nil || re.MatchString(c.Name) {
				n++
			}
		}
	}
	return n
}

// Run runs the selected cases of suites in order.
func Run(ctx context.Context, suites []*Suite, o Options) *Result {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Registry == nil {
		o.Registry = runtimes.Builtin()
	}
	res := &Result{}
	for _, s := range suites {
		fr := &FileResult{File: s.File, Workflow: s.Workflow, Class: s.Class()}
		for _, c := range s.Cases {
			if o.Run != nil && !o.Run.MatchString(c.Name) {
				continue
			}
			if ctx.Err() != nil {
				break
			}
			cr := s.RunCase(ctx, c, o)
			fr.Cases = append(fr.Cases, cr)
			if !cr.Passed && o.FailFast {
				res.Files = append(res.Files, fr)
				return res
			}
		}
		if len(fr.Cases) > 0 {
			res.Files = append(res.Files, fr)
		}
	}
	return res
}

// caseRun is the state of one case run.
type caseRun struct {
	s     *Suite
	c     *Case
	clock *vclock
	reg   *runtimes.Registry

	mu       sync.Mutex
	attempts map[string]int // mock calls by instance key
	realIO   []string       // messages of blocked real I/O, deduplicated
}

// baseEnv is the process environment live exec nodes get: only what
// programs need to be found and run.
func baseEnv() []string {
	var out []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG", "SYSTEMROOT"} {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// RunCase runs one case as a full run on a virtual clock and compares its
// expectations. Secret values never appear in the result: every failure
// line is masked (spec/execution.md §15).
func (s *Suite) RunCase(ctx context.Context, c *Case, o Options) *CaseResult {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Registry == nil {
		o.Registry = runtimes.Builtin()
	}
	if o.Getenv == nil {
		o.Getenv = os.LookupEnv
	}
	m := s.masker(c, o.Getenv)
	res := s.runCase(ctx, c, o, m)
	res.Name = m.String(res.Name)
	for i := range res.Failures {
		res.Failures[i].Text = m.String(res.Failures[i].Text)
	}
	return res
}

// masker masks the secret values a case can reach: the values its
// `secrets:` give (to the workflow and its sub-workflows), and the values
// of the environment variables the workflow's secrets read.
func (s *Suite) masker(c *Case, getenv func(string) (string, bool)) *redact.Masker {
	var vals []string
	for _, v := range c.given {
		if str, ok := v.(string); ok {
			vals = append(vals, str)
		}
	}
	for _, sec := range s.Flow.Front.Secrets {
		if v, ok := getenv(sec.Env); ok && sec.Env != "" {
			vals = append(vals, v)
		}
	}
	sort.Strings(vals)
	return redact.New(vals)
}

// runCase is RunCase before masking; values in failures are shown through
// m so that masking comes before cutting.
func (s *Suite) runCase(ctx context.Context, c *Case, o Options, m *redact.Masker) *CaseResult {
	begin := o.Clock()
	start := begin
	if c.hasNow {
		start = c.now
	}
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	vc := &vclock{start: start}
	vc.addLimit(c.timeout, func() { cancel(errCaseTimeout) })
	flow := s.Flow
	var runTimeout time.Duration
	if ms := flow.Front.Runtime.Timeout; ms > 0 {
		runTimeout = time.Duration(ms) * time.Millisecond
		vc.addLimit(runTimeout, func() { cancel(errRunTimeout) })
	}
	// Real time is bounded too, so a live node that hangs ends the case.
	rctx, rcancel := context.WithTimeoutCause(cctx, c.timeout, errCaseTimeout)
	defer rcancel()

	seed := c.seed
	if !c.hasSeed {
		seed = rand.Uint64()
	}
	rt := &expr.Runtime{Now: vc.Now, Rand: rand.New(&lockedSource{src: rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)})}
	if loc, err := time.LoadLocation(flow.Front.Runtime.Timezone); err == nil {
		rt.Loc = loc
	}
	st := &caseRun{s: s, c: c, clock: vc, reg: o.Registry, attempts: map[string]int{}}
	conc := flow.Front.Runtime.Concurrency
	if conc <= 0 {
		conc = 10
	}
	sched := flow.Front.Runtime.Scheduler
	if sched == "" {
		sched = "waves"
	}
	rep, err := exec.Run(rctx, s.Plan, exec.Options{
		MaxConcurrency: conc, Registry: o.Registry, Config: c.config, Input: c.input, Secrets: c.secrets,
		Env: c.env, RunID: "test", Attempt: 1, BaseEnv: baseEnv(), Runtime: rt, Now: vc.Now,
		Scheduler: sched, SubResolver: st.subResolver, Decide: st.decide, Override: st.override,
		Sleep: vc.Sleep, WithTimeout: vc.WithTimeout, Fork: vc.Fork, KeepFields: true,
	})
	res := &CaseResult{Name: c.Name}
	if err != nil {
		res.Failures = append(res.Failures, Failure{Text: "run: " + err.Error()})
		res.Duration = o.Clock().Sub(begin)
		return res
	}
	cause := context.Cause(rctx)
	caseTimeout := errors.Is(cause, errCaseTimeout)
	if errors.Is(cause, errRunTimeout) {
		rep.Status = exec.RunTimedOut
		rep.Err = &exec.NodeError{Code: "R620", Message: "run timed out after " + fmtDur(runTimeout)}
	}
	if rep.Status == exec.RunSuccess && flow.Front.Output != nil {
		if _, problems := flow.Front.Output.Check(rep.Output, "$output"); len(problems) > 0 {
			rep.Status = exec.RunFailed
			rep.Err = &exec.NodeError{Code: "R618", Message: "workflow output does not match the output schema: " + strings.Join(problems, "; ")}
		}
	}
	st.mu.Lock()
	for _, m := range st.realIO {
		res.Failures = append(res.Failures, Failure{Text: m})
	}
	st.mu.Unlock()
	if caseTimeout {
		// The run was cut short: its statuses say nothing more.
		res.Failures = append(res.Failures, Failure{Text: fmt.Sprintf("timeout: the case ran longer than %s", fmtDur(c.timeout))})
	} else {
		res.Failures = append(res.Failures, compare(c, s.Flow, rep, m)...)
	}
	res.Passed = len(res.Failures) == 0
	res.Duration = o.Clock().Sub(begin)
	return res
}

// inMain reports whether n is a node of the workflow under test (not of a
// sub-workflow).
func (st *caseRun) inMain(n *ast.Node) bool {
	nodes := st.s.Flow.Nodes
	return n.Index < len(nodes) && nodes[n.Index] == n
}

// lookup finds the entry for an instance: its exact key first, then the
// node's id for nodes of the workflow under test.
func lookup[T any](m map[string]T, n *ast.Node, key string, main bool) (T, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	if main {
		v, ok := m[n.ID]
		return v, ok
	}
	var zero T
	return zero, false
}

// realIOKinds are the node types that reach the network, processes or a
// server (spec/cli.md §6.1).
var realIOKinds = map[string]bool{"exec": true, "http": true, "ai": true, "email": true, "database": true}

func (st *caseRun) live(n *ast.Node, key string, main bool) bool {
	for _, l := range st.c.live {
		if l == key || main && l == n.ID || strings.HasPrefix(key, l+"/") {
			return true
		}
	}
	return false
}

// override is exec.Options.Override: mocks, and the real-I/O guard.
func (st *caseRun) override(n *ast.Node, key string) runtimes.Runtime {
	main := st.inMain(n)
	if m, ok := lookup(st.c.mocks, n, key, main); ok && m.node == n {
		return &mockRuntime{st: st, m: m, kind: n.Kind}
	}
	if !realIOKinds[n.Type] || st.live(n, key, main) {
		return nil
	}
	g := &ioGuard{st: st, kind: n.Kind, db: n.Type == "database"}
	if g.db {
		g.real, _ = st.reg.Get(n.Kind)
	}
	return g
}

// decide is exec.Options.Decide: a checkpoint mock, then `approve`, else
// the checkpoint's default.
func (st *caseRun) decide(_ context.Context, req *exec.CheckpointRequest) (*exec.Decision, error) {
	main := !inSub(st.s.Flow, req.Node)
	n := &ast.Node{ID: req.ID}
	if m, ok := lookup(st.c.mocks, n, req.Node, main); ok && m.decision != nil {
		d := *m.decision
		return &d, nil
	}
	if d, ok := lookup(st.c.approve, n, req.Node, main); ok {
		dd := *d
		return &dd, nil
	}
	return nil, nil
}

// inSub reports whether an instance key lies inside an include or call.
func inSub(flow *ast.Flow, key string) bool {
	segs := strings.Split(key, "/")
	for _, seg := range segs[:len(segs)-1] {
		id, _, _ := strings.Cut(seg, "[")
		if n := flow.ByID[id]; n != nil && (n.Tag == "include" || n.Tag == "call") {
			return true
		}
	}
	return false
}

// subResolver gives a sub-workflow its config (defaults plus the node's
// values), checked input, and the case's secrets and env by name.
func (st *caseRun) subResolver(sub *ast.Flow, cfg, input *value.Object) (exec.SubValues, error) {
	fm := sub.Front
	conf, in, err := frontmatter.SubValues(fm, sub.File.Name, cfg, input)
	if err != nil {
		return exec.SubValues{}, err
	}
	sec := value.NewObject(len(fm.Secrets))
	for _, s := range fm.Secrets {
		v, ok := st.c.given[s.Name]
		if !ok {
			v = ""
		}
		sec.Set(s.Name, v)
	}
	return exec.SubValues{Config: conf, Input: in, Secrets: sec, Env: envValues(fm, st.c.envIn)}, nil
}

// mockRuntime answers for a mocked node: one step per attempt, the last
// repeating; a delay longer than the node's timeout fails with R604.
type mockRuntime struct {
	st   *caseRun
	m    *mock
	kind string
}

func (r *mockRuntime) Kind() string { return r.kind }

func (r *mockRuntime) Run(ctx context.Context, c *runtimes.Call) (any, error) {
	r.st.mu.Lock()
	i := r.st.attempts[c.Node]
	r.st.attempts[c.Node] = i + 1
	r.st.mu.Unlock()
	step := r.m.steps[min(i, len(r.m.steps)-1)]
	delay := r.m.delay
	if step.hasDelay {
		delay = step.delay
	}
	if delay > 0 {
		if ms, ok := c.Fields["timeout"].(float64); ok && ms > 0 && delay > time.Duration(ms)*time.Millisecond {
			t := time.Duration(ms) * time.Millisecond
			if err := r.st.clock.Sleep(ctx, t); err != nil {
				return nil, &runtimes.Error{Code: "R605", Message: "cancelled", Cause: err}
			}
			return nil, &runtimes.Error{Code: "R604", Message: "timed out after " + fmtDur(t), Retryable: true}
		}
		if err := r.st.clock.Sleep(ctx, delay); err != nil {
			return nil, &runtimes.Error{Code: "R605", Message: "cancelled", Cause: err}
		}
	}
	if step.err != nil {
		e := *step.err
		return nil, &e
	}
	return step.output, nil
}

// ioGuard stands in for an unmocked node that would do real I/O; for a
// database node it runs the real runtime unless the connection is
// PostgreSQL.
type ioGuard struct {
	st   *caseRun
	kind string
	db   bool
	real runtimes.Runtime // nil when the kind has no runtime
}

func (g *ioGuard) Kind() string { return g.kind }

func (g *ioGuard) Run(ctx context.Context, c *runtimes.Call) (any, error) {
	if g.db {
		conn := strings.ToLower(c.Str("connection"))
		if !strings.HasPrefix(conn, "postgres://") && !strings.HasPrefix(conn, "postgresql://") {
			if g.real == nil {
				return nil, runtimes.Errorf("R601", false, "node kind %q is not supported yet", g.kind)
			}
			return g.real.Run(ctx, c)
		}
	}
	msg := fmt.Sprintf("node %q would perform real I/O; mock it or list it under live", c.Node)
	g.st.mu.Lock()
	if !contains(g.st.realIO, msg) {
		g.st.realIO = append(g.st.realIO, msg)
	}
	g.st.mu.Unlock()
	return nil, &runtimes.Error{Code: "R601", Message: msg}
}
