package checkpoint

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/flowscript/flowscript/internal/exec"
)

// maxWrong is how many answers that name no action are accepted before
// the default applies.
const maxWrong = 3

// Prompter asks at a terminal. In is the terminal input, Out is stderr.
// Prompts are serialised: one at a time, other nodes keep running.
type Prompter struct {
	// In is where answers are read, a line each.
	In io.Reader
	// Out is where prompts are written (stderr).
	Out io.Writer
	// Pause, when set, pauses the live display while a prompt is shown
	// and returns the function that resumes it.
	Pause func() (resume func())
	// Now, when set, is the clock the remaining time is shown with
	// (tests); the timeout itself runs on the real clock.
	Now func() time.Time

	once  sync.Once
	turn  chan struct{} // holds one token: the right to prompt
	want  chan struct{} // asks the reader for one line
	lines chan line     // the lines read
	// Owned by the holder of turn:
	pending bool // a line was asked for and not yet received
	eof     bool // input has ended
}

// line is one line read from In, or the end of input.
type line struct {
	text string
	eof  bool
	at   time.Time // when the read ended (real clock)
}

// errTimeout ends a prompt whose checkpoint timeout passed.
var errTimeout = errors.New("checkpoint timeout")

func (p *Prompter) init() {
	p.once.Do(func() {
		p.turn = make(chan struct{}, 1)
		p.turn <- struct{}{}
		p.want = make(chan struct{}, 1)
		p.lines = make(chan line, 1)
		go p.read()
	})
}

// read is the one reader goroutine: it reads a line only when asked, so
// nothing is taken from In while no prompt wants it.
func (p *Prompter) read() {
	r := bufio.NewReader(p.In)
	for range p.want {
		s, err := r.ReadString('\n')
		if s != "" {
			p.lines <- line{text: s, at: time.Now()}
			if err == nil {
				continue
			}
			<-p.want
		}
		p.lines <- line{eof: true, at: time.Now()}
		return
	}
}

func (p *Prompter) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Ask shows the checkpoint's prompt and returns the decision: by "tty",
// or by "timeout" when req.Timeout passes first. It returns ctx's error
// when ctx ends first (Ctrl-C interrupts the run).
func (p *Prompter) Ask(ctx context.Context, req *exec.CheckpointRequest) (*exec.Decision, error) {
	p.init()
	var timeout <-chan time.Time
	var deadline time.Time
	if req.Timeout > 0 {
		t := time.NewTimer(req.Timeout)
		defer t.Stop()
		timeout = t.C
		deadline = p.now().Add(req.Timeout)
	}
	onTimeout := &exec.Decision{Action: req.Default, By: "timeout"}
	select {
	case <-p.turn:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timeout:
		return onTimeout, nil
	}
	defer func() { p.turn <- struct{}{} }()
	if p.Pause != nil {
		if resume := p.Pause(); resume != nil {
			defer resume()
		}
	}

	d, err := p.ask(ctx, req, deadline, timeout)
	switch {
	case errors.Is(err, errTimeout):
		fmt.Fprintln(p.Out)
		return onTimeout, nil
	case err != nil:
		fmt.Fprintln(p.Out)
		return nil, err
	}
	return d, nil
}

// ask runs one prompt; the caller holds the turn.
func (p *Prompter) ask(ctx context.Context, req *exec.CheckpointRequest, deadline time.Time, timeout <-chan time.Time) (*exec.Decision, error) {
	key := req.Node
	if key == "" {
		key = req.ID
	}
	var b strings.Builder
	fmt.Fprintf(&b, "checkpoint %s: %s\n", key, req.Prompt)
	idw, nw := 0, len(strconv.Itoa(len(req.Actions)))
	for _, a := range req.Actions {
		idw = max(idw, len(a.ID))
	}
	for i, a := range req.Actions {
		if a.Label == "" || a.Label == a.ID {
			fmt.Fprintf(&b, "  %*d) %s\n", nw, i+1, a.ID)
		} else {
			fmt.Fprintf(&b, "  %*d) %-*s%s\n", nw, i+1, idw+3, a.ID, a.Label)
		}
	}
	io.WriteString(p.Out, b.String())

	choose := "choose 1 or an action id"
	if n := len(req.Actions); n > 1 {
		choose = fmt.Sprintf("choose 1-%d or an action id", n)
	}
	chosen := req.Default
	for wrong := 0; ; {
		hint := "default " + req.Default
		if !deadline.IsZero() {
			hint += ", " + FormatRemaining(deadline.Sub(p.now())) + " left"
		}
		fmt.Fprintf(p.Out, "%s [%s]: ", choose, hint)
		text, err := p.readLine(ctx, timeout)
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(p.Out)
			return &exec.Decision{Action: req.Default, By: "tty"}, nil
		}
		if err != nil {
			return nil, err
		}
		if text == "" {
			break
		}
		if a := match(req.Actions, text); a != nil {
			chosen = a.ID
			break
		}
		wrong++
		if wrong == maxWrong {
			fmt.Fprintf(p.Out, "no action %q; using the default %q\n", text, req.Default)
			break
		}
		fmt.Fprintf(p.Out, "no action %q\n", text)
	}
	d := &exec.Decision{Action: chosen, By: "tty"}
	for _, a := range req.Actions {
		if a.ID != chosen || a.Ask == "" {
			continue
		}
		fmt.Fprintf(p.Out, "%s: ", a.Ask)
		text, err := p.readLine(ctx, timeout)
		switch {
		case errors.Is(err, io.EOF):
			fmt.Fprintln(p.Out)
		case err != nil:
			return nil, err
		default:
			d.Input = text
		}
		break
	}
	return d, nil
}

// readLine returns the next line typed after now, without its line end
// and surrounding space; io.EOF at the end of input, errTimeout when
// timeout fires, ctx's error when ctx ends. A line whose read ended before
// this prompt was shown answered an earlier prompt that gave up waiting:
// it is dropped.
func (p *Prompter) readLine(ctx context.Context, timeout <-chan time.Time) (string, error) {
	shown := time.Now()
	for {
		if p.eof {
			return "", io.EOF
		}
		if !p.pending {
			p.want <- struct{}{}
			p.pending = true
		}
		select {
		case l := <-p.lines:
			p.pending = false
			if l.eof {
				p.eof = true
				return "", io.EOF
			}
			if l.at.Before(shown) {
				continue
			}
			return strings.TrimSpace(l.text), nil
		case <-ctx.Done():
			return "", ctx.Err()
		case <-timeout:
			return "", errTimeout
		}
	}
}

// match finds the action an answer names: its number, else its id, else
// its label, in any case.
func match(actions []exec.Action, s string) *exec.Action {
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(actions) {
		return &actions[n-1]
	}
	for i := range actions {
		if strings.EqualFold(actions[i].ID, s) {
			return &actions[i]
		}
	}
	for i := range actions {
		if strings.EqualFold(actions[i].Label, s) {
			return &actions[i]
		}
	}
	return nil
}

// FormatRemaining writes the time left at a prompt, truncated to whole
// seconds: "45s", "29m59s", "2h00m05s"; "0s" when none is left.
func FormatRemaining(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s <= 0:
		return "0s"
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm%02ds", s/3600, s%3600/60, s%60)
	}
}

// Interactive reports whether a session is interactive: stdin and stderr
// are terminals and the environment variable CI is not "true".
func Interactive(stdin, stderr *os.File, getenv func(string) (string, bool)) bool {
	if getenv != nil {
		if v, _ := getenv("CI"); v == "true" {
			return false
		}
	}
	return isTerminal(stdin) && isTerminal(stderr)
}

func isTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	fd := f.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}
