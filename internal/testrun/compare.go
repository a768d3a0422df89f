package testrun

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// maxShown is the most characters of each side shown in a failure line.
const maxShown = 200

// compare checks a case's expectations against the run report.
func compare(c *Case, flow *ast.Flow, rep *exec.Report) []Failure {
	var out []Failure
	if rep.Status != c.expectStatus {
		f := Failure{Text: fmt.Sprintf("expect_status: got %s, want %s", show(rep.Status), show(c.expectStatus))}
		if rep.Err != nil {
			f.Detail = append(f.Detail, "run error: "+runError(rep.Err))
		}
		out = append(out, f)
	}
	if x := c.expectError; x != nil {
		out = append(out, checkError("expect_error", x, rep.Err, flow)...)
	}
	if c.hasOutput && !equal(rep.Output, c.expectOutput) {
		out = append(out, mismatch("expect_output", rep.Output, c.expectOutput))
	}
	for _, x := range c.expect {
		out = append(out, x.check(rep)...)
	}
	return out
}

// runError is the one-line form of a run error.
func runError(e *exec.NodeError) string {
	if e.Node != "" {
		return fmt.Sprintf("[%s] node %q failed: %s", e.Code, e.Node, e.Message)
	}
	return fmt.Sprintf("[%s] %s", e.Code, e.Message)
}

// checkError compares an error with an error expectation.
func checkError(what string, x *errorExpect, e *exec.NodeError, flow *ast.Flow) []Failure {
	if e == nil {
		want := value.NewObject(3)
		if x.isSub {
			return []Failure{{Text: fmt.Sprintf("%s: got no error, want a message containing %s", what, show(x.sub))}}
		}
		for _, kv := range [][2]string{{"code", x.code}, {"node", x.node}, {"message", x.message}} {
			if kv[1] != "" {
				want.Set(kv[0], kv[1])
			}
		}
		return []Failure{{Text: fmt.Sprintf("%s: got no error, want %s", what, show(want))}}
	}
	var out []Failure
	if x.isSub {
		if !strings.Contains(e.Message, x.sub) {
			out = append(out, Failure{Text: fmt.Sprintf("%s: got %s, want a message containing %s", what, show(e.Message), show(x.sub))})
		}
		return out
	}
	if x.code != "" && e.Code != x.code {
		f := Failure{Text: fmt.Sprintf("%s.code: got %s, want %s", what, show(e.Code), show(x.code))}
		f.Detail = []string{"error: " + runError(e)}
		out = append(out, f)
	}
	if x.node != "" && e.Node != x.node && (e.NodeRef == nil || e.NodeRef.ID != x.node || inSub(flow, e.Node)) {
		out = append(out, Failure{Text: fmt.Sprintf("%s.node: got %s, want %s", what, show(nullable(e.Node)), show(x.node))})
	}
	if x.message != "" && !strings.Contains(e.Message, x.message) {
		out = append(out, Failure{Text: fmt.Sprintf("%s.message: got %s, want a message containing %s", what, show(e.Message), show(x.message))})
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

func (x *expectation) check(rep *exec.Report) []Failure {
	p := "expect." + x.key
	in := x.instance(rep)
	if in == nil {
		return []Failure{{Text: p + ": the node did not run (no instance)"}}
	}
	var out []Failure
	if x.status != "" && in.Status != x.status {
		f := Failure{Text: fmt.Sprintf("%s.status: got %s, want %s", p, show(in.Status), show(x.status))}
		if in.Err != nil {
			f.Detail = []string{"error: " + runError(in.Err)}
		}
		out = append(out, f)
	}
	if x.hasOutput && !equal(in.Output, x.output) {
		f := mismatch(p+".output", in.Output, x.output)
		if in.Err != nil {
			f.Detail = append(f.Detail, "error: "+runError(in.Err))
		}
		out = append(out, f)
	}
	if x.matches != nil {
		ok, err := x.matches.Match(&expr.Env{Globals: &expr.Globals{}}, normalize(in.Output))
		if err != nil || !ok {
			f := Failure{Text: fmt.Sprintf("%s.output_matches: got %s, want a value matching %s", p, show(in.Output), x.matchesSrc)}
			if err != nil {
				f.Detail = []string{"error: " + err.Error()}
			}
			out = append(out, f)
		}
	}
	if x.hasInput {
		var got any
		if in.HasInput {
			got = in.Input
		}
		if !equal(got, x.input) {
			out = append(out, mismatch(p+".input", got, x.input))
		}
	}
	for _, fe := range x.fields {
		got := in.Fields[fe.canon]
		if !equal(got, fe.want) {
			out = append(out, mismatch(p+".fields."+fe.name, got, fe.want))
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
		out = append(out, checkError(p+".error", x.err, in.Err, nil)...)
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

// show is the compact JSON of v cut to maxShown characters.
func show(v any) string { return cut(value.JSON(normalize(v))) }

func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	r := []rune(s)
	return string(r[:maxShown-1]) + "…"
}

// mismatch is the failure of an equality; arrays and objects get a diff
// of their indented JSON.
func mismatch(what string, got, want any) Failure {
	got, want = normalize(got), normalize(want)
	f := Failure{Text: fmt.Sprintf("%s: got %s, want %s", what, show(got), show(want))}
	if isComposite(got) && isComposite(want) {
		aligned := align(got, want)
		f.Detail = jsonDiff(value.IndentJSON(want, "  "), value.IndentJSON(aligned, "  "))
	}
	return f
}

func isComposite(v any) bool {
	switch v.(type) {
	case []any, *value.Object:
		return true
	}
	return false
}

// align orders got's object keys like want's (keys want lacks last), so
// the diff shows only real differences.
func align(got, want any) any {
	switch g := got.(type) {
	case *value.Object:
		w, ok := want.(*value.Object)
		if !ok {
			return got
		}
		o := value.NewObject(g.Len())
		for _, k := range w.Keys() {
			if gv, ok := g.Get(k); ok {
				wv, _ := w.Get(k)
				o.Set(k, align(gv, wv))
			}
		}
		for _, k := range g.Keys() {
			if !o.Has(k) {
				gv, _ := g.Get(k)
				o.Set(k, gv)
			}
		}
		return o
	case []any:
		w, _ := want.([]any)
		out := make([]any, len(g))
		for i, it := range g {
			if i < len(w) {
				out[i] = align(it, w[i])
			} else {
				out[i] = it
			}
		}
		return out
	}
	return got
}

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// jsonDiff is a unified-style line diff from want to got: "--- want",
// "+++ got", then changed lines with "-" or "+" and up to three unchanged
// lines around them; " …" marks skipped lines. Nil when too large.
func jsonDiff(want, got string) []string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	if len(a)*len(b) > 1<<20 {
		return nil
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte
		line string
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i++
			j++
		case j < len(b) && (i == len(a) || lcs[i][j+1] > lcs[i+1][j]):
			ops = append(ops, op{'+', b[j]})
			j++
		default:
			ops = append(ops, op{'-', a[i]})
			i++
		}
	}
	show := make([]bool, len(ops))
	for k, o := range ops {
		if o.kind != ' ' {
			for m := max(0, k-diffContext); m <= min(len(ops)-1, k+diffContext); m++ {
				show[m] = true
			}
		}
	}
	// A lone hidden line is shown rather than replaced by " …".
	for k := range show {
		if !show[k] && (k == 0 || show[k-1]) && (k == len(show)-1 || show[k+1]) {
			show[k] = true
		}
	}
	out := []string{"--- want", "+++ got"}
	skipped := false
	for k, o := range ops {
		if !show[k] {
			skipped = true
			continue
		}
		if skipped {
			out = append(out, " …")
		}
		skipped = false
		out = append(out, string(o.kind)+o.line)
	}
	if skipped {
		out = append(out, " …")
	}
	return out
}
