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
	done bool
}

// lane is the virtual time of one line of work. Work that starts side by
// side gets its own lanes (Fork), starting at the parent's time; a sleep
// moves its lane and, as a maximum, every lane above it, so the parent
// goes on at the end of the longest of them (execution.md §5: only timing
// differs from a real run).
type lane struct {
	t      time.Duration
	parent *lane
}

type (
	laneKey   struct{}
	limitsKey struct{}
)

// vclock is the virtual clock of one case: now() starts at start and moves
// only when something sleeps. Sleep returns at once; passing a limit fires
// it (cancels the case, or times out a node, a <timeout> group or a
// sub-workflow).
type vclock struct {
	mu     sync.Mutex
	start  time.Time
	root   lane
	global []*limit // the case and run limits, for every lane
}

// addLimit adds a limit of the whole case at elapsed time at.
func (c *vclock) addLimit(at time.Duration, fire func()) *limit {
	l := &limit{at: at, fire: fire}
	c.mu.Lock()
	c.global = append(c.global, l)
	c.mu.Unlock()
	return l
}

// Now returns the virtual time: the latest any lane has reached.
func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.start.Add(c.root.t)
}

// Elapsed returns the virtual time passed since the start.
func (c *vclock) Elapsed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.root.t
}

func (c *vclock) laneOf(ctx context.Context) *lane {
	if l, ok := ctx.Value(laneKey{}).(*lane); ok {
		return l
	}
	return &c.root
}

// Fork is exec.Options.Fork: n lanes starting at ctx's lane time.
func (c *vclock) Fork(ctx context.Context, n int) []context.Context {
	parent := c.laneOf(ctx)
	c.mu.Lock()
	t := parent.t
	c.mu.Unlock()
	out := make([]context.Context, n)
	for i := range out {
		out[i] = context.WithValue(ctx, laneKey{}, &lane{t: t, parent: parent})
	}
	return out
}

// WithTimeout is context.WithTimeoutCause on the virtual clock
// (exec.Options.WithTimeout): the context is cancelled with cause when a
// sleep under it passes d from its lane's time now.
func (c *vclock) WithTimeout(ctx context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc) {
	cctx, cancel := context.WithCancelCause(ctx)
	c.mu.Lock()
	l := &limit{at: c.laneOf(ctx).t + d, fire: func() { cancel(cause) }}
	c.mu.Unlock()
	outer, _ := ctx.Value(limitsKey{}).([]*limit)
	cctx = context.WithValue(cctx, limitsKey{}, append(outer[:len(outer):len(outer)], l))
	return cctx, func() {
		c.mu.Lock()
		l.done = true
		c.mu.Unlock()
		cancel(context.Canceled)
	}
}

// Sleep advances ctx's lane by d without waiting. Each limit passed on the
// way (the case's, and the deadlines ctx is under) fires, earliest first;
// the sleep stops early when that cancels ctx.
func (c *vclock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	ln := c.laneOf(ctx)
	under, _ := ctx.Value(limitsKey{}).([]*limit)
	c.mu.Lock()
	t := ln.t + d
	for {
		var hit *limit
		for _, group := range [][]*limit{c.global, under} {
			for _, l := range group {
				if !l.done && t > l.at && (hit == nil || l.at < hit.at) {
					hit = l
				}
			}
		}
		if hit == nil {
			break
		}
		hit.done = true
		c.advance(ln, hit.at)
		c.mu.Unlock()
		hit.fire()
		if err := ctx.Err(); err != nil {
			return err
		}
		c.mu.Lock()
	}
	c.advance(ln, t)
	c.mu.Unlock()
	return nil
}

// advance moves lane l to t at least, and the lanes above it as a maximum.
// Called with c.mu held.
func (c *vclock) advance(l *lane, t time.Duration) {
	for ; l != nil; l = l.parent {
		l.t = max(l.t, t)
	}
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
