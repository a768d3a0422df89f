//go:build unix

package runtimes

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/value"
)

// logSink records the lines a runtime logs.
type logSink struct {
	mu    sync.Mutex
	lines []string
	seen  chan string // each line, when non-nil
}

func (l *logSink) log(stream, line string) {
	l.mu.Lock()
	l.lines = append(l.lines, stream+": "+line)
	l.mu.Unlock()
	if l.seen != nil {
		l.seen <- line
	}
}

func (l *logSink) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// newCall builds a call in a fresh workflow directory.
func newCall(t *testing.T, role string, fields map[string]any) (*Call, *logSink) {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ls := &logSink{}
	if fields == nil {
		fields = map[string]any{}
	}
	return &Call{Node: "n", Role: role, Fields: fields, WorkflowDir: dir, Log: ls.log}, ls
}

func runExec(t *testing.T, c *Call) (any, error) {
	t.Helper()
	return (&Exec{Role: c.Role}).Run(context.Background(), c)
}

func mustParse(t *testing.T, text string) any {
	t.Helper()
	v, err := value.ParseJSON([]byte(text))
	if err != nil {
		t.Fatalf("bad JSON in test: %v", err)
	}
	return v
}

func list(items ...any) []any { return items }

func TestExecSpecExamples(t *testing.T) {
	t.Run("sha", func(t *testing.T) {
		if _, err := exec.LookPath("git"); err != nil {
			t.Skip("git not installed")
		}
		c, _ := newCall(t, "source", map[string]any{"command": "git rev-parse --short HEAD"})
		git := func(args ...string) string {
			cmd := exec.Command("git", args...)
			cmd.Dir = c.WorkflowDir
			cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@x", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@x")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
			return strings.TrimSpace(string(out))
		}
		git("init", "-q")
		git("commit", "-q", "--allow-empty", "-m", "x")
		want := git("rev-parse", "--short", "HEAD")
		got, err := runExec(t, c)
		if err != nil {
			t.Fatal(err)
		}
		if got != want || !regexp.MustCompile(`^[0-9a-f]{7,}$`).MatchString(want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("jq", func(t *testing.T) {
		if _, err := exec.LookPath("jq"); err != nil {
			t.Skip("jq not installed")
		}
		c, _ := newCall(t, "transform", map[string]any{"command": "jq length", "stdout": "json"})
		c.Input, c.HasInput = mustParse(t, `[{"id":1},{"id":2}]`), true
		got, err := runExec(t, c)
		if err != nil || got != 2.0 {
			t.Errorf("got %v, %v; want 2", got, err)
		}
	})
	t.Run("sink echo", func(t *testing.T) {
		c, _ := newCall(t, "sink", map[string]any{"command": "echo ok"})
		got, err := runExec(t, c)
		if err != nil {
			t.Fatal(err)
		}
		if s := value.JSON(got); s != `{"exit_code":0,"stdout":"ok","stderr":""}` {
			t.Errorf("got %s", s)
		}
	})
	t.Run("ls args", func(t *testing.T) {
		c, _ := newCall(t, "source", map[string]any{"command": "ls", "args": list("-1", "data"), "stdout": "lines"})
		if err := os.Mkdir(filepath.Join(c.WorkflowDir, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(c.WorkflowDir, "data", "orders.json"), []byte("[]"), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := runExec(t, c)
		if err != nil {
			t.Fatal(err)
		}
		if s := value.JSON(got); s != `["orders.json"]` {
			t.Errorf("got %s", s)
		}
	})
}

func TestExecOutputs(t *testing.T) {
	obj := mustParse(t, `{"a":1,"b":[true,null]}`)
	tests := []struct {
		name   string
		role   string
		fields map[string]any
		input  any
		want   string // JSON of the output
	}{
		{"text drops trailing breaks", "source", map[string]any{"command": `printf 'a\nb\r\n\n\n'`}, nil, `"a\nb"`},
		{"text keeps leading space", "source", map[string]any{"command": `printf '  x'`}, nil, `"  x"`},
		{"json", "source", map[string]any{"command": `echo '{"z":1,"a":[2]}'`, "stdout": "json"}, nil, `{"z":1,"a":[2]}`},
		{"lines", "source", map[string]any{"command": `printf 'a\r\n\nb\n'`, "stdout": "lines"}, nil, `["a","","b"]`},
		{"lines no final break", "source", map[string]any{"command": `printf 'a\nb'`, "stdout": "lines"}, nil, `["a","b"]`},
		{"lines empty", "source", map[string]any{"command": `true`, "stdout": "lines"}, nil, `[]`},
		{"full with lines", "source", map[string]any{"command": `echo a; echo e >&2`, "stdout": "lines", "result": "full"}, nil, `{"exit_code":0,"stdout":["a"],"stderr":"e"}`},
		{"sink stdout result", "sink", map[string]any{"command": `echo ok`, "result": "stdout"}, nil, `"ok"`},
		{"accepted exit code", "sink", map[string]any{"command": `echo no >&2; exit 3`, "exit-codes": list(0.0, 3.0)}, nil, `{"exit_code":3,"stdout":"","stderr":"no"}`},
		{"stdin default input string", "transform", map[string]any{"command": `cat; echo END`}, "abc", `"abcEND"`},
		{"stdin default input object", "transform", map[string]any{"command": `cat; echo END`}, obj, `"{\"a\":1,\"b\":[true,null]}\nEND"`},
		{"stdin default input number", "sink", map[string]any{"command": `cat; echo END`, "result": "stdout"}, 2.5, `"2.5\nEND"`},
		{"stdin default input null", "transform", map[string]any{"command": `cat; echo END`}, nil, `"END"`},
		{"stdin source ignores input", "source", map[string]any{"command": `cat; echo END`}, "abc", `"END"`},
		{"stdin field string", "source", map[string]any{"command": `cat; echo END`, "stdin": "x\n"}, nil, `"x\nEND"`},
		{"stdin field null", "transform", map[string]any{"command": `cat; echo END`, "stdin": nil}, "abc", `"END"`},
		{"stdin field list", "source", map[string]any{"command": `cat; echo END`, "stdin": list("a", 1.0)}, nil, `"[\"a\",1]\nEND"`},
		{"args rendered", "source", map[string]any{"command": "printf", "args": list("%s|%s|%s", 1.5, true, obj)}, nil, `"1.5|true|{\"a\":1,\"b\":[true,null]}"`},
		{"args no shell", "source", map[string]any{"command": "echo", "args": list("$HOME", "a;b")}, nil, `"$HOME a;b"`},
		{"ignores unread stdin", "transform", map[string]any{"command": `true`}, strings.Repeat("x", 1<<20), `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newCall(t, tt.role, tt.fields)
			c.Input, c.HasInput = tt.input, tt.input != nil
			got, err := runExec(t, c)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if s := value.JSON(got); s != tt.want {
				t.Errorf("got %s, want %s", s, tt.want)
			}
		})
	}
}

func TestExecShells(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	tests := []struct {
		shell   string
		command string
		want    string // output, or "error: message"
	}{
		{"sh", "false | echo piped", "piped"},
		{"bash", "false | echo piped", "error: exit status 1"},
		{"bash", "echo ${BASH_VERSION:+bash}", "bash"},
		{"bash", "false; echo not reached", "error: exit status 1"},
		{"sh", "nosuchprog_xyz", "error: exit status 127"},
	}
	for _, tt := range tests {
		t.Run(tt.shell+" "+tt.command, func(t *testing.T) {
			c, _ := newCall(t, "source", map[string]any{"command": tt.command, "shell": tt.shell})
			got, err := runExec(t, c)
			if err != nil {
				got = "error: " + err.Error()
			}
			if got != tt.want {
				t.Errorf("got %v, want %q", got, tt.want)
			}
		})
	}
}

func TestExecEnv(t *testing.T) {
	env := value.ObjectOf("FOO", "bar", "NUM", 3.0, "GONE", nil, "LIST", list(1.0, "a"))
	c, _ := newCall(t, "source", map[string]any{
		"command": `echo "$FOO|$NUM|${GONE-unset}|$BASE|$LIST|$FLOWSCRIPT_NODE_ID"`,
		"env":     env,
	})
	c.ProcEnv = []string{"PATH=" + os.Getenv("PATH"), "GONE=here", "BASE=base", "FOO=old", "FLOWSCRIPT_NODE_ID=n"}
	got, err := runExec(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if want := `bar|3|unset|base|[1,"a"]|n`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestExecPathFromProcessEnv(t *testing.T) {
	c, _ := newCall(t, "source", map[string]any{"command": "myprog", "args": list()})
	bin := filepath.Join(c.WorkflowDir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "myprog"), []byte("#!/bin/sh\necho found\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.ProcEnv = []string{"PATH=" + bin}
	got, err := runExec(t, c)
	if err != nil || got != "found" {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestExecErrors(t *testing.T) {
	stderr12 := `for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "line $i" >&2; done; exit 3`
	tests := []struct {
		name      string
		fields    map[string]any
		code      string
		message   string
		retryable bool
		exitCode  int // -2: not set
		stderr    []string
	}{
		{"exit status", map[string]any{"command": stderr12}, "R609", "exit status 3", true, 3,
			[]string{"line 3", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9", "line 10", "line 11", "line 12"}},
		{"exit 1 no stderr", map[string]any{"command": "exit 1"}, "R609", "exit status 1", true, 1, nil},
		{"zero not accepted", map[string]any{"command": "true", "exit-codes": list(1.0)}, "R609", "exit status 0", true, 0, nil},
		{"killed by signal", map[string]any{"command": "kill -9 $$"}, "R609", "signal: killed", true, -1, nil},
		{"not found", map[string]any{"command": "nosuchprog", "args": list("x")}, "R609",
			`cannot run "nosuchprog": executable file not found in $PATH`, false, -2, nil},
		{"not executable", map[string]any{"command": "./data.txt", "args": list()}, "R609",
			`cannot run "./data.txt": permission denied`, false, -2, nil},
		{"json empty", map[string]any{"command": "true", "stdout": "json"}, "R609", "stdout is empty, expected JSON", false, -2, nil},
		{"json invalid", map[string]any{"command": "echo '{\"a\": }'", "stdout": "json"}, "R609",
			"stdout is not valid JSON: invalid JSON at offset 6: unexpected \"}\"", false, -2, nil},
		{"max-output stdout", map[string]any{"command": "head -c 2000 /dev/zero", "max-output": 1000.0}, "R609",
			"stdout exceeded max-output (1000B)", false, -2, nil},
		{"max-output stderr", map[string]any{"command": "head -c 2048 /dev/zero >&2", "max-output": 1024.0}, "R609",
			"stderr exceeded max-output (1KiB)", false, -2, nil},
		{"max-output endless", map[string]any{"command": "yes", "max-output": 65536.0}, "R609",
			"stdout exceeded max-output (64KiB)", false, -2, nil},
		{"dir outside", map[string]any{"command": "pwd", "dir": "../"}, "R608",
			`path "../" is outside the workflow directory`, false, -2, nil},
		{"dir missing", map[string]any{"command": "pwd", "dir": "nope"}, "R609",
			`working directory "nope" does not exist`, false, -2, nil},
		{"empty command", map[string]any{"command": ""}, "R609", "command is empty", false, -2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newCall(t, "source", tt.fields)
			if err := os.WriteFile(filepath.Join(c.WorkflowDir, "data.txt"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			got, err := runExec(t, c)
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("got %v, %v; want *Error", got, err)
			}
			if re.Code != tt.code || re.Message != tt.message || re.Retryable != tt.retryable {
				t.Errorf("got [%s] %q retryable=%v, want [%s] %q retryable=%v", re.Code, re.Message, re.Retryable, tt.code, tt.message, tt.retryable)
			}
			switch {
			case tt.exitCode == -2 && re.ExitCode != nil:
				t.Errorf("exit code %d, want none", *re.ExitCode)
			case tt.exitCode != -2 && (re.ExitCode == nil || *re.ExitCode != tt.exitCode):
				t.Errorf("exit code %v, want %d", re.ExitCode, tt.exitCode)
			}
			if strings.Join(re.Stderr, "\n") != strings.Join(tt.stderr, "\n") {
				t.Errorf("stderr %q, want %q", re.Stderr, tt.stderr)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestExecDir(t *testing.T) {
	c, _ := newCall(t, "source", map[string]any{"command": "pwd -P", "dir": "sub/deeper"})
	if err := os.MkdirAll(filepath.Join(c.WorkflowDir, "sub", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := runExec(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(c.WorkflowDir, "sub", "deeper"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Without dir, the workflow directory.
	c.Fields = map[string]any{"command": "pwd -P"}
	if got, err := runExec(t, c); err != nil || got != c.WorkflowDir {
		t.Errorf("got %v, %v; want %q", got, err, c.WorkflowDir)
	}
}

func TestExecLogsLines(t *testing.T) {
	c, ls := newCall(t, "source", map[string]any{"command": `echo a; echo b >&2; printf 'c\r\n'; printf 'tail'`})
	if _, err := runExec(t, c); err != nil {
		t.Fatal(err)
	}
	var out, errs []string
	for _, l := range ls.all() {
		if strings.HasPrefix(l, "stdout: ") {
			out = append(out, l)
		} else {
			errs = append(errs, l)
		}
	}
	if got, want := strings.Join(out, "|"), "stdout: a|stdout: c|stdout: tail"; got != want {
		t.Errorf("stdout log %q, want %q", got, want)
	}
	if got, want := strings.Join(errs, "|"), "stderr: b"; got != want {
		t.Errorf("stderr log %q, want %q", got, want)
	}
}

// TestExecLogsAsTheyArrive checks that a line reaches Log before the
// process ends.
func TestExecLogsAsTheyArrive(t *testing.T) {
	c, ls := newCall(t, "source", map[string]any{"command": `echo first; sleep 2; echo second`})
	ls.seen = make(chan string, 4)
	done := make(chan error, 1)
	go func() { _, err := runExec(t, c); done <- err }()
	select {
	case l := <-ls.seen:
		if l != "first" {
			t.Errorf("first line %q", l)
		}
	case <-time.After(1500 * time.Millisecond):
		t.Fatal("first line not logged while the process runs")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestStreamBufSplitsWrites(t *testing.T) {
	var got []string
	s := &streamBuf{stream: "stdout", limit: 100, log: func(_, l string) { got = append(got, l) }, overflow: func() {}}
	for _, w := range []string{"ab", "c\nd", "e\r", "\n\nf"} {
		if n, err := s.Write([]byte(w)); n != len(w) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	s.flush()
	if strings.Join(got, "|") != "abc|de||f" {
		t.Errorf("got %q", got)
	}
	if string(s.buf) != "ab"+"c\nd"+"e\r"+"\n\nf" {
		t.Errorf("buf %q", s.buf)
	}
}

func TestExecBuiltinKinds(t *testing.T) {
	reg := Builtin()
	for _, k := range []string{"sink/exec", "sink/file", "source/exec", "source/file", "transform/exec"} {
		if _, ok := reg.Get(k); !ok {
			t.Errorf("Builtin() has no %q runtime (has %v)", k, reg.Kinds())
		}
	}
}

func BenchmarkExecTrue(b *testing.B) {
	b.ReportAllocs()
	c := &Call{Role: "source", Fields: map[string]any{"command": "true", "args": list()}, WorkflowDir: b.TempDir(), Log: func(string, string) {}}
	rt := &Exec{Role: "source"}
	for b.Loop() {
		if _, err := rt.Run(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
}
