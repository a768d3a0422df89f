package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fexec "github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/load"
	"github.com/flowscript/flowscript/internal/redact"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/value"
)

var clock = time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)

const testID = "20261125T101500Z-3f9a2c"

// runFlow runs body through the real executor with a Recorder on a new
// run of a store in a temporary directory, and returns the store and the
// run directory.
func runFlow(t *testing.T, body string, secrets []string) (*Store, string, *fexec.Report) {
	t.Helper()
	return runFlowIn(t, t.TempDir(), body, secrets)
}

// runFlowIn is runFlow with the workflow written into dir (where the
// files it reads are).
func runFlowIn(t *testing.T, dir, body string, secrets []string) (*Store, string, *fexec.Report) {
	t.Helper()
	src := "---\nname: t\nversion: 1.0.0\n---\n<workflow>\n" + body + "</workflow>\n"
	path := filepath.Join(dir, "t.flow.md")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	flow, plan, diags := load.Source(path, []byte(src))
	if diags.HasErrors() {
		t.Fatalf("invalid workflow: %v", diags)
	}
	s, err := Open(filepath.Join(dir, ".flowscript"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.Create(testID, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	st := NewState(testID, Workflow{Name: "t", Version: "1.0.0", File: flow.Path, SHA256: "00"},
		Options{MaxConcurrency: 1, Scheduler: "waves"}, clock)
	st.Config = value.ObjectOf("token", "s3cr3t-value")
	m := redact.New(secrets)
	rec := NewRecorder(run, st, m.String, m.Value)
	rec.Now = func() time.Time { return clock }
	if err := rec.Start("t.flow.md", false); err != nil {
		t.Fatal(err)
	}
	var waves [][]string
	for _, w := range plan.Root.Waves {
		var ids []string
		for _, n := range w {
			ids = append(ids, n.ID)
		}
		waves = append(waves, ids)
	}
	rec.Plan(waves)
	rep, err := fexec.Run(context.Background(), plan, fexec.Options{MaxConcurrency: 1, Registry: runtimes.Builtin(),
		RunID: testID, Attempt: 1, Observer: rec, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	code := 0
	if rep.Status != fexec.RunSuccess {
		code = 1
	}
	if err := rec.Finish(rep, code); err != nil {
		t.Fatal(err)
	}
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	return s, run.Dir, rep
}

const e2eBody = `<source id="greet" type="exec" command="echo hello s3cr3t-value; sleep 0.2; echo oops >&2"/>
<transform id="shout" type="template" input="greet" template="{{ input }}!"/>
<transform id="boom" type="exec" input="shout" command="echo 'a|b'; exit 3"/>
<transform id="after" type="template" input="boom" template="never"/>
`

func TestRecorderEndToEnd(t *testing.T) {
	s, dir, rep := runFlow(t, e2eBody, []string{"s3cr3t-value"})
	if rep.Status != fexec.RunFailed {
		t.Fatalf("status %s", rep.Status)
	}
	for _, f := range []string{StateFile, JournalFile, WorkflowFile} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if f != WorkflowFile && bytes.Contains(data, []byte("s3cr3t")) {
			t.Errorf("%s holds the secret:\n%s", f, data)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, LockFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock not removed: %v", err)
	}
	gi, _ := os.ReadFile(filepath.Join(s.Dir, ".gitignore"))
	if string(gi) != "*\n" {
		t.Errorf(".gitignore = %q", gi)
	}
	st, err := s.Load("last", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(st.Keys(), ","); got != "greet,shout,boom,after" {
		t.Errorf("keys %s", got)
	}
	if st.Status != "failed" || st.Error == nil || st.Error.Code != "R609" || st.Error.Node != "boom" {
		t.Errorf("run status %s error %+v", st.Status, st.Error)
	}
	g := st.Nodes["greet"]
	if g.Status != "success" || !g.Redacted || g.Output != "hello ***" {
		t.Errorf("greet %+v", g)
	}
	if n := st.Nodes["shout"]; n.Redacted != true || n.Output != "hello ***!" {
		t.Errorf("shout %+v", n)
	}
	if n := st.Nodes["boom"]; n.Status != "failed" || n.Error == nil || n.Error.Code != "R609" || n.HasOutput {
		t.Errorf("boom %+v", n)
	}
	if n := st.Nodes["after"]; n.Status != "pending" {
		t.Errorf("after %+v", n)
	}
	if cfg := value.JSON(st.Config); cfg != `{"token":"***"}` {
		t.Errorf("config %s", cfg)
	}
	data, _, err := s.ReadJournal(testID, "")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, fmt.Sprintf(`{"seq":%d,"ts":"2026-11-25T10:15:00.000Z","run":"%s","event":`, i+1, testID)) {
			t.Errorf("line %d: %s", i+1, l)
		}
	}
	if !strings.Contains(lines[0], `"event":"run.start","workflow":{"name":"t","version":"1.0.0","file":"t.flow.md"},"attempt":1,"resumed":false,"config":{"token":"***"},"input":{},"options":{"max_concurrency":1,"scheduler":"waves","timeout_ms":null}}`) {
		t.Errorf("run.start: %s", lines[0])
	}
	if !strings.Contains(lines[len(lines)-1], `"event":"run.end","status":"failed","duration_ms":0,"exit_code":1,"error":{"code":"R609","message":"exit status 3","node":"boom"},"counts":{"success":2,"failed":1,"skipped":0,"cancelled":0,"not_run":1}}`) {
		t.Errorf("run.end: %s", lines[len(lines)-1])
	}
	var plain bytes.Buffer
	if err := WritePlain(&plain, data, PlainOptions{Nodes: 4}); err != nil {
		t.Fatal(err)
	}
	want := `run 20261125T101500Z-3f9a2c t 1.0.0: 4 nodes, 4 waves, max concurrency 1
wave 1/4: greet
  start greet (source/exec)
  greet | hello ***
  greet ! oops
  ok    greet 0ms
wave 2/4: shout
  start shout (transform/template)
  ok    shout 0ms
wave 3/4: boom
  start boom (transform/exec)
  boom | a|b
  FAIL  boom 0ms: [R609] exit status 3
done failed in 0ms: 2 ok, 1 failed, 1 not run
`
	if plain.String() != want {
		t.Errorf("plain:\n%s\nwant:\n%s", plain.String(), want)
	}
	if testing.Verbose() {
		t.Logf("state.json:\n%s", readFile(t, filepath.Join(dir, StateFile)))
		t.Logf("events.ndjson:\n%s", data)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newRun(t *testing.T) (*Store, *Run) {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Create(testID, []byte("src"))
	if err != nil {
		t.Fatal(err)
	}
	return s, r
}

// TestStateWriteAtomic runs a reader against a writer: the reader must
// never see a torn or partial state.json.
func TestStateWriteAtomic(t *testing.T) {
	_, r := newRun(t)
	defer r.Close()
	st := NewState(testID, Workflow{Name: "t"}, Options{MaxConcurrency: 1}, clock)
	if err := r.WriteState(st); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			data, err := os.ReadFile(filepath.Join(r.Dir, StateFile))
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := decodeState(data, nil); err != nil {
				t.Errorf("reader saw a torn state (%d bytes): %v", len(data), err)
				return
			}
			reads.Add(1)
		}
	}()
	for i := range 80 {
		st.Nodes[fmt.Sprintf("n%d", i)] = &NodeState{Status: "success", Attempts: 1, Output: strings.Repeat("x", i*10), HasOutput: true}
		if err := r.WriteState(st); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if reads.Load() == 0 {
		t.Error("reader never read")
	}
	if _, err := os.Stat(filepath.Join(r.Dir, StateFile+".tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
}

func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	return cmd.Process.Pid
}

func TestLock(t *testing.T) {
	s, r := newRun(t)
	lockPath := filepath.Join(r.Dir, LockFile)
	if got := strings.TrimSpace(readFile(t, lockPath)); got != fmt.Sprint(os.Getpid()) {
		t.Errorf("lock holds %q", got)
	}
	st := NewState(testID, Workflow{Name: "t", File: "/w.flow.md"}, Options{}, clock)
	if err := r.WriteState(st); err != nil {
		t.Fatal(err)
	}
	// Held by this process through its open lock.
	_, _, err := s.Resume(testID, "")
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Fatalf("resume of a held run: %v", err)
	}
	if !s.Locked(testID) {
		t.Error("Locked = false for a held run")
	}
	r.Close()
	if s.Locked(testID) {
		t.Error("Locked = true after Close")
	}

	// A live pid in the lock file (another process) keeps the run locked.
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Skip(err)
	}
	defer func() { sleep.Process.Kill(); sleep.Wait() }()
	os.WriteFile(lockPath, []byte(fmt.Sprintln(sleep.Process.Pid)), 0o644)
	if _, _, err := s.Resume("last", "/w.flow.md"); !errors.As(err, &le) || le.PID != sleep.Process.Pid {
		t.Fatalf("resume with a live pid: %v", err)
	}
	if n, err := s.Prune(0, 0, false); err != nil || len(n) != 0 {
		t.Errorf("prune deleted a locked run: %v %v", n, err)
	}

	// The lock of a dead process is replaced.
	os.WriteFile(lockPath, []byte(fmt.Sprintln(deadPID(t))), 0o644)
	r2, st2, err := s.Resume("last", "/w.flow.md")
	if err != nil {
		t.Fatalf("resume with a stale lock: %v", err)
	}
	if st2.RunID != testID {
		t.Errorf("resumed %s", st2.RunID)
	}
	if got := strings.TrimSpace(readFile(t, lockPath)); got != fmt.Sprint(os.Getpid()) {
		t.Errorf("lock holds %q after takeover", got)
	}
	r2.Close()
}

func TestJournalSeqAcrossAttempts(t *testing.T) {
	s, r := newRun(t)
	st := NewState(testID, Workflow{Name: "t", File: "/w.flow.md"}, Options{}, clock)
	rep := &fexec.Report{Status: fexec.RunFailed, Start: clock, End: clock}
	for attempt := 1; attempt <= 2; attempt++ {
		rec := NewRecorder(r, st, nil, nil)
		rec.Start("w.flow.md", attempt > 1)
		rec.Emit(clock, value.ObjectOf("event", "node.reused", "node", "a", "kind", "set", "from_attempt", 1.0))
		if err := rec.Finish(rep, 1); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if attempt == 2 {
			break
		}
		var err error
		r, st, err = s.Resume(testID, "")
		if err != nil {
			t.Fatal(err)
		}
		st.Attempt++
	}
	data := readFile(t, filepath.Join(r.Dir, JournalFile))
	lines := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines:\n%s", len(lines), data)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, fmt.Sprintf(`{"seq":%d,`, i+1)) {
			t.Errorf("line %d: %s", i+1, l)
		}
	}
	if !strings.Contains(lines[3], `"attempt":2,"resumed":true`) {
		t.Errorf("second run.start: %s", lines[3])
	}
}

func TestLogTruncation(t *testing.T) {
	var out bytes.Buffer
	j := NewJournal(testID, &out)
	line := strings.Repeat("y", 1000)
	for range 1100 {
		j.Append(clock, value.ObjectOf("event", "node.log", "node", "big", "kind", "source/exec", "stream", "stdout", "line", line))
	}
	j.Append(clock, value.ObjectOf("event", "node.log", "node", "big", "kind", "source/exec", "stream", "stderr", "line", "other stream"))
	j.Append(clock, value.ObjectOf("event", "node.log", "node", "big[1]", "kind", "source/exec", "stream", "stdout", "line", "other instance"))
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	// 1048 lines of 1000 bytes fit in 1 MiB (1,048,576 bytes).
	if len(lines) != 1048+1+2 {
		t.Fatalf("%d lines", len(lines))
	}
	if !strings.HasSuffix(lines[1048], `"line":"[… output truncated]"}`) {
		t.Errorf("marker line: %s", lines[1048])
	}
	if !strings.Contains(lines[1049], "other stream") || !strings.Contains(lines[1050], "other instance") {
		t.Errorf("other streams: %s / %s", lines[1049], lines[1050])
	}
	if !strings.HasPrefix(lines[1050], `{"seq":1051,`) {
		t.Errorf("seq after truncation: %s", lines[1050])
	}
}

func TestCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		state   string
		journal string
		want    string
	}{
		{"truncated state", `{"format":1,"run_id":"x","nodes":{`, "", "state.json is corrupt: invalid JSON: unexpected end of input"},
		{"empty state", ``, "", "state.json is empty"},
		{"state of wrong shape", `[1]`, "", "state.json is corrupt: not a JSON object"},
		{"wrong format", `{"format":2,"run_id":"x"}`, "", "state.json has format 2, want 1"},
		{"wrong type", `{"format":1,"run_id":"x","attempt":"one"}`, "", `state.json is corrupt: "attempt" is not a number`},
		{"garbage journal", `{"format":1,"run_id":"x"}`, "{\"seq\":1}\nnot json\n", "events.ndjson is corrupt: line 2: invalid JSON"},
		{"journal without seq", `{"format":1,"run_id":"x"}`, "{\"event\":\"x\"}\n", `events.ndjson is corrupt: line 1: no "seq" number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, r := newRun(t)
			r.Close()
			os.WriteFile(filepath.Join(r.Dir, StateFile), []byte(tt.state), 0o644)
			if tt.journal != "" {
				os.WriteFile(filepath.Join(r.Dir, JournalFile), []byte(tt.journal), 0o644)
			}
			_, _, err := s.Resume(testID, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if got := readFile(t, filepath.Join(r.Dir, StateFile)); got != tt.state {
				t.Errorf("state.json changed: %q", got)
			}
			if _, err := os.Stat(filepath.Join(r.Dir, LockFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("lock left behind: %v", err)
			}
		})
	}
}

// A last journal line without its line break (a write torn by a power
// loss) is cut off with a note; the events continue after the last whole
// line.
func TestResumeRepairsATornJournalLine(t *testing.T) {
	for _, torn := range []string{"{\"seq\":3,\"ev", "\x00\x00\x00\x00"} {
		s, r := newRun(t)
		r.Close()
		os.WriteFile(filepath.Join(r.Dir, StateFile), []byte(`{"format":1,"run_id":"x"}`), 0o644)
		whole := "{\"seq\":1}\n{\"seq\":2}\n"
		os.WriteFile(filepath.Join(r.Dir, JournalFile), []byte(whole+torn), 0o644)
		run, _, err := s.Resume(testID, "")
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("events.ndjson: dropped its last line (%d bytes), cut short by an interrupted write", len(torn))
		if run.Repaired != want {
			t.Errorf("Repaired %q", run.Repaired)
		}
		run.Journal().Append(clock, value.ObjectOf("event", "run.start"))
		run.Close()
		got := readFile(t, filepath.Join(r.Dir, JournalFile))
		if !strings.HasPrefix(got, whole+`{"seq":3,`) || strings.Count(got, "\n") != 3 {
			t.Errorf("journal after the repair:\n%s", got)
		}
	}
}

func TestResumeNotFound(t *testing.T) {
	s, r := newRun(t)
	r.Close()
	for _, ref := range []string{"20261125T101500Z-000000", "last"} {
		_, _, err := s.Resume(ref, "/other.flow.md")
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v", ref, err)
		}
	}
	if _, _, err := s.Resume("nope", ""); err == nil || err.Error() != `"nope" is not a run id or "last"` {
		t.Errorf("bad ref: %v", err)
	}
}

func TestPrune(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return clock }
	ids := []string{"20261120T000000Z-000001", "20261122T000000Z-000002", "20261124T000000Z-000003", "20261125T000000Z-000004"}
	var held *Run
	for i, id := range ids {
		r, err := s.Create(id, nil)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			held = r
			continue
		}
		r.Close()
	}
	defer held.Close()
	got, err := s.Prune(1, 0, true)
	if err != nil || strings.Join(got, ",") != "20261124T000000Z-000003,20261122T000000Z-000002" {
		t.Errorf("dry run: %v %v", got, err)
	}
	if _, err := os.Stat(s.runDir(ids[1])); err != nil {
		t.Error("dry run deleted")
	}
	got, _ = s.Prune(0, 48*time.Hour, false)
	if strings.Join(got, ",") != "20261122T000000Z-000002" {
		t.Errorf("older than 2 days: %v", got)
	}
	got, _ = s.Prune(0, 0, false)
	if strings.Join(got, ",") != "20261125T000000Z-000004,20261124T000000Z-000003" {
		t.Errorf("keep 0: %v", got)
	}
	if _, err := os.Stat(s.runDir(ids[0])); err != nil {
		t.Error("locked run deleted")
	}
}

func TestSpilledOutput(t *testing.T) {
	s, r := newRun(t)
	defer r.Close()
	st := NewState(testID, Workflow{Name: "t"}, Options{}, clock)
	big := strings.Repeat("z", SpillSize+10)
	st.Nodes["items[3]/fetch"] = &NodeState{Status: "success", Attempts: 1, Output: big, HasOutput: true}
	if err := r.WriteState(st); err != nil {
		t.Fatal(err)
	}
	raw := readFile(t, filepath.Join(r.Dir, StateFile))
	if !strings.Contains(raw, `"output":{"$file":"outputs/items@3.fetch.json"}`) {
		t.Errorf("state.json:\n%.500s", raw)
	}
	got, err := s.Load(testID, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Nodes["items[3]/fetch"].Output != big {
		t.Error("spilled output not read back")
	}
	if !bytes.Contains(got.JSON(), []byte(`"output":"zzzz`)) {
		t.Error("JSON does not inline the output")
	}
}

func TestLoopKeepsLastIteration(t *testing.T) {
	body := `<loop id="again" max="3">
  <transform id="step" type="template" template="x"/>
</loop>
<foreach id="each" collection="[1, 2]">
  <transform id="one" type="template" template="y"/>
</foreach>
`
	s, _, rep := runFlow(t, body, nil)
	if rep.Status != fexec.RunSuccess {
		t.Skipf("loop not supported by the executor yet: %v", rep.Err)
	}
	st, err := s.Load(testID, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(st.Keys(), ","); got != "again,again[2]/step,each,each[0]/one,each[1]/one" {
		t.Errorf("keys %s", got)
	}
}

// TestRecorderLargeOutput: an output over SpillSize is encoded by the
// state writer (not on the node's path) and still lands in outputs/, is
// read back whole, and its node.end preview is the first 200 characters.
func TestRecorderLargeOutput(t *testing.T) {
	s, dir, rep := runFlow(t, `<transform id="big" type="template" template="{{ map(range(0, 120000), i => {n: i, s: 'abcdef'}) }}"/>
<transform id="count" type="template" input="big" template="{{ length(input) }}"/>
`, nil)
	if rep.Status != fexec.RunSuccess {
		t.Fatalf("status %s: %v", rep.Status, rep.Err)
	}
	raw := readFile(t, filepath.Join(dir, StateFile))
	if !strings.Contains(raw, `"output":{"$file":"outputs/big.json"}`) {
		t.Fatalf("big output not spilled:\n%.600s", raw)
	}
	got, err := s.Load(testID, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Nodes["big"].Output.([]any)); n != 120000 {
		t.Errorf("read back %d items", n)
	}
	journal := readFile(t, filepath.Join(dir, JournalFile))
	want := `"preview":"[{\"n\":0,\"s\":\"abcdef\"},{\"n\":1,\"s\":\"abcdef\"}`
	if !strings.Contains(journal, want) {
		t.Errorf("journal lacks the preview %s", want)
	}
}

// Runs started in the same second are ordered by their first event, not
// by the random suffix of their ids (List is newest first; last is the
// newest).
func TestSameSecondRunsInStartOrder(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"20261125T101500Z-ffffff", "20261125T101500Z-000000", "20261125T101500Z-888888"}
	for i, id := range ids {
		r, err := s.Create(id, []byte("src"))
		if err != nil {
			t.Fatal(err)
		}
		st := NewState(id, Workflow{Name: "t", File: "/w.flow.md"}, Options{}, clock)
		if err := r.WriteState(st); err != nil {
			t.Fatal(err)
		}
		r.Journal().Append(clock.Add(time.Duration(i)*time.Millisecond), value.ObjectOf("event", "run.start"))
		r.Close()
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range list {
		got = append(got, st.RunID)
	}
	if want := "20261125T101500Z-888888 20261125T101500Z-000000 20261125T101500Z-ffffff"; strings.Join(got, " ") != want {
		t.Errorf("List order %v, want %s", got, want)
	}
	if last, err := s.resolve("last", "/w.flow.md"); err != nil || last != "20261125T101500Z-888888" {
		t.Errorf("last = %s, %v", last, err)
	}
}
