package exec

import (
	"context"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/flowscript/flowscript/internal/dag"
)

// runScopeEager runs graph g with the eager scheduler (execution.md §5):
// a node starts as soon as every node it depends on has ended; ties start
// in document order. One coordinator starts nodes; nodes never start
// other nodes. Limits, statuses and outputs are those of the waves
// scheduler.
func (e *engine) runScopeEager(ctx context.Context, f *frame, g *dag.Graph) error {
	n := len(g.Nodes)
	remaining := make([]int, n)
	var ready []int
	for i, nd := range g.Nodes {
		remaining[i] = len(e.plan.Deps[nd.Index])
		if remaining[i] == 0 {
			ready = append(ready, i)
		}
	}
	grp, gctx := errgroup.WithContext(ctx)
	grp.SetLimit(e.n)
	done := make(chan int, n)
	started, finished := 0, 0
	for {
		slices.Sort(ready)
		for len(ready) > 0 && gctx.Err() == nil {
			i := ready[0]
			ready = ready[1:]
			started++
			broken := f.isBroken()
			grp.Go(func() error {
				err := e.runNode(gctx, f, g.Nodes[i], broken)
				done <- i
				return err
			})
		}
		if finished == started {
			break
		}
		i := <-done
		finished++
		for _, d := range g.Dependents[i] {
			remaining[d]--
			if remaining[d] == 0 {
				ready = append(ready, d)
			}
		}
	}
	if err := grp.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
