package builtin

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // to_zone and zone tokens work on hosts without a zone database

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/units"
)

// dateFuncs is spec/expressions.md §12.4. Each function is a thin wrapper
// that checks argument types and calls a plain function of the clock (now)
// and the run zone (loc).
func dateFuncs() []*expr.Func {
	return []*expr.Func{
		newFunc("now", 0, 0, func(c *expr.Ctx, args []any) (any, error) {
			return newString(c, dateISO(c.Now().In(c.Location())))
		}),
		newFunc("date", 0, 1, dateFnNowFormat("date", "yyyy-MM-dd")),
		newFunc("time", 0, 1, dateFnNowFormat("time", "HH:mm:ss")),
		newFunc("parse_date", 1, 2, dateFnParse),
		newFunc("format_date", 2, 2, dateFnFormat),
		newFunc("add_time", 2, 2, dateFnAdd("add_time", 1)),
		newFunc("subtract_time", 2, 2, dateFnAdd("subtract_time", -1)),
		newFunc("diff", 2, 3, dateFnDiff),
		newFunc("timestamp", 0, 1, dateFnTimestamp),
		newFunc("from_timestamp", 1, 1, dateFnFromTimestamp),
		newFunc("start_of", 2, 2, dateFnBoundary("start_of", false)),
		newFunc("end_of", 2, 2, dateFnBoundary("end_of", true)),
		newFunc("get_part", 2, 2, dateFnGetPart),
		newFunc("is_before", 2, 2, dateFnCompare("is_before", -1)),
		newFunc("is_after", 2, 2, dateFnCompare("is_after", 1)),
		newFunc("relative", 1, 1, dateFnRelative),
		newFunc("duration", 1, 1, func(c *expr.Ctx, args []any) (any, error) {
			return dateDuration(args[0]), nil
		}),
		newFunc("format_duration", 1, 1, dateFnFormatDuration),
		newFunc("to_zone", 2, 2, dateFnToZone),
	}
}

// dateResult turns the (text, readable) result of a plain date function into
// a value: the string, or null when an input date was unreadable.
func dateResult(c *expr.Ctx, s string, ok bool) (any, error) {
	if !ok {
		return nil, nil
	}
	return newString(c, s)
}

// dateStrArg returns argument i (or def when absent), which must be a string.
func dateStrArg(name string, args []any, i int, def string) (string, error) {
	if i >= len(args) {
		return def, nil
	}
	s, ok := args[i].(string)
	if !ok {
		return "", typeErr(name, "string", args[i])
	}
	return s, nil
}

func dateFnNowFormat(name, def string) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		f, err := dateStrArg(name, args, 0, def)
		if err != nil {
			return nil, err
		}
		s, err := dateFormatNow(name, f, c.Now(), c.Location())
		if err != nil {
			return nil, err
		}
		return newString(c, s)
	}
}

func dateFnParse(c *expr.Ctx, args []any) (any, error) {
	f := ""
	if len(args) > 1 && args[1] != nil {
		var err error
		if f, err = dateStrArg("parse_date", args, 1, ""); err != nil {
			return nil, err
		}
	}
	s, _ := args[0].(string)
	out, ok, err := dateParseFormat(s, f, c.Now(), c.Location())
	if err != nil {
		return nil, err
	}
	return dateResult(c, out, ok)
}

func dateFnFormat(c *expr.Ctx, args []any) (any, error) {
	f, err := dateStrArg("format_date", args, 1, "")
	if err != nil {
		return nil, err
	}
	d, _ := args[0].(string)
	out, ok, err := dateFormatDate(d, f, c.Now(), c.Location())
	if err != nil {
		return nil, err
	}
	return dateResult(c, out, ok)
}

func dateFnAdd(name string, sign int) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		dur, err := dateDurationArg(name, args[1])
		if err != nil {
			return nil, err
		}
		d, _ := args[0].(string)
		out, ok := dateAdd(d, dur, sign, c.Location())
		return dateResult(c, out, ok)
	}
}

// dateDurationArg reads the duration of add_time and subtract_time: a number
// of milliseconds, a digit string (milliseconds), or ISO 8601 or human text.
func dateDurationArg(name string, v any) (units.Calendar, error) {
	bad := fmt.Errorf("%s: expected a duration such as P1M, 1h30m or a number of milliseconds", name)
	switch x := v.(type) {
	case float64:
		if math.Abs(x) > units.MaxDuration {
			return units.Calendar{}, bad
		}
		return units.Calendar{Ms: int64(math.Round(x))}, nil
	case string:
		if t := strings.TrimSpace(x); t != "" && strings.Trim(t, "0123456789") == "" {
			ms, err := strconv.ParseInt(t, 10, 64)
			if err != nil || ms > units.MaxDuration {
				return units.Calendar{}, bad
			}
			return units.Calendar{Ms: ms}, nil
		}
		cal, err := units.ParseCalendar(x)
		if err != nil {
			return units.Calendar{}, bad
		}
		return cal, nil
	}
	return units.Calendar{}, typeErr(name, "string or number", v)
}

func dateFnDiff(c *expr.Ctx, args []any) (any, error) {
	unit, err := dateStrArg("diff", args, 2, "days")
	if err != nil {
		return nil, err
	}
	a, _ := args[0].(string)
	b, _ := args[1].(string)
	n, ok, err := dateDiff(a, b, unit, c.Location())
	if err != nil || !ok {
		return nil, err
	}
	return n, nil
}

func dateFnTimestamp(c *expr.Ctx, args []any) (any, error) {
	if len(args) == 0 {
		return float64(c.Now().UnixMilli()), nil
	}
	d, _ := args[0].(string)
	t, ok := dateParseISO(d, c.Location())
	if !ok {
		return nil, nil
	}
	return float64(t.UnixMilli()), nil
}

func dateFnFromTimestamp(c *expr.Ctx, args []any) (any, error) {
	switch x := args[0].(type) {
	case nil:
		return nil, nil
	case float64:
		out, ok := dateFromTimestamp(x, c.Location())
		return dateResult(c, out, ok)
	}
	return nil, typeErr("from_timestamp", "number", args[0])
}

func dateFnBoundary(name string, end bool) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		unit, err := dateStrArg(name, args, 1, "")
		if err != nil {
			return nil, err
		}
		d, _ := args[0].(string)
		out, ok, err := dateBoundary(name, d, unit, end, c.Location())
		if err != nil {
			return nil, err
		}
		return dateResult(c, out, ok)
	}
}

func dateFnGetPart(c *expr.Ctx, args []any) (any, error) {
	part, err := dateStrArg("get_part", args, 1, "")
	if err != nil {
		return nil, err
	}
	d, _ := args[0].(string)
	n, ok, err := dateGetPart(d, part, c.Location())
	if err != nil || !ok {
		return nil, err
	}
	return float64(n), nil
}

func dateFnCompare(name string, want int) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		a, _ := args[0].(string)
		b, _ := args[1].(string)
		cmp, ok := dateCompare(a, b, c.Location())
		if !ok {
			return nil, nil
		}
		return cmp == want, nil
	}
}

func dateFnRelative(c *expr.Ctx, args []any) (any, error) {
	d, _ := args[0].(string)
	out, ok := dateRelative(d, c.Now(), c.Location())
	return dateResult(c, out, ok)
}

func dateFnFormatDuration(c *expr.Ctx, args []any) (any, error) {
	switch x := args[0].(type) {
	case nil:
		return nil, nil
	case float64:
		if math.Abs(x) >= math.MaxInt64 {
			return nil, argErr("format_duration", "duration out of range")
		}
		return newString(c, units.FormatDuration(int64(math.Round(x))))
	}
	return nil, typeErr("format_duration", "number", args[0])
}

func dateFnToZone(c *expr.Ctx, args []any) (any, error) {
	zone, err := dateStrArg("to_zone", args, 1, "")
	if err != nil {
		return nil, err
	}
	d, _ := args[0].(string)
	out, ok, err := dateToZone(d, zone, c.Location())
	if err != nil {
		return nil, err
	}
	return dateResult(c, out, ok)
}

// The plain date functions. Each takes the run zone loc (and the clock now
// where it needs one); an unreadable input date gives ok == false.

// dateFormatNow formats now in loc with format f.
func dateFormatNow(name, f string, now time.Time, loc *time.Location) (string, error) {
	l, err := dateCompile(name, f)
	if err != nil {
		return "", err
	}
	return l.format(now.In(loc)), nil
}

// dateParseFormat is parse_date: s read with format f ("" for ISO input),
// written in ISO form in loc.
func dateParseFormat(s, f string, now time.Time, loc *time.Location) (string, bool, error) {
	if f == "" {
		t, ok := dateParseISO(s, loc)
		return dateISOIn(t, loc), ok, nil
	}
	l, err := dateCompile("parse_date", f)
	if err != nil {
		return "", false, err
	}
	t, ok := l.parse(s, now, loc)
	return dateISOIn(t, loc), ok, nil
}

// dateFormatDate is format_date: the date d written with format f in loc.
func dateFormatDate(d, f string, now time.Time, loc *time.Location) (string, bool, error) {
	l, err := dateCompile("format_date", f)
	if err != nil {
		return "", false, err
	}
	t, ok := dateParseISO(d, loc)
	if !ok {
		return "", false, nil
	}
	return l.format(t.In(loc)), true, nil
}

// dateAdd is add_time (sign 1) and subtract_time (sign -1): years and months
// move the calendar date in loc, clamping the day to the end of the month
// (January 31 + 1 month is February 28 or 29); then the fixed milliseconds
// are added.
func dateAdd(d string, dur units.Calendar, sign int, loc *time.Location) (string, bool) {
	t, ok := dateParseISO(d, loc)
	if !ok {
		return "", false
	}
	t = dateAddMonths(t.In(loc), sign*(dur.Years*12+dur.Months))
	t = t.Add(time.Duration(sign) * time.Duration(dur.Ms) * time.Millisecond)
	return dateISOIn(t, loc), true
}

// dateAddMonths adds n calendar months to t in its zone, keeping the time of
// day and clamping the day to the length of the target month.
func dateAddMonths(t time.Time, n int) time.Time {
	if n == 0 {
		return t
	}
	y, m, d := t.Date()
	total := int(m) - 1 + n
	y += total / 12
	if total %= 12; total < 0 {
		total += 12
		y--
	}
	nm := time.Month(total + 1)
	d = min(d, dateDaysIn(y, nm))
	return time.Date(y, nm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// dateDiffUnits are the fixed-length units of diff, in milliseconds.
var dateDiffUnits = map[string]int64{
	"milliseconds": 1, "seconds": 1000, "minutes": 60_000, "hours": 3_600_000,
	"days": 86_400_000, "weeks": 604_800_000,
}

var dateDiffNames = []string{"milliseconds", "seconds", "minutes", "hours", "days", "weeks", "months", "years"}

// dateDiff is diff: a − b in whole units, truncated toward zero. Months and
// years are calendar units counted in loc. Singular unit names are accepted.
func dateDiff(a, b, unit string, loc *time.Location) (float64, bool, error) {
	u := unit
	if !strings.HasSuffix(u, "s") {
		u += "s"
	}
	size, fixed := dateDiffUnits[u]
	if !fixed && u != "months" && u != "years" {
		return 0, false, dateUnitError("diff", unit, dateDiffNames)
	}
	ta, okA := dateParseISO(a, loc)
	tb, okB := dateParseISO(b, loc)
	if !okA || !okB {
		return 0, false, nil
	}
	if fixed {
		return float64((ta.UnixMilli() - tb.UnixMilli()) / size), true, nil
	}
	months := dateMonthsBetween(ta.In(loc), tb.In(loc))
	if u == "years" {
		return float64(months / 12), true, nil
	}
	return float64(months), true, nil
}

// dateMonthsBetween returns the whole calendar months from b to a
// (negative when a is before b), truncated toward zero.
func dateMonthsBetween(a, b time.Time) int {
	n := (a.Year()-b.Year())*12 + int(a.Month()) - int(b.Month())
	switch {
	case n > 0 && dateAddMonths(b, n).After(a):
		n--
	case n < 0 && dateAddMonths(b, n).Before(a):
		n++
	}
	return n
}

// dateUnitError is the error for an unknown unit or part name.
func dateUnitError(name, unit string, names []string) error {
	hint := "expected one of: " + strings.Join(names, ", ")
	if s, ok := source.Suggest(unit, names); ok {
		hint = fmt.Sprintf("did you mean %q?", s)
	}
	return &dateError{msg: fmt.Sprintf("%s: unknown unit %q", name, unit), hint: hint}
}

// dateFromTimestamp is from_timestamp: Unix milliseconds (fraction dropped)
// written in loc. Values beyond ±8.64e15 (the range of ECMAScript dates)
// are unreadable.
func dateFromTimestamp(ms float64, loc *time.Location) (string, bool) {
	if math.Abs(ms) > 8.64e15 {
		return "", false
	}
	return dateISOIn(time.UnixMilli(int64(math.Floor(ms))), loc), true
}

var dateBoundaryNames = []string{"year", "quarter", "month", "week", "day", "hour", "minute", "second"}

// dateBoundary is start_of (end false) and end_of (end true) in loc: the
// first or last millisecond of the unit containing d. Weeks are ISO weeks,
// starting on Monday.
func dateBoundary(name, d, unit string, end bool, loc *time.Location) (string, bool, error) {
	if !dateHas(dateBoundaryNames, unit) {
		return "", false, dateUnitError(name, unit, dateBoundaryNames)
	}
	t, ok := dateParseISO(d, loc)
	if !ok {
		return "", false, nil
	}
	t = t.In(loc)
	y, m, day := t.Date()
	var start, next time.Time
	switch unit {
	case "year":
		start = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		next = time.Date(y+1, 1, 1, 0, 0, 0, 0, loc)
	case "quarter":
		q := (m-1)/3*3 + 1
		start = time.Date(y, q, 1, 0, 0, 0, 0, loc)
		next = time.Date(y, q+3, 1, 0, 0, 0, 0, loc)
	case "month":
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		next = time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
	case "week":
		monday := day - dateWeekday(t) + 1
		start = time.Date(y, m, monday, 0, 0, 0, 0, loc)
		next = time.Date(y, m, monday+7, 0, 0, 0, 0, loc)
	case "day":
		start = time.Date(y, m, day, 0, 0, 0, 0, loc)
		next = time.Date(y, m, day+1, 0, 0, 0, 0, loc)
	case "hour":
		// Wall-clock arithmetic would be ambiguous in a repeated hour.
		start = t.Add(-time.Duration(t.Minute())*time.Minute - time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond()))
		next = start.Add(time.Hour)
	case "minute":
		start = t.Add(-time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond()))
		next = start.Add(time.Minute)
	case "second":
		start = t.Add(-time.Duration(t.Nanosecond()))
		next = start.Add(time.Second)
	}
	if end {
		return dateISOIn(next.Add(-time.Millisecond), loc), true, nil
	}
	return dateISOIn(start, loc), true, nil
}

var dateParts = []string{"year", "quarter", "month", "week", "weekday", "day", "day_of_year", "hour", "minute", "second", "millisecond"}

// dateGetPart is get_part: one part of d in loc. week is the ISO week,
// weekday 1 = Monday ... 7 = Sunday.
func dateGetPart(d, part string, loc *time.Location) (int, bool, error) {
	if !dateHas(dateParts, part) {
		return 0, false, dateUnitError("get_part", part, dateParts)
	}
	t, ok := dateParseISO(d, loc)
	if !ok {
		return 0, false, nil
	}
	t = t.In(loc)
	switch part {
	case "year":
		return t.Year(), true, nil
	case "quarter":
		return (int(t.Month())-1)/3 + 1, true, nil
	case "month":
		return int(t.Month()), true, nil
	case "week":
		_, w := t.ISOWeek()
		return w, true, nil
	case "weekday":
		return dateWeekday(t), true, nil
	case "day":
		return t.Day(), true, nil
	case "day_of_year":
		return t.YearDay(), true, nil
	case "hour":
		return t.Hour(), true, nil
	case "minute":
		return t.Minute(), true, nil
	case "second":
		return t.Second(), true, nil
	default: // millisecond
		return t.Nanosecond() / 1e6, true, nil
	}
}

func dateHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// dateCompare compares the instants a and b (-1, 0, 1).
func dateCompare(a, b string, loc *time.Location) (int, bool) {
	ta, okA := dateParseISO(a, loc)
	tb, okB := dateParseISO(b, loc)
	if !okA || !okB {
		return 0, false
	}
	return ta.Compare(tb), true
}

// dateRelative is relative: d against now in the largest whole unit of
// years (365 days), months (30 days), days, hours, minutes and seconds.
func dateRelative(d string, now time.Time, loc *time.Location) (string, bool) {
	t, ok := dateParseISO(d, loc)
	if !ok {
		return "", false
	}
	delta := t.UnixMilli() - now.UnixMilli()
	abs := delta
	if abs < 0 {
		abs = -abs
	}
	if abs < 1000 {
		return "now", true
	}
	for _, u := range [...]struct {
		name string
		ms   int64
	}{{"year", 365 * 86_400_000}, {"month", 30 * 86_400_000}, {"day", 86_400_000}, {"hour", 3_600_000}, {"minute", 60_000}, {"second", 1000}} {
		n := abs / u.ms
		if n == 0 {
			continue
		}
		text := strconv.FormatInt(n, 10) + " " + u.name
		if n != 1 {
			text += "s"
		}
		if delta < 0 {
			return text + " ago", true
		}
		return "in " + text, true
	}
	return "now", true // unreachable: abs >= 1000
}

// dateDuration is duration: milliseconds from a duration string, a digit
// string or a number; null when v is none of these or negative.
func dateDuration(v any) any {
	switch x := v.(type) {
	case float64:
		if x < 0 {
			return nil
		}
		return x
	case string:
		t := strings.TrimSpace(x)
		if t != "" && strings.Trim(t, "0123456789") == "" {
			f, err := strconv.ParseFloat(t, 64)
			if err != nil {
				return nil
			}
			return f
		}
		ms, err := units.ParseDuration(t)
		if err != nil {
			return nil
		}
		return float64(ms)
	}
	return nil
}

// dateToZone is to_zone: d written in the zone named zone (an IANA name,
// "UTC" or a fixed offset such as "+05:30").
func dateToZone(d, zone string, loc *time.Location) (string, bool, error) {
	z, ok := dateLoadZone(zone)
	if !ok {
		return "", false, &dateError{
			msg:  fmt.Sprintf("to_zone: unknown time zone %q", zone),
			hint: `write an IANA zone name such as "Europe/Paris", "UTC" or an offset such as "+05:30"`,
		}
	}
	t, ok := dateParseISO(d, loc)
	if !ok {
		return "", false, nil
	}
	return dateISOIn(t, z), true, nil
}

// dateZones caches loaded zones by name.
var dateZones sync.Map

// dateLoadZone returns the zone named name: an IANA name, "UTC", "Z" or a
// fixed offset ("+05:30", "-0800"). "Local" and "" are refused: the
// machine's zone is not part of an evaluation.
func dateLoadZone(name string) (*time.Location, bool) {
	switch {
	case name == "" || name == "Local":
		return nil, false
	case name == "Z" || strings.EqualFold(name, "UTC"):
		return time.UTC, true
	case name[0] == '+' || name[0] == '-':
		i := 0
		loc, ok := dateParseOffset(name, &i, 1)
		if !ok || i != len(name) {
			if i = 0; len(name) == 5 {
				loc, ok = dateParseOffset(name, &i, 3)
			}
		}
		return loc, ok && i == len(name)
	}
	if v, ok := dateZones.Load(name); ok {
		return v.(*time.Location), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	dateZones.Store(name, loc)
	return loc, true
}

// dateParseISO reads an input date; text without an offset is read in loc.
// It reports false for anything else, including impossible dates.
//
//	input  = date [ ( "T" | "t" | " " ) time [ offset ] ]
//	date   = yyyy "-" MM "-" dd
//	time   = HH ":" mm [ ":" ss [ ( "." | "," ) digits ] ]
//	offset = "Z" | "z" | ( "+" | "-" ) HH [ [ ":" ] mm ]
func dateParseISO(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	i := 0
	num := func(n int) int {
		if len(s)-i < n {
			return -1
		}
		v := 0
		for k := 0; k < n; k++ {
			c := s[i+k]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		i += n
		return v
	}
	sep := func(c byte) bool {
		if i < len(s) && s[i] == c {
			i++
			return true
		}
		return false
	}
	y := num(4)
	if y < 0 || !sep('-') {
		return time.Time{}, false
	}
	m := num(2)
	if m < 1 || m > 12 || !sep('-') {
		return time.Time{}, false
	}
	d := num(2)
	if d < 1 || d > dateDaysIn(y, time.Month(m)) {
		return time.Time{}, false
	}
	if i == len(s) {
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc), true
	}
	if !sep('T') && !sep('t') && !sep(' ') {
		return time.Time{}, false
	}
	hh := num(2)
	if hh < 0 || hh > 23 || !sep(':') {
		return time.Time{}, false
	}
	mm := num(2)
	if mm < 0 || mm > 59 {
		return time.Time{}, false
	}
	ss, ns := 0, 0
	if sep(':') {
		if ss = num(2); ss < 0 || ss > 59 {
			return time.Time{}, false
		}
		if sep('.') || sep(',') {
			start := i
			for i < len(s) && '0' <= s[i] && s[i] <= '9' {
				if i-start < 9 {
					ns = ns*10 + int(s[i]-'0')
				}
				i++
			}
			if i == start {
				return time.Time{}, false
			}
			for k := min(i-start, 9); k < 9; k++ {
				ns *= 10
			}
		}
	}
	if i < len(s) {
		// ±HH:mm, ±HHmm, ±HH or Z.
		var z *time.Location
		for _, n := range [...]int{2, 3, 1} {
			j := i
			if l, ok := dateParseOffset(s, &j, n); ok && j == len(s) && (n != 1 || len(s)-i == 3) {
				z = l
				break
			}
		}
		if z == nil {
			return time.Time{}, false
		}
		loc = z
	}
	return time.Date(y, time.Month(m), d, hh, mm, ss, ns, loc), true
}

// dateISOIn writes t in zone loc in the output form.
func dateISOIn(t time.Time, loc *time.Location) string {
	return dateISO(t.In(loc))
}

// dateISO writes t in its own zone: yyyy-MM-ddTHH:mm:ss.SSS, then "Z" in
// UTC or the offset ±HH:mm elsewhere.
func dateISO(t time.Time) string {
	b := t.AppendFormat(make([]byte, 0, 29), "2006-01-02T15:04:05.000")
	if dateIsUTC(t) {
		b = append(b, 'Z')
	} else {
		b = dateAppendOffset(b, t, 2)
	}
	return string(b)
}

// dateIsUTC reports whether t's zone is UTC itself (not merely a zone at
// offset 0, such as Europe/London in winter, which writes +00:00).
func dateIsUTC(t time.Time) bool {
	if _, off := t.Zone(); off != 0 {
		return false
	}
	switch t.Location().String() {
	case "", "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu":
		return true
	}
	return false
}
