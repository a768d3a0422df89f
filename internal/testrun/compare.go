package testrun

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/redact"
	"github.com/flowscript/flowscript/internal/value"
)

// maxShown is the most characters of each side shown in a failure line.
const maxShown = 200

// compare checks a case's expectations against the run report: one
// failure line per failed expectation (spec/cli.md §6.4), each value shown
// through m.
func compare(c *Case, flow *ast.Flow, rep *exec.Report, m *redact.Masker) []Failure {
	var out []Failure
	if rep.Status != c.expectStatus {
		out = append(out, Failure{Text: fmt.Sprintf("expect_status: got %s, want %s", show(m, rep.Status), show(m, c.expectStatus))})
	}
	if x := c.expectError; x != nil {
		out = append(out, checkError(m, "expect_error", x, rep.Err, flow)...)
	}
	if c.hasOutput && !equal(rep.Output, c.expectOutput) {
		out = append(out, mismatch(m, "expect_output", rep.Output, c.expectOutput))
	}
	for _, x := range c.expect {
		out = append(out, x.check(rep, m)...)
	}
	return out
}

// checkError compares an error with an error expectation.
func checkError(m *redact.Masker, what string, x *errorExpect, e *exec.NodeError, flow *ast.Flow) []Failure {
	if e == nil {
		want := value.NewObject(3)
		if x.isSub {
			return []Failure{{Text: fmt.Sprintf("%s: got no error, want a message containing %s", what, show(m, x.sub))}}
		}
		for _, kv := range [][2]string{{"code", x.code}, {"node", x.node}, {"message", x.message}} {
			if kv[1] != "" {
				want.Set(kv[0], kv[1])
			}
		}
		return []Failure{{Text: fmt.Sprintf("%s: got no error, want %s", what, show(m, want))}}
	}
	var out []Failure
	if x.isSub {
		if !strings.Contains(e.Message, x.sub) {
			out = append(out, Failure{Text: fmt.Sprintf("%s: got %s, want a message containing %s", what, show(m, e.Message), show(m, x.sub))})
		}
		return out
	}
	if x.code != "" && e.Code != x.code {
		out = append(out, Failure{Text: fmt.Sprintf("%s.code: got %s, want %s", what, show(m, e.Code), show(m, x.code))})
	}
	if x.node != "" && e.Node != x.node && (e.NodeRef == nil || e.NodeRef.ID != x.node || inSub(flow, e.Node)) {
		out = append(out, Failure{Text: fmt.Sprintf("%s.node: got %s, want %s", what, show(m, nullable(e.Node)), show(m, x.node))})
	}
	if x.message != "" && !strings.Contains(e.Message, x.message) {
		out = append(out, Failure{Text: fmt.Sprintf("%s.message: got %s, want a message containing %s", what, show(m, e.Message), show(m, x.message))})
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// instance finds the instance an expectation names: the exact instance
// key, else (for an id) the node's last instance.
func (x *expectation) instance(rep *exec.Report) *exec.Instance {
	for _, in := range rep.Instances {
		if in.Key == x.key && in.Node == x.node {
			return in
		}
	}
	if strings.ContainsAny(x.key, "/[") {
		return nil
	}
	var last *exec.Instance
	for _, in := range rep.Instances {
		if in.Node == x.node {
			last = in
		}
	}
	return last
}

func (x *expectation) check(rep *exec.Report, m *redact.Masker) []Failure {
	p := "expect." + x.key
	in := x.instance(rep)
	if in == nil {
		return []Failure{{Text: p + ": the node did not run (no instance)"}}
	}
	var out []Failure
	if x.status != "" && in.Status != x.status {
		out = append(out, Failure{Text: fmt.Sprintf("%s.status: got %s, want %s", p, show(m, in.Status), show(m, x.status))})
	}
	if x.hasOutput && !equal(in.Output, x.output) {
		out = append(out, mismatch(m, p+".output", in.Output, x.output))
	}
	if x.matches != nil {
		ok, err := x.matches.Match(&expr.Env{Globals: &expr.Globals{}}, normalize(in.Output))
		if err != nil || !ok {
			out = append(out, Failure{Text: fmt.Sprintf("%s.output_matches: got %s, want a value matching %s", p, show(m, in.Output), x.matchesSrc)})
		}
	}
	if x.hasInput {
		var got any
		if in.HasInput {
			got = in.Input
		}
		if !equal(got, x.input) {
			out = append(out, mismatch(m, p+".input", got, x.input))
		}
	}
	for _, fe := range x.fields {
		got := in.Fields[fe.canon]
		if !equal(got, fe.want) {
			out = append(out, mismatch(m, p+".fields."+fe.name, got, fe.want))
		}
	}
	if x.hasAtt && in.Attempts != x.attempts {
		out = append(out, Failure{Text: fmt.Sprintf("%s.attempts: got %d, want %d", p, in.Attempts, x.attempts)})
	}
	if x.hasRuns {
		runs := 0
		for _, i := range rep.Instances {
			if i.Node == x.node && i.Attempts > 0 {
				runs++
			}
		}
		if runs != x.runs {
			out = append(out, Failure{Text: fmt.Sprintf("%s.runs: got %d, want %d", p, runs, x.runs)})
		}
	}
	if x.err != nil {
		out = append(out, checkError(m, p+".error", x.err, in.Err, nil)...)
	}
	return out
}

// equal is deep equality: numbers by value, object key order ignored.
func equal(got, want any) bool {
	return value.StrictEqual(normalize(got), normalize(want))
}

// normalize turns Go values that may appear in rendered fields into
// values: ints into numbers, Stringers (rates) into text, Go maps and
// slices into objects and arrays.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, bool, float64, string:
		return v
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = normalize(it)
		}
		return out
	case *value.Object:
		o := value.NewObject(x.Len())
		for _, k := range x.Keys() {
			it, _ := x.Get(k)
			o.Set(k, normalize(it))
		}
		return o
	case []string, map[string]any:
		return normalize(value.FromGo(x))
	case fmt.Stringer:
		return x.String()
	}
	return v
}

// show is the compact JSON of v with the secrets of m masked, cut to
// maxShown characters. Masking comes before the cut, so a secret that
// crosses the cut is not left half shown.
func show(m *redact.Masker, v any) string {
	v, _ = m.Value(normalize(v))
	return cut(m.String(value.JSON(v)))
}

func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	r := []rune(s)
	return string(r[:maxShown-1]) + "…"
}

// mismatch is the failure of an equality: one line with both sides.
func mismatch(m *redact.Masker, what string, got, want any) Failure {
	return Failure{Text: fmt.Sprintf("%s: got %s, want %s", what, show(m, got), show(m, want))}
}
