package runner

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/redact"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/store"
	"github.com/flowscript/flowscript/internal/value"
)

// stateDir is --state-dir or .flowscript next to the workflow.
func stateDir(s Streams, o Options, flow *ast.Flow) string {
	if o.StateDir != "" {
		if filepath.IsAbs(o.StateDir) {
			return o.StateDir
		}
		return filepath.Join(s.Cwd, o.StateDir)
	}
	return filepath.Join(flow.Dir, ".flowscript")
}

// openResume opens the run to resume (execution.md §14): errors for an
// unknown id, a run locked by a live process, a corrupt state, or a run
// that succeeded are usage errors (exit 2) and change nothing.
func openResume(s Streams, o Options, flow *ast.Flow) (*store.Store, *store.Run, *store.State, error) {
	st, err := store.Open(stateDir(s, o, flow))
	if err != nil {
		return nil, nil, nil, &UsageError{Message: fmt.Sprintf("--resume: %v", err)}
	}
	run, prev, err := st.Resume(o.Resume, flow.Path)
	if err != nil {
		var le *store.LockedError
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, nil, nil, &UsageError{Message: fmt.Sprintf("--resume: no run %q for %s", o.Resume, o.File),
				Hints: []string{"list the runs with: flowscript runs list " + o.File}}
		case errors.As(err, &le):
			return nil, nil, nil, &UsageError{Message: fmt.Sprintf("--resume: run %s is in progress in process %d", le.RunID, le.PID)}
		}
		return nil, nil, nil, &UsageError{Message: fmt.Sprintf("--resume: %v", err)}
	}
	if prev.Status == exec.RunSuccess {
		run.Close()
		return nil, nil, nil, &UsageError{Message: fmt.Sprintf("--resume: run %s succeeded: nothing to resume", run.ID)}
	}
	if run.Repaired != "" {
		fmt.Fprintln(s.Err, "warning: "+run.Repaired)
	}
	return st, run, prev, nil
}

// createRun makes a new run directory, finding a free id when the clock
// is frozen (tests).
func createRun(st *store.Store, runID string, fixed bool, src []byte) (*store.Run, error) {
	for i := 0; ; i++ {
		id := runID
		if fixed && i > 0 {
			id = runID[:len(runID)-6] + fmt.Sprintf("%06d", i)
		}
		if _, err := os.Stat(filepath.Join(st.Dir, "runs", id)); fixed && err == nil {
			continue
		}
		return st.Create(id, src)
	}
}

// nodeReads lists the $config, $input and $env keys a node's fields read
// ("" when a whole object or a computed key is read).
func nodeReads(n *ast.Node) map[expr.RefKind][]string {
	out := map[expr.RefKind][]string{}
	add := func(refs []expr.Ref) {
		for _, r := range refs {
			switch r.Kind {
			case expr.RefConfig, expr.RefInput, expr.RefEnv:
				out[r.Kind] = append(out[r.Kind], r.Name)
			}
		}
	}
	var fieldRefs func(f *ast.Field)
	var treeRefs func(t *ast.Tree)
	treeRefs = func(t *ast.Tree) {
		if t == nil {
			return
		}
		if tm, ok := t.Leaf.(*expr.Template); ok {
			add(tm.Refs())
		}
		for _, it := range t.Items {
			treeRefs(it)
		}
	}
	fieldRefs = func(f *ast.Field) {
		switch {
		case f.Prog != nil:
			add(f.Prog.Refs())
		case f.Tmpl != nil:
			add(f.Tmpl.Refs())
		case f.Pat != nil:
			add(f.Pat.Refs())
		case f.Tree != nil:
			treeRefs(f.Tree)
		}
	}
	for _, f := range n.Fields {
		fieldRefs(f)
	}
	for _, s := range n.Subs {
		for _, f := range s.Fields {
			fieldRefs(f)
		}
	}
	return out
}

func getKey(v any, k string) any {
	if k == "" {
		return v
	}
	o, _ := v.(*value.Object)
	x, _ := o.Get(k)
	return x
}

// reuser decides which stored results a resumed run keeps (execution.md
// §14); the executor adds the rule that dependencies were reused.
type reuser struct {
	prev               *store.State
	config, input, env any
	defs               map[*ast.Node]string
	subs               map[*ast.Node]*ast.Flow
	// keptIter lists the stored keys of the whole foreach iterations
	// carried into the new state (carried), for the banner.
	keptIter []string
}

func definition(n *ast.Node, flow *ast.Flow) string {
	d := ast.DefinitionHash(n)
	if sub := flow.Subflows[n]; sub != nil {
		d = ast.SubflowHash(d, sub)
	}
	return d
}

// why returns "" when the stored result of n (instance key) may be kept,
// else the reason it runs again.
func (r *reuser) why(n *ast.Node, key string, flow *ast.Flow) string {
	pn := r.prev.Nodes[key]
	switch {
	case pn == nil:
		return "new"
	case pn.Lost != "":
		return pn.Lost
	case pn.Status == "skipped":
		return "skipped"
	case pn.Status != exec.StatusSuccess:
		if pn.Status == exec.StatusPending || pn.Status == store.StatusRunning {
			return "not run"
		}
		return pn.Status
	case pn.Redacted:
		return "redacted"
	case pn.Definition != definition(n, flow):
		return "changed"
	case n.Tag == "checkpoint":
		if o, ok := pn.Output.(*value.Object); ok {
			if a, _ := o.Get("action"); a == "reject" {
				return "rejected"
			}
		}
	}
	// An enclosing foreach's collection must read the same values too.
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Tag == "foreach" && r.readsChanged(p) {
			return "input changed"
		}
	}
	if r.readsChanged(n) {
		return "input changed"
	}
	return ""
}

// readsChanged reports whether a $config, $input or $env value the node
// reads differs from the stored run's.
func (r *reuser) readsChanged(n *ast.Node) bool {
	for kind, keys := range nodeReads(n) {
		var was, now any
		switch kind {
		case expr.RefConfig:
			was, now = r.prev.Config, r.config
		case expr.RefInput:
			was, now = r.prev.Input, r.input
		case expr.RefEnv:
			was, now = r.prev.Env, r.env
		}
		for _, k := range keys {
			if !value.StrictEqual(getKey(was, k), getKey(now, k)) {
				return true
			}
		}
	}
	return false
}

// summary is the resume banner's list: reusable top-level nodes and the
// others with their reasons, as far as can be known before running. It
// counts the iterations carried, so carried runs first.
func (r *reuser) summary(flow *ast.Flow, deps func(*ast.Node) []*ast.Node) (int, []string) {
	ok := map[*ast.Node]bool{}
	reused := 0
	var running []string
	for _, n := range flow.Root.Nodes {
		reason := r.why(n, n.ID, flow)
		if reason == "" {
			for _, d := range deps(n) {
				if !ok[d] {
					reason = "input changed"
					break
				}
			}
		}
		if reason == "" && (n.Spec == nil || !n.Spec.Container) {
			ok[n] = true
			reused++
			continue
		}
		if n.Spec != nil && n.Spec.Container && reason == "" {
			ok[n] = true // decided while running
			continue
		}
		running = append(running, n.ID+": "+reason)
	}
	// Leaves of the whole foreach iterations carried (see carried) count
	// too.
	for _, k := range r.keptIter {
		segs := strings.Split(k, "/")
		if m := flow.ByID[segs[len(segs)-1]]; m != nil && (m.Spec == nil || !m.Spec.Container) && r.prev.Nodes[k].Status == exec.StatusSuccess {
			reused++
		}
	}
	return reused, running
}

func resumeLine(runID string, attempt, reused int, running []string) string {
	line := fmt.Sprintf("resume %s (attempt %d): reusing %d nodes; running %d", runID, attempt, reused, len(running))
	if len(running) > 0 {
		line += " (" + strings.Join(running, ", ") + ")"
	}
	return line
}

// carried returns copies of the stored entries this resume will reuse,
// to start the new attempt's state with, so that a crash before they are
// reused again keeps them for the next resume: the top-level leaves whose
// dependencies are reusable too (in wave order), and the whole iterations
// of top-level foreach nodes that may be reused (see keptIterations).
// Other containers and what depends on them are left out (decided while
// running).
func (r *reuser) carried(waves [][]*ast.Node, deps func(*ast.Node) []*ast.Node, flow *ast.Flow) map[string]*store.NodeState {
	ok := map[*ast.Node]bool{}
	out := map[string]*store.NodeState{}
	var loops []*ast.Node
	for _, w := range waves {
		for _, n := range w {
			if n.Tag == "foreach" {
				loops = append(loops, n)
			}
			if n.Spec != nil && n.Spec.Container || n.Tag == "include" || n.Tag == "call" || r.why(n, n.ID, flow) != "" {
				continue
			}
			all := true
			for _, d := range deps(n) {
				all = all && ok[d]
			}
			if all {
				ok[n] = true
				c := *r.prev.Nodes[n.ID]
				out[n.ID] = &c
			}
		}
	}
	for _, n := range loops {
		for _, k := range r.keptIterations(n, ok, deps, flow) {
			c := *r.prev.Nodes[k]
			out[k] = &c
			r.keptIter = append(r.keptIter, k)
		}
	}
	return out
}

// keptIterations lists the stored keys of the iterations of foreach n
// that may be carried: n's definition and the values it reads are
// unchanged, everything outside n that n or a node inside it depends on
// is carried (ok), and the iteration ended with every node in it
// successful or skipped and unchanged. Such an entry is as good as when it
// was stored; the run still checks it (items through the scope checksum)
// before reusing it. Iterations holding sub-workflows are left out.
func (r *reuser) keptIterations(n *ast.Node, ok map[*ast.Node]bool, deps func(*ast.Node) []*ast.Node, flow *ast.Flow) []string {
	if pn := r.prev.Nodes[n.ID]; pn == nil || pn.Definition != definition(n, flow) || r.readsChanged(n) {
		return nil
	}
	inside := func(d *ast.Node) bool {
		for p := d; p != nil; p = p.Parent {
			if p == n {
				return true
			}
		}
		return false
	}
	outsideOK := true
	var walk func(m *ast.Node)
	walk = func(m *ast.Node) {
		for _, d := range deps(m) {
			outsideOK = outsideOK && (inside(d) || ok[d])
		}
		for _, sc := range m.Scopes {
			for _, c := range sc.Nodes {
				walk(c)
			}
		}
	}
	walk(n)
	if !outsideOK {
		return nil
	}
	iters := map[string][]string{} // "each[3]/" → its keys
	for k := range r.prev.Nodes {
		rest, found := strings.CutPrefix(k, n.ID+"[")
		if j := strings.Index(rest, "]/"); found && j > 0 {
			p := k[:len(n.ID)+1+j+2]
			iters[p] = append(iters[p], k)
		}
	}
	var keys []string
	for _, ks := range iters {
		whole := true
		for _, k := range ks {
			whole = whole && r.keptInIteration(k, flow)
		}
		if whole {
			keys = append(keys, ks...)
		}
	}
	return keys
}

// keptInIteration reports whether the stored entry at key (inside a
// foreach iteration) ended well and its node is unchanged.
func (r *reuser) keptInIteration(key string, flow *ast.Flow) bool {
	segs := strings.Split(key, "/")
	for _, s := range segs[:len(segs)-1] {
		if !strings.HasSuffix(s, "]") {
			return false // inside a sub-workflow
		}
	}
	n := flow.ByID[segs[len(segs)-1]]
	pn := r.prev.Nodes[key]
	switch {
	case n == nil:
		return false
	case pn.Status == "skipped":
		return pn.Definition == "" || pn.Definition == definition(n, flow)
	case n.Spec != nil && n.Spec.Container:
		return pn.Status == exec.StatusSuccess && pn.Definition == definition(n, flow)
	}
	return r.why(n, key, flow) == ""
}

// scopeSum is exec.Options.ScopeSum for a run with a store (nil without):
// the checksum of the parent's sum and the values' compact JSON texts. A
// value holding a secret gets a random sum instead, so no checksum of a
// secret is stored and such a scope is never reused.
func scopeSum(run *store.Run, m *redact.Masker) func(parent uint64, values ...any) uint64 {
	if run == nil {
		return nil
	}
	return func(parent uint64, values ...any) uint64 {
		b := binary.BigEndian.AppendUint64(make([]byte, 0, 64), parent)
		for _, v := range values {
			if _, masked := m.Value(v); masked {
				return rand.Uint64() | 1
			}
			b = append(value.AppendJSON(b, v), '\n')
		}
		return runtimes.Checksum(b) | 1
	}
}
