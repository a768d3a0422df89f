package builtin

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// dateClock is the fixed clock of the date tests: Wednesday
// 2026-11-25T10:15:00.123Z, the "now" of spec/expressions.md §12.4.
var dateClock = time.Date(2026, 11, 25, 10, 15, 0, 123_456_789, time.UTC)

func dateZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// dateCall calls the date function name as the evaluator would, with the
// fixed clock and run zone loc.
func dateCall(t testing.TB, loc *time.Location, name string, args ...any) (any, error) {
	t.Helper()
	for _, f := range dateFuncs() {
		if f.Name != name {
			continue
		}
		if len(args) < f.Min || f.Max >= 0 && len(args) > f.Max {
			t.Fatalf("%s: %d arguments, want %d to %d", name, len(args), f.Min, f.Max)
		}
		c := expr.NewCtx(&expr.Runtime{Now: func() time.Time { return dateClock }, Loc: loc})
		return f.Call(c, args)
	}
	t.Fatalf("no date function %q", name)
	return nil, nil
}

type dateCase struct {
	name string
	args []any
	want string // JSON of the result
}

func runDateCases(t *testing.T, loc *time.Location, tests []dateCase) {
	t.Helper()
	for _, tt := range tests {
		got, err := dateCall(t, loc, tt.name, tt.args...)
		if err != nil {
			t.Errorf("%s%s: error %v, want %s", tt.name, value.JSON(tt.args), err, tt.want)
			continue
		}
		if j := value.JSON(got); j != tt.want {
			t.Errorf("%s%s = %s, want %s", tt.name, value.JSON(tt.args), j, tt.want)
		}
	}
}

// TestDateFuncsArity checks the names and argument counts of §12.4.
func TestDateFuncsArity(t *testing.T) {
	want := map[string][2]int{
		"now": {0, 0}, "date": {0, 1}, "time": {0, 1}, "parse_date": {1, 2}, "format_date": {2, 2},
		"add_time": {2, 2}, "subtract_time": {2, 2}, "diff": {2, 3}, "timestamp": {0, 1},
		"from_timestamp": {1, 1}, "start_of": {2, 2}, "end_of": {2, 2}, "get_part": {2, 2},
		"is_before": {2, 2}, "is_after": {2, 2}, "relative": {1, 1}, "duration": {1, 1},
		"format_duration": {1, 1}, "to_zone": {2, 2},
	}
	got := dateFuncs()
	if len(got) != len(want) {
		t.Errorf("%d date functions, want %d", len(got), len(want))
	}
	for _, f := range got {
		if w, ok := want[f.Name]; !ok || f.Min != w[0] || f.Max != w[1] {
			t.Errorf("%s takes %d to %d arguments, want %v (known: %v)", f.Name, f.Min, f.Max, w, ok)
		}
	}
}

// TestDateSpecExamples is every example of the table in
// spec/expressions.md §12.4, with the run zone UTC.
func TestDateSpecExamples(t *testing.T) {
	threeDaysAgo, err := dateCall(t, time.UTC, "subtract_time", dateISO(dateClock), "3d")
	if err != nil {
		t.Fatal(err)
	}
	runDateCases(t, time.UTC, []dateCase{
		{"now", nil, `"2026-11-25T10:15:00.123Z"`},
		{"date", nil, `"2026-11-25"`},
		{"time", []any{"HH:mm"}, `"10:15"`},
		{"parse_date", []any{"25/11/2026", "dd/MM/yyyy"}, `"2026-11-25T00:00:00.000Z"`},
		{"format_date", []any{"2026-11-25T10:15:00Z", "EEE d MMM yyyy, HH:mm"}, `"Wed 25 Nov 2026, 10:15"`},
		{"add_time", []any{"2024-01-31", "P1M"}, `"2024-02-29T00:00:00.000Z"`},
		{"subtract_time", []any{"2024-03-01", "1d"}, `"2024-02-29T00:00:00.000Z"`},
		{"diff", []any{"2024-01-15T12:00:00Z", "2024-01-10", "days"}, `5`},
		{"timestamp", []any{"1970-01-01T00:00:01Z"}, `1000`},
		{"from_timestamp", []any{0.0}, `"1970-01-01T00:00:00.000Z"`},
		{"end_of", []any{"2024-02-10", "month"}, `"2024-02-29T23:59:59.999Z"`},
		{"get_part", []any{"2026-11-25", "weekday"}, `3`},
		{"is_before", []any{"2024-01-01", "2024-06-01"}, `true`},
		{"relative", []any{threeDaysAgo}, `"3 days ago"`},
		{"duration", []any{"1h30m"}, `5400000`},
		{"duration", []any{"PT30S"}, `30000`},
		{"duration", []any{"5000"}, `5000`},
		{"format_duration", []any{5400000.0}, `"1h30m"`},
		{"format_duration", []any{0.0}, `"0s"`},
		{"to_zone", []any{"2026-11-25T10:00:00Z", "Europe/Paris"}, `"2026-11-25T11:00:00.000+01:00"`},
	})
}

func TestDateFunctions(t *testing.T) {
	runDateCases(t, time.UTC, []dateCase{
		// now, date, time
		{"date", []any{"dd.MM.yy"}, `"25.11.26"`},
		{"time", nil, `"10:15:00"`},
		{"time", []any{"h:mm a"}, `"10:15 AM"`},
		{"timestamp", nil, `1795601700123`},

		// inputs: RFC 3339, without offset, dates; unreadable -> null
		{"parse_date", []any{"2026-11-25"}, `"2026-11-25T00:00:00.000Z"`},
		{"parse_date", []any{"2026-11-25T10:15"}, `"2026-11-25T10:15:00.000Z"`},
		{"parse_date", []any{"2026-11-25T10:15:30.5"}, `"2026-11-25T10:15:30.500Z"`},
		{"parse_date", []any{"2026-11-25t10:15:30,123456789z"}, `"2026-11-25T10:15:30.123Z"`},
		{"parse_date", []any{"2026-11-25 10:15:30+02:00"}, `"2026-11-25T08:15:30.000Z"`},
		{"parse_date", []any{"2026-11-25T10:15:30-0530"}, `"2026-11-25T15:45:30.000Z"`},
		{"parse_date", []any{"2026-11-25T10:15:30+01"}, `"2026-11-25T09:15:30.000Z"`},
		{"parse_date", []any{" 2026-11-25 "}, `"2026-11-25T00:00:00.000Z"`},
		{"parse_date", []any{"2026-11-25", nil}, `"2026-11-25T00:00:00.000Z"`},
		{"parse_date", []any{"2024-02-30"}, `null`},
		{"parse_date", []any{"2023-02-29"}, `null`},
		{"parse_date", []any{"2026-13-01"}, `null`},
		{"parse_date", []any{"2026-11-25T24:00"}, `null`},
		{"parse_date", []any{"2026-11-25T10:60"}, `null`},
		{"parse_date", []any{"2026-11-25T10"}, `null`},
		{"parse_date", []any{"2026-11-25T10:15:30."}, `null`},
		{"parse_date", []any{"2026-11-25T10:15:30+5"}, `null`},
		{"parse_date", []any{"2026-11-25X"}, `null`},
		{"parse_date", []any{"25/11/2026"}, `null`},
		{"parse_date", []any{"tomorrow"}, `null`},
		{"parse_date", []any{""}, `null`},
		{"parse_date", []any{nil}, `null`},
		{"parse_date", []any{1000.0}, `null`},

		// parse_date with a format
		{"parse_date", []any{"Nov 25, 2026 3:04 PM", "MMM d, yyyy h:mm a"}, `"2026-11-25T15:04:00.000Z"`},
		{"parse_date", []any{"november 5 2026", "MMMM d yyyy"}, `"2026-11-05T00:00:00.000Z"`},
		{"parse_date", []any{"12:30 am", "hh:mm a"}, `"2026-11-25T00:30:00.000Z"`},
		{"parse_date", []any{"12:30 PM", "hh:mm a"}, `"2026-11-25T12:30:00.000Z"`},
		{"parse_date", []any{"14:05", "HH:mm"}, `"2026-11-25T14:05:00.000Z"`},
		{"parse_date", []any{"2027", "yyyy"}, `"2027-01-01T00:00:00.000Z"`},
		{"parse_date", []any{"3", "d"}, `"2026-11-03T00:00:00.000Z"`},
		{"parse_date", []any{"99-01-02", "yy-MM-dd"}, `"1999-01-02T00:00:00.000Z"`},
		{"parse_date", []any{"24-01-02", "yy-MM-dd"}, `"2024-01-02T00:00:00.000Z"`},
		{"parse_date", []any{"Wed 25 Nov 2026", "EEE d MMM yyyy"}, `"2026-11-25T00:00:00.000Z"`},
		{"parse_date", []any{"Thu 25 Nov 2026", "EEE d MMM yyyy"}, `null`},
		{"parse_date", []any{"Wednesday", "EEEE"}, `"2026-11-25T00:00:00.000Z"`},
		{"parse_date", []any{"2026-11-25T10:15:00.007+01:00", "yyyy-MM-dd'T'HH:mm:ss.SSSZZ"}, `"2026-11-25T09:15:00.007Z"`},
		{"parse_date", []any{"20261125 101500 +0100", "yyyyMMdd HHmmss ZZZ"}, `"2026-11-25T09:15:00.000Z"`},
		{"parse_date", []any{"10:00 +5:30", "HH:mm Z"}, `"2026-11-25T04:30:00.000Z"`},
		{"parse_date", []any{"10:00 Z", "HH:mm ZZ"}, `"2026-11-25T10:00:00.000Z"`},
		{"parse_date", []any{"2026-11-25 10:00 Europe/Paris", "yyyy-MM-dd HH:mm z"}, `"2026-11-25T09:00:00.000Z"`},
		{"parse_date", []any{"2026-11-25 10:00 Mars/Base", "yyyy-MM-dd HH:mm z"}, `null`},
		{"parse_date", []any{"1700000000", "X"}, `"2023-11-14T22:13:20.000Z"`},
		{"parse_date", []any{"1700000000.5", "X"}, `"2023-11-14T22:13:20.500Z"`},
		{"parse_date", []any{"1700000000123", "x"}, `"2023-11-14T22:13:20.123Z"`},
		{"parse_date", []any{"2026-W48 Wed", "kkkk-'W'WW EEE"}, `"2026-11-25T00:00:00.000Z"`},
		{"parse_date", []any{"2020-W53", "kkkk-'W'WW"}, `"2020-12-28T00:00:00.000Z"`},
		{"parse_date", []any{"2026-W53", "kkkk-'W'WW"}, `"2026-12-28T00:00:00.000Z"`},
		{"parse_date", []any{"2025-W53", "kkkk-'W'WW"}, `null`},
		{"parse_date", []any{"2024-060", "yyyy-ooo"}, `"2024-02-29T00:00:00.000Z"`},
		{"parse_date", []any{"2023-366", "yyyy-ooo"}, `null`},
		{"parse_date", []any{"Q3 2026", "'Q'q yyyy"}, `"2026-07-01T00:00:00.000Z"`},
		{"parse_date", []any{"it's 2026", "'it''s' yyyy"}, `"2026-01-01T00:00:00.000Z"`},
		{"parse_date", []any{"25/11/2026 extra", "dd/MM/yyyy"}, `null`},
		{"parse_date", []any{"25-11-2026", "dd/MM/yyyy"}, `null`},
		{"parse_date", []any{"31/02/2026", "dd/MM/yyyy"}, `null`},
		{"parse_date", []any{"5/1/2026", "d/M/yyyy"}, `"2026-01-05T00:00:00.000Z"`},
		{"parse_date", []any{"5/1/2026", "dd/MM/yyyy"}, `null`},
		{"parse_date", []any{"13:00 PM", "hh:mm a"}, `null`},
		{"parse_date", []any{"10:15:00.5", "HH:mm:ss.S"}, `"2026-11-25T10:15:00.005Z"`},
		{"parse_date", []any{nil, "yyyy"}, `null`},

		// format_date
		{"format_date", []any{"2026-01-05T07:08:09.045Z", "yyyy yy M MM MMM MMMM d dd EEE EEEE"}, `"2026 26 1 01 Jan January 5 05 Mon Monday"`},
		{"format_date", []any{"2026-01-05T07:08:09.045Z", "H HH h hh a m mm s ss S SSS"}, `"7 07 7 07 AM 8 08 9 09 45 045"`},
		{"format_date", []any{"2026-01-05T19:08:09Z", "h hh a"}, `"7 07 PM"`},
		{"format_date", []any{"2026-01-05T00:08:09Z", "h a"}, `"12 AM"`},
		{"format_date", []any{"2026-01-05T12:08:09Z", "h a"}, `"12 PM"`},
		{"format_date", []any{"2026-02-05T07:08:09Z", "o ooo q"}, `"36 036 1"`},
		{"format_date", []any{"2026-11-25T07:08:09Z", "o ooo q"}, `"329 329 4"`},
		{"format_date", []any{"2021-01-01", "kkkk-'W'WW W"}, `"2020-W53 53"`},
		{"format_date", []any{"2026-01-05", "kkkk-'W'WW W"}, `"2026-W02 2"`},
		{"format_date", []any{"2026-11-25T10:15:00Z", "Z ZZ ZZZ z"}, `"+0 +00:00 +0000 UTC"`},
		{"format_date", []any{"1970-01-01T00:00:01.999Z", "X x"}, `"1 1999"`},
		{"format_date", []any{"1969-12-31T23:59:59.500Z", "X x"}, `"-1 -500"`},
		{"format_date", []any{"2026-11-25", "'Day' d 'of' MMMM, 'it''s' yyyy"}, `"Day 25 of November, it's 2026"`},
		{"format_date", []any{"2026-11-25", "''yy''"}, `"'26'"`},
		{"format_date", []any{"2026-11-25", "''"}, `"'"`},
		{"format_date", []any{"2026-11-25", ""}, `""`},
		{"format_date", []any{"2026-11-25", "dd. MMM — ✓"}, `"25. Nov — ✓"`},
		{"format_date", []any{"2026-11-25T10:15:00+05:00", "HH:mm"}, `"05:15"`},
		{"format_date", []any{"not a date", "yyyy"}, `null`},
		{"format_date", []any{nil, "yyyy"}, `null`},

		// add_time, subtract_time
		{"add_time", []any{"2024-01-31T10:00:00Z", "P1M"}, `"2024-02-29T10:00:00.000Z"`},
		{"add_time", []any{"2023-01-31", "P1M"}, `"2023-02-28T00:00:00.000Z"`},
		{"add_time", []any{"2024-02-29", "P1Y"}, `"2025-02-28T00:00:00.000Z"`},
		{"add_time", []any{"2024-03-31", "p1m1dt1h"}, `"2024-05-01T01:00:00.000Z"`},
		{"add_time", []any{"2024-12-15", "P13M"}, `"2026-01-15T00:00:00.000Z"`},
		{"add_time", []any{"2024-01-15", "1h30m"}, `"2024-01-15T01:30:00.000Z"`},
		{"add_time", []any{"2024-01-15", 1500.0}, `"2024-01-15T00:00:01.500Z"`},
		{"add_time", []any{"2024-01-15", "1500"}, `"2024-01-15T00:00:01.500Z"`},
		{"add_time", []any{"2024-01-15", "PT30S"}, `"2024-01-15T00:00:30.000Z"`},
		{"add_time", []any{"nope", "1d"}, `null`},
		{"subtract_time", []any{"2024-03-31", "P1M"}, `"2024-02-29T00:00:00.000Z"`},
		{"subtract_time", []any{"2024-01-31", "P2M"}, `"2023-11-30T00:00:00.000Z"`},
		{"subtract_time", []any{"2024-01-15", "P1Y1M"}, `"2022-12-15T00:00:00.000Z"`},
		{"subtract_time", []any{"2024-01-15", 1000.0}, `"2024-01-14T23:59:59.000Z"`},
		{"subtract_time", []any{"2024-01-15", -1000.0}, `"2024-01-15T00:00:01.000Z"`},

		// diff
		{"diff", []any{"2024-01-15T12:00:00Z", "2024-01-10"}, `5`},
		{"diff", []any{"2024-01-10", "2024-01-15T12:00:00Z"}, `-5`},
		{"diff", []any{"2024-01-10T00:00:01Z", "2024-01-10", "milliseconds"}, `1000`},
		{"diff", []any{"2024-01-10T00:01:59Z", "2024-01-10", "minutes"}, `1`},
		{"diff", []any{"2024-01-10T05:00:00Z", "2024-01-10", "hours"}, `5`},
		{"diff", []any{"2024-01-10T05:00:00Z", "2024-01-10", "seconds"}, `18000`},
		{"diff", []any{"2024-01-30", "2024-01-10", "weeks"}, `2`},
		{"diff", []any{"2024-02-29", "2024-01-31", "months"}, `1`},
		{"diff", []any{"2024-02-28", "2024-01-31", "months"}, `0`},
		{"diff", []any{"2024-03-14", "2024-01-15", "months"}, `1`},
		{"diff", []any{"2024-03-15", "2024-01-15", "months"}, `2`},
		{"diff", []any{"2024-01-15", "2024-03-16", "months"}, `-2`},
		{"diff", []any{"2024-01-15", "2024-03-15T00:00:01Z", "months"}, `-2`},
		{"diff", []any{"2024-01-15", "2024-03-14T23:59:59Z", "months"}, `-1`},
		{"diff", []any{"2025-02-28", "2024-02-29", "years"}, `1`},
		{"diff", []any{"2025-02-27", "2024-02-29", "years"}, `0`},
		{"diff", []any{"2000-01-01", "2026-06-01", "year"}, `-26`},
		{"diff", []any{"2024-01-15", "bad"}, `null`},

		// timestamp, from_timestamp
		{"timestamp", []any{"2026-11-25T10:15:00.123+01:00"}, `1795598100123`},
		{"timestamp", []any{"x"}, `null`},
		{"from_timestamp", []any{1795601700123.0}, `"2026-11-25T10:15:00.123Z"`},
		{"from_timestamp", []any{-1.5}, `"1969-12-31T23:59:59.998Z"`},
		{"from_timestamp", []any{1e17}, `null`},
		{"from_timestamp", []any{nil}, `null`},

		// start_of, end_of
		{"start_of", []any{"2026-11-25T10:15:30.123Z", "year"}, `"2026-01-01T00:00:00.000Z"`},
		{"start_of", []any{"2026-11-25T10:15:30.123Z", "quarter"}, `"2026-10-01T00:00:00.000Z"`},
		{"start_of", []any{"2026-11-25T10:15:30.123Z", "month"}, `"2026-11-01T00:00:00.000Z"`},
		{"start_of", []any{"2026-11-25T10:15:30.123Z", "week"}, `"2026-11-23T00:00:00.000Z"`},
		{"start_of", []any{"2026-11-29T10:15:30.123Z", "week"}, `"2026-11-23T00:00:00.000Z"`},
		{"start_of", []any{"2026-11-23T00:00:00Z", "week"}, `"2026-11-23T00:00:00.000Z"`},
		{"start_of", []any{"2026-11-25T10:15:30.123Z", "day"}, `"2026-11-25T00:00:00.000Z"`},
		{"start_of", []any{"2026-11-25T10:15:30.123Z", "hour"}, `"2026-11-25T10:00:00.000Z"`},
		{"start_of", []any{"2026-11-25T10:15:30.123Z", "minute"}, `"2026-11-25T10:15:00.000Z"`},
		{"start_of", []any{"2026-11-25T10:15:30.123Z", "second"}, `"2026-11-25T10:15:30.000Z"`},
		{"end_of", []any{"2026-11-25T10:15:30.123Z", "year"}, `"2026-12-31T23:59:59.999Z"`},
		{"end_of", []any{"2026-11-25T10:15:30.123Z", "quarter"}, `"2026-12-31T23:59:59.999Z"`},
		{"end_of", []any{"2026-02-25T10:15:30.123Z", "quarter"}, `"2026-03-31T23:59:59.999Z"`},
		{"end_of", []any{"2026-11-25T10:15:30.123Z", "week"}, `"2026-11-29T23:59:59.999Z"`},
		{"end_of", []any{"2026-12-30", "week"}, `"2027-01-03T23:59:59.999Z"`},
		{"end_of", []any{"2026-11-25T10:15:30.123Z", "day"}, `"2026-11-25T23:59:59.999Z"`},
		{"end_of", []any{"2026-11-25T10:15:30.123Z", "hour"}, `"2026-11-25T10:59:59.999Z"`},
		{"end_of", []any{"2026-11-25T10:15:30.123Z", "minute"}, `"2026-11-25T10:15:59.999Z"`},
		{"end_of", []any{"2026-11-25T10:15:30.123Z", "second"}, `"2026-11-25T10:15:30.999Z"`},
		{"end_of", []any{"2023-02-10", "month"}, `"2023-02-28T23:59:59.999Z"`},
		{"end_of", []any{nil, "month"}, `null`},

		// get_part
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "year"}, `2026`},
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "quarter"}, `4`},
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "month"}, `11`},
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "week"}, `48`},
		{"get_part", []any{"2026-11-29", "weekday"}, `7`},
		{"get_part", []any{"2026-11-23", "weekday"}, `1`},
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "day"}, `25`},
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "day_of_year"}, `329`},
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "hour"}, `10`},
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "minute"}, `15`},
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "second"}, `30`},
		{"get_part", []any{"2026-11-25T10:15:30.123Z", "millisecond"}, `123`},
		{"get_part", []any{"2026-11-25T23:30:00-05:00", "day"}, `26`},
		{"get_part", []any{"?", "day"}, `null`},

		// is_before, is_after: strict, unreadable -> null
		{"is_before", []any{"2024-06-01", "2024-01-01"}, `false`},
		{"is_before", []any{"2024-01-01", "2024-01-01T00:00:00Z"}, `false`},
		{"is_before", []any{"2024-01-01T01:00:00+02:00", "2024-01-01"}, `true`},
		{"is_after", []any{"2024-06-01", "2024-01-01"}, `true`},
		{"is_after", []any{"2024-01-01", "2024-01-01"}, `false`},
		{"is_after", []any{"2024-01-01", nil}, `null`},
		{"is_before", []any{"soon", "2024-01-01"}, `null`},

		// relative
		{"relative", []any{"2026-11-25T10:15:00.900Z"}, `"now"`},
		{"relative", []any{"2026-11-25T10:14:59.200Z"}, `"now"`},
		{"relative", []any{"2026-11-25T10:14:59.000Z"}, `"1 second ago"`},
		{"relative", []any{"2026-11-25T10:15:02.123Z"}, `"in 2 seconds"`},
		{"relative", []any{"2026-11-25T10:00:00Z"}, `"15 minutes ago"`},
		{"relative", []any{"2026-11-25T11:15:00.123Z"}, `"in 1 hour"`},
		{"relative", []any{"2026-11-26T10:15:00.123Z"}, `"in 1 day"`},
		{"relative", []any{"2026-10-25T10:15:00.123Z"}, `"1 month ago"`},
		{"relative", []any{"2026-10-27T10:15:00.123Z"}, `"29 days ago"`},
		{"relative", []any{"2028-11-25T10:15:00.123Z"}, `"in 2 years"`},
		{"relative", []any{"2025-11-25T10:15:00.123Z"}, `"1 year ago"`},
		{"relative", []any{42.0}, `null`},

		// duration
		{"duration", []any{4.5}, `4.5`},
		{"duration", []any{"2d"}, `172800000`},
		{"duration", []any{"p1w"}, `604800000`},
		{"duration", []any{" 300 "}, `300`},
		{"duration", []any{"P1M"}, `null`},
		{"duration", []any{"1x"}, `null`},
		{"duration", []any{"-5s"}, `null`},
		{"duration", []any{-5.0}, `null`},
		{"duration", []any{""}, `null`},
		{"duration", []any{nil}, `null`},
		{"duration", []any{true}, `null`},

		// format_duration
		{"format_duration", []any{1500.0}, `"1s500ms"`},
		{"format_duration", []any{90061001.0}, `"1d1h1m1s1ms"`},
		{"format_duration", []any{0.4}, `"0s"`},
		{"format_duration", []any{nil}, `null`},

		// to_zone
		{"to_zone", []any{"2026-07-01T10:00:00Z", "Europe/Paris"}, `"2026-07-01T12:00:00.000+02:00"`},
		{"to_zone", []any{"2026-11-25T10:00:00Z", "America/St_Johns"}, `"2026-11-25T06:30:00.000-03:30"`},
		{"to_zone", []any{"2026-11-25T10:00:00Z", "Europe/London"}, `"2026-11-25T10:00:00.000+00:00"`},
		{"to_zone", []any{"2026-11-25T10:00:00+01:00", "UTC"}, `"2026-11-25T09:00:00.000Z"`},
		{"to_zone", []any{"2026-11-25T10:00:00Z", "Etc/UTC"}, `"2026-11-25T10:00:00.000Z"`},
		{"to_zone", []any{"2026-11-25T10:00:00Z", "+05:30"}, `"2026-11-25T15:30:00.000+05:30"`},
		{"to_zone", []any{"2026-11-25T10:00:00Z", "-0800"}, `"2026-11-25T02:00:00.000-08:00"`},
		{"to_zone", []any{"2026-11-25", "Asia/Tokyo"}, `"2026-11-25T09:00:00.000+09:00"`},
		{"to_zone", []any{"bad", "Asia/Tokyo"}, `null`},
	})
}

// TestDateRunZone checks that inputs without offset are read, and outputs
// written, in the run zone.
func TestDateRunZone(t *testing.T) {
	paris := dateZone(t, "Europe/Paris")
	runDateCases(t, paris, []dateCase{
		{"now", nil, `"2026-11-25T11:15:00.123+01:00"`},
		{"date", []any{"yyyy-MM-dd HH:mm z"}, `"2026-11-25 11:15 Europe/Paris"`},
		{"time", nil, `"11:15:00"`},
		{"parse_date", []any{"2026-11-25"}, `"2026-11-25T00:00:00.000+01:00"`},
		{"parse_date", []any{"2026-07-01T10:00"}, `"2026-07-01T10:00:00.000+02:00"`},
		{"parse_date", []any{"2026-11-25T10:00:00Z"}, `"2026-11-25T11:00:00.000+01:00"`},
		{"parse_date", []any{"25/11/2026", "dd/MM/yyyy"}, `"2026-11-25T00:00:00.000+01:00"`},
		{"parse_date", []any{"25/11/2026 +00:00", "dd/MM/yyyy ZZ"}, `"2026-11-25T01:00:00.000+01:00"`},
		{"format_date", []any{"2026-11-25T10:15:00Z", "HH:mm Z ZZ ZZZ"}, `"11:15 +1 +01:00 +0100"`},
		{"format_date", []any{"2026-11-25T10:15:00Z", "X"}, `"1795601700"`},
		{"timestamp", []any{"1970-01-01"}, `-3600000`},
		{"from_timestamp", []any{0.0}, `"1970-01-01T01:00:00.000+01:00"`},
		{"start_of", []any{"2026-11-25T23:30:00Z", "day"}, `"2026-11-26T00:00:00.000+01:00"`},
		{"get_part", []any{"2026-11-25T23:30:00Z", "day"}, `26`},
		{"diff", []any{"2026-03-30", "2026-03-29", "hours"}, `23`},
		{"diff", []any{"2026-03-30", "2026-03-29", "days"}, `0`},
		// Across the spring DST change a month keeps the wall clock.
		{"add_time", []any{"2026-03-01T12:00", "P1M"}, `"2026-04-01T12:00:00.000+02:00"`},
		// A day is 24 hours (spec/expressions.md §10.1).
		{"add_time", []any{"2026-03-28T12:00", "1d"}, `"2026-03-29T13:00:00.000+02:00"`},
		{"end_of", []any{"2026-03-29T12:00", "day"}, `"2026-03-29T23:59:59.999+02:00"`},
		// The repeated hour of the autumn change: start_of keeps the instant's hour.
		{"start_of", []any{"2026-10-25T02:30:00+01:00", "hour"}, `"2026-10-25T02:00:00.000+01:00"`},
		{"start_of", []any{"2026-10-25T02:30:00+02:00", "hour"}, `"2026-10-25T02:00:00.000+02:00"`},
		{"to_zone", []any{"2026-11-25T10:00", "UTC"}, `"2026-11-25T09:00:00.000Z"`},
	})
	kolkata := dateZone(t, "Asia/Kolkata")
	runDateCases(t, kolkata, []dateCase{
		{"now", nil, `"2026-11-25T15:45:00.123+05:30"`},
		{"format_date", []any{"2026-11-25", "Z"}, `"+5:30"`},
		{"start_of", []any{"2026-11-25T10:15:00Z", "hour"}, `"2026-11-25T15:00:00.000+05:30"`},
	})
}

func TestDateErrors(t *testing.T) {
	tests := []struct {
		name string
		args []any
		msg  string
		hint string
	}{
		{"format_date", []any{"2026-11-25", "YYYY-MM-DD"}, `format_date: unknown format token "YYYY"`, "write yyyy-MM-dd"},
		{"format_date", []any{"bad date", "YYYY-MM-DD"}, `format_date: unknown format token "YYYY"`, "write yyyy-MM-dd"},
		{"date", []any{"DD/MM/YYYY"}, `date: unknown format token "DD"`, "write dd/MM/yyyy"},
		{"parse_date", []any{"2026", "YYYY"}, `parse_date: unknown format token "YYYY"`, "write yyyy"},
		{"time", []any{"HH:mm:ss at"}, `time: unknown format token "t"`, dateTokenHint},
		{"parse_date", []any{"2026-W48-3", "kkkk-'W'WW-E"}, `parse_date: unknown format token "E"`, dateTokenHint},
		{"format_date", []any{"2026-11-25", "yyy"}, `format_date: unknown format token "yyy"`, dateTokenHint},
		{"format_date", []any{"2026-11-25", "EE"}, `format_date: unknown format token "EE"`, dateTokenHint},
		{"format_date", []any{"2026-11-25", "yyyy 'at"}, `format_date: unterminated quote in format`, "close quoted text with ' and write '' for a quote"},
		{"diff", []any{"2026-11-25", "2026-11-24", "fortnights"}, `diff: unknown unit "fortnights"`, "expected one of: milliseconds, seconds, minutes, hours, days, weeks, months, years"},
		{"diff", []any{"2026-11-25", "2026-11-24", "dayz"}, `diff: unknown unit "dayz"`, `did you mean "days"?`},
		{"start_of", []any{"2026-11-25", "months"}, `start_of: unknown unit "months"`, `did you mean "month"?`},
		{"end_of", []any{nil, "decade"}, `end_of: unknown unit "decade"`, "expected one of: year, quarter, month, week, day, hour, minute, second"},
		{"get_part", []any{"2026-11-25", "dayofyear"}, `get_part: unknown unit "dayofyear"`, `did you mean "day_of_year"?`},
		{"to_zone", []any{"2026-11-25", "Mars/Base"}, `to_zone: unknown time zone "Mars/Base"`, `write an IANA zone name such as "Europe/Paris", "UTC" or an offset such as "+05:30"`},
		{"to_zone", []any{"2026-11-25", "Local"}, `to_zone: unknown time zone "Local"`, `write an IANA zone name such as "Europe/Paris", "UTC" or an offset such as "+05:30"`},
		{"to_zone", []any{"2026-11-25", "../etc/passwd"}, `to_zone: unknown time zone "../etc/passwd"`, `write an IANA zone name such as "Europe/Paris", "UTC" or an offset such as "+05:30"`},
		// wrong argument types (no hint)
		{"format_date", []any{"2026-11-25", 5.0}, "format_date: expected string, got number", ""},
		{"date", []any{nil}, "date: expected string, got null", ""},
		{"parse_date", []any{"2026", true}, "parse_date: expected string, got boolean", ""},
		{"diff", []any{"2026-11-25", "2026-11-24", 1.0}, "diff: expected string, got number", ""},
		{"get_part", []any{"2026-11-25", nil}, "get_part: expected string, got null", ""},
		{"to_zone", []any{"2026-11-25", nil}, "to_zone: expected string, got null", ""},
		{"from_timestamp", []any{"0"}, "from_timestamp: expected number, got string", ""},
		{"format_duration", []any{"1h"}, "format_duration: expected number, got string", ""},
		{"add_time", []any{"2026-11-25", nil}, "add_time: expected string or number, got null", ""},
		{"add_time", []any{"2026-11-25", "soon"}, "add_time: expected a duration such as P1M, 1h30m or a number of milliseconds", ""},
		{"subtract_time", []any{"2026-11-25", "-1d"}, "subtract_time: expected a duration such as P1M, 1h30m or a number of milliseconds", ""},
		{"add_time", []any{"2026-11-25", 1e300}, "add_time: expected a duration such as P1M, 1h30m or a number of milliseconds", ""},
	}
	for _, tt := range tests {
		got, err := dateCall(t, time.UTC, tt.name, tt.args...)
		if err == nil {
			t.Errorf("%s%s = %s, want error %q", tt.name, value.JSON(tt.args), value.JSON(got), tt.msg)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("%s%s: error %q, want %q", tt.name, value.JSON(tt.args), err, tt.msg)
		}
		var hint string
		var h interface{ Hints() []string }
		if errors.As(err, &h) {
			hint = strings.Join(h.Hints(), "; ")
		}
		if hint != tt.hint {
			t.Errorf("%s%s: hint %q, want %q", tt.name, value.JSON(tt.args), hint, tt.hint)
		}
	}
}

// TestDateFormatParseRoundTrip formats instants with several layouts and
// reads them back.
func TestDateFormatParseRoundTrip(t *testing.T) {
	layouts := []string{
		"yyyy-MM-dd'T'HH:mm:ss.SSSZZ",
		"EEEE, MMMM d, yyyy h:mm:ss.SSS a ZZZ",
		"dd/MM/yy HH:mm:ss.SSS Z",
		"kkkk-'W'WW-EEE HH:mm:ss.SSS z",
		"yyyy-ooo HH:mm:ss.SSS",
		"x",
	}
	zones := []*time.Location{time.UTC, dateZone(t, "America/New_York"), dateZone(t, "Asia/Kolkata")}
	for _, lf := range layouts {
		l, err := dateCompile("test", lf)
		if err != nil {
			t.Fatalf("%q: %v", lf, err)
		}
		for _, loc := range zones {
			for k := range 40 {
				in := time.UnixMilli(946_684_800_000 + int64(k)*29_876_543_211).In(loc) // 2000 to ~2037
				text := l.format(in)
				got, ok := l.parse(text, dateClock, loc)
				if !ok || !got.Equal(in) {
					t.Errorf("layout %q zone %s: %s -> %q -> %s, %v", lf, loc, in, text, got, ok)
				}
			}
		}
	}
}

// dateFunc returns the date function name.
func dateFunc(tb testing.TB, name string) *expr.Func {
	for _, f := range dateFuncs() {
		if f.Name == name {
			return f
		}
	}
	tb.Fatalf("no date function %q", name)
	return nil
}

func benchmarkDate(b *testing.B, name string, args ...any) {
	f := dateFunc(b, name)
	c := expr.NewCtx(&expr.Runtime{Now: func() time.Time { return dateClock }, Loc: dateZone(b, "Europe/Paris")})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Call(c, args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormatDate(b *testing.B) {
	benchmarkDate(b, "format_date", "2026-11-25T10:15:00Z", "EEE d MMM yyyy, HH:mm")
}

func BenchmarkParseDateFormat(b *testing.B) {
	benchmarkDate(b, "parse_date", "25/11/2026 10:15", "dd/MM/yyyy HH:mm")
}

func BenchmarkAddTime(b *testing.B) {
	benchmarkDate(b, "add_time", "2024-01-31T10:00:00Z", "P1M")
}

func BenchmarkNow(b *testing.B) {
	benchmarkDate(b, "now")
}

// FuzzDateParse checks that reading dates and format strings never panics
// and that every readable date survives a round trip through the output form.
func FuzzDateParse(f *testing.F) {
	for _, s := range []string{"2026-11-25", "2026-11-25T10:15:00Z", "2026-11-25 10:15:30.5+05:30", "2024-02-29T23:59:59,999999999-0800"} {
		f.Add(s, "yyyy-MM-dd")
	}
	f.Add("25/11/2026", "dd/MM/yyyy")
	f.Add("2026-W48 Wed", "kkkk-'W'WW EEE")
	f.Add("10:00 +5:30 Europe/Paris", "HH:mm Z z")
	paris := dateZone(f, "Europe/Paris")
	f.Fuzz(func(t *testing.T, s, layout string) {
		// Offsets with seconds (local mean time before 1911) lose them in ±HH:mm.
		if tm, ok := dateParseISO(s, paris); ok && tm.Year() >= 1912 {
			out := dateISOIn(tm, paris)
			back, ok := dateParseISO(out, time.UTC)
			if !ok || !back.Equal(tm.Truncate(time.Millisecond)) {
				t.Fatalf("%q -> %q -> %v, %v", s, out, back, ok)
			}
		}
		l, err := dateCompile("fuzz", layout)
		if err != nil {
			return
		}
		if tm, ok := l.parse(s, dateClock, paris); ok {
			_ = l.format(tm.In(paris))
		}
		_ = l.format(dateClock)
	})
}
