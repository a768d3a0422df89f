package expr

import (
	"errors"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

func renderStr(t testing.TB, src string, env *Env) string {
	t.Helper()
	tp, errs := CompileTemplate(src, nil, testNames())
	if errs != nil {
		return "compile " + errs[0].Error()
	}
	v, err := tp.Eval(env)
	if err != nil {
		var ee *EvalError
		if !errors.As(err, &ee) {
			t.Fatalf("%q: error %T is not an *EvalError", src, err)
		}
		return "error " + err.Error()
	}
	return value.JSON(v)
}

func TestTemplate(t *testing.T) {
	tests := []struct{ src, want string }{
		// §8.2 whole-value rule
		{`{{ 40 + 2 }}`, `42`}, {`{{ orders }}`, `[{"id":1,"total":5},{"id":2,"total":15}]`}, {`{{ null }}`, `null`},
		{`n={{ 40 + 2 }}`, `"n=42"`}, {` {{ 1 }}`, `" 1"`}, {` {{~ 1 ~}} `, `1`}, {`{{ "a" }}`, `"a"`},
		{`{{ true }}{{ false }}`, `"truefalse"`},
		// §8.1 segments and escapes
		{`{{ "}}" }}`, `"}}"`}, {`{{ {a: {b: 1}} }}`, `{"a":{"b":1}}`}, {`x {{ {a: {b: 1}} }}`, `"x {\"a\":{\"b\":1}}"`},
		{`\{{x}}`, `"{{x}}"`}, {`\\{{ 1 }}`, `"\\1"`}, {`a }} b`, `"a }} b"`}, {`plain text`, `"plain text"`},
		{`a \ b`, `"a \\ b"`}, {"a  {{~ 1 ~}}\n b", `"a1b"`},
		// §8.3 rendering
		{`[{{ null }}]`, `"[]"`}, {`{{ 1.5 }}!`, `"1.5!"`}, {`{{ 0.1 + 0.2 }}!`, `"0.30000000000000004!"`},
		{`{{ [1, "x"] }}!`, `"[1,\"x\"]!"`}, {`{{ {a: null} }}!`, `"{\"a\":null}!"`}, {`{{ "<b>" }}!`, `"<b>!"`},
		{`{{ -3 }}!`, `"-3!"`}, {`{{ 1e21 }}!`, `"1e+21!"`},
		// §8.4 evaluated once
		{`{{ input.name }} {{ "{{ 1 + 1 }}" }}`, `"Ada {{ 1 + 1 }}"`},
		// §8.5 blocks
		{`{{#if input.n > 3}}big{{else}}small{{/if}}`, `"big"`},
		{`{{#if input.n > 9}}big{{else if input.n > 4}}mid{{else}}small{{/if}}`, `"mid"`},
		{`{{#if false}}a{{else if false}}b{{/if}}`, `""`},
		{`{{#unless []}}none{{/unless}}`, `"none"`}, {`{{#if []}}y{{else}}n{{/if}}`, `"n"`}, {`{{#if {}}}y{{/if}}`, `"y"`},
		{`{{#unless 1}}a{{else}}b{{/unless}}`, `"b"`},
		{`{{#each [1, 2, 3]}}{{ this }}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}}{{ @index }};{{/each}}`, `"1F0;21;3L2;"`},
		{`{{#each {a: 1, b: 2}}}{{ @key }}={{ this }}@{{ @index }} {{/each}}`, `"a=1@0 b=2@1 "`},
		{`{{#each [] }}x{{else}}empty{{/each}}`, `"empty"`}, {`{{#each null}}x{{else}}empty{{/each}}`, `"empty"`},
		{`{{#each 5}}x{{/each}}`, `error R602: #each needs an array or an object, got number in "{{#each 5}}"`},
		{`{{#each [1, 2] as |x i|}}{{ x * 10 + i }},{{/each}}`, `"10,21,"`},
		{`{{#each {k: "v"} as |v k|}}{{ k }}:{{ v }}{{/each}}`, `"k:v"`},
		{`{{#each [[1, 2], [3]] as |row r|}}{{#each row as |c|}}{{ r }}.{{ c }} {{/each}}{{/each}}`, `"0.1 0.2 1.3 "`},
		{`{{#each [1, 2]}}{{#each ["a"]}}{{ this }}{{ @index }}{{/each}}{{ this }}{{/each}}`, `"a01a02"`},
		{`{{#with input}}{{ this.name }}{{/with}}`, `"Ada"`}, {`{{#with null}}x{{else}}none{{/with}}`, `"none"`},
		{`{{#with input as |u|}}{{ u.name }}{{/with}}`, `"Ada"`},
		{`{{#each [1, 2]}}{{ map([10], x => x + this) }}{{/each}}`, `"[11][12]"`},
		// standalone lines
		{"a\n{{#if true}}\nb\n{{/if}}\nc", `"a\nb\nc"`}, {"  {{#if true}}  \r\nx\n  {{/if}}  ", `"x\n"`},
		{"{{#if true}}\nx\n{{/if}}\n", `"x\n"`}, {"a {{#if true}}\nx{{/if}}", `"a \nx"`},
		// whole-value rule does not apply to blocks
		{`{{#if true}}{{ 1 }}{{/if}}`, `"1"`},
		// errors
		{`{{ }}`, `compile X405: empty "{{ }}"`}, {`a {{ 1`, `compile X405: unclosed "{{"`},
		{`{{#if 1}}x`, `compile X405: unclosed block "#if"`}, {`x{{/if}}`, `compile X405: unexpected "{{/if}}"`},
		{`{{#if 1}}x{{/each}}`, `compile X405: unexpected "{{/each}}" inside "#if"`},
		{`{{#loop 1}}x{{/loop}}`, `compile X405: unknown block "#loop"`}, {`{{#if}}x{{/if}}`, `compile X405: "#if" needs an expression`},
		{`{{else}}`, `compile X405: unexpected "{{else}}"`}, {`{{#unless 1}}a{{else if 2}}b{{/unless}}`, `compile X405: unexpected "{{else if 2}}" inside "#unless"`},
		{`{{ 1 + }}`, `compile X401: unexpected end of expression`}, {`x{{ nope }}`, `compile X402: unknown name "nope"`},
		{`{{ this }}`, `compile X401: "this" is only available inside template blocks`},
		{`{{ default(null, x => x) }}!`, `error R602: a function is not a value (default returned one) in "default(null, x => x)"`},
		{`{{ default(null, x => x) }}`, `error R602: a function is not a value (default returned one) in "default(null, x => x)"`},
		{`{{ typeof(x => x) }}`, `"function"`},
		{`{{ fail("no") }}!`, `error R621: no`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if got := renderStr(t, tt.src, testEnv()); got != tt.want {
				t.Errorf("%q\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}

// The example of spec/expressions.md §8.5.
func TestTemplateSpecExample(t *testing.T) {
	src := "Paid orders: {{ length(input) }}\n{{#each input}}\n- #{{ this.id }} {{ this.customer }}{{#if @last}}.{{/if}}\n{{/each}}\n{{#unless input}}none{{/unless}}"
	env := testEnv()
	env.Input = js(`[{"id": 1, "customer": "Ada"}, {"id": 3, "customer": "Grace"}]`)
	if got := renderStr(t, src, env); got != `"Paid orders: 2\n- #1 Ada\n- #3 Grace.\n"` {
		t.Errorf("got %s", got)
	}
	env.Input = js(`[]`)
	if got := renderStr(t, src, env); got != `"Paid orders: 0\nnone"` {
		t.Errorf("empty: got %s", got)
	}
}

func TestTemplateLiteralAndRefs(t *testing.T) {
	tp, errs := CompileTemplate(`just \{{text}}`, nil, testNames())
	if errs != nil || !tp.IsLiteral() {
		t.Fatalf("literal: %v %v", errs, tp)
	}
	if v, _ := tp.Eval(testEnv()); v != "just {{text}}" {
		t.Errorf("literal value %q", v)
	}
	tp, errs = CompileTemplate(`{{ orders[0].id }} and {{#each users.normalize}}{{ this.name }}{{ $config.region }}{{/each}}`, nil, testNames())
	if errs != nil {
		t.Fatal(errs[0])
	}
	if tp.IsLiteral() {
		t.Error("IsLiteral = true")
	}
	var got string
	for _, r := range tp.Refs() {
		got += r.Kind.String() + ":" + r.Name + "@" + itoa(r.Start) + " "
	}
	if got != "node:orders@3 node:users.normalize@31 config:region@66 " {
		t.Errorf("refs = %s", got)
	}
}

func itoa(i int) string { return value.FormatNumber(float64(i)) }

func TestTemplateErrorPositions(t *testing.T) {
	tests := []struct {
		src        string
		code       string
		start, end int
	}{
		{`ab {{ nope }}`, "X402", 6, 10}, {`ab {{ 1`, "X405", 3, 5}, {`{{#each xs as |x|}}{{ y }}{{/each}}`, "X402", 8, 10},
		{`{{#if 1}}{{ x.f() }}{{/if}}`, "X407", 12, 16},
	}
	for _, tt := range tests {
		_, errs := CompileTemplate(tt.src, nil, testNames())
		if len(errs) == 0 {
			t.Errorf("%q: no error", tt.src)
			continue
		}
		if e := errs[0]; e.Code != tt.code || e.Start != tt.start || e.End != tt.end {
			t.Errorf("%q: got %s %d-%d, want %s %d-%d", tt.src, e.Code, e.Start, e.End, tt.code, tt.start, tt.end)
		}
	}
}
