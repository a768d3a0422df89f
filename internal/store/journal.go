package store

import (
	"io"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/value"
)

// LogCap is how many bytes of log lines are journaled per node instance
// and stream; then one TruncatedLine line is written and no more.
const LogCap = 1 << 20

// TruncatedLine is the node.log line that ends a capped stream.
const TruncatedLine = "[… output truncated]"

// Journal appends events to events.ndjson (and to an optional tee, the
// stdout of `run --json`). Each event is one line: seq (continuing across
// attempts), ts, run, then the event's own fields. Append encodes at once
// and a background flusher writes and fsyncs what accumulated, with at
// most one flush in flight; Sync and Close wait for everything appended.
//
// A line appended as held (a node's end, skip or reuse, which the
// Recorder also puts into state.json) is not written, nor anything after
// it, until Release covers it: so after a crash every node end in the
// journal is also in state.json, and a resume never runs again a node
// whose success was journaled.
type Journal struct {
	run string

	mu      sync.Mutex
	seq     int64
	pending []byte
	base    int64            // offset of pending[0] in the stream of appended bytes
	holds   []int64          // offsets of the held lines not yet released, ascending
	logs    map[logKey]int64 // bytes journaled per instance and stream
	mask    func(any) (any, bool)
	err     error
	closed  bool

	file *os.File
	tee  io.Writer

	fmu  sync.Mutex // held while flushing
	kick chan struct{}
	done chan struct{}
	buf  []byte

	runJSON  []byte // the quoted run id
	lastTS   time.Time
	lastText []byte
}

type logKey struct{ node, stream string }

// NewJournal returns a journal that writes only to w (for `run --json`
// with --no-state), numbering events from 1.
func NewJournal(runID string, w io.Writer) *Journal {
	return newJournal(runID, 1, nil, nil).withTee(w)
}

func newJournal(runID string, next int64, f *os.File, openErr error) *Journal {
	j := &Journal{run: runID, runJSON: value.AppendQuoted(nil, runID), seq: next - 1, file: f, err: openErr, logs: map[logKey]int64{},
		kick: make(chan struct{}, 1), done: make(chan struct{})}
	go j.flusher()
	return j
}

func (j *Journal) withTee(w io.Writer) *Journal {
	j.mu.Lock()
	j.tee = w
	j.mu.Unlock()
	return j
}

// SetTee makes the journal also write every line to w.
func (j *Journal) SetTee(w io.Writer) { j.withTee(w) }

// SetMask sets the masker applied to every event before it is encoded.
func (j *Journal) SetMask(m func(any) (any, bool)) {
	j.mu.Lock()
	j.mask = m
	j.mu.Unlock()
}

// Seq returns the number of the last event appended.
func (j *Journal) Seq() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq
}

// Append adds one event: ev holds "event" and the fields that follow
// "run" (see EventObject). node.log lines are capped per instance and
// stream (LogCap). It returns the first write error seen so far.
func (j *Journal) Append(ts time.Time, ev *value.Object) error {
	return j.appendObject(ts, ev, false)
}

// appendObject is Append; with hold the line is held until Release.
func (j *Journal) appendObject(ts time.Time, ev *value.Object, hold bool) error {
	j.mu.Lock()
	mask := j.mask
	j.mu.Unlock()
	if mask != nil {
		if m, changed := mask(ev); changed {
			if mo, ok := m.(*value.Object); ok {
				ev = mo
			}
		}
	}
	var node, stream string
	isLog := false
	if t, _ := ev.Get("event"); t == exec.EvNodeLog {
		isLog = true
		node, stream = str(ev, "node"), str(ev, "stream")
	}
	return j.add(ts, hold, isLog, node, stream, str(ev, "line"), func(b []byte, line string) []byte {
		for _, k := range ev.Keys() {
			v, _ := ev.Get(k)
			if isLog && k == "line" {
				v = line
			}
			b = append(b, ',')
			b = value.AppendQuoted(b, k)
			b = append(b, ':')
			b = value.AppendJSON(b, v)
		}
		return b
	})
}

// add numbers and encodes one event under the lock: body appends the
// fields after "run" (each preceded by a comma); for a node.log event
// (isLog) it gets the line to write, which the cap may have replaced.
// With hold the line is held until Release.
func (j *Journal) add(ts time.Time, hold, isLog bool, node, stream, line string, body func(b []byte, line string) []byte) error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return os.ErrClosed
	}
	if isLog {
		var ok bool
		if line, ok = j.admitLog(node, stream, line); !ok {
			err := j.err
			j.mu.Unlock()
			return err
		}
	}
	j.seq++
	wake := len(j.pending) == 0
	if hold {
		j.holds = append(j.holds, j.base+int64(len(j.pending)))
	}
	b := append(j.pending, `{"seq":`...)
	b = strconv.AppendInt(b, j.seq, 10)
	b = append(b, `,"ts":"`...)
	if !ts.Equal(j.lastTS) || j.lastText == nil {
		j.lastTS = ts
		j.lastText = ts.UTC().Truncate(time.Millisecond).AppendFormat(j.lastText[:0], TimeLayout)
	}
	b = append(b, j.lastText...)
	b = append(b, `","run":`...)
	b = append(b, j.runJSON...)
	b = body(b, line)
	j.pending = append(b, '}', '\n')
	err := j.err
	j.mu.Unlock()
	if wake {
		select {
		case j.kick <- struct{}{}:
		default:
		}
	}
	return err
}

// admitLog applies the log cap and returns the line to write, which is
// the truncation marker when the cap is reached. Called with j.mu held.
func (j *Journal) admitLog(node, stream, line string) (string, bool) {
	k := logKey{node, stream}
	used := j.logs[k]
	if used < 0 {
		return "", false
	}
	if used+int64(len(line)) > LogCap {
		j.logs[k] = -1
		return TruncatedLine, true
	}
	j.logs[k] = used + int64(len(line))
	return line, true
}

func (j *Journal) flusher() {
	for {
		select {
		case <-j.kick:
			j.flush(false)
		case <-j.done:
			return
		}
	}
}

// Mark returns the position of the next line to be appended, for
// Release.
func (j *Journal) Mark() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.base + int64(len(j.pending))
}

// Release lets the held lines appended before mark (see Mark) be
// written: the state that records them is on disk.
func (j *Journal) Release(mark int64) {
	j.mu.Lock()
	i := 0
	for i < len(j.holds) && j.holds[i] < mark {
		i++
	}
	j.holds = j.holds[:copy(j.holds, j.holds[i:])]
	wake := i > 0 && len(j.pending) > 0
	j.mu.Unlock()
	if wake {
		select {
		case j.kick <- struct{}{}:
		default:
		}
	}
}

// flush writes and fsyncs what was appended before the first held line,
// or, with all, everything appended so far.
func (j *Journal) flush(all bool) {
	j.fmu.Lock()
	defer j.fmu.Unlock()
	j.mu.Lock()
	if all {
		j.holds = j.holds[:0]
	}
	n := len(j.pending)
	if len(j.holds) > 0 {
		n = int(j.holds[0] - j.base)
	}
	data := j.pending[:n]
	j.pending = append(j.buf[:0], j.pending[n:]...)
	j.base += int64(n)
	if len(data) == 0 {
		j.buf = data[:0] // keep pending and buf apart
		j.mu.Unlock()
		return
	}
	f, tee := j.file, j.tee
	j.mu.Unlock()
	var err error
	if f != nil {
		if _, werr := f.Write(data); werr != nil {
			err = werr
		} else if serr := f.Sync(); serr != nil {
			err = serr
		}
	}
	if tee != nil {
		if _, werr := tee.Write(data); werr != nil && err == nil {
			err = werr
		}
	}
	j.mu.Lock()
	j.buf = data[:0]
	if err != nil && j.err == nil {
		j.err = err
	}
	j.mu.Unlock()
}

// Sync writes and fsyncs everything appended and returns the first write
// error.
func (j *Journal) Sync() error {
	j.flush(true)
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Close syncs and closes the journal.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return j.err
	}
	j.mu.Unlock()
	err := j.Sync()
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	close(j.done)
	j.fmu.Lock()
	defer j.fmu.Unlock()
	if j.file != nil {
		if cerr := j.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// EventObject renders an executor event as its journal object
// (spec/execution.md §13) without seq, ts and run: "event", then "node"
// and "kind" for node events, then the event's fields in the table's
// order. Values are not masked.
func EventObject(ev *exec.Event) *value.Object {
	o := value.NewObject(8)
	o.Set("event", ev.Type)
	switch ev.Type {
	case exec.EvWaveStart, exec.EvWaveEnd:
		o.Set("scope", ev.Scope)
		o.Set("wave", float64(ev.Wave))
		if ev.Type == exec.EvWaveStart {
			nodes := make([]any, len(ev.Nodes))
			for i, n := range ev.Nodes {
				nodes[i] = n
			}
			o.Set("nodes", nodes)
		} else {
			o.Set("status", ev.Status)
		}
		return o
	}
	in := ev.Inst
	if in == nil {
		return o
	}
	o.Set("node", in.Key)
	kind := ""
	if in.Node != nil {
		kind = in.Node.Kind
	}
	o.Set("kind", kind)
	switch ev.Type {
	case exec.EvNodeStart:
		o.Set("attempt", float64(ev.Attempt))
	case exec.EvNodeLog:
		o.Set("stream", ev.Stream)
		o.Set("line", ev.Line)
	case exec.EvNodeRetry:
		o.Set("attempt", float64(ev.Attempt))
		o.Set("delay_ms", float64(ev.DelayMS))
		if ev.Error != nil {
			o.Set("error", value.ObjectOf("code", ev.Error.Code, "message", ev.Error.Message))
		}
	case exec.EvNodeSkip:
		o.Set("reason", in.Reason)
	case exec.EvNodeEnd:
		status := ev.Status
		if status == "" {
			status = in.Status
		}
		o.Set("status", status)
		o.Set("attempts", float64(in.Attempts))
		o.Set("duration_ms", float64(in.Duration().Milliseconds()))
		if status == exec.StatusSuccess {
			o.Set("preview", Preview(in.Output))
		}
		ne := ev.Error
		if ne == nil {
			ne = in.Err
		}
		if ne != nil && status != exec.StatusSuccess {
			o.Set("error", value.ObjectOf("code", ne.Code, "message", ne.Message))
		}
		if in.Usage != nil {
			o.Set("usage", usageValue(in.Usage))
		}
		if in.RecoveredBy != "" {
			o.Set("recovered_by", in.RecoveredBy)
		}
	}
	return o
}

// usageValue is the usage object of node.end and the state (nodes.md §2.8).
func usageValue(u *exec.Usage) *value.Object {
	return value.ObjectOf("prompt_tokens", float64(u.Prompt), "completion_tokens", float64(u.Completion),
		"total_tokens", float64(u.Total))
}

// Preview is the compact JSON of v cut to its first 200 characters.
func Preview(v any) string {
	return cut(value.JSON(v), 200)
}

// cut keeps the first n characters (runes) of s.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i]
}

// appendExec is the fast path of Append for executor events: the same
// bytes as Append(ts, EventObject(ev)), without building the object.
// maskStr masks text fields; preview is the (masked) preview of a
// successful node.end. With hold a node.end or node.skip line is held
// until Release.
func (j *Journal) appendExec(ev *exec.Event, ts time.Time, maskStr func(string) string, preview string, hold bool) error {
	in := ev.Inst
	switch ev.Type {
	case exec.EvWaveStart, exec.EvWaveEnd:
		return j.add(ts, false, false, "", "", "", func(b []byte, _ string) []byte {
			b = append(b, `,"event":`...)
			b = value.AppendQuoted(b, ev.Type)
			b = append(b, `,"scope":`...)
			b = value.AppendQuoted(b, ev.Scope)
			b = append(b, `,"wave":`...)
			b = strconv.AppendInt(b, int64(ev.Wave), 10)
			if ev.Type == exec.EvWaveStart {
				b = append(b, `,"nodes":[`...)
				for i, n := range ev.Nodes {
					if i > 0 {
						b = append(b, ',')
					}
					b = value.AppendQuoted(b, n)
				}
				return append(b, ']')
			}
			b = append(b, `,"status":`...)
			return value.AppendQuoted(b, ev.Status)
		})
	}
	if in == nil {
		return j.Append(ts, EventObject(ev))
	}
	kind := ""
	if in.Node != nil {
		kind = in.Node.Kind
	}
	head := func(b []byte) []byte {
		b = append(b, `,"event":`...)
		b = value.AppendQuoted(b, ev.Type)
		b = append(b, `,"node":`...)
		b = value.AppendQuoted(b, in.Key)
		b = append(b, `,"kind":`...)
		return value.AppendQuoted(b, kind)
	}
	errObj := func(b []byte, ne *exec.NodeError) []byte {
		b = append(b, `,"error":{"code":`...)
		b = value.AppendQuoted(b, ne.Code)
		b = append(b, `,"message":`...)
		b = value.AppendQuoted(b, maskStr(ne.Message))
		return append(b, '}')
	}
	switch ev.Type {
	case exec.EvNodeLog:
		line := maskStr(ev.Line)
		return j.add(ts, false, true, in.Key, ev.Stream, line, func(b []byte, line string) []byte {
			b = head(b)
			b = append(b, `,"stream":`...)
			b = value.AppendQuoted(b, ev.Stream)
			b = append(b, `,"line":`...)
			return value.AppendQuoted(b, line)
		})
	case exec.EvNodeStart:
		return j.add(ts, false, false, "", "", "", func(b []byte, _ string) []byte {
			b = append(head(b), `,"attempt":`...)
			return strconv.AppendInt(b, int64(ev.Attempt), 10)
		})
	case exec.EvNodeRetry:
		return j.add(ts, false, false, "", "", "", func(b []byte, _ string) []byte {
			b = append(head(b), `,"attempt":`...)
			b = strconv.AppendInt(b, int64(ev.Attempt), 10)
			b = append(b, `,"delay_ms":`...)
			b = strconv.AppendInt(b, ev.DelayMS, 10)
			if ev.Error != nil {
				b = errObj(b, ev.Error)
			}
			return b
		})
	case exec.EvNodeSkip:
		return j.add(ts, hold, false, "", "", "", func(b []byte, _ string) []byte {
			b = append(head(b), `,"reason":`...)
			return value.AppendQuoted(b, in.Reason)
		})
	case exec.EvNodeEnd:
		status := ev.Status
		if status == "" {
			status = in.Status
		}
		ne := ev.Error
		if ne == nil {
			ne = in.Err
		}
		return j.add(ts, hold, false, "", "", "", func(b []byte, _ string) []byte {
			b = append(head(b), `,"status":`...)
			b = value.AppendQuoted(b, status)
			b = append(b, `,"attempts":`...)
			b = strconv.AppendInt(b, int64(in.Attempts), 10)
			b = append(b, `,"duration_ms":`...)
			b = strconv.AppendInt(b, in.Duration().Milliseconds(), 10)
			if status == exec.StatusSuccess {
				b = append(b, `,"preview":`...)
				b = value.AppendQuoted(b, preview)
			}
			if ne != nil && status != exec.StatusSuccess {
				b = errObj(b, ne)
			}
			if in.Usage != nil {
				b = append(b, `,"usage":`...)
				b = value.AppendJSON(b, usageValue(in.Usage))
			}
			if in.RecoveredBy != "" {
				b = append(b, `,"recovered_by":`...)
				b = value.AppendQuoted(b, in.RecoveredBy)
			}
			return b
		})
	}
	return j.Append(ts, EventObject(ev))
}
