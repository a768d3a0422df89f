package expr

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/flowscript/flowscript/internal/value"
)

// exprGen generates expressions of the JS-like subset where FlowScript and
// JavaScript agree: typed so that + never mixes a string with an array or
// object, === only compares scalars, and no null reaches +.
type exprGen struct{ r *rand.Rand }

func (g *exprGen) num(d int) string {
	if d <= 0 || g.r.IntN(4) == 0 {
		switch g.r.IntN(4) {
		case 0:
			return fmt.Sprint(g.r.IntN(20))
		case 1:
			return fmt.Sprintf("%d.%d", g.r.IntN(10), g.r.IntN(100))
		case 2:
			return fmt.Sprintf("[%s, %s][%d]", g.num(0), g.num(0), g.r.IntN(2))
		default:
			return fmt.Sprintf("{a: %s, b: %s}.%s", g.num(0), g.str(0), "a")
		}
	}
	switch g.r.IntN(8) {
	case 0:
		return "(- " + g.num(d-1) + ")"
	case 1:
		return fmt.Sprintf("(%s ? %s : %s)", g.boolean(d-1), g.num(d-1), g.num(d-1))
	case 2:
		return fmt.Sprintf("%s.length", g.arr(d-1))
	case 3:
		return fmt.Sprintf("%s.length", g.str(d-1))
	}
	op := []string{"+", "-", "*", "/", "%"}[g.r.IntN(5)]
	return fmt.Sprintf("(%s %s %s)", g.num(d-1), op, g.num(d-1))
}

func (g *exprGen) str(d int) string {
	if d <= 0 || g.r.IntN(3) == 0 {
		return []string{`"a"`, `'b c'`, `""`, `"0"`, `"x\ty"`, `"é"`}[g.r.IntN(6)]
	}
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("(%s + %s)", g.str(d-1), g.num(d-1))
	case 1:
		return fmt.Sprintf("(%s + %s)", g.num(d-1), g.str(d-1))
	case 2:
		return fmt.Sprintf("(%s ? %s : %s)", g.boolean(d-1), g.str(d-1), g.str(d-1))
	}
	return fmt.Sprintf("(%s + %s)", g.str(d-1), g.str(d-1))
}

func (g *exprGen) boolean(d int) string {
	if d <= 0 || g.r.IntN(4) == 0 {
		return []string{"true", "false"}[g.r.IntN(2)]
	}
	switch g.r.IntN(7) {
	case 0:
		return "!" + g.any(d-1)
	case 1:
		op := []string{"<", "<=", ">", ">="}[g.r.IntN(4)]
		return fmt.Sprintf("(%s %s %s)", g.num(d-1), op, g.num(d-1))
	case 2:
		op := []string{"<", ">="}[g.r.IntN(2)]
		return fmt.Sprintf("(%s %s %s)", g.str(d-1), op, g.str(d-1))
	case 3:
		op := []string{"===", "!=="}[g.r.IntN(2)]
		return fmt.Sprintf("(%s %s %s)", g.scalar(d-1), op, g.scalar(d-1))
	case 4:
		return fmt.Sprintf("(%s && %s)", g.boolean(d-1), g.boolean(d-1))
	}
	return fmt.Sprintf("(%s || %s)", g.boolean(d-1), g.boolean(d-1))
}

func (g *exprGen) scalar(d int) string {
	switch g.r.IntN(4) {
	case 0:
		return g.num(d)
	case 1:
		return g.str(d)
	case 2:
		return "null"
	}
	return g.boolean(d)
}

func (g *exprGen) arr(d int) string {
	n := g.r.IntN(4)
	var items []string
	for i := 0; i < n; i++ {
		items = append(items, g.any(d-1))
	}
	return "[" + strings.Join(items, ", ") + "]"
}

func (g *exprGen) obj(d int) string {
	n := g.r.IntN(3)
	var items []string
	for i := 0; i < n; i++ {
		items = append(items, fmt.Sprintf("k%d: %s", i, g.any(d-1)))
	}
	return "{" + strings.Join(items, ", ") + "}"
}

func (g *exprGen) any(d int) string {
	switch g.r.IntN(7) {
	case 0:
		return g.num(d)
	case 1:
		return g.str(d)
	case 2:
		return g.boolean(d)
	case 3:
		if d > 0 {
			return g.arr(d)
		}
	case 4:
		if d > 0 {
			return g.obj(d)
		}
	case 5:
		return fmt.Sprintf("(%s || %s)", g.scalar(d-1), g.any(d-1))
	}
	return fmt.Sprintf("(%s && %s)", g.scalar(d-1), g.any(d-1))
}

func TestDifferentialGoja(t *testing.T) {
	g := &exprGen{r: rand.New(rand.NewPCG(1, 2))}
	vm := goja.New()
	compared, skipped := 0, 0
	for i := 0; i < 4000; i++ {
		src := g.any(4)
		p, errs := Compile(src, nil, &Names{})
		if errs != nil {
			t.Fatalf("%s: %v", src, errs[0])
		}
		got, err := p.Eval(&Env{})
		if err != nil {
			skipped++ // division by zero and other R602 cases JavaScript accepts
			continue
		}
		res, jerr := vm.RunString("JSON.stringify((" + src + "))")
		if jerr != nil {
			t.Fatalf("goja: %s: %v", src, jerr)
		}
		want := res.String()
		if want == "undefined" || strings.Contains(want, "null") && !strings.Contains(src, "null") {
			skipped++ // NaN, Infinity
			continue
		}
		if g := value.JSON(got); g != want {
			t.Errorf("%s\n flowscript %s\n javascript %s", src, g, want)
		}
		compared++
	}
	if compared < 2000 {
		t.Errorf("only %d expressions compared (%d skipped)", compared, skipped)
	}
	t.Logf("compared %d expressions, skipped %d", compared, skipped)
}
