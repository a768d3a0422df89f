// Package testrun is the workflow test harness of `flowscript test`
// (spec/cli.md §6): it finds test cases (`.test.flow.md` files and the
// inline `tests:` of workflows), decodes and checks them against their
// workflow, runs each case as a full run on a virtual clock with mocks in
// place of node runtimes, compares the expectations and renders the
// results as text, JSON or JUnit XML.
//
// A case run has no run store, no footer log and no progress display.
// Delays, retry backoffs and mock delays advance the virtual clock instead
// of sleeping; the clock is one counter for the whole run, so delays of
// parallel nodes add up.
package testrun
