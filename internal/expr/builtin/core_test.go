package builtin

import (
	"testing"

	"github.com/flowscript/flowscript/internal/expr"
)

// TestThroughCore evaluates the spec examples that take arrow functions
// with the expression core, so that arguments reach the functions the way
// the evaluator passes them.
func TestThroughCore(t *testing.T) {
	saved := testInvoke
	testInvoke = nil
	defer func() { testInvoke = saved }()
	tests := []struct{ src, want string }{
		{`count([1, 5, 9], x => x > 2)`, `2`},
		{`map([1, 2], (x, i) => x * 10 + i)`, `[10,21]`},
		{`filter([1, 2, 3], x => x % 2)`, `[1,3]`},
		{`reduce([1, 2, 3], (a, x) => a + x, 0)`, `6`},
		{`flat_map([1, 2], x => [x, x])`, `[1,1,2,2]`},
		{`every([2, 4], x => x % 2 == 0)`, `true`},
		{`some([1, 2], x => x > 1)`, `true`},
		{`find([{n: 1}, {n: 2}], o => o.n > 1)`, `{"n":2}`},
		{`find_index([5, 7], x => x > 5)`, `1`},
		{`map_values({a: 1}, v => v + 1)`, `{"a":2}`},
		{`sort(["bb", "a", "ccc"], s => len(s))`, `["a","bb","ccc"]`},
		{`group_by([1, 2, 3], x => x % 2)`, `{"1":[1,3],"0":[2]}`},
		{`map(map([1, 2], x => x + 1), y => y * 2)`, `[4,6]`},
		{`json_decode("{\"a\":[1,2]}").a`, `[1,2]`},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			p, errs := expr.Compile(tc.src, nil, &expr.Names{Funcs: Table()})
			if len(errs) > 0 {
				t.Fatalf("compile: %v", errs[0])
			}
			got, err := p.Eval(&expr.Env{})
			checkResult(t, got, err, tc.want)
		})
	}
}

// TestFunctionLeaks is the regression test for arrow functions escaping as
// values (spec/expressions.md §4: functions exist only as arguments): a
// function returning one of its arguments, or putting one inside its
// result, is R602; typeof(fn) is "function" (§12.6).
func TestFunctionLeaks(t *testing.T) {
	saved := testInvoke
	testInvoke = nil
	defer func() { testInvoke = saved }()
	tests := []struct{ src, want string }{
		{`default(null, x => 1)`, `error: R602: a function is not a value (default returned one) in "default(null, x => 1)"`},
		{`coalesce(x => x * 2)`, `error: R602: a function is not a value (coalesce returned one)`},
		{`coalesce(null, x => 1, 2)`, `error: R602: a function is not a value (coalesce returned one)`},
		{`if_else(true, x => 1, 2)`, `error: R602: a function is not a value (if_else returned one)`},
		{`switch(3, {}, x => 1)`, `error: R602: a function is not a value (switch returned one)`},
		{`get({}, "a", x => 1)`, `error: R602: a function is not a value (get returned one)`},
		{`clone(x => 1)`, `error: R602: a function is not a value (clone returned one)`},
		{`to_array(x => 1)`, `error: R602: to_array: a function is not a value`},
		{`set({}, "a", x => 1)`, `error: R602: set: a function is not a value`},
		{`reduce([1, 2], (a, x) => a, f => 1)`, `error: R602: a function is not a value (an arrow function returned one) in "a"`},
		{`typeof(x => 1)`, `"function"`},
		{`if_else(false, x => 1, 2)`, `2`},
		{`coalesce(null, 0, x => 1)`, `0`},
		{`is_truthy(x => 1)`, `true`},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			p, errs := expr.Compile(tc.src, nil, &expr.Names{Funcs: Table()})
			if len(errs) > 0 {
				t.Fatalf("compile: %v", errs[0])
			}
			got, err := p.Eval(&expr.Env{})
			checkResult(t, got, err, tc.want)
		})
	}
}

// BenchmarkMapThroughCore is map over 10k objects with a real arrow
// function.
func BenchmarkMapThroughCore(b *testing.B) {
	p, errs := expr.Compile(`map(input, x => x.score * 2)`, nil, &expr.Names{Funcs: Table(), AllowInput: true})
	if len(errs) > 0 {
		b.Fatal(errs[0])
	}
	saved := testInvoke
	testInvoke = nil
	defer func() { testInvoke = saved }()
	env := &expr.Env{Input: tenThousand()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSortThroughCore is sort over 10k objects by an arrow key.
func BenchmarkSortThroughCore(b *testing.B) {
	p, errs := expr.Compile(`sort(input, x => x.score, "desc")`, nil, &expr.Names{Funcs: Table(), AllowInput: true})
	if len(errs) > 0 {
		b.Fatal(errs[0])
	}
	saved := testInvoke
	testInvoke = nil
	defer func() { testInvoke = saved }()
	env := &expr.Env{Input: tenThousand()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}
