package dag

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/parser"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/value"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func parseTestdata(t *testing.T, name string) *Plan {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	flow, diags := parser.ParseFile(name, src)
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	p, diags := Build(flow)
	if len(diags) > 0 {
		t.Fatalf("build: %v", diags)
	}
	return p
}

// TestGolden renders the README example and the cli.md §3.1 container
// example in the four plan formats. The text, Mermaid and DOT goldens of
// paid-orders and the text golden of triage are the spec's text.
func TestGolden(t *testing.T) {
	opts := RenderOptions{Scheduler: "waves", MaxConcurrency: 10}
	for _, name := range []string{"paid-orders", "triage"} {
		t.Run(name, func(t *testing.T) {
			p := parseTestdata(t, name+".flow.md")
			o := opts
			o.File = name + ".flow.md"
			var text, mmd, dot bytes.Buffer
			p.WriteText(&text, o)
			p.WriteMermaid(&mmd, o)
			p.WriteDOT(&dot, o)
			golden(t, name+".txt.golden", text.String())
			golden(t, name+".json.golden", value.IndentJSON(p.JSON(o), "  ")+"\n")
			golden(t, name+".mmd.golden", mmd.String())
			golden(t, name+".dot.golden", dot.String())
		})
	}
}

// TestContainerFragments checks the container forms quoted in cli.md §3.3.
func TestContainerFragments(t *testing.T) {
	p := parseTestdata(t, "triage.flow.md")
	var mmd, dot bytes.Buffer
	p.WriteMermaid(&mmd, RenderOptions{})
	p.WriteDOT(&dot, RenderOptions{})
	for _, want := range []string{`n2{{"route<br/>branch"}}`, `subgraph s1 ["route: match 1"]`, "n2 -.-> n3"} {
		if !strings.Contains(mmd.String(), want) {
			t.Errorf("mermaid lacks %q:\n%s", want, mmd.String())
		}
	}
	for _, want := range []string{`n2 [label="route\nbranch", shape=hexagon];`,
		`subgraph cluster_s1 { label="route: match 1"; n3; }`, "n2 -> n3 [style=dashed];"} {
		if !strings.Contains(dot.String(), want) {
			t.Errorf("dot lacks %q:\n%s", want, dot.String())
		}
	}
}

// TestJSONShape checks the keys and values of §3.2 on the README example.
func TestJSONShape(t *testing.T) {
	p := parseTestdata(t, "paid-orders.flow.md")
	got := value.JSON(p.JSON(RenderOptions{Scheduler: "waves", MaxConcurrency: 10, File: "paid-orders.flow.md"}))
	for _, want := range []string{
		`{"workflow":{"name":"paid-orders","version":"1.0.0","file":"paid-orders.flow.md"},"scheduler":"waves","max_concurrency":10,`,
		`"waves":[["orders"],["paid"],["report","output#1"],["save"]],`,
		`"nodes":[{"id":"orders","kind":"source/file","line":14,"col":3,"wave":1,"needs":[],"phase":null,"tags":[],"scopes":[]},`,
		`{"id":"paid","kind":"transform/filter","line":16,"col":3,"wave":2,"needs":["orders"],"phase":null,"tags":[],"scopes":[]},`,
		`"handlers":[],"on_workflow_error":null}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("JSON lacks %s\n%s", want, got)
		}
	}
}

// TestRenderTagsAndHandlers covers phases, goto targets, handlers and
// on-workflow-error in the text form, and escaping in Mermaid and DOT.
func TestRenderTagsAndHandlers(t *testing.T) {
	b := newFB(t, `we"ird`)
	b.phase("gather")
	b.leaf("source/http", "rates", "url=https://x", "fallback=cached")
	b.end()
	b.open("if", "gate", "condition=true")
	b.arm("then")
	b.leaf("goto", "", "node=deploy")
	b.end()
	b.end()
	b.leaf("sink/exec", "deploy", "command=x")
	b.leaf("source/file", "cached", "path=x")
	b.onError()
	b.leaf("sink/http", "alert", "url=https://x")
	b.end()
	p, diags := Build(b.done())
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	var text, mmd, dot bytes.Buffer
	o := RenderOptions{Scheduler: "eager", MaxConcurrency: 2}
	p.WriteText(&text, o)
	wantText := `plan we"ird 1: 6 nodes, 2 waves, scheduler eager, max concurrency 2

wave 1
  rates   source/http  7:5  [phase gather]
  gate    if           9:3
    then
      wave 1
        goto#1  goto  11:7
wave 2
  deploy  sink/exec    14:3  needs gate  [goto target]
handlers
  cached  source/file  15:3
on-workflow-error
  wave 1
    alert  sink/http  17:5
`
	if text.String() != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), wantText)
	}
	p.WriteMermaid(&mmd, o)
	wantMmd := `flowchart TD
  subgraph p1 ["phase gather"]
    n1["rates<br/>source/http"]
  end
  n2{{"gate<br/>if"}}
  subgraph s1 ["gate: then"]
    n3["goto#35;1<br/>goto"]
  end
  n4["deploy<br/>sink/exec"]
  n5["cached<br/>source/file"]
  subgraph s2 ["on-workflow-error"]
    n6["alert<br/>sink/http"]
  end
  n2 -.-> n3
  n2 --> n4
`
	if mmd.String() != wantMmd {
		t.Errorf("mermaid:\n%s\nwant:\n%s", mmd.String(), wantMmd)
	}
	p.WriteDOT(&dot, o)
	wantDot := `digraph "we\"ird" {
  node [shape=box];
  n1 [label="rates\nsource/http"];
  n2 [label="gate\nif", shape=hexagon];
  n3 [label="goto#1\ngoto"];
  n4 [label="deploy\nsink/exec"];
  n5 [label="cached\nsource/file"];
  n6 [label="alert\nsink/http"];
  subgraph cluster_p1 { label="phase gather"; n1; }
  subgraph cluster_s1 { label="gate: then"; n3; }
  subgraph cluster_s2 { label="on-workflow-error"; n6; }
  n2 -> n3 [style=dashed];
  n2 -> n4;
}
`
	if dot.String() != wantDot {
		t.Errorf("dot:\n%s\nwant:\n%s", dot.String(), wantDot)
	}
}

// TestSpecCycle is the G501 example of format.md §9, parsed.
func TestSpecCycle(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "build.flow.md"))
	if err != nil {
		t.Fatal(err)
	}
	flow, diags := parser.ParseFile("build.flow.md", src)
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	_, diags = Build(flow)
	var out bytes.Buffer
	source.Printer{}.Print(&out, diags)
	want := `build.flow.md:9:3: error[G501]: dependency cycle: a -> b -> a
  |
9 |   <transform id="a" type="template" input="b">
  |   ^^^^^^^^^^
  = build.flow.md:9:44: "a" uses "b"
  = build.flow.md:12:44: "b" uses "a"
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestIncludeRendering nests the sub-workflow's plan under its include
// node and makes a reference to the include wait for it.
func TestIncludeRendering(t *testing.T) {
	sb := newFB(t, "users")
	sb.leaf("source/http", "fetch", "url=https://x")
	sb.leaf("transform/template", "normalize", "template={{ fetch }}")
	sub := sb.done()

	b := newFB(t, "main")
	inc := b.leaf("include", "users", "workflow=lib/fetch-users.flow.md")
	b.leaf("transform/template", "names", "template={{ users }}")
	flow := b.done()
	flow.Subflows[inc] = sub
	p, diags := Build(flow)
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	var text bytes.Buffer
	p.WriteText(&text, RenderOptions{Scheduler: "waves", MaxConcurrency: 10})
	want := `plan main 1: 2 nodes, 2 waves, scheduler waves, max concurrency 10

wave 1
  users  include             6:3
    workflow lib/fetch-users.flow.md
      wave 1
        fetch      source/http         6:3
      wave 2
        normalize  transform/template  7:3  needs fetch
wave 2
  names  transform/template  7:3  needs users
`
	if text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}
	if p.Includes[inc.Index] == nil || p.Includes[inc.Index].Flow != sub {
		t.Error("Includes does not hold the sub-workflow's plan")
	}
}
