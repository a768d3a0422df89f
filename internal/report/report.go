package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/atomicfile"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/redact"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/value"
)

// Run is one finished (or running) run and what is needed to describe it.
type Run struct {
	ID      string
	Attempt int    // 0 means 1
	File    string // the workflow path as given on the command line
	Flow    *ast.Flow
	Plan    *dag.Plan
	// Report is the executor's result; nil until the run ends.
	Report *exec.Report
	// Masker masks secret values in everything written (nil: nothing).
	Masker *redact.Masker
}

func (r *Run) attempt() int {
	if r.Attempt < 1 {
		return 1
	}
	return r.Attempt
}

func (r *Run) mask(s string) string { return r.Masker.String(s) }

func (r *Run) maskValue(v any) any {
	m, _ := r.Masker.Value(v)
	return m
}

func (r *Run) workflow() *value.Object {
	name, version := "", ""
	if r.Flow != nil && r.Flow.Front != nil {
		name, version = r.Flow.Front.Name, r.Flow.Front.Version
	}
	return value.ObjectOf("name", name, "version", version, "file", r.File)
}

// ExitCode is the process exit code of a run status (execution.md §18).
func ExitCode(status string) int {
	switch status {
	case exec.RunSuccess:
		return 0
	case exec.RunRejected:
		return 3
	case exec.RunTimedOut:
		return 124
	case exec.RunInterrupted:
		return 130
	}
	return 1
}

func counts(c exec.Counts) *value.Object {
	return value.ObjectOf("success", float64(c.Success), "failed", float64(c.Failed), "skipped", float64(c.Skipped),
		"cancelled", float64(c.Cancelled), "not_run", float64(c.NotRun))
}

// position is the line and column where a node error points: the failing
// expression for R602, else the node's tag.
func (r *Run) position(n *ast.Node, e *exec.NodeError) (any, any) {
	if n == nil || r.Flow == nil || r.Flow.File == nil {
		return nil, nil
	}
	sp := n.TagSpan
	if e != nil && e.Code == "R602" && e.Span != (source.Span{}) {
		sp = e.Span
	}
	p := r.Flow.File.Position(sp.Start)
	return float64(p.Line), float64(p.Col)
}

// runError is {code, message, node, line, col} of the run error, or nil.
func (r *Run) runError() any {
	e := r.Report.Err
	if e == nil {
		return nil
	}
	line, col := r.position(e.NodeRef, e)
	var node any
	if e.Node != "" {
		node = e.Node
	}
	return value.ObjectOf("code", e.Code, "message", r.mask(e.Message), "node", node, "line", line, "col", col)
}

// output is the masked workflow output of a successful run, else nil.
func (r *Run) output() any {
	if r.Report.Status != exec.RunSuccess {
		return nil
	}
	return r.maskValue(r.Report.Output)
}

// Object is the JSON report of spec/cli.md §2.
func (r *Run) Object() *value.Object {
	rep := r.Report
	nodes := make([]any, 0, len(rep.Instances))
	for _, in := range rep.Instances {
		line, col := r.position(in.Node, nil)
		var nerr any
		if in.Err != nil && in.Status != exec.StatusSuccess {
			nerr = value.ObjectOf("code", in.Err.Code, "message", r.mask(in.Err.Message))
		}
		node := value.ObjectOf("key", in.Key, "kind", in.Node.Kind, "status", in.Status,
			"attempts", float64(in.Attempts), "duration_ms", float64(in.Duration().Milliseconds()),
			"line", line, "col", col, "error", nerr)
		if in.Usage != nil {
			node.Set("usage", usageObject(*in.Usage))
		}
		nodes = append(nodes, node)
	}
	o := value.ObjectOf(
		"run_id", r.ID,
		"attempt", float64(r.attempt()),
		"workflow", r.workflow(),
		"status", rep.Status,
		"exit_code", float64(ExitCode(rep.Status)),
		"started_at", Timestamp(rep.Start),
		"ended_at", Timestamp(rep.End),
		"duration_ms", float64(rep.End.Sub(rep.Start).Milliseconds()),
		"error", r.runError(),
		"output", r.output(),
		"counts", counts(rep.Counts),
		"nodes", nodes,
	)
	if u := rep.TotalUsage(); u.Total > 0 {
		o.Set("usage", usageObject(u)) // ai token usage of the run (nodes.md §2.8)
	}
	return o
}

func usageObject(u exec.Usage) *value.Object {
	return value.ObjectOf("prompt_tokens", float64(u.Prompt), "completion_tokens", float64(u.Completion),
		"total_tokens", float64(u.Total))
}

// nodeStatus is a status for people: a pending instance is "not run".
func nodeStatus(s string) string {
	if s == exec.StatusPending || s == "" {
		return "not run"
	}
	return s
}

// JSON is the report as indented JSON with a final line break.
func (r *Run) JSON() []byte {
	return []byte(value.IndentJSON(r.Object(), "  ") + "\n")
}

// Files names the documents to write at the end of a run; empty names are
// skipped. Relative paths are taken from Dir.
type Files struct {
	Dir string
	// JSON is --report, HTML is --report-html.
	JSON, HTML string
	// StepSummary is $GITHUB_STEP_SUMMARY in GitHub mode: the footer-log
	// tables are appended to it.
	StepSummary string
}

// Write writes every document f names and returns the problems, each
// naming its file.
func Write(f Files, r *Run) error {
	var errs []error
	abs := func(p string) string {
		if filepath.IsAbs(p) || f.Dir == "" {
			return p
		}
		return filepath.Join(f.Dir, p)
	}
	if f.JSON != "" {
		if err := atomicfile.Write(abs(f.JSON), r.JSON(), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("cannot write report %q: %w", f.JSON, err))
		}
	}
	if f.HTML != "" {
		if err := atomicfile.Write(abs(f.HTML), r.HTML(), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("cannot write report %q: %w", f.HTML, err))
		}
	}
	if f.StepSummary != "" {
		if err := appendFile(f.StepSummary, []byte(r.Tables()+"\n")); err != nil {
			errs = append(errs, fmt.Errorf("cannot append the job summary to %q: %w", f.StepSummary, err))
		}
	}
	return errors.Join(errs...)
}

func appendFile(path string, data []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = fh.Write(data)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}

// Fanout sends each event to every non-nil observer in order.
func Fanout(obs ...exec.Observer) exec.Observer {
	var list []exec.Observer
	for _, o := range obs {
		if o != nil {
			list = append(list, o)
		}
	}
	return exec.ObserverFunc(func(ev *exec.Event) {
		for _, o := range list {
			o.Event(ev)
		}
	})
}

// StepSummary is $GITHUB_STEP_SUMMARY in github mode, else "".
func StepSummary(mode string, getenv func(string) (string, bool)) string {
	if mode != "github" || getenv == nil {
		return ""
	}
	v, _ := getenv("GITHUB_STEP_SUMMARY")
	return v
}

// Finish ends a run's documents: run.end on the event stream (when ev is
// not nil), then the files of f. Problems are printed to errw as
// "flowscript: …" lines; they do not change the run's exit code.
func Finish(errw io.Writer, r *Run, f Files) {
	if err := Write(f, r); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(errw, "flowscript: "+line)
		}
	}
}
