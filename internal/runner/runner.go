// Package runner carries out the run lifecycle of spec/execution.md §1:
// load and validate, resolve config, input, secrets and env, execute the
// plan, check and write the output, and report. Commands in package cli
// call it; it writes only to the streams it is given.
package runner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/atomicfile"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/footerlog"
	"github.com/flowscript/flowscript/internal/frontmatter"
	"github.com/flowscript/flowscript/internal/load"
	"github.com/flowscript/flowscript/internal/progress"
	"github.com/flowscript/flowscript/internal/redact"
	"github.com/flowscript/flowscript/internal/report"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/store"
	"github.com/flowscript/flowscript/internal/value"
)

// Streams are the I/O of one command.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) (string, bool)
	Cwd    string
	Color  bool
	// Now, when set, freezes the clock (tests: FLOWSCRIPT_TEST_CLOCK).
	Now func() time.Time
	// Prompt asks a person at a terminal to decide a checkpoint; nil when
	// the session is not interactive (execution.md §11).
	Prompt func(ctx context.Context, req *exec.CheckpointRequest) (*exec.Decision, error)
}

// Options are the flags of `flowscript run` (spec/cli.md §2).
type Options struct {
	File           string
	Config         []string
	ConfigFile     string
	Input          string
	MaxConcurrency int
	Scheduler      string
	Timeout        time.Duration
	Progress       string // auto, live, plain, github, none
	JSON           bool
	Output         string
	AllowPaths     []string
	DryRun         bool
	Report         string // --report FILE
	ReportHTML     string // --report-html FILE
	// Approve holds the --approve ID[=ACTION[:TEXT]] values.
	Approve []string
	// NonInteractive is --non-interactive.
	NonInteractive bool
	// StateDir, NoState and Resume are --state-dir, --no-state and
	// --resume RUN (execution.md §12, §14).
	StateDir string
	NoState  bool
	Resume   string
	// Log and NoLog are --log and --no-log (footer execution log).
	Log, NoLog bool
}

// DiagnosticsError is an invalid workflow (exit 2).
type DiagnosticsError struct{ List source.List }

func (e *DiagnosticsError) Error() string { return e.List.Error() }

// UsageError is a usage problem (exit 2): the message and hint lines.
type UsageError struct {
	Message string
	Hints   []string
}

func (e *UsageError) Error() string { return e.Message }

// ProblemsError lists run-start problems (invalid config, input or
// secrets; exit 2), one line each.
type ProblemsError struct{ Lines []string }

func (e *ProblemsError) Error() string { return strings.Join(e.Lines, "\n") }

// RunError is a run that ended without success; Status maps to the exit
// code.
type RunError struct {
	Status string
}

func (e *RunError) Error() string { return "run " + e.Status }

// Loaded is a validated workflow ready to run or plan.
type Loaded struct {
	Flow    *ast.Flow
	Plan    *dag.Plan
	Config  *value.Object
	Input   any
	Secrets *value.Object
	Env     *value.Object
	Masker  *redact.Masker
	Warns   []string
}

// Load validates the file and resolves config and input (lifecycle steps
// 1–2). Diagnostics (including warnings) are printed to s.Err.
func Load(s Streams, file string, cfg []string, cfgFile, input string, secrets bool) (*Loaded, error) {
	flow, plan, diags := load.File(file)
	if diags.HasErrors() {
		return nil, &DiagnosticsError{List: diags}
	}
	if len(diags) > 0 {
		source.Printer{Color: s.Color}.Print(s.Err, diags)
	}
	fm := flow.Front
	l := &Loaded{Flow: flow, Plan: plan}
	conf, uerrs := frontmatter.ResolveConfig(fm, cfg, cfgFile, s.Cwd)
	if len(uerrs) > 0 {
		return nil, &UsageError{Message: uerrs[0].Message, Hints: uerrs[0].Hints}
	}
	l.Config = conf
	in := any(value.NewObject(0))
	if input != "" {
		v, ue := frontmatter.ParseInput(input, s.In, s.Cwd)
		if ue != nil {
			return nil, &UsageError{Message: ue.Message, Hints: ue.Hints}
		}
		in = v
	}
	checked, problems := frontmatter.CheckInput(fm, in)
	if len(problems) > 0 {
		return nil, &ProblemsError{Lines: prefix("R617", problems)}
	}
	l.Input = checked
	if secrets {
		sec, probs, warns := frontmatter.ResolveSecrets(fm, s.Getenv)
		if len(probs) > 0 {
			return nil, &ProblemsError{Lines: prefix("R619", probs)}
		}
		l.Secrets, l.Warns = sec, warns
		var vals []string
		for _, k := range sec.Keys() {
			v, _ := sec.Get(k)
			if str, ok := v.(string); ok {
				vals = append(vals, str)
			}
		}
		l.Masker = redact.New(vals)
	}
	l.Env = frontmatter.ResolveEnv(fm, s.Getenv)
	return l, nil
}

// prefix returns the problem lines as they are printed: one per problem,
// as format.md §2.8 shows them (`$input.retries: expected number, got
// string "3"`); code (R617, R619) names their family in docs.
func prefix(code string, lines []string) []string {
	_ = code
	return append([]string(nil), lines...)
}

// Run executes a workflow (lifecycle steps 1–8) and returns nil on
// success.
func Run(ctx context.Context, s Streams, o Options) error {
	if o.Resume != "" && o.NoState {
		return &UsageError{Message: "--resume needs the run store; drop --no-state"}
	}
	l, err := Load(s, o.File, o.Config, o.ConfigFile, o.Input, true)
	if err != nil {
		return err
	}
	approvals, err := ParseApprovals(o.Approve)
	if err != nil {
		return err
	}
	if err := CheckApprovals(l.Flow, approvals); err != nil {
		return err
	}
	for _, w := range l.Warns {
		fmt.Fprintln(s.Err, "warning[W703]: "+w)
	}
	flow := l.Flow
	conc := o.MaxConcurrency
	if conc <= 0 {
		conc = flow.Front.Runtime.Concurrency
	}
	if conc <= 0 {
		conc = 10
	}
	if o.DryRun {
		l.Plan.WriteText(s.Out, dag.RenderOptions{Scheduler: scheduler(o, flow), MaxConcurrency: conc, File: o.File})
		return nil
	}
	timeout := o.Timeout
	if timeout == 0 && flow.Front.Runtime.Timeout > 0 {
		timeout = time.Duration(flow.Front.Runtime.Timeout) * time.Millisecond
	}
	now := s.Now
	if now == nil {
		now = time.Now
	}
	runID := newRunID(now(), s.Now != nil)
	mask := func(t string) string { return l.Masker.String(t) }
	maskValue := func(v any) (any, bool) { return l.Masker.Value(v) }

	// The run store: a new run, or the one to resume (execution.md §12, §14).
	attempt := 1
	var run *store.Run
	var reuse *reuser
	src := flow.File.Src
	if o.Resume != "" {
		_, r, prev, err := openResume(s, o, flow)
		if err != nil {
			return err
		}
		run, runID, attempt = r, r.ID, prev.Attempt+1
		defer run.Close()
		cfg := prev.Config
		if len(o.Config) > 0 || o.ConfigFile != "" {
			// --config and --config-file replace the stored values of their keys.
			merged, _ := cfg.(*value.Object)
			if merged == nil {
				merged = value.NewObject(0)
			} else {
				merged = merged.Clone()
			}
			given := map[string]bool{}
			for _, c := range o.Config {
				k, _, _ := strings.Cut(c, "=")
				given[strings.TrimSpace(k)] = true
			}
			for _, k := range l.Config.Keys() {
				if v, _ := l.Config.Get(k); given[k] || o.ConfigFile != "" && v != nil {
					merged.Set(k, v)
				}
			}
			cfg = merged
		}
		if c, ok := cfg.(*value.Object); ok {
			l.Config = c
		}
		if o.Input == "" && prev.Input != nil {
			checked, problems := frontmatter.CheckInput(flow.Front, prev.Input)
			if len(problems) > 0 {
				return &ProblemsError{Lines: prefix("R617", problems)}
			}
			l.Input = checked
		}
		reuse = &reuser{prev: prev, config: l.Config, input: l.Input, env: l.Env}
		if err := run.WriteWorkflow(src); err != nil {
			return fmt.Errorf("cannot write the run store: %v", err)
		}
	} else if !o.NoState {
		st, err := store.Open(stateDir(s, o, flow))
		if err != nil {
			return fmt.Errorf("cannot open the run store: %v", err)
		}
		run, err = createRun(st, runID, s.Now != nil, src)
		if err != nil {
			return fmt.Errorf("cannot create the run: %v", err)
		}
		runID = run.ID
		defer run.Close()
	}
	var rec *store.Recorder
	if run != nil || o.JSON {
		var tm int64
		if timeout > 0 {
			tm = timeout.Milliseconds()
		}
		sum := sha256.Sum256(src)
		state := store.NewState(runID, store.Workflow{Name: flow.Front.Name, Version: flow.Front.Version, File: flow.Path, SHA256: hex.EncodeToString(sum[:])},
			store.Options{MaxConcurrency: conc, Scheduler: scheduler(o, flow), TimeoutMS: tm}, now())
		state.Attempt, state.Config, state.Input, state.Env = attempt, l.Config, l.Input, l.Env
		if reuse != nil {
			// Keep what will be reused, should this attempt crash too.
			state.Nodes = reuse.carried(l.Plan.Root.Waves, func(n *ast.Node) []*ast.Node { return l.Plan.Deps[n.Index] }, flow)
		}
		rec = store.NewRecorder(run, state, mask, maskValue)
		rec.Now = now
		rec.Definition = func(n *ast.Node) string { return definition(n, flow) }
		if o.JSON {
			rec.SetTee(s.Out)
		}
		if err := rec.Start(o.File, reuse != nil); err != nil {
			return fmt.Errorf("cannot write the run store: %v", err)
		}
		waves := make([][]string, len(l.Plan.Root.Waves))
		for i, w := range l.Plan.Root.Waves {
			for _, n := range w {
				waves[i] = append(waves[i], n.ID)
			}
		}
		rec.Plan(waves)
	}

	var plain progress.Printer
	mode := progress.Mode(o.Progress, s.Getenv, progress.IsTerminal(s.Err))
	switch mode {
	case "plain":
		p := progress.NewPlain(s.Err)
		p.Mask, plain = mask, p
	case "github":
		g := progress.NewGitHub(s.Err, flow.File)
		g.Mask, plain = mask, g
	case "live":
		lv := progress.NewLive(s.Err, nil, s.Color)
		lv.Mask, plain = mask, lv
		if ask := s.Prompt; ask != nil { // the live area steps aside for prompts
			s.Prompt = func(ctx context.Context, req *exec.CheckpointRequest) (*exec.Decision, error) {
				lv.Clear()
				defer lv.Resume()
				return ask(ctx, req)
			}
		}
	}
	var obs exec.Observer
	switch {
	case plain != nil && rec != nil:
		obs = report.Fanout(plain, rec)
	case plain != nil:
		obs = plain
	case rec != nil:
		obs = rec
	}
	rrun := &report.Run{ID: runID, Attempt: attempt, File: o.File, Flow: flow, Plan: l.Plan, Masker: l.Masker}
	var reuseFn func(*ast.Node, string, uint64) (any, int, bool)
	if reuse != nil {
		deps := func(n *ast.Node) []*ast.Node { return l.Plan.Deps[n.Index] }
		n, running := reuse.summary(flow, deps)
		if mode != "none" {
			fmt.Fprintln(s.Err, mask(resumeLine(runID, attempt, n, running)))
		}
		reuseFn = func(n *ast.Node, key string, scope uint64) (any, int, bool) {
			if reuse.why(n, key, flow) != "" {
				return nil, 0, false
			}
			pn := reuse.prev.Nodes[key]
			if pn.Scope != scope {
				return nil, 0, false // other items, or a sub-workflow given other values
			}
			return pn.Output, pn.Attempts, true
		}
	} else if plain != nil {
		plain.Header(runID, flow.Front.Name, flow.Front.Version, len(flow.Nodes), len(l.Plan.Root.Waves), conc)
	}
	var rt *expr.Runtime
	if loc := flow.Front.Runtime.Timezone; loc != "" {
		if z, err := time.LoadLocation(loc); err == nil {
			rt = &expr.Runtime{Loc: z}
		}
	}
	if s.Now != nil {
		if rt == nil {
			rt = &expr.Runtime{}
		}
		rt.Now = s.Now
	}
	reg := runtimes.Builtin()
	rep, err := exec.Run(ctx, l.Plan, exec.Options{
		MaxConcurrency: conc, Registry: reg, Config: l.Config, Input: l.Input, Secrets: l.Secrets, Env: l.Env,
		RunID: runID, Attempt: attempt, AllowPaths: o.AllowPaths, BaseEnv: os.Environ(), Observer: obs,
		Runtime: rt, Timeout: timeout, Now: s.Now, Scheduler: scheduler(o, flow),
		SubResolver: subResolver(s), Decide: decider(s, o), Reuse: reuseFn, ScopeSum: scopeSum(run, l.Masker),
	})
	runtimes.CloseDatabases(runID)
	if err != nil {
		return err
	}
	if plain != nil {
		plain.Done(rep)
		if u := rep.TotalUsage(); u.Total > 0 {
			fmt.Fprintf(s.Err, "tokens %d (prompt %d, completion %d)\n", u.Total, u.Prompt, u.Completion)
		}
	}
	code := report.ExitCode(rep.Status)
	if rec != nil {
		if err := rec.Finish(rep, code); err != nil {
			fmt.Fprintf(s.Err, "flowscript: cannot write the run store: %v\n", err)
		}
	}
	rrun.Report = rep
	report.Finish(s.Err, rrun, report.Files{Dir: s.Cwd, JSON: o.Report, HTML: o.ReportHTML, StepSummary: report.StepSummary(mode, s.Getenv)})
	writeFooterLog(s, o, flow, runID, rep, mask, maskValue)
	if rep.Status != exec.RunSuccess {
		if o.Progress != "none" || rep.Err != nil {
			reportFailure(s, flow, rep, mask)
		}
		if run != nil && mode != "none" {
			cmd := "flowscript run " + o.File + " --resume " + runID
			if rep.Status == exec.RunInterrupted {
				fmt.Fprintln(s.Err, "interrupted; resume with: "+cmd)
			} else {
				fmt.Fprintln(s.Err, "resume with: "+cmd)
			}
		}
		return &RunError{Status: rep.Status}
	}
	return writeOutput(s, o, flow, rep.Output, l.Masker)
}

// writeFooterLog updates the workflow file's execution log when logging
// is on (execution.md §16).
func writeFooterLog(s Streams, o Options, flow *ast.Flow, runID string, rep *exec.Report, mask func(string) string, maskValue func(any) (any, bool)) {
	on := flow.Front.Runtime.Log.On || o.Log
	if o.NoLog || !on {
		return
	}
	if flow.LogDisabled {
		fmt.Fprintln(s.Err, "warning[W704]: malformed execution-log block; log not written")
		return
	}
	keep := flow.Front.Runtime.Log.Keep
	if keep <= 0 {
		keep = 5
	}
	warn, err := footerlog.Update(flow.Path, flow.File.Src, footerlog.NewEntry(runID, rep, mask, maskValue), keep)
	if err != nil {
		fmt.Fprintf(s.Err, "flowscript: cannot write the execution log: %v\n", err)
	} else if warn != "" {
		fmt.Fprintln(s.Err, "warning: "+warn)
	}
}

func scheduler(o Options, flow *ast.Flow) string {
	if o.Scheduler != "" {
		return o.Scheduler
	}
	if flow.Front.Runtime.Scheduler != "" {
		return flow.Front.Runtime.Scheduler
	}
	return "waves"
}

// newRunID is the UTC start time and 6 random hex digits (execution.md
// §12.1); with a frozen clock the digits are zero.
func newRunID(t time.Time, fixed bool) string {
	suffix := "000000"
	if !fixed {
		var b [3]byte
		rand.Read(b[:])
		suffix = hex.EncodeToString(b[:])
	}
	return t.UTC().Format("20060102T150405Z") + "-" + suffix
}

// reportFailure prints the run error as a diagnostic at the node.
func reportFailure(s Streams, flow *ast.Flow, rep *exec.Report, mask func(string) string) {
	ne := rep.Err
	if ne == nil {
		if rep.Status == exec.RunInterrupted {
			fmt.Fprintln(s.Err, "interrupted")
		}
		return
	}
	msg := mask(ne.Message)
	d := &source.Diagnostic{Code: ne.Code, Message: msg}
	if ne.NodeRef != nil {
		// An expression's error (R602, R612, R621) or a field's (R603)
		// points into the attribute; others point at the node's tag.
		d.File, d.Span = flow.File, ne.Span
		if ne.Span == (source.Span{}) {
			d.Span = ne.NodeRef.TagSpan
		}
		d.Message = fmt.Sprintf("node %q failed: %s", ne.Node, msg)
	}
	for _, h := range ne.Hints {
		d.Hints = append(d.Hints, mask(h))
	}
	for _, l := range ne.Stderr {
		d.Notes = append(d.Notes, "stderr: "+mask(l))
	}
	var b strings.Builder
	source.Printer{Color: s.Color}.One(&b, d)
	io.WriteString(s.Err, b.String())
}

// writeOutput writes the workflow output (spec/cli.md §2).
func writeOutput(s Streams, o Options, flow *ast.Flow, out any, m *redact.Masker) error {
	// --output always gets the output; stdout only without --json (whose
	// stdout is the events) and when the workflow has an <output>.
	if o.Output == "" && (o.JSON || flow.Output == nil) {
		return nil
	}
	masked, _ := m.Value(out)
	var text string
	if str, ok := masked.(string); ok {
		text = str + "\n"
	} else {
		text = value.IndentJSON(masked, "  ") + "\n"
	}
	if o.Output == "" {
		_, err := io.WriteString(s.Out, text)
		return err
	}
	path := o.Output
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.Cwd, path)
	}
	return atomicfile.Write(path, []byte(text), 0o644)
}

// subResolver resolves a sub-workflow's own config, input, secrets and env
// (nodes.md §6).
func subResolver(s Streams) func(*ast.Flow, *value.Object, *value.Object) (exec.SubValues, error) {
	return func(sub *ast.Flow, cfg *value.Object, input *value.Object) (exec.SubValues, error) {
		fm := sub.Front
		conf, in, err := frontmatter.SubValues(fm, sub.File.Name, cfg, input)
		if err != nil {
			return exec.SubValues{}, err
		}
		sec, probs, _ := frontmatter.ResolveSecrets(fm, s.Getenv)
		if len(probs) > 0 {
			return exec.SubValues{}, fmt.Errorf("%s: %s", sub.File.Name, strings.Join(probs, "; "))
		}
		return exec.SubValues{Config: conf, Input: in, Secrets: sec, Env: frontmatter.ResolveEnv(fm, s.Getenv)}, nil
	}
}
