// Package source holds the one position type of FlowScript and the
// diagnostics built on it.
//
// Every parser stage records byte offsets into the whole .flow.md file; a
// File's line table turns an offset into a 1-based line and a 1-based column
// counted in runes. Diagnostics are data (Diagnostic, List); Printer renders
// them once, with the source line, carets and hints of spec/format.md §8.
package source
