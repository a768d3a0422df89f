package format

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestDiffExact(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one change", "a\nb\nc\n", "a\nB\nc\n",
			"--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"insert into empty", "", "x\n",
			"--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n"},
		{"no final newline", "a\nb", "a\nb\n",
			"--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n",
			"--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Diff("f", []byte(tt.a), []byte(tt.b))); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// apply applies a unified diff made by Diff to a.
func apply(t *testing.T, a, patch string) string {
	t.Helper()
	al := strings.SplitAfter(a, "\n")
	if al[len(al)-1] == "" {
		al = al[:len(al)-1]
	}
	var out []string
	pos := 0
	lines := strings.Split(patch, "\n")
	for i := 2; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "@@"):
			var as, an, bs, bn int
			if n, _ := fmtSscanf(l, &as, &an, &bs, &bn); n < 1 {
				t.Fatalf("bad hunk header %q", l)
			}
			start := as - 1
			if an == 0 {
				start = as
			}
			out = append(out, al[pos:start]...)
			pos = start
		case strings.HasPrefix(l, " "), strings.HasPrefix(l, "-"):
			if strings.HasPrefix(l, " ") {
				out = append(out, al[pos])
			}
			pos++
		case strings.HasPrefix(l, "+"):
			s := l[1:] + "\n"
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\\") {
				s = l[1:]
			}
			out = append(out, s)
		}
	}
	out = append(out, al[pos:]...)
	return strings.Join(out, "")
}

// fmtSscanf reads "@@ -A[,N] +B[,M] @@".
func fmtSscanf(l string, as, an, bs, bn *int) (int, error) {
	f := strings.Fields(l)
	parse := func(s string, start, n *int) {
		p := strings.SplitN(s[1:], ",", 2)
		*start = atoi(p[0])
		*n = 1
		if len(p) == 2 {
			*n = atoi(p[1])
		}
	}
	parse(f[1], as, an)
	parse(f[2], bs, bn)
	return 4, nil
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestDiffApplies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "b", "c", "d"}
	gen := func() string {
		var b strings.Builder
		for range r.IntN(30) {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte('\n')
		}
		return b.String()
	}
	for i := range 500 {
		a, b := gen(), gen()
		if got := apply(t, a, string(Diff("f", []byte(a), []byte(b)))); got != b && a != b {
			t.Fatalf("case %d: patch of %q to %q gives %q", i, a, b, got)
		}
	}
}
