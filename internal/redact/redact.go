// Package redact masks secret values in every text FlowScript writes
// (spec/execution.md §15): each value in four spellings — as is,
// JSON-escaped, URL-encoded and base64 — replaced by ***, longest first.
package redact

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strings"

	"github.com/flowscript/flowscript/internal/value"
)

// Masker replaces secret values. The zero value masks nothing.
type Masker struct {
	long  []string // spellings of values of 4+ characters, longest first
	short []string // values under 4 characters: whole values or lines only
	r     *strings.Replacer
}

// New builds a masker for the given secret values (empty ones ignored).
func New(values []string) *Masker {
	m := &Masker{}
	seen := map[string]bool{}
	for _, v := range values {
		if v == "" {
			continue
		}
		if len([]rune(v)) < 4 {
			m.short = append(m.short, v)
			continue
		}
		q := string(value.AppendQuoted(nil, v))
		for _, s := range []string{v, q[1 : len(q)-1], urlEncode(v), base64.StdEncoding.EncodeToString([]byte(v))} {
			if !seen[s] {
				seen[s] = true
				m.long = append(m.long, s)
			}
		}
	}
	sort.SliceStable(m.long, func(i, j int) bool { return len(m.long[i]) > len(m.long[j]) })
	if len(m.long) > 0 {
		pairs := make([]string, 0, 2*len(m.long))
		for _, s := range m.long {
			pairs = append(pairs, s, "***")
		}
		m.r = strings.NewReplacer(pairs...)
	}
	return m
}

func urlEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// Empty reports whether there is nothing to mask.
func (m *Masker) Empty() bool { return m == nil || (m.r == nil && len(m.short) == 0) }

// String masks s.
func (m *Masker) String(s string) string {
	if m.Empty() {
		return s
	}
	if m.r != nil {
		s = m.r.Replace(s)
	}
	if len(m.short) > 0 {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			if m.isShort(l) {
				lines[i] = "***"
			}
		}
		s = strings.Join(lines, "\n")
	}
	return s
}

// isShort reports whether s is one of the short secret values.
func (m *Masker) isShort(s string) bool {
	for _, v := range m.short {
		if s == v {
			return true
		}
	}
	return false
}

// Value masks every string inside v, object keys included, and numbers
// whose text holds a secret, and reports whether anything changed.
func (m *Masker) Value(v any) (any, bool) {
	if m.Empty() {
		return v, false
	}
	switch x := v.(type) {
	case string:
		if m.isShort(x) {
			return "***", true
		}
		s := m.String(x)
		return s, s != x
	case []any:
		var out []any
		changed := false
		for i, it := range x {
			mv, c := m.Value(it)
			if c && out == nil {
				out = append([]any(nil), x...)
			}
			if out != nil {
				out[i] = mv
			}
			changed = changed || c
		}
		if out == nil {
			return x, false
		}
		return out, changed
	case *value.Object:
		o := value.NewObject(x.Len())
		changed := false
		for _, k := range x.Keys() {
			it, _ := x.Get(k)
			mv, c := m.Value(it)
			mk, kc := m.Value(k) // a key is text that leaves the process too
			o.Set(mk.(string), mv)
			changed = changed || c || kc
		}
		if !changed {
			return x, false
		}
		return o, true
	case float64:
		// A secret made of digits may arrive as a number: its JSON text
		// would show it.
		if t := value.Render(x); m.String(t) != t || m.isShort(t) {
			return "***", true
		}
	}
	return v, false
}
