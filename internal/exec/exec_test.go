package exec_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/load"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/value"
)

// fakeRT stands in for source/exec: it counts executions in flight,
// sleeps, and fails for commands named "fail".
type fakeRT struct {
	inFlight, peak atomic.Int64
	ran            sync.Map // node key -> true
	sleep          time.Duration
	quiet          bool // do not record (benchmarks)
}

func (f *fakeRT) Kind() string { return "source/exec" }

func (f *fakeRT) Run(ctx context.Context, c *runtimes.Call) (any, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if !f.quiet {
		f.ran.Store(c.Node, true)
	}
	cmd := c.Str("command")
	d := f.sleep
	if strings.HasPrefix(cmd, "sleep") {
		d = time.Second
	}
	if d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if cmd == "fail-once-slow-runs" {
		// fails once the node "slow" has started (so that it is cancelled,
		// not left unstarted)
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
			if _, ok := f.ran.Load("slow"); ok {
				break
			}
		}
		cmd = "fail"
	}
	if cmd == "fail" {
		return nil, runtimes.Errorf("R609", true, "exit status 1")
	}
	return cmd, nil
}

func plan(t testing.TB, body string) *dag.Plan {
	t.Helper()
	src := "---\nname: t\nversion: 1\n---\n<workflow>\n" + body + "</workflow>\n"
	_, p, diags := load.Source("t.flow.md", []byte(src))
	if diags.HasErrors() {
		t.Fatalf("invalid test workflow: %v", diags)
	}
	return p
}

func run(t testing.TB, p *dag.Plan, rt runtimes.Runtime, n int) *exec.Report {
	t.Helper()
	reg := runtimes.NewRegistry(rt)
	for _, tr := range runtimes.Transforms() {
		reg.Add(tr)
	}
	rep, err := exec.Run(context.Background(), p, exec.Options{MaxConcurrency: n, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestConcurrencyLimit proves the run-wide limit is never exceeded, also
// inside foreach and parallel bodies, and that it is reached.
func TestConcurrencyLimit(t *testing.T) {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "<source id=\"n%d\" type=\"exec\" command=\"x\"/>\n", i)
	}
	b.WriteString(`<foreach id="fe" collection="range(0, 20)" concurrency="8">
  <source id="inner" type="exec" command="x"/>
</foreach>
<parallel id="par">
  <branch><source id="p1" type="exec" command="x"/></branch>
  <branch><source id="p2" type="exec" command="x"/></branch>
  <branch><source id="p3" type="exec" command="x"/></branch>
</parallel>
`)
	p := plan(t, b.String())
	for _, limit := range []int{1, 3, 8} {
		rt := &fakeRT{sleep: 2 * time.Millisecond}
		rep := run(t, p, rt, limit)
		if rep.Status != exec.RunSuccess {
			t.Fatalf("limit %d: status %s (%v)", limit, rep.Status, rep.Err)
		}
		if got := rt.peak.Load(); got > int64(limit) {
			t.Errorf("limit %d: %d executions in flight", limit, got)
		} else if got != int64(limit) {
			t.Errorf("limit %d: peak %d, the limit was never reached", limit, got)
		}
		if rep.Counts.Success != 40+1+20+1+3 {
			t.Errorf("limit %d: counts %+v", limit, rep.Counts)
		}
	}
}

// TestNestedNoDeadlock: containers never hold a slot, so a limit of 1
// with nested foreach and parallel still finishes.
func TestNestedNoDeadlock(t *testing.T) {
	p := plan(t, `<foreach id="outer" collection="range(0, 3)" concurrency="3">
  <parallel id="par">
    <branch><foreach id="inner" collection="range(0, 2)" concurrency="2"><source id="a" type="exec" command="x"/></foreach></branch>
    <branch><source id="b" type="exec" command="x"/></branch>
  </parallel>
</foreach>
`)
	done := make(chan *exec.Report)
	go func() { done <- run(t, p, &fakeRT{}, 1) }()
	select {
	case rep := <-done:
		if rep.Status != exec.RunSuccess {
			t.Fatalf("status %s: %v", rep.Status, rep.Err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("deadlock: nested containers with one slot did not finish")
	}
}

// TestFailFast: the first failure cancels the running nodes of its wave,
// no later wave starts, and the run error is that failure.
func TestFailFast(t *testing.T) {
	p := plan(t, `<source id="slow" type="exec" command="sleep"/>
<source id="bad" type="exec" command="fail-once-slow-runs"/>
<source id="later" type="exec" input="slow" command="x"/>
`)
	rt := &fakeRT{}
	start := time.Now()
	rep := run(t, p, rt, 4)
	if time.Since(start) > 900*time.Millisecond {
		t.Errorf("the slow node was not cancelled (run took %v)", time.Since(start))
	}
	if rep.Status != exec.RunFailed || rep.Err == nil || rep.Err.Node != "bad" || rep.Err.Code != "R609" {
		t.Fatalf("status %s, error %+v", rep.Status, rep.Err)
	}
	st := map[string]string{}
	for _, in := range rep.Instances {
		st[in.Key] = in.Status
	}
	want := map[string]string{"slow": "cancelled", "bad": "failed", "later": "pending"}
	for k, v := range want {
		if st[k] != v {
			t.Errorf("%s: status %q, want %q", k, st[k], v)
		}
	}
	if _, ran := rt.ran.Load("later"); ran {
		t.Error("a node of a later wave started after the failure")
	}
}

// TestSkipAndContinueOnError covers skip rule 4 and continue-on-error.
func TestSkipAndContinueOnError(t *testing.T) {
	p := plan(t, `<source id="bad" type="exec" command="fail" continue-on-error="true"/>
<source id="dep" type="exec" input="bad" command="x"/>
<source id="either" type="exec" input="bad ?? ok" command="x"/>
<source id="ok" type="exec" command="x"/>
<output expr="{bad: bad.status, err: bad.error.code, dep: dep.status, either: either}"/>
`)
	rep := run(t, p, &fakeRT{}, 2)
	if rep.Status != exec.RunSuccess {
		t.Fatalf("status %s: %+v", rep.Status, rep.Err)
	}
	want := `{"bad":"failed","err":"R609","dep":"skipped","either":"x"}`
	if got := value.JSON(rep.Output); got != want {
		t.Errorf("output %s, want %s", got, want)
	}
}

// TestCancelledRun: cancelling the run's context interrupts it.
func TestCancelledRun(t *testing.T) {
	p := plan(t, `<source id="slow" type="exec" command="sleep"/>`)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	reg := runtimes.NewRegistry(&fakeRT{})
	rep, err := exec.Run(ctx, p, exec.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != exec.RunInterrupted {
		t.Errorf("status %s, want interrupted", rep.Status)
	}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Error("context not done")
	}
}

// BenchmarkRunNoop runs 10,000 no-op nodes through the real executor:
// 100 waves of 100, each node depending on one of the previous wave.
func BenchmarkRunNoop(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var sb strings.Builder
			for i := range n {
				if i >= 100 {
					fmt.Fprintf(&sb, "<source id=\"n%d\" type=\"exec\" input=\"n%d\" command=\"x\"/>\n", i, i-100)
				} else {
					fmt.Fprintf(&sb, "<source id=\"n%d\" type=\"exec\" command=\"x\"/>\n", i)
				}
			}
			p := plan(b, sb.String())
			rt := &fakeRT{quiet: true}
			reg := runtimes.NewRegistry(rt)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				rep, _ := exec.Run(context.Background(), p, exec.Options{MaxConcurrency: 10, Registry: reg})
				if rep.Status != exec.RunSuccess {
					b.Fatal(rep.Status)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/node")
		})
	}
}

// TestEagerScheduler: with eager scheduling a node starts when its own
// dependencies are done, not when its wave is: "c" (needing only the fast
// "a") finishes before the slow "b" of the same first wave.
func TestEagerScheduler(t *testing.T) {
	p := plan(t, `<source id="a" type="exec" command="x"/>
<source id="b" type="exec" command="slowish"/>
<source id="c" type="exec" input="a" command="x"/>
<output expr="[a.status, b.status, c.status]"/>
`)
	order := make(chan string, 4)
	rt := &orderRT{order: order}
	reg := runtimes.NewRegistry(rt)
	rep, err := exec.Run(context.Background(), p, exec.Options{MaxConcurrency: 4, Registry: reg, Scheduler: "eager"})
	if err != nil || rep.Status != exec.RunSuccess {
		t.Fatalf("status %v %v", rep.Status, err)
	}
	close(order)
	var got []string
	for s := range order {
		got = append(got, s)
	}
	if strings.Join(got, ",") != "a,c,b" {
		t.Errorf("completion order %v, want a,c,b", got)
	}
	if value.JSON(rep.Output) != `["success","success","success"]` {
		t.Errorf("output %s", value.JSON(rep.Output))
	}
}

type orderRT struct{ order chan string }

func (o *orderRT) Kind() string { return "source/exec" }
func (o *orderRT) Run(ctx context.Context, c *runtimes.Call) (any, error) {
	if c.Str("command") == "slowish" {
		time.Sleep(200 * time.Millisecond)
	}
	o.order <- c.Node
	return nil, nil
}

// TestReuse: a resumed run keeps stored results of reusable nodes whose
// dependencies were reused, and runs the rest.
func TestReuse(t *testing.T) {
	p := plan(t, `<source id="a" type="exec" command="x"/>
<source id="b" type="exec" input="a" command="x"/>
<source id="c" type="exec" input="b" command="x"/>
<output expr="[a, b, c]"/>
`)
	rt := &fakeRT{}
	reg := runtimes.NewRegistry(rt)
	stored := map[string]any{"a": "A-old", "b": "B-old", "c": "C-old"}
	reuse := func(n *ast.Node, key string, _ uint64) (any, int, bool) {
		if key == "b" {
			return nil, 0, false // b changed: it and its dependents run again
		}
		v, ok := stored[key]
		return v, 1, ok
	}
	rep, err := exec.Run(context.Background(), p, exec.Options{Registry: reg, Reuse: reuse})
	if err != nil || rep.Status != exec.RunSuccess {
		t.Fatalf("%v %v", rep.Status, err)
	}
	if got := value.JSON(rep.Output); got != `["A-old","x","x"]` {
		t.Errorf("output %s", got)
	}
	if _, ran := rt.ran.Load("a"); ran {
		t.Error("the reused node ran")
	}
	if _, ran := rt.ran.Load("c"); !ran {
		t.Error("a dependent of a re-run node was reused")
	}
}

// TestReuseScope: instances inside foreach iterations get the scope sum
// of their item, and a resume reuses a stored result only for the same
// scope (the same item at that index).
func TestReuseScope(t *testing.T) {
	body := `<source id="src" type="exec" command="x"/>
<foreach id="each" collection="ITEMS">
  <transform id="show" type="template" input="src" template="{{ item }}!"/>
</foreach>
<output expr="each"/>
`
	reg := runtimes.NewRegistry(&fakeRT{quiet: true})
	for _, tr := range runtimes.Transforms() {
		reg.Add(tr)
	}
	sum := func(parent uint64, vals ...any) uint64 {
		h := fnv.New64a()
		fmt.Fprint(h, parent)
		for _, v := range vals {
			h.Write([]byte(value.JSON(v)))
		}
		return h.Sum64()
	}
	run := func(items []any, reuse func(*ast.Node, string, uint64) (any, int, bool)) *exec.Report {
		t.Helper()
		src := strings.Replace(body, "ITEMS", strings.ReplaceAll(value.JSON(items), `"`, "'"), 1)
		rep, err := exec.Run(context.Background(), plan(t, src), exec.Options{Registry: reg, ScopeSum: sum, Reuse: reuse})
		if err != nil || rep.Status != exec.RunSuccess {
			t.Fatalf("%v %v", rep.Status, err)
		}
		return rep
	}
	first := run([]any{"x", "y", "x"}, nil)
	stored := map[string]*exec.Instance{}
	for _, in := range first.Instances {
		stored[in.Key] = in
	}
	if stored["src"].Scope != 0 || stored["each"].Scope != 0 {
		t.Errorf("top-level scopes %d %d", stored["src"].Scope, stored["each"].Scope)
	}
	s0, s1, s2 := stored["each[0]/show"].Scope, stored["each[1]/show"].Scope, stored["each[2]/show"].Scope
	if s0 == 0 || s0 != s2 || s0 == s1 {
		t.Errorf("iteration scopes %x %x %x", s0, s1, s2)
	}
	var reused []string
	second := run([]any{"x", "z", "x"}, func(n *ast.Node, key string, scope uint64) (any, int, bool) {
		in := stored[key]
		if in == nil || in.Scope != scope {
			return nil, 0, false
		}
		reused = append(reused, key)
		return in.Output, 1, true
	})
	sort.Strings(reused)
	if got := strings.Join(reused, " "); got != "each[0]/show each[2]/show src" {
		t.Errorf("reused %s", got)
	}
	if got := value.JSON(second.Output); got != `["x!","z!","x!"]` {
		t.Errorf("output %s", got)
	}
}

// BenchmarkForeach: a foreach over 100,000 items with a small map body at
// concurrency 8 (target: under 20 µs of overhead per iteration).
func BenchmarkForeach(b *testing.B) {
	p := plan(b, `<source id="items" type="exec" command="x"/>
<foreach id="each" collection="range(0, 100000)" concurrency="8">
  <transform id="double" type="template" template="{{ item * 2 }}"/>
</foreach>
<output expr="length(each)"/>
`)
	reg := runtimes.NewRegistry(&fakeRT{quiet: true})
	for _, tr := range runtimes.Transforms() {
		reg.Add(tr)
	}
	b.ReportAllocs()
	for range b.N {
		rep, err := exec.Run(context.Background(), p, exec.Options{MaxConcurrency: 8, Registry: reg})
		if err != nil || rep.Status != exec.RunSuccess || rep.Output != 100000.0 {
			b.Fatalf("%v %v %v", rep.Status, err, rep.Output)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100000), "ns/iteration")
}

// TestWaveStartsInDocumentOrder: nodes of a wave launched before its first
// failure count as started (cancelled when stopped), whatever order their
// goroutines run in; none is left "not run".
func TestWaveStartsInDocumentOrder(t *testing.T) {
	p := plan(t, `<source id="s1" type="exec" command="sleep"/>
<source id="s2" type="exec" command="sleep"/>
<source id="s3" type="exec" command="sleep"/>
<source id="s4" type="exec" command="sleep"/>
<source id="bad" type="exec" command="fail"/>
`)
	for range 20 {
		rep := run(t, p, &fakeRT{}, 10)
		for _, in := range rep.Instances {
			if in.Key != "bad" && in.Status != exec.StatusCancelled {
				t.Fatalf("%s: status %q, want cancelled", in.Key, in.Status)
			}
		}
	}
}
