package builtin

import "github.com/flowscript/flowscript/internal/expr"

// Table returns the full built-in function library, keyed by name.
func Table() expr.Funcs {
	t := expr.Funcs{}
	for _, list := range [][]*expr.Func{
		stringFuncs(),
		arrayFuncs(),
		mathFuncs(),
		objectFuncs(),
		typeFuncs(),
		encodingFuncs(),
		dateFuncs(),
	} {
		for _, f := range list {
			t[f.Name] = f
		}
	}
	return t
}
