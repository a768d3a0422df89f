package report

import (
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/value"
)

// Timestamp formats t as UTC with milliseconds ("2026-11-25T10:15:00.012Z").
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// EventObject is the journal object of one executor event (execution.md
// §13): seq, ts, run and event, then node and kind for node events, then
// the fields of the event type. Values are not masked.
func EventObject(runID string, seq int, ev *exec.Event) *value.Object {
	o := value.ObjectOf("seq", float64(seq), "ts", Timestamp(ev.Time), "run", runID, "event", ev.Type)
	if in := ev.Inst; in != nil {
		o.Set("node", in.Key)
		o.Set("kind", in.Node.Kind)
	}
	switch ev.Type {
	case exec.EvWaveStart:
		nodes := make([]any, len(ev.Nodes))
		for i, n := range ev.Nodes {
			nodes[i] = n
		}
		o.Set("scope", ev.Scope)
		o.Set("wave", float64(ev.Wave))
		o.Set("nodes", nodes)
	case exec.EvWaveEnd:
		o.Set("scope", ev.Scope)
		o.Set("wave", float64(ev.Wave))
		o.Set("status", ev.Status)
	case exec.EvNodeStart:
		o.Set("attempt", float64(ev.Attempt))
	case exec.EvNodeLog:
		o.Set("stream", ev.Stream)
		o.Set("line", ev.Line)
	case exec.EvNodeRetry:
		o.Set("attempt", float64(ev.Attempt))
		o.Set("delay_ms", float64(ev.DelayMS))
		o.Set("error", shortError(ev.Error))
	case exec.EvNodeSkip:
		o.Set("reason", ev.Inst.Reason)
	case exec.EvNodeEnd:
		in := ev.Inst
		o.Set("status", in.Status)
		o.Set("attempts", float64(in.Attempts))
		o.Set("duration_ms", float64(in.Duration().Milliseconds()))
		if in.Status == exec.StatusSuccess {
			o.Set("preview", Cut(value.JSON(in.Output), 200, ""))
		}
		if in.Err != nil && in.Status != exec.StatusSuccess {
			o.Set("error", shortError(in.Err))
		}
		if in.RecoveredBy != "" {
			o.Set("recovered_by", in.RecoveredBy)
		}
	}
	return o
}

// shortError is {code, message} or null.
func shortError(e *exec.NodeError) any {
	if e == nil {
		return nil
	}
	return value.ObjectOf("code", e.Code, "message", e.Message)
}

// Cut keeps the first n characters of s and appends more when it cut.
func Cut(s string, n int, more string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k] + more
		}
		i++
	}
	return s
}

// Events writes the NDJSON event stream of `run --json`: run.start, plan,
// every executor event and run.end, one compact object per line, masked.
// It is safe for concurrent use.
type Events struct {
	mu   sync.Mutex
	w    io.Writer
	run  *Run
	seq  int
	buf  []byte
	fail error
}

// NewEvents returns an event writer for r (r.Report is read by End).
func NewEvents(w io.Writer, r *Run) *Events { return &Events{w: w, run: r} }

func (e *Events) emit(o *value.Object) {
	e.buf = value.AppendJSON(e.buf[:0], o)
	line := e.run.mask(string(e.buf)) + "\n"
	if e.fail == nil {
		_, e.fail = io.WriteString(e.w, line)
	}
}

func (e *Events) next(event string, t time.Time) *value.Object {
	e.seq++
	return value.ObjectOf("seq", float64(e.seq), "ts", Timestamp(t), "run", e.run.ID, "event", event)
}

// Start writes run.start and plan. options are max_concurrency,
// scheduler and timeout_ms.
func (e *Events) Start(t time.Time, config, input any, options *value.Object) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o := e.next("run.start", t)
	o.Set("workflow", e.run.workflow())
	o.Set("attempt", float64(e.run.attempt()))
	o.Set("resumed", e.run.attempt() > 1)
	o.Set("config", orEmpty(config))
	o.Set("input", orEmpty(input))
	o.Set("options", options)
	e.emit(o)
	if e.run.Plan != nil {
		p := e.next("plan", t)
		waves := []any{}
		for _, w := range e.run.Plan.Root.Waves {
			ids := make([]any, len(w))
			for i, n := range w {
				ids[i] = n.ID
			}
			waves = append(waves, ids)
		}
		p.Set("waves", waves)
		e.emit(p)
	}
}

// Event writes one executor event.
func (e *Events) Event(ev *exec.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	e.emit(EventObject(e.run.ID, e.seq, ev))
}

// End writes run.end from the run's report and returns the first write
// error, if any.
func (e *Events) End() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	rep := e.run.Report
	o := e.next("run.end", rep.End)
	o.Set("status", rep.Status)
	o.Set("duration_ms", float64(rep.End.Sub(rep.Start).Milliseconds()))
	o.Set("exit_code", float64(ExitCode(rep.Status)))
	o.Set("error", e.run.runError())
	o.Set("output", e.run.output())
	o.Set("counts", counts(rep.Counts))
	e.emit(o)
	return e.fail
}

func orEmpty(v any) any {
	if v == nil {
		return value.NewObject(0)
	}
	return v
}
