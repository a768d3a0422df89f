package expr

import (
	"errors"
	"fmt"
	"strings"
)

// PosMap maps a byte index in the expression or template source string to a
// byte offset in the .flow.md file (text fields are dedented and
// entity-decoded, so the mapping is not always +base). nil is the identity.
type PosMap func(i int) int

func (pm PosMap) at(i int) int {
	if pm == nil {
		return i
	}
	return pm(i)
}

// Error is a compile-time diagnostic: Code is X401 to X408, or N305 for text
// outside the {{ }} wrapper of an expression field; Start and End are file
// offsets (through the PosMap given to Compile).
type Error struct {
	Code       string
	Start, End int
	Message    string
	Hints      []string
	Suggestion string
}

// Error returns "CODE: message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// EvalError is a run-time error: Code R602 (evaluation), R612 (budget) or
// R621 (fail()); Start and End are the file offsets of the part of the
// expression that failed.
type EvalError struct {
	Code       string
	Start, End int
	Message    string
}

// Error returns "CODE: message".
func (e *EvalError) Error() string { return e.Code + ": " + e.Message }

// RefKind is what a Ref refers to.
type RefKind int

// Kinds of references.
const (
	RefNode      RefKind = iota // a node id, phase name or include id; Name is the resolved key
	RefVar                      // a <set var> variable (bare name or $vars.x)
	RefConfig                   // $config.k
	RefSecret                   // $secrets.K
	RefEnv                      // $env.K
	RefInput                    // $input.k (workflow input)
	RefContext                  // $context.k
	RefNodeInput                // `input`, the node's own input
)

var refKindNames = [...]string{"node", "var", "config", "secret", "env", "input", "context", "node-input"}

func (k RefKind) String() string {
	if int(k) < len(refKindNames) {
		return refKindNames[k]
	}
	return fmt.Sprintf("RefKind(%d)", int(k))
}

// Ref is one reference made by a compiled expression, template or pattern.
// For $config, $secrets, $env, $input and $context, Name is the key read, or
// "" when the value is read whole or with a computed key. Start and End are
// file offsets.
type Ref struct {
	Kind       RefKind
	Name       string
	Start, End int
}

// bailout carries the first syntax error out of the recursive parser.
type bailout struct{ err *Error }

// diag collects compile errors with positions in source coordinates and
// converts them to file offsets at the end.
type diag struct {
	src  string
	pm   PosMap
	errs []*Error
}

func (d *diag) add(code string, start, end int, msg string, hints ...string) *Error {
	start, end = clampSpan(start, end, len(d.src))
	e := &Error{Code: code, Start: start, End: end, Message: msg, Hints: hints}
	d.errs = append(d.errs, e)
	return e
}

func clampSpan(start, end, n int) (int, int) {
	if start < 0 {
		start = 0
	}
	if start > n {
		start = n
	}
	if end < start {
		end = start
	}
	if end > n {
		end = n
	}
	return start, end
}

// finish maps the collected errors to file offsets.
func (d *diag) finish() []*Error {
	if len(d.errs) == 0 {
		return nil
	}
	for _, e := range d.errs {
		e.Start, e.End = d.pm.at(e.Start), d.pm.at(e.End)
	}
	return d.errs
}

// snippet is the quoted source of a failing expression part for run-time
// messages.
func snippet(src string, start, end int) string {
	start, end = clampSpan(start, end, len(src))
	s := strings.TrimSpace(src[start:end])
	if len(s) > 60 {
		cut := 57
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// rtErr builds run-time errors for one part of the source.
type rtErr struct {
	src        string
	start, end int // source offsets
	fstart     int // file offsets
	fend       int
}

func (c *compiler) at(n node) *rtErr {
	s, e := n.span()
	return &rtErr{src: c.src, start: s, end: e, fstart: c.pm.at(s), fend: c.pm.at(e)}
}

// errorf returns an R602 error naming the failing part.
func (r *rtErr) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...) + " in " + snippet(r.src, r.start, r.end)
	return &EvalError{Code: "R602", Start: r.fstart, End: r.fend, Message: msg}
}

// wrap turns an error from a function or a budget into an *EvalError
// positioned at this part; an *EvalError passes through.
func (r *rtErr) wrap(err error) error {
	var ee *EvalError
	if errors.As(err, &ee) {
		return ee
	}
	var be *BudgetError
	if errors.As(err, &be) {
		return &EvalError{Code: "R612", Start: r.fstart, End: r.fend, Message: be.Message}
	}
	var fe *FailError
	if errors.As(err, &fe) {
		return &EvalError{Code: "R621", Start: r.fstart, End: r.fend, Message: fe.Message}
	}
	return &EvalError{Code: "R602", Start: r.fstart, End: r.fend, Message: err.Error()}
}
