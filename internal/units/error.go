package units

// Error is a syntax or range error of a duration, size or rate. Message is
// the one-line text; Hint, when not empty, says what to write instead.
type Error struct {
	Message string
	Hint    string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Hints returns the hint as a list (empty without one), the shape diagnostics
// use.
func (e *Error) Hints() []string {
	if e.Hint == "" {
		return nil
	}
	return []string{e.Hint}
}

func errorf(hint, msg string) *Error { return &Error{Message: msg, Hint: hint} }
