package progress

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
)

// screen is a tiny terminal: it understands printable text, \n, \r,
// cursor up (ESC [ n A), erase below (ESC [ J) and ignores colours. Lines
// longer than the width wrap.
type screen struct {
	width    int
	lines    []string
	row, col int
}

func (s *screen) put(r rune) {
	for len(s.lines) <= s.row {
		s.lines = append(s.lines, "")
	}
	if s.col >= s.width {
		s.row, s.col = s.row+1, 0
		s.put(r)
		return
	}
	line := []rune(s.lines[s.row])
	for len(line) < s.col {
		line = append(line, ' ')
	}
	if s.col < len(line) {
		line[s.col] = r
	} else {
		line = append(line, r)
	}
	s.lines[s.row] = string(line)
	s.col++
}

func (s *screen) write(t *testing.T, data string) {
	rs := []rune(data)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '\n':
			s.row, s.col = s.row+1, 0
		case '\r':
			s.col = 0
		case 0x1b:
			j := i + 2
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == ';') {
				j++
			}
			arg := string(rs[i+2 : j])
			switch rs[j] {
			case 'A':
				n, _ := strconv.Atoi(arg)
				s.row -= n
				if s.row < 0 {
					t.Fatalf("cursor moved above the screen")
				}
			case 'J':
				if s.row < len(s.lines) {
					s.lines = s.lines[:s.row]
				}
			case 'm':
			default:
				t.Fatalf("unexpected escape %q", string(rs[i:j+1]))
			}
			i = j
		default:
			s.put(r)
		}
	}
}

func (s *screen) text() string {
	var out []string
	for _, l := range s.lines {
		out = append(out, strings.TrimRight(l, " "))
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

func stripColor(s string) string {
	for _, c := range []string{"\x1b[0m", "\x1b[32m", "\x1b[31;1m", "\x1b[2m", "\x1b[33m", "\x1b[36m"} {
		s = strings.ReplaceAll(s, c, "")
	}
	return s
}

func node(id, kind string) *ast.Node { return &ast.Node{ID: id, Kind: kind, Tag: kind} }

func TestLiveFinalScreen(t *testing.T) {
	for _, tc := range []struct {
		name  string
		width int
		color bool
	}{
		{"wide", 80, false},
		{"narrow", 24, false},
		{"colour", 80, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			width := tc.width
			l := NewLive(&buf, func() int { return width }, tc.color)
			l.Interval = time.Hour // redraws only when the test asks
			t0 := time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)
			now := t0
			l.now = func() time.Time { return now }
			a := &exec.Instance{Key: "fetch", Node: node("fetch", "source/exec")}
			b := &exec.Instance{Key: "transform-with-a-long-name", Node: node("transform-with-a-long-name", "transform/exec")}
			l.Header("RUN", "demo", "1", 2, 1, 10)
			l.Event(&exec.Event{Type: exec.EvWaveStart, Wave: 1, Waves: 1, Nodes: []string{"fetch", "transform-with-a-long-name"}})
			l.Event(&exec.Event{Type: exec.EvNodeStart, Inst: a, Attempt: 1, Time: t0})
			l.Event(&exec.Event{Type: exec.EvNodeStart, Inst: b, Attempt: 1, Time: t0})
			l.Event(&exec.Event{Type: exec.EvNodeLog, Inst: b, Stream: "stdout", Line: "a very long output line\x1b[2J that goes on and on"})
			redraw := func() {
				l.mu.Lock()
				l.frame++
				l.render()
				l.mu.Unlock()
			}
			redraw()
			now = now.Add(1500 * time.Millisecond)
			redraw()
			a.Status, a.Start, a.End = exec.StatusSuccess, t0, t0.Add(2*time.Millisecond)
			l.Event(&exec.Event{Type: exec.EvNodeEnd, Inst: a})
			redraw()
			b.Status, b.Start, b.End = exec.StatusFailed, t0, t0.Add(time.Second)
			b.Err = &exec.NodeError{Code: "R609", Message: "exit status 3"}
			l.Event(&exec.Event{Type: exec.EvNodeEnd, Inst: b})
			l.Done(&exec.Report{Status: exec.RunFailed, Start: t0, End: t0.Add(time.Second), Counts: exec.Counts{Success: 1, Failed: 1}})

			sc := &screen{width: width}
			sc.write(t, buf.String())
			want := strings.Join([]string{
				"run RUN demo 1: 2 nodes, 1 waves, max concurrency 10",
				"wave 1/1: fetch, transform-with-a-long-name",
				"  ok    fetch 2ms",
				"  FAIL  transform-with-a-long-name 1.00s: [R609] exit status 3",
				"done failed in 1.00s: 1 ok, 1 failed",
			}, "\n")
			// The final screen holds the wrapped finished lines only.
			var got []string
			for _, line := range strings.Split(sc.text(), "\n") {
				got = append(got, line)
			}
			flat := &screen{width: 1000}
			flat.write(t, buf.String())
			if tc.width == 80 && stripColor(flat.text()) != want {
				t.Errorf("screen:\n%s\nwant:\n%s", flat.text(), want)
			}
			for _, line := range got {
				for _, sp := range spinner {
					if strings.Contains(line, sp) {
						t.Errorf("leftover spinner line %q", line)
					}
				}
			}
			if tc.width == 80 && !strings.Contains(buf.String(), "1.50s") {
				t.Errorf("the area never showed the elapsed time:\n%q", buf.String())
			}
			if strings.Contains(buf.String(), "\x1b[2J") {
				t.Errorf("a control sequence from the output reached the terminal")
			}
			if hasColor := strings.Contains(buf.String(), "\x1b[32m"); hasColor != tc.color {
				t.Errorf("colour codes present = %v, want %v", hasColor, tc.color)
			}
		})
	}
}

func TestLiveForeachBar(t *testing.T) {
	var buf bytes.Buffer
	l := NewLive(&buf, func() int { return 100 }, false)
	l.Interval = time.Hour
	fe := &ast.Node{ID: "each", Kind: "foreach", Tag: "foreach"}
	body := &ast.Node{ID: "work", Kind: "transform/exec", Tag: "transform", Parent: fe}
	fe.Scopes = []*ast.Scope{{Nodes: []*ast.Node{body}}}
	in := &exec.Instance{Key: "each", Node: fe}
	l.Event(&exec.Event{Type: exec.EvNodeStart, Inst: in, Attempt: 1})
	it := &exec.Instance{Key: "each[0]/work", Node: body, Status: exec.StatusSuccess}
	l.Event(&exec.Event{Type: exec.EvNodeEnd, Inst: it})
	if lines, _ := l.areaLines(100); len(lines) != 1 || !strings.Contains(lines[0], " 1 done") {
		t.Fatalf("area = %q before the item count, want 1 done", lines)
	}
	// The count arrives once the collection is evaluated.
	l.Event(&exec.Event{Type: exec.EvForeachItems, Inst: in, Count: 4})
	for i := 1; i < 2; i++ {
		it := &exec.Instance{Key: "each[" + strconv.Itoa(i) + "]/work", Node: body, Status: exec.StatusSuccess}
		l.Event(&exec.Event{Type: exec.EvNodeEnd, Inst: it})
	}
	lines, _ := l.areaLines(100)
	if len(lines) != 1 || !strings.Contains(lines[0], "[##########----------] 2/4") {
		t.Fatalf("area = %q, want a half-full bar 2/4", lines)
	}
}

func TestMode(t *testing.T) {
	for _, tc := range []struct {
		flag string
		env  map[string]string
		tty  bool
		want string
	}{
		{"auto", nil, false, "plain"},
		{"auto", nil, true, "live"},
		{"auto", map[string]string{"TERM": "dumb"}, true, "plain"},
		{"auto", map[string]string{"CI": "true"}, true, "plain"},
		{"auto", map[string]string{"GITHUB_ACTIONS": "true"}, true, "github"},
		{"auto", map[string]string{"GITHUB_ACTIONS": "true"}, false, "github"},
		{"live", nil, false, "plain"},
		{"live", map[string]string{"CI": "true"}, true, "live"},
		{"plain", map[string]string{"GITHUB_ACTIONS": "true"}, true, "plain"},
		{"github", nil, false, "github"},
		{"none", nil, true, "none"},
	} {
		getenv := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
		if got := Mode(tc.flag, getenv, tc.tty); got != tc.want {
			t.Errorf("Mode(%q, %v, tty=%v) = %q, want %q", tc.flag, tc.env, tc.tty, got, tc.want)
		}
	}
}
