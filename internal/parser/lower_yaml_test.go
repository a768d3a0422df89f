package parser

import (
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

// laughs is a "billion laughs" mapping: nine levels of ten aliases to the
// level below, indented for a value of a <request> key.
func laughs(indent string) string {
	var b strings.Builder
	b.WriteString(indent + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString(indent + "a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" +
			strings.TrimSuffix(strings.Repeat(prev+", ", 10), ", ") + "]\n")
	}
	return b.String()
}

// TestYAMLRecursiveAliasIsN305: a YAML alias inside the node it names, or
// aliases that expand past value.FromYAML's budgets, used to overflow the
// stack (or exhaust memory) of validate. They are N305 at the alias, in
// every form a map/list/any field is written in.
func TestYAMLRecursiveAliasIsN305(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"group block", `  <source id="t" type="http">
    <request>
      url: http://x/
      params: &p
        a: *p
    </request>
  </source>`, `w.flow.md:10:12: error[N305]: invalid value for "params": alias *p refers to itself`},
		{"alias of the whole block", `  <source id="t" type="http">
    <request>
      &r
      url: http://x/
      params: {a: *r}
    </request>
  </source>`, `w.flow.md:10:19: error[N305]: invalid value for "params": alias *r refers to itself`},
		{"attribute flow YAML", `  <source id="t" type="http" url="http://x/" params="{a: &amp;x [1, *x]}"/>`,
			`w.flow.md:6:69: error[N305]: invalid value for "params": alias *x refers to itself`},
		{"field element", `  <source id="t" type="http" url="http://x/">
    <params>
      a: &x
        - *x
    </params>
  </source>`, `w.flow.md:9:11: error[N305]: invalid value for "params": alias *x refers to itself`},
		{"billion laughs", `  <source id="t" type="http">
    <request>
      url: http://x/
      params:
` + laughs("        ") + `    </request>
  </source>`, `w.flow.md:15:53: error[N305]: invalid value for "params": aliases expand to more than 1000000 values or 64 MiB of text`},
		{"merge of a scalar", `  <source id="t" type="http">
    <request>
      url: http://x/
      params:
        <<: 3
    </request>
  </source>`, `w.flow.md:10:13: error[N305]: invalid value for "params": map merge requires map or sequence of maps as the value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseBody(t, tt.body); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestYAMLAliasesAndMergeKeys: aliases that are not recursive are
// expanded, an alias of a scalar is that scalar (it used to read as ""),
// and merge keys are applied as value.FromYAML applies them (keys written
// in the mapping win, then the earlier merged mapping).
func TestYAMLAliasesAndMergeKeys(t *testing.T) {
	src := `---
name: x
version: 1
---
<workflow>
  <source id="t" type="http">
    <request>
      body: &m PUT
      method: *m
      url: http://x/
      headers: &h {X-A: "1", X-B: "2"}
      params:
        <<: [*h, {X-A: "3", c: "{{ $run.id }}"}]
        X-B: own
        list: &l [1, 2]
        again: *l
    </request>
  </source>
</workflow>
`
	flow, diags := ParseFile("w.flow.md", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	n := flow.ByID["t"]
	if f := n.Fields["method"]; f == nil || f.Static != "PUT" {
		t.Errorf("method = %+v, want PUT", f)
	}
	if f := n.Fields["headers"]; f == nil || value.JSON(f.Static) != `{"X-A":"1","X-B":"2"}` {
		t.Errorf("headers = %+v", f)
	}
	p := n.Fields["params"]
	if p == nil || p.Tree == nil || p.IsStatic {
		t.Fatalf("params = %+v, want a tree with a template", p)
	}
	if got := strings.Join(p.Tree.Keys, ","); got != "X-A,c,X-B,list,again" {
		t.Errorf("params keys = %s, want X-A,c,X-B,list,again", got)
	}
	if got := p.Tree.Items[0].Leaf; got != "1" {
		t.Errorf("params X-A = %v, want 1 (the earlier merged mapping wins)", got)
	}
	if got := p.Tree.Items[2].Leaf; got != "own" {
		t.Errorf("params X-B = %v, want own (keys written in the mapping win)", got)
	}
	if again := p.Tree.Items[4]; !again.IsSeq || len(again.Items) != 2 {
		t.Errorf("params again = %+v, want the list [1, 2]", again)
	}
}

// TestYAMLTemplatePositions: a template error inside a YAML value of a
// group block or of an attribute's flow YAML is positioned at the
// template; it used to be reported relative to the start of the field
// value (or of the attribute).
func TestYAMLTemplatePositions(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"group block", `  <source id="t" type="http">
    <request>
      url: http://x/
      params:
        a: 1
        b: "{{ 1 + }}"
    </request>
  </source>`, `w.flow.md:11:19: error[X401]: unexpected end of expression`},
		{"attribute flow YAML", `  <source id="t" type="http" url="http://x/" params="{a: 1, b: '{{ 1 + }}'}"/>`,
			`w.flow.md:6:71: error[X401]: unexpected end of expression`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseBody(t, tt.body); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestDurationMissingUnitHint: a duration without a unit gets a hint that
// is itself a valid duration ("5." used to get "write 5.ms or 5.s"); a
// negative number gets none.
func TestDurationMissingUnitHint(t *testing.T) {
	tests := []struct{ in, want string }{
		{"5.", `w.flow.md:6:27: error[N305]: "duration": missing unit in duration "5."
  hint: write 5ms or 5s`},
		{"1e3", `w.flow.md:6:27: error[N305]: "duration": missing unit in duration "1e3"
  hint: write 1000ms or 1000s`},
		{"300", `w.flow.md:6:27: error[N305]: "duration": missing unit in duration "300"
  hint: write 300ms or 300s`},
		{"-5", `w.flow.md:6:27: error[N305]: "duration": negative duration "-5"`},
		{"5s", ``},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := parseBody(t, `  <delay id="d" duration="`+tt.in+`"/>`)
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
