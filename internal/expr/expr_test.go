package expr

import (
	"strings"
	"testing"
)

func TestEval(t *testing.T) {
	tests := []struct{ src, want string }{
		// §2 numbers and strings
		{`12`, `12`}, {`1.5`, `1.5`}, {`.5`, `0.5`}, {`1e3`, `1000`}, {`2.5E-3`, `0.0025`},
		{`-3`, `-3`}, {`'a\'b'`, `"a'b"`}, {`"a\"b"`, `"a\"b"`},
		{`"\\ \n\r\t\b\f\v\0\/"`, `"\\ \n\r\t\b\f\u000b\u0000/"`},
		{`"\u00e9\u{1F600}"`, `"é😀"`}, {`"\uD83D\uDE00"`, `"😀"`},
		{`true`, `true`}, {`false`, `false`}, {`null`, `null`},
		// §2 hyphenated ids
		{`fetch-joke.output`, `{"joke":"ha","n":3}`}, {`fetch-joke.joke`, `"ha"`},
		{`a-1`, `9`}, {`a-b`, `error R602: operator "-" needs numbers, got number and null in "a-b"`},
		{`fetch - joke`, `compile X402: unknown name "fetch"`},
		// §3 precedence
		{`1 + 2 * 3`, `7`}, {`(1 + 2) * 3`, `9`}, {`10 - 4 - 3`, `3`}, {`2 * 3 % 4`, `2`},
		{`!true || true`, `true`}, {`NOT false AND true`, `true`}, {`1 < 2 == true`, `true`},
		{`true ? 1 : false ? 2 : 3`, `1`}, {`false ? 1 : false ? 2 : 3`, `3`},
		{`null ?? 1 ?? 2`, `1`}, {`(null ?? false) || "x"`, `"x"`},
		{`-2 * -3`, `6`}, {`- -2`, `2`}, {`+3`, `3`}, {`typeof 1 + "x"`, `"numberx"`},
		{`typeof null`, `"null"`}, {`typeof [1]`, `"array"`}, {`typeof {}`, `"object"`},
		// pipes
		{`"abc" | upper`, `"ABC"`}, {`"hello world" | upper | truncate(8)`, `"HELLO..."`},
		{`[1, 2] | map(x => x * 10)`, `[10,20]`},
		// §4 values and operators
		{`0.1 + 0.2`, `0.30000000000000004`}, {`1e21`, `1e+21`}, {`1e-7`, `1e-7`},
		{`"2" == 2`, `true`}, {`"2" === 2`, `false`}, {`"x" == 0`, `false`}, {`2 != "2"`, `false`},
		{`[1, [2]] === [1, [2]]`, `true`}, {`{a: 1, b: 2} === {b: 2, a: 1}`, `true`}, {`{a: 1} === {a: 1, b: 2}`, `false`},
		{`null == null`, `true`}, {`null === false`, `false`}, {`1 !== 1`, `false`},
		{`1 < 2`, `true`}, {`"a" < "b"`, `true`}, {`"B" < "a"`, `true`}, {`null < 1`, `false`}, {`1 >= null`, `false`},
		{`1 < "2"`, `error R602: cannot compare number with string in "1 < \"2\""`},
		{`"a" + null`, `"a"`}, {`"n=" + 2`, `"n=2"`}, {`1 + 2`, `3`}, {`"x" + [1]`, `"x[1]"`}, {`"x" + {a: 1}`, `"x{\"a\":1}"`},
		{`[1] + [2]`, `error R602: cannot add array and array (use concat) in "[1] + [2]"`},
		{`1 + null`, `error R602: cannot add number and null in "1 + null"`},
		{`-7 % 3`, `-1`}, {`7 % -3`, `1`}, {`1 / 0`, `error R602: division by zero in "1 / 0"`}, {`1 % 0`, `error R602: division by zero in "1 % 0"`},
		{`1e308 * 10`, `error R602: result of "*" is not a finite number in "1e308 * 10"`},
		{`-"a"`, `error R602: unary - needs a number, got string in "-\"a\""`},
		{`!0`, `true`}, {`!""`, `true`}, {`![]`, `false`}, {`!{}`, `false`}, {`!"0"`, `false`},
		{`0 || "x"`, `"x"`}, {`"a" && 2`, `2`}, {`0 && fail("no")`, `0`}, {`1 || fail("no")`, `1`},
		{`0 ?? 5`, `0`}, {`null ?? 5`, `5`}, {`false ?? 5`, `false`},
		{`2 IN [1, 2]`, `true`}, {`"2" IN [1, 2]`, `false`}, {`"a" IN {a: null}`, `true`}, {`"b" IN {a: 1}`, `false`},
		{`"ell" IN "hello"`, `true`}, {`1 IN "x"`, `error R602: cannot test number IN string in "1 IN \"x\""`},
		{`[1] IN [[1]]`, `true`},
		// member access
		{`{a: 1}.a`, `1`}, {`{a: 1}.b`, `null`}, {`null.a`, `null`}, {`[1, 2].length`, `2`}, {`"héllo".length`, `5`},
		{`[1, 2][1]`, `2`}, {`[1, 2][5]`, `null`}, {`[1, 2][-1]`, `null`},
		{`[1, 2][0.5]`, `error R602: array index 0.5 is not an integer in "[1, 2][0.5]"`},
		{`"héllo"[1]`, `"é"`}, {`"abc"[9]`, `null`}, {`[1].foo`, `error R602: cannot read member "foo" of array in "[1].foo"`},
		{`[1]?.foo`, `null`}, {`(1).x`, `error R602: cannot read member "x" of number in "(1).x"`}, {`true?.x`, `null`},
		{`"s".x`, `error R602: cannot read member "x" of string in "\"s\".x"`},
		{`{a: {b: 2}}["a"]["b"]`, `2`}, {`{a: 1}?.["a"]`, `1`}, {`null?.[0]`, `null`},
		{`{a: 1}["__proto__"]`, `error R602: member "__proto__" is not allowed in "{a: 1}[\"__proto__\"]"`},
		{`{"1": "x"}[1]`, `"x"`}, {`[1]["length"]`, `1`},
		// arrays and objects
		{`[1, ...[2, 3], 4]`, `[1,2,3,4]`}, {`[...null]`, `error R602: cannot spread null into an array in "null"`},
		{`{a: 1, ...{b: 2, a: 3}}`, `{"a":3,"b":2}`}, {`{...null, a: 1}`, `{"a":1}`},
		{`{["k" + 1]: 2}`, `{"k1":2}`}, {`{[1]: 2}`, `{"1":2}`}, {`{"a b": 1, c: 2,}`, `{"a b":1,"c":2}`},
		{`[1, 2,]`, `[1,2]`}, {`[]`, `[]`}, {`{}`, `{}`}, {`{b: 1, a: 2}`, `{"b":1,"a":2}`},
		// names
		{`input.name`, `"Ada"`}, {`input.tags[1]`, `"y"`}, {`$input.user`, `"grace"`}, {`$config.region`, `"eu"`},
		{`$secrets.API_KEY`, `"s3cret"`}, {`$env.HOME`, `"/root"`}, {`$context.k`, `1`}, {`$run.id`, `"r1"`},
		{`$vars.counter`, `4`}, {`counter + 1`, `5`}, {`total`, `"t"`}, {`$workflow`, `null`},
		{`orders[1].total`, `15`}, {`orders.output[0].id`, `1`}, {`orders.status`, `"success"`}, {`orders.duration`, `12`},
		{`orders.attempts`, `1`}, {`orders.error`, `null`}, {`b.error.code`, `"R609"`}, {`b`, `null`}, {`b.status`, `"failed"`},
		{`b.attempts`, `2`}, {`users.normalize[0].name`, `"x"`}, {`users.fetch-users`, `"fu"`}, {`users.count`, `2`},
		{`gather.orders[0].id`, `1`}, {`users.normalize.status`, `"success"`},
		{`$item`, `null`}, {`$attempt`, `null`},
		// calls and arrows
		{`length([1, 2])`, `2`}, {`upper("abc")`, `"ABC"`}, {`map([1, 2], (x, i) => x * 10 + i)`, `[10,21]`},
		{`filter([1, 2, 3], x => x % 2)`, `[1,3]`}, {`reduce([1, 2, 3], (a, x) => a + x, 0)`, `6`},
		{`map([{a: 1}], x => ({...x, ok: true}))`, `[{"a":1,"ok":true}]`}, {`map([1], x => {v: x})`, `[{"v":1}]`},
		{`map([1, 2], x => map([10, 20], y => x + y))`, `[[11,21],[12,22]]`}, {`map([1], () => 5)`, `[5]`},
		{`map([1], x => input.n + x)`, `[6]`},
		{`upper(1)`, `error R602: upper: expected string, got number`},
		{`fail("bad input")`, `error R621: bad input`},
		{`"a" + map([1], x => x)`, `"a[1]"`},
	}
	n := testNames()
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if got := evalStr(t, tt.src, n, testEnv()); got != tt.want {
				t.Errorf("%s\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		src        string
		code       string
		start, end int
		msg        string
		hint       string
	}{
		{`1 +`, "X401", 3, 3, `unexpected end of expression`, ""},
		{`a = 1`, "X401", 2, 3, `assignment is not supported`, ""},
		{`2 ** 3`, "X401", 2, 4, `operator "**" is not supported`, ""},
		{`1 & 2`, "X401", 2, 3, `bitwise operators are not supported`, ""},
		{"`x`", "X401", 0, 1, `template literals are not supported`, ""},
		{`/a/`, "X401", 0, 1, `regular expression literals are not supported`, ""},
		{`new Date()`, "X401", 0, 3, `"new" is not supported`, ""},
		{`1, 2`, "X401", 1, 2, `sequences with "," are not supported`, ""},
		{`'abc`, "X401", 0, 4, `unterminated string`, ""},
		{"'a\nb'", "X401", 0, 2, `line break inside a string`, ""},
		{`"\x41"`, "X401", 1, 3, `invalid escape "\\x"`, ""},
		{`0x10`, "X401", 0, 4, `invalid number "0x10"`, ""},
		{`1e999`, "X401", 0, 5, `number 1e999 is out of range`, ""},
		{`this`, "X401", 0, 4, `"this" is only available inside template blocks`, ""},
		{`ordrs`, "X402", 0, 5, `unknown name "ordrs"`, `did you mean "orders"?`},
		{`undefined`, "X402", 0, 9, `unknown name "undefined"`, "use null"},
		{`$foo`, "X402", 0, 4, `unknown name "$foo"`, ""},
		{`$iput.x`, "X402", 0, 5, `unknown name "$iput"`, `did you mean "$input"?`},
		{`@index`, "X402", 0, 6, `unknown name "@index"`, "@index, @key, @first and @last exist inside {{#each}} blocks"},
		{`$config.regin`, "X406", 8, 13, `unknown config key "regin"`, `did you mean "region"?`},
		{`$config["nope"]`, "X406", 8, 14, `unknown config key "nope"`, ""},
		{`$secrets.API_KY`, "X406", 9, 15, `unknown secret "API_KY"`, `did you mean "API_KEY"?`},
		{`$env.PATH`, "X406", 5, 9, `unknown environment variable "PATH"`, ""},
		{`$vars.cnt`, "X402", 6, 9, `unknown variable "cnt"`, ""},
		{`uper("a")`, "X403", 0, 4, `unknown function "uper"`, `did you mean "upper"?`},
		{`upper("a", "b")`, "X404", 0, 15, `upper takes 1 argument, got 2`, ""},
		{`"a" | truncate`, "X404", 0, 14, `truncate takes 2 to 3 arguments, got 1`, ""},
		{`map([1])`, "X404", 0, 8, `map takes 2 arguments, got 1`, ""},
		{`a ?? b || c`, "X407", 2, 11, `"??" cannot be mixed with "&&" or "||" without parentheses`, ""},
		{`a && b ?? c`, "X407", 0, 9, `"??" cannot be mixed with "&&" or "||" without parentheses`, ""},
		{`x.f()`, "X407", 0, 4, `methods cannot be called`, "write f(x)"},
		{`input.upper()`, "X407", 0, 12, `methods cannot be called`, "write upper(x)"},
		{`input.__proto__`, "X407", 6, 15, `member "__proto__" is not allowed`, ""},
		{`input.constructor`, "X407", 6, 17, `member "constructor" is not allowed`, ""},
		{`x => x`, "X407", 0, 6, `arrow functions are only allowed as function arguments`, ""},
		{`1 + (x => x)`, "X407", 5, 11, `arrow functions are only allowed as function arguments`, ""},
		{`(input)(1)`, "X407", 0, 8, `only built-in functions can be called`, ""},
		{strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), "X401", 256, 257, `expression nested more than 256 levels deep`, ""},
		// §1: text outside the {{ }} wrapper of an expression field is N305,
		// positioned at that text.
		{`{{ $item > 1 }} AND true`, "N305", 16, 24, `text "AND true" outside the "{{ }}" wrapper`, "an expression field holds one expression: write all of it inside one {{ }}, or drop the braces"},
		{`n: {{ x }}`, "N305", 0, 2, `text "n:" outside the "{{ }}" wrapper`, ""},
		{`{{ true }}!`, "N305", 10, 11, `text "!" outside the "{{ }}" wrapper`, ""},
		{` {{ 1 }} {{ 2 }} `, "N305", 9, 16, `text "{{ 2 }}" outside the "{{ }}" wrapper`, ""},
		{`"{{" + {{ 1 }}`, "N305", 0, 6, `text "\"{{\" +" outside the "{{ }}" wrapper`, ""},
		{`{{ 1 + 2`, "X401", 0, 2, `unclosed "{{"`, `close it with "}}"`},
		{strings.Repeat(" ", 70000), "X401", 0, 70000, `expression longer than 65536 bytes`, ""},
	}
	n := testNames()
	for _, tt := range tests {
		name := tt.src
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			_, errs := Compile(tt.src, nil, n)
			if len(errs) == 0 {
				t.Fatalf("%s: no error", tt.src)
			}
			e := errs[0]
			if e.Code != tt.code || e.Start != tt.start || e.End != tt.end || e.Message != tt.msg {
				t.Errorf("%s:\n got %s %d-%d %q\nwant %s %d-%d %q", tt.src, e.Code, e.Start, e.End, e.Message, tt.code, tt.start, tt.end, tt.msg)
			}
			if tt.hint != "" && (len(e.Hints) == 0 || e.Hints[0] != tt.hint) {
				t.Errorf("%s: hints %q, want %q", tt.src, e.Hints, tt.hint)
			}
		})
	}
}

// TestParseDepth checks the documented limit of §7: 256 levels of nesting,
// each parenthesis, bracket, brace, call, unary operator or arrow body
// counting once.
func TestParseDepth(t *testing.T) {
	n := testNames()
	nest := func(open, x, close string, k int) string {
		return strings.Repeat(open, k) + x + strings.Repeat(close, k)
	}
	tests := []struct {
		name  string
		build func(k int) string
	}{
		{"parens", func(k int) string { return nest("(", "1", ")", k) }},
		{"arrays", func(k int) string { return nest("[", "1", "]", k) }},
		{"objects", func(k int) string { return nest("{a: ", "1", "}", k) }},
		{"calls", func(k int) string { return nest("length(", "1", ")", k) }},
		{"index", func(k int) string { return "input" + nest("[", "0", "]", k) }},
		{"unary", func(k int) string { return strings.Repeat("- ", k) + "1" }},
		{"ternary", func(k int) string { return strings.Repeat("true ? 1 : ", k) + "2" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, errs := Compile(tt.build(256), nil, n); errs != nil {
				t.Errorf("256 levels: %v", errs[0])
			}
			_, errs := Compile(tt.build(257), nil, n)
			if errs == nil || errs[0].Code != "X401" || errs[0].Message != "expression nested more than 256 levels deep" {
				t.Errorf("257 levels: %v", errs)
			}
		})
	}
	if _, errs := CompilePattern(nest("(", "1", ")", 256), nil, n); errs != nil {
		t.Errorf("pattern, 256 levels: %v", errs[0])
	}
	if _, errs := CompilePattern(nest("(", "1", ")", 257), nil, n); errs == nil {
		t.Errorf("pattern, 257 levels: no error")
	}
}

// TestFunctionIsNotAValue checks that arrow functions exist only as
// arguments (§3, §4): a function that would become a value through a call,
// an arrow's result or a literal is R602 where that happens, and typeof of
// an arrow argument is "function" (§12.6).
func TestFunctionIsNotAValue(t *testing.T) {
	n := testNames()
	tests := []struct{ src, want string }{
		{`default(null, x => 1)`, `error R602: a function is not a value (default returned one) in "default(null, x => 1)"`},
		{`{{ default(null, x => 1) }}`, `error R602: a function is not a value (default returned one) in "default(null, x => 1)"`},
		{`[default(null, x => 1)]`, `error R602: a function is not a value (default returned one) in "default(null, x => 1)"`},
		{`reduce([], (a, x) => a, y => 1)`, `error R602: a function is not a value (reduce returned one) in "reduce([], (a, x) => a, y => 1)"`},
		{`reduce([1], (a, x) => a, y => 1)`, `error R602: a function is not a value (an arrow function returned one) in "a"`},
		{`reduce([1], (a, x) => x > 0 ? a : null, y => 1)`, `error R602: a function is not a value (an arrow function returned one) in "x > 0 ? a : null"`},
		{`reduce([1], (a, x) => [x, a], y => 1)`, `error R602: a function is not a value (it cannot be an array item) in "a"`},
		{`reduce([1], (a, x) => {f: a}, y => 1)`, `error R602: a function is not a value (it cannot be an object value) in "a"`},
		{`reduce([1], (a, x) => {[x]: a}, y => 1)`, `error R602: a function is not a value (it cannot be an object value) in "a"`},
		{`reduce([1], (a, x) => typeof a, y => 1)`, `"function"`},
		{`typeof(x => 1)`, `"function"`},
		{`typeof((a, b) => a + b) + "!"`, `"function!"`},
		{`typeof (1)`, `"number"`},
		{`typeof x => 1`, `compile X407: arrow functions are only allowed as function arguments`},
		{`typeof(x => 1).length`, `compile X401: unexpected "."`},
		{`map([1, 2], x => x * 2)`, `[2,4]`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if got := evalStr(t, tt.src, n, testEnv()); got != tt.want {
				t.Errorf("%s\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestCompileReportsEveryNameError(t *testing.T) {
	_, errs := Compile(`foo + bar + uper(1)`, nil, testNames())
	var got []string
	for _, e := range errs {
		got = append(got, e.Code)
	}
	if strings.Join(got, " ") != "X402 X402 X403" {
		t.Errorf("codes = %v", got)
	}
}

func TestPosMap(t *testing.T) {
	pm := func(i int) int { return 100 + 2*i }
	_, errs := Compile(`1 + nope`, pm, testNames())
	if len(errs) != 1 || errs[0].Start != 108 || errs[0].End != 116 {
		t.Fatalf("errs = %+v", errs)
	}
	p, _ := Compile(`1 / 0`, pm, testNames())
	_, err := p.Eval(testEnv())
	ee := err.(*EvalError)
	if ee.Start != 100 || ee.End != 110 {
		t.Errorf("eval error span %d-%d", ee.Start, ee.End)
	}
}

func TestWrapper(t *testing.T) {
	for _, src := range []string{`{{ 40 + 2 }}`, ` {{~ 40 + 2 ~}} `, `40 + 2`} {
		if got := evalStr(t, src, testNames(), testEnv()); got != "42" {
			t.Errorf("%q = %s", src, got)
		}
	}
	if got := evalStr(t, `{{ {a: {b: 1}} }}`, testNames(), testEnv()); got != `{"a":{"b":1}}` {
		t.Errorf("object in wrapper = %s", got)
	}
}

func TestHyphenLexing(t *testing.T) {
	nodes := map[string]bool{"a": true, "a-b": true, "fetch-joke": true}
	n := &Names{IsNode: func(s string) bool { return nodes[s] }}
	tests := []struct{ src, want string }{
		{`a-b`, "a-b"}, {`a-1`, "a"}, {`fetch-joke.x`, "fetch-joke"}, {`fetch-jokes`, "fetch"},
	}
	for _, tt := range tests {
		l := lexer{src: tt.src, end: len(tt.src), isNode: n.IsNode}
		if got := l.next().text; got != tt.want {
			t.Errorf("%s: first token %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestArrowProgram(t *testing.T) {
	n := testNames()
	n.AllowArrow = true
	p, errs := Compile(`x => ({...x, ok: true})`, nil, n)
	if errs != nil {
		t.Fatal(errs[0])
	}
	if !p.IsArrow() {
		t.Fatal("IsArrow = false")
	}
	env := testEnv()
	v, err := p.Call(env, js(`{"a":1}`), 0.0)
	if err != nil || jsonOf(v) != `{"a":1,"ok":true}` {
		t.Errorf("got %s, %v", jsonOf(v), err)
	}
	p2, _ := Compile(`(acc, x, i) => acc + x * i`, nil, n)
	v, err = p2.Call(env, 1.0, 2.0, 3.0)
	if err != nil || jsonOf(v) != `7` {
		t.Errorf("got %s, %v", jsonOf(v), err)
	}
}

func TestItemsAndLocals(t *testing.T) {
	n := testNames()
	n.Locals = []string{"task", "i"}
	env := testEnv()
	items := []any{js(`{"name":"a","hours":2}`), js(`{"name":"b","hours":1}`)}
	env.SetItemNames("task", "i")
	p, errs := Compile(`task.name + ":" + task.hours * 50 + ":" + i + $first + $last + length($items) + $index`, nil, n)
	if errs != nil {
		t.Fatal(errs[0])
	}
	var got []string
	for i, it := range items {
		env.SetItem(it, i, i == 0, i == len(items)-1, items)
		v, err := p.Eval(env)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v.(string))
	}
	if strings.Join(got, ",") != "a:100:0truefalse20,b:50:1falsetrue21" {
		t.Errorf("got %v", got)
	}
	env.SetLocal("$acc", 5.0)
	env.SetLocal("$error", js(`{"code":"R609"}`))
	if got := evalStr(t, `$acc + 1 + $error.code`, n, env); got != `"6R609"` {
		t.Errorf("got %s", got)
	}
	if _, errs := Compile(`item`, nil, n); errs == nil || errs[0].Code != "X402" {
		t.Errorf("item is in scope with foreach item=task")
	}
}

func TestRefs(t *testing.T) {
	n := testNames()
	p, errs := Compile(`orders[0].total + fetch-joke.n + users.normalize.status + gather.orders + counter + $vars.total + $config.region + $secrets.API_KEY + $env.HOME + $input.user + $context.k + input + $config[k2()] + $input`, nil, n)
	if errs == nil {
		t.Fatal("k2 should be unknown")
	}
	n.Funcs["k2"] = &Func{Name: "k2", Min: 0, Max: 0, Call: func(*Ctx, []any) (any, error) { return "region", nil }}
	p, errs = Compile(`orders[0].total + fetch-joke.n + users.normalize.status + gather.orders + counter + $vars.total + $config.region + $secrets.API_KEY + $env.HOME + $input.user + $context.k + input + $config[k2()] + $input`, nil, n)
	if errs != nil {
		t.Fatal(errs[0])
	}
	var got []string
	for _, r := range p.Refs() {
		got = append(got, r.Kind.String()+":"+r.Name)
	}
	want := "node:orders node:fetch-joke node:users.normalize node:orders var:counter var:total config:region secret:API_KEY env:HOME input:user context:k node-input:input config: input:"
	if strings.Join(got, " ") != want {
		t.Errorf("refs\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if r := p.Refs()[1]; r.Start != 18 || r.End != 28 {
		t.Errorf("fetch-joke ref span %d-%d", r.Start, r.End)
	}
}

func TestBudgets(t *testing.T) {
	n := testNames()
	tests := []struct{ src, want string }{
		{`range(0, 1000000) | map(x => range(0, 1000000))`, "R612"},
		{`reduce(range(0, 2000), (a, x) => a + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" + a, "")`, "R612"},
	}
	for _, tt := range tests {
		p, errs := Compile(tt.src, nil, n)
		if errs != nil {
			t.Fatal(errs[0])
		}
		_, err := p.Eval(testEnv())
		ee, ok := err.(*EvalError)
		if !ok || ee.Code != tt.want {
			t.Errorf("%s: err = %v", tt.src[:30], err)
		}
	}
	// Arrow nesting depth: a function value calling itself through a variable.
	deep := `map([1], f => map([1], f => map([1], f => 1)))`
	if got := evalStr(t, deep, n, testEnv()); got != `[[[1]]]` {
		t.Errorf("nested = %s", got)
	}
}

func TestArrowDepthBudget(t *testing.T) {
	n := testNames()
	src := "1"
	for i := 0; i < 70; i++ {
		src = "map([1], x" + strings.Repeat("y", i) + " => " + src + ")"
	}
	got := evalStr(t, src, n, testEnv())
	if !strings.HasPrefix(got, "error R612: expression budget exceeded: more than 64 nested arrow invocations") {
		t.Errorf("got %s", got)
	}
}
