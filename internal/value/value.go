package value

import (
	"math"
	"strings"
)

// TypeName returns the typeof name of v: "null", "boolean", "number",
// "string", "array", "object" (and "function" for anything else).
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, int, int64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case *Object:
		return "object"
	default:
		return "function"
	}
}

// Truthy reports the truthiness of v: false, null, 0 and "" are falsy,
// everything else (including [] and {}) is truthy.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case int:
		return x != 0
	case string:
		return x != ""
	default:
		return true
	}
}

// Render returns v as template text: null is "", strings as-is, numbers as
// FormatNumber, booleans true/false, arrays and objects as compact JSON.
func Render(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return FormatNumber(x)
	default:
		return JSON(v)
	}
}

// StrictEqual reports a === b: same type and value; arrays item by item;
// objects with the same keys (in any order) and equal values.
func StrictEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !StrictEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.keys {
			yv, ok := y.Get(k)
			if !ok || !StrictEqual(x.vals[i], yv) {
				return false
			}
		}
		return true
	}
	return false
}

// Describe returns a short description of v for error messages:
// `number 3`, `string "3"`, `array`, `object`, `null`.
func Describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return "string " + string(AppendQuoted(nil, x))
	case float64, bool:
		return TypeName(v) + " " + Render(v)
	default:
		return TypeName(v)
	}
}

// FromGo converts plain Go data (map[string]any with sorted keys, []any,
// ints, float64, strings, bools, nil) into values. Maps get their keys in
// sorted order; use *Object to keep an order.
func FromGo(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = FromGo(it)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = it
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sortStrings(keys)
		o := NewObject(len(keys))
		for _, k := range keys {
			o.Set(k, FromGo(x[k]))
		}
		return o
	default:
		return v
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && strings.Compare(s[j-1], s[j]) > 0; j-- {
			s[j-1], s[j] = s[j], s[j-1]
		}
	}
}
