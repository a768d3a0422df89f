package units

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		// spec/expressions.md §10.1
		{"1h30m", 5_400_000},
		{"1.5h", 5_400_000},
		{"500ms", 500},
		{"2d", 172_800_000},
		{"0s", 0},
		{"PT30S", 30_000},
		{"P1D", 86_400_000},
		// more
		{"1w", 604_800_000},
		{"p1w", 604_800_000},
		{"1w2d3h4m5s6ms", 604_800_000 + 2*86_400_000 + 3*3_600_000 + 4*60_000 + 5_000 + 6},
		{"1m5s", 65_000},
		{"1ms", 1},
		{"1.5ms", 2},
		{"0.4ms", 0},
		{".5s", 500},
		{"90s", 90_000},
		{"1h0m", 3_600_000},
		{"  30s ", 30_000},
		{"pt1h30m", 5_400_000},
		{"PT1.5S", 1_500},
		{"P1W2DT3H4M5S", 604_800_000 + 2*86_400_000 + 3*3_600_000 + 4*60_000 + 5_000},
		{"PT0S", 0},
		{"P0D", 0},
		{"PT36H", 129_600_000},
		{"2562047h", 2562047 * 3_600_000},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		in, msg, hint string
	}{
		{"300", `missing unit in duration "300"`, "write 300ms or 300s"},
		{"1.5", `missing unit in duration "1.5"`, "write 1.5ms or 1.5s"},
		// The hint is itself a valid duration (regression: "5." hinted "5.ms").
		{"5.", `missing unit in duration "5."`, "write 5ms or 5s"},
		{" 5. ", `missing unit in duration "5."`, "write 5ms or 5s"},
		{".5", `missing unit in duration ".5"`, "write .5ms or .5s"},
		{"1e3", `missing unit in duration "1e3"`, "write 1000ms or 1000s"},
		{"2.5E-1", `missing unit in duration "2.5E-1"`, "write 0.25ms or 0.25s"},
		{"+2", `missing unit in duration "+2"`, "write 2ms or 2s"},
		{"-5", `negative duration "-5"`, "durations cannot be negative"},
		{".", `invalid duration "."`, durationHint},
		{"P1Y", "calendar units have no fixed length", "write weeks or days instead, such as P30D"},
		{"P2M", "calendar units have no fixed length", "write weeks or days instead, such as P30D"},
		{"P1Y2M3D", "calendar units have no fixed length", "write weeks or days instead, such as P30D"},
		{"-5s", `negative duration "-5s"`, "durations cannot be negative"},
		{"-PT5S", `negative duration "-PT5S"`, "durations cannot be negative"},
		{"", "empty duration", durationHint},
		{"   ", "empty duration", durationHint},
		{"1x", `invalid duration "1x": unknown unit "x"`, "units are w, d, h, m, s and ms"},
		{"1H", `invalid duration "1H": unknown unit "H"`, "units are w, d, h, m, s and ms"},
		{"30m1h", `invalid duration "30m1h": units out of order`, "write units from largest to smallest, such as 1h30m"},
		{"1m1m", `invalid duration "1m1m": unit "m" appears twice`, ""},
		{"1h30", `invalid duration "1h30": missing unit after "30"`, "units are w, d, h, m, s and ms"},
		{"1h 30m", `invalid duration "1h 30m": unexpected " "`, durationHint},
		{"h", `invalid duration "h"`, durationHint},
		{"1.h", `invalid duration "1.h"`, durationHint},
		{"1..5h", `invalid duration "1..5h"`, durationHint},
		{"1e3ms", `invalid duration "1e3ms": unknown unit "e"`, "units are w, d, h, m, s and ms"},
		{"P", `invalid duration "P": no value`, "write an ISO 8601 duration such as P1DT2H or PT30S"},
		{"PT", `invalid duration "PT": no value`, "write an ISO 8601 duration such as P1DT2H or PT30S"},
		{"P1DT", `invalid duration "P1DT": no value`, "write an ISO 8601 duration such as P1DT2H or PT30S"},
		{"P1H", `invalid duration "P1H": unexpected "H"`, "write an ISO 8601 duration such as P1DT2H or PT30S"},
		{"PT1D", `invalid duration "PT1D": unexpected "D"`, "write an ISO 8601 duration such as P1DT2H or PT30S"},
		{"P1D1W", `invalid duration "P1D1W": unexpected "W"`, "write an ISO 8601 duration such as P1DT2H or PT30S"},
		{"P1.5D", `invalid duration "P1.5D": only seconds may have a fraction`, "write an ISO 8601 duration such as P1DT2H or PT30S"},
		{"PT1", `invalid duration "PT1": missing designator after "1"`, "write an ISO 8601 duration such as P1DT2H or PT30S"},
		{"PT1STT", `invalid duration "PT1STT": "T" appears twice`, "write an ISO 8601 duration such as P1DT2H or PT30S"},
		{"100000000w", `duration "100000000w" is too long (more than 292 years)`, ""},
	}
	for _, tt := range tests {
		_, err := ParseDuration(tt.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseDuration(%q): error %v, want *Error", tt.in, err)
			continue
		}
		if e.Message != tt.msg || e.Hint != tt.hint {
			t.Errorf("ParseDuration(%q): error %q hint %q; want %q hint %q", tt.in, e.Message, e.Hint, tt.msg, tt.hint)
		}
	}
}

// TestMissingUnitHint checks that every hint for a number without a unit
// is a valid duration.
func TestMissingUnitHint(t *testing.T) {
	tests := []struct{ in, want string }{
		{"300", "write 300ms or 300s"}, {"5.", "write 5ms or 5s"}, {"1e3", "write 1000ms or 1000s"},
		{"0.50", "write 0.50ms or 0.50s"}, {"+1.", "write 1ms or 1s"},
		{"-5", ""}, {"5s", ""}, {"inf", ""}, {"NaN", ""}, {"0x10", ""}, {"1e300", ""}, {"", ""}, {".", ""}, {"1_0", ""},
	}
	for _, tt := range tests {
		got := MissingUnitHint(tt.in)
		if got != tt.want {
			t.Errorf("MissingUnitHint(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got == "" {
			continue
		}
		var ms, s string
		if _, err := fmt.Sscanf(got, "write %s or %s", &ms, &s); err != nil {
			t.Fatalf("hint %q: %v", got, err)
		}
		for _, d := range []string{ms, s} {
			if _, err := ParseDuration(d); err != nil {
				t.Errorf("MissingUnitHint(%q) suggests %q: %v", tt.in, d, err)
			}
		}
	}
}

func TestParseCalendar(t *testing.T) {
	tests := []struct {
		in   string
		want Calendar
	}{
		{"P1M", Calendar{Months: 1}},
		{"P1Y", Calendar{Years: 1}},
		{"p1y2m3dt4h", Calendar{Years: 1, Months: 2, Ms: 3*86_400_000 + 4*3_600_000}},
		{"1d", Calendar{Ms: 86_400_000}},
		{"PT30S", Calendar{Ms: 30_000}},
		{"P0Y", Calendar{}},
	}
	for _, tt := range tests {
		got, err := ParseCalendar(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCalendar(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"300", "-P1M", "P1.5M", "P1M1Y", "P9999999Y", "x"} {
		if c, err := ParseCalendar(in); err == nil {
			t.Errorf("ParseCalendar(%q) = %+v, want an error", in, c)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{5_400_000, "1h30m"},
		{0, "0s"},
		{500, "500ms"},
		{1_500, "1s500ms"},
		{172_800_000, "2d"},
		{604_800_000, "7d"},
		{90_061_001, "1d1h1m1s1ms"},
		{3_600_001, "1h1ms"},
		{-65_000, "-1m5s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.in); got != tt.want {
			t.Errorf("FormatDuration(%d) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.in >= 0 {
			if back, err := ParseDuration(tt.want); err != nil || back != tt.in {
				t.Errorf("ParseDuration(FormatDuration(%d)) = %d, %v", tt.in, back, err)
			}
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		// spec/expressions.md §10.2
		{"10MiB", 10_485_760},
		{"1.5 KB", 1_500},
		// more
		{"512", 512},
		{"1 GB", 1_000_000_000},
		{"0", 0},
		{"1B", 1},
		{"1KiB", 1024},
		{"2GiB", 2 << 30},
		{"0.5KiB", 512},
		{"1.5MB", 1_500_000},
		{" 3 MB ", 3_000_000},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSizeErrors(t *testing.T) {
	tests := []struct {
		in, msg, hint string
	}{
		{"", "empty size", sizeHint},
		{"-1MB", `negative size "-1MB"`, "sizes cannot be negative"},
		{"10mb", `invalid size "10mb": unknown unit "mb"`, `did you mean "MB"?`},
		{"10 XB", `invalid size "10 XB": unknown unit "XB"`, sizeHint},
		{"10  MB", `invalid size "10  MB": unknown unit " MB"`, sizeHint},
		{"1.5", `size "1.5" is not a whole number of bytes`, "write 1.5B or add a unit such as KB"},
		{"MB", `invalid size "MB"`, sizeHint},
		{"10 ", "", ""}, // trimmed: 10 bytes
		{"10000000000GiB", `size "10000000000GiB" is too large`, ""},
	}
	for _, tt := range tests {
		_, err := ParseSize(tt.in)
		if tt.msg == "" {
			if err != nil {
				t.Errorf("ParseSize(%q): %v", tt.in, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Message != tt.msg || e.Hint != tt.hint {
			t.Errorf("ParseSize(%q): error %#v; want %q hint %q", tt.in, err, tt.msg, tt.hint)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in       string
		want     Rate
		str      string
		interval time.Duration
	}{
		// spec/expressions.md §10.3
		{"10/1m", Rate{10, 60_000}, "10/1m", 6 * time.Second},
		{"5/1s", Rate{5, 1_000}, "5/1s", 200 * time.Millisecond},
		{"1/500ms", Rate{1, 500}, "1/500ms", 500 * time.Millisecond},
		// more
		{"100/1h30m", Rate{100, 5_400_000}, "100/1h30m", 54 * time.Second},
		{" 3/2s ", Rate{3, 2_000}, "3/2s", 666_666_666},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRate(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if s := got.String(); s != tt.str {
			t.Errorf("Rate(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
		if d := got.Interval(); d != tt.interval {
			t.Errorf("Rate(%q).Interval() = %v, want %v", tt.in, d, tt.interval)
		}
	}
}

func TestParseRateErrors(t *testing.T) {
	tests := []struct {
		in, msg, hint string
	}{
		{"10", `invalid rate "10"`, "write a count and a duration, such as 10/1m, 5/1s or 1/500ms"},
		{"0/1s", `invalid rate "0/1s": count must be at least 1`, "write a count and a duration, such as 10/1m, 5/1s or 1/500ms"},
		{"-1/1s", `invalid rate "-1/1s": expected a whole count before "/"`, "write a count and a duration, such as 10/1m, 5/1s or 1/500ms"},
		{"1.5/1s", `invalid rate "1.5/1s": expected a whole count before "/"`, "write a count and a duration, such as 10/1m, 5/1s or 1/500ms"},
		{"/1s", `invalid rate "/1s": expected a whole count before "/"`, "write a count and a duration, such as 10/1m, 5/1s or 1/500ms"},
		{"10/m", `invalid rate "10/m": the duration needs a number`, "write 10/1m"},
		{"10/0s", `invalid rate "10/0s": the duration must be greater than zero`, "write a count and a duration, such as 10/1m, 5/1s or 1/500ms"},
		{"10/PT1M", `invalid rate "10/PT1M": expected a duration such as 1m after "/"`, "write a count and a duration, such as 10/1m, 5/1s or 1/500ms"},
		{"10/", `invalid rate "10/": expected a duration such as 1m after "/"`, "write a count and a duration, such as 10/1m, 5/1s or 1/500ms"},
		{"10/60", `invalid rate "10/60": missing unit in duration "60"`, "write 60ms or 60s"},
		{"10/1x", `invalid rate "10/1x": invalid duration "1x": unknown unit "x"`, "units are w, d, h, m, s and ms"},
	}
	for _, tt := range tests {
		_, err := ParseRate(tt.in)
		var e *Error
		if !errors.As(err, &e) || e.Message != tt.msg || e.Hint != tt.hint {
			t.Errorf("ParseRate(%q): error %#v; want %q hint %q", tt.in, err, tt.msg, tt.hint)
		}
	}
}

func TestFormatElapsed(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		// spec/cli.md §12.2
		{12 * time.Millisecond, "12ms"},
		{1230 * time.Millisecond, "1.23s"},
		{65 * time.Second, "1m05s"},
		{62 * time.Minute, "1h02m"},
		// boundaries
		{0, "0ms"},
		{-time.Second, "0ms"},
		{999*time.Millisecond + 999*time.Microsecond, "999ms"},
		{time.Second, "1.00s"},
		{59_999 * time.Millisecond, "59.99s"},
		{time.Minute, "1m00s"},
		{time.Hour - time.Millisecond, "59m59s"},
		{time.Hour, "1h00m"},
		{25*time.Hour + 59*time.Minute, "25h59m"},
	}
	for _, tt := range tests {
		if got := FormatElapsed(tt.in); got != tt.want {
			t.Errorf("FormatElapsed(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorHints(t *testing.T) {
	if h := (&Error{Message: "x"}).Hints(); h != nil {
		t.Errorf("Hints() = %q, want none", h)
	}
	if h := (&Error{Message: "x", Hint: "y"}).Hints(); len(h) != 1 || h[0] != "y" {
		t.Errorf("Hints() = %q, want [y]", h)
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"1h30m", "1.5h", "500ms", "2d", "1w", "0s", "PT30S", "P1D", "p1w", "P1Y", "300", "-1s", "P1W2DT3H4M5.5S", ".5s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := ParseDuration(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Message == "" || strings.HasSuffix(e.Message, ".") {
				t.Fatalf("ParseDuration(%q): bad error %#v", s, err)
			}
			return
		}
		if ms < 0 || ms > MaxDuration {
			t.Fatalf("ParseDuration(%q) = %d, out of range", s, ms)
		}
		back, err := ParseDuration(FormatDuration(ms))
		if err != nil || back != ms {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, ms, FormatDuration(ms), back, err)
		}
		if _, err := ParseCalendar(s); err != nil {
			t.Fatalf("ParseCalendar(%q) fails where ParseDuration succeeds: %v", s, err)
		}
	})
}

func BenchmarkParseDuration(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDuration("1h30m15s"); err != nil {
			b.Fatal(err)
		}
	}
}
