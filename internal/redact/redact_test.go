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
