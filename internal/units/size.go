package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// sizeUnits are the size units and their byte counts.
var sizeUnits = map[string]float64{
	"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9,
	"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
}

const sizeHint = "write a size such as 512, 1.5 KB or 10MiB (units B, KB, MB, GB, KiB, MiB, GiB)"

// ParseSize reads a size (spec/expressions.md §10.2) and returns it in bytes,
// rounded to a whole byte. Surrounding blanks are ignored.
//
//	size   = digits | number [ " " ] unit
//	number = digits [ "." digits ] | "." digits
//	unit   = "B" | "KB" | "MB" | "GB" | "KiB" | "MiB" | "GiB"
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errorf(sizeHint, "empty size")
	}
	if s[0] == '-' {
		return 0, errorf("sizes cannot be negative", fmt.Sprintf("negative size %q", s))
	}
	num, n := scanNumber(s)
	if n == 0 {
		return 0, errorf(sizeHint, fmt.Sprintf("invalid size %q", s))
	}
	unit := s[n:]
	if unit != "" && unit[0] == ' ' {
		unit = unit[1:]
		if unit == "" {
			return 0, errorf(sizeHint, fmt.Sprintf("invalid size %q", s))
		}
	}
	f, _ := strconv.ParseFloat(num, 64)
	if unit == "" {
		if strings.Contains(num, ".") {
			return 0, errorf(fmt.Sprintf("write %sB or add a unit such as KB", num), fmt.Sprintf("size %q is not a whole number of bytes", s))
		}
	} else {
		k, ok := sizeUnits[unit]
		if !ok {
			hint := sizeHint
			for name := range sizeUnits {
				if strings.EqualFold(name, unit) {
					hint = fmt.Sprintf("did you mean %q?", name)
				}
			}
			return 0, errorf(hint, fmt.Sprintf("invalid size %q: unknown unit %q", s, unit))
		}
		f *= k
	}
	f = math.Round(f)
	if f >= math.MaxInt64 {
		return 0, errorf("", fmt.Sprintf("size %q is too large", s))
	}
	return int64(f), nil
}

// Rate is a rate limit: at most N events per Per milliseconds.
type Rate struct {
	N   int
	Per int64 // milliseconds, > 0
}

// String returns the rate in the form ParseRate reads: "10/1m".
func (r Rate) String() string { return strconv.Itoa(r.N) + "/" + FormatDuration(r.Per) }

// Interval returns the time between two events at an even pace: Per / N.
func (r Rate) Interval() time.Duration {
	if r.N <= 0 {
		return 0
	}
	return time.Duration(r.Per) * time.Millisecond / time.Duration(r.N)
}

// ParseRate reads a rate (spec/expressions.md §10.3): an integer count of at
// least 1, a slash and a human duration greater than zero. Surrounding blanks
// are ignored.
//
//	rate = digits "/" human
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	const hint = "write a count and a duration, such as 10/1m, 5/1s or 1/500ms"
	count, per, ok := strings.Cut(s, "/")
	if !ok {
		return Rate{}, errorf(hint, fmt.Sprintf("invalid rate %q", s))
	}
	n, err := strconv.Atoi(count)
	if err != nil || count == "" || !isDigit(count[0]) {
		return Rate{}, errorf(hint, fmt.Sprintf("invalid rate %q: expected a whole count before \"/\"", s))
	}
	if n < 1 {
		return Rate{}, errorf(hint, fmt.Sprintf("invalid rate %q: count must be at least 1", s))
	}
	if per == "" || per[0] == 'P' || per[0] == 'p' || per[0] == '-' || per[0] == ' ' {
		return Rate{}, errorf(hint, fmt.Sprintf("invalid rate %q: expected a duration such as 1m after \"/\"", s))
	}
	if isLetter(per[0]) {
		return Rate{}, errorf(fmt.Sprintf("write %s/1%s", count, per), fmt.Sprintf("invalid rate %q: the duration needs a number", s))
	}
	ms, err := ParseDuration(per)
	if err != nil {
		e := err.(*Error)
		return Rate{}, &Error{Message: fmt.Sprintf("invalid rate %q: %s", s, e.Message), Hint: e.Hint}
	}
	if ms == 0 {
		return Rate{}, errorf(hint, fmt.Sprintf("invalid rate %q: the duration must be greater than zero", s))
	}
	return Rate{N: n, Per: ms}, nil
}

// FormatElapsed writes an elapsed time for the progress display
// (spec/cli.md §12.2): below 1 s "12ms"; below 1 min seconds with two
// decimals, "1.23s"; below 1 h "1m05s"; else "1h02m". Parts are truncated,
// not rounded, so a value never shows the next unit's limit ("60.00s").
func FormatElapsed(d time.Duration) string {
	ms := d.Milliseconds()
	switch {
	case ms < 0:
		return "0ms"
	case ms < msSecond:
		return strconv.FormatInt(ms, 10) + "ms"
	case ms < msMinute:
		return fmt.Sprintf("%d.%02ds", ms/msSecond, ms%msSecond/10)
	case ms < msHour:
		return fmt.Sprintf("%dm%02ds", ms/msMinute, ms%msMinute/msSecond)
	default:
		return fmt.Sprintf("%dh%02dm", ms/msHour, ms%msHour/msMinute)
	}
}
