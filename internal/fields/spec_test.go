package fields

import "testing"

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"max_tokens": "max-tokens", "maxTokens": "max-tokens", "conflictColumns": "conflict-columns",
		"max-tokens": "max-tokens", "url": "url",
	} {
		if got := Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}
