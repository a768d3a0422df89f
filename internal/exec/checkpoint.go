package exec

import (
	"context"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// Action is one possible answer of a checkpoint (nodes.md §7).
type Action struct {
	ID, Label, Goto, Outcome, Ask string
}

// CheckpointRequest is what a decider is asked.
type CheckpointRequest struct {
	Node    string // instance key
	ID      string // node id (for --approve)
	Prompt  string
	Actions []Action
	Default string
	Timeout time.Duration // 0: wait without limit
}

// Decision is the answer: the chosen action, who decided (tty, flag,
// default, timeout, condition, test) and the text asked for, if any.
type Decision struct {
	Action string
	By     string
	Input  any
}

// Checkpoint event kinds.
const (
	EvCheckpointWait     = "checkpoint.wait"
	EvCheckpointDecision = "checkpoint.decision"
)

func checkpointActions(n *ast.Node) []Action {
	var out []Action
	for _, s := range n.Subs {
		if s.Tag != "action" {
			continue
		}
		a := Action{}
		if f := s.Field("id"); f != nil {
			a.ID, _ = f.Static.(string)
		}
		a.Label = a.ID
		if f := s.Field("label"); f != nil && f.IsStatic {
			a.Label, _ = f.Static.(string)
		}
		if f := s.Field("goto"); f != nil && f.IsStatic {
			a.Goto, _ = f.Static.(string)
		}
		if f := s.Field("ask"); f != nil && f.IsStatic {
			a.Ask, _ = f.Static.(string)
		}
		a.Outcome = "continue"
		if a.ID == "reject" {
			a.Outcome = "reject"
		}
		if f := s.Field("outcome"); f != nil && f.IsStatic {
			a.Outcome, _ = f.Static.(string)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		out = []Action{{ID: "approve", Label: "approve", Outcome: "continue"}, {ID: "reject", Label: "reject", Outcome: "reject"}}
	}
	return out
}

// approveAction is "approve", else the first continue action, else the
// default (execution.md §11).
func approveAction(actions []Action, def string) string {
	for _, a := range actions {
		if a.ID == "approve" {
			return a.ID
		}
	}
	for _, a := range actions {
		if a.Outcome == "continue" {
			return a.ID
		}
	}
	return def
}

// runCheckpoint asks for a decision and applies it.
func (e *engine) runCheckpoint(ctx context.Context, f *frame, n *ast.Node, in *Instance, env *expr.Env, vals map[string]any) (any, *NodeError) {
	actions := checkpointActions(n)
	def := "reject"
	if d, ok := vals["default"].(string); ok && d != "" {
		def = d
	}
	var dec *Decision
	if c := n.Field("condition"); c != nil && c.Prog != nil {
		v, err := c.Prog.Eval(env)
		if err != nil {
			return nil, evalErr(err, n)
		}
		if !value.Truthy(v) {
			dec = &Decision{Action: approveAction(actions, def), By: "condition"}
		}
	}
	if dec == nil {
		req := &CheckpointRequest{Node: in.Key, ID: n.ID, Actions: actions, Default: def}
		req.Prompt, _ = vals["prompt"].(string)
		if ms, ok := vals["timeout"].(float64); ok {
			req.Timeout = time.Duration(ms) * time.Millisecond
		}
		if e.observe {
			e.obs.Event(&Event{Type: EvCheckpointWait, Time: e.now(), Inst: in, Checkpoint: req})
		}
		if e.opts.Decide != nil {
			d, err := e.opts.Decide(ctx, req)
			if err != nil {
				return nil, &NodeError{Code: "R605", Message: "cancelled"}
			}
			dec = d
		}
		if dec == nil {
			dec = &Decision{Action: def, By: "default"}
		}
	}
	var chosen *Action
	for i := range actions {
		if actions[i].ID == dec.Action {
			chosen = &actions[i]
		}
	}
	if chosen == nil {
		return nil, &NodeError{Code: "R614", Message: "unknown checkpoint action \"" + dec.Action + "\""}
	}
	if e.observe {
		e.obs.Event(&Event{Type: EvCheckpointDecision, Time: e.now(), Inst: in, Decision: dec})
	}
	out := value.ObjectOf("action", dec.Action, "by", dec.By, "input", dec.Input, "at", formatTime(e.now()))
	if chosen.Goto != "" {
		e.activate(f, chosen.Goto)
	}
	if chosen.Outcome == "reject" {
		return nil, &NodeError{Code: "R614", Message: "rejected at checkpoint (action \"" + dec.Action + "\")"}
	}
	return out, nil
}

// activate marks a goto target as activated in the frame that owns it.
func (e *engine) activate(f *frame, id string) {
	t := e.flow.ByID[id]
	if t == nil {
		return
	}
	of := f.owner(t.Index)
	if of == nil {
		return
	}
	of.mu.Lock()
	if of.activated == nil {
		of.activated = map[int]bool{}
	}
	of.activated[t.Index] = true
	of.mu.Unlock()
}
