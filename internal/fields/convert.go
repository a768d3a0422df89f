package fields

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// Convert converts trimmed text to a value of a scalar kind; the
// second result is the problem, "" when the text is valid.
func Convert(fs *Field, text string) (any, string) {
	if fs.Kind != Enum {
		// Special words a field of another kind accepts (jitter="none").
		for _, w := range fs.Enum {
			if w == text {
				return text, ""
			}
		}
	}
	switch fs.Kind {
	case Int:
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, fmt.Sprintf("%q: expected a whole number, got %q", fs.Name, text)
		}
		if i < fs.Min || (fs.Max != 0 && i > fs.Max) {
			if fs.Max != 0 {
				return nil, fmt.Sprintf("%q: %d is out of range %d–%d", fs.Name, i, fs.Min, fs.Max)
			}
			return nil, fmt.Sprintf("%q: %d is below the minimum %d", fs.Name, i, fs.Min)
		}
		return float64(i), ""
	case Num:
		v, err := value.ParseJSON([]byte(text))
		f, ok := v.(float64)
		if err != nil || !ok {
			return nil, fmt.Sprintf("%q: expected a number, got %q", fs.Name, text)
		}
		return f, ""
	case Bool:
		switch text {
		case "true":
			return true, ""
		case "false":
			return false, ""
		}
		return nil, fmt.Sprintf("%q: expected true or false, got %q", fs.Name, text)
	case Enum:
		for _, e := range fs.Enum {
			if e == text {
				return text, ""
			}
		}
		return nil, fmt.Sprintf("%q: %q is not one of %s", fs.Name, text, strings.Join(fs.Enum, ", "))
	case Dur:
		ms, err := units.ParseDuration(text)
		if err != nil {
			return nil, fmt.Sprintf("%q: %v", fs.Name, err)
		}
		if fs.Min > 0 && ms == 0 {
			return nil, fmt.Sprintf("%q: the duration must be greater than zero", fs.Name)
		}
		return float64(ms), ""
	case Size:
		b, err := units.ParseSize(text)
		if err != nil {
			return nil, fmt.Sprintf("%q: %v", fs.Name, err)
		}
		return float64(b), ""
	case Rate:
		r, err := units.ParseRate(text)
		if err != nil {
			return nil, fmt.Sprintf("%q: %v", fs.Name, err)
		}
		return r, ""
	case Name:
		if !nameRe.MatchString(text) {
			return nil, fmt.Sprintf("%q: invalid name %q", fs.Name, text)
		}
		return text, ""
	case ID:
		if text == "" {
			return nil, fmt.Sprintf("%q: expected a node id", fs.Name)
		}
		return text, ""
	case Path:
		if text == "" {
			return nil, fmt.Sprintf("%q: the path is empty", fs.Name)
		}
		return text, ""
	}
	return text, ""
}

var nameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// waitRe is the n(K) form of a <parallel> wait.
var waitRe = regexp.MustCompile(`^n\(([0-9]{1,9})\)$`)

// ParseWait reads the syntax of a trimmed <parallel> "wait" value
// (nodes.md §4.8): mode "all", "any" or "n" with its K; ok is false for
// any other text. K is not range-checked (see CheckWait).
func ParseWait(text string) (mode string, k int, ok bool) {
	switch text {
	case "all", "any":
		return text, 0, true
	}
	m := waitRe.FindStringSubmatch(text)
	if m == nil {
		return "", 0, false
	}
	k, err := strconv.Atoi(m[1])
	if err != nil {
		return "", 0, false
	}
	return "n", k, true
}

// CheckWait checks a trimmed <parallel> "wait" value: all, any or n(K)
// with 1 ≤ K ≤ branches. It returns how many branches must succeed
// (branches for all, 1 for any, K for n(K)) and the problem, "" when the
// value is valid. With branches < 1 (not known) K's upper bound is not
// checked.
func CheckWait(text string, branches int) (int, string) {
	mode, k, ok := ParseWait(text)
	switch {
	case !ok:
		return 0, fmt.Sprintf("%q: %q is not all, any or n(K)", "wait", text)
	case mode == "all":
		return branches, ""
	case mode == "any":
		return 1, ""
	case branches >= 1 && (k < 1 || k > branches):
		return 0, fmt.Sprintf("%q: K in %q must be from 1 to %d, the number of branches", "wait", text, branches)
	case k < 1:
		return 0, fmt.Sprintf("%q: K in %q must be at least 1", "wait", text)
	}
	return k, ""
}
