package checkpoint

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/exec"
)

// review is the checkpoint of spec/execution.md §11.
func review(timeout time.Duration) *exec.CheckpointRequest {
	return &exec.CheckpointRequest{
		Node: "review", ID: "review", Prompt: "Release v1.4.2?", Default: "reject", Timeout: timeout,
		Actions: []exec.Action{
			{ID: "ship", Label: "Ship it", Goto: "publish", Outcome: "continue"},
			{ID: "edit", Label: "Request changes", Goto: "revise", Outcome: "continue", Ask: "What should change?"},
			{ID: "reject", Label: "Stop", Outcome: "reject"},
		},
	}
}

// screen is a Prompter's output that a test can wait on.
type screen struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitCount waits until sub occurs n times in the output.
func (s *screen) waitCount(t *testing.T, sub string, n int) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		if strings.Count(s.String(), sub) >= n {
			return
		}
	}
	t.Fatalf("no %d× %q in output:\n%s", n, sub, s.String())
}

// session is a Prompter reading from a pipe.
type session struct {
	p   *Prompter
	w   *io.PipeWriter
	out *screen
}

func newSession(t *testing.T) *session {
	r, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	out := &screen{}
	return &session{p: &Prompter{In: r, Out: out}, w: w, out: out}
}

type result struct {
	d   *exec.Decision
	err error
}

func (s *session) ask(ctx context.Context, req *exec.CheckpointRequest) <-chan result {
	c := make(chan result, 1)
	go func() {
		d, err := s.p.Ask(ctx, req)
		c <- result{d, err}
	}()
	return c
}

// answer types each answer once the prompt asking for it has been shown:
// a "choose" line or an "ask" line.
func (s *session) answer(t *testing.T, answers []string, eof bool) {
	t.Helper()
	chooses, asks := 0, 0
	for _, a := range answers {
		if strings.HasPrefix(a, "ask:") {
			asks++
			s.out.waitCount(t, "What should change?: ", asks)
			a = strings.TrimPrefix(a, "ask:")
		} else {
			chooses++
			s.out.waitCount(t, "]: ", chooses)
		}
		if _, err := io.WriteString(s.w, a); err != nil {
			t.Fatal(err)
		}
	}
	if eof {
		s.w.Close()
	}
}

func TestAskAnswers(t *testing.T) {
	tests := []struct {
		name    string
		answers []string // "ask:" marks the answer to an ask line
		eof     bool
		action  string
		input   any
		wrongs  int
	}{
		{name: "number", answers: []string{"1\n"}, action: "ship"},
		{name: "number with ask", answers: []string{"2\n", "ask:shorter intro\n"}, action: "edit", input: "shorter intro"},
		{name: "id", answers: []string{"ship\n"}, action: "ship"},
		{name: "id any case", answers: []string{"REJECT\n"}, action: "reject"},
		{name: "label", answers: []string{"Stop\n"}, action: "reject"},
		{name: "label any case", answers: []string{"ship IT\n"}, action: "ship"},
		{name: "spaces and CRLF", answers: []string{"  3 \r\n"}, action: "reject"},
		{name: "empty line is the default", answers: []string{"\n"}, action: "reject"},
		{name: "eof is the default", eof: true, action: "reject"},
		{name: "last line without newline", answers: []string{"ship"}, eof: true, action: "ship"},
		{name: "eof at ask", answers: []string{"edit\n"}, eof: true, action: "edit"},
		{name: "empty ask", answers: []string{"edit\n", "ask:\n"}, action: "edit", input: ""},
		{name: "out of range", answers: []string{"4\n", "0\n", "1\n"}, action: "ship", wrongs: 2},
		{name: "two wrong then right", answers: []string{"yes\n", "maybe\n", "edit\n", "ask:x y\n"}, action: "edit", input: "x y", wrongs: 2},
		{name: "three wrong is the default", answers: []string{"a\n", "b\n", "c\n"}, action: "reject", wrongs: 3},
		{name: "wrong then eof", answers: []string{"a\n"}, eof: true, action: "reject", wrongs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			c := s.ask(context.Background(), review(0))
			s.answer(t, tt.answers, tt.eof)
			r := <-c
			if r.err != nil {
				t.Fatalf("Ask: %v\n%s", r.err, s.out)
			}
			if r.d.Action != tt.action || r.d.By != "tty" || r.d.Input != tt.input {
				t.Errorf("decision %+v; want action %q by tty input %#v\n%s", *r.d, tt.action, tt.input, s.out)
			}
			if n := strings.Count(s.out.String(), "no action "); n != tt.wrongs {
				t.Errorf("%d wrong-answer lines, want %d:\n%s", n, tt.wrongs, s.out)
			}
		})
	}
}

// steps is a clock that moves one second each time it is read.
func steps() func() time.Time {
	t := time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func TestAskText(t *testing.T) {
	tests := []struct {
		name    string
		req     *exec.CheckpointRequest
		answers []string
		want    string
	}{
		{
			name:    "spec example",
			req:     review(30 * time.Minute),
			answers: []string{"2\n", "ask:shorter intro\n"},
			want: "checkpoint review: Release v1.4.2?\n" +
				"  1) ship     Ship it\n" +
				"  2) edit     Request changes\n" +
				"  3) reject   Stop\n" +
				"choose 1-3 or an action id [default reject, 29m59s left]: " +
				"What should change?: ",
		},
		{
			name:    "without timeout, wrong answers",
			req:     review(0),
			answers: []string{"x\n", "y\n", "z\n"},
			want: "checkpoint review: Release v1.4.2?\n" +
				"  1) ship     Ship it\n" +
				"  2) edit     Request changes\n" +
				"  3) reject   Stop\n" +
				"choose 1-3 or an action id [default reject]: " +
				"no action \"x\"\n" +
				"choose 1-3 or an action id [default reject]: " +
				"no action \"y\"\n" +
				"choose 1-3 or an action id [default reject]: " +
				"no action \"z\"; using the default \"reject\"\n",
		},
		{
			name: "default actions, instance key",
			req: &exec.CheckpointRequest{Node: "gate[2]", ID: "gate", Prompt: "Go on?", Default: "approve",
				Actions: []exec.Action{{ID: "approve", Label: "approve"}, {ID: "reject", Label: "reject"}}},
			answers: []string{"\n"},
			want: "checkpoint gate[2]: Go on?\n" +
				"  1) approve\n" +
				"  2) reject\n" +
				"choose 1-2 or an action id [default approve]: ",
		},
		{
			name: "one action",
			req: &exec.CheckpointRequest{Node: "one", Prompt: "Ok?", Default: "ok", Timeout: 2 * time.Hour,
				Actions: []exec.Action{{ID: "ok", Label: "Fine"}}},
			answers: []string{"ok\n"},
			want: "checkpoint one: Ok?\n" +
				"  1) ok   Fine\n" +
				"choose 1 or an action id [default ok, 1h59m59s left]: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			s.p.Now = steps()
			c := s.ask(context.Background(), tt.req)
			s.answer(t, tt.answers, false)
			if r := <-c; r.err != nil {
				t.Fatal(r.err)
			}
			if got := s.out.String(); got != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestAskManyActions(t *testing.T) {
	req := &exec.CheckpointRequest{Node: "pick", Prompt: "Which?", Default: "a1"}
	for i := 1; i <= 10; i++ {
		id := "a" + string(rune('0'+i%10))
		req.Actions = append(req.Actions, exec.Action{ID: id, Label: id})
	}
	s := newSession(t)
	c := s.ask(context.Background(), req)
	s.answer(t, []string{"10\n"}, false)
	r := <-c
	if r.err != nil || r.d.Action != "a0" {
		t.Fatalf("decision %+v, %v; want a0", r.d, r.err)
	}
	for _, l := range []string{"   1) a1\n", "  10) a0\n", "choose 1-10 or an action id"} {
		if !strings.Contains(s.out.String(), l) {
			t.Errorf("no %q in:\n%s", l, s.out)
		}
	}
}

func TestAskTimeout(t *testing.T) {
	tests := []struct {
		name    string
		answers []string // typed before the timeout
	}{
		{name: "no answer"},
		{name: "after a wrong answer", answers: []string{"nope\n"}},
		{name: "at the ask line", answers: []string{"edit\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			req := review(300 * time.Millisecond)
			start := time.Now()
			c := s.ask(context.Background(), req)
			s.answer(t, tt.answers, false)
			r := <-c
			if r.err != nil || r.d.Action != "reject" || r.d.By != "timeout" || r.d.Input != nil {
				t.Fatalf("decision %+v, %v; want reject by timeout", r.d, r.err)
			}
			if el := time.Since(start); el < 300*time.Millisecond || el > 3*time.Second {
				t.Errorf("timed out after %v, want 300ms", el)
			}
			if out := s.out.String(); !strings.HasSuffix(out, ": \n") {
				t.Errorf("prompt line not ended:\n%q", out)
			}

			// The read left waiting takes nothing from the next prompt, and
			// a line typed while no prompt was shown answers none.
			if _, err := io.WriteString(s.w, "ship\n"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
			n := strings.Count(s.out.String(), "]: ")
			c = s.ask(context.Background(), review(0))
			s.out.waitCount(t, "]: ", n+1)
			io.WriteString(s.w, "3\n")
			if r := <-c; r.err != nil || r.d.Action != "reject" || r.d.By != "tty" {
				t.Fatalf("next prompt: %+v, %v; want reject by tty\n%s", r.d, r.err, s.out)
			}
			if strings.Contains(s.out.String(), `no action "ship"`) {
				t.Errorf("stale line answered the next prompt:\n%s", s.out)
			}
		})
	}
}

func TestAskCancel(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	c := s.ask(ctx, review(time.Hour))
	s.out.waitCount(t, "]: ", 1)
	cancel()
	r := <-c
	if !errors.Is(r.err, context.Canceled) || r.d != nil {
		t.Fatalf("Ask = %+v, %v; want context.Canceled", r.d, r.err)
	}
	if !strings.HasSuffix(s.out.String(), "left]: \n") {
		t.Errorf("prompt line not ended:\n%q", s.out)
	}
	// A cancelled prompt leaves the input to the next one.
	c = s.ask(context.Background(), review(0))
	s.out.waitCount(t, "]: ", 2)
	io.WriteString(s.w, "ship\n")
	if r := <-c; r.err != nil || r.d.Action != "ship" {
		t.Fatalf("next prompt: %+v, %v; want ship", r.d, r.err)
	}
}

func TestAskSerialised(t *testing.T) {
	s := newSession(t)
	var mu sync.Mutex
	var log []string
	s.p.Pause = func() func() {
		mu.Lock()
		log = append(log, "pause")
		mu.Unlock()
		return func() {
			mu.Lock()
			log = append(log, "resume")
			mu.Unlock()
		}
	}
	first := s.ask(context.Background(), review(0))
	s.out.waitCount(t, "]: ", 1)
	second := s.ask(context.Background(), &exec.CheckpointRequest{Node: "second", Prompt: "Again?", Default: "reject",
		Actions: []exec.Action{{ID: "approve"}, {ID: "reject"}}})
	// Queued while the first is shown: a third one times out unseen.
	third := s.ask(context.Background(), &exec.CheckpointRequest{Node: "third", Prompt: "Late?", Default: "no",
		Timeout: 50 * time.Millisecond, Actions: []exec.Action{{ID: "no"}}})
	if r := <-third; r.err != nil || r.d.Action != "no" || r.d.By != "timeout" {
		t.Fatalf("queued prompt: %+v, %v; want no by timeout", r.d, r.err)
	}
	if out := s.out.String(); strings.Contains(out, "second") || strings.Contains(out, "third") {
		t.Fatalf("a prompt was shown during another:\n%s", out)
	}
	io.WriteString(s.w, "ship\n")
	if r := <-first; r.err != nil || r.d.Action != "ship" {
		t.Fatalf("first: %+v, %v", r.d, r.err)
	}
	s.out.waitCount(t, "checkpoint second: Again?", 1)
	s.out.waitCount(t, "]: ", 2)
	io.WriteString(s.w, "approve\n")
	if r := <-second; r.err != nil || r.d.Action != "approve" {
		t.Fatalf("second: %+v, %v", r.d, r.err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(log, " "); got != "pause resume pause resume" {
		t.Errorf("display: %s; want pause resume pause resume", got)
	}
}

func TestFormatRemaining(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{30*time.Minute - time.Millisecond, "29m59s"},
		{30 * time.Minute, "30m00s"},
		{45*time.Second + 999*time.Millisecond, "45s"},
		{time.Minute, "1m00s"},
		{2*time.Hour + 5*time.Second, "2h00m05s"},
		{49 * time.Hour, "49h00m00s"},
		{999 * time.Millisecond, "0s"},
		{-time.Second, "0s"},
	}
	for _, tt := range tests {
		if got := FormatRemaining(tt.in); got != tt.want {
			t.Errorf("FormatRemaining(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
