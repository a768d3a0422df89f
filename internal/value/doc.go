// Package value defines FlowScript's runtime values and the rules every other
// package shares for them: the Go representation, ordered objects, JSON and
// YAML conversion, number text, rendering, truthiness and strict equality.
//
// A value is one of these Go types:
//
//	nil        null
//	bool       boolean
//	float64    number (always finite)
//	string     string
//	[]any      array
//	*Object    object (keys keep insertion order)
//
// The expression package adds one more, its function values, which never
// leave an expression.
package value
