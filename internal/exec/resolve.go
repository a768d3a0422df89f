package exec

import (
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// resolver answers references from expressions evaluated in frame f.
type resolver struct {
	e *engine
	f *frame
}

// Node returns what a reference to a node (or phase) sees (nodes.md §1.2).
func (r resolver) Node(key string) expr.NodeState {
	if n, ok := r.e.flow.ByID[key]; ok {
		return r.state(n.Index)
	}
	for _, p := range r.e.flow.Phases {
		if p.Name == key {
			o := value.NewObject(len(p.Direct))
			status := StatusSuccess
			for _, n := range p.Nodes {
				st := r.state(n.Index)
				if st.Status == StatusFailed {
					status = StatusFailed
				}
			}
			for _, n := range p.Direct {
				if !n.Generated {
					o.Set(n.ID, r.state(n.Index).Output)
				}
			}
			return expr.NodeState{Status: status, Output: o}
		}
	}
	if st, ok := r.subNode(key); ok {
		return st
	}
	return expr.NodeState{Status: StatusPending}
}

func (r resolver) state(i int) expr.NodeState {
	in := r.f.lookup(i)
	if in == nil {
		return expr.NodeState{Status: StatusPending}
	}
	st := expr.NodeState{Status: in.Status, Attempts: float64(in.Attempts)}
	switch in.Status {
	case StatusSuccess:
		st.Output = in.Output
		if in.Err != nil {
			st.Error = in.Err.Object()
		}
		st.Duration = float64(in.Duration().Milliseconds())
	case StatusFailed, StatusCancelled:
		if in.Err != nil {
			st.Error = in.Err.Object()
		}
		st.Duration = float64(in.Duration().Milliseconds())
	}
	return st
}

// Var reads a variable: the innermost iteration-local value, else the
// run's. Var("") is $vars as a whole.
func (r resolver) Var(name string) any {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	if name == "" {
		// The run's variables, then each iteration's from the outermost
		// in, so an inner iteration-local value wins.
		o := r.e.vars.Clone()
		var frames []*frame
		for f := r.f; f != nil; f = f.parent {
			if f.vars != nil {
				frames = append(frames, f)
			}
		}
		for i := len(frames) - 1; i >= 0; i-- {
			for _, k := range frames[i].vars.Keys() {
				v, _ := frames[i].vars.Get(k)
				o.Set(k, v)
			}
		}
		return o
	}
	for f := r.f; f != nil; f = f.parent {
		if f.vars != nil {
			if v, ok := f.vars.Get(name); ok {
				return v
			}
		}
	}
	v, _ := r.e.vars.Get(name)
	return v
}

// setVar writes a variable: iteration-local inside a foreach body.
func (e *engine) setVar(f *frame, name string, v any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for c := f; c != nil; c = c.parent {
		if c.vars != nil {
			c.vars.Set(name, v)
			return
		}
	}
	e.vars.Set(name, v)
}
