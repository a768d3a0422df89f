// Package expr implements FlowScript's expression language, templates,
// match patterns and built-in functions (spec/expressions.md).
//
// Source text is lexed and parsed into a small AST, checked against the names
// a field may use, and compiled once into Go closures; evaluation never walks
// the AST. Values are those of package value.
package expr
