package runtimes

import (
	"context"
	"fmt"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// Transforms returns the expression transforms: template, map, filter and
// reduce (spec/nodes.md §2.6–§2.7).
func Transforms() []Runtime {
	return []Runtime{templateRT{}, mapRT{kind: "transform/map"}, mapRT{kind: "transform/filter", filter: true}, reduceRT{}}
}

type templateRT struct{}

func (templateRT) Kind() string { return "transform/template" }

// Run returns the rendered template, parsed when `parse` asks for it.
func (templateRT) Run(_ context.Context, c *Call) (any, error) {
	v := c.Fields["template"]
	switch c.Str("parse") {
	case "json":
		s, ok := v.(string)
		if !ok {
			return nil, Errorf("R603", false, "parse \"json\" needs text, got %s", value.TypeName(v))
		}
		out, err := value.ParseJSON([]byte(s))
		if err != nil {
			return nil, Errorf("R603", false, "rendered template is not valid JSON: %v", err)
		}
		return out, nil
	case "yaml":
		s, ok := v.(string)
		if !ok {
			return nil, Errorf("R603", false, "parse \"yaml\" needs text, got %s", value.TypeName(v))
		}
		out, err := value.ParseYAML([]byte(s))
		if err != nil {
			return nil, Errorf("R603", false, "rendered template is not valid YAML: %v", err)
		}
		return out, nil
	}
	return v, nil
}

func inputArray(c *Call, what string) ([]any, error) {
	xs, ok := c.Input.([]any)
	if !ok {
		return nil, Errorf("R603", false, "%s needs an array, got %s", what, value.TypeName(c.Input))
	}
	return xs, nil
}

// itemEval evaluates a per-item program: an arrow function is called with
// args, any other expression sees $item, $index, ... in env.
func itemEval(p *expr.Program, env *expr.Env, args ...any) (any, error) {
	if p.IsArrow() {
		return p.Call(env, args...)
	}
	return p.Eval(env)
}

type mapRT struct {
	kind   string
	filter bool
}

func (m mapRT) Kind() string { return m.kind }

// Run applies the expression (map) or condition (filter) to each item in
// order.
func (m mapRT) Run(ctx context.Context, c *Call) (any, error) {
	what, field := "map", "expression"
	if m.filter {
		what, field = "filter", "condition"
	}
	xs, err := inputArray(c, what)
	if err != nil {
		return nil, err
	}
	p := c.Lazy[field]
	if p == nil {
		return nil, Errorf("R601", false, "%s has no %q", what, field)
	}
	env := c.Env
	env.BeginItems()
	out := make([]any, 0, len(xs))
	for i, it := range xs {
		if i&1023 == 1023 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		env.SetItem(it, i, i == 0, i == len(xs)-1, xs)
		v, err := itemEval(p, env, it, float64(i))
		if err != nil {
			return nil, err
		}
		if !m.filter {
			out = append(out, v)
		} else if value.Truthy(v) {
			out = append(out, it)
		}
	}
	return out, nil
}

type reduceRT struct{}

func (reduceRT) Kind() string { return "transform/reduce" }

// Run folds the items from `initial` and applies `finalize`.
func (reduceRT) Run(ctx context.Context, c *Call) (any, error) {
	xs, err := inputArray(c, "reduce")
	if err != nil {
		return nil, err
	}
	p := c.Lazy["expression"]
	if p == nil {
		return nil, fmt.Errorf("reduce has no expression")
	}
	env := c.Env
	env.BeginItems()
	var acc any
	if ip := c.Lazy["initial"]; ip != nil {
		if acc, err = ip.Eval(env); err != nil {
			return nil, err
		}
	}
	for i, it := range xs {
		if i&1023 == 1023 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		env.SetItem(it, i, i == 0, i == len(xs)-1, xs)
		env.SetLocal("$acc", acc)
		if acc, err = itemEval(p, env, acc, it, float64(i)); err != nil {
			return nil, err
		}
	}
	if fp := c.Lazy["finalize"]; fp != nil {
		env.SetLocal("$acc", acc)
		if acc, err = fp.Eval(env); err != nil {
			return nil, err
		}
	}
	return acc, nil
}
