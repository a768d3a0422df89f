package expr

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

// testFuncs is a small stand-in for builtin.Table().
func testFuncs() Funcs {
	str := func(name string, v any) (string, error) {
		if v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%s: expected string, got %s", name, value.TypeName(v))
		}
		return s, nil
	}
	arr := func(name string, v any) ([]any, error) {
		xs, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: expected array, got %s", name, value.TypeName(v))
		}
		return xs, nil
	}
	fs := []*Func{
		{Name: "length", Min: 1, Max: 1, Call: func(c *Ctx, a []any) (any, error) {
			switch x := a[0].(type) {
			case nil:
				return 0.0, nil
			case string:
				return float64(runeCount(x)), nil
			case []any:
				return float64(len(x)), nil
			case *value.Object:
				return float64(x.Len()), nil
			}
			return nil, fmt.Errorf("length: expected array, string or object, got %s", value.TypeName(a[0]))
		}},
		{Name: "upper", Min: 1, Max: 1, Call: func(c *Ctx, a []any) (any, error) {
			s, err := str("upper", a[0])
			return strings.ToUpper(s), err
		}},
		{Name: "lower", Min: 1, Max: 1, Call: func(c *Ctx, a []any) (any, error) {
			s, err := str("lower", a[0])
			return strings.ToLower(s), err
		}},
		{Name: "truncate", Min: 2, Max: 3, Call: func(c *Ctx, a []any) (any, error) {
			s, err := str("truncate", a[0])
			n := int(a[1].(float64))
			r := []rune(s)
			if len(r) <= n {
				return s, err
			}
			return string(r[:n-3]) + "...", err
		}},
		{Name: "concat", Min: 0, Max: -1, Call: func(c *Ctx, a []any) (any, error) {
			var b strings.Builder
			for _, v := range a {
				b.WriteString(value.Render(v))
			}
			return b.String(), c.CheckString(b.String())
		}},
		{Name: "map", Min: 2, Max: 2, Call: func(c *Ctx, a []any) (any, error) {
			xs, err := arr("map", a[0])
			if err != nil {
				return nil, err
			}
			out := make([]any, len(xs))
			for i, x := range xs {
				if err := c.Step(1); err != nil {
					return nil, err
				}
				v, err := c.Call(a[1], x, float64(i))
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return out, c.Alloc(16 * len(out))
		}},
		{Name: "filter", Min: 2, Max: 2, Call: func(c *Ctx, a []any) (any, error) {
			xs, err := arr("filter", a[0])
			if err != nil {
				return nil, err
			}
			var out []any
			for i, x := range xs {
				if err := c.Step(1); err != nil {
					return nil, err
				}
				v, err := c.Call(a[1], x, float64(i))
				if err != nil {
					return nil, err
				}
				if value.Truthy(v) {
					out = append(out, x)
				}
			}
			if out == nil {
				out = []any{}
			}
			return out, nil
		}},
		{Name: "reduce", Min: 2, Max: 3, Call: func(c *Ctx, a []any) (any, error) {
			xs, err := arr("reduce", a[0])
			if err != nil {
				return nil, err
			}
			var acc any
			if len(a) > 2 {
				acc = a[2]
			}
			for i, x := range xs {
				if err := c.Step(1); err != nil {
					return nil, err
				}
				if acc, err = c.Call(a[1], acc, x, float64(i)); err != nil {
					return nil, err
				}
			}
			return acc, nil
		}},
		{Name: "range", Min: 1, Max: 2, Call: func(c *Ctx, a []any) (any, error) {
			lo, hi := 0.0, a[0].(float64)
			if len(a) > 1 {
				lo, hi = hi, a[1].(float64)
			}
			var out []any
			for x := lo; x < hi; x++ {
				if err := c.Step(1); err != nil {
					return nil, err
				}
				out = append(out, x)
			}
			if err := c.Alloc(16 * len(out)); err != nil {
				return nil, err
			}
			if out == nil {
				out = []any{}
			}
			return out, nil
		}},
		{Name: "fail", Min: 1, Max: 1, Call: func(c *Ctx, a []any) (any, error) {
			return nil, &FailError{Message: value.Render(a[0])}
		}},
		{Name: "default", Min: 2, Max: 2, Call: func(c *Ctx, a []any) (any, error) {
			if a[0] == nil {
				return a[1], nil
			}
			return a[0], nil
		}},
	}
	out := Funcs{}
	for _, f := range fs {
		out[f.Name] = f
	}
	return out
}

type testResolver struct {
	nodes map[string]NodeState
	vars  map[string]any
}

func (r *testResolver) Node(key string) NodeState {
	if st, ok := r.nodes[key]; ok {
		return st
	}
	return NodeState{Status: "pending"}
}

func (r *testResolver) Var(name string) any { return r.vars[name] }

func js(s string) any {
	v, err := value.ParseJSON([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}

// testNames declares nodes orders, fetch-joke, a, b, users (an include with
// node fetch-users and normalize) and gather (a phase with orders),
// variables counter and total, config keys region and limit.
func testNames() *Names {
	nodes := []string{"orders", "fetch-joke", "a", "b", "users", "gather", "score", "limit"}
	return &Names{
		Funcs:  testFuncs(),
		IsNode: func(s string) bool { return slices.Contains(nodes, s) },
		Member: func(c, id string) (string, bool) {
			switch {
			case c == "users" && (id == "fetch-users" || id == "normalize"):
				return "users." + id, true
			case c == "gather" && id == "orders":
				return "orders", true
			}
			return "", false
		},
		IsVar:       func(s string) bool { return s == "counter" || s == "total" },
		Locals:      []string{"item", "index"},
		AllowInput:  true,
		ConfigKeys:  []string{"region", "limit"},
		SecretNames: []string{"API_KEY"},
		EnvNames:    []string{"HOME"},
		Known:       append(nodes, "counter", "total"),
	}
}

func testEnv() *Env {
	return &Env{
		Input: js(`{"name":"Ada","n":5,"tags":["x","y"],"score":7}`),
		Globals: &Globals{
			Input:   js(`{"user":"grace","count":3}`),
			Config:  js(`{"region":"eu","limit":10}`),
			Secrets: js(`{"API_KEY":"s3cret"}`),
			Env:     js(`{"HOME":"/root"}`),
			Context: js(`{"k":1}`),
			Run:     js(`{"id":"r1","attempt":1}`),
		},
		Resolver: &testResolver{
			nodes: map[string]NodeState{
				"orders":            {Status: "success", Output: js(`[{"id":1,"total":5},{"id":2,"total":15}]`), Duration: 12.0, Attempts: 1},
				"fetch-joke":        {Status: "success", Output: js(`{"joke":"ha","n":3}`), Attempts: 1},
				"a":                 {Status: "success", Output: 10.0, Attempts: 1},
				"b":                 {Status: "failed", Error: js(`{"code":"R609","message":"boom"}`), Attempts: 2},
				"users.normalize":   {Status: "success", Output: js(`[{"name":"x"}]`)},
				"users.fetch-users": {Status: "success", Output: "fu"},
				"users":             {Status: "success", Output: js(`{"count":2}`)},
				"score":             {Status: "success", Output: 60.0},
				"limit":             {Status: "success", Output: "x"},
			},
			vars: map[string]any{"counter": 4.0, "total": "t"},
		},
	}
}

// evalStr compiles and evaluates src, returning the JSON of the result or
// "error CODE: message".
func evalStr(t testing.TB, src string, n *Names, env *Env) string {
	t.Helper()
	p, errs := Compile(src, nil, n)
	if errs != nil {
		return "compile " + errs[0].Error()
	}
	v, err := p.Eval(env)
	if err != nil {
		var ee *EvalError
		if !errors.As(err, &ee) {
			t.Fatalf("%s: error %T is not an *EvalError", src, err)
		}
		return "error " + err.Error()
	}
	if _, ok := v.(*Function); ok {
		return "function"
	}
	return value.JSON(v)
}

func jsonOf(v any) string { return value.JSON(v) }
