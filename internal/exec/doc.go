// Package exec runs a plan: the wave executor of spec/execution.md §5–§8.
//
// Each scope runs its waves in order; within a wave one errgroup, limited
// to the run's concurrency, starts the nodes in document order, and the
// first unhandled failure cancels the group's context so no later wave
// starts (fail-fast). Leaves hold one run-wide slot per attempt, so nested
// scopes can never exceed the limit, and containers never hold one while
// they wait. Per-node results live in slices indexed by node, never in
// shared maps. Running one node is delegated to package runtimes.
package exec
