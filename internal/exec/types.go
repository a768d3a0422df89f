package exec

import (
	"context"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/value"
)

// Node and run statuses.
const (
	StatusSuccess   = "success"
	StatusFailed    = "failed"
	StatusSkipped   = "skipped"
	StatusCancelled = "cancelled"
	StatusPending   = "pending"

	RunSuccess     = "success"
	RunFailed      = "failed"
	RunRejected    = "rejected"
	RunTimedOut    = "timed_out"
	RunInterrupted = "interrupted"
)

// Options configure one run.
type Options struct {
	// MaxConcurrency is the number of run-wide slots (>= 1; 0 means 10).
	MaxConcurrency int
	// Registry provides the data-node runtimes.
	Registry *runtimes.Registry
	// Resolved run values ($config, $input, $secrets, $env); nil means {}.
	Config, Input, Secrets, Env any
	// RunID and Attempt identify the run ($run).
	RunID   string
	Attempt int
	// AllowPaths are extra directories file nodes may use.
	AllowPaths []string
	// BaseEnv is the process environment for exec nodes (os.Environ()).
	BaseEnv []string
	// Observer receives events; nil discards them.
	Observer Observer
	// Clock and randomness for expressions; nil: real time, UTC.
	Runtime *expr.Runtime
	// Timeout is the run deadline (0: none).
	Timeout time.Duration
	// Now returns the current time for timings (nil: time.Now).
	Now func() time.Time
	// SubResolver computes a sub-workflow's config (its defaults plus the
	// node's config overrides), input (checked against its schema),
	// secrets and env. Nil: the input as given, nothing else.
	SubResolver func(sub *ast.Flow, config *value.Object, input *value.Object) (SubValues, error)
	// Decide answers checkpoints; nil takes each checkpoint's default.
	Decide func(ctx context.Context, req *CheckpointRequest) (*Decision, error)
	// Scheduler is "waves" (default) or "eager".
	Scheduler string
	// Override, when set, may replace the runtime of a node instance: the
	// test harness's mocks (cli.md §6.2). It is asked for data nodes,
	// include, call and delay; nil keeps the node's own behaviour.
	Override func(n *ast.Node, key string) runtimes.Runtime
	// Sleep waits d (delays, retry backoffs); nil sleeps for real. The test
	// harness passes a virtual clock that returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// WithTimeout sets the deadlines of attempts, <timeout> groups and
	// sub-workflows: context.WithTimeoutCause when nil; the test harness
	// passes one on its virtual clock, which Sleep advances.
	WithTimeout func(ctx context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc)
	// Fork, when set, gives n pieces of work that start side by side (the
	// nodes of a wave, parallel branches, foreach slots) their own
	// contexts, so a virtual clock can let their sleeps overlap instead of
	// adding up. nil: they share ctx.
	Fork func(ctx context.Context, n int) []context.Context
	// KeepFields records each instance's rendered field values in
	// Instance.Fields (for test expectations).
	KeepFields bool
	// Reuse, when set (a resumed run, execution.md §14), returns the
	// stored output of a node instance that may be reused: it ended
	// success before, its definition is unchanged, the $config, $input and
	// $env values it reads are unchanged and its output was not redacted.
	// The executor adds the last rule: every node it depends on was
	// reused. Nodes inside loop iterations always run again. scope is the
	// instance's Scope, which must equal the stored one.
	Reuse func(n *ast.Node, key string, scope uint64) (output any, attempts int, ok bool)
	// ScopeSum, when set (a run with a store), gives every instance inside
	// a foreach iteration or a sub-workflow its Scope: ScopeSum(parent,
	// values...) chains the enclosing scope's sum with the iteration's
	// item, or with the sub-workflow's input and config. nil: all zero.
	ScopeSum func(parent uint64, values ...any) uint64
}

// NodeError is a node failure as recorded and reported (the $error object
// of nodes.md §8.5).
type NodeError struct {
	Code      string
	Message   string
	Node      string // instance key
	Attempt   int
	Retryable bool
	ExitCode  *int
	Status    int
	Body      string
	// RetryAfterMS is the server's Retry-After (http, ai), 0 if none.
	RetryAfterMS int64
	Hints        []string
	Stderr       []string
	// Span is where the diagnostic points: the node's tag, or the failing
	// part of an expression for R602.
	Span source.Span
	// NodeRef is the failing node.
	NodeRef *ast.Node
}

func (e *NodeError) Error() string { return e.Message }

// Object returns the $error / n.error value.
func (e *NodeError) Object() *value.Object {
	o := value.ObjectOf("code", e.Code, "message", e.Message, "node", e.Node,
		"attempt", float64(e.Attempt), "retryable", e.Retryable)
	if e.ExitCode != nil {
		o.Set("exit_code", float64(*e.ExitCode))
	}
	if e.Status != 0 {
		o.Set("status", float64(e.Status))
		o.Set("body", e.Body)
	}
	if e.Status != 0 || e.RetryAfterMS > 0 {
		var ra any
		if e.RetryAfterMS > 0 {
			ra = float64(e.RetryAfterMS)
		}
		o.Set("retry_after", ra)
	}
	return o
}

func fromRuntimeError(re *runtimes.Error) *NodeError {
	return &NodeError{Code: re.Code, Message: re.Message, Retryable: re.Retryable, ExitCode: re.ExitCode,
		Status: re.Status, Body: re.Body, RetryAfterMS: re.RetryAfterMS, Hints: re.Hints, Stderr: re.Stderr}
}

// Instance is one execution record of a node: the node itself at top
// level, or one per iteration inside loops.
type Instance struct {
	Key      string
	Node     *ast.Node
	Status   string
	Output   any
	Err      *NodeError
	Attempts int
	Start    time.Time
	End      time.Time
	// Reason is the skip reason for skipped nodes.
	Reason string
	// Input is the evaluated input (HasInput when the node has one).
	Input    any
	HasInput bool
	// RecoveredBy names the fallback handler that recovered the node.
	RecoveredBy string
	// Fields are the rendered field values of the last attempt (only with
	// Options.KeepFields).
	Fields map[string]any
	// Usage is the token usage of an ai node's last attempt, nil for other
	// nodes.
	Usage *Usage
	// Origin is the file Output was decoded from unchanged, when the
	// runtime reported one (runtimes.Call.Origin); nil otherwise.
	Origin *runtimes.Origin
	// Scope is the checksum of what the instance's enclosing foreach
	// iterations and sub-workflows were given (Options.ScopeSum; 0 at the
	// top level): a resume reuses a stored result only for the same
	// scope, that is for the same items (execution.md §14).
	Scope uint64
	// Reused is true when a resumed run kept this instance's stored
	// result instead of running it (for containers: every leaf that ran
	// inside was reused).
	Reused bool
}

// Duration returns the instance's run time.
func (in *Instance) Duration() time.Duration {
	if in.Start.IsZero() || in.End.IsZero() {
		return 0
	}
	return in.End.Sub(in.Start)
}

// Counts are the node counts of a run.
type Counts struct {
	Success, Failed, Skipped, Cancelled, NotRun int
}

// Report is the result of a run.
type Report struct {
	Status    string
	Err       *NodeError
	Output    any
	Instances []*Instance // document order; iterations after their container
	Counts    Counts
	Start     time.Time
	End       time.Time
}

// Usage is token usage (nodes.md §2.8).
type Usage struct {
	Prompt, Completion, Total int
}

// TotalUsage sums the usage of every instance of a report.
func (r *Report) TotalUsage() Usage {
	var u Usage
	for _, in := range r.Instances {
		if in.Usage != nil {
			u.Prompt += in.Usage.Prompt
			u.Completion += in.Usage.Completion
			u.Total += in.Usage.Total
		}
	}
	return u
}
