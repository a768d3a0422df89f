// Package dag builds the execution plan of a parsed workflow
// (spec/execution.md §2–§4): the dependencies of every node, lifted to the
// scope the node runs in, the Kahn waves of every scope, and the static
// checks on references (N311), variable ordering (G503) and cycles (G501).
//
// Build works on slices indexed by ast.Node.Index; the only maps are the
// flow's id table and the small per-variable and per-context-key tables.
// The plan renders itself in the four `flowscript plan` formats
// (spec/cli.md §3): text, JSON, Mermaid and DOT.
package dag
