package expr

import (
	"fmt"

	"github.com/flowscript/flowscript/internal/value"
)

// NodeState is what a reference to a node sees (spec/nodes.md §1.2): Status
// is "success", "failed", "cancelled", "skipped" or "pending"; Output the
// output; Error nil or an object {code, message, ...}; Duration ms (nil if
// not run); Attempts the attempts made.
type NodeState struct {
	Status   string
	Output   any
	Error    any
	Duration any
	Attempts float64
}

// Resolver answers node and variable references at run time. Var("") is
// asked when $vars is read whole and should return an object of all
// variables.
type Resolver interface {
	Node(key string) NodeState
	Var(name string) any
}

// Globals are the $ names that are the same for every node of a run; each
// is normally a *value.Object.
type Globals struct {
	Input, Config, Secrets, Env, Context, Run, Workflow any
}

// Env is one evaluation environment. The executor builds one per node
// attempt; map, filter and reduce reuse one Env across items by calling
// SetItem, which allocates nothing.
type Env struct {
	Input    any // `input`
	Globals  *Globals
	Resolver Resolver
	Runtime  *Runtime
	// Attempt is $attempt, the node's current attempt (0 reads null).
	Attempt int

	ctx    Ctx
	frames []any // arrow and block parameters, by slot

	hasItem    bool
	item       any
	index      int
	first      bool
	last       bool
	items      []any
	itemsBoxed any
	itemName   string
	indexName  string
	locals     map[string]any
}

// SetLocal sets a name of the scope that is not an item name, such as
// SetLocal("$error", errObj), SetLocal("$attempt", 1.0), SetLocal("$acc", acc)
// or an enclosing foreach's item name.
func (e *Env) SetLocal(name string, v any) {
	if e.locals == nil {
		e.locals = make(map[string]any, 4)
	}
	e.locals[name] = v
}

// SetItem sets $item, $index, $first, $last and $items (and the item and
// index names, "item" and "index" unless SetItemNames changed them) for the
// next element. It allocates nothing.
func (e *Env) SetItem(item any, index int, first, last bool, items []any) {
	e.hasItem = true
	e.item, e.index, e.first, e.last = item, index, first, last
	if len(items) != len(e.items) || len(items) > 0 && &items[0] != &e.items[0] {
		e.itemsBoxed = nil
	}
	e.items = items
}

// BeginItems starts a node's own per-item scope (map, filter and reduce
// elements, database rows): from the next SetItem on, the elements are
// named item and index, while the item and index of an enclosing foreach
// with other names (item="task" index="i") stay readable under those
// names (expressions.md §5: innermost first).
func (e *Env) BeginItems() {
	if e.hasItem {
		if e.itemName != "" && e.itemName != "item" {
			e.SetLocal(e.itemName, e.item)
		}
		if e.indexName != "" && e.indexName != "index" {
			e.SetLocal(e.indexName, float64(e.index))
		}
	}
	e.itemName, e.indexName = "", ""
}

// SetItemNames names the item and index of the enclosing foreach
// (item="task" index="i"); "" keeps the defaults "item" and "index".
func (e *Env) SetItemNames(item, index string) {
	e.itemName, e.indexName = item, index
}

// local reads a name of Names.Locals.
func (e *Env) local(name string) any {
	if e.hasItem {
		in := e.itemName
		if in == "" {
			in = "item"
		}
		if name == in {
			return e.item
		}
		xn := e.indexName
		if xn == "" {
			xn = "index"
		}
		if name == xn {
			return float64(e.index)
		}
	}
	return e.locals[name]
}

// dollar reads one of the per-node $ names ($item, $acc, $error, ...).
func (e *Env) dollar(name string) any {
	if name == "$attempt" && e.Attempt > 0 {
		return float64(e.Attempt)
	}
	if e.hasItem {
		switch name {
		case "$item":
			return e.item
		case "$index":
			return float64(e.index)
		case "$first":
			return e.first
		case "$last":
			return e.last
		case "$items":
			if e.itemsBoxed == nil {
				if e.items == nil {
					e.itemsBoxed = []any{}
				} else {
					e.itemsBoxed = e.items
				}
			}
			return e.itemsBoxed
		}
	}
	return e.locals[name]
}

// begin resets the budgets for one evaluation.
func (e *Env) begin() {
	e.ctx.rt = e.Runtime
	e.ctx.steps, e.ctx.mem, e.ctx.depth = 0, 0, 0
	e.ctx.env = e
	e.ctx.invoke = invoke
	e.frames = e.frames[:0]
}

// Ctx returns the function context of the environment, for calling function
// values outside an evaluation (executor use).
func (e *Env) Ctx() *Ctx {
	if e.ctx.env == nil {
		e.begin()
	}
	return &e.ctx
}

// Function is an arrow function value. It is only created as a function
// argument or as the value of a whole-arrow Program; functions call it with
// Ctx.Call.
type Function struct {
	code *arrowCode
	buf  []any // captured slots then parameters
	busy bool
}

// Params returns the number of declared parameters.
func (f *Function) Params() int { return f.code.nparams }

type arrowCode struct {
	base    int
	nparams int
	body    evalFn
}

// invoke calls a function value; it is Ctx.invoke.
func invoke(c *Ctx, fn any, args []any) (any, error) {
	f, ok := fn.(*Function)
	if !ok {
		return nil, fmt.Errorf("%w, got %s", ErrNotFunction, value.TypeName(fn))
	}
	e := c.env
	if c.depth >= MaxArrowDepth {
		return nil, &BudgetError{Message: fmt.Sprintf("expression budget exceeded: more than %d nested arrow invocations", MaxArrowDepth)}
	}
	if err := c.Step(1); err != nil {
		return nil, err
	}
	buf := f.buf
	if f.busy {
		buf = make([]any, len(f.buf))
		copy(buf, f.buf[:f.code.base])
	} else {
		f.busy = true
		defer func() { f.busy = false }()
	}
	base := f.code.base
	for i := 0; i < f.code.nparams; i++ {
		if i < len(args) {
			buf[base+i] = args[i]
		} else {
			buf[base+i] = nil
		}
	}
	saved := e.frames
	e.frames = buf
	c.depth++
	v, err := f.code.body(e)
	c.depth--
	e.frames = saved
	return v, err
}
