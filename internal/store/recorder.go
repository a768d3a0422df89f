package store

import (
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/value"
)

// Recorder is the exec.Observer that keeps a run's State up to date from
// the executor's events, appends every event to the journal, and writes
// state.json after each node end and each top-level wave end. State
// writes happen on a background goroutine, at most one at a time, each
// taking the latest snapshot, so events never wait for the disk.
//
// While it runs the Recorder owns the State: change it only through
// Update.
type Recorder struct {
	run       *Run
	st        *State
	j         *Journal
	mask      func(string) string
	maskValue func(any) (any, bool)

	// Definition, when set, returns the definition hash ("sha256:…") of
	// a node, recorded when it starts (spec/execution.md §14).
	Definition func(n *ast.Node) string
	// Now is the clock for the events the Recorder makes itself (nil:
	// time.Now).
	Now func() time.Time

	mu       sync.Mutex
	head     State // st's run fields, masked, for snapshots
	index    map[string]int
	tags     map[string]string
	pos      int
	loopIter map[string]int
	loopKeys map[string][]string
	err      error

	// Snapshot buffers, reused under smu.
	smu     sync.Mutex
	buf     []byte
	entries []snapEntry
	keys    []string
	raws    [][]byte

	kick    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
}

// NewRecorder returns a recorder for run (nil: no store; events go only
// to a tee, see SetTee) and its state. mask masks text (error messages),
// maskValue masks values (outputs, config, event fields) and reports
// whether anything was masked; nil means no masking.
func NewRecorder(run *Run, st *State, mask func(string) string, maskValue func(any) (any, bool)) *Recorder {
	if mask == nil {
		mask = func(s string) string { return s }
	}
	if maskValue == nil {
		maskValue = func(v any) (any, bool) { return v, false }
	}
	if st.Nodes == nil {
		st.Nodes = map[string]*NodeState{}
	}
	r := &Recorder{run: run, st: st, mask: mask, maskValue: maskValue,
		index: map[string]int{}, tags: map[string]string{}, loopIter: map[string]int{}, loopKeys: map[string][]string{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	for _, n := range st.Nodes {
		if n.pos >= r.pos {
			r.pos = n.pos + 1
		}
	}
	r.refreshHead()
	if run != nil {
		r.j = run.Journal()
	} else {
		r.j = newJournal(st.RunID, 1, nil, nil)
	}
	r.j.SetMask(maskValue)
	go r.writer()
	return r
}

// Journal returns the journal the recorder appends to.
func (r *Recorder) Journal() *Journal { return r.j }

// SetTee makes every journal line also go to w (`run --json`).
func (r *Recorder) SetTee(w io.Writer) { r.j.SetTee(w) }

func (r *Recorder) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// refreshHead copies the run fields of the state, masked. Called with
// r.mu held (or before the recorder is shared).
func (r *Recorder) refreshHead() {
	h := *r.st
	h.Nodes = nil
	mv := func(v any) any { m, _ := r.maskValue(v); return m }
	h.Config, h.Input, h.Env, h.Vars, h.Context = mv(h.Config), mv(h.Input), mv(h.Env), mv(h.Vars), mv(h.Context)
	if h.Error != nil {
		e := *h.Error
		e.Message = r.mask(e.Message)
		h.Error = &e
	}
	r.head = h
}

// Update runs fn with the state locked (to set vars, context, or drop
// nodes before a resume) and schedules a state write.
func (r *Recorder) Update(fn func(st *State)) {
	r.mu.Lock()
	fn(r.st)
	for _, n := range r.st.Nodes {
		n.raw = nil
	}
	r.refreshHead()
	r.mu.Unlock()
	r.schedule()
}

// Start appends run.start (file is the path as given on the command
// line) and writes the initial state.
func (r *Recorder) Start(file string, resumed bool) error {
	r.mu.Lock()
	h := r.head
	r.mu.Unlock()
	var tm any
	if h.Options.TimeoutMS > 0 {
		tm = float64(h.Options.TimeoutMS)
	}
	ev := value.ObjectOf("event", "run.start",
		"workflow", value.ObjectOf("name", h.Workflow.Name, "version", h.Workflow.Version, "file", file),
		"attempt", float64(h.Attempt), "resumed", resumed, "config", orEmpty(h.Config), "input", orEmpty(h.Input),
		"options", value.ObjectOf("max_concurrency", float64(h.Options.MaxConcurrency),
			"scheduler", h.Options.Scheduler, "timeout_ms", tm))
	ts := h.StartedAt
	if ts.IsZero() {
		ts = r.now()
	}
	r.j.Append(ts, ev)
	return r.writeNow()
}

// Plan appends the plan event: the top-level waves as arrays of ids.
func (r *Recorder) Plan(waves [][]string) {
	ws := make([]any, len(waves))
	for i, w := range waves {
		ids := make([]any, len(w))
		for k, id := range w {
			ids[k] = id
		}
		ws[i] = ids
	}
	r.j.Append(r.now(), value.ObjectOf("event", "plan", "waves", ws))
}

// Emit appends any other event (node.reused, checkpoint.wait,
// checkpoint.decision): ev starts with "event" and holds the fields that
// follow "run".
func (r *Recorder) Emit(ts time.Time, ev *value.Object) {
	if ts.IsZero() {
		ts = r.now()
	}
	r.j.Append(ts, ev)
}

// maskStr masks one text field the way values are masked.
func (r *Recorder) maskStr(t string) string {
	if m, changed := r.maskValue(t); changed {
		if ms, ok := m.(string); ok {
			return ms
		}
	}
	return t
}

// Event records one executor event.
func (r *Recorder) Event(ev *exec.Event) {
	ts := ev.Time
	if ts.IsZero() {
		ts = r.now()
	}
	switch ev.Type {
	case exec.EvNodeStart:
		r.j.appendExec(ev, ts, r.maskStr, "", false)
		r.nodeStart(ev)
	case exec.EvForeachItems:
		// for progress displays; not an event of the journal
	case exec.EvNodeSkip, exec.EvNodeEnd:
		n, out := r.final(ev.Inst, ev)
		preview := ""
		if n.HasOutput {
			if out == nil {
				// A large output: encoded by the state writer, off the run's path.
				preview = cut(string(value.AppendJSONPrefix(nil, n.Output, 800)), 200)
			} else {
				preview = cut(string(out[:min(len(out), 800)]), 200)
			}
		}
		// Into the state first, then into the journal held until a state
		// write covers it (see Journal).
		r.store(ev.Inst, n, out)
		r.j.appendExec(ev, ts, r.maskStr, preview, r.run != nil)
		r.schedule()
	case exec.EvWaveEnd:
		r.j.appendExec(ev, ts, r.maskStr, "", false)
		if ev.Scope == "" {
			r.schedule()
		}
	case exec.EvNodeReuse:
		r.mu.Lock()
		from := r.st.Attempt - 1
		r.mu.Unlock()
		n, out := r.final(ev.Inst, ev)
		r.store(ev.Inst, n, out)
		r.j.appendObject(ts, value.ObjectOf("event", "node.reused", "node", ev.Inst.Key, "kind", ev.Inst.Node.Kind,
			"from_attempt", float64(max(from, 1))), r.run != nil)
		r.schedule()
	case exec.EvCheckpointWait:
		req := ev.Checkpoint
		acts := make([]any, len(req.Actions))
		for i, a := range req.Actions {
			acts[i] = value.ObjectOf("id", a.ID, "label", a.Label, "outcome", a.Outcome)
		}
		var tm any
		if req.Timeout > 0 {
			tm = float64(req.Timeout.Milliseconds())
		}
		r.Emit(ts, value.ObjectOf("event", "checkpoint.wait", "node", ev.Inst.Key, "kind", ev.Inst.Node.Kind,
			"prompt", r.maskStr(req.Prompt), "actions", acts, "default", req.Default, "timeout_ms", tm))
	case exec.EvCheckpointDecision:
		d := ev.Decision
		in := d.Input
		if str, ok := in.(string); ok {
			in = r.maskStr(str)
		}
		r.Emit(ts, value.ObjectOf("event", "checkpoint.decision", "node", ev.Inst.Key, "kind", ev.Inst.Node.Kind,
			"action", d.Action, "by", d.By, "input", in))
	default:
		r.j.appendExec(ev, ts, r.maskStr, "", false)
	}
}

// learn records the ids, indexes and tags of a node and its ancestors.
// Called with r.mu held.
func (r *Recorder) learn(n *ast.Node) {
	for ; n != nil; n = n.Parent {
		if _, ok := r.index[n.ID]; ok {
			return
		}
		r.index[n.ID] = n.Index
		r.tags[n.ID] = n.Tag
	}
}

// place gives a new or reloaded node its sort key and position, and drops
// the nodes of earlier loop/while iterations. Called with r.mu held.
func (r *Recorder) place(key string, n *NodeState) {
	if n.order == nil {
		n.order = docOrder(key, func(id string) (int, bool) { i, ok := r.index[id]; return i, ok })
	}
	if _, ok := r.st.Nodes[key]; !ok {
		n.pos = r.pos
		r.pos++
	}
	if !strings.Contains(key, "[") {
		return
	}
	segs := strings.Split(key, "/")
	prefix := ""
	for _, s := range segs[:len(segs)-1] {
		i := strings.IndexByte(s, '[')
		if i > 0 && strings.HasSuffix(s, "]") {
			id := s[:i]
			if t := r.tags[id]; t == "loop" || t == "while" {
				iter, _ := strconv.Atoi(s[i+1 : len(s)-1])
				lp := prefix + id
				if cur, ok := r.loopIter[lp]; !ok || cur != iter {
					if ok {
						for _, k := range r.loopKeys[lp] {
							delete(r.st.Nodes, k)
						}
					}
					r.loopIter[lp] = iter
					r.loopKeys[lp] = r.loopKeys[lp][:0]
				}
				r.loopKeys[lp] = append(r.loopKeys[lp], key)
			}
		}
		prefix += s + "/"
	}
}

func (r *Recorder) nodeStart(ev *exec.Event) {
	in := ev.Inst
	def := ""
	if r.Definition != nil && in.Node != nil {
		def = r.Definition(in.Node)
	}
	n := &NodeState{Status: StatusRunning, Attempts: ev.Attempt, StartedAt: in.Start, Definition: def}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learn(in.Node)
	if old := r.st.Nodes[in.Key]; old != nil {
		n.order, n.pos = old.order, old.pos
		if old.Status == StatusRunning && !old.StartedAt.IsZero() {
			// A later attempt of the same execution.
			n.StartedAt = old.StartedAt
		}
	}
	if n.StartedAt.IsZero() {
		n.StartedAt = ev.Time
	}
	r.place(in.Key, n)
	r.st.Nodes[in.Key] = n
	// The entry is encoded by the next snapshot, if one comes before the
	// node ends.
}

// final builds the final record of an instance (end, skip, or not run
// at Finish) with its masked output, and that output's compact JSON.
func (r *Recorder) final(in *exec.Instance, ev *exec.Event) (*NodeState, []byte) {
	n := &NodeState{Status: in.Status, Attempts: in.Attempts, StartedAt: in.Start, EndedAt: in.End,
		DurationMS: in.Duration().Milliseconds(), Usage: in.Usage, Scope: in.Scope}
	if ev != nil {
		if ev.Type == exec.EvNodeSkip {
			n.Status = exec.StatusSkipped
		} else if ev.Status != "" {
			n.Status = ev.Status
		}
	}
	var out []byte
	if n.Status == exec.StatusSuccess {
		n.Output, n.Redacted = r.maskValue(in.Output)
		n.HasOutput = true
		// A large output (out nil) is left to the state writer, which
		// spills it: linking or copying the file it came from when there
		// is one, else encoding it.
		// Without a store (run --json --no-state) nothing is encoded: the
		// preview takes a prefix.
		switch o := in.Origin; {
		case r.run == nil:
		case o != nil && o.Size > SpillSize && !n.Redacted:
			n.origin = o
		default:
			out = encodeSmall(n.Output)
		}
	}
	ne := in.Err
	if ev != nil && ev.Error != nil {
		ne = ev.Error
	}
	if ne != nil && n.Status != exec.StatusSuccess {
		n.Error = &Error{Code: ne.Code, Message: r.mask(ne.Message)}
	}
	return n, out
}

// store puts a final record into the state, with its encoded entry.
func (r *Recorder) store(in *exec.Instance, n *NodeState, out []byte) {
	var raw []byte
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learn(in.Node)
	if old := r.st.Nodes[in.Key]; old != nil {
		n.order, n.pos, n.Definition = old.order, old.pos, old.Definition
		if n.StartedAt.IsZero() {
			n.StartedAt = old.StartedAt
		}
		if in.Reused {
			n.spill = old.spill // the stored output, already in its file
		}
	} else if r.Definition != nil && in.Node != nil && n.Status != exec.StatusSkipped && n.Status != exec.StatusPending {
		n.Definition = r.Definition(in.Node)
	}
	if r.run != nil && (out != nil || !n.HasOutput) {
		raw = r.run.encodeNodeJSON(n, out)
	}
	r.place(in.Key, n)
	r.st.Nodes[in.Key] = n
	n.raw = raw
}

// schedule asks the writer for a state write.
func (r *Recorder) schedule() {
	if r.run == nil {
		return
	}
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// WriteInterval is the least time between two background state writes;
// node ends within it are covered by the next write. When writes take
// longer (large states), the gap grows to twice the last write's time,
// so the writer never takes more than a third of the run's time.
const WriteInterval = 20 * time.Millisecond

func (r *Recorder) writer() {
	defer close(r.stopped)
	var next time.Time
	for {
		select {
		case <-r.kick:
			if wait := time.Until(next); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-r.stop:
					t.Stop()
					return
				}
			}
			start := time.Now()
			err := r.writeNow()
			took := time.Since(start)
			next = time.Now().Add(max(WriteInterval, 2*took))
			if err != nil {
				r.mu.Lock()
				if r.err == nil {
					r.err = err
				}
				r.mu.Unlock()
			}
		case <-r.stop:
			return
		}
	}
}

// snapshot encodes the current state into buf. Only copying happens
// under the lock; sorting and assembling happen outside.
func (r *Recorder) snapshot(buf []byte) []byte {
	// Encode the entries that are not encoded yet (large outputs) without
	// holding the lock, so nodes that end meanwhile are not held up.
	type pending struct {
		key string
		n   *NodeState
		sp  spilled
	}
	var todo []pending
	r.mu.Lock()
	for k, n := range r.st.Nodes {
		if n.raw == nil {
			todo = append(todo, pending{k, n, n.spill})
		}
	}
	r.mu.Unlock()
	for _, p := range todo {
		raw, sp, err := r.run.encodeNode(p.key, p.n, p.sp)
		r.mu.Lock()
		if err != nil && r.err == nil {
			r.err = err
		}
		if r.st.Nodes[p.key] == p.n && p.n.raw == nil {
			p.n.raw, p.n.spill = raw, sp
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	head := r.head
	entries := r.entries[:0]
	for k, n := range r.st.Nodes {
		if n.raw == nil {
			raw, sp, err := r.run.encodeNode(k, n, n.spill)
			if err != nil && r.err == nil {
				r.err = err
			}
			n.raw, n.spill = raw, sp
		}
		entries = append(entries, snapEntry{key: k, order: n.order, pos: n.pos, raw: n.raw})
	}
	r.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool {
		a, b := &entries[i], &entries[j]
		return lessNode(a.key, a.order, a.pos, b.key, b.order, b.pos)
	})
	keys := r.keys[:0]
	raws := r.raws[:0]
	for i := range entries {
		keys = append(keys, entries[i].key)
		raws = append(raws, entries[i].raw)
	}
	r.entries, r.keys, r.raws = entries, keys, raws
	return appendState(buf[:0], &head, keys, raws)
}

type snapEntry struct {
	key   string
	order []int
	pos   int
	raw   []byte
}

// writeNow writes the current snapshot (serialised with other writes),
// then releases the journal lines the snapshot covers: every line held
// before the snapshot was taken (held lines are appended after their
// node is stored).
func (r *Recorder) writeNow() error {
	if r.run == nil {
		return nil
	}
	r.smu.Lock()
	defer r.smu.Unlock()
	mark := r.j.Mark()
	r.buf = r.snapshot(r.buf)
	if err := r.run.writeStateBytes(r.buf); err != nil {
		return err
	}
	r.j.Release(mark)
	return nil
}

// Finish records the end of the run: the final run status, error and
// end time from rep, nodes the events did not cover (not run), the
// run.end event, and the final state. It waits for pending writes and
// syncs the journal, and returns the first write error of the run.
func (r *Recorder) Finish(rep *exec.Report, exitCode int) error {
	close(r.stop)
	<-r.stopped
	for _, in := range rep.Instances {
		r.mu.Lock()
		cur := r.st.Nodes[in.Key]
		r.mu.Unlock()
		if cur == nil || cur.Status == StatusRunning {
			n, out := r.final(in, nil)
			r.store(in, n, out)
		}
	}
	r.mu.Lock()
	r.st.Status = rep.Status
	r.st.EndedAt = rep.End
	if r.st.StartedAt.IsZero() {
		r.st.StartedAt = rep.Start
	}
	r.st.Error = nil
	if rep.Err != nil {
		r.st.Error = &Error{Code: rep.Err.Code, Message: rep.Err.Message, Node: rep.Err.Node}
	}
	r.refreshHead()
	h := r.head
	r.mu.Unlock()
	end := value.ObjectOf("event", "run.end", "status", rep.Status,
		"duration_ms", float64(h.Duration().Milliseconds()), "exit_code", float64(exitCode))
	end.Set("error", errorValue(h.Error, true))
	if rep.Status == exec.RunSuccess {
		end.Set("output", rep.Output)
	}
	c := rep.Counts
	end.Set("counts", value.ObjectOf("success", float64(c.Success), "failed", float64(c.Failed),
		"skipped", float64(c.Skipped), "cancelled", float64(c.Cancelled), "not_run", float64(c.NotRun)))
	ts := rep.End
	if ts.IsZero() {
		ts = r.now()
	}
	r.j.Append(ts, end)
	err := r.writeNow()
	sync := r.j.Sync
	if r.run == nil {
		sync = r.j.Close
	}
	if jerr := sync(); err == nil {
		err = jerr
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		err = r.err
	}
	return err
}
