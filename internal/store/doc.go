// Package store keeps the run state store of spec/execution.md §12–§13:
// one directory per run under <state dir>/runs/<run id>, holding the
// atomically replaced state.json snapshot, the append-only events.ndjson
// journal, a copy of the workflow file, outputs over 1 MiB, and a lock
// file naming the pid of the process running it.
//
// A Recorder is the exec.Observer that keeps a State up to date from the
// executor's events, appends them to the journal, and writes state.json
// after node and wave ends. Writes are coalesced: at most one state write
// and one journal flush are in flight, and the latest snapshot wins, so a
// 10,000-node run is not dominated by fsync. Reading functions (List, Load,
// Prune, ReadJournal, WritePlain) serve `flowscript runs`.
package store
