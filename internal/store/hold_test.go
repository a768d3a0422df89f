package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

// TestJournalHold: a held line, and everything after it, reaches the
// file only once Release covers it (or at Sync), in order.
func TestJournalHold(t *testing.T) {
	path := filepath.Join(t.TempDir(), JournalFile)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	j := newJournal(testID, 1, f, nil)
	defer j.Close()
	events := func() string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var evs []string
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if line == "" {
				continue
			}
			v, err := value.ParseJSON([]byte(line))
			if err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			ev, _ := v.(*value.Object).Get("event")
			evs = append(evs, ev.(string))
		}
		return strings.Join(evs, " ")
	}
	add := func(ev string, hold bool) {
		if err := j.appendObject(clock, value.ObjectOf("event", ev), hold); err != nil {
			t.Fatal(err)
		}
	}
	add("a", false)
	add("b", true)
	mark := j.Mark()
	add("c", false)
	add("d", true)
	add("e", false)
	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"flush stops at the first held line", func() { j.flush(false) }, "a"},
		{"a release covers the lines before its mark", func() { j.Release(mark); j.flush(false) }, "a b c"},
		{"sync writes everything", func() { j.Sync() }, "a b c d e"},
	}
	for _, s := range steps {
		s.do()
		if got := events(); got != s.want {
			t.Fatalf("%s: journal holds %q, want %q", s.name, got, s.want)
		}
	}
}
