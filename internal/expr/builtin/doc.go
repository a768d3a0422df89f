// Package builtin implements FlowScript's built-in function library
// (spec/expressions.md §12): strings, arrays, math, dates, objects, types and
// logic, encoding, JSON, hashing, ids and regular expressions.
//
// Table returns every function as an expr.Funcs table for the compiler.
// Functions receive evaluated arguments, never modify them, charge the
// evaluation's step and memory budgets for the elements they visit and the
// values they create, and report wrong argument types as errors worded
// "upper: expected string, got number" (the evaluator adds R602 and the
// position).
package builtin
