package builtin

import (
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// objectFuncs is spec/expressions.md §12.5.
func objectFuncs() []*expr.Func {
	return []*expr.Func{
		newFunc("keys", 1, 1, fnKeys),
		newFunc("values", 1, 1, fnValues),
		newFunc("entries", 1, 1, fnEntries),
		newFunc("from_entries", 1, 1, fnFromEntries),
		newFunc("get", 2, 3, fnGet),
		newFunc("has", 2, 2, fnHas),
		newFunc("set", 3, 3, fnSet),
		newFunc("delete", 2, 2, fnDelete),
		newFunc("merge", 0, -1, merger("merge", false)),
		newFunc("deep_merge", 0, -1, merger("deep_merge", true)),
		newFunc("pick", 2, 2, fnPick),
		newFunc("omit", 2, 2, fnOmit),
		newFunc("map_values", 2, 2, fnMapValues),
		newFunc("size", 1, 1, sizeOf("size")),
		newFunc("equals", 2, 2, func(c *expr.Ctx, args []any) (any, error) {
			return value.StrictEqual(args[0], args[1]), nil
		}),
		newFunc("clone", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			return deepCopy(c, args[0])
		}),
	}
}

// objOrNull reads an object argument where null is the empty object.
func objOrNull(c *expr.Ctx, name string, args []any, i int) (*value.Object, error) {
	if args[i] == nil {
		return value.NewObject(0), nil
	}
	o, err := objArg(name, args, i)
	if err != nil {
		return nil, err
	}
	if err := c.Step(o.Len()); err != nil {
		return nil, err
	}
	return o, allocItems(c, o.Len())
}

func fnKeys(c *expr.Ctx, args []any) (any, error) {
	o, err := objOrNull(c, "keys", args, 0)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, o.Len())
	for _, k := range o.Keys() {
		out = append(out, k)
	}
	return out, nil
}

func fnValues(c *expr.Ctx, args []any) (any, error) {
	o, err := objOrNull(c, "values", args, 0)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, o.Len())
	for _, k := range o.Keys() {
		v, _ := o.Get(k)
		out = append(out, v)
	}
	return out, nil
}

func fnEntries(c *expr.Ctx, args []any) (any, error) {
	o, err := objOrNull(c, "entries", args, 0)
	if err != nil {
		return nil, err
	}
	if err := allocItems(c, 2*o.Len()); err != nil {
		return nil, err
	}
	out := make([]any, 0, o.Len())
	for _, k := range o.Keys() {
		v, _ := o.Get(k)
		out = append(out, []any{k, v})
	}
	return out, nil
}

func fnFromEntries(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("from_entries", args, 0)
	if err != nil {
		return nil, err
	}
	if err := c.Step(len(xs)); err != nil {
		return nil, err
	}
	if err := allocItems(c, len(xs)); err != nil {
		return nil, err
	}
	out := value.NewObject(len(xs))
	for _, it := range xs {
		var k, v any
		switch e := it.(type) {
		case []any:
			if len(e) != 2 {
				return nil, argErr("from_entries", "a pair must have 2 items, got %d", len(e))
			}
			k, v = e[0], e[1]
		case *value.Object:
			if !e.Has("key") {
				return nil, argErr("from_entries", `an entry object needs a "key"`)
			}
			k, _ = e.Get("key")
			v, _ = e.Get("value")
		default:
			return nil, typeErr("from_entries", "[key, value] pair or {key, value} object", it)
		}
		switch k.(type) {
		case string, float64, bool:
		default:
			return nil, typeErr("from_entries", "string key", k)
		}
		out.Set(value.Render(k), v)
	}
	return out, nil
}

func fnGet(c *expr.Ctx, args []any) (any, error) {
	segs, err := parsePath("get", args[1])
	if err != nil {
		return nil, err
	}
	if err := c.Step(len(segs)); err != nil {
		return nil, err
	}
	if v, ok := lookup(args[0], segs); ok {
		return v, nil
	}
	return opt(args, 2, nil), nil
}

func fnHas(c *expr.Ctx, args []any) (any, error) {
	if args[0] == nil {
		return false, nil
	}
	o, err := objArg("has", args, 0)
	if err != nil {
		return nil, err
	}
	switch k := args[1].(type) {
	case string:
		return o.Has(k), nil
	case float64:
		return o.Has(value.FormatNumber(k)), nil
	}
	return nil, typeErr("has", "string", args[1])
}

func fnSet(c *expr.Ctx, args []any) (any, error) {
	if isFunc(args[2]) {
		return nil, notValue("set")
	}
	segs, err := parsePath("set", args[1])
	if err != nil {
		return nil, err
	}
	return setIn(c, args[0], segs, args[2])
}

// setIn returns a copy of cur with v at segs; missing levels (and levels
// that are not containers) become objects.
func setIn(c *expr.Ctx, cur any, segs []any, v any) (any, error) {
	if len(segs) == 0 {
		return v, nil
	}
	seg, rest := segs[0], segs[1:]
	switch x := cur.(type) {
	case *value.Object:
		if err := c.Step(x.Len()); err != nil {
			return nil, err
		}
		if err := allocItems(c, x.Len()+1); err != nil {
			return nil, err
		}
		old, _ := x.Get(segKey(seg))
		nv, err := setIn(c, old, rest, v)
		if err != nil {
			return nil, err
		}
		out := x.Clone()
		out.Set(segKey(seg), nv)
		return out, nil
	case []any:
		i, ok := segIndex(seg)
		if !ok {
			return nil, argErr("set", "path segment %q is not an index of an array", segKey(seg))
		}
		if i > len(x)+maxRange {
			return nil, argErr("set", "index is too far beyond the end of the array")
		}
		n := max(len(x), i+1)
		if err := c.Step(n); err != nil {
			return nil, err
		}
		if err := allocItems(c, n); err != nil {
			return nil, err
		}
		var old any
		if i < len(x) {
			old = x[i]
		}
		nv, err := setIn(c, old, rest, v)
		if err != nil {
			return nil, err
		}
		out := make([]any, n)
		copy(out, x)
		out[i] = nv
		return out, nil
	}
	nv, err := setIn(c, nil, rest, v)
	if err != nil {
		return nil, err
	}
	if err := allocItems(c, 1); err != nil {
		return nil, err
	}
	return value.ObjectOf(segKey(seg), nv), nil
}

func fnDelete(c *expr.Ctx, args []any) (any, error) {
	segs, err := parsePath("delete", args[1])
	if err != nil {
		return nil, err
	}
	if len(segs) == 0 {
		return args[0], nil
	}
	return deleteIn(c, args[0], segs)
}

// deleteIn returns cur without the member at segs (cur itself when absent).
func deleteIn(c *expr.Ctx, cur any, segs []any) (any, error) {
	seg, rest := segs[0], segs[1:]
	old, ok := child(cur, seg)
	if !ok {
		return cur, nil
	}
	var nv any
	if len(rest) > 0 {
		var err error
		if nv, err = deleteIn(c, old, rest); err != nil {
			return nil, err
		}
	}
	switch x := cur.(type) {
	case *value.Object:
		if err := c.Step(x.Len()); err != nil {
			return nil, err
		}
		if err := allocItems(c, x.Len()); err != nil {
			return nil, err
		}
		out := x.Clone()
		if len(rest) == 0 {
			out.Delete(segKey(seg))
		} else {
			out.Set(segKey(seg), nv)
		}
		return out, nil
	case []any:
		if err := c.Step(len(x)); err != nil {
			return nil, err
		}
		if err := allocItems(c, len(x)); err != nil {
			return nil, err
		}
		i, _ := segIndex(seg)
		out := make([]any, 0, len(x))
		out = append(out, x[:i]...)
		if len(rest) > 0 {
			out = append(out, nv)
		}
		return append(out, x[i+1:]...), nil
	}
	return cur, nil
}

// merger is merge (shallow) and deep_merge (nested objects merged, other
// values replaced), left to right, skipping nulls.
func merger(name string, deep bool) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		out := value.NewObject(4)
		for i := range args {
			if args[i] == nil {
				continue
			}
			o, err := objArg(name, args, i)
			if err != nil {
				return nil, err
			}
			if out, err = mergeInto(c, out, o, deep); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}

// mergeInto sets the entries of src into dst (which it owns) and returns it.
func mergeInto(c *expr.Ctx, dst, src *value.Object, deep bool) (*value.Object, error) {
	if err := c.Step(src.Len()); err != nil {
		return nil, err
	}
	if err := allocItems(c, src.Len()); err != nil {
		return nil, err
	}
	for _, k := range src.Keys() {
		v, _ := src.Get(k)
		if deep {
			old, _ := dst.Get(k)
			ob, ok1 := old.(*value.Object)
			nb, ok2 := v.(*value.Object)
			if ok1 && ok2 {
				merged, err := mergeInto(c, ob.Clone(), nb, true)
				if err != nil {
					return nil, err
				}
				v = merged
			}
		}
		dst.Set(k, v)
	}
	return dst, nil
}

// keyList reads a list of keys: an array of strings (numbers are rendered)
// or a single string.
func keyList(name string, v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, it := range x {
			switch k := it.(type) {
			case string:
				out = append(out, k)
			case float64:
				out = append(out, value.FormatNumber(k))
			default:
				return nil, typeErr(name, "string key", it)
			}
		}
		return out, nil
	}
	return nil, typeErr(name, "array of keys", v)
}

func fnPick(c *expr.Ctx, args []any) (any, error) {
	o, err := objArg("pick", args, 0)
	if err != nil {
		return nil, err
	}
	ks, err := keyList("pick", args[1])
	if err != nil {
		return nil, err
	}
	if err := c.Step(len(ks)); err != nil {
		return nil, err
	}
	out := value.NewObject(len(ks))
	for _, k := range ks {
		if v, ok := o.Get(k); ok {
			out.Set(k, v)
		}
	}
	return out, allocItems(c, out.Len())
}

func fnOmit(c *expr.Ctx, args []any) (any, error) {
	o, err := objArg("omit", args, 0)
	if err != nil {
		return nil, err
	}
	ks, err := keyList("omit", args[1])
	if err != nil {
		return nil, err
	}
	if err := c.Step(o.Len() + len(ks)); err != nil {
		return nil, err
	}
	drop := make(map[string]bool, len(ks))
	for _, k := range ks {
		drop[k] = true
	}
	out := value.NewObject(o.Len())
	for _, k := range o.Keys() {
		if !drop[k] {
			v, _ := o.Get(k)
			out.Set(k, v)
		}
	}
	return out, allocItems(c, out.Len())
}

func fnMapValues(c *expr.Ctx, args []any) (any, error) {
	o, err := objArg("map_values", args, 0)
	if err != nil {
		return nil, err
	}
	fn, err := fnArg("map_values", args, 1)
	if err != nil {
		return nil, err
	}
	if err := allocItems(c, o.Len()); err != nil {
		return nil, err
	}
	out := value.NewObject(o.Len())
	for _, k := range o.Keys() {
		if err := c.Step(1); err != nil {
			return nil, err
		}
		v, _ := o.Get(k)
		r, err := call(c, "map_values", fn, v, k)
		if err != nil {
			return nil, err
		}
		out.Set(k, r)
	}
	return out, nil
}
