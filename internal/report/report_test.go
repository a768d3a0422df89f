package report

import (
	"strings"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/load"
	"github.com/flowscript/flowscript/internal/redact"
	"github.com/flowscript/flowscript/internal/value"
	"os"
	"path/filepath"
)

const sampleFlow = `---
name: sample
version: 1.0.0
---
<workflow>
  <source id="orders" type="exec" command="echo s3cr3t"/>
  <transform id="paid" type="exec" input="orders" command="cat"/>
  <transform id="boom" type="exec" input="orders" command="exit 3"/>
  <sink id="save" type="exec" input="boom" command="cat"/>
</workflow>
`

// sampleRun is a finished run built by hand: two successes, a failure
// and a node that never ran.
func sampleRun(t testing.TB) *Run {
	dir := t.TempDir()
	path := filepath.Join(dir, "sample.flow.md")
	if err := os.WriteFile(path, []byte(sampleFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	flow, plan, diags := load.File(path)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	t0 := time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)
	in := func(id, status string, from, to int) *exec.Instance {
		x := &exec.Instance{Key: id, Node: flow.ByID[id], Status: status, Attempts: 1}
		if status != exec.StatusPending {
			x.Start, x.End = t0.Add(time.Duration(from)*time.Millisecond), t0.Add(time.Duration(to)*time.Millisecond)
		} else {
			x.Attempts = 0
		}
		return x
	}
	orders := in("orders", exec.StatusSuccess, 0, 120)
	orders.Output = "s3cr3t"
	boom := in("boom", exec.StatusFailed, 130, 400)
	boom.Err = &exec.NodeError{Code: "R609", Message: "exit status 3", Node: "boom", NodeRef: flow.ByID["boom"]}
	rep := &exec.Report{Status: exec.RunFailed, Err: boom.Err, Start: t0, End: t0.Add(420 * time.Millisecond),
		Instances: []*exec.Instance{orders, in("paid", exec.StatusSuccess, 130, 300), boom, in("save", exec.StatusPending, 0, 0)},
		Counts:    exec.Counts{Success: 2, Failed: 1, NotRun: 1}}
	return &Run{ID: "20261125T101500Z-000000", File: "sample.flow.md", Flow: flow, Plan: plan, Report: rep,
		Masker: redact.New([]string{"s3cr3t"})}
}

func TestTables(t *testing.T) {
	r := sampleRun(t)
	want := `## Execution log

| Run | Started (UTC) | Duration | Status | Nodes | First error |
|---|---|---|---|---|---|
| 20261125T101500Z-000000 | 2026-11-25 10:15:00 | 420ms | failed | 2 ok, 1 failed, 1 not run | boom: [R609] exit status 3 |

### Latest run: 20261125T101500Z-000000

| Node | Status | Duration | Attempts | Output |
|---|---|---|---|---|
| orders | success | 120ms | 1 | "***" |
| paid | success | 170ms | 1 | null |
| boom | failed | 270ms | 1 | |
| save | not run | 0ms | 0 | |
`
	if got := r.Tables(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestCellAndCut(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a|b", `a\|b`},
		{"<x>\nnext\r\nend", "&lt;x> next end"},
	} {
		if got := cell(tc.in); got != tc.want {
			t.Errorf("cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"ééééé", 2, "éé…"},
	} {
		if got := Cut(tc.in, tc.n, "…"); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestObject(t *testing.T) {
	r := sampleRun(t)
	o := r.Object()
	got := value.JSON(o)
	for _, want := range []string{`"status":"failed"`, `"exit_code":1`, `"duration_ms":420`,
		`"error":{"code":"R609","message":"exit status 3","node":"boom","line":8,"col":3}`,
		`{"key":"save","kind":"sink/exec","status":"pending","attempts":0,"duration_ms":0,"line":9,"col":3,"error":null}`} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %s:\n%s", want, got)
		}
	}
}

func TestExitCode(t *testing.T) {
	for status, want := range map[string]int{"success": 0, "failed": 1, "rejected": 3, "timed_out": 124, "interrupted": 130} {
		if got := ExitCode(status); got != want {
			t.Errorf("ExitCode(%q) = %d, want %d", status, got, want)
		}
	}
}
