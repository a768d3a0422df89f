package testrun

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/flowscript/flowscript/internal/units"
)

// Causes of a case run's cancellation by the virtual clock.
var (
	errCaseTimeout = errors.New("case timed out")
	errRunTimeout  = errors.New("run timed out")
)

// limit is a point of virtual time that cancels the run.
type limit struct {
	at    time.Duration
	cause error
}

// vclock is the virtual clock of one case: now() starts at start and moves
// only when something sleeps. Sleep returns at once; passing a limit
// cancels the case with the limit's cause.
type vclock struct {
	mu      sync.Mutex
	start   time.Time
	elapsed time.Duration
	limits  []limit
	cancel  context.CancelCauseFunc
}

// Now returns the virtual time.
func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.start.Add(c.elapsed)
}

// Elapsed returns the virtual time passed since the start.
func (c *vclock) Elapsed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.elapsed
}

// Sleep advances the clock by d without waiting.
func (c *vclock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	t := c.elapsed + d
	var hit *limit
	for i := range c.limits {
		if l := &c.limits[i]; t > l.at && (hit == nil || l.at < hit.at) {
			hit = l
		}
	}
	if hit == nil {
		c.elapsed = t
		c.mu.Unlock()
		return nil
	}
	c.elapsed = max(c.elapsed, hit.at)
	c.mu.Unlock()
	c.cancel(hit.cause)
	return context.Canceled
}

// lockedSource makes a PCG source safe for the concurrent nodes of a run.
type lockedSource struct {
	mu  sync.Mutex
	src *rand.PCG
}

func (s *lockedSource) Uint64() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.src.Uint64()
}

// fmtDur writes a duration as the executor does: "30s", "2m", "1s500ms".
func fmtDur(d time.Duration) string { return units.FormatDuration(d.Milliseconds()) }
