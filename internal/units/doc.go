// Package units reads and writes the quantities of FlowScript fields and
// functions (spec/expressions.md §10): durations in milliseconds, in the human
// form (1h30m, 1.5h, 500ms) or ISO 8601 (PT30S, P1D); calendar durations with
// years and months for date arithmetic; sizes in bytes (10MiB, 1.5 KB); rates
// (10/1m); and the elapsed-time text of the progress display
// (spec/cli.md §12.2).
//
// Errors are *Error values: a lowercase message and, where the specification
// names one, a hint.
package units
