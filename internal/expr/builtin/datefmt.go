package builtin

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Date format strings (spec/expressions.md §12.4) are compiled into a
// dateLayout: a list of literal texts and field tokens. A layout formats a
// time (dateLayout.format) and reads text back (dateLayout.parse).

// dateToken is one item of a layout: literal text (letter 0) or a field, a
// run of n copies of one ASCII letter ("yyyy" is {'y', 4}).
type dateToken struct {
	letter byte
	n      int
	lit    string
}

// dateLayout is a compiled format string.
type dateLayout []dateToken

// dateTokenLengths lists, per letter, the run lengths that are tokens, as a
// bit set (bit n: a run of n letters).
var dateTokenLengths = [128]uint{
	'y': 1<<2 | 1<<4,
	'M': 1<<1 | 1<<2 | 1<<3 | 1<<4,
	'd': 1<<1 | 1<<2,
	'E': 1<<3 | 1<<4,
	'H': 1<<1 | 1<<2,
	'h': 1<<1 | 1<<2,
	'a': 1 << 1,
	'm': 1<<1 | 1<<2,
	's': 1<<1 | 1<<2,
	'S': 1<<1 | 1<<3,
	'o': 1<<1 | 1<<3,
	'W': 1<<1 | 1<<2,
	'k': 1 << 4,
	'q': 1 << 1,
	'Z': 1<<1 | 1<<2 | 1<<3,
	'z': 1 << 1,
	'X': 1 << 1,
	'x': 1 << 1,
}

// dateError is a bad format string or unit name. It carries a hint that the
// evaluator may show ("= hint: ...").
type dateError struct {
	msg, hint string
}

func (e *dateError) Error() string { return e.msg }

// Hints returns what to write instead.
func (e *dateError) Hints() []string { return []string{e.hint} }

const dateTokenHint = "tokens are yyyy yy M MM MMM MMMM d dd EEE EEEE H HH h hh a m mm s ss S SSS o ooo W WW kkkk q Z ZZ ZZZ z X x; quote other text: 'at'"

// dateCompile compiles a format string; name is the calling function, for
// errors.
//
//	format = { field | quoted | "''" | other }
//	field  = a run of one ASCII letter that is a token (yyyy, MM, ...)
//	quoted = "'" { not-quote | "''" } "'"      (literal text; "''" is a quote)
//	other  = any character that is not an ASCII letter or a quote (literal)
func dateCompile(name, f string) (dateLayout, error) {
	if l, ok := dateLayouts.Load(f); ok {
		return l.(dateLayout), nil
	}
	l, err := dateCompileText(name, f)
	if err == nil && dateLayoutCount.Add(1) <= dateLayoutMax {
		dateLayouts.Store(f, l)
	}
	return l, err
}

// Compiled layouts by format text; format strings are nearly always
// constants, so a bounded cache serves them all.
var (
	dateLayouts     sync.Map
	dateLayoutCount atomic.Int32
)

const dateLayoutMax = 256

// dateCompileText is dateCompile without the cache.
func dateCompileText(name, f string) (dateLayout, error) {
	var l dateLayout
	lit := func(s string) {
		if n := len(l); n > 0 && l[n-1].letter == 0 {
			l[n-1].lit += s
			return
		}
		l = append(l, dateToken{lit: s})
	}
	for i := 0; i < len(f); {
		c := f[i]
		switch {
		case c == '\'':
			if i+1 < len(f) && f[i+1] == '\'' {
				lit("'")
				i += 2
				continue
			}
			var b strings.Builder
			j := i + 1
			for ; j < len(f); j++ {
				if f[j] == '\'' {
					if j+1 < len(f) && f[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(f[j])
			}
			if j == len(f) {
				return nil, &dateError{
					msg:  name + ": unterminated quote in format",
					hint: "close quoted text with ' and write '' for a quote",
				}
			}
			lit(b.String())
			i = j + 1
		case dateIsLetter(c):
			j := i
			for j < len(f) && f[j] == c {
				j++
			}
			n := j - i
			if dateTokenLengths[c]&(1<<n) == 0 || n > 8 {
				return nil, dateTokenError(name, f, f[i:j])
			}
			l = append(l, dateToken{letter: c, n: n})
			i = j
		default:
			j := i
			for j < len(f) && f[j] != '\'' && !dateIsLetter(f[j]) {
				j++
			}
			lit(f[i:j])
			i = j
		}
	}
	return l, nil
}

// dateTokenError is the error for an unknown letter run, with a hint that
// rewrites the common mistakes of other libraries (YYYY, DD).
func dateTokenError(name, f, run string) error {
	hint := dateTokenHint
	if strings.ContainsAny(f, "YD") {
		fixed := strings.NewReplacer("Y", "y", "D", "d").Replace(f)
		if _, err := dateCompileText(name, fixed); err == nil {
			hint = "write " + fixed
		}
	}
	return &dateError{msg: fmt.Sprintf("%s: unknown format token %q", name, run), hint: hint}
}

func dateIsLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

var (
	dateMonthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	dateDayNames = [...]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)

// dateWeekday returns the ISO weekday of t, 1 = Monday ... 7 = Sunday.
func dateWeekday(t time.Time) int { return (int(t.Weekday())+6)%7 + 1 }

// format writes t (already in the zone to show) with the layout.
func (l dateLayout) format(t time.Time) string {
	b := make([]byte, 0, 32)
	pad := func(v, n int) {
		s := strconv.Itoa(v)
		if v < 0 {
			b = append(b, '-')
			s = s[1:]
		}
		for k := len(s); k < n; k++ {
			b = append(b, '0')
		}
		b = append(b, s...)
	}
	for _, tok := range l {
		switch tok.letter {
		case 0:
			b = append(b, tok.lit...)
		case 'y':
			if tok.n == 2 {
				pad((t.Year()%100+100)%100, 2)
			} else {
				pad(t.Year(), 4)
			}
		case 'M':
			switch tok.n {
			case 3:
				b = append(b, dateMonthNames[t.Month()-1][:3]...)
			case 4:
				b = append(b, dateMonthNames[t.Month()-1]...)
			default:
				pad(int(t.Month()), tok.n)
			}
		case 'd':
			pad(t.Day(), tok.n)
		case 'E':
			name := dateDayNames[dateWeekday(t)-1]
			if tok.n == 3 {
				name = name[:3]
			}
			b = append(b, name...)
		case 'H':
			pad(t.Hour(), tok.n)
		case 'h':
			pad((t.Hour()+11)%12+1, tok.n)
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'm':
			pad(t.Minute(), tok.n)
		case 's':
			pad(t.Second(), tok.n)
		case 'S':
			pad(t.Nanosecond()/1e6, tok.n)
		case 'o':
			pad(t.YearDay(), tok.n)
		case 'W':
			_, w := t.ISOWeek()
			pad(w, tok.n)
		case 'k':
			y, _ := t.ISOWeek()
			pad(y, 4)
		case 'q':
			pad((int(t.Month())-1)/3+1, 1)
		case 'Z':
			b = dateAppendOffset(b, t, tok.n)
		case 'z':
			b = append(b, dateZoneName(t.Location())...)
		case 'X':
			b = strconv.AppendInt(b, dateFloorDiv(t.UnixMilli(), 1000), 10)
		case 'x':
			b = strconv.AppendInt(b, t.UnixMilli(), 10)
		}
	}
	return string(b)
}

// dateAppendOffset writes t's UTC offset: n=1 "+1" or "+5:30", n=2 "+01:00",
// n=3 "+0100".
func dateAppendOffset(b []byte, t time.Time, n int) []byte {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m := off/3600, off%3600/60
	b = append(b, sign)
	switch n {
	case 1:
		b = strconv.AppendInt(b, int64(h), 10)
		if m != 0 {
			b = fmt.Appendf(b, ":%02d", m)
		}
	case 2:
		b = fmt.Appendf(b, "%02d:%02d", h, m)
	default:
		b = fmt.Appendf(b, "%02d%02d", h, m)
	}
	return b
}

// dateZoneName is the IANA name of loc ("UTC" for UTC, "" for an unnamed
// fixed offset becomes the offset's text).
func dateZoneName(loc *time.Location) string {
	name := loc.String()
	if name == "" {
		return dateISO(time.Date(2000, 1, 1, 0, 0, 0, 0, loc))[23:]
	}
	return name
}

func dateFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// dateFields are the values parse read; -1 is "not given".
type dateFields struct {
	year, month, day, hour, minute, second, ms int
	hour12, pm                                 int // h/hh and a: -1, or the value (pm: 0 AM, 1 PM)
	doy, week, weekYear, weekday, quarter      int
	unixMs                                     int64
	unix                                       bool
	loc                                        *time.Location // from Z/ZZ/ZZZ/z, nil when absent
}

// parse reads s with the layout. Units above the largest one given are taken
// from now, units below it are at their minimum (a time alone is today; a
// year alone is January 1); a text without offset or zone is read in loc.
// It reports false when s does not match or names an impossible date.
func (l dateLayout) parse(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	f := dateFields{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, false, nil}
	i := 0
	num := func(min, max int) (int, bool) {
		j := i
		for j < len(s) && j-i < max && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j-i < min {
			return 0, false
		}
		v, _ := strconv.Atoi(s[i:j])
		i = j
		return v, true
	}
	name := func(names []string, n int) (int, bool) {
		for k, full := range names {
			w := full
			if n > 0 {
				w = full[:n]
			}
			if len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) {
				i += len(w)
				return k + 1, true
			}
		}
		return 0, false
	}
	var ok bool
	for _, tok := range l {
		switch tok.letter {
		case 0:
			ok = strings.HasPrefix(s[i:], tok.lit)
			i += len(tok.lit)
		case 'y':
			if tok.n == 2 {
				f.year, ok = num(2, 2)
				if f.year > 60 {
					f.year += 1900
				} else {
					f.year += 2000
				}
			} else {
				f.year, ok = num(4, 4)
			}
		case 'M':
			switch tok.n {
			case 3:
				f.month, ok = name(dateMonthNames[:], 3)
			case 4:
				f.month, ok = name(dateMonthNames[:], 0)
			default:
				f.month, ok = num(tok.n, 2)
			}
		case 'd':
			f.day, ok = num(tok.n, 2)
		case 'E':
			if tok.n == 3 {
				f.weekday, ok = name(dateDayNames[:], 3)
			} else {
				f.weekday, ok = name(dateDayNames[:], 0)
			}
		case 'H':
			f.hour, ok = num(tok.n, 2)
		case 'h':
			f.hour12, ok = num(tok.n, 2)
			ok = ok && f.hour12 >= 1 && f.hour12 <= 12
		case 'a':
			switch {
			case len(s)-i >= 2 && strings.EqualFold(s[i:i+2], "AM"):
				f.pm, ok = 0, true
			case len(s)-i >= 2 && strings.EqualFold(s[i:i+2], "PM"):
				f.pm, ok = 1, true
			default:
				ok = false
			}
			i += 2
		case 'm':
			f.minute, ok = num(tok.n, 2)
		case 's':
			f.second, ok = num(tok.n, 2)
		case 'S':
			f.ms, ok = num(tok.n, 3)
		case 'o':
			f.doy, ok = num(tok.n, 3)
		case 'W':
			f.week, ok = num(tok.n, 2)
		case 'k':
			f.weekYear, ok = num(4, 4)
		case 'q':
			f.quarter, ok = num(1, 1)
		case 'Z':
			f.loc, ok = dateParseOffset(s, &i, tok.n)
		case 'z':
			j := i
			for j < len(s) && (dateIsLetter(s[j]) || s[j] >= '0' && s[j] <= '9' || strings.IndexByte("_/+-", s[j]) >= 0) {
				j++
			}
			f.loc, ok = dateLoadZone(s[i:j])
			i = j
		case 'X', 'x':
			j := i
			if j < len(s) && s[j] == '-' {
				j++
			}
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			if tok.letter == 'X' && j+1 < len(s) && s[j] == '.' && '0' <= s[j+1] && s[j+1] <= '9' {
				j++
				for j < len(s) && '0' <= s[j] && s[j] <= '9' {
					j++
				}
			}
			v, err := strconv.ParseFloat(s[i:j], 64)
			ok = err == nil && v > -1e13 && v < 1e16
			if tok.letter == 'X' {
				v *= 1000
			}
			f.unixMs, f.unix = int64(v), true
			i = j
		}
		if !ok {
			return time.Time{}, false
		}
	}
	if i != len(s) {
		return time.Time{}, false
	}
	return f.time(now, loc)
}

// dateParseOffset reads a UTC offset at s[*i:]: "Z" or, for n=1, "+5" /
// "+05:30", for n=2 "+05:00", for n=3 "+0500".
func dateParseOffset(s string, i *int, n int) (*time.Location, bool) {
	r := s[*i:]
	if strings.HasPrefix(r, "Z") || strings.HasPrefix(r, "z") {
		*i++
		return time.UTC, true
	}
	if r == "" || r[0] != '+' && r[0] != '-' {
		return nil, false
	}
	digits := func(r string, min, max int) (int, int) {
		k := 0
		for k < len(r) && k < max && '0' <= r[k] && r[k] <= '9' {
			k++
		}
		if k < min {
			return -1, 0
		}
		v, _ := strconv.Atoi(r[:k])
		return v, k
	}
	p, minDigits := 1, 2
	if n == 1 {
		minDigits = 1
	}
	h, k := digits(r[p:], minDigits, 2)
	if h < 0 {
		return nil, false
	}
	p += k
	m := 0
	switch {
	case n == 3:
		if m, k = digits(r[p:], 2, 2); m < 0 {
			return nil, false
		}
		p += k
	case n == 2 || len(r) > p && r[p] == ':':
		if len(r) <= p || r[p] != ':' {
			return nil, false
		}
		if m, k = digits(r[p+1:], 2, 2); m < 0 {
			return nil, false
		}
		p += 1 + k
	}
	if h > 23 || m > 59 {
		return nil, false
	}
	off := h*3600 + m*60
	if r[0] == '-' {
		off = -off
	}
	*i += p
	return time.FixedZone("", off), true
}

// time builds the instant of the fields read by parse.
func (f *dateFields) time(now time.Time, loc *time.Location) (time.Time, bool) {
	if f.unix {
		return time.UnixMilli(f.unixMs), true
	}
	if f.loc != nil {
		loc = f.loc
	}
	now = now.In(loc)
	if f.hour12 >= 0 {
		h := f.hour12 % 12
		if f.pm == 1 {
			h += 12
		} else if f.pm < 0 {
			h = f.hour12
		}
		if f.hour >= 0 && f.hour != h {
			return time.Time{}, false
		}
		f.hour = h
	}
	if f.quarter >= 0 {
		if f.quarter < 1 || f.quarter > 4 || f.month >= 0 && (f.month-1)/3+1 != f.quarter {
			return time.Time{}, false
		}
		if f.month < 0 {
			f.month = (f.quarter-1)*3 + 1
		}
	}
	if f.hour > 23 || f.minute > 59 || f.second > 59 {
		return time.Time{}, false
	}
	clock := func(d time.Time) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), max(f.hour, 0), max(f.minute, 0), max(f.second, 0), max(f.ms, 0)*1e6, loc)
	}

	// ISO week date and ordinal date.
	if f.week >= 0 || f.weekYear >= 0 {
		wy := f.weekYear
		if wy < 0 {
			wy, _ = now.ISOWeek()
		}
		w, wd := max(f.week, 1), max(f.weekday, 1)
		jan4 := time.Date(wy, 1, 4, 0, 0, 0, 0, loc)
		d := jan4.AddDate(0, 0, (w-1)*7+wd-dateWeekday(jan4))
		if gy, gw := d.ISOWeek(); gy != wy || gw != w || wd > 7 {
			return time.Time{}, false
		}
		return dateCheckFields(f, clock(d))
	}
	if f.doy >= 0 {
		y := f.year
		if y < 0 {
			y = now.Year()
		}
		if f.doy < 1 || f.doy > time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() {
			return time.Time{}, false
		}
		return dateCheckFields(f, clock(time.Date(y, 1, f.doy, 0, 0, 0, 0, loc)))
	}

	// Calendar date: units above the largest given come from now, the
	// others default to their minimum.
	units := []*int{&f.year, &f.month, &f.day, &f.hour, &f.minute, &f.second, &f.ms}
	largest := len(units)
	for k, u := range units {
		if *u >= 0 {
			largest = k
			break
		}
	}
	nowParts := []int{now.Year(), int(now.Month()), now.Day()}
	mins := []int{0, 1, 1, 0, 0, 0, 0}
	for k, u := range units {
		switch {
		case *u >= 0:
		case k < largest && k < len(nowParts):
			*u = nowParts[k]
		default:
			*u = mins[k]
		}
	}
	if f.month < 1 || f.month > 12 || f.day < 1 || f.day > dateDaysIn(f.year, time.Month(f.month)) {
		return time.Time{}, false
	}
	t := time.Date(f.year, time.Month(f.month), f.day, f.hour, f.minute, f.second, f.ms*1e6, loc)
	return dateCheckFields(f, t)
}

// dateCheckFields rejects t when a weekday was read that t does not fall on.
func dateCheckFields(f *dateFields, t time.Time) (time.Time, bool) {
	if f.weekday >= 0 && f.week < 0 && dateWeekday(t) != f.weekday {
		return time.Time{}, false
	}
	return t, true
}

// dateDaysIn returns the number of days of month m of year y.
func dateDaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
