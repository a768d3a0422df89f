package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Milliseconds per unit.
const (
	msSecond = 1000
	msMinute = 60 * msSecond
	msHour   = 60 * msMinute
	msDay    = 24 * msHour
	msWeek   = 7 * msDay
)

// MaxDuration is the longest duration in milliseconds: the longest a
// time.Duration can hold (about 292 years).
const MaxDuration = math.MaxInt64 / 1_000_000

// humanUnits are the units of the human form in the order they must appear.
var humanUnits = [...]struct {
	name string
	ms   float64
}{{"w", msWeek}, {"d", msDay}, {"h", msHour}, {"m", msMinute}, {"s", msSecond}, {"ms", 1}}

// durationHint is the hint of a duration that cannot be read at all.
const durationHint = "write a duration such as 1h30m, 500ms or PT30S"

// ParseDuration reads a duration (spec/expressions.md §10.1) and returns it
// in whole milliseconds (fractions are rounded). Surrounding blanks are
// ignored. Calendar units (P1Y, P2M), text without a unit ("300") and
// negative durations are errors.
//
//	duration = human | iso
//	human    = part { part }   (units in decreasing order, each at most once)
//	part     = number unit
//	number   = digits [ "." digits ] | "." digits
//	unit     = "w" | "d" | "h" | "m" | "s" | "ms"
//	iso      = ( "P" | "p" ) [ int "Y" ] [ int "M" ] [ int "W" ] [ int "D" ]
//	           [ "T" [ int "H" ] [ int "M" ] [ number "S" ] ]   (letters in any case)
func ParseDuration(s string) (int64, error) {
	c, err := parseDuration(s, false)
	if err != nil {
		return 0, err
	}
	return c.Ms, nil
}

// Calendar is a duration that may hold calendar units: Years and Months,
// whose length depends on the date they are added to, then Ms fixed
// milliseconds.
type Calendar struct {
	Years, Months int
	Ms            int64
}

// ParseCalendar reads a duration for date arithmetic (add_time,
// subtract_time): the human or ISO 8601 form of ParseDuration, where the ISO
// form may also have whole years and months (P1Y2M, P1M15D).
func ParseCalendar(s string) (Calendar, error) {
	return parseDuration(s, true)
}

// parseDuration is ParseDuration and ParseCalendar.
func parseDuration(s string, calendar bool) (Calendar, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Calendar{}, errorf(durationHint, "empty duration")
	case s[0] == '-':
		return Calendar{}, errorf("durations cannot be negative", fmt.Sprintf("negative duration %q", s))
	}
	if h := MissingUnitHint(s); h != "" {
		return Calendar{}, errorf(h, fmt.Sprintf("missing unit in duration %q", s))
	}
	var (
		c   Calendar
		ms  float64
		err *Error
	)
	if s[0] == 'P' || s[0] == 'p' {
		c.Years, c.Months, ms, err = parseISO(s)
		if err == nil && !calendar && (c.Years != 0 || c.Months != 0) {
			err = errorf("write weeks or days instead, such as P30D", "calendar units have no fixed length")
		}
	} else {
		ms, err = parseHuman(s)
	}
	if err != nil {
		return Calendar{}, err
	}
	ms = math.Round(ms)
	if ms > MaxDuration {
		return Calendar{}, errorf("", fmt.Sprintf("duration %q is too long (more than 292 years)", s))
	}
	c.Ms = int64(ms)
	return c, nil
}

// parseHuman reads the human form; s is not empty.
func parseHuman(s string) (float64, *Error) {
	total, last := 0.0, -1
	for i := 0; i < len(s); {
		num, n := scanNumber(s[i:])
		if n == 0 {
			msg := fmt.Sprintf("invalid duration %q", s)
			if i > 0 {
				r, _ := utf8.DecodeRuneInString(s[i:])
				msg += fmt.Sprintf(": unexpected %q", string(r))
			}
			return 0, errorf(durationHint, msg)
		}
		i += n
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		unit := s[i:j]
		if unit == "" {
			if j < len(s) {
				return 0, errorf(durationHint, fmt.Sprintf("invalid duration %q: unexpected %q", s, s[j:j+1]))
			}
			return 0, errorf("units are w, d, h, m, s and ms", fmt.Sprintf("invalid duration %q: missing unit after %q", s, num))
		}
		idx := -1
		for k, u := range humanUnits {
			if u.name == unit {
				idx = k
			}
		}
		switch {
		case idx < 0:
			return 0, errorf("units are w, d, h, m, s and ms", fmt.Sprintf("invalid duration %q: unknown unit %q", s, unit))
		case idx == last:
			return 0, errorf("", fmt.Sprintf("invalid duration %q: unit %q appears twice", s, unit))
		case idx < last:
			return 0, errorf("write units from largest to smallest, such as 1h30m", fmt.Sprintf("invalid duration %q: units out of order", s))
		}
		last = idx
		f, _ := strconv.ParseFloat(num, 64) // scanNumber accepted it
		total += f * humanUnits[idx].ms
		i = j
	}
	return total, nil
}

// MissingUnitHint returns the hint for a duration written as a number
// without a unit ("300", "1.5", "5.", "1e3", "+2"): "write 300ms or 300s",
// with the number in a form the human form accepts ("5." becomes "5", "1e3"
// "1000"). It returns "" for any other text, including negative numbers
// (durations cannot be negative) and numbers too large for a hint.
func MissingUnitHint(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	num := s
	if _, n := scanNumber(s); n != len(s) {
		if strings.Trim(s, "0123456789.eE+-") != "" || s[0] == '-' {
			return ""
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f >= 1e15 {
			return ""
		}
		num = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprintf("write %sms or %ss", num, num)
}

// scanNumber returns the number at the start of s (digits [ "." digits ] or
// "." digits) and its length, 0 when there is none.
func scanNumber(s string) (string, int) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 {
			return "", 0
		}
		i = j
	}
	return s[:i], i
}

// isoDesignators are the ISO 8601 designators in order: date part, then time
// part (after "T").
const isoDesignators = "YMWDHMS"

// parseISO reads the ISO 8601 form; s starts with "P" or "p".
func parseISO(s string) (years, months int, ms float64, err *Error) {
	bad := func(detail string) (int, int, float64, *Error) {
		msg := fmt.Sprintf("invalid duration %q", s)
		if detail != "" {
			msg += ": " + detail
		}
		return 0, 0, 0, errorf("write an ISO 8601 duration such as P1DT2H or PT30S", msg)
	}
	last, parts, timePart, timeParts := -1, 0, false, 0
	for i := 1; i < len(s); {
		if s[i] == 'T' || s[i] == 't' {
			if timePart {
				return bad(`"T" appears twice`)
			}
			timePart, last = true, 3
			i++
			continue
		}
		num, n := scanNumber(s[i:])
		if n == 0 {
			return bad("")
		}
		i += n
		if i == len(s) {
			return bad(fmt.Sprintf("missing designator after %q", num))
		}
		d := s[i] &^ 0x20 // upper case
		i++
		idx := strings.IndexByte(isoDesignators[last+1:], d)
		if timePart && idx < 0 || !timePart && (idx < 0 || last+1+idx > 3) {
			return bad(fmt.Sprintf("unexpected %q", s[i-1:i]))
		}
		idx += last + 1
		last = idx
		parts++
		if timePart {
			timeParts++
		}
		if strings.Contains(num, ".") && idx != 6 {
			return bad("only seconds may have a fraction")
		}
		f, _ := strconv.ParseFloat(num, 64)
		switch idx {
		case 0, 1:
			if f > 1_000_000 {
				return 0, 0, 0, errorf("", fmt.Sprintf("duration %q is too long", s))
			}
			if idx == 0 {
				years = int(f)
			} else {
				months = int(f)
			}
		case 2:
			ms += f * msWeek
		case 3:
			ms += f * msDay
		case 4:
			ms += f * msHour
		case 5:
			ms += f * msMinute
		case 6:
			ms += f * msSecond
		}
	}
	if parts == 0 || timePart && timeParts == 0 {
		return bad("no value")
	}
	return years, months, ms, nil
}

// FormatDuration writes ms in the human form with zero parts omitted, from
// days down to milliseconds: 5400000 is "1h30m", 0 is "0s", 1500 is
// "1s500ms". A negative ms gets a leading "-".
func FormatDuration(ms int64) string {
	if ms == 0 {
		return "0s"
	}
	var b []byte
	u := uint64(ms)
	if ms < 0 {
		b = append(b, '-')
		u = -u
	}
	for _, p := range [...]struct {
		name string
		ms   uint64
	}{{"d", msDay}, {"h", msHour}, {"m", msMinute}, {"s", msSecond}, {"ms", 1}} {
		if n := u / p.ms; n > 0 {
			b = strconv.AppendUint(b, n, 10)
			b = append(b, p.name...)
			u -= n * p.ms
		}
	}
	return string(b)
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
