package parser

import (
	"strings"
	"testing"
)

// parseBody parses a workflow with the given body lines (inside
// <workflow>) and returns its diagnostics, one line each, with their
// hints. Line 6 of the file is the first body line.
func parseBody(t *testing.T, body string) string {
	t.Helper()
	src := "---\nname: x\nversion: 1\n---\n<workflow>\n" + body + "\n</workflow>\n"
	_, diags := ParseFile("w.flow.md", []byte(src))
	var lines []string
	for _, d := range diags {
		lines = append(lines, d.Error())
		for _, h := range d.Hints {
			lines = append(lines, "  hint: "+h)
		}
	}
	return strings.Join(lines, "\n")
}

// TestBreakLoopMustEnclose: <break loop="X"> names an enclosing loop,
// while or foreach (nodes.md §4.6); another loop or a plain node is N311.
func TestBreakLoopMustEnclose(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"another loop", `  <loop id="other" max="2"><transform id="o" type="template" template="o"/></loop>
  <loop id="outer" max="3" result="$iteration">
    <loop id="inner" max="3">
      <transform id="v" type="template" template="{{ $iteration }}"/>
      <break loop="other" when="v == 1"/>
    </loop>
  </loop>`, `w.flow.md:10:20: error[N311]: break target "other" does not enclose this <break>
  hint: enclosing loops, innermost first: inner, outer`},
		{"a plain node", `  <transform id="o" type="template" template="o"/>
  <while id="w" condition="true" max="2">
    <break loop="o"/>
  </while>`, `w.flow.md:8:18: error[N311]: break target "o" is a <transform>, not an enclosing loop, while or foreach
  hint: enclosing loops, innermost first: w`},
		{"an enclosing non-loop container", `  <loop max="2">
    <timeout id="t" duration="1s">
      <break loop="t"/>
    </timeout>
  </loop>`, `w.flow.md:8:20: error[N311]: break target "t" is a <timeout>, not an enclosing loop, while or foreach
  hint: the enclosing loops have no id; give one an id, or leave out "loop" to end the innermost`},
		{"the outer loop", `  <foreach id="outer" collection="[1, 2]">
    <loop id="inner" max="3">
      <break loop="outer"/>
    </loop>
  </foreach>`, ``},
		{"the innermost by default", `  <loop id="l" max="3">
    <break/>
  </loop>`, ``},
		{"outside a loop: only N302", `  <transform id="o" type="template" template="o"/>
  <break loop="o"/>`, `w.flow.md:7:3: error[N302]: <break> is only allowed inside a loop, while or foreach`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseBody(t, tt.body); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestParallelWaitValidated: wait is all, any or n(K) with 1 ≤ K ≤ the
// number of branches (nodes.md §4.8); anything else is N305 at validate
// time instead of running as all or failing at run time.
func TestParallelWaitValidated(t *testing.T) {
	tests := []struct {
		wait, want string
	}{
		{"all", ""},
		{"any", ""},
		{"n(1)", ""},
		{"n(2)", ""},
		{" any ", ""},
		{"foo", `w.flow.md:6:26: error[N305]: "wait": "foo" is not all, any or n(K)
  hint: expected all, any or n(K) with K from 1 to 2`},
		{"n(x)", `w.flow.md:6:26: error[N305]: "wait": "n(x)" is not all, any or n(K)
  hint: expected all, any or n(K) with K from 1 to 2`},
		{"ANY", `w.flow.md:6:26: error[N305]: "wait": "ANY" is not all, any or n(K)
  hint: write "any"`},
		{"N(2)", `w.flow.md:6:26: error[N305]: "wait": "N(2)" is not all, any or n(K)
  hint: write "n(2)"`},
		{"n(5)", `w.flow.md:6:26: error[N305]: "wait": K in "n(5)" must be from 1 to 2, the number of branches`},
		{"n(0)", `w.flow.md:6:26: error[N305]: "wait": K in "n(0)" must be from 1 to 2, the number of branches`},
	}
	for _, tt := range tests {
		t.Run(tt.wait, func(t *testing.T) {
			body := `  <parallel id="p" wait="` + tt.wait + `">
    <branch><transform id="a" type="template" template="a"/></branch>
    <branch><transform id="b" type="template" template="b"/></branch>
  </parallel>`
			if got := parseBody(t, body); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	// With fewer than two branches only the N304 is reported for n(2).
	got := parseBody(t, `  <parallel id="p" wait="n(2)">
    <branch><transform id="a" type="template" template="a"/></branch>
  </parallel>`)
	if want := `w.flow.md:6:3: error[N304]: <parallel> needs at least two <branch> elements`; got != want {
		t.Errorf("one branch: got\n%s\nwant\n%s", got, want)
	}
}

// TestForeachResultSeesItemNames: a foreach's result is evaluated at the
// end of each iteration, so its item and index names (default or custom,
// written before or after result) are in scope (nodes.md §4.7); the
// collection is evaluated before any iteration and does not see them.
func TestForeachResultSeesItemNames(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"default names", `  <foreach id="fe" collection="[10, 20]" result="{v: item, i: index, d: $item}">
    <transform id="t" type="template" template="{{ item }}"/>
  </foreach>`, ``},
		{"custom index written before result", `  <foreach id="fe" collection="[10, 20]" index="k" result="{v: item, k: k}">
    <transform id="t" type="template" template="{{ item }}"/>
  </foreach>`, ``},
		{"custom item written after result", `  <foreach id="fe" result="[n, index]" collection="[1, 2]" item="n">
    <transform id="t" type="template" template="{{ n }}"/>
  </foreach>`, ``},
		{"custom item as a field element", `  <foreach id="fe" collection="[1, 2]" result="n">
    <item>n</item>
    <transform id="t" type="template" template="{{ n }}"/>
  </foreach>`, ``},
		{"nested: the outer names too", `  <foreach id="o" collection="[[1]]" item="row">
    <foreach id="i" collection="row" item="c" result="[row, c, index]">
      <transform id="t" type="template" template="{{ c }}"/>
    </foreach>
  </foreach>`, ``},
		{"a custom name replaces the default", `  <foreach id="fe" collection="[1, 2]" item="n" result="item">
    <transform id="t" type="template" template="{{ n }}"/>
  </foreach>`, `w.flow.md:6:57: error[X402]: unknown name "item"`},
		{"collection does not see them", `  <foreach id="fe" collection="[item]" result="item">
    <transform id="t" type="template" template="{{ item }}"/>
  </foreach>`, `w.flow.md:6:33: error[X402]: unknown name "item"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseBody(t, tt.body)
			// Keep the diagnostics, not their did-you-mean hints.
			var lines []string
			for _, l := range strings.Split(got, "\n") {
				if !strings.HasPrefix(l, "  hint:") && l != "" {
					lines = append(lines, l)
				}
			}
			if got := strings.Join(lines, "\n"); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
