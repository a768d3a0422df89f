package runtimes

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/flowscript/flowscript/internal/expr"
)

// Runtime runs one kind of data node.
type Runtime interface {
	// Kind is the node kind it runs: "source/exec", "sink/file", ...
	Kind() string
	// Run executes one attempt. The context carries the attempt's
	// deadline and the run's cancellation; a runtime must return soon
	// after it is done. Errors should be *Error values.
	Run(ctx context.Context, c *Call) (any, error)
}

// Call is everything one attempt of a node gets.
type Call struct {
	// Node is the node's instance key (execution.md §12.2), for messages.
	Node string
	// Kind is "source/exec", ...; Role is source, transform or sink.
	Kind, Role string
	// Input is the value of the node's input expression (nil without one).
	Input any
	// HasInput is true when the node has an input field.
	HasInput bool
	// Fields holds the rendered and converted value of every field that
	// is set in the file or has a default, by canonical name; lazy fields
	// are absent (see Lazy).
	Fields map[string]any
	// Lazy holds compiled lazy fields (map expression, reduce initial,
	// ...) that the runtime evaluates itself with Env.
	Lazy map[string]*expr.Program
	// Deferred holds lazy fields written as templates or YAML lists and
	// maps (database exec params): call one with an Env set for the item.
	Deferred map[string]func(env *expr.Env) (any, error)
	// Env is the node's evaluation environment (input, globals, node
	// references); runtimes that evaluate lazy fields clone or reuse it.
	Env *expr.Env

	// WorkflowDir is the absolute directory of the workflow file; relative
	// paths resolve against it. AllowPaths are extra allowed directories.
	WorkflowDir string
	AllowPaths  []string
	// RunID is the run id ("" in tests without a store).
	RunID string
	// ProcEnv is the base environment for processes (KEY=VALUE), already
	// including the frontmatter env values, FLOWSCRIPT_RUN_ID and
	// FLOWSCRIPT_WORKFLOW_DIR; the exec runtime adds FLOWSCRIPT_NODE_ID
	// from Node. It is shared: never modify it in place.
	ProcEnv []string
	// Log receives output lines for the journal and progress display
	// (stream "stdout" or "stderr"). Never nil.
	Log func(stream, line string)
	// AI holds the workflow's runtime.ai settings (format.md §2.9), the
	// defaults of ai nodes; zero values fall back to the spec's defaults.
	AI AIDefaults
	// Usage, when set, receives the tokens an ai attempt used, summed over
	// its requests (for node.end and the state, execution.md §13). It is
	// called at most once per attempt, also when the attempt fails.
	Usage func(prompt, completion, total int)
	// Now is the run's clock (frozen by FLOWSCRIPT_TEST_CLOCK in tests);
	// nil is the real one. See Clock.
	Now func() time.Time
	// Origin, when set, takes the file the attempt's output was decoded
	// from unchanged (a JSON file read as is), so a run store can keep a
	// large output by linking or copying that file instead of encoding it.
	Origin func(o Origin)
}

// Origin is a file whose content a node's output is the exact decoding
// of. Sum is the checksum (Checksum) of the bytes that were decoded, so a
// later change to the file is noticed.
type Origin struct {
	Path string
	Size int64
	Sum  uint64
}

// Checksum returns the checksum Origin.Sum holds: the xxHash64 of data.
func Checksum(data []byte) uint64 { return xxhash.Sum64(data) }

// AIDefaults are the `runtime.ai` settings of the workflow a node belongs
// to: base URL, the name of the secret holding the API key, the default
// model and the run-wide token budget (0: none).
type AIDefaults struct {
	BaseURL, APIKeySecret, Model string
	TokenBudget                  int
}

// Clock returns the current time on the run's clock.
func (c *Call) Clock() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Str returns a string field ("" when absent or not a string).
func (c *Call) Str(name string) string {
	s, _ := c.Fields[name].(string)
	return s
}

// Has reports whether a field has a value (set or defaulted).
func (c *Call) Has(name string) bool {
	v, ok := c.Fields[name]
	return ok && v != nil
}

// Bool returns a boolean field (def when absent).
func (c *Call) Bool(name string, def bool) bool {
	if b, ok := c.Fields[name].(bool); ok {
		return b
	}
	return def
}

// Num returns a numeric field (int, num, dur in ms, size in bytes), def
// when absent.
func (c *Call) Num(name string, def float64) float64 {
	if f, ok := c.Fields[name].(float64); ok {
		return f
	}
	return def
}

// Error is a node failure with its code (format.md §9, R6xx) and the
// $error fields of nodes.md §8.5.
type Error struct {
	Code      string
	Message   string
	Retryable bool
	// ExitCode is set for exec failures (-1 when not applicable).
	ExitCode *int
	// Status and Body are set for HTTP failures.
	Status int
	Body   string
	// RetryAfterMS is a server's Retry-After in ms (0: none).
	RetryAfterMS int64
	// Hints are printed under the diagnostic; Stderr lines as "= stderr:".
	Hints  []string
	Stderr []string
	// Cause is the underlying error, if any.
	Cause error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Errorf builds an *Error with a code.
func Errorf(code string, retryable bool, format string, args ...any) *Error {
	return &Error{Code: code, Retryable: retryable, Message: fmt.Sprintf(format, args...)}
}

// Registry maps kinds to runtimes.
type Registry struct {
	m map[string]Runtime
}

// NewRegistry returns a registry holding rts.
func NewRegistry(rts ...Runtime) *Registry {
	r := &Registry{m: map[string]Runtime{}}
	for _, rt := range rts {
		r.m[rt.Kind()] = rt
	}
	return r
}

// Add registers (or replaces) a runtime.
func (r *Registry) Add(rt Runtime) { r.m[rt.Kind()] = rt }

// Get returns the runtime for kind.
func (r *Registry) Get(kind string) (Runtime, bool) {
	rt, ok := r.m[kind]
	return rt, ok
}

// Kinds returns the registered kinds, sorted.
func (r *Registry) Kinds() []string {
	out := make([]string, 0, len(r.m))
	for k := range r.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
