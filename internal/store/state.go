package store

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/value"
)

// FormatVersion is the "format" field of state.json.
const FormatVersion = 1

// StatusRunning is the run and node status recorded while a run or node
// is in progress (a state read after a crash may still show it).
const StatusRunning = "running"

// TimeLayout is how times are written in state.json and the journal: UTC
// with milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// SpillSize is the compact JSON size above which a node output is stored
// in outputs/<key>.json instead of state.json.
const SpillSize = 1 << 20

// State is the content of state.json (spec/execution.md §12.2).
type State struct {
	Format    int
	RunID     string
	Workflow  Workflow
	Status    string
	Attempt   int
	StartedAt time.Time // zero: null
	EndedAt   time.Time // zero: null
	Options   Options
	Config    any
	Input     any
	Env       any
	Vars      any
	Context   any
	Error     *Error // the run error, nil when none
	// Nodes is keyed by instance key. It is written in document order
	// (iterations after their container) for keys the Recorder has seen,
	// then in the order the keys were loaded or added.
	Nodes map[string]*NodeState
}

// Workflow identifies the workflow file of a run.
type Workflow struct {
	Name    string
	Version string
	File    string // absolute path (`last` compares it)
	SHA256  string
}

// Options are the run options recorded in the state and in run.start.
type Options struct {
	MaxConcurrency int
	Scheduler      string
	TimeoutMS      int64 // 0: null
}

// Error is a recorded error: {code, message} for nodes, plus node for the
// run error.
type Error struct {
	Code    string
	Message string
	Node    string
}

// NodeState is one node instance in state.json.
type NodeState struct {
	Status     string
	Attempts   int
	StartedAt  time.Time // zero: omitted
	EndedAt    time.Time // zero: omitted
	DurationMS int64
	Definition string // "sha256:…", omitted when empty
	// Output is the node's output; HasOutput tells a null output from none.
	Output    any
	HasOutput bool
	// Redacted marks an output in which a secret value was masked.
	Redacted bool
	Error    *Error
	// Usage is the token usage of an ai node (nil for others).
	Usage *exec.Usage
	// Scope is the instance's exec.Instance.Scope: the checksum of the
	// items of its enclosing foreach iterations and of what its enclosing
	// sub-workflows were given (0 at the top level).
	Scope uint64

	// order sorts keys in document order; pos is the load/insert order.
	order []int
	pos   int
	// raw caches the encoded entry (the Recorder clears it on change).
	raw []byte
	// origin is the file Output was decoded from unchanged, when the
	// runtime reported one and nothing was masked: spilling links or
	// copies that file instead of encoding the output.
	origin *runtimes.Origin
	// spill is the output's file under outputs/, once written or loaded
	// (set with the Recorder's lock held).
	spill spilled
	// Lost says why a spilled output could not be loaded ("stored output
	// missing", "stored output changed", "stored output corrupt"); the
	// node then has no output, and a resume runs it again.
	Lost string
}

// spilled names a spilled output: its path relative to the run directory
// and the checksum of its content (runtimes.Checksum; 0: unknown).
type spilled struct {
	file string
	sum  uint64
}

// NewState returns an empty running state for a new run.
func NewState(runID string, wf Workflow, opts Options, started time.Time) *State {
	return &State{Format: FormatVersion, RunID: runID, Workflow: wf, Status: StatusRunning, Attempt: 1,
		StartedAt: started, Options: opts, Config: value.NewObject(0), Input: value.NewObject(0),
		Env: value.NewObject(0), Vars: value.NewObject(0), Context: value.NewObject(0),
		Nodes: map[string]*NodeState{}}
}

// Duration is the run's duration, 0 while it runs.
func (s *State) Duration() time.Duration {
	if s.StartedAt.IsZero() || s.EndedAt.IsZero() {
		return 0
	}
	return s.EndedAt.Sub(s.StartedAt)
}

// Keys returns the node keys in the order they are written.
func (s *State) Keys() []string {
	keys := make([]string, 0, len(s.Nodes))
	for k := range s.Nodes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := s.Nodes[keys[i]], s.Nodes[keys[j]]
		return lessNode(keys[i], a.order, a.pos, keys[j], b.order, b.pos)
	})
	return keys
}

// lessNode orders nodes with a document-order key before those without;
// among the rest by insertion position, then key.
func lessNode(ka string, ao []int, ap int, kb string, bo []int, bp int) bool {
	switch {
	case ao != nil && bo != nil:
		for i := 0; i < len(ao) && i < len(bo); i++ {
			if ao[i] != bo[i] {
				return ao[i] < bo[i]
			}
		}
		if len(ao) != len(bo) {
			return len(ao) < len(bo)
		}
	case ao != nil:
		return true
	case bo != nil:
		return false
	}
	if ap != bp {
		return ap < bp
	}
	return ka < kb
}

func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(TimeLayout)
}

func errorValue(e *Error, withNode bool) any {
	if e == nil {
		return nil
	}
	o := value.ObjectOf("code", e.Code, "message", e.Message)
	if withNode {
		o.Set("node", e.Node)
	}
	return o
}

func orEmpty(v any) any {
	if v == nil {
		return value.NewObject(0)
	}
	return v
}

// appendState encodes the state as indented JSON, with the nodes given
// as keys and their encoded entries (compact JSON) in order.
func appendState(b []byte, s *State, keys []string, raws [][]byte) []byte {
	head := value.NewObject(16)
	head.Set("format", float64(s.Format))
	head.Set("run_id", s.RunID)
	head.Set("workflow", value.ObjectOf("name", s.Workflow.Name, "version", s.Workflow.Version,
		"file", s.Workflow.File, "sha256", s.Workflow.SHA256))
	head.Set("status", s.Status)
	head.Set("attempt", float64(s.Attempt))
	head.Set("started_at", timeValue(s.StartedAt))
	head.Set("ended_at", timeValue(s.EndedAt))
	var tm any
	if s.Options.TimeoutMS > 0 {
		tm = float64(s.Options.TimeoutMS)
	}
	head.Set("options", value.ObjectOf("max_concurrency", float64(s.Options.MaxConcurrency),
		"scheduler", s.Options.Scheduler, "timeout_ms", tm))
	head.Set("config", orEmpty(s.Config))
	head.Set("input", orEmpty(s.Input))
	head.Set("env", orEmpty(s.Env))
	head.Set("vars", orEmpty(s.Vars))
	head.Set("context", orEmpty(s.Context))
	head.Set("error", errorValue(s.Error, true))
	text := value.IndentJSON(head, "  ")
	// Replace the closing "\n}" with the nodes member.
	b = append(b, text[:len(text)-2]...)
	b = append(b, ",\n  \"nodes\": {"...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		b = value.AppendQuoted(b, k)
		b = append(b, ": "...)
		b = append(b, raws[i]...)
	}
	if len(keys) > 0 {
		b = append(b, "\n  "...)
	}
	return append(b, "}\n}\n"...)
}

// appendNode appends the compact JSON of one node entry; out is the
// JSON text to write as its output (the value, or a {"$file"} reference
// whose checksum is sp.sum).
func appendNode(b []byte, n *NodeState, out []byte, sp spilled) []byte {
	b = append(b, `{"status":`...)
	b = value.AppendQuoted(b, n.Status)
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(n.Attempts), 10)
	if !n.StartedAt.IsZero() {
		b = append(b, `,"started_at":"`...)
		b = n.StartedAt.UTC().AppendFormat(b, TimeLayout)
		b = append(b, '"')
	}
	if !n.EndedAt.IsZero() {
		b = append(b, `,"ended_at":"`...)
		b = n.EndedAt.UTC().AppendFormat(b, TimeLayout)
		b = append(b, '"')
	}
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendInt(b, n.DurationMS, 10)
	if n.Definition != "" {
		b = append(b, `,"definition":`...)
		b = value.AppendQuoted(b, n.Definition)
	}
	if n.Scope != 0 {
		b = appendChecksum(append(b, `,"scope":`...), n.Scope)
	}
	if n.HasOutput {
		b = append(b, `,"output":`...)
		b = append(b, out...)
		if sp.file != "" && sp.sum != 0 {
			b = appendChecksum(append(b, `,"output_checksum":`...), sp.sum)
		}
		b = append(b, `,"redacted":`...)
		b = strconv.AppendBool(b, n.Redacted)
	}
	if n.Usage != nil {
		b = append(b, `,"usage":`...)
		b = value.AppendJSON(b, usageValue(n.Usage))
	}
	if n.Error != nil {
		b = append(b, `,"error":{"code":`...)
		b = value.AppendQuoted(b, n.Error.Code)
		b = append(b, `,"message":`...)
		b = value.AppendQuoted(b, n.Error.Message)
		b = append(b, '}')
	}
	return append(b, '}')
}

// OutputFileName is the file name under outputs/ for an instance key:
// "/" becomes "." and "[N]" becomes "@N" ("fe[0]/big" → "fe@0.big.json").
// Node ids never hold "." or "@", so two keys never share a file.
func OutputFileName(key string) string {
	return strings.NewReplacer("/", ".", "[", "@", "]", "").Replace(key) + ".json"
}

// checksumPrefix starts an output_checksum or scope value.
const checksumPrefix = "xxh64:"

// appendChecksum appends sum as a JSON string "xxh64:<16 hex digits>".
func appendChecksum(b []byte, sum uint64) []byte {
	var raw [8]byte
	binary.BigEndian.PutUint64(raw[:], sum)
	b = append(append(b, '"'), checksumPrefix...)
	return append(hex.AppendEncode(b, raw[:]), '"')
}

// parseChecksum reads a value written by appendChecksum (0 when absent
// or malformed).
func parseChecksum(s string) uint64 {
	h, ok := strings.CutPrefix(s, checksumPrefix)
	if !ok || len(h) != 16 {
		return 0
	}
	sum, _ := strconv.ParseUint(h, 16, 64)
	return sum
}

// loadSpilled reads a spilled output into n. A file that is missing,
// does not parse or no longer has the recorded checksum (a linked input
// file changed in place; a torn write after a power loss) leaves n
// without output and with Lost set, so a resume runs the node again.
func loadSpilled(n *NodeState, rel, checksum string, readFile func(rel string) ([]byte, error)) {
	n.Output, n.HasOutput = nil, false
	data, err := readFile(rel)
	if err != nil {
		n.Lost = "stored output missing"
		return
	}
	sum := parseChecksum(checksum)
	if sum != 0 && sum != runtimes.Checksum(data) {
		n.Lost = "stored output changed"
		return
	}
	v, err := value.ParseJSON(data)
	if err != nil {
		n.Lost = "stored output corrupt"
		return
	}
	n.Output, n.HasOutput, n.spill = v, true, spilled{rel, sum}
}

// decodeState parses state.json; readFile reads a spilled output file
// relative to the run directory.
func decodeState(data []byte, readFile func(rel string) ([]byte, error)) (*State, error) {
	if len(data) == 0 {
		return nil, errors.New("state.json is empty")
	}
	v, err := value.ParseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("state.json is corrupt: %v", err)
	}
	o, ok := v.(*value.Object)
	if !ok {
		return nil, errors.New("state.json is corrupt: not a JSON object")
	}
	d := decoder{}
	s := &State{Nodes: map[string]*NodeState{}}
	s.Format = d.int(o, "format")
	if d.err == nil && s.Format != FormatVersion {
		return nil, fmt.Errorf("state.json has format %d, want %d", s.Format, FormatVersion)
	}
	s.RunID = d.str(o, "run_id")
	if wf := d.obj(o, "workflow"); wf != nil {
		s.Workflow = Workflow{Name: d.str(wf, "name"), Version: d.str(wf, "version"),
			File: d.str(wf, "file"), SHA256: d.str(wf, "sha256")}
	}
	s.Status = d.str(o, "status")
	s.Attempt = d.int(o, "attempt")
	s.StartedAt = d.time(o, "started_at")
	s.EndedAt = d.time(o, "ended_at")
	if op := d.obj(o, "options"); op != nil {
		s.Options = Options{MaxConcurrency: d.int(op, "max_concurrency"), Scheduler: d.str(op, "scheduler"),
			TimeoutMS: int64(d.int(op, "timeout_ms"))}
	}
	s.Config, _ = o.Get("config")
	s.Input, _ = o.Get("input")
	s.Env, _ = o.Get("env")
	s.Vars, _ = o.Get("vars")
	s.Context, _ = o.Get("context")
	s.Error = d.error(o, "error")
	nodes := d.obj(o, "nodes")
	for i, k := range nodes.Keys() {
		nv, _ := nodes.Get(k)
		no, ok := nv.(*value.Object)
		if !ok {
			return nil, fmt.Errorf("state.json is corrupt: node %q is not an object", k)
		}
		n := &NodeState{pos: i, Status: d.str(no, "status"), Attempts: d.int(no, "attempts"),
			StartedAt: d.time(no, "started_at"), EndedAt: d.time(no, "ended_at"),
			DurationMS: int64(d.int(no, "duration_ms")), Definition: d.str(no, "definition"), Error: d.error(no, "error"),
			Scope: parseChecksum(d.str(no, "scope"))}
		if out, ok := no.Get("output"); ok {
			n.Output, n.HasOutput = out, true
			if ref, ok := out.(*value.Object); ok && ref.Len() == 1 {
				if rel, ok := ref.Get("$file"); ok {
					rs, _ := rel.(string)
					loadSpilled(n, rs, d.str(no, "output_checksum"), readFile)
				}
			}
			if r, ok := no.Get("redacted"); ok {
				n.Redacted, _ = r.(bool)
			}
		}
		s.Nodes[k] = n
	}
	if d.err != nil {
		return nil, fmt.Errorf("state.json is corrupt: %v", d.err)
	}
	if s.RunID == "" {
		return nil, errors.New("state.json is corrupt: no run_id")
	}
	return s, nil
}

// decoder reads typed members and keeps the first type error.
type decoder struct{ err error }

func (d *decoder) fail(k, want string) {
	if d.err == nil {
		d.err = fmt.Errorf("%q is not %s", k, want)
	}
}

func (d *decoder) str(o *value.Object, k string) string {
	v, ok := o.Get(k)
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		d.fail(k, "a string")
	}
	return s
}

func (d *decoder) int(o *value.Object, k string) int {
	v, ok := o.Get(k)
	if !ok || v == nil {
		return 0
	}
	f, ok := v.(float64)
	if !ok {
		d.fail(k, "a number")
	}
	return int(f)
}

func (d *decoder) obj(o *value.Object, k string) *value.Object {
	v, ok := o.Get(k)
	if !ok || v == nil {
		return nil
	}
	x, ok := v.(*value.Object)
	if !ok {
		d.fail(k, "an object")
	}
	return x
}

func (d *decoder) time(o *value.Object, k string) time.Time {
	s := d.str(o, k)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d.fail(k, "a time")
	}
	return t.UTC()
}

func (d *decoder) error(o *value.Object, k string) *Error {
	e := d.obj(o, k)
	if e == nil {
		return nil
	}
	return &Error{Code: d.str(e, "code"), Message: d.str(e, "message"), Node: d.str(e, "node")}
}

// docOrder computes a document-order sort key for an instance key from
// the node index of each segment: "a[2]/b" → [idx(a), 3, idx(b), 0].
func docOrder(key string, index func(id string) (int, bool)) []int {
	segs := strings.Split(key, "/")
	out := make([]int, 0, 2*len(segs))
	for _, s := range segs {
		id, iter := s, 0
		if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
			n, err := strconv.Atoi(s[i+1 : len(s)-1])
			if err == nil {
				id, iter = s[:i], n+1
			}
		}
		idx, ok := index(id)
		if !ok {
			return nil
		}
		out = append(out, idx, iter)
	}
	return out
}

// JSON renders the state as state.json, with every output inline (as
// `runs show --format json` prints it).
func (s *State) JSON() []byte {
	keys := s.Keys()
	raws := make([][]byte, len(keys))
	for i, k := range keys {
		n := s.Nodes[k]
		var out []byte
		if n.HasOutput {
			out = value.AppendJSON(nil, n.Output)
		}
		raws[i] = appendNode(nil, n, out, spilled{})
	}
	return appendState(nil, s, keys, raws)
}
