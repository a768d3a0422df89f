//go:build unix

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/store"
	"github.com/flowscript/flowscript/internal/value"
)

// buildFlowscript builds the flowscript binary into a temporary
// directory of tb and returns its path.
func buildFlowscript(tb testing.TB) string {
	tb.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(tb.TempDir(), "flowscript")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// crashChain, crashFans and crashSinks shape the crash workflow: a source,
// a chain of exec nodes, a fan-out of exec nodes from the middle of the
// chain, a join of the fan-out, and file sinks.
const (
	crashChain = 12
	crashFans  = 10
	crashFanAt = 4 // the fan-out reads c4
)

// crashMark is the script every exec node runs: it appends the node id to
// its marker file, sleeps a few milliseconds and prints "id(args)".
const crashMark = `echo "$FLOWSCRIPT_NODE_ID" >> "markers/$FLOWSCRIPT_NODE_ID"
sleep 0.004
printf '%s(%s)\n' "$FLOWSCRIPT_NODE_ID" "$*"
`

// crashFlow returns the crash workflow (30 nodes) and the exec node ids.
func crashFlow() (string, []string) {
	var b strings.Builder
	b.WriteString("---\nname: crash\nversion: 1.0.0\n---\n\n<workflow>\n")
	ids := []string{"src"}
	b.WriteString(`  <source id="src" type="exec" command="sh ./mark.sh"/>` + "\n")
	prev := "src"
	for i := 1; i <= crashChain; i++ {
		id := fmt.Sprintf("c%d", i)
		fmt.Fprintf(&b, "  <transform id=%q type=\"exec\" command=\"sh ./mark.sh '{{ %s }}'\"/>\n", id, prev)
		ids = append(ids, id)
		prev = id
	}
	var joinArgs []string
	for i := 1; i <= crashFans; i++ {
		id := fmt.Sprintf("f%d", i)
		fmt.Fprintf(&b, "  <transform id=%q type=\"exec\" command=\"sh ./mark.sh '{{ c%d }}'\"/>\n", id, crashFanAt)
		ids = append(ids, id)
		joinArgs = append(joinArgs, "'{{ "+id+" }}'")
	}
	fmt.Fprintf(&b, "  <transform id=\"gather\" type=\"exec\" command=\"sh ./mark.sh %s\"/>\n", strings.Join(joinArgs, " "))
	ids = append(ids, "gather")
	// Sinks: text files of single outputs, a JSON object of two, and a
	// large text file (so that a torn write would show).
	b.WriteString(`  <sink id="save-chain" type="file" input="c12" path="out/chain.txt"/>` + "\n")
	b.WriteString(`  <sink id="save-mid" type="file" input="c6" path="out/mid.txt"/>` + "\n")
	b.WriteString(`  <sink id="save-fan" type="file" input="f3" path="out/fan.txt"/>` + "\n")
	b.WriteString(`  <sink id="save-join" type="file" path="out/join.json" content="{{ {join: gather, chain: c12} }}"/>` + "\n")
	b.WriteString(`  <sink id="save-big" type="file" path="out/big.json" content="{{ map(range(2000), i => gather + ' ' + to_string(i)) }}"/>` + "\n")
	b.WriteString("  <output>\n    <set field=\"join\" expr=\"gather\"/>\n    <set field=\"chain\" expr=\"c12\"/>\n  </output>\n")
	b.WriteString("</workflow>\n")
	return b.String(), ids
}

// crashExpected returns the output of every exec node and the expected
// content of every sink file.
func crashExpected() (map[string]string, map[string]string) {
	outs := map[string]string{"src": "src()"}
	prev := "src"
	for i := 1; i <= crashChain; i++ {
		id := fmt.Sprintf("c%d", i)
		outs[id] = id + "(" + outs[prev] + ")"
		prev = id
	}
	var fans []string
	for i := 1; i <= crashFans; i++ {
		id := fmt.Sprintf("f%d", i)
		outs[id] = id + "(" + outs[fmt.Sprintf("c%d", crashFanAt)] + ")"
		fans = append(fans, outs[id])
	}
	outs["gather"] = "gather(" + strings.Join(fans, " ") + ")"
	big := make([]any, 2000)
	for i := range big {
		big[i] = outs["gather"] + " " + strconv.Itoa(i)
	}
	files := map[string]string{
		"out/chain.txt": outs["c12"] + "\n",
		"out/mid.txt":   outs["c6"] + "\n",
		"out/fan.txt":   outs["f3"] + "\n",
		"out/join.json": value.IndentJSON(value.ObjectOf("join", outs["gather"], "chain", outs["c12"]), "  ") + "\n",
		"out/big.json":  value.IndentJSON(big, "  ") + "\n",
	}
	return outs, files
}

// attemptResult is how one flowscript process ended.
type attemptResult struct {
	pid    int
	killed bool
	code   int
	stderr string
}

// runAttempt runs the binary in dir with args; with killAfter >= 0 it
// sends SIGKILL after that delay (the process may have ended before).
func runAttempt(t *testing.T, bin, dir string, args []string, killAfter time.Duration) attemptResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = crashEnv()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = new(bytes.Buffer), &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	var timer *time.Timer
	if killAfter >= 0 {
		timer = time.AfterFunc(killAfter, func() { cmd.Process.Signal(syscall.SIGKILL) })
	}
	err := cmd.Wait()
	if timer != nil {
		timer.Stop()
	}
	res := attemptResult{pid: cmd.Process.Pid, stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		ws, _ := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			res.killed = true
		} else {
			res.code = ee.ExitCode()
		}
	default:
		t.Fatalf("wait: %v", err)
	}
	return res
}

// crashEnv is the environment of the runs: the test's own, without the
// frozen clock and colour.
func crashEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "FLOWSCRIPT_TEST_CLOCK=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "NO_COLOR=1")
}

// journalFacts reads events.ndjson of the run in runDir: the instance keys
// with a successful node.end, and the count of node.start events. A last
// line without its line break (a write cut by the kill) is ignored.
func journalFacts(t *testing.T, runDir string) (done map[string]bool, starts int) {
	t.Helper()
	done = map[string]bool{}
	data, err := os.ReadFile(filepath.Join(runDir, store.JournalFile))
	if errors.Is(err, os.ErrNotExist) {
		return done, 0
	}
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.LastIndexByte(data, '\n'); i < len(data)-1 {
		data = data[:i+1]
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		v, err := value.ParseJSON(sc.Bytes())
		if err != nil {
			t.Fatalf("events.ndjson line %d: %v: %s", n, err, sc.Bytes())
		}
		o, _ := v.(*value.Object)
		ev, _ := o.Get("event")
		node, _ := o.Get("node")
		switch ev {
		case "node.start":
			starts++
		case "node.end":
			if st, _ := o.Get("status"); st == "success" {
				done[node.(string)] = true
			}
		}
	}
	return done, starts
}

// markers counts the lines of every exec node's marker file.
func markers(t *testing.T, dir string, ids []string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, id := range ids {
		data, err := os.ReadFile(filepath.Join(dir, "markers", id))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out[id] = bytes.Count(data, []byte{'\n'})
	}
	return out
}

// checkFiles fails when a sink output exists with other than its expected
// content (a torn or partial write).
func checkFiles(t *testing.T, dir string, files map[string]string, all bool) {
	t.Helper()
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) && !all {
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s is torn or wrong: %d bytes, want %d", name, len(got), len(want))
		}
	}
}

// latestRun returns the directory of the only run of the store, "" when
// there is none yet.
func latestRun(t *testing.T, stateDir string) string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(stateDir, "runs"))
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	last := ""
	for _, e := range ents {
		if store.ValidRunID(e.Name()) && e.Name() > last {
			last = e.Name()
		}
	}
	if last == "" {
		return ""
	}
	return filepath.Join(stateDir, "runs", last)
}

// TestCrashResume kills `flowscript run` with SIGKILL at random points of
// a 30-node workflow and resumes with `--resume last` until the run
// completes. It checks that every run completes, that no node whose
// success reached the journal runs again, that no sink output is torn,
// that state.json always loads, and that the lock of the killed process
// is taken over. FLOWSCRIPT_CRASH_ITERATIONS sets the number of runs
// (default 30) and FLOWSCRIPT_CRASH_SEED the random seed.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	// The default run stops early past a time budget, for slow machines.
	iterations, budget := 30, 50*time.Second
	if s := os.Getenv("FLOWSCRIPT_CRASH_ITERATIONS"); s != "" {
		budget = 0
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("FLOWSCRIPT_CRASH_ITERATIONS=%q is not a positive number", s)
		}
		iterations = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FLOWSCRIPT_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("FLOWSCRIPT_CRASH_SEED=%q is not a number", s)
		}
		seed = n
	}
	t.Logf("seed %d (FLOWSCRIPT_CRASH_SEED to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	bin := buildFlowscript(t)
	flow, ids := crashFlow()
	outs, files := crashExpected()
	var kills, resumes int
	start := time.Now()
	done := 0
	for it := range iterations {
		k, r := crashIteration(t, rng, bin, flow, ids, outs, files, it)
		kills += k
		resumes += r
		done++
		if t.Failed() || budget > 0 && time.Since(start) > budget {
			break
		}
	}
	t.Logf("%d iterations, %d kills, %d resumes in %v", done, kills, resumes, time.Since(start).Round(time.Millisecond))
}

// crashIteration runs one workflow to completion through 1–3 kills and
// returns the number of kills and of resumes.
func crashIteration(t *testing.T, rng *rand.Rand, bin, flow string, ids []string, outs, files map[string]string, it int) (kills, resumes int) {
	dir := t.TempDir()
	for name, content := range map[string]string{"crash.flow.md": flow, "mark.sh": crashMark} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "markers"), 0o755); err != nil {
		t.Fatal(err)
	}
	stateDir := filepath.Join(dir, ".flowscript")
	flowAbs := filepath.Join(dir, "crash.flow.md")
	maxKills := 1 + rng.IntN(3)
	done := map[string]bool{} // nodes whose success reached the journal
	before := map[string]int{}
	killed := map[int]bool{}
	for attempt := 1; ; attempt++ {
		if attempt > maxKills+3 {
			t.Fatalf("iteration %d: the run did not complete after %d attempts", it, attempt-1)
		}
		args := []string{"run", "crash.flow.md", "--progress", "none"}
		resume := false
		if st, err := store.At(stateDir).Load("last", flowAbs); err == nil {
			if st.Status == "success" {
				break // killed after the final state was written
			}
			resume = true
			args = append(args, "--resume", "last")
			resumes++
		}
		delay := time.Duration(-1)
		if kills < maxKills {
			delay = time.Duration(rng.IntN(300)) * time.Millisecond
		}
		res := runAttempt(t, bin, dir, args, delay)
		after := markers(t, dir, ids)
		for id := range done {
			if after[id] != before[id] {
				t.Errorf("iteration %d attempt %d (resume %v): node %q ran again after its success was journaled (marker %d -> %d lines)",
					it, attempt, resume, id, before[id], after[id])
			}
		}
		before = after
		if !res.killed {
			if res.code != 0 {
				t.Fatalf("iteration %d attempt %d (resume %v): exit %d\n%s", it, attempt, resume, res.code, res.stderr)
			}
			break
		}
		kills++
		killed[res.pid] = true
		checkFiles(t, dir, files, false)
		runDir := latestRun(t, stateDir)
		if runDir == "" {
			continue // killed before the run directory existed
		}
		journaled, starts := journalFacts(t, runDir)
		for k := range journaled {
			done[k] = true
		}
		if _, err := os.Stat(filepath.Join(runDir, store.StateFile)); errors.Is(err, os.ErrNotExist) {
			if starts > 0 {
				t.Fatalf("iteration %d attempt %d: no state.json but %d node.start events", it, attempt, starts)
			}
			continue
		}
		st, err := store.At(stateDir).Load(filepath.Base(runDir), "")
		if err != nil {
			t.Fatalf("iteration %d attempt %d: state.json does not load after SIGKILL: %v", it, attempt, err)
		}
		for k := range journaled {
			if n := st.Nodes[k]; n == nil || n.Status != "success" {
				t.Logf("iteration %d attempt %d: node %q succeeded in the journal but not in state.json", it, attempt, k)
			}
		}
		// The lock left behind names a killed process (this one, or an
		// earlier one when this one died before taking the lock); the
		// next attempt must take it over.
		if data, err := os.ReadFile(filepath.Join(runDir, store.LockFile)); err == nil {
			if pid, _ := strconv.Atoi(strings.TrimSpace(string(data))); pid != 0 && !killed[pid] {
				t.Errorf("iteration %d attempt %d: lock holds pid %d, not one of the killed processes %v", it, attempt, pid, killed)
			}
		}
	}
	// Completed: one successful state, all markers, all files.
	st, err := store.At(stateDir).Load("last", flowAbs)
	if err != nil {
		t.Fatalf("iteration %d: final state: %v", it, err)
	}
	if st.Status != "success" {
		t.Errorf("iteration %d: final status %q", it, st.Status)
	}
	for _, id := range ids {
		n := st.Nodes[id]
		if n == nil || n.Status != "success" {
			t.Errorf("iteration %d: node %q not successful in the final state", it, id)
			continue
		}
		if n.Output != outs[id] {
			t.Errorf("iteration %d: node %q output %v, want %q", it, id, n.Output, outs[id])
		}
		if before[id] < 1 {
			t.Errorf("iteration %d: node %q never ran", it, id)
		}
	}
	checkFiles(t, dir, files, true)
	// No lock is left, except that of a process killed after it wrote
	// the final state.
	if runDir := latestRun(t, stateDir); runDir != "" {
		data, err := os.ReadFile(filepath.Join(runDir, store.LockFile))
		if pid, _ := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && !killed[pid] {
			t.Errorf("iteration %d: lock of pid %d left after the run completed", it, pid)
		}
	}
	return kills, resumes
}

// overheadFlow returns a workflow of waves×width template nodes and no
// processes: each node of a wave adds 1 to its counterpart of the wave
// before.
func overheadFlow(waves, width int) string {
	var b strings.Builder
	b.WriteString("---\nname: overhead\nversion: 1.0.0\n---\n\n<workflow>\n")
	for w := range waves {
		for i := range width {
			if w == 0 {
				fmt.Fprintf(&b, "  <transform id=\"n%d_%d\" type=\"template\" template=\"{{ %d }}\"/>\n", w, i, i)
				continue
			}
			fmt.Fprintf(&b, "  <transform id=\"n%d_%d\" type=\"template\" input=\"n%d_%d\" template=\"{{ input + 1 }}\"/>\n", w, i, w-1, i)
		}
	}
	b.WriteString("</workflow>\n")
	return b.String()
}

// BenchmarkStoreOverhead runs a 10,000-node no-op workflow (100 waves of
// 100 template nodes) through the flowscript binary with the run store and
// with --no-state, alternately, and reports the CPU time (user+sys) and
// wall time per run of each, and their ratios. Use -benchtime=5x (or
// more) for several repetitions.
func BenchmarkStoreOverhead(b *testing.B) {
	bin := buildFlowscript(b)
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "overhead.flow.md"), []byte(overheadFlow(100, 100)), 0o644); err != nil {
		b.Fatal(err)
	}
	run := func(args ...string) (cpu, wall time.Duration) {
		cmd := exec.Command(bin, append([]string{"run", "overhead.flow.md", "--progress", "none"}, args...)...)
		cmd.Dir, cmd.Env = dir, crashEnv()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("flowscript %v: %v\n%s", args, err, stderr.String())
		}
		wall = time.Since(start)
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), wall
	}
	b.ReportAllocs()
	var cpu, wall [2]time.Duration // [0] with the store, [1] --no-state
	n := 0
	for b.Loop() {
		modes := [][]string{nil, {"--no-state"}}
		order := []int{0, 1}
		if n%2 == 1 {
			order = []int{1, 0}
		}
		for _, m := range order {
			c, w := run(modes[m]...)
			cpu[m] += c
			wall[m] += w
		}
		n++
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(n) }
	b.ReportMetric(ms(cpu[0]), "store-cpu-ms/run")
	b.ReportMetric(ms(cpu[1]), "nostate-cpu-ms/run")
	b.ReportMetric(ms(wall[0]), "store-wall-ms/run")
	b.ReportMetric(ms(wall[1]), "nostate-wall-ms/run")
	b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "cpu-ratio")
	b.ReportMetric(float64(wall[0])/float64(wall[1]), "wall-ratio")
}
