package exec

import (
	"context"
	"sync"
	"time"
)

// throttle allows at most n starts in any window of length per
// (nodes.md §5.3): a start waits until fewer than n earlier starts lie
// within the last window. Start times are reserved in order, so the
// schedule is exact even when the waits are virtual (flowscript test).
type throttle struct {
	n      int
	per    time.Duration
	mu     sync.Mutex
	starts []time.Time
}

func newThrottle(n int, per time.Duration) *throttle {
	return &throttle{n: n, per: per}
}

// wait reserves the next start and sleeps until it.
func (t *throttle) wait(ctx context.Context, sleep func(context.Context, time.Duration) error) error {
	t.mu.Lock()
	now := time.Now()
	at := now
	if len(t.starts) >= t.n {
		if free := t.starts[len(t.starts)-t.n].Add(t.per); free.After(at) {
			at = free
		}
	}
	t.starts = append(t.starts, at)
	if len(t.starts) > 4*t.n {
		t.starts = append(t.starts[:0], t.starts[len(t.starts)-t.n:]...)
	}
	t.mu.Unlock()
	return sleep(ctx, at.Sub(now))
}
