package expr

import (
	"testing"
)

func TestPattern(t *testing.T) {
	tests := []struct {
		pat, subject string
		want         bool
	}{
		// the table of spec/expressions.md §9
		{`{ type: 'urgent', priority: > 8 }`, `{"type": "urgent", "priority": 9, "id": 4}`, true},
		{`{ tags: [*, 'featured', *] }`, `{"tags": ["a", "featured"]}`, true},
		{`{ tags: ['urgent', *] }`, `{"tags": ["x", "urgent"]}`, false},
		{`[_, _]`, `[1, null]`, true},
		{`{ status: 'open' | 'pending' }`, `{"status": "pending"}`, true},
		{`{ type: 'A' } OR { type: 'B' }`, `{"type": "B"}`, true},
		{`NOT { status: 'deleted' }`, `{}`, true},
		{`{ email: /@acme\.com$/ }`, `{"email": "x@ACME.com"}`, false},
		{`{ n: > 5 AND < 10 }`, `{"n": "7"}`, false},
		{`{ n: -1 | >= 100 }`, `{"n": -1}`, true},
		// §9 description rows and more
		{`_`, `null`, true}, {`_`, `{"a": 1}`, true},
		{`'x'`, `"x"`, true}, {`1`, `"1"`, false}, {`null`, `null`, true}, {`true`, `1`, false},
		{`> 8`, `9`, true}, {`> 8`, `"9"`, false}, {`!= 'failed'`, `"ok"`, true}, {`!= 'failed'`, `"failed"`, false},
		{`>= ($config.limit)`, `10`, true}, {`>= ($config.limit)`, `9`, false}, {`< (input.n)`, `4`, true},
		{`== 'a'`, `"a"`, true}, {`<= "b"`, `"a"`, true}, {`> 8`, `null`, false},
		{`/.*@acme\.com$/i`, `"x@ACME.com"`, true}, {`/^a.b$/s`, `"a\nb"`, true}, {`/^b$/m`, `"a\nb"`, true},
		{`/a\/b/`, `"a/b"`, true}, {`/a/`, `1`, false},
		{`typeof 'object'`, `{}`, true}, {`typeof 'array'`, `{}`, false}, {`typeof 'null'`, `null`, true},
		{`{ a: _ }`, `{}`, true}, {`{ a: null }`, `{}`, true}, {`{ a: 1 }`, `[1]`, false}, {`{ "b c": 1, }`, `{"b c": 1}`, true},
		{`[]`, `[]`, true}, {`[]`, `[1]`, false}, {`[*]`, `[]`, true}, {`[1, *]`, `[1, 2, 3]`, true}, {`[*, 3]`, `[1, 2, 3]`, true},
		{`[*, 2, *, 4]`, `[1, 2, 3, 4]`, true}, {`[1, 2]`, `[1, 2, 3]`, false}, {`[1,]`, `[1]`, true},
		{`[{ a: > 1 }, *]`, `[{"a": 2}]`, true},
		{`(1 | 2) AND NOT 2`, `1`, true}, {`(1 | 2) AND NOT 2`, `2`, false}, {`NOT NOT 1`, `1`, true},
		{`1 OR 2 AND 3`, `1`, true},
	}
	n := testNames()
	for _, tt := range tests {
		t.Run(tt.pat+" ~ "+tt.subject, func(t *testing.T) {
			p, errs := CompilePattern(tt.pat, nil, n)
			if errs != nil {
				t.Fatal(errs[0])
			}
			got, err := p.Match(testEnv(), js(tt.subject))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s ~ %s = %v, want %v", tt.pat, tt.subject, got, tt.want)
			}
		})
	}
}

func TestPatternErrors(t *testing.T) {
	tests := []struct {
		pat        string
		code       string
		start, end int
		msg        string
	}{
		{``, "X408", 0, 0, `unexpected end of pattern`},
		{`{ a 1 }`, "X408", 4, 5, `expected ":" after the key, found number`},
		{`[1`, "X408", 2, 2, `expected "]", found end of expression`},
		{`/abc`, "X408", 0, 4, `unterminated regular expression`},
		{`/a(/`, "X408", 0, 4, "invalid regular expression: missing closing ): `a(`"},
		{`/a/x`, "X408", 3, 4, `invalid regular expression flag "x"`},
		{`typeof 'thing'`, "X408", 7, 14, `unknown type "thing"`},
		{`> foo`, "X408", 2, 5, `expected a literal or ( expression ) after ">", found "foo"`},
		{`> (nope)`, "X402", 3, 7, `unknown name "nope"`},
		{`> ($config.nope)`, "X406", 11, 15, `unknown config key "nope"`},
		{`1 2`, "X408", 2, 3, `unexpected number`},
		{`- 'a'`, "X408", 2, 5, `expected a number after "-", found string`},
		{`=== 1`, "X408", 0, 3, `"===" is not a pattern operator`},
		{`{ a: 'x }`, "X408", 5, 9, `unterminated string`},
	}
	for _, tt := range tests {
		_, errs := CompilePattern(tt.pat, nil, testNames())
		if len(errs) == 0 {
			t.Errorf("%q: no error", tt.pat)
			continue
		}
		if e := errs[0]; e.Code != tt.code || e.Start != tt.start || e.End != tt.end || e.Message != tt.msg {
			t.Errorf("%q:\n got %s %d-%d %q\nwant %s %d-%d %q", tt.pat, e.Code, e.Start, e.End, e.Message, tt.code, tt.start, tt.end, tt.msg)
		}
	}
}

func TestPatternRefs(t *testing.T) {
	p, errs := CompilePattern(`{ n: >= ($config.limit) AND < (orders[0].total) }`, nil, testNames())
	if errs != nil {
		t.Fatal(errs[0])
	}
	refs := p.Refs()
	if len(refs) != 2 || refs[0].Kind != RefConfig || refs[0].Name != "limit" || refs[1].Kind != RefNode || refs[1].Name != "orders" {
		t.Errorf("refs = %+v", refs)
	}
}
