// Package footerlog writes the execution-log block of spec/execution.md
// §16 into the footer of a workflow file: a table of the latest runs,
// newest first, and the node table of the latest run, between the lines
// "<!-- flowscript:log begin -->" and "<!-- flowscript:log end -->".
// The file is rewritten atomically with its mode kept, and only when it
// has not changed since the run read it.
package footerlog
