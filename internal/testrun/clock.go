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

// limit is a point of virtual time that cancels something: the case, or
// the context of a deadline set by WithTimeout.
type limit struct {
	at   time.Duration
	fire func()
}

// vclock is the virtual clock of one case: now() starts at start and moves
// only when something sleeps. Sleep returns at once; passing a limit
// fires it (cancels the case, or times out a node or a <timeout> group).
type vclock struct {
	mu      sync.Mutex
	start   time.Time
	elapsed time.Duration
	limits  []*limit
}

// addLimit adds a limit at elapsed time at.
func (c *vclock) addLimit(at time.Duration, fire func()) *limit {
	l := &limit{at: at, fire: fire}
	c.mu.Lock()
	c.limits = append(c.limits, l)
	c.mu.Unlock()
	return l
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

// WithTimeout is context.WithTimeoutCause on the virtual clock
// (exec.Options.WithTimeout): the context is cancelled with cause when a
// sleep passes d from now.
func (c *vclock) WithTimeout(ctx context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc) {
	cctx, cancel := context.WithCancelCause(ctx)
	l := c.addLimit(c.Elapsed()+d, func() { cancel(cause) })
	return cctx, func() {
		c.mu.Lock()
		for i, x := range c.limits {
			if x == l {
				c.limits = append(c.limits[:i], c.limits[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		cancel(context.Canceled)
	}
}

// Sleep advances the clock by d without waiting. Each limit passed on the
// way fires, earliest first; the sleep stops early when that cancels ctx.
func (c *vclock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	t := c.elapsed + d
	for {
		var hit *limit
		at := -1
		for i, l := range c.limits {
			if t > l.at && (hit == nil || l.at < hit.at) {
				hit, at = l, i
			}
		}
		if hit == nil {
			break
		}
		c.limits = append(c.limits[:at], c.limits[at+1:]...)
		c.elapsed = max(c.elapsed, hit.at)
		c.mu.Unlock()
		hit.fire()
		if err := ctx.Err(); err != nil {
			return err
		}
		c.mu.Lock()
	}
	c.elapsed = t
	c.mu.Unlock()
	return nil
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
