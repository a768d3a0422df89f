package builtin

import (
	"cmp"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// maxRange is the most items range() produces.
const maxRange = 1_000_000

// arrayFuncs is spec/expressions.md §12.2.
func arrayFuncs() []*expr.Func {
	return []*expr.Func{
		newFunc("length", 1, 1, sizeOf("length")),
		newFunc("first", 1, 1, end("first", true)),
		newFunc("last", 1, 1, end("last", false)),
		newFunc("at", 2, 2, fnAt),
		newFunc("slice", 2, 3, fnSlice),
		newFunc("take", 2, 2, takeSkip("take", true)),
		newFunc("skip", 2, 2, takeSkip("skip", false)),
		newFunc("flatten", 1, 2, fnFlatten),
		newFunc("unique", 1, 1, fnUnique),
		newFunc("reverse", 1, 1, fnReverse),
		newFunc("contains", 2, 2, includes("contains")),
		newFunc("index_of", 2, 2, fnIndexOf),
		newFunc("sort", 1, 3, fnSort),
		newFunc("compact", 1, 1, fnCompact),
		newFunc("count", 1, 2, fnCount),
		newFunc("array_concat", 0, -1, func(c *expr.Ctx, args []any) (any, error) {
			return concatArrays(c, "array_concat", args)
		}),
		newFunc("map", 2, 2, fnMap),
		newFunc("filter", 2, 2, fnFilter),
		newFunc("reduce", 2, 3, fnReduce),
		newFunc("flat_map", 2, 2, fnFlatMap),
		newFunc("every", 2, 2, fnEvery),
		newFunc("some", 2, 2, fnSome),
		newFunc("find", 2, 2, finder("find", false)),
		newFunc("find_index", 2, 2, finder("find_index", true)),
		newFunc("group_by", 2, 2, fnGroupBy),
		newFunc("pluck", 2, 2, fnPluck),
		newFunc("chunk", 2, 2, fnChunk),
		newFunc("zip", 0, -1, fnZip),
		newFunc("range", 1, 3, fnRange),
	}
}

// sizeOf is length/size: items of an array, code points of a string, keys
// of an object; null is 0.
func sizeOf(name string) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		switch x := args[0].(type) {
		case nil:
			return 0.0, nil
		case []any:
			return float64(len(x)), nil
		case string:
			return float64(utf8.RuneCountInString(x)), nil
		case *value.Object:
			return float64(x.Len()), nil
		}
		return nil, typeErr(name, "array, string or object", args[0])
	}
}

func end(name string, first bool) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		if args[0] == nil {
			return nil, nil
		}
		xs, err := arrArg(name, args, 0)
		if err != nil {
			return nil, err
		}
		if len(xs) == 0 {
			return nil, nil
		}
		if first {
			return xs[0], nil
		}
		return xs[len(xs)-1], nil
	}
}

func fnAt(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("at", args, 0)
	if err != nil {
		return nil, err
	}
	f, err := numArg("at", args, 1)
	if err != nil {
		return nil, err
	}
	i := toInt(f)
	if i < 0 {
		i += len(xs)
	}
	if i < 0 || i >= len(xs) {
		return nil, nil
	}
	return xs[i], nil
}

// relIndex resolves a JavaScript slice index against length n.
func relIndex(f float64, n int) int {
	i := toInt(f)
	if i < 0 {
		return max(n+i, 0)
	}
	return min(i, n)
}

func fnSlice(c *expr.Ctx, args []any) (any, error) {
	start, err := numArg("slice", args, 1)
	if err != nil {
		return nil, err
	}
	switch x := args[0].(type) {
	case []any:
		stop, err := numOpt("slice", args, 2, float64(len(x)))
		if err != nil {
			return nil, err
		}
		a, b := relIndex(start, len(x)), relIndex(stop, len(x))
		return copyRange(c, x, a, b)
	case string:
		r := []rune(x)
		stop, err := numOpt("slice", args, 2, float64(len(r)))
		if err != nil {
			return nil, err
		}
		a, b := relIndex(start, len(r)), relIndex(stop, len(r))
		if a >= b {
			return "", nil
		}
		return newString(c, string(r[a:b]))
	}
	return nil, typeErr("slice", "array or string", args[0])
}

// copyRange returns a new array of xs[a:b] (empty when a >= b).
func copyRange(c *expr.Ctx, xs []any, a, b int) (any, error) {
	if a >= b {
		return []any{}, nil
	}
	if err := c.Step(b - a); err != nil {
		return nil, err
	}
	out, err := newArray(c, b-a)
	if err != nil {
		return nil, err
	}
	return append(out, xs[a:b]...), nil
}

func takeSkip(name string, take bool) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		xs, err := arrArg(name, args, 0)
		if err != nil {
			return nil, err
		}
		f, err := numArg(name, args, 1)
		if err != nil {
			return nil, err
		}
		n := min(max(toInt(f), 0), len(xs))
		if take {
			return copyRange(c, xs, 0, n)
		}
		return copyRange(c, xs, n, len(xs))
	}
}

func fnFlatten(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("flatten", args, 0)
	if err != nil {
		return nil, err
	}
	depth := 1
	if len(args) > 1 {
		if depth, err = intArg("flatten", "depth", args, 1); err != nil {
			return nil, err
		}
		if depth < 0 {
			return nil, argErr("flatten", "depth must be ≥ 0")
		}
	}
	return flattenInto(c, make([]any, 0, len(xs)), xs, depth)
}

func flattenInto(c *expr.Ctx, out, xs []any, depth int) ([]any, error) {
	if err := c.Step(len(xs)); err != nil {
		return nil, err
	}
	for _, it := range xs {
		if inner, ok := it.([]any); ok && depth > 0 {
			var err error
			if out, err = flattenInto(c, out, inner, depth-1); err != nil {
				return nil, err
			}
			continue
		}
		if err := allocItems(c, 1); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

func fnUnique(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("unique", args, 0)
	if err != nil {
		return nil, err
	}
	if err := c.Step(len(xs)); err != nil {
		return nil, err
	}
	type prim struct {
		kind byte
		s    string
		f    float64
	}
	seen := make(map[prim]bool, len(xs))
	var composites []any
	out := make([]any, 0, len(xs))
	for _, it := range xs {
		var p prim
		switch x := it.(type) {
		case nil:
			p = prim{kind: 'n'}
		case bool:
			p = prim{kind: 'b', f: map[bool]float64{false: 0, true: 1}[x]}
		case float64:
			p = prim{kind: 'f', f: x}
			if x == 0 {
				p.f = 0 // -0 === 0
			}
		case string:
			p = prim{kind: 's', s: x}
		default:
			dup := false
			for _, prev := range composites {
				if err := c.Step(1); err != nil {
					return nil, err
				}
				if value.StrictEqual(prev, it) {
					dup = true
					break
				}
			}
			if !dup {
				composites = append(composites, it)
				out = append(out, it)
			}
			continue
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, it)
		}
	}
	return out, allocItems(c, len(out))
}

func fnReverse(c *expr.Ctx, args []any) (any, error) {
	switch x := args[0].(type) {
	case []any:
		if err := c.Step(len(x)); err != nil {
			return nil, err
		}
		out, err := newArray(c, len(x))
		if err != nil {
			return nil, err
		}
		for i := len(x) - 1; i >= 0; i-- {
			out = append(out, x[i])
		}
		return out, nil
	case string:
		r := []rune(x)
		slices.Reverse(r)
		return newString(c, string(r))
	}
	return nil, typeErr("reverse", "array or string", args[0])
}

func fnIndexOf(c *expr.Ctx, args []any) (any, error) {
	i, err := indexOf(c, "index_of", args)
	if err != nil {
		return nil, err
	}
	return float64(i), nil
}

func fnSort(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("sort", args, 0)
	if err != nil {
		return nil, err
	}
	key := opt(args, 1, nil)
	desc := false
	if len(args) > 2 {
		switch args[2] {
		case "asc":
		case "desc":
			desc = true
		default:
			if _, ok := args[2].(string); !ok {
				return nil, typeErr("sort", "string", args[2])
			}
			return nil, argErr("sort", `direction must be "asc" or "desc"`)
		}
	}
	if err := c.Step(len(xs)); err != nil {
		return nil, err
	}
	if err := allocItems(c, len(xs)); err != nil {
		return nil, err
	}
	keyOf, err := keyFunc(c, "sort", key)
	if err != nil {
		return nil, err
	}
	// Sort positions with the original position as the last criterion: a
	// stable result from the faster unstable sort.
	keys := make([]any, 0, len(xs))
	nums := make([]float64, 0, len(xs))
	items := make([]any, 0, len(xs))
	var nulls []any
	allNumbers := true
	for i, it := range xs {
		k, err := keyOf(it, i)
		if err != nil {
			return nil, err
		}
		if k == nil {
			nulls = append(nulls, it)
			continue
		}
		f, ok := k.(float64)
		allNumbers = allNumbers && ok
		keys, nums, items = append(keys, k), append(nums, f), append(items, it)
	}
	sign := 1
	if desc {
		sign = -1
	}
	perm := make([]int32, len(items))
	for i := range perm {
		perm[i] = int32(i)
	}
	if allNumbers { // the common case, without type switches
		slices.SortFunc(perm, func(a, b int32) int {
			if r := cmp.Compare(nums[a], nums[b]); r != 0 {
				return sign * r
			}
			return int(a - b)
		})
	} else {
		slices.SortFunc(perm, func(a, b int32) int {
			if r := compareValues(keys[a], keys[b]); r != 0 {
				return sign * r
			}
			return int(a - b)
		})
	}
	out := make([]any, 0, len(xs))
	for _, i := range perm {
		out = append(out, items[i])
	}
	return append(out, nulls...), nil
}

func fnCompact(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("compact", args, 0)
	if err != nil {
		return nil, err
	}
	if err := c.Step(len(xs)); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(xs))
	for _, it := range xs {
		if it != nil {
			out = append(out, it)
		}
	}
	return out, allocItems(c, len(out))
}

// arrayAndFn reads the (xs, fn) arguments of the higher-order functions.
func arrayAndFn(name string, args []any) ([]any, any, error) {
	xs, err := arrArg(name, args, 0)
	if err != nil {
		return nil, nil, err
	}
	fn, err := fnArg(name, args, 1)
	return xs, fn, err
}

func fnCount(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("count", args, 0)
	if err != nil {
		return nil, err
	}
	if opt(args, 1, nil) == nil {
		return float64(len(xs)), nil
	}
	fn, err := fnArg("count", args, 1)
	if err != nil {
		return nil, err
	}
	n := 0
	err = each(c, "count", xs, fn, func(_ int, _, r any) bool {
		if value.Truthy(r) {
			n++
		}
		return true
	})
	return float64(n), err
}

// each calls fn(item, index) for the items of xs and passes each result to
// visit, stopping when visit returns false.
func each(c *expr.Ctx, name string, xs []any, fn any, visit func(i int, item, r any) bool) error {
	var buf [2]any // reused: a call does not keep its argument slice
	for i, it := range xs {
		if err := c.Step(1); err != nil {
			return err
		}
		buf[0], buf[1] = it, float64(i)
		r, err := call(c, name, fn, buf[:]...)
		if err != nil {
			return err
		}
		if !visit(i, it, r) {
			return nil
		}
	}
	return nil
}

func fnMap(c *expr.Ctx, args []any) (any, error) {
	xs, fn, err := arrayAndFn("map", args)
	if err != nil {
		return nil, err
	}
	out, err := newArray(c, len(xs))
	if err != nil {
		return nil, err
	}
	err = each(c, "map", xs, fn, func(_ int, _, r any) bool {
		out = append(out, r)
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func fnFilter(c *expr.Ctx, args []any) (any, error) {
	xs, fn, err := arrayAndFn("filter", args)
	if err != nil {
		return nil, err
	}
	var out []any
	err = each(c, "filter", xs, fn, func(_ int, it, r any) bool {
		if value.Truthy(r) {
			out = append(out, it)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []any{}
	}
	return out, allocItems(c, len(out))
}

func fnReduce(c *expr.Ctx, args []any) (any, error) {
	xs, fn, err := arrayAndFn("reduce", args)
	if err != nil {
		return nil, err
	}
	acc := opt(args, 2, nil)
	var buf [3]any
	for i, it := range xs {
		if err := c.Step(1); err != nil {
			return nil, err
		}
		buf[0], buf[1], buf[2] = acc, it, float64(i)
		if acc, err = call(c, "reduce", fn, buf[:]...); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func fnFlatMap(c *expr.Ctx, args []any) (any, error) {
	xs, fn, err := arrayAndFn("flat_map", args)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(xs))
	var failed error
	err = each(c, "flat_map", xs, fn, func(_ int, _, r any) bool {
		if inner, ok := r.([]any); ok {
			if failed = c.Step(len(inner)); failed != nil {
				return false
			}
			out = append(out, inner...)
		} else {
			out = append(out, r)
		}
		return true
	})
	if err == nil {
		err = failed
	}
	if err != nil {
		return nil, err
	}
	return out, allocItems(c, len(out))
}

func fnEvery(c *expr.Ctx, args []any) (any, error) {
	xs, fn, err := arrayAndFn("every", args)
	if err != nil {
		return nil, err
	}
	all := true
	err = each(c, "every", xs, fn, func(_ int, _, r any) bool {
		all = value.Truthy(r)
		return all
	})
	return all, err
}

func fnSome(c *expr.Ctx, args []any) (any, error) {
	xs, fn, err := arrayAndFn("some", args)
	if err != nil {
		return nil, err
	}
	found := false
	err = each(c, "some", xs, fn, func(_ int, _, r any) bool {
		found = value.Truthy(r)
		return !found
	})
	return found, err
}

// finder is find (the item or null) and find_index (its position or -1).
func finder(name string, index bool) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		xs, fn, err := arrayAndFn(name, args)
		if err != nil {
			return nil, err
		}
		pos := -1
		err = each(c, name, xs, fn, func(i int, _, r any) bool {
			if value.Truthy(r) {
				pos = i
				return false
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		if index {
			return float64(pos), nil
		}
		if pos < 0 {
			return nil, nil
		}
		return xs[pos], nil
	}
}

func fnGroupBy(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("group_by", args, 0)
	if err != nil {
		return nil, err
	}
	key := args[1]
	if key == nil {
		return nil, typeErr("group_by", "key (path or function)", key)
	}
	keyOf, err := keyFunc(c, "group_by", key)
	if err != nil {
		return nil, err
	}
	groups := value.NewObject(4)
	lists := map[string][]any{}
	for i, it := range xs {
		if err := c.Step(1); err != nil {
			return nil, err
		}
		k, err := keyOf(it, i)
		if err != nil {
			return nil, err
		}
		ks, err := render("group_by", k)
		if err != nil {
			return nil, err
		}
		if _, ok := lists[ks]; !ok {
			groups.Set(ks, nil)
		}
		lists[ks] = append(lists[ks], it)
	}
	for _, k := range groups.Keys() {
		groups.Set(k, lists[k])
	}
	return groups, allocItems(c, len(xs)+groups.Len())
}

func fnPluck(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("pluck", args, 0)
	if err != nil {
		return nil, err
	}
	segs, err := parsePath("pluck", args[1])
	if err != nil {
		return nil, err
	}
	if err := c.Step(len(xs)); err != nil {
		return nil, err
	}
	out, err := newArray(c, len(xs))
	if err != nil {
		return nil, err
	}
	for _, it := range xs {
		v, _ := lookup(it, segs)
		out = append(out, v)
	}
	return out, nil
}

func fnChunk(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("chunk", args, 0)
	if err != nil {
		return nil, err
	}
	n, err := intArg("chunk", "size", args, 1)
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, argErr("chunk", "size must be ≥ 1")
	}
	if err := c.Step(len(xs)); err != nil {
		return nil, err
	}
	out, err := newArray(c, (len(xs)+n-1)/n)
	if err != nil {
		return nil, err
	}
	if err := allocItems(c, len(xs)); err != nil {
		return nil, err
	}
	for i := 0; i < len(xs); i += n {
		out = append(out, slices.Clone(xs[i:min(i+n, len(xs))]))
	}
	return out, nil
}

func fnZip(c *expr.Ctx, args []any) (any, error) {
	shortest := -1
	for i := range args {
		xs, err := arrArg("zip", args, i)
		if err != nil {
			return nil, err
		}
		if shortest < 0 || len(xs) < shortest {
			shortest = len(xs)
		}
	}
	if shortest <= 0 {
		return []any{}, nil
	}
	if err := c.Step(shortest * len(args)); err != nil {
		return nil, err
	}
	if err := allocItems(c, shortest*(len(args)+1)); err != nil {
		return nil, err
	}
	out := make([]any, shortest)
	for i := range out {
		t := make([]any, len(args))
		for j, a := range args {
			t[j] = a.([]any)[i]
		}
		out[i] = t
	}
	return out, nil
}

func fnRange(c *expr.Ctx, args []any) (any, error) {
	a, err := numArg("range", args, 0)
	if err != nil {
		return nil, err
	}
	b := a
	if opt(args, 1, nil) == nil {
		a = 0
	} else if b, err = numArg("range", args, 1); err != nil {
		return nil, err
	}
	step, err := numOpt("range", args, 2, 1)
	if err != nil {
		return nil, err
	}
	if step == 0 {
		return nil, argErr("range", "step must not be 0")
	}
	before := func(x float64) bool {
		if step > 0 {
			return x < b
		}
		return x > b
	}
	n := 0
	if before(a) {
		est := math.Ceil((b - a) / step)
		if est > maxRange+1 {
			return nil, argErr("range", "more than %d items", maxRange)
		}
		n = int(est)
		for n > 0 && !before(a+float64(n-1)*step) {
			n--
		}
		for before(a + float64(n)*step) {
			n++
		}
	}
	if n > maxRange {
		return nil, argErr("range", "more than %d items", maxRange)
	}
	if err := c.Step(n); err != nil {
		return nil, err
	}
	out, err := newArray(c, n)
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		out = append(out, a+float64(i)*step)
	}
	return out, nil
}
