package redact

import (
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

func TestMask(t *testing.T) {
	m := New([]string{"s3cr3t/+ä", "abc", ""})
	tests := []struct{ in, want string }{
		{"token s3cr3t/+ä here", "token *** here"},
		{"url s3cr3t%2F%2B%C3%A4", "url ***"},
		{"b64 " + "czNjcjN0LyvDpA==", "b64 ***"},
		{"abc", "***"},
		{"xabcx", "xabcx"},
		{"line\nabc\nend", "line\n***\nend"},
	}
	for _, tt := range tests {
		if got := m.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	v, changed := m.Value(value.ObjectOf("a", []any{"x s3cr3t/+ä", 1.0}, "b", "abc"))
	if !changed || value.JSON(v) != `{"a":["x ***",1],"b":"***"}` {
		t.Errorf("Value = %s, %v", value.JSON(v), changed)
	}
	if _, changed := m.Value("nothing"); changed {
		t.Error("unchanged value reported as changed")
	}
}

// Object keys and numbers are masked too: a secret can arrive as a key or
// as digits (execution.md §15).
func TestMaskKeysAndNumbers(t *testing.T) {
	m := New([]string{"s3cr3t-key", "987654321"})
	v, changed := m.Value(value.ObjectOf("s3cr3t-key", 1.0, "pin", 987654321.0, "n", 5.0))
	if got := value.JSON(v); !changed || got != `{"***":1,"pin":"***","n":5}` {
		t.Errorf("masked %s (changed %v)", got, changed)
	}
	if _, changed := m.Value(value.ObjectOf("ok", 123.0)); changed {
		t.Error("nothing to mask, yet changed")
	}
}
