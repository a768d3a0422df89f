package runtimes

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/flowscript/flowscript/internal/units"
)

// The throttle of an http node (nodes.md §5.3) counts the requests of every
// execution of that node in the run: all foreach iterations, loop rounds
// and transport retries share one window. A runtime sees only one Call, so
// the windows live in a package-level registry keyed by run id, node kind
// and the node's instance key with its iteration brackets removed
// ("items[3]/fetch" and "items[4]/fetch" are both "items/fetch"). Entries
// are small and never removed: a process runs one workflow (or, in tests, a
// handful), and a key from an old run is never used again.
var httpThrottles = struct {
	sync.Mutex
	m map[string]*httpStartWindow
}{m: map[string]*httpStartWindow{}}

// httpThrottleKey is the registry key of a node in a run.
func httpThrottleKey(runID, kind, node string) string {
	var b strings.Builder
	b.WriteString(runID)
	b.WriteByte(0)
	b.WriteString(kind)
	b.WriteByte(0)
	depth := 0
	for _, r := range node {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// httpStartWindow hands out start times so that no window of length Per
// holds more than N starts: start i is at max(now, start[i−N] + Per).
// Times are reserved under the lock, so concurrent callers queue in order.
type httpStartWindow struct {
	mu     sync.Mutex
	starts []time.Time // the last N reserved starts, ascending
}

// reserve returns the time at which the next start may happen.
func (w *httpStartWindow) reserve(clock func() time.Time, r units.Rate) (at, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now = clock()
	at = now
	if len(w.starts) >= r.N {
		if t := w.starts[len(w.starts)-r.N].Add(time.Duration(r.Per) * time.Millisecond); t.After(at) {
			at = t
		}
	}
	w.starts = append(w.starts, at)
	if len(w.starts) > r.N {
		w.starts = append(w.starts[:0], w.starts[len(w.starts)-r.N:]...)
	}
	return at, now
}

// throttleWait waits for the node's next start slot, if it has a throttle.
func (h *HTTP) throttleWait(ctx context.Context, rq *httpRequest) error {
	if rq.throttle == nil {
		return ctx.Err()
	}
	httpThrottles.Lock()
	w := httpThrottles.m[rq.throttleKey]
	if w == nil {
		w = &httpStartWindow{}
		httpThrottles.m[rq.throttleKey] = w
	}
	httpThrottles.Unlock()
	at, now := w.reserve(h.now, *rq.throttle)
	if d := at.Sub(now); d > 0 {
		return h.sleep(ctx, d)
	}
	return ctx.Err()
}
