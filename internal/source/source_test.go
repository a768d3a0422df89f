package source

import (
	"bytes"
	"testing"
)

func TestPosition(t *testing.T) {
	f := NewFile("a.flow.md", []byte("ab\r\nhé\tx\n\nz"))
	tests := []struct {
		off       int
		line, col int
	}{{0, 1, 1}, {1, 1, 2}, {4, 2, 1}, {7, 2, 3}, {8, 2, 4}, {10, 3, 1}, {11, 4, 1}, {99, 4, 2}}
	for _, tt := range tests {
		p := f.Position(tt.off)
		if p.Line != tt.line || p.Col != tt.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.off, p.Line, p.Col, tt.line, tt.col)
		}
	}
	if got := f.LineText(1); got != "ab" {
		t.Errorf("LineText(1) = %q", got)
	}
}

func TestPrinter(t *testing.T) {
	src := "---\nname: x\n---\n<workflow>\n  <transform id=\"paid\" type=\"filter\" input=\"order\">\n</workflow>\n"
	f := NewFile("paid-orders.flow.md", []byte(src))
	var l List
	start := bytes.Index(f.Src, []byte(`order"`))
	d := l.Add(f, Span{start, start + 5}, "X402", "unknown name %q", "order")
	SuggestHint(d, "order", []string{"orders", "paid"})
	var b bytes.Buffer
	Printer{}.Print(&b, l)
	want := "paid-orders.flow.md:5:45: error[X402]: unknown name \"order\"\n" +
		"  |\n" +
		"5 |   <transform id=\"paid\" type=\"filter\" input=\"order\">\n" +
		"  |                                             ^^^^^\n" +
		"  = hint: did you mean \"orders\"?\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		name  string
		cands []string
		want  string
		ok    bool
	}{
		{"order", []string{"orders", "paid"}, "orders", true},
		{"Source", []string{"source", "sink"}, "source", true},
		{"xyz", []string{"orders"}, "", false},
		{"ab", []string{"xy"}, "", false}, // distance 2 is not less than len 2
		{"max-concurency", []string{"max-concurrency"}, "max-concurrency", true},
	}
	for _, tt := range tests {
		got, ok := Suggest(tt.name, tt.cands)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Suggest(%q) = %q, %v", tt.name, got, ok)
		}
	}
}
