package report

import (
	"time"
	"unicode/utf8"
)

// Timestamp formats t as UTC with milliseconds ("2026-11-25T10:15:00.012Z").
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Cut keeps the first n characters of s and appends more when it cut.
func Cut(s string, n int, more string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k] + more
		}
		i++
	}
	return s
}
