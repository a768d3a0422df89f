// Package expr implements FlowScript's expression language, templates and
// match patterns (spec/expressions.md §1–§9). The built-in functions live in
// package builtin, which fills a Funcs table.
//
// Source text is lexed (lazily, so hyphenated node ids can be recognised
// with Names.IsNode), parsed by recursive descent into a small AST, checked
// against the names a field may use (X401–X408 with positions mapped to the
// file through a PosMap) and compiled once into Go closures; evaluation
// never walks the AST. Values are those of package value. Every compiled
// Program, Template and Pattern lists the references it makes (Refs), which
// the planner uses for the dependency graph.
//
// Example:
//
//	names := &expr.Names{Funcs: builtin.Table(), Locals: []string{"item", "index"}}
//	p, errs := expr.Compile(`item.score > 50 && item.active`, nil, names)
//	if errs != nil {
//		return errs
//	}
//	env := &expr.Env{Resolver: resolver}
//	for i, it := range items {
//		env.SetItem(it, i, i == 0, i == len(items)-1, items) // allocates nothing
//		keep, err := p.Eval(env)                             // err is an *expr.EvalError
//		...
//	}
//
//	t, _ := expr.CompileTemplate(`Hello {{ $input.name }}!`, nil, names)
//	s, err := t.Eval(env) // "Hello Ada!"; a single {{ }} keeps its type
package expr
