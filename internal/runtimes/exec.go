package runtimes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowscript/flowscript/internal/value"
)

// Exec runs a program (source/exec, transform/exec, sink/exec; nodes.md
// §2.1). The process gets its own process group; cancellation sends it
// SIGTERM, then SIGKILL after the "grace" field.
type Exec struct {
	// Role is "source", "transform" or "sink".
	Role string
}

// Kind returns "source/exec", "transform/exec" or "sink/exec".
func (e *Exec) Kind() string { return e.Role + "/exec" }

// Defaults of the exec fields, used when the caller did not apply them.
const (
	defaultGrace     = 5 * time.Second
	defaultMaxOutput = 16 << 20
	stderrHintLines  = 10
)

// Run starts the program, feeds stdin, collects and journals both streams
// and shapes the output.
func (e *Exec) Run(ctx context.Context, c *Call) (any, error) {
	role := c.Role
	if role == "" {
		role = e.Role
	}
	command := c.Str("command")
	if command == "" {
		return nil, Errorf("R609", false, "command is empty")
	}
	env := processEnv(c)
	dir := c.WorkflowDir
	if d := c.Str("dir"); d != "" {
		res, err := ResolvePath(c.WorkflowDir, c.AllowPaths, d)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(res.Real); err != nil || !st.IsDir() {
			return nil, Errorf("R609", false, "working directory %s does not exist", quote(d))
		}
		dir = res.Real
	}

	name, argv, err := commandLine(c, command)
	if err != nil {
		return nil, err
	}
	prog, err := lookPath(name, envValue(env, "PATH"))
	if err != nil {
		return nil, startError(name, err)
	}
	stdin := stdinText(c, role)
	stdoutMode := c.Str("stdout")
	if stdoutMode == "" {
		stdoutMode = "text"
	}
	resultMode := c.Str("result")
	if resultMode == "" {
		resultMode = "stdout"
		if role == "sink" {
			resultMode = "full"
		}
	}
	okCodes, err := exitCodes(c)
	if err != nil {
		return nil, err
	}
	grace := time.Duration(c.Num("grace", float64(defaultGrace/time.Millisecond))) * time.Millisecond
	limit := int64(c.Num("max-output", defaultMaxOutput))

	pctx, stop := context.WithCancel(ctx)
	defer stop()
	var overflow, cancelled atomic.Bool
	killed := make(chan struct{}) // closed once SIGKILL went to the group
	var logMu sync.Mutex
	logLine := func(stream, line string) {
		logMu.Lock()
		defer logMu.Unlock()
		c.Log(stream, line)
	}
	onOverflow := func() {
		overflow.Store(true)
		stop()
	}
	stdout := &streamBuf{stream: "stdout", limit: limit, log: logLine, overflow: onOverflow}
	stderr := &streamBuf{stream: "stderr", limit: limit, log: logLine, overflow: onOverflow}

	cmd := exec.CommandContext(pctx, prog, argv...)
	cmd.Args[0] = name
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	setProcessGroup(cmd)
	cmd.Cancel = func() error {
		p := cmd.Process
		if overflow.Load() {
			return signalGroup(p, true)
		}
		cancelled.Store(true)
		if grace <= 0 {
			defer close(killed)
			return signalGroup(p, true)
		}
		err := signalGroup(p, false)
		time.AfterFunc(grace, func() {
			_ = signalGroup(p, true)
			close(killed)
		})
		return err
	}
	// After the process exits or is cancelled, wait at most this long for
	// its pipes (held open by children) before closing them.
	cmd.WaitDelay = grace + time.Second

	if err := cmd.Start(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("command %s not started: %w", quote(name), ctx.Err())
		}
		return nil, startError(name, err)
	}
	running.add(cmd.Process)
	waitErr := cmd.Wait()
	defer running.remove(cmd.Process)
	stdout.flush()
	stderr.flush()

	if cancelled.Load() {
		// The leader is gone; its children may still be stopping.
		awaitGroup(cmd.Process.Pid, killed)
	}
	if cancelled.Load() && ctx.Err() != nil {
		return nil, fmt.Errorf("command %s interrupted: %w", quote(name), ctx.Err())
	}
	if overflow.Load() {
		stream := "stdout"
		if stderr.over {
			stream = "stderr"
		}
		return nil, Errorf("R609", false, "%s exceeded max-output (%s)", stream, formatSize(limit))
	}
	code := -1
	var ee *exec.ExitError
	switch {
	case waitErr == nil || errors.Is(waitErr, exec.ErrWaitDelay):
		code = cmd.ProcessState.ExitCode()
	case errors.As(waitErr, &ee):
		code = ee.ExitCode()
	default:
		return nil, &Error{Code: "R609", Message: fmt.Sprintf("command %s failed: %v", quote(name), waitErr), Cause: waitErr}
	}
	errText := trimLineBreaks(string(stderr.buf))
	if !accepted(okCodes, code) {
		msg := "exit status " + strconv.Itoa(code)
		if ee != nil && code < 0 {
			msg = ee.Error() // "signal: killed"
		}
		return nil, &Error{
			Code: "R609", Message: msg, Retryable: true, ExitCode: &code,
			Stderr: lastLines(errText, stderrHintLines), Cause: waitErr,
		}
	}
	out, err := parseStdout(stdoutMode, stdout.buf)
	if err != nil {
		return nil, err
	}
	if resultMode == "full" {
		return value.ObjectOf("exit_code", float64(code), "stdout", out, "stderr", errText), nil
	}
	return out, nil
}

// awaitGroup waits until the process group has no running member: until
// it ends after SIGTERM, or shortly after the SIGKILL that follows the
// grace period.
func awaitGroup(pgid int, killed <-chan struct{}) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var giveUp time.Time
	for groupAlive(pgid) {
		select {
		case <-killed:
			killed = nil
			giveUp = time.Now().Add(time.Second)
		case <-tick.C:
		}
		if !giveUp.IsZero() && time.Now().After(giveUp) {
			return
		}
	}
}

// commandLine returns the program and its arguments: the args field
// without a shell, else the shell running command.
func commandLine(c *Call, command string) (string, []string, error) {
	if args, ok := c.Fields["args"].([]any); ok {
		argv := make([]string, len(args))
		for i, a := range args {
			argv[i] = value.Render(a)
		}
		return command, argv, nil
	}
	shell := c.Str("shell")
	if shell == "" {
		shell = "sh"
		if runtime.GOOS == "windows" {
			shell = "cmd"
		}
	}
	switch shell {
	case "sh":
		return "/bin/sh", []string{"-c", command}, nil
	case "bash":
		return "bash", []string{"--noprofile", "--norc", "-eo", "pipefail", "-c", command}, nil
	case "pwsh":
		return "pwsh", []string{"-NoProfile", "-NonInteractive", "-Command", command}, nil
	case "cmd":
		return "cmd.exe", []string{"/d", "/s", "/c", command}, nil
	}
	return "", nil, Errorf("R609", false, "unknown shell %s", quote(shell))
}

// startError is the R609 error of a program that cannot start.
func startError(name string, err error) *Error {
	reason := err.Error()
	var xe *exec.Error
	var pe *fs.PathError
	switch {
	case errors.As(err, &xe):
		reason = xe.Err.Error()
	case errors.As(err, &pe):
		reason = pe.Err.Error()
	}
	return &Error{Code: "R609", Message: fmt.Sprintf("cannot run %s: %s", quote(name), reason), Cause: err}
}

// processEnv is the process environment: ProcEnv (or FlowScript's own when
// nil), then the node's env field, where null removes a variable.
func processEnv(c *Call) []string {
	base := c.ProcEnv
	if base == nil {
		base = os.Environ()
	}
	if c.Node != "" {
		base = append(base[:len(base):len(base)], "FLOWSCRIPT_NODE_ID="+c.Node)
	}
	extra, _ := c.Fields["env"].(*value.Object)
	if extra == nil || extra.Len() == 0 {
		return append([]string(nil), base...)
	}
	out := make([]string, 0, len(base)+extra.Len())
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !extra.Has(k) {
			out = append(out, kv)
		}
	}
	for _, k := range extra.Keys() {
		v, _ := extra.Get(k)
		if v != nil {
			out = append(out, k+"="+value.Render(v))
		}
	}
	return out
}

// envValue returns the last value of key in env.
func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// stdinText is the standard input: the stdin field, else the input for
// transforms and sinks. Strings go as-is, null as nothing, other values as
// compact JSON and a line break.
func stdinText(c *Call, role string) string {
	v, ok := c.Fields["stdin"]
	if !ok && role != "source" {
		v = c.Input
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return value.JSON(v) + "\n"
}

// exitCodes returns the accepted exit codes ([0] by default).
func exitCodes(c *Call) ([]int, error) {
	list, ok := c.Fields["exit-codes"].([]any)
	if !ok {
		return []int{0}, nil
	}
	out := make([]int, 0, len(list))
	for _, it := range list {
		switch x := it.(type) {
		case float64:
			out = append(out, int(x))
			continue
		case string:
			if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
				out = append(out, n)
				continue
			}
		}
		return nil, Errorf("R609", false, "exit-codes holds %s, expected whole numbers", value.Describe(it))
	}
	return out, nil
}

func accepted(codes []int, code int) bool {
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

// parseStdout shapes standard output: text without trailing line breaks,
// parsed JSON, or lines.
func parseStdout(mode string, out []byte) (any, error) {
	switch mode {
	case "json":
		if len(bytes.TrimSpace(out)) == 0 {
			return nil, Errorf("R609", false, "stdout is empty, expected JSON")
		}
		v, err := value.ParseJSON(out)
		if err != nil {
			err = jsonProblem(out, err)
			return nil, &Error{Code: "R609", Message: "stdout is not valid JSON: " + err.Error(), Cause: err}
		}
		return v, nil
	case "lines":
		return splitLines(string(out)), nil
	case "text":
		return trimLineBreaks(string(out)), nil
	}
	return nil, Errorf("R609", false, "unknown stdout format %s", quote(mode))
}

func trimLineBreaks(s string) string { return strings.TrimRight(s, "\r\n") }

// lastLines returns the last n lines of text (nil for empty text).
func lastLines(text string, n int) []string {
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// formatSize writes a byte count the way sizes are written in files.
func formatSize(n int64) string {
	switch {
	case n > 0 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n > 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n > 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10) + "B"
}

// streamBuf collects one output stream up to a limit and passes each
// complete line to log as it arrives. os/exec writes to it from one
// goroutine; it is read after Wait.
type streamBuf struct {
	stream   string
	limit    int64
	log      func(stream, line string)
	overflow func()
	buf      []byte
	logged   int // bytes of buf already passed to log
	over     bool
}

// Write keeps p (up to the limit) and logs the completed lines. Beyond the
// limit it reports the overflow once and discards the rest.
func (s *streamBuf) Write(p []byte) (int, error) {
	n := len(p)
	if s.over {
		return n, nil
	}
	if room := s.limit - int64(len(s.buf)); int64(len(p)) > room {
		p = p[:max(room, 0)]
		s.over = true
	}
	scan := len(s.buf)
	s.buf = append(s.buf, p...)
	for {
		i := bytes.IndexByte(s.buf[scan:], '\n')
		if i < 0 {
			break
		}
		end := scan + i
		s.log(s.stream, strings.TrimSuffix(string(s.buf[s.logged:end]), "\r"))
		s.logged = end + 1
		scan = s.logged
	}
	if s.over {
		s.overflow()
	}
	return n, nil
}

// flush logs a final line without a line break.
func (s *streamBuf) flush() {
	if s.logged < len(s.buf) {
		s.log(s.stream, strings.TrimSuffix(string(s.buf[s.logged:]), "\r"))
		s.logged = len(s.buf)
	}
}
