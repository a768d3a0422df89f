package typedsl

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/value"
)

func mustParse(t *testing.T, s string) *Type {
	t.Helper()
	ty, err := Parse(s, nil)
	if err != nil {
		t.Fatalf("Parse(%q): %s", s, err.Message)
	}
	return ty
}

func js(t *testing.T, s string) any {
	t.Helper()
	v, err := value.ParseJSON([]byte(s))
	if err != nil {
		t.Fatalf("ParseJSON(%q): %v", s, err)
	}
	return v
}

// TestTable covers every row of the table of spec/expressions.md §11: what
// the type accepts, what it rejects and its JSON Schema.
func TestTable(t *testing.T) {
	tests := []struct {
		dsl    string
		accept []string // JSON values
		reject []string
		schema string
	}{
		{"string", []string{`"x"`, `""`}, []string{`1`, `null`, `true`}, `{"type":"string"}`},
		{"boolean", []string{`true`, `false`}, []string{`"true"`, `0`}, `{"type":"boolean"}`},
		{"null", []string{`null`}, []string{`0`, `""`}, `{"type":"null"}`},
		{"number", []string{`1`, `2.5`, `-3e2`}, []string{`"1"`, `null`}, `{"type":"number"}`},
		{"integer", []string{`3`, `-7`, `3.0`}, []string{`3.5`, `"3"`}, `{"type":"integer"}`},
		{"any", []string{`1`, `null`, `{"a":[1]}`, `"s"`}, nil, `{}`},
		{"object", []string{`{}`, `{"a":1}`}, []string{`[]`, `null`}, `{"type":"object"}`},
		{"array", []string{`[]`, `[1,"a"]`}, []string{`{}`, `"a"`}, `{"type":"array"}`},
		{"datetime", []string{`"2026-11-25T10:15:00Z"`, `"2026-11-25T10:15:00.5+01:00"`}, []string{`"2026-11-25"`, `"yesterday"`, `1`}, `{"type":"string","format":"date-time"}`},
		{"date", []string{`"2026-11-25"`}, []string{`"2026-13-01"`, `"2026-11-25T10:00:00Z"`, `"26-1-1"`}, `{"type":"string","format":"date"}`},
		{"duration", []string{`"1h30m"`, `"500ms"`, `"1.5h"`, `"0s"`, `"PT30S"`, `"P1D"`, `"2w3d"`}, []string{`"300"`, `"1m1h"`, `"P1Y"`, `"P"`, `300`, `"1x"`}, `{"type":"string"}`},
		{"enum[a, b]", []string{`"a"`, `"b"`}, []string{`"c"`, `1`}, `{"enum":["a","b"]}`},
		{"enum[1, 2.5, x]", []string{`1`, `2.5`, `"x"`}, []string{`"1"`, `3`}, `{"enum":[1,2.5,"x"]}`},
		{"string[]", []string{`[]`, `["a","b"]`}, []string{`["a",1]`, `"a"`}, `{"type":"array","items":{"type":"string"}}`},
		{"string?", []string{`"a"`, `null`}, []string{`1`}, `{"anyOf":[{"type":"string"},{"type":"null"}]}`},
		{"number | string", []string{`1`, `"a"`}, []string{`true`, `null`}, `{"anyOf":[{"type":"number"},{"type":"string"}]}`},
		{"{k: string, n: number?}", []string{`{"k":"x","n":1}`, `{"k":"x"}`, `{"k":"x","n":null}`}, []string{`{"n":1}`, `{"k":"x","z":1}`, `[]`},
			`{"type":"object","properties":{"k":{"type":"string"},"n":{"anyOf":[{"type":"number"},{"type":"null"}]}},"required":["k","n"],"additionalProperties":false}`},
	}
	for _, tt := range tests {
		ty := mustParse(t, tt.dsl)
		for _, a := range tt.accept {
			if errs := ty.Validate(js(t, a)); errs != nil {
				t.Errorf("%s: %s rejected: %v", tt.dsl, a, errs)
			}
		}
		for _, r := range tt.reject {
			if errs := ty.Validate(js(t, r)); errs == nil {
				t.Errorf("%s: %s accepted", tt.dsl, r)
			}
		}
		if got := value.JSON(ty.JSONSchema()); got != tt.schema {
			t.Errorf("%s: JSONSchema = %s, want %s", tt.dsl, got, tt.schema)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"string", "string"},
		{"  string[] ? ", ""}, // postfix must follow directly: error case checked below
		{"{score: number, tags: string[]?}", "{score: number, tags: string[]?}"},
		{"{\n  score: number\n  tags: string[]?\n}", "{score: number, tags: string[]?}"},
		{"{a: string,}", "{a: string}"},
		{"{}", "{}"},
		{"enum[ formal ,casual ]", "enum[formal, casual]"},
		{`enum["1", 2, "a b"]`, `enum["1", 2, a b]`},
		{"(number | string)[]", "(number | string)[]"},
		{"number|string|null", "number | string | null"},
		{"(a_b)", ""},
		{"string?[]", "string?[]"},
		{"string??", "string?"},
		{"(string | number)?", "(string | number)?"},
		{"{\"a b\": string, 'c': {d: integer}}", `{"a b": string, c: {d: integer}}`},
		{"(string | number) | boolean", "string | number | boolean"},
	}
	for _, tt := range tests {
		ty, err := Parse(tt.in, nil)
		if tt.want == "" {
			if err == nil {
				t.Errorf("Parse(%q) = %s, want an error", tt.in, ty)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %s", tt.in, err.Message)
			continue
		}
		if got := ty.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		// The canonical text parses back to itself.
		again := mustParse(t, tt.want)
		if again.String() != tt.want {
			t.Errorf("round trip of %q gave %q", tt.want, again.String())
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in         string
		start, end int
		msg, hint  string
	}{
		{"strng", 0, 5, `unknown type "strng"`, `did you mean "string"?`},
		{"{a: strin}", 4, 9, `unknown type "strin"`, `did you mean "string"?`},
		{"xyzzyq", 0, 6, `unknown type "xyzzyq"`, "expected one of: string, number, integer, boolean, null, any, object, array, datetime, date, duration, enum"},
		{"", 0, 1, "expected a type, found end of text", ""},
		{"{a string}", 3, 9, `expected ":" after field "a", found "string"`, ""},
		{"{a: string b: number}", 11, 12, `expected "," or "}" after field "a", found "b"`, ""},
		{"{a: string", 0, 1, `unclosed "{": expected "}"`, ""},
		{"{a: string, a: number}", 12, 13, `duplicate field "a"`, ""},
		{"enum[]", 0, 6, "enum needs at least one value", ""},
		{"enum[a, a]", 8, 9, "duplicate enum value a", ""},
		{"enum", 0, 4, `expected "[" after "enum" (enum[a, b])`, ""},
		{"enum[a", 6, 7, `expected "," or "]" in enum, found end of text`, ""},
		{"string number", 7, 13, `unexpected "number" after the type`, ""},
		{"string[", 6, 7, `expected "[]" after the type`, ""},
		{"(string", 7, 8, `expected ")" to close the "(", found end of text`, ""},
		{"string |", 8, 9, "expected a type, found end of text", ""},
		{`{"a: string}`, 1, 12, "unterminated string", ""},
		{"{1: string}", 1, 2, `expected a field name, found "1"`, ""},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, nil)
		if err == nil {
			t.Errorf("Parse(%q): no error", tt.in)
			continue
		}
		if err.Start != tt.start || err.End != tt.end || err.Message != tt.msg || err.Hint != tt.hint {
			t.Errorf("Parse(%q) = [%d,%d) %q hint %q, want [%d,%d) %q hint %q", tt.in, err.Start, err.End, err.Message, err.Hint, tt.start, tt.end, tt.msg, tt.hint)
		}
	}
}

func TestParsePositionMap(t *testing.T) {
	_, err := Parse("{a: strng}", func(i int) int { return 100 + i })
	if err == nil || err.Start != 104 || err.End != 109 {
		t.Fatalf("got %+v, want [104,109)", err)
	}
}

func TestValidateMessages(t *testing.T) {
	tests := []struct {
		dsl, val string
		want     []string
	}{
		{"{score: number, tags: string[]?}", `{"score": 1, "tags": ["a", 3]}`, []string{"$.tags[1]: expected string, got number 3"}},
		{"{score: number, tags: string[]?}", `{"tags": null}`, []string{`$: missing key "score"`}},
		{"{score: number, tags: string[]?}", `{"score": 1, "x": 2, "y": 3}`, []string{"$.x: unexpected key", "$.y: unexpected key"}},
		{"{score: number}", `[1]`, []string{"$: expected object, got array"}},
		{"{a: {b: integer}}", `{"a": {"b": 2.5}}`, []string{"$.a.b: expected integer, got number 2.5"}},
		{"{\"a b\": string}", `{"a b": 1}`, []string{`$["a b"]: expected string, got number 1`}},
		{"string?", `3`, []string{"$: expected string or null, got number 3"}},
		{"enum[formal, casual]", `"casul"`, []string{`$: expected one of formal, casual, got string "casul"`}},
		{"number | string", `true`, []string{"$: expected number or string, got boolean true"}},
		{"{a: number} | string", `{"a": "x"}`, []string{`$.a: expected number, got string "x"`}},
		{"{a: number}?", `{"a": "x"}`, []string{`$.a: expected number, got string "x"`}},
		{"(number | string)?", `true`, []string{"$: expected number or string or null, got boolean true"}},
		{"date", `"2026-02-30"`, []string{`$: expected date, got string "2026-02-30"`}},
		{"{a: number, b: string}", `{"b": 1}`, []string{`$: missing key "a"`, "$.b: expected string, got number 1"}},
	}
	for _, tt := range tests {
		got := mustParse(t, tt.dsl).Validate(js(t, tt.val))
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s on %s:\ngot  %q\nwant %q", tt.dsl, tt.val, got, tt.want)
		}
	}
	if got := mustParse(t, "{n: number}").ValidateAt(js(t, `{"n": "3"}`), "$input"); len(got) != 1 || got[0] != `$input.n: expected number, got string "3"` {
		t.Errorf("ValidateAt: %q", got)
	}
}

// TestFromFields is the example of spec/expressions.md §11.
func TestFromFields(t *testing.T) {
	ty := FromFields([]Field{
		{Name: "score", Type: Prim(Number), Required: true},
		{Name: "tags", Type: ArrayOfType(Prim(String)), Required: false},
	})
	if got, want := ty.String(), "{score: number, tags: string[]?}"; got != want {
		t.Errorf("FromFields = %q, want %q", got, want)
	}
	if got, want := value.JSON(ty.JSONSchema()), value.JSON(mustParse(t, "{score: number, tags: string[]?}").JSONSchema()); got != want {
		t.Errorf("schemas differ:\n%s\n%s", got, want)
	}
	nested := FromFields([]Field{
		{Name: "name", Required: true, Description: "who"},
		{Name: "items", Type: ArrayOfType(Prim(Object)), Required: true, Children: []Field{{Name: "id", Type: Prim(Integer), Required: true}}},
		{Name: "meta", Required: false, Children: []Field{{Name: "k", Required: true}}},
	})
	if got, want := nested.String(), "{name: string, items: {id: integer}[], meta: {k: string}?}"; got != want {
		t.Errorf("nested FromFields = %q, want %q", got, want)
	}
	if got := value.JSON(nested.JSONSchema()); !strings.Contains(got, `"name":{"type":"string","description":"who"}`) {
		t.Errorf("description missing: %s", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"string", "{score: number, tags: string[]?}", "enum[a, 1, \"x\"]", "(a | b)[]?",
		"{\n a: string\n b: {c: date}\n}", "number | string | null", "{'k': duration}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ty, err := Parse(s, nil)
		if err != nil {
			if err.Start < 0 || err.Start > len(s) || err.End < err.Start || err.End > len(s)+1 {
				t.Fatalf("error span [%d,%d) outside %q", err.Start, err.End, s)
			}
			return
		}
		// The canonical form parses back to the same canonical form.
		c := ty.String()
		ty2, err2 := Parse(c, nil)
		if err2 != nil {
			t.Fatalf("canonical %q of %q does not parse: %s", c, s, err2.Message)
		}
		// Invalid UTF-8 becomes U+FFFD on the first round; from then on
		// the text is stable.
		c2 := ty2.String()
		if ty3, _ := Parse(c2, nil); ty3 == nil || ty3.String() != c2 {
			t.Fatalf("canonical form unstable: %q -> %q", c, c2)
		}
		if utf8.ValidString(s) && c2 != c {
			t.Fatalf("canonical form unstable: %q -> %q", c, c2)
		}
		_ = ty.JSONSchema()
		_ = ty.Validate(nil)
	})
}

func BenchmarkValidate(b *testing.B) {
	ty, _ := Parse("{score: number, tags: string[]?, user: {name: string, age: integer}}", nil)
	v, _ := value.ParseJSON([]byte(`{"score": 1, "tags": ["a", "b"], "user": {"name": "x", "age": 3}}`))
	b.ReportAllocs()
	for b.Loop() {
		if ty.Validate(v) != nil {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("{score: number, tags: string[]?, user: {name: string, age: integer}}", nil); err != nil {
			b.Fatal(err.Message)
		}
	}
}
