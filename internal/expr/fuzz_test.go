package expr

import (
	"errors"
	"testing"
)

var fuzzSeeds = []string{
	`item.score > 50 && item.active`, `fetch-joke.output.joke | upper`, `a ?? b || c`, `x.f()`,
	`map([1, 2], (x, i) => x * 10 + i)`, `{a: [1, ...[2]], ["k"]: {b: null}}?.a[0]`, `"\u{1F600}" + 'x\n'`,
	`range(0, 1000000) | map(x => range(0, 1000000))`, `$config.region IN ["eu"]`, `typeof input == "object"`,
	`reduce(range(0, 100), (a, x) => a + "x" + a, "")`, `1e999`, `((((1))))`, `users.fetch-users`,
	`{{ 1 }}`, `'unterminated`, `@index`, `this`, `-.5e-3 % 2`,
}

func checkErrs(t *testing.T, src string, errs []*Error) {
	for _, e := range errs {
		if e.Start < 0 || e.End < e.Start || e.End > len(src) {
			t.Fatalf("%q: error %v at %d-%d outside the input", src, e, e.Start, e.End)
		}
		if e.Code == "" || e.Message == "" {
			t.Fatalf("%q: empty error %+v", src, e)
		}
	}
}

func checkEval(t *testing.T, src string, err error) {
	if err == nil {
		return
	}
	var ee *EvalError
	if !errors.As(err, &ee) {
		t.Fatalf("%q: error %T %v is not an *EvalError", src, err, err)
	}
	if ee.Start < 0 || ee.End < ee.Start || ee.End > len(src) {
		t.Fatalf("%q: run-time error %v at %d-%d outside the input", src, ee, ee.Start, ee.End)
	}
}

func FuzzExpr(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	n := testNames()
	f.Fuzz(func(t *testing.T, src string) {
		p, errs := Compile(src, nil, n)
		checkErrs(t, src, errs)
		if p == nil {
			return
		}
		_, err := p.Eval(testEnv())
		checkEval(t, src, err)
	})
}

func FuzzTemplate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add("x {{ " + s + " }}")
	}
	for _, s := range []string{
		"Paid orders: {{ length(input) }}\n{{#each input}}\n- #{{ this.id }}{{#if @last}}.{{/if}}\n{{/each}}\n{{#unless input}}none{{/unless}}",
		`\{{x}} \\{{ 1 }}`, `{{~ 1 ~}}`, `{{#with input as |u|}}{{ u.name }}{{else}}-{{/with}}`, `{{#each [1] as |x i|}}{{ x }}{{/each}}`,
		`{{ "}}" }}`, `{{`, `{{#if 1}}`, `{{/if}}`, `{{ }}`, `{{#each {a: 1}}}{{ @key }}{{/each}}`,
	} {
		f.Add(s)
	}
	n := testNames()
	f.Fuzz(func(t *testing.T, src string) {
		tp, errs := CompileTemplate(src, nil, n)
		checkErrs(t, src, errs)
		if tp == nil {
			return
		}
		_, err := tp.Eval(testEnv())
		checkEval(t, src, err)
	})
}

func FuzzPattern(f *testing.F) {
	for _, s := range []string{
		`{ type: 'urgent', priority: > 8 }`, `{ tags: [*, 'featured', *] }`, `[_, _]`, `NOT { status: 'deleted' }`,
		`{ email: /@acme\.com$/i }`, `{ n: -1 | >= 100 }`, `>= ($config.limit)`, `typeof 'object'`, `/unterminated`,
	} {
		f.Add(s)
	}
	n := testNames()
	f.Fuzz(func(t *testing.T, src string) {
		p, errs := CompilePattern(src, nil, n)
		checkErrs(t, src, errs)
		if p == nil {
			return
		}
		_, err := p.Match(testEnv(), js(`{"a":[1,2,3],"n":5}`))
		checkEval(t, src, err)
	})
}
