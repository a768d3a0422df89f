// Package report turns a finished run into documents: the JSON report of
// `flowscript run --report` (spec/cli.md §2), the self-contained HTML
// report of `--report-html` (a timeline by wave and the plan graph), the
// NDJSON event objects of `--json` (spec/execution.md §13) and the two
// Markdown tables of the footer log used for the GitHub job summary
// (execution.md §16). Everything written is masked.
package report
