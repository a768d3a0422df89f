package expr

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Func is a built-in function (spec/expressions.md §12). Min and Max bound
// the argument count (Max < 0: variadic). Call receives evaluated arguments;
// missing optional arguments are not in args (len(args) >= Min). A returned
// error that is not a *FailError or *BudgetError is reported as R602 with the
// call's position, so messages look like "upper: expected string, got number".
type Func struct {
	Name string
	Min  int
	Max  int
	Call func(c *Ctx, args []any) (any, error)
}

// FailError is returned by fail(): the node stops with R621.
type FailError struct{ Message string }

func (e *FailError) Error() string { return e.Message }

// BudgetError is an exceeded evaluation budget (R612).
type BudgetError struct{ Message string }

func (e *BudgetError) Error() string { return e.Message }

// Budgets of one evaluation (spec/expressions.md §7).
const (
	MaxSteps       = 1_000_000
	MaxArrowDepth  = 64
	MaxMemory      = 64 << 20
	MaxStringBytes = 16 << 20
)

// Clock and randomness of an evaluation. The zero value means: real time,
// UTC, a random seed.
type Runtime struct {
	Now  func() time.Time // nil: time.Now
	Loc  *time.Location   // nil: UTC
	Rand *rand.Rand       // nil: a random source
}

// Ctx is what a function may use during one evaluation: the budgets, the
// clock, randomness and calling function arguments (arrow functions).
type Ctx struct {
	rt     *Runtime
	steps  int
	mem    int
	depth  int
	env    *Env
	invoke func(c *Ctx, fn any, args []any) (any, error)
}

// Step charges n steps (each element a function visits is one step).
func (c *Ctx) Step(n int) error {
	c.steps += n
	if c.steps > MaxSteps {
		return &BudgetError{Message: fmt.Sprintf("expression budget exceeded: more than %d steps", MaxSteps)}
	}
	return nil
}

// Alloc charges n bytes of created values (string bytes, 16 per number,
// array item and object entry).
func (c *Ctx) Alloc(n int) error {
	c.mem += n
	if c.mem > MaxMemory {
		return &BudgetError{Message: "expression budget exceeded: more than 64 MiB of values"}
	}
	return nil
}

// CheckString fails when s is longer than the string budget.
func (c *Ctx) CheckString(s string) error {
	if len(s) > MaxStringBytes {
		return &BudgetError{Message: "expression budget exceeded: string longer than 16 MiB"}
	}
	return c.Alloc(len(s))
}

// Now returns the evaluation's current time in its zone.
func (c *Ctx) Now() time.Time {
	if c.rt != nil && c.rt.Now != nil {
		return c.rt.Now().In(c.Location())
	}
	return time.Now().In(c.Location())
}

// Location returns the run zone (runtime.timezone), UTC by default.
func (c *Ctx) Location() *time.Location {
	if c.rt != nil && c.rt.Loc != nil {
		return c.rt.Loc
	}
	return time.UTC
}

// Rand returns the evaluation's random source.
func (c *Ctx) Rand() *rand.Rand {
	if c.rt != nil && c.rt.Rand != nil {
		return c.rt.Rand
	}
	if c.rt == nil {
		c.rt = &Runtime{}
	}
	c.rt.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	return c.rt.Rand
}

// ErrNotFunction is returned by Call for a value that is not a function.
var ErrNotFunction = errors.New("expected a function")

// Call invokes a function value (an arrow function passed as an argument).
func (c *Ctx) Call(fn any, args ...any) (any, error) {
	if c.invoke == nil {
		return nil, ErrNotFunction
	}
	return c.invoke(c, fn, args)
}

// NewCtx returns a function context for rt (nil: real clock, UTC, random
// seed) with no way to call function values; the evaluator builds its own.
// Function tests use it.
func NewCtx(rt *Runtime) *Ctx { return &Ctx{rt: rt} }

// Funcs is a function table, name to function; builtin.Table() returns the
// full library.
type Funcs map[string]*Func
