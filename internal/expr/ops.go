package expr

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/value"
)

func formatNum(f float64) string { return value.FormatNumber(f) }

func runeCount(s string) int { return utf8.RuneCountInString(s) }

// toNumber converts like to_number: numbers as-is; strings holding trimmed
// JSON-number text (a leading + allowed); booleans 1/0; else not ok.
func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		s := strings.TrimSpace(x)
		s = strings.TrimPrefix(s, "+")
		if !isJSONNumber(s) {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// isJSONNumber reports whether s is JSON number text.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

// looseEqual is == of §4: === except that a number and a string compare
// numerically when the string converts.
func looseEqual(a, b any) bool {
	switch x := a.(type) {
	case float64:
		if s, ok := b.(string); ok {
			f, ok := toNumber(s)
			return ok && f == x
		}
	case string:
		if y, ok := b.(float64); ok {
			f, ok := toNumber(x)
			return ok && f == y
		}
	}
	return value.StrictEqual(a, b)
}

// typeName is value.TypeName that knows Function.
func typeName(v any) string { return value.TypeName(v) }

func (c *compiler) compileUnary(n *unaryNode) evalFn {
	xf := c.compile(n.x)
	r := c.at(n)
	op := n.op
	return func(e *Env) (any, error) {
		x, err := xf(e)
		if err != nil {
			return nil, err
		}
		e.ctx.steps++
		if e.ctx.steps > MaxSteps {
			return nil, r.wrap(stepErr())
		}
		switch op {
		case "!":
			return !value.Truthy(x), nil
		case "typeof":
			return typeName(x), nil
		}
		f, ok := x.(float64)
		if !ok {
			return nil, r.errorf("unary %s needs a number, got %s", op, typeName(x))
		}
		if op == "-" {
			return -f, nil
		}
		return f, nil
	}
}

func (c *compiler) compileBinary(n *binaryNode) evalFn {
	lf, rf := c.compile(n.l), c.compile(n.r)
	r := c.at(n)
	switch n.op {
	case "&&":
		return func(e *Env) (any, error) {
			l, err := lf(e)
			if err != nil || !value.Truthy(l) {
				return l, err
			}
			return rf(e)
		}
	case "||":
		return func(e *Env) (any, error) {
			l, err := lf(e)
			if err != nil || value.Truthy(l) {
				return l, err
			}
			return rf(e)
		}
	case "??":
		return func(e *Env) (any, error) {
			l, err := lf(e)
			if err != nil || l != nil {
				return l, err
			}
			return rf(e)
		}
	}
	if f := c.compareConst(n, lf, r); f != nil {
		return f
	}
	op := binOps[n.op]
	return func(e *Env) (any, error) {
		l, err := lf(e)
		if err != nil {
			return nil, err
		}
		rv, err := rf(e)
		if err != nil {
			return nil, err
		}
		e.ctx.steps++
		if e.ctx.steps > MaxSteps {
			return nil, r.wrap(stepErr())
		}
		return op(e, l, rv, r)
	}
}

type binOp func(e *Env, l, r any, at *rtErr) (any, error)

var binOps map[string]binOp

func init() {
	binOps = map[string]binOp{
		"===": func(_ *Env, l, r any, _ *rtErr) (any, error) { return value.StrictEqual(l, r), nil },
		"!==": func(_ *Env, l, r any, _ *rtErr) (any, error) { return !value.StrictEqual(l, r), nil },
		"==":  func(_ *Env, l, r any, _ *rtErr) (any, error) { return looseEqual(l, r), nil },
		"!=":  func(_ *Env, l, r any, _ *rtErr) (any, error) { return !looseEqual(l, r), nil },
		"<":   relOp(func(c int) bool { return c < 0 }),
		"<=":  relOp(func(c int) bool { return c <= 0 }),
		">":   relOp(func(c int) bool { return c > 0 }),
		">=":  relOp(func(c int) bool { return c >= 0 }),
		"+":   addOp,
		"-":   arithOp("-", func(a, b float64) float64 { return a - b }),
		"*":   arithOp("*", func(a, b float64) float64 { return a * b }),
		"/":   arithOp("/", func(a, b float64) float64 { return a / b }),
		"%":   arithOp("%", math.Mod),
		"IN":  inOp,
	}
}

// compare orders two numbers or two strings; ok is false for other mixes.
func compare(l, r any) (c int, ok bool) {
	switch a := l.(type) {
	case float64:
		if b, ok := r.(float64); ok {
			switch {
			case a < b:
				return -1, true
			case a > b:
				return 1, true
			}
			return 0, true
		}
	case string:
		if b, ok := r.(string); ok {
			return strings.Compare(a, b), true
		}
	}
	return 0, false
}

func relOp(test func(int) bool) binOp {
	return func(_ *Env, l, r any, at *rtErr) (any, error) {
		if a, ok := l.(float64); ok {
			if b, ok := r.(float64); ok {
				switch {
				case a < b:
					return test(-1), nil
				case a > b:
					return test(1), nil
				}
				return test(0), nil
			}
		}
		if l == nil || r == nil {
			return false, nil
		}
		c, ok := compare(l, r)
		if !ok {
			return nil, at.errorf("cannot compare %s with %s", typeName(l), typeName(r))
		}
		return test(c), nil
	}
}

func addOp(e *Env, l, r any, at *rtErr) (any, error) {
	if a, ok := l.(float64); ok {
		if b, ok := r.(float64); ok {
			return finite(e, a+b, "+", at)
		}
	}
	_, ls := l.(string)
	_, rs := r.(string)
	if ls || rs {
		if _, ok := l.(*Function); ok {
			return nil, at.errorf("cannot add function and %s", typeName(r))
		}
		if _, ok := r.(*Function); ok {
			return nil, at.errorf("cannot add %s and function", typeName(l))
		}
		s := value.Render(l) + value.Render(r)
		if err := e.ctx.CheckString(s); err != nil {
			return nil, at.wrap(err)
		}
		return s, nil
	}
	_, la := l.([]any)
	_, ra := r.([]any)
	if la && ra {
		return nil, at.errorf("cannot add array and array (use concat)")
	}
	return nil, at.errorf("cannot add %s and %s", typeName(l), typeName(r))
}

func finite(e *Env, f float64, op string, at *rtErr) (any, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, at.errorf("result of %q is not a finite number", op)
	}
	if err := e.ctx.Alloc(16); err != nil {
		return nil, at.wrap(err)
	}
	return boxNum(f), nil
}

// smallNums holds boxed small integers so common arithmetic results do not
// allocate.
var smallNums = func() []any {
	out := make([]any, 1024)
	for i := range out {
		out[i] = float64(i)
	}
	return out
}()

func boxNum(f float64) any {
	if f >= 0 && f < float64(len(smallNums)) {
		if i := int(f); float64(i) == f {
			return smallNums[i]
		}
	}
	return f
}

// compareConst specialises a relational operator whose right side is a
// number literal (item.score > 50), the common hot path.
func (c *compiler) compareConst(n *binaryNode, lf evalFn, r *rtErr) evalFn {
	lit, ok := n.r.(*litNode)
	if !ok {
		return nil
	}
	k, ok := lit.val.(float64)
	if !ok {
		return nil
	}
	switch n.op {
	case "<", "<=", ">", ">=":
	default:
		return nil
	}
	op := n.op
	slow := binOps[op]
	return func(e *Env) (any, error) {
		l, err := lf(e)
		if err != nil {
			return nil, err
		}
		e.ctx.steps++
		if e.ctx.steps > MaxSteps {
			return nil, r.wrap(stepErr())
		}
		if a, ok := l.(float64); ok {
			switch op {
			case ">":
				return a > k, nil
			case "<":
				return a < k, nil
			case ">=":
				return a >= k, nil
			}
			return a <= k, nil
		}
		return slow(e, l, k, r)
	}
}

func arithOp(op string, f func(a, b float64) float64) binOp {
	return func(e *Env, l, r any, at *rtErr) (any, error) {
		a, ok1 := l.(float64)
		b, ok2 := r.(float64)
		if !ok1 || !ok2 {
			return nil, at.errorf("operator %q needs numbers, got %s and %s", op, typeName(l), typeName(r))
		}
		if (op == "/" || op == "%") && b == 0 {
			return nil, at.errorf("division by zero")
		}
		return finite(e, f(a, b), op, at)
	}
}

func inOp(e *Env, l, r any, at *rtErr) (any, error) {
	switch rv := r.(type) {
	case []any:
		if err := e.ctx.Step(len(rv)); err != nil {
			return nil, at.wrap(err)
		}
		for _, it := range rv {
			if value.StrictEqual(l, it) {
				return true, nil
			}
		}
		return false, nil
	case *value.Object:
		if k, ok := l.(string); ok {
			return rv.Has(k), nil
		}
	case string:
		if s, ok := l.(string); ok {
			return strings.Contains(rv, s), nil
		}
	}
	return nil, at.errorf("cannot test %s IN %s", typeName(l), typeName(r))
}
