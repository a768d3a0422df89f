package builtin

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// newFunc builds a function entry; max < 0 means variadic.
func newFunc(name string, min, max int, call func(c *expr.Ctx, args []any) (any, error)) *expr.Func {
	return &expr.Func{Name: name, Min: min, Max: max, Call: call}
}

// typeErr is the standard wrong-type error: "upper: expected string, got number".
func typeErr(name, want string, got any) error {
	return fmt.Errorf("%s: expected %s, got %s", name, want, value.TypeName(got))
}

// argErr is an error about an argument's value (never quoting the value).
func argErr(name, format string, a ...any) error {
	return fmt.Errorf("%s: %s", name, fmt.Sprintf(format, a...))
}

// opt returns args[i], or def when the argument was not given.
func opt(args []any, i int, def any) any {
	if i < len(args) {
		return args[i]
	}
	return def
}

// strArg returns argument i, which must be a string.
func strArg(name string, args []any, i int) (string, error) {
	s, ok := args[i].(string)
	if !ok {
		return "", typeErr(name, "string", args[i])
	}
	return s, nil
}

// strOpt returns argument i as a string, def when absent; null is an error.
func strOpt(name string, args []any, i int, def string) (string, error) {
	if i >= len(args) {
		return def, nil
	}
	return strArg(name, args, i)
}

// strNull returns argument i as a string where null reads as "".
func strNull(name string, args []any, i int) (string, error) {
	if args[i] == nil {
		return "", nil
	}
	return strArg(name, args, i)
}

// numArg returns argument i, which must be a number.
func numArg(name string, args []any, i int) (float64, error) {
	f, ok := args[i].(float64)
	if !ok {
		return 0, typeErr(name, "number", args[i])
	}
	return f, nil
}

// numOpt returns argument i as a number, def when absent.
func numOpt(name string, args []any, i int, def float64) (float64, error) {
	if i >= len(args) {
		return def, nil
	}
	return numArg(name, args, i)
}

// toInt truncates f toward zero, clamped to ±2^53 so that it fits an int.
func toInt(f float64) int {
	const lim = 1 << 53
	switch {
	case f > lim:
		return lim
	case f < -lim:
		return -lim
	}
	return int(f)
}

// intArg returns argument i, which must be an integer-valued number.
func intArg(name, what string, args []any, i int) (int, error) {
	f, err := numArg(name, args, i)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) {
		return 0, argErr(name, "%s must be an integer", what)
	}
	return toInt(f), nil
}

// arrArg returns argument i, which must be an array.
func arrArg(name string, args []any, i int) ([]any, error) {
	a, ok := args[i].([]any)
	if !ok {
		return nil, typeErr(name, "array", args[i])
	}
	return a, nil
}

// objArg returns argument i, which must be an object.
func objArg(name string, args []any, i int) (*value.Object, error) {
	o, ok := args[i].(*value.Object)
	if !ok {
		return nil, typeErr(name, "object", args[i])
	}
	return o, nil
}

// isFunc reports whether v is a function value (of the expression core).
func isFunc(v any) bool { return value.TypeName(v) == "function" }

// notValue is the error of a function that would put a function argument
// inside its result: functions exist only as arguments (§4).
func notValue(name string) error {
	return argErr(name, "a function is not a value")
}

// fnArg returns argument i, which must be a function.
func fnArg(name string, args []any, i int) (any, error) {
	if !isFunc(args[i]) {
		return nil, typeErr(name, "function", args[i])
	}
	return args[i], nil
}

// testInvoke, set only by this package's tests, calls function values in
// place of the context, so that the functions taking arrow functions can be
// tested without the expression core.
var testInvoke func(fn any, args []any) (any, error)

// call invokes fn; a context that cannot call functions gives an error
// wrapping expr.ErrNotFunction.
func call(c *expr.Ctx, name string, fn any, args ...any) (any, error) {
	var v any
	var err error
	if testInvoke != nil {
		v, err = testInvoke(fn, args)
	} else {
		v, err = c.Call(fn, args...)
	}
	if errors.Is(err, expr.ErrNotFunction) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return v, err
}

// render renders v as in templates; a function cannot be rendered.
func render(name string, v any) (string, error) {
	if isFunc(v) {
		return "", argErr(name, "cannot render a function")
	}
	return value.Render(v), nil
}

// allocItems charges memory for n created array items or object entries.
func allocItems(c *expr.Ctx, n int) error { return c.Alloc(16 * n) }

// newArray charges for and returns a fresh array of capacity n.
func newArray(c *expr.Ctx, n int) ([]any, error) {
	if err := allocItems(c, n); err != nil {
		return nil, err
	}
	return make([]any, 0, n), nil
}

// reserveString checks, before building it, that a string of n bytes fits
// the string and memory budgets.
func reserveString(c *expr.Ctx, n int) error {
	if n > expr.MaxStringBytes {
		return &expr.BudgetError{Message: "expression budget exceeded: string longer than 16 MiB"}
	}
	return c.Alloc(n)
}

// newString charges for a created string and returns it.
func newString(c *expr.Ctx, s string) (any, error) {
	if err := c.CheckString(s); err != nil {
		return nil, err
	}
	return s, nil
}

// number returns f as a value: a non-finite result is an error and -0 is 0.
func number(name string, f float64) (any, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, argErr(name, "result is not a finite number")
	}
	if f == 0 {
		return 0.0, nil
	}
	return f, nil
}

// parsePath reads a path argument: a dot string ("a.b.0") or an array of
// keys and indexes (["a.b", 0]). Segments are strings or float64 indexes.
//
//	path = "" | segment { "." segment }
//
// The empty string is the empty path (the value itself).
func parsePath(name string, p any) ([]any, error) {
	switch x := p.(type) {
	case string:
		if x == "" {
			return nil, nil
		}
		parts := strings.Split(x, ".")
		segs := make([]any, len(parts))
		for i, s := range parts {
			segs[i] = s
		}
		return segs, nil
	case float64:
		return []any{x}, nil
	case []any:
		for _, s := range x {
			switch s.(type) {
			case string, float64:
			default:
				return nil, argErr(name, "path items must be strings or numbers, got %s", value.TypeName(s))
			}
		}
		return x, nil
	}
	return nil, typeErr(name, "path (string or array)", p)
}

// segKey is a segment as an object key.
func segKey(seg any) string {
	if f, ok := seg.(float64); ok {
		return value.FormatNumber(f)
	}
	return seg.(string)
}

// segIndex is a segment as an array index: a non-negative integer number or
// decimal digits.
func segIndex(seg any) (int, bool) {
	switch x := seg.(type) {
	case float64:
		if x >= 0 && x == math.Trunc(x) && x < 1<<53 {
			return int(x), true
		}
	case string:
		if x == "" || len(x) > 15 {
			return 0, false
		}
		for i := 0; i < len(x); i++ {
			if x[i] < '0' || x[i] > '9' {
				return 0, false
			}
		}
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

// child returns the member seg of v and whether it exists.
func child(v any, seg any) (any, bool) {
	switch x := v.(type) {
	case *value.Object:
		return x.Get(segKey(seg))
	case []any:
		if i, ok := segIndex(seg); ok && i < len(x) {
			return x[i], true
		}
	}
	return nil, false
}

// lookup follows segs from v; it reports false when a level is missing.
func lookup(v any, segs []any) (any, bool) {
	for _, s := range segs {
		var ok bool
		if v, ok = child(v, s); !ok {
			return nil, false
		}
	}
	return v, true
}

// keyFunc prepares a sort/group key: null (the item itself), a path or a
// function called with (item, index).
func keyFunc(c *expr.Ctx, name string, key any) (func(item any, index int) (any, error), error) {
	switch k := key.(type) {
	case nil:
		return func(item any, _ int) (any, error) { return item, nil }, nil
	case string, []any:
		segs, err := parsePath(name, k)
		if err != nil {
			return nil, err
		}
		return func(item any, _ int) (any, error) {
			v, _ := lookup(item, segs)
			return v, nil
		}, nil
	}
	if isFunc(key) {
		var buf [2]any // reused: a call does not keep its argument slice
		return func(item any, index int) (any, error) {
			buf[0], buf[1] = item, float64(index)
			return call(c, name, key, buf[:]...)
		}, nil
	}
	return nil, typeErr(name, "key (path or function)", key)
}

// rank orders value types for sort: numbers < strings < booleans <
// arrays/objects; null is handled by the caller (always last).
func rank(v any) int {
	switch v.(type) {
	case float64:
		return 0
	case string:
		return 1
	case bool:
		return 2
	}
	return 3
}

// compareValues orders two non-null values for sort: by rank, then numbers
// numerically, strings by code point, false before true; arrays and objects
// are equal among themselves.
func compareValues(a, b any) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra - rb
	}
	switch x := a.(type) {
	case float64:
		y := b.(float64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	case string:
		return strings.Compare(x, b.(string)) // UTF-8 byte order is code-point order
	case bool:
		y := b.(bool)
		switch {
		case !x && y:
			return -1
		case x && !y:
			return 1
		}
	}
	return 0
}

// deepCopy copies arrays and objects recursively.
func deepCopy(c *expr.Ctx, v any) (any, error) {
	switch x := v.(type) {
	case []any:
		if err := c.Step(len(x)); err != nil {
			return nil, err
		}
		if err := allocItems(c, len(x)); err != nil {
			return nil, err
		}
		out := make([]any, len(x))
		for i, it := range x {
			cp, err := deepCopy(c, it)
			if err != nil {
				return nil, err
			}
			out[i] = cp
		}
		return out, nil
	case *value.Object:
		if err := c.Step(x.Len()); err != nil {
			return nil, err
		}
		if err := allocItems(c, x.Len()); err != nil {
			return nil, err
		}
		out := value.NewObject(x.Len())
		for _, k := range x.Keys() {
			it, _ := x.Get(k)
			cp, err := deepCopy(c, it)
			if err != nil {
				return nil, err
			}
			out.Set(k, cp)
		}
		return out, nil
	}
	return v, nil
}
