package builtin

import (
	"math"
	"strconv"
	"strings"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// typeFuncs is spec/expressions.md §12.6.
func typeFuncs() []*expr.Func {
	is := func(name, typ string) *expr.Func {
		return newFunc(name, 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			return value.TypeName(args[0]) == typ, nil
		})
	}
	return []*expr.Func{
		newFunc("typeof", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			return value.TypeName(args[0]), nil
		}),
		is("is_null", "null"),
		is("is_array", "array"),
		is("is_object", "object"),
		is("is_string", "string"),
		is("is_number", "number"),
		is("is_boolean", "boolean"),
		is("is_finite", "number"),
		newFunc("is_integer", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			f, ok := args[0].(float64)
			return ok && f == math.Trunc(f), nil
		}),
		newFunc("is_nan", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			if args[0] == nil {
				return false, nil
			}
			_, ok := toNumber(args[0])
			return !ok, nil
		}),
		newFunc("is_empty", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			switch x := args[0].(type) {
			case nil:
				return true, nil
			case string:
				return x == "", nil
			case []any:
				return len(x) == 0, nil
			case *value.Object:
				return x.Len() == 0, nil
			}
			return false, nil
		}),
		newFunc("is_truthy", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			return value.Truthy(args[0]), nil
		}),
		newFunc("is_falsy", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			return !value.Truthy(args[0]), nil
		}),
		newFunc("to_string", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			s, err := render("to_string", args[0])
			if err != nil {
				return nil, err
			}
			return newString(c, s)
		}),
		newFunc("to_number", 1, 1, fnToNumber),
		newFunc("to_boolean", 1, 1, fnToBoolean),
		newFunc("to_array", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			switch x := args[0].(type) {
			case nil:
				return []any{}, nil
			case []any:
				return x, nil
			}
			if isFunc(args[0]) {
				return nil, notValue("to_array")
			}
			return []any{args[0]}, allocItems(c, 1)
		}),
		newFunc("coalesce", 0, -1, func(c *expr.Ctx, args []any) (any, error) {
			for _, a := range args {
				if a != nil {
					return a, nil
				}
			}
			return nil, nil
		}),
		newFunc("default", 2, 2, func(c *expr.Ctx, args []any) (any, error) {
			if args[0] == nil {
				return args[1], nil
			}
			return args[0], nil
		}),
		newFunc("if_else", 3, 3, func(c *expr.Ctx, args []any) (any, error) {
			if value.Truthy(args[0]) {
				return args[1], nil
			}
			return args[2], nil
		}),
		newFunc("switch", 2, 3, fnSwitch),
		newFunc("fail", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			msg, err := render("fail", args[0])
			if err != nil {
				return nil, err
			}
			return nil, &expr.FailError{Message: msg}
		}),
	}
}

// toNumber converts v as to_number does: numbers as-is, strings holding
// JSON-number text (trimmed, a leading "+" allowed), booleans 1/0. It
// reports false for null, other strings and other types.
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
		body := strings.TrimPrefix(s, "+")
		if len(body) < len(s) && strings.HasPrefix(body, "-") {
			return 0, false
		}
		if !isJSONNumber(body) {
			return 0, false
		}
		f, err := strconv.ParseFloat(body, 64)
		if err != nil || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// isJSONNumber reports whether s is JSON number text:
//
//	number = [ "-" ] ( "0" | digit1-9 { digit } ) [ "." digit { digit } ] [ ( "e" | "E" ) [ "+" | "-" ] digit { digit } ]
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func fnToNumber(c *expr.Ctx, args []any) (any, error) {
	switch args[0].(type) {
	case nil:
		return nil, nil
	case float64, bool, string:
		if f, ok := toNumber(args[0]); ok {
			return f, nil
		}
		return nil, nil
	}
	return nil, typeErr("to_number", "number, string or boolean", args[0])
}

func fnToBoolean(c *expr.Ctx, args []any) (any, error) {
	switch x := args[0].(type) {
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "", "false", "0", "no", "off":
			return false, nil
		}
		return true, nil
	case bool:
		return x, nil
	case float64:
		return x != 0, nil
	case nil:
		return false, nil
	}
	return true, nil
}

func fnSwitch(c *expr.Ctx, args []any) (any, error) {
	def := opt(args, 2, nil)
	switch cases := args[1].(type) {
	case *value.Object:
		k, err := render("switch", args[0])
		if err != nil {
			return nil, err
		}
		if v, ok := cases.Get(k); ok {
			return v, nil
		}
		return def, nil
	case []any:
		for _, it := range cases {
			if err := c.Step(1); err != nil {
				return nil, err
			}
			pair, ok := it.([]any)
			if !ok || len(pair) != 2 {
				return nil, argErr("switch", "cases must be [match, result] pairs")
			}
			if value.StrictEqual(pair[0], args[0]) {
				return pair[1], nil
			}
		}
		return def, nil
	}
	return nil, typeErr("switch", "object or array of cases", args[1])
}
