package expr_test

import (
	"fmt"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

func Example() {
	names := &expr.Names{Locals: []string{"item", "index"}}
	p, errs := expr.Compile(`item.score > 50 && item.active`, nil, names)
	if errs != nil {
		fmt.Println(errs[0])
		return
	}
	items := []any{
		value.ObjectOf("score", 70.0, "active", true),
		value.ObjectOf("score", 30.0, "active", true),
	}
	env := &expr.Env{}
	for i, it := range items {
		env.SetItem(it, i, i == 0, i == len(items)-1, items)
		v, _ := p.Eval(env)
		fmt.Println(v)
	}
	t, _ := expr.CompileTemplate(`{{#each $input.tags as |t i|}}{{ i }}:{{ t }} {{/each}}`, nil, names)
	s, _ := t.Eval(&expr.Env{Globals: &expr.Globals{Input: value.ObjectOf("tags", []any{"a", "b"})}})
	fmt.Printf("%q\n", s)
	// Output:
	// true
	// false
	// "0:a 1:b "
}
