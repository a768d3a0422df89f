package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
)

// Approval is one --approve ID[=ACTION[:TEXT]] value.
type Approval struct {
	ID, Action, Text string
	HasText          bool
}

// ParseApprovals parses --approve values.
func ParseApprovals(vals []string) ([]Approval, error) {
	var out []Approval
	for _, v := range vals {
		id, rest, hasAction := strings.Cut(v, "=")
		a := Approval{ID: strings.TrimSpace(id)}
		if a.ID == "" {
			return nil, &UsageError{Message: fmt.Sprintf("--approve: expected ID[=ACTION[:TEXT]], got %q", v)}
		}
		if hasAction {
			a.Action, a.Text, a.HasText = strings.Cut(rest, ":")
			a.Action = strings.TrimSpace(a.Action)
		}
		out = append(out, a)
	}
	return out, nil
}

// CheckApprovals reports an unknown checkpoint id or action as a usage
// error before the run starts (execution.md §11). A checkpoint inside a
// sub-workflow is named by its id or by its path ("include-id/id").
func CheckApprovals(flow *ast.Flow, as []Approval) error {
	known := map[string]*ast.Node{}
	var ids []string
	var collect func(f *ast.Flow, prefix string, depth int)
	collect = func(f *ast.Flow, prefix string, depth int) {
		for _, n := range f.Nodes {
			switch {
			case n.Tag == "checkpoint":
				ids = append(ids, prefix+n.ID)
				known[prefix+n.ID] = n
				if _, dup := known[n.ID]; !dup {
					known[n.ID] = n
				}
			case (n.Tag == "include" || n.Tag == "call") && f.Subflows[n] != nil && depth < 16:
				collect(f.Subflows[n], prefix+n.ID+"/", depth+1)
			}
		}
	}
	collect(flow, "", 0)
	for _, a := range as {
		if a.ID == "*" {
			continue
		}
		n, ok := known[a.ID]
		if !ok {
			ue := &UsageError{Message: fmt.Sprintf("--approve: unknown checkpoint %q", a.ID)}
			if len(ids) == 0 {
				ue.Hints = []string{"the workflow has no checkpoints"}
			} else {
				ue.Hints = []string{"checkpoints: " + strings.Join(ids, ", ")}
			}
			return ue
		}
		if a.Action == "" {
			continue
		}
		found := false
		var names []string
		for _, s := range n.Subs {
			if s.Tag == "action" {
				if f := s.Field("id"); f != nil {
					id, _ := f.Static.(string)
					names = append(names, id)
					found = found || id == a.Action
				}
			}
		}
		if len(names) == 0 {
			names = []string{"approve", "reject"}
			found = a.Action == "approve" || a.Action == "reject"
		}
		if !found {
			return &UsageError{Message: fmt.Sprintf("--approve %s: unknown action %q", a.ID, a.Action),
				Hints: []string{"actions: " + strings.Join(names, ", ")}}
		}
	}
	return nil
}

// decider answers checkpoints from --approve, then (when interactive)
// the terminal prompt, else the default (execution.md §11).
func decider(s Streams, o Options) func(context.Context, *exec.CheckpointRequest) (*exec.Decision, error) {
	as, _ := ParseApprovals(o.Approve)
	return func(ctx context.Context, req *exec.CheckpointRequest) (*exec.Decision, error) {
		// The most specific --approve wins: the instance key ("inc/cp",
		// "each[2]/cp"), then the id, then "*".
		var best *Approval
		rank := 0
		for i := range as {
			r := 0
			switch as[i].ID {
			case req.Node:
				r = 3
			case req.ID:
				r = 2
			case "*":
				r = 1
			}
			if r > rank {
				best, rank = &as[i], r
			}
		}
		if a := best; a != nil {
			d := &exec.Decision{Action: a.Action, By: "flag"}
			if d.Action == "" {
				d.Action = approveOf(req)
			}
			if a.HasText {
				d.Input = a.Text
			}
			return d, nil
		}
		if s.Prompt != nil && !o.NonInteractive {
			return s.Prompt(ctx, req)
		}
		return &exec.Decision{Action: req.Default, By: "default"}, nil
	}
}

func approveOf(req *exec.CheckpointRequest) string {
	for _, a := range req.Actions {
		if a.ID == "approve" {
			return a.ID
		}
	}
	for _, a := range req.Actions {
		if a.Outcome == "continue" {
			return a.ID
		}
	}
	return req.Default
}
