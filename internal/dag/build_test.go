package dag

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/source"
)

// wavesOf renders a graph's waves as "[a e] [b c] [d]".
func wavesOf(g *Graph) string {
	var parts []string
	for _, w := range g.Waves {
		ids := make([]string, len(w))
		for i, n := range w {
			ids[i] = n.ID
		}
		parts = append(parts, "["+strings.Join(ids, " ")+"]")
	}
	return strings.Join(parts, " ")
}

// depsOf renders every node's dependencies as "b:a c:a d:b,c" (nodes
// without dependencies left out), in document order.
func depsOf(p *Plan) string {
	var parts []string
	for _, n := range p.Flow.Nodes {
		if len(p.Deps[n.Index]) == 0 {
			continue
		}
		ids := make([]string, len(p.Deps[n.Index]))
		for i, d := range p.Deps[n.Index] {
			ids[i] = d.ID
		}
		parts = append(parts, n.ID+":"+strings.Join(ids, ","))
	}
	return strings.Join(parts, " ")
}

func diagLines(l source.List) string {
	var parts []string
	for _, d := range l {
		parts = append(parts, d.Error())
	}
	return strings.Join(parts, "\n")
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name  string
		build func(b *fb)
		waves string // root waves
		deps  string // all dependencies
		inner string // waves of the first inner scope, if any
		diags string // one-line diagnostics, sorted
	}{
		{
			name: "execution.md §4 example",
			build: func(b *fb) {
				b.leaf("source/file", "a", "path=a.json")
				b.leaf("transform/template", "b", "template={{ a.x }}")
				b.leaf("transform/template", "c", "input=a", "template={{ input.y }}")
				b.leaf("transform/template", "d", "template={{ b }}-{{ c }}")
				b.leaf("source/exec", "e", "command=date")
			},
			waves: "[a e] [b c] [d]",
			deps:  "b:a c:a d:b,c",
		},
		{
			name: "string literal is not a reference",
			build: func(b *fb) {
				b.leaf("source/file", "a", "path=a.json")
				b.leaf("transform/template", "b", `template={{ 'see a.txt' }}`)
			},
			waves: "[a b]",
		},
		{
			name: "phases are barriers",
			build: func(b *fb) {
				b.phase("gather")
				b.leaf("source/file", "orders", "path=o.json")
				b.leaf("source/file", "users", "path=u.json")
				b.end()
				b.leaf("source/exec", "free", "command=date")
				b.phase("count")
				b.leaf("transform/template", "n", "template={{ length(gather.orders) }}")
				b.leaf("transform/template", "m", "template=x")
				b.end()
			},
			waves: "[orders users free] [n m]",
			deps:  "n:orders,users m:orders,users",
		},
		{
			name: "reference to a phase is every node in it",
			build: func(b *fb) {
				b.phase("gather")
				b.leaf("source/file", "orders", "path=o.json")
				b.leaf("source/file", "users", "path=u.json")
				b.end()
				b.leaf("transform/template", "all", "template={{ gather }}")
			},
			waves: "[orders users] [all]",
			deps:  "all:orders,users",
		},
		{
			name: "nested phases are barriers among siblings",
			build: func(b *fb) {
				b.phase("outer")
				b.phase("p1")
				b.leaf("source/exec", "x", "command=date")
				b.end()
				b.phase("p2")
				b.leaf("source/exec", "y", "command=date")
				b.end()
				b.end()
			},
			waves: "[x] [y]",
			deps:  "y:x",
		},
		{
			name: "reading into an if arm waits for the whole if",
			build: func(b *fb) {
				b.leaf("source/file", "src", "path=a.json")
				b.open("if", "gate", "condition=src.ok")
				b.arm("then")
				b.leaf("source/exec", "first", "command=date")
				b.leaf("transform/template", "inner", "template={{ src }}{{ first }}")
				b.end()
				b.end()
				b.leaf("transform/template", "after", "template={{ inner }}")
			},
			waves: "[src] [gate] [after]",
			deps:  "gate:src inner:first after:gate",
			inner: "[first] [inner]",
		},
		{
			name: "a parallel branch reading a top-level node makes the parallel wait",
			build: func(b *fb) {
				b.leaf("source/file", "cfg", "path=a.json")
				b.open("parallel", "both")
				b.arm("branch")
				b.leaf("transform/template", "a", "template={{ cfg }}")
				b.end()
				b.arm("branch")
				b.leaf("transform/template", "b2", "template=y")
				b.end()
				b.end()
			},
			waves: "[cfg] [both]",
			deps:  "both:cfg",
			inner: "[a]",
		},
		{
			name: "variables in a loop (nodes.md §4.4)",
			build: func(b *fb) {
				b.leaf("set", "", "var=n", "expr=1")
				b.open("loop", "double", "max=10", "break=n >= 100")
				b.leaf("set", "", "var=n", "expr=n * 2")
				b.end()
				b.leaf("transform/template", "t", "template={{ n }}")
			},
			waves: "[set#1] [double] [t]",
			deps:  "double:set#1 t:set#1,double",
			inner: "[set#2]",
		},
		{
			name: "a read before the body's writer sees the previous iteration",
			build: func(b *fb) {
				b.leaf("set", "", "var=n", "expr=0")
				b.open("loop", "l")
				b.leaf("transform/template", "r", "template={{ n }}")
				b.leaf("set", "", "var=n", "expr=1")
				b.end()
			},
			waves: "[set#1] [l]",
			deps:  "l:set#1 set#2:r",
			inner: "[r] [set#2]",
		},
		{
			name: "foreach sets are iteration-local",
			build: func(b *fb) {
				b.leaf("set", "", "var=x", "expr=0")
				b.open("foreach", "f", "collection=[1, 2]")
				b.leaf("set", "", "var=x", "expr=item")
				b.leaf("transform/template", "t2", "template={{ x }}")
				b.end()
				b.leaf("transform/template", "r", "template={{ x }}")
			},
			waves: "[set#1] [f r]",
			deps:  "f:set#1 t2:set#2 r:set#1",
			inner: "[set#2] [t2]",
		},
		{
			name: "writes wait for earlier reads",
			build: func(b *fb) {
				b.leaf("set", "", "var=v", "expr=1")
				b.leaf("transform/template", "r1", "template={{ $vars.v }}")
				b.leaf("set", "", "var=v", "expr=2")
				b.leaf("transform/template", "r2", "template={{ v }}")
			},
			waves: "[set#1] [r1] [set#2] [r2]",
			deps:  "r1:set#1 set#2:set#1,r1 r2:set#1,set#2",
		},
		{
			name: "G503 read before any set",
			build: func(b *fb) {
				b.leaf("transform/template", "early", "template={{ v }}")
				b.leaf("set", "", "var=v", "expr=1")
			},
			waves: "[early] [set#1]",
			deps:  "set#1:early",
			diags: `w.flow.md:6:38: error[G503]: variable "v" is read before it is set`,
		},
		{
			// $vars is available everywhere (expressions.md §5): read whole it
			// depends on every earlier writer and every later writer waits for
			// it (execution.md §2.2); without an earlier writer it is no G503.
			name: "whole $vars read is a read of every variable",
			build: func(b *fb) {
				b.leaf("transform/template", "t0", "template={{ $vars }}")
				b.leaf("set", "", "var=a", "expr=1")
				b.leaf("transform/template", "t", "template={{ $vars }}")
				b.leaf("set", "", "var=b", "expr=2")
				b.leaf("transform/template", "k", "template={{ $vars['b'] }} {{ $vars[t] }}")
			},
			waves: "[t0] [set#1] [t] [set#2] [k]",
			deps:  "set#1:t0 t:set#1 set#2:t0,t k:set#1,t,set#2",
		},
		{
			name: "whole $vars read inside a loop body",
			build: func(b *fb) {
				b.leaf("set", "", "var=n", "expr=0")
				b.open("loop", "l", "result=$vars")
				b.leaf("transform/template", "r", "template={{ $vars }}")
				b.leaf("set", "", "var=n", "expr=1")
				b.end()
			},
			waves: "[set#1] [l]",
			deps:  "l:set#1 set#2:r",
			inner: "[r] [set#2]",
		},
		{
			name: "N311 whole $vars read across parallel branches",
			build: func(b *fb) {
				b.open("parallel", "p")
				b.arm("branch")
				b.leaf("set", "", "var=a", "expr=1")
				b.end()
				b.arm("branch")
				b.leaf("transform/template", "t", "template={{ $vars }}")
				b.end()
				b.end()
			},
			waves: "[p]",
			inner: "[set#1]",
			diags: `w.flow.md:11:38: error[N311]: variable "a" is shared across branches of parallel "p"`,
		},
		{
			name: "loop break may read a variable its body writes",
			build: func(b *fb) {
				b.open("loop", "l", "break=n > 3")
				b.leaf("set", "", "var=n", "expr=1")
				b.end()
			},
			waves: "[l]",
			inner: "[set#1]",
		},
		{
			name: "context readers depend on the context",
			build: func(b *fb) {
				b.leaf("transform/template", "t", "template={{ $context.region }}")
				b.open("context", "defaults")
				b.sub("set", "key=region", "value=eu")
				b.end()
			},
			waves: "[defaults] [t]",
			deps:  "t:defaults",
		},
		{
			name: "goto target depends on the goto's container",
			build: func(b *fb) {
				b.open("if", "gate", "condition=$config.deploy")
				b.arm("then")
				b.leaf("goto", "", "node=deploy")
				b.end()
				b.end()
				b.leaf("sink/exec", "deploy", "command=./deploy.sh")
			},
			waves: "[gate] [deploy]",
			deps:  "deploy:gate",
			inner: "[goto#1]",
		},
		{
			name: "checkpoint actions activate goto targets",
			build: func(b *fb) {
				b.open("checkpoint", "review", "prompt=ok?")
				b.sub("action", "id=ship", "goto=publish")
				b.end()
				b.leaf("sink/exec", "publish", "command=true")
			},
			waves: "[review] [publish]",
			deps:  "publish:review",
		},
		{
			name: "invokers wait for their handler's dependencies",
			build: func(b *fb) {
				b.leaf("source/file", "cfg", "path=c.json")
				b.leaf("source/http", "rates", "url=https://x", "fallback=cached")
				b.leaf("source/file", "cached", "path={{ cfg.path }}")
				b.leaf("transform/template", "use", "template={{ cached }}")
			},
			waves: "[cfg] [rates] [use]",
			deps:  "rates:cfg cached:cfg use:rates",
		},
		{
			name: "nodes after a break depend on it",
			build: func(b *fb) {
				b.open("loop", "refine", "max=5")
				b.leaf("transform/template", "critic", "template=x")
				b.leaf("break", "", "when=critic.score >= 8")
				b.leaf("transform/template", "revise", "template={{ critic.score }}")
				b.end()
			},
			waves: "[refine]",
			deps:  "break#1:critic revise:critic,break#1",
			inner: "[critic] [break#1] [revise]",
		},
		{
			name: "on-workflow-error reads main nodes without edges",
			build: func(b *fb) {
				b.leaf("source/file", "a", "path=a.json")
				b.onError()
				b.leaf("sink/http", "alert", "url=https://x", "body={{ a }}")
				b.end()
			},
			waves: "[a]",
		},
		{
			name: "N311 main node reading on-workflow-error",
			build: func(b *fb) {
				b.leaf("transform/template", "a", "template={{ alert }}")
				b.onError()
				b.leaf("sink/http", "alert", "url=https://x")
				b.end()
			},
			waves: "[a]",
			diags: `w.flow.md:6:34: error[N311]: cannot refer to "alert" in on-workflow-error`,
		},
		{
			name: "N311 foreach body from outside",
			build: func(b *fb) {
				b.open("foreach", "costs", "collection=[1]")
				b.leaf("transform/template", "line", "template=x")
				b.end()
				b.leaf("transform/template", "t", "template={{ line }}")
			},
			waves: "[costs t]",
			diags: `w.flow.md:9:34: error[N311]: cannot refer to "line" inside foreach "costs"`,
		},
		{
			name: "N311 other arm of an if",
			build: func(b *fb) {
				b.open("if", "size", "condition=true")
				b.arm("then")
				b.leaf("transform/template", "many", "template={{ few }}")
				b.end()
				b.arm("else")
				b.leaf("transform/template", "few", "template=one")
				b.end()
				b.end()
			},
			waves: "[size]",
			inner: "[many]",
			diags: `w.flow.md:8:41: error[N311]: cannot refer to "few" in another arm of if "size"`,
		},
		{
			name: "N311 other branch of a parallel",
			build: func(b *fb) {
				b.open("parallel", "both")
				b.arm("branch")
				b.leaf("transform/template", "a", "template=x")
				b.end()
				b.arm("branch")
				b.leaf("transform/template", "b", "template={{ a }}")
				b.end()
				b.end()
			},
			waves: "[both]",
			inner: "[a]",
			diags: `w.flow.md:11:38: error[N311]: cannot refer to "a" in another branch of parallel "both"`,
		},
		{
			name: "N311 variable shared across parallel branches",
			build: func(b *fb) {
				b.leaf("set", "", "var=v", "expr=0")
				b.open("parallel", "both")
				b.arm("branch")
				b.leaf("set", "", "var=v", "expr=1")
				b.end()
				b.arm("branch")
				b.leaf("transform/template", "b", "template={{ v }}")
				b.end()
				b.end()
			},
			waves: "[set#1] [both]",
			deps:  "both:set#1",
			inner: "[set#2]",
			diags: `w.flow.md:12:38: error[N311]: variable "v" is shared across branches of parallel "both"`,
		},
		{
			name: "N311 reference to an enclosing container",
			build: func(b *fb) {
				b.open("loop", "l")
				b.leaf("transform/template", "t", "template={{ l }}")
				b.end()
			},
			waves: "[l]",
			inner: "[t]",
			diags: `w.flow.md:7:36: error[N311]: cannot refer to "l" from inside it`,
		},
		{
			name: "container fields and their own body",
			build: func(b *fb) {
				b.open("while", "poll", "condition=body1 != null")
				b.leaf("transform/template", "body1", "template=x")
				b.end()
				b.open("foreach", "f", "collection=[body2]")
				b.leaf("transform/template", "body2", "template=x")
				b.end()
			},
			waves: "[poll f]",
			inner: "[body1]",
			diags: `w.flow.md:9:32: error[N311]: field "collection" of "f" cannot refer to "body2" inside it`,
		},
		{
			name: "N311 goto backwards",
			build: func(b *fb) {
				b.leaf("source/exec", "x", "command=date")
				b.leaf("goto", "", "node=x")
			},
			waves: "[x goto#1]",
			diags: `w.flow.md:7:15: error[N311]: goto target "x" comes before the goto`,
		},
		{
			name: "N311 goto into a loop",
			build: func(b *fb) {
				b.leaf("goto", "", "node=x")
				b.open("loop", "l")
				b.leaf("source/exec", "x", "command=date")
				b.end()
			},
			waves: "[goto#1 l]",
			inner: "[x]",
			diags: `w.flow.md:6:15: error[N311]: goto target "x" is inside loop "l", which does not contain the goto`,
		},
		{
			name: "N311 handler inside a loop without its invoker",
			build: func(b *fb) {
				b.leaf("source/http", "rates", "url=https://x", "fallback=h")
				b.open("loop", "l")
				b.leaf("source/file", "h", "path=x")
				b.end()
			},
			waves: "[rates l]",
			diags: `w.flow.md:6:48: error[N311]: handler "h" is inside loop "l", which does not contain its invoker "rates"`,
		},
		{
			name: "self reference is a cycle",
			build: func(b *fb) {
				b.leaf("transform/template", "a", "template={{ a }}")
			},
			waves: "[a]",
			diags: `w.flow.md:6:3: error[G501]: dependency cycle: a -> a`,
		},
		{
			name: "three-node cycle",
			build: func(b *fb) {
				b.leaf("source/exec", "z", "command=date")
				b.leaf("transform/template", "a", "template={{ c }}")
				b.leaf("transform/template", "b", "template={{ a }}")
				b.leaf("transform/template", "c", "template={{ b }}{{ z }}")
			},
			waves: "[z]",
			deps:  "a:c b:a c:z,b",
			diags: `w.flow.md:7:3: error[G501]: dependency cycle: a -> c -> b -> a`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newFB(t, "w")
			tc.build(b)
			p, diags := Build(b.done())
			if got := wavesOf(p.Root); got != tc.waves {
				t.Errorf("root waves = %s, want %s", got, tc.waves)
			}
			if got := depsOf(p); got != tc.deps {
				t.Errorf("deps = %q, want %q", got, tc.deps)
			}
			if tc.inner != "" {
				if got := wavesOf(p.Graphs[1]); got != tc.inner {
					t.Errorf("inner waves = %s, want %s", got, tc.inner)
				}
			}
			if got := diagLines(diags); got != tc.diags {
				t.Errorf("diagnostics:\n%s\nwant:\n%s\nsource:\n%s", got, tc.diags, p.Flow.File.Src)
			}
		})
	}
}

// TestCycleText checks the exact G501 rendering of format.md §9: the
// whole path and one note per edge.
func TestCycleText(t *testing.T) {
	b := newFB(t, "build")
	b.leaf("transform/template", "a", "input=b", "template=x")
	b.leaf("transform/template", "b", "input=a", "template=y")
	_, diags := Build(b.done())
	var out bytes.Buffer
	source.Printer{}.Print(&out, diags)
	want := `build.flow.md:6:3: error[G501]: dependency cycle: a -> b -> a
  |
6 |   <transform id="a" input="b" template="x"/>
  |   ^^^^^^^^^^
  = build.flow.md:6:28: "a" uses "b"
  = build.flow.md:7:28: "b" uses "a"
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestCycleThroughContainer checks that a cycle through lifted edges names
// the same-scope nodes in its path and the raw references in its notes.
func TestCycleThroughContainer(t *testing.T) {
	b := newFB(t, "w")
	b.open("if", "gate", "condition=true")
	b.arm("then")
	b.leaf("transform/template", "inner", "template={{ after }}")
	b.end()
	b.end()
	b.leaf("transform/template", "after", "template={{ inner }}")
	_, diags := Build(b.done())
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %q", diagLines(diags))
	}
	d := diags[0]
	if d.Message != "dependency cycle: gate -> after -> gate" {
		t.Errorf("message = %q", d.Message)
	}
	want := []string{`w.flow.md:8:42: "inner" uses "after"`, `w.flow.md:11:38: "after" uses "inner"`}
	if strings.Join(d.Notes, "|") != strings.Join(want, "|") {
		t.Errorf("notes = %q, want %q", d.Notes, want)
	}
}

func TestInputRefsAndDependents(t *testing.T) {
	b := newFB(t, "w")
	b.leaf("source/file", "a", "path=a.json")
	b.leaf("source/file", "b2", "path=b.json")
	b.leaf("transform/template", "c", "input=a ?? b2", "template={{ b2 }}")
	b.leaf("transform/template", "d", "template={{ a }}")
	p, diags := Build(b.done())
	if len(diags) != 0 {
		t.Fatal(diagLines(diags))
	}
	fl := p.Flow
	c := fl.ByID["c"]
	if got := ids(p.InputRefs[c.Index]); got != "a b2" {
		t.Errorf("input refs of c = %q", got)
	}
	if got := ids(p.InputRefs[fl.ByID["d"].Index]); got != "" {
		t.Errorf("input refs of d = %q, want none", got)
	}
	// Dependents of a (position 0): c (2) and d (3).
	if got := p.Root.Dependents[p.Pos[fl.ByID["a"].Index]]; len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("dependents of a = %v", got)
	}
	if p.ScopeGraph(fl.Root) != p.Root {
		t.Error("ScopeGraph(root) is not Root")
	}
	if w := p.Wave[c.Index]; w != 2 {
		t.Errorf("wave of c = %d", w)
	}
}

func ids(ns []*ast.Node) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = n.ID
	}
	return strings.Join(s, " ")
}
