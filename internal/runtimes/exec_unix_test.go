//go:build unix

package runtimes

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"
)

// waitGroupGone polls until the group has no live member or the time is
// up.
func waitGroupGone(pgid int, within time.Duration) bool {
	end := time.Now().Add(within)
	for time.Now().Before(end) {
		if !groupAlive(pgid) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return !groupAlive(pgid)
}

func TestExecCancellation(t *testing.T) {
	tests := []struct {
		name     string
		command  string
		grace    float64 // ms
		deadline bool    // cancel by deadline instead of cancel()
		// minimum and maximum time from cancel to Run returning
		min, max time.Duration
		wantLog  string // a line that must have been logged
	}{
		{"sleep", `echo $$; exec sleep 30`, 5000, false, 0, 2 * time.Second, ""},
		{"child of shell", `echo $$; sleep 30 & wait`, 5000, false, 0, 2 * time.Second, ""},
		{"deadline", `echo $$; sleep 30 & wait`, 5000, true, 0, 2 * time.Second, ""},
		{"term ignored", `trap '' TERM; echo $$; sleep 30`, 400, false, 350 * time.Millisecond, 3 * time.Second, ""},
		{"term trapped", `trap 'echo got-term' TERM; echo $$; while :; do sleep 0.05; done`, 600, false, 550 * time.Millisecond, 3 * time.Second, "got-term"},
		{"grandchild ignores term", `echo $$; sh -c "trap '' TERM; sleep 30" >/dev/null 2>&1 & wait`, 500, false, 450 * time.Millisecond, 3 * time.Second, ""},
		{"grace zero kills at once", `trap '' TERM; echo $$; sleep 30`, 0, false, 0, 2 * time.Second, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ls := newCall(t, "source", map[string]any{"command": tt.command, "grace": tt.grace})
			ls.seen = make(chan string, 100)
			var ctx context.Context
			var cancel context.CancelFunc
			if tt.deadline {
				ctx, cancel = context.WithTimeout(context.Background(), 500*time.Millisecond)
			} else {
				ctx, cancel = context.WithCancel(context.Background())
			}
			defer cancel()
			type result struct {
				v   any
				err error
				at  time.Time
			}
			done := make(chan result, 1)
			go func() {
				v, err := (&Exec{Role: "source"}).Run(ctx, c)
				done <- result{v, err, time.Now()}
			}()
			var pgid int
			select {
			case l := <-ls.seen:
				pgid, _ = strconv.Atoi(l)
			case <-time.After(5 * time.Second):
				t.Fatal("no pid line")
			}
			if pgid <= 0 || !groupAlive(pgid) {
				t.Fatalf("group %d not running", pgid)
			}
			time.Sleep(100 * time.Millisecond) // let traps and children start
			start := time.Now()
			if tt.deadline {
				<-ctx.Done()
				start = time.Now()
			} else {
				cancel()
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(tt.max + 5*time.Second):
				t.Fatal("Run did not return")
			}
			took := r.at.Sub(start)
			if took < tt.min || took > tt.max {
				t.Errorf("Run returned %v after cancel, want between %v and %v", took, tt.min, tt.max)
			}
			want := context.Canceled
			if tt.deadline {
				want = context.DeadlineExceeded
			}
			if !errors.Is(r.err, want) {
				t.Errorf("error %v, want one wrapping %v", r.err, want)
			}
			var re *Error
			if errors.As(r.err, &re) {
				t.Errorf("cancellation reported as [%s] %s", re.Code, re.Message)
			}
			// Run returns only when the group is gone.
			if !waitGroupGone(pgid, 100*time.Millisecond) {
				t.Errorf("process group %d still has live processes after Run returned", pgid)
			}
			if tt.wantLog != "" {
				found := false
				for _, l := range ls.all() {
					if l == "stdout: "+tt.wantLog {
						found = true
					}
				}
				if !found {
					t.Errorf("log %q lacks %q", ls.all(), tt.wantLog)
				}
			}
		})
	}
}

// TestExecSucceededBeforeCancel checks that a process that ended before
// the cancellation keeps its result.
func TestExecSucceededBeforeCancel(t *testing.T) {
	c, _ := newCall(t, "source", map[string]any{"command": "echo done"})
	ctx, cancel := context.WithCancel(context.Background())
	v, err := (&Exec{Role: "source"}).Run(ctx, c)
	cancel()
	if err != nil || v != "done" {
		t.Errorf("got %v, %v", v, err)
	}
}

// TestExecMaxOutputKillsGroup checks that exceeding max-output stops the
// whole process group, not only the shell.
func TestExecMaxOutputKillsGroup(t *testing.T) {
	c, ls := newCall(t, "source", map[string]any{"command": `echo $$; yes & wait`, "max-output": 4096.0})
	ls.seen = make(chan string, 1<<12)
	go func() {
		for range ls.seen {
		}
	}()
	start := time.Now()
	_, err := (&Exec{Role: "source"}).Run(context.Background(), c)
	close(ls.seen)
	var re *Error
	if !errors.As(err, &re) || re.Message != "stdout exceeded max-output (4KiB)" {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	pgid, _ := strconv.Atoi(ls.all()[0][len("stdout: "):])
	if pgid <= 0 || !waitGroupGone(pgid, 2*time.Second) {
		t.Errorf("process group %d still alive", pgid)
	}
}

// TestExecBackgroundChildKeepsPipe checks that a finished command whose
// background child still holds stdout returns after the pipe wait (grace +
// 1s) with its output, instead of waiting for the child.
func TestExecBackgroundChildKeepsPipe(t *testing.T) {
	c, _ := newCall(t, "source", map[string]any{"command": `(sleep 4; echo late) & echo main`, "grace": 100.0})
	start := time.Now()
	got, err := (&Exec{Role: "source"}).Run(context.Background(), c)
	if err != nil || got != "main" {
		t.Errorf("got %v, %v", got, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestExecAlreadyCancelled(t *testing.T) {
	c, _ := newCall(t, "source", map[string]any{"command": "echo x"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Exec{Role: "source"}).Run(ctx, c)
	var re *Error
	if !errors.Is(err, context.Canceled) || errors.As(err, &re) {
		t.Errorf("got %v", err)
	}
}
