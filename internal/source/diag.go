package source

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a diagnostic.
type Severity int

// Severities.
const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one positioned problem. Message is lowercase, without a
// final period. Hints are rendered as "= hint: ..." lines; Notes as "= ..."
// lines (used for cycle edges). Suggestion is the suggested name, if any.
type Diagnostic struct {
	File       *File
	Span       Span
	Severity   Severity
	Code       string
	Message    string
	Hints      []string
	Notes      []string
	Suggestion string
	// Extra lines printed after the snippet (stderr of a failed program,
	// nested diagnostics of a sub-workflow), already formatted.
	Extra []string
}

// Start resolves the start position.
func (d *Diagnostic) Start() Pos {
	if d.File == nil {
		return Pos{}
	}
	return d.File.Position(d.Span.Start)
}

// End resolves the (exclusive) end position.
func (d *Diagnostic) End() Pos {
	if d.File == nil {
		return Pos{}
	}
	return d.File.Position(d.Span.End)
}

// Error returns the one-line form file:line:col: severity[CODE]: message.
func (d *Diagnostic) Error() string {
	if d.File == nil {
		return fmt.Sprintf("%s[%s]: %s", d.Severity, d.Code, d.Message)
	}
	p := d.Start()
	return fmt.Sprintf("%s:%d:%d: %s[%s]: %s", d.File.Name, p.Line, p.Col, d.Severity, d.Code, d.Message)
}

// List collects diagnostics, like go/scanner's ErrorList.
type List []*Diagnostic

// Add appends a diagnostic and returns it so the caller can add hints.
func (l *List) Add(f *File, sp Span, code, format string, args ...any) *Diagnostic {
	d := &Diagnostic{File: f, Span: sp, Code: code, Message: fmt.Sprintf(format, args...)}
	if strings.HasPrefix(code, "W") {
		d.Severity = Warning
	}
	*l = append(*l, d)
	return d
}

// Append adds existing diagnostics.
func (l *List) Append(ds ...*Diagnostic) { *l = append(*l, ds...) }

// Sort orders diagnostics by file, then position, then code.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		an, bn := "", ""
		if a.File != nil {
			an = a.File.Name
		}
		if b.File != nil {
			bn = b.File.Name
		}
		if an != bn {
			return an < bn
		}
		if a.Span.Start != b.Span.Start {
			return a.Span.Start < b.Span.Start
		}
		return a.Code < b.Code
	})
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Counts returns the number of errors and warnings.
func (l List) Counts() (errs, warns int) {
	for _, d := range l {
		if d.Severity == Error {
			errs++
		} else {
			warns++
		}
	}
	return
}

// Err returns the list as an error when it holds an error, else nil.
func (l List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return l
}

// Error is the first diagnostic's one-line form plus a count.
func (l List) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", l[0].Error(), len(l)-1)
}

// Unwrap returns the diagnostics as errors.
func (l List) Unwrap() []error {
	out := make([]error, len(l))
	for i, d := range l {
		out[i] = d
	}
	return out
}
