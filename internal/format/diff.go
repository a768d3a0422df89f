package format

import (
	"bytes"
	"fmt"
)

// Diff returns a unified diff (3 lines of context) turning a into b, with
// the header lines "--- a/NAME" and "+++ b/NAME"; it is empty when a and b
// are equal. Lines are compared with Myers' O((N+M)·D) algorithm.
func Diff(name string, a, b []byte) []byte {
	if bytes.Equal(a, b) {
		return nil
	}
	x, y := splitLines(a), splitLines(b)
	ops := diffLines(x, y)
	var out bytes.Buffer
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", name, name)
	const ctx = 3
	// Walk the edit script, cutting it into hunks.
	i := 0
	for i < len(ops) {
		// Find the next change.
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(i-ctx, 0)
		end := i
		// Extend while changes are at most 2*ctx equal lines apart.
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			j := end
			for j < len(ops) && ops[j].kind == ' ' {
				j++
			}
			if j == len(ops) || j-end > 2*ctx {
				end = min(end+ctx, j)
				break
			}
			end = j
		}
		writeHunk(&out, ops[start:end])
		i = end
	}
	return out.Bytes()
}

// line is one line of a file without its line break; noEOL marks a last
// line that has none.
type line struct {
	text  string
	noEOL bool
}

func splitLines(b []byte) []line {
	var out []line
	for len(b) > 0 {
		k := bytes.IndexByte(b, '\n')
		if k < 0 {
			out = append(out, line{text: string(b), noEOL: true})
			break
		}
		out = append(out, line{text: string(b[:k])})
		b = b[k+1:]
	}
	return out
}

// op is one line of an edit script: ' ' kept, '-' removed, '+' added;
// ai and bi are the 0-based line numbers in a and b.
type op struct {
	kind   byte
	l      line
	ai, bi int
}

func writeHunk(w *bytes.Buffer, ops []op) {
	aStart, bStart, aLen, bLen := -1, -1, 0, 0
	for _, o := range ops {
		if o.kind != '+' {
			if aStart < 0 {
				aStart = o.ai
			}
			aLen++
		}
		if o.kind != '-' {
			if bStart < 0 {
				bStart = o.bi
			}
			bLen++
		}
	}
	// Empty ranges name the line before them (GNU diff).
	if aStart < 0 {
		aStart = ops[0].ai - 1
	}
	if bStart < 0 {
		bStart = ops[0].bi - 1
	}
	fmt.Fprintf(w, "@@ -%s +%s @@\n", rangeText(aStart, aLen), rangeText(bStart, bLen))
	for _, o := range ops {
		w.WriteByte(o.kind)
		w.WriteString(o.l.text)
		w.WriteByte('\n')
		if o.l.noEOL {
			w.WriteString("\\ No newline at end of file\n")
		}
	}
}

func rangeText(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// maxEdits bounds the Myers search; beyond it the files are shown as
// wholly replaced.
const maxEdits = 4000

// diffLines returns the shortest edit script from a to b.
func diffLines(a, b []line) []op {
	n, m := len(a), len(b)
	off := n + m + 1
	v := make([]int, 2*off+1)
	var trace [][]int // trace[d] holds v[-d..d] before step d
	found := false
	for d := 0; d <= n+m && d <= maxEdits && !found; d++ {
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	if !found {
		ops := make([]op, 0, n+m)
		for i, l := range a {
			ops = append(ops, op{'-', l, i, 0})
		}
		for i, l := range b {
			ops = append(ops, op{'+', l, n, i})
		}
		return ops
	}
	var rev []op
	x, y := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		t := trace[d]
		at := func(k int) int { return t[k+d] }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := 0
		if d > 0 {
			px = at(pk)
		}
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, op{' ', a[x], x, y})
		}
		if d > 0 {
			if x == px {
				rev = append(rev, op{'+', b[py], x, py})
			} else {
				rev = append(rev, op{'-', a[px], px, y})
			}
		}
		x, y = px, py
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}
