package runtimes

import "sync"

// Token budgets (nodes.md §2.8): a node's token-budget counts the tokens of
// every attempt of one node instance (repairs and retries included); the
// run's runtime.ai.token_budget counts every ai request of the run. A
// runtime sees one Call per attempt, so the counters live in a
// package-level registry keyed by run id (and instance key). Like the
// throttle windows they are small and never removed: a process runs one
// workflow, and an old run's key is never used again.
var aiBudgets = &aiBudgetRegistry{used: map[string]int{}}

// aiBudgetRegistry holds the tokens used per key.
type aiBudgetRegistry struct {
	mu   sync.Mutex
	used map[string]int
}

func aiRunBudgetKey(runID string) string        { return "run\x00" + runID }
func aiNodeBudgetKey(runID, node string) string { return "node\x00" + runID + "\x00" + node }

// check fails with R611 "token budget exceeded" (not retryable) when the
// node's or the run's budget is used up. Requests that are already on their
// way may still go over it: the size of an answer is known only after it.
func (r *aiBudgetRegistry) check(ac *aiCall) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ac.nodeBudget > 0 {
		if used := r.used[ac.budgetKeys[0]]; used >= ac.nodeBudget {
			return Errorf("R611", false, "token budget exceeded: %d of %d tokens used (token-budget)", used, ac.nodeBudget)
		}
	}
	if ac.runBudget > 0 {
		if used := r.used[ac.budgetKeys[1]]; used >= ac.runBudget {
			return Errorf("R611", false, "token budget exceeded: %d of %d tokens used by the run (runtime.ai.token_budget)", used, ac.runBudget)
		}
	}
	return nil
}

// add counts the tokens of one response.
func (r *aiBudgetRegistry) add(ac *aiCall, tokens int) {
	if tokens <= 0 {
		return
	}
	r.mu.Lock()
	r.used[ac.budgetKeys[0]] += tokens
	r.used[ac.budgetKeys[1]] += tokens
	r.mu.Unlock()
}
