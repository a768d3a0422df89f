package builtin

import (
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// goFn is a function value for tests: a Go closure standing in for an arrow
// function.
type goFn func(args []any) (any, error)

func TestMain(m *testing.M) {
	testInvoke = func(fn any, args []any) (any, error) {
		if f, ok := fn.(goFn); ok {
			return f(args)
		}
		return nil, expr.ErrNotFunction
	}
	os.Exit(m.Run())
}

func newCtx() *expr.Ctx {
	return expr.NewCtx(&expr.Runtime{Rand: rand.New(rand.NewPCG(1, 2))})
}

// callFunc calls the named function of Table with args, checking the
// argument count against Min and Max.
func callFunc(t testing.TB, c *expr.Ctx, name string, args []any) (any, error) {
	t.Helper()
	f, ok := Table()[name]
	if !ok {
		t.Fatalf("no function %q", name)
	}
	if len(args) < f.Min || (f.Max >= 0 && len(args) > f.Max) {
		t.Fatalf("%s: %d arguments outside [%d, %d]", name, len(args), f.Min, f.Max)
	}
	return f.Call(c, args)
}

// jsonCase is a call with JSON arguments and the JSON of its result, or
// "error: text" for an error containing text.
type jsonCase struct {
	fn, args, want string
}

func runJSONCases(t *testing.T, cases []jsonCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.fn+tc.args, func(t *testing.T) {
			parsed, err := value.ParseJSON([]byte(tc.args))
			if err != nil {
				t.Fatalf("bad test args %s: %v", tc.args, err)
			}
			got, err := callFunc(t, newCtx(), tc.fn, parsed.([]any))
			checkResult(t, got, err, tc.want)
		})
	}
}

func checkResult(t *testing.T, got any, err error, want string) {
	t.Helper()
	if wantErr, ok := strings.CutPrefix(want, "error: "); ok {
		if err == nil {
			t.Fatalf("got %s, want error containing %q", value.JSON(got), wantErr)
		}
		if !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("got error %q, want one containing %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if g := value.JSON(got); g != want {
		t.Fatalf("got %s, want %s", g, want)
	}
}

func TestTable(t *testing.T) {
	tab := Table()
	for name, f := range tab {
		if f.Name != name {
			t.Errorf("entry %q has name %q", name, f.Name)
		}
		if f.Call == nil || f.Min < 0 || (f.Max >= 0 && f.Max < f.Min) {
			t.Errorf("%s: bad entry %+v", name, f)
		}
	}
	seen := map[string]bool{}
	areas := [][]*expr.Func{stringFuncs(), arrayFuncs(), mathFuncs(), objectFuncs(), typeFuncs(), encodingFuncs(), dateFuncs()}
	for _, list := range areas {
		for _, f := range list {
			if seen[f.Name] {
				t.Errorf("function %q defined twice", f.Name)
			}
			seen[f.Name] = true
		}
	}
	// §12.1 21, §12.2 29, §12.3 18, §12.5 16, §12.6 22, §12.7 16.
	mine := len(stringFuncs()) + len(arrayFuncs()) + len(mathFuncs()) + len(objectFuncs()) + len(typeFuncs()) + len(encodingFuncs())
	if mine != 122 {
		t.Errorf("%d functions outside dates, want 122", mine)
	}
	if len(tab) != len(seen) {
		t.Errorf("table has %d functions, want %d", len(tab), len(seen))
	}
}

func TestStrings(t *testing.T) {
	runJSONCases(t, []jsonCase{
		{"upper", `["abc"]`, `"ABC"`},
		{"upper", `[null]`, `""`},
		{"upper", `[1]`, `error: upper: expected string, got number`},
		{"lower", `["MiXeD"]`, `"mixed"`},
		{"trim", `["  a b "]`, `"a b"`},
		{"trim", `["\u00a0\u2003a\n"]`, `"a"`},
		{"trim", `[null]`, `""`},
		{"trim_start", `["  a "]`, `"a "`},
		{"trim_end", `["  a "]`, `"  a"`},
		{"replace", `["a-b-c", "-", "_"]`, `"a_b_c"`},
		{"replace", `["abc", "", "x"]`, `"abc"`},
		{"replace", `["abc", 1, "x"]`, `error: replace: expected string, got number`},
		{"replace_regex", `["a1b22", "[0-9]+", "#"]`, `"a#b#"`},
		{"replace_regex", `["John Smith", "(\\w+) (\\w+)", "$2 $1"]`, `"Smith John"`},
		{"replace_regex", `["John Smith", "(?P<f>\\w+) (?P<l>\\w+)", "${l}, ${f}"]`, `"Smith, John"`},
		{"replace_regex", `["abc", "(b)", "$1x"]`, `"abxc"`},
		{"replace_regex", `["abc", "b", "$$"]`, `"a$c"`},
		{"replace_regex", `["abc", "b", "$9${zz}"]`, `"a$9${zz}c"`},
		{"replace_regex", `["abc", "(", "x"]`, `error: replace_regex: invalid regular expression: missing closing )`},
		{"split", `["a,b,,c", ","]`, `["a","b","","c"]`},
		{"split", `[null, ","]`, `[]`},
		{"split", `["héllo", ""]`, `["h","é","l","l","o"]`},
		{"join", `[[1, "x", null], "/"]`, `"1/x/"`},
		{"join", `[[1, [2], {"a": true}]]`, `"1,[2],{\"a\":true}"`},
		{"truncate", `["hello world", 8]`, `"hello..."`},
		{"truncate", `["hello", 2]`, `"he"`},
		{"truncate", `["hello", 5]`, `"hello"`},
		{"truncate", `["héllo wörld", 7, "…"]`, `"héllo …"`},
		{"truncate", `["hello", 3]`, `"hel"`},
		{"truncate", `["hello", -1]`, `error: truncate: length must be ≥ 0`},
		{"concat", `[[1], [2, 3]]`, `[1,2,3]`},
		{"concat", `["x", 1, true]`, `"x1true"`},
		{"concat", `[null, [1], null, [2]]`, `[1,2]`},
		{"concat", `[null, "a", null, {"b": 1}]`, `"a{\"b\":1}"`},
		{"concat", `[[1], "x"]`, `error: concat: expected array, got string`},
		{"includes", `["widget", "dg"]`, `true`},
		{"includes", `[[1, "2"], 2]`, `false`},
		{"includes", `[[{"a": [1]}], {"a": [1]}]`, `true`},
		{"includes", `[5, 5]`, `error: includes: expected string or array, got number`},
		{"starts_with", `["quarterly", "quart"]`, `true`},
		{"ends_with", `["report", "port"]`, `true`},
		{"ends_with", `["report", "x"]`, `false`},
		{"substring", `["FlowScript", 0, 4]`, `"Flow"`},
		{"substring", `["FlowScript", 4, 0]`, `"Flow"`},
		{"substring", `["héllo", -3, 2]`, `"hé"`},
		{"substring", `["abc", 1]`, `"bc"`},
		{"substring", `["abc", 1, 99]`, `"bc"`},
		{"pad_start", `[7, 3, "0"]`, `"007"`},
		{"pad_end", `["ab", 5, "-"]`, `"ab---"`},
		{"pad_start", `["5", 4, "ab"]`, `"aba5"`},
		{"pad_start", `["abc", 2]`, `"abc"`},
		{"pad_start", `["é", 3]`, `"  é"`},
		{"pad_end", `[null, 2, "x"]`, `"xx"`},
		{"repeat", `["=", 3]`, `"==="`},
		{"repeat", `["=", 0]`, `""`},
		{"repeat", `["=", -1]`, `error: repeat: count must be ≥ 0`},
		{"repeat", `["=", 1.5]`, `error: repeat: count must be an integer`},
		{"char_at", `["flow", 2]`, `"o"`},
		{"char_at", `["héllo", 1]`, `"é"`},
		{"char_at", `["flow", 9]`, `""`},
		{"char_at", `["flow", -1]`, `""`},
		{"len", `["héllo"]`, `5`},
		{"len", `[null]`, `0`},
		{"len", `[[1, 2]]`, `5`},
		{"len", `[12.5]`, `4`},
		{"lines", `["a\r\nb\n"]`, `["a","b"]`},
		{"lines", `[""]`, `[]`},
		{"lines", `["a\n\nb"]`, `["a","","b"]`},
	})
}

func TestArrays(t *testing.T) {
	runJSONCases(t, []jsonCase{
		{"length", `[[1, 2]]`, `2`},
		{"length", `["héllo"]`, `5`},
		{"length", `[{"a": 1}]`, `1`},
		{"length", `[null]`, `0`},
		{"length", `[5]`, `error: length: expected array, string or object, got number`},
		{"first", `[[1, 2, 3]]`, `1`},
		{"first", `[[]]`, `null`},
		{"last", `[[1, 2, 3]]`, `3`},
		{"last", `[null]`, `null`},
		{"at", `[[1, 2, 3], -1]`, `3`},
		{"at", `[[1, 2, 3], 3]`, `null`},
		{"at", `[[1, 2, 3], -4]`, `null`},
		{"slice", `[[1, 2, 3, 4], 1, -1]`, `[2,3]`},
		{"slice", `["FlowScript", -6]`, `"Script"`},
		{"slice", `[[1, 2, 3], 2, 1]`, `[]`},
		{"slice", `[[1, 2, 3], -10, 10]`, `[1,2,3]`},
		{"take", `[[1, 2, 3], 2]`, `[1,2]`},
		{"take", `[[1], 5]`, `[1]`},
		{"skip", `[[1, 2, 3], 2]`, `[3]`},
		{"skip", `[[1, 2], -1]`, `[1,2]`},
		{"flatten", `[[[1, [2]], [3]]]`, `[1,[2],3]`},
		{"flatten", `[[[1, [2, [3]]], 4], 5]`, `[1,2,3,4]`},
		{"flatten", `[[[1, [2]]], 0]`, `[[1,[2]]]`},
		{"unique", `[[1, "1", 1, {"a": 1}, {"a": 1}]]`, `[1,"1",{"a":1}]`},
		{"unique", `[[{"a": 1, "b": 2}, {"b": 2, "a": 1}, [1], [1]]]`, `[{"a":1,"b":2},[1]]`},
		{"unique", `[[null, null, true, false, true, 0, -0]]`, `[null,true,false,0]`},
		{"reverse", `[[1, 2]]`, `[2,1]`},
		{"reverse", `["héllo"]`, `"olléh"`},
		{"contains", `[["q2", "sales"], "q2"]`, `true`},
		{"index_of", `[["a", "b"], "b"]`, `1`},
		{"index_of", `["héllo", "llo"]`, `2`},
		{"index_of", `[[1], 2]`, `-1`},
		{"sort", `[[3, null, 1], null, "desc"]`, `[3,1,null]`},
		{"sort", `[[3, 1, 2]]`, `[1,2,3]`},
		{"sort", `[["b", "B", "a", "é"]]`, `["B","a","b","é"]`},
		{"sort", `[[true, "b", {"x": 1}, 2, null, "a", 1, false, [0]]]`, `[1,2,"a","b",false,true,{"x":1},[0],null]`},
		{"sort", `[[true, "b", {"x": 1}, 2, null, "a", 1, false, [0]], null, "desc"]`, `[{"x":1},[0],true,false,"b","a",2,1,null]`},
		{"sort", `[[{"n": 2, "i": 0}, {"n": 1, "i": 1}, {"n": 2, "i": 2}], "n"]`, `[{"n":1,"i":1},{"n":2,"i":0},{"n":2,"i":2}]`},
		{"sort", `[[{"n": 2, "i": 0}, {"n": 1, "i": 1}, {"n": 2, "i": 2}], "n", "desc"]`, `[{"n":2,"i":0},{"n":2,"i":2},{"n":1,"i":1}]`},
		{"sort", `[[{"n": 1}, {}, {"n": 0}], "n"]`, `[{"n":0},{"n":1},{}]`},
		{"sort", `[[{"a": {"b": 2}}, {"a": {"b": 1}}], "a.b"]`, `[{"a":{"b":1}},{"a":{"b":2}}]`},
		{"sort", `["x"]`, `error: sort: expected array, got string`},
		{"sort", `[[1], null, "up"]`, `error: sort: direction must be "asc" or "desc"`},
		{"compact", `[[0, null, ""]]`, `[0,""]`},
		{"count", `[[1, 5, 9]]`, `3`},
		{"array_concat", `[[1], null, [2]]`, `[1,2]`},
		{"array_concat", `[[1], 2]`, `error: array_concat: expected array, got number`},
		{"group_by", `[[{"t": "a"}, {"t": "b"}, {"t": "a"}], "t"]`, `{"a":[{"t":"a"},{"t":"a"}],"b":[{"t":"b"}]}`},
		{"group_by", `[[{"n": 1}, {"n": 1.5}, {}, {"n": true}], "n"]`, `{"1":[{"n":1}],"1.5":[{"n":1.5}],"":[{}],"true":[{"n":true}]}`},
		{"pluck", `[[{"a": 1}, {}], "a"]`, `[1,null]`},
		{"pluck", `[[{"a": {"b": [7]}}, {"a": 2}], "a.b.0"]`, `[7,null]`},
		{"pluck", `[[{"a.b": 3}], ["a.b"]]`, `[3]`},
		{"chunk", `[[1, 2, 3], 2]`, `[[1,2],[3]]`},
		{"chunk", `[[], 2]`, `[]`},
		{"chunk", `[[1], 0]`, `error: chunk: size must be ≥ 1`},
		{"zip", `[[1, 2], ["a", "b", "c"]]`, `[[1,"a"],[2,"b"]]`},
		{"zip", `[]`, `[]`},
		{"zip", `[[1], 2]`, `error: zip: expected array, got number`},
		{"range", `[0, 10, 3]`, `[0,3,6,9]`},
		{"range", `[3]`, `[0,1,2]`},
		{"range", `[-3]`, `[]`},
		{"range", `[5, 0, -2]`, `[5,3,1]`},
		{"range", `[0, 1, 0.25]`, `[0,0.25,0.5,0.75]`},
		{"range", `[0, 0.3, 0.1]`, `[0,0.1,0.2]`},
		{"range", `[2, null]`, `[0,1]`},
		{"range", `[0, 1, 0]`, `error: range: step must not be 0`},
		{"range", `[0, 2000000]`, `error: range: more than 1000000 items`},
		{"range", `[0, 1e300, 1e-300]`, `error: range: more than 1000000 items`},
	})
}

func TestMath(t *testing.T) {
	runJSONCases(t, []jsonCase{
		{"max", `[[3, null, 7]]`, `7`},
		{"max", `[3, 9, -1]`, `9`},
		{"min", `[3, 1, null, 2]`, `1`},
		{"min", `[]`, `null`},
		{"max", `[[null]]`, `null`},
		{"max", `[1, "2"]`, `error: max: expected number, got string`},
		{"sum", `[[1, 2.5, null]]`, `3.5`},
		{"sum", `[]`, `0`},
		{"sum", `[1, 2]`, `3`},
		{"sum", `[1.7976931348623157e308, 1.7976931348623157e308]`, `error: sum: result is not a finite number`},
		{"avg", `[[1, 2]]`, `1.5`},
		{"avg", `[[]]`, `null`},
		{"avg", `[1.7976931348623157e308, 1.7976931348623157e308]`, `1.7976931348623157e+308`},
		{"round", `[2.5]`, `3`},
		{"round", `[-2.5]`, `-3`},
		{"round", `[1.005, 2]`, `1.01`},
		{"round", `[1234, -2]`, `1200`},
		{"round", `[1.45, 1]`, `1.5`},
		{"round", `[0.5]`, `1`},
		{"round", `[0.4]`, `0`},
		{"round", `[-0.4]`, `0`},
		{"round", `[999.5]`, `1000`},
		{"round", `[49, -2]`, `0`},
		{"round", `[50, -2]`, `100`},
		{"round", `[0.0001234, 5]`, `0.00012`},
		{"round", `[1e21, 2]`, `1e+21`},
		{"round", `[5e-324, 2]`, `0`},
		{"round", `[1.23456, 16]`, `error: round: digits must be from -15 to 15`},
		{"round", `[1.5, 0.5]`, `error: round: digits must be an integer`},
		{"floor", `[-1.5]`, `-2`},
		{"ceil", `[1.2]`, `2`},
		{"ceil", `[-0.5]`, `0`},
		{"trunc", `[-2.7]`, `-2`},
		{"abs", `[-4]`, `4`},
		{"sign", `[-3]`, `-1`},
		{"sign", `[0]`, `0`},
		{"sign", `[0.1]`, `1`},
		{"sqrt", `[144]`, `12`},
		{"sqrt", `[-1]`, `error: sqrt: argument must not be negative`},
		{"pow", `[2, 10]`, `1024`},
		{"pow", `[10, 400]`, `error: pow: result is not a finite number`},
		{"pow", `[-8, 0.5]`, `error: pow: result is not a finite number`},
		{"mod", `[-7, 3]`, `-1`},
		{"mod", `[7, -3]`, `1`},
		{"mod", `[7, 0]`, `error: mod: division by zero`},
		{"clamp", `[15, 0, 10]`, `10`},
		{"clamp", `[-5, 0, 10]`, `0`},
		{"clamp", `[1, 5, 0]`, `error: clamp: lower bound is greater than upper bound`},
		{"percent", `[1, 3]`, `33.33`},
		{"percent", `[2, 3, 0]`, `67`},
		{"percent", `[1, 0]`, `null`},
		{"random_int", `[6, 1]`, `error: random_int: lower bound is greater than upper bound`},
		{"random_int", `[4, 4]`, `4`},
		{"format_number", `[1234567.891, 2]`, `"1,234,567.89"`},
		{"format_number", `[1234.5]`, `"1,235"`},
		{"format_number", `[-1234.5, 1, ".", ","]`, `"-1.234,5"`},
		{"format_number", `[1.005, 2]`, `"1.01"`},
		{"format_number", `[123, 2]`, `"123.00"`},
		{"format_number", `[999, 0, " "]`, `"999"`},
		{"format_number", `[-0.4]`, `"0"`},
		{"format_number", `[1e21]`, `"1,000,000,000,000,000,000,000"`},
		{"format_number", `[123456, -3]`, `"123,000"`},
	})
}

func TestObjects(t *testing.T) {
	runJSONCases(t, []jsonCase{
		{"keys", `[{"b": 1, "a": 2}]`, `["b","a"]`},
		{"keys", `[null]`, `[]`},
		{"keys", `[[1]]`, `error: keys: expected object, got array`},
		{"values", `[{"b": 1, "a": 2}]`, `[1,2]`},
		{"entries", `[{"a": 1}]`, `[["a",1]]`},
		{"entries", `[null]`, `[]`},
		{"from_entries", `[[["a", 1], ["b", 2]]]`, `{"a":1,"b":2}`},
		{"from_entries", `[[{"key": "a", "value": 1}, ["b", 0], ["a", 2]]]`, `{"a":2,"b":0}`},
		{"from_entries", `[[["a"]]]`, `error: from_entries: a pair must have 2 items, got 1`},
		{"get", `[{"a": {"b": [5]}}, "a.b.0"]`, `5`},
		{"get", `[{"a": 1}, "b", "d"]`, `"d"`},
		{"get", `[{"a": null}, "a", "d"]`, `null`},
		{"get", `[{"a.b": {"c": 1}}, ["a.b", "c"]]`, `1`},
		{"get", `[{"a": [[0, 9]]}, ["a", 0, 1]]`, `9`},
		{"get", `[null, "a"]`, `null`},
		{"get", `[{"a": 1}, 5]`, `null`},
		{"has", `[{"a": null}, "a"]`, `true`},
		{"has", `[{}, "a"]`, `false`},
		{"has", `[null, "a"]`, `false`},
		{"set", `[{"a": 1}, "b.c", 2]`, `{"a":1,"b":{"c":2}}`},
		{"set", `[{"a": 1, "b": 2}, "a", 3]`, `{"a":3,"b":2}`},
		{"set", `[{"a": [1, 2]}, "a.1", 9]`, `{"a":[1,9]}`},
		{"set", `[{"a": [1]}, "a.2", 9]`, `{"a":[1,null,9]}`},
		{"set", `[{"a": 5}, "a.b", 1]`, `{"a":{"b":1}}`},
		{"set", `[null, "x", 1]`, `{"x":1}`},
		{"set", `[{}, "a.0", 1]`, `{"a":{"0":1}}`},
		{"set", `[{"a": [1]}, "a.x", 1]`, `error: set: path segment "x" is not an index of an array`},
		{"delete", `[{"a": 1, "b": 2}, "a"]`, `{"b":2}`},
		{"delete", `[{"a": {"b": 1, "c": 2}}, "a.b"]`, `{"a":{"c":2}}`},
		{"delete", `[{"a": [1, 2, 3]}, "a.1"]`, `{"a":[1,3]}`},
		{"delete", `[{"a": 1}, "x.y"]`, `{"a":1}`},
		{"merge", `[{"a": 1, "b": 1}, {"b": 2}]`, `{"a":1,"b":2}`},
		{"merge", `[null, {"a": 1}]`, `{"a":1}`},
		{"merge", `[{"a": {"x": 1}}, {"a": {"y": 2}}]`, `{"a":{"y":2}}`},
		{"merge", `[{"a": 1}, 2]`, `error: merge: expected object, got number`},
		{"deep_merge", `[{"a": {"x": 1}}, {"a": {"y": 2}}]`, `{"a":{"x":1,"y":2}}`},
		{"deep_merge", `[{"a": [1, 2], "b": {"c": {"d": 1}}}, {"a": [3], "b": {"c": {"e": 2}}}]`, `{"a":[3],"b":{"c":{"d":1,"e":2}}}`},
		{"deep_merge", `[{"a": {"x": 1}}, {"a": 5}]`, `{"a":5}`},
		{"pick", `[{"a": 1, "b": 2, "c": 3}, ["c", "a"]]`, `{"c":3,"a":1}`},
		{"pick", `[{"a": 1}, ["z"]]`, `{}`},
		{"omit", `[{"a": 1, "b": 2}, ["a"]]`, `{"b":2}`},
		{"size", `[{"a": 1, "b": 2}]`, `2`},
		{"size", `["héllo"]`, `5`},
		{"equals", `[{"a": [1]}, {"a": [1]}]`, `true`},
		{"equals", `[{"a": 1, "b": 2}, {"b": 2, "a": 1}]`, `true`},
		{"equals", `[1, "1"]`, `false`},
		{"clone", `[[1]]`, `[1]`},
		{"clone", `[{"a": [1, {"b": 2}]}]`, `{"a":[1,{"b":2}]}`},
	})
}

func TestTypes(t *testing.T) {
	runJSONCases(t, []jsonCase{
		{"typeof", `[[]]`, `"array"`},
		{"typeof", `[null]`, `"null"`},
		{"typeof", `[{}]`, `"object"`},
		{"typeof", `[1]`, `"number"`},
		{"typeof", `[false]`, `"boolean"`},
		{"typeof", `["s"]`, `"string"`},
		{"is_object", `[[]]`, `false`},
		{"is_object", `[{}]`, `true`},
		{"is_object", `[null]`, `false`},
		{"is_null", `[null]`, `true`},
		{"is_array", `[[]]`, `true`},
		{"is_string", `["a"]`, `true`},
		{"is_number", `["1"]`, `false`},
		{"is_boolean", `[false]`, `true`},
		{"is_integer", `[2.0]`, `true`},
		{"is_integer", `[2.5]`, `false`},
		{"is_integer", `["2"]`, `false`},
		{"is_finite", `["1"]`, `false`},
		{"is_finite", `[1]`, `true`},
		{"is_nan", `["abc"]`, `true`},
		{"is_nan", `[null]`, `false`},
		{"is_nan", `[" 1 "]`, `false`},
		{"is_nan", `[true]`, `false`},
		{"is_nan", `[[1]]`, `true`},
		{"is_empty", `[0]`, `false`},
		{"is_empty", `[""]`, `true`},
		{"is_empty", `[[]]`, `true`},
		{"is_empty", `[{}]`, `true`},
		{"is_empty", `[null]`, `true`},
		{"is_empty", `[" "]`, `false`},
		{"is_truthy", `["0"]`, `true`},
		{"is_truthy", `[[]]`, `true`},
		{"is_falsy", `[0]`, `true`},
		{"to_string", `[{"a": 1}]`, `"{\"a\":1}"`},
		{"to_string", `[null]`, `""`},
		{"to_string", `[1.5]`, `"1.5"`},
		{"to_string", `[1e21]`, `"1e+21"`},
		{"to_number", `[" 42 "]`, `42`},
		{"to_number", `["4x"]`, `null`},
		{"to_number", `["+5"]`, `5`},
		{"to_number", `["+-5"]`, `null`},
		{"to_number", `["-1.5e3"]`, `-1500`},
		{"to_number", `["01"]`, `null`},
		{"to_number", `[".5"]`, `null`},
		{"to_number", `["1."]`, `null`},
		{"to_number", `[""]`, `null`},
		{"to_number", `["1e400"]`, `null`},
		{"to_number", `[true]`, `1`},
		{"to_number", `[null]`, `null`},
		{"to_number", `[[1]]`, `error: to_number: expected number, string or boolean, got array`},
		{"to_boolean", `["false"]`, `false`},
		{"to_boolean", `[" OFF "]`, `false`},
		{"to_boolean", `["No"]`, `false`},
		{"to_boolean", `["0"]`, `false`},
		{"to_boolean", `["yes"]`, `true`},
		{"to_boolean", `[0]`, `false`},
		{"to_boolean", `[2]`, `true`},
		{"to_boolean", `[null]`, `false`},
		{"to_boolean", `[[]]`, `true`},
		{"to_boolean", `[false]`, `false`},
		{"to_array", `[5]`, `[5]`},
		{"to_array", `[null]`, `[]`},
		{"to_array", `[[1]]`, `[1]`},
		{"coalesce", `[null, "", "x"]`, `""`},
		{"coalesce", `[null]`, `null`},
		{"default", `[null, "n/a"]`, `"n/a"`},
		{"default", `[0, 1]`, `0`},
		{"if_else", `[true, "high", "low"]`, `"high"`},
		{"if_else", `["", "high", "low"]`, `"low"`},
		{"switch", `[2, {"1": "low", "2": "mid"}]`, `"mid"`},
		{"switch", `[3, {"1": "low"}, "none"]`, `"none"`},
		{"switch", `[2, [[1, "a"], [2, "b"]]]`, `"b"`},
		{"switch", `["2", [[2, "b"]]]`, `null`},
		{"switch", `[1, [1]]`, `error: switch: cases must be [match, result] pairs`},
		{"fail", `["bad input"]`, `error: bad input`},
	})
}

func TestFailIsFailError(t *testing.T) {
	_, err := callFunc(t, newCtx(), "fail", []any{"bad input"})
	var fe *expr.FailError
	if !errors.As(err, &fe) || fe.Message != "bad input" {
		t.Fatalf("got %v, want FailError \"bad input\"", err)
	}
}

func TestEncoding(t *testing.T) {
	runJSONCases(t, []jsonCase{
		{"json_encode", `[{"a": [1]}]`, `"{\"a\":[1]}"`},
		{"json_encode", `[{"a": 1}, 2]`, `"{\n  \"a\": 1\n}"`},
		{"json_encode", `["é<"]`, `"\"é<\""`},
		{"json_encode", `[1, -1]`, `error: json_encode: indent must be an integer from 0 to 10`},
		{"json_decode", `["{\"a\":[1,2]}"]`, `{"a":[1,2]}`},
		{"json_decode", `["{\"b\":1,\"a\":2}"]`, `{"b":1,"a":2}`},
		{"json_decode", `["{"]`, `null`},
		{"json_decode", `["1 2"]`, `null`},
		{"pretty", `[{"a": 1}]`, `"{\n  \"a\": 1\n}"`},
		{"pretty", `[[1], 4]`, `"[\n    1\n]"`},
		{"yaml_encode", `[{"a": 1}]`, `"a: 1\n"`},
		{"yaml_encode", `[{"b": {"c": [1, "2", null, true]}, "a": "x: y"}]`, `"b:\n  c:\n    - 1\n    - \"2\"\n    - null\n    - true\na: 'x: y'\n"`},
		{"yaml_decode", `["a: [1, 2]"]`, `{"a":[1,2]}`},
		{"yaml_decode", `["b: 1\na: x"]`, `{"b":1,"a":"x"}`},
		{"yaml_decode", `["a: ["]`, `null`},
		{"yaml_decode", `[""]`, `null`},
		{"base64_encode", `["héllo"]`, `"aMOpbGxv"`},
		{"base64_encode", `[12]`, `"MTI="`},
		{"base64_decode", `["aGVsbG8="]`, `"hello"`},
		{"base64_decode", `["aGVsbG8"]`, `"hello"`},
		{"base64_decode", `["Pz8-"]`, `"??>"`},
		{"base64_decode", `["Pz8+"]`, `"??>"`},
		{"base64_decode", `["Pz8_"]`, `"???"`},
		{"base64_decode", `["!!"]`, `null`},
		{"base64_decode", `["/w=="]`, `null`},
		{"base64_decode", `["aGVsbG8==="]`, `null`},
		{"base64_decode", `["aGVsbG=="]`, `"hell"`},
		{"url_encode", `["a b&c/é"]`, `"a%20b%26c%2F%C3%A9"`},
		{"url_encode", `["AZaz09-_.~+*!'()"]`, `"AZaz09-_.~%2B%2A%21%27%28%29"`},
		{"url_decode", `["a%20b"]`, `"a b"`},
		{"url_decode", `["a+b"]`, `"a+b"`},
		{"url_decode", `["%C3%a9"]`, `"é"`},
		{"url_decode", `["%zz"]`, `null`},
		{"url_decode", `["%4"]`, `null`},
		{"url_decode", `["%FF"]`, `null`},
		{"hash", `["abc", "md5"]`, `"900150983cd24fb0d6963f7d28e17f72"`},
		{"hash", `["abc", "djb2"]`, `193409669`},
		{"hash", `["", "djb2"]`, `5381`},
		{"hash", `["abc"]`, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{"hash", `["abc", "sha1"]`, `"a9993e364706816aba3e25717850c26c9cd0d89d"`},
		{"hash", `[{"a": 1}, "md5"]`, `"` + md5hex(`{"a":1}`) + `"`},
		{"hash", `["abc", "crc"]`, `error: hash: unknown algorithm "crc"`},
		{"hmac", `["abc", "key"]`, `"9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab"`},
		{"hmac", `["abc", "key", "djb2"]`, `error: hmac: unknown algorithm "djb2"`},
		{"match", `["order-1234", "[0-9]+"]`, `"1234"`},
		{"match", `["abc", "x"]`, `null`},
		{"match", `["abc", "["]`, `error: match: invalid regular expression: missing closing ]`},
		{"capture", `["v1.4", "v(\\d+)\\.(\\d+)"]`, `["v1.4","1","4"]`},
		{"capture", `["ab", "a(x)?b"]`, `["ab",null]`},
		{"capture", `["ab", "z(x)"]`, `null`},
		{"match_all", `["a1b22c333", "[0-9]+"]`, `["1","22","333"]`},
		{"match_all", `["abc", "x"]`, `[]`},
		{"test", `["abc", "^a"]`, `true`},
		{"test", `["abc", "(?i)^A"]`, `true`},
		{"test", `["abc", "^b"]`, `false`},
	})
}

// TestDJB2UTF16 checks that djb2 hashes UTF-16 units: an astral character
// is two units.
func TestDJB2UTF16(t *testing.T) {
	tests := []struct {
		in   string
		want uint32
	}{
		{"abc", 193409669},
		{"é", 5381*33 ^ 0xe9},
		{"😀", uint32(int32(5381*33^0xd83d)*33 ^ 0xde00)},
	}
	for _, tc := range tests {
		if got := djb2(tc.in); got != tc.want {
			t.Errorf("djb2(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestRandom(t *testing.T) {
	c := newCtx()
	for i := 0; i < 200; i++ {
		r, err := callFunc(t, c, "random", nil)
		if err != nil || r.(float64) < 0 || r.(float64) >= 1 {
			t.Fatalf("random() = %v, %v", r, err)
		}
		n, err := callFunc(t, c, "random_int", []any{1.0, 6.0})
		if err != nil || n.(float64) < 1 || n.(float64) > 6 || n.(float64) != float64(int(n.(float64))) {
			t.Fatalf("random_int(1, 6) = %v, %v", n, err)
		}
	}
}

func TestUUID(t *testing.T) {
	a, err := callFunc(t, newCtx(), "uuid", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := callFunc(t, newCtx(), "uuid", nil)
	if a != b {
		t.Errorf("same seed gave %v and %v", a, b)
	}
	s := a.(string)
	ok := len(s) == 36 && s[14] == '4' && strings.ContainsRune("89ab", rune(s[19])) &&
		s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' && strings.ToLower(s) == s
	if !ok {
		t.Errorf("uuid() = %q, not a lowercase v4 UUID", s)
	}
}
