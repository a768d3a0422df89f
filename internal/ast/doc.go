// Package ast is the parsed, validated form of a .flow.md file: the
// frontmatter, the node tree with its scopes and phases, and every field
// value converted to its kind, with expressions and templates compiled.
//
// The parser builds it; the graph builder (package dag) and the executor
// (package exec) read it. Nothing in it refers back to the text except
// spans into the one source.File.
package ast
