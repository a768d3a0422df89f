package testrun

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/value"
)

const flowSrc = `---
name: t
version: 1
config:
  n: 2
---
<workflow>
  <source id="fetch" type="http" url="https://example.com/{{ $config.n }}">
    <on-error><retry max="2" base="1s" jitter="none"/></on-error>
  </source>
  <delay id="wait" duration="2s" input="fetch"/>
  <transform id="stamp" type="template" input="wait" template="{{ now() }}"/>
  <output expr="{n: $config.n, at: stamp}"/>
</workflow>
`

// writeFiles writes name → content under a new temp dir and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func testFile(cases string) string { return "---\nworkflow: t.flow.md\ntests:\n" + cases + "---\n" }

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, cases, want string
	}{
		{"unknown case key", "  - name: a\n    mock: {}\n", `5:5: error[F107]: unknown key "mock" in a test case`},
		{"unknown node", "  - name: a\n    mocks: {fech: {output: 1}}\n", `5:13: error[N310]: unknown node "fech"`},
		{"not mockable", "  - name: a\n    mocks: {stamp: {output: 1}}\n", ``},
		{"output node", "  - name: a\n    mocks: {output#1: {output: 1}}\n", `error[F109]: node "output#1" (output) cannot be mocked`},
		{"two answers", "  - name: a\n    mocks: {fetch: {output: 1, error: x}}\n", `needs exactly one of output, error or sequence`},
		{"bad code", "  - name: a\n    mocks: {fetch: {error: {code: E1}}}\n", `invalid "code": expected a code such as R601, got "E1"`},
		{"missing name", "  - mocks: {}\n", `error[F108]: test case without a "name"`},
		{"bad config", "  - name: a\n    config: {n: x}\n", `error[R619]: test "a": config n: expected number, got string "x"`},
		{"bad now", "  - name: a\n    now: yesterday\n", `invalid "now": expected an RFC 3339 time`},
		{"bad timeout", "  - name: a\n    timeout: soon\n", `invalid "timeout": expected a duration such as 30s, got "soon"`},
		{"bad pattern", "  - name: a\n    expect: {fetch: {output_matches: '{'}}\n", `error[X408]: invalid pattern "{"`},
		{"bad field", "  - name: a\n    expect: {fetch: {fields: {ulr: x}}}\n", `error[N303]: node "fetch" (source/http) has no field "ulr"`},
		{"bad iteration key", "  - name: a\n    expect: {\"fetch[1]/x\": {runs: 1}}\n", `error[N310]: unknown node "x" in "fetch[1]/x"`},
		{"live unknown", "  - name: a\n    live: [fetc]\n", `error[N310]: unknown node "fetc"`},
		{"approve not checkpoint", "  - name: a\n    approve: {fetch: approve}\n", `node "fetch" is not a checkpoint`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"t.flow.md": flowSrc, "t.test.flow.md": testFile(tt.cases)})
			_, diags := LoadTestFile(filepath.Join(dir, "t.test.flow.md"))
			var all []string
			for _, d := range diags {
				all = append(all, d.Error())
			}
			text := strings.Join(all, "\n")
			if tt.want == "" {
				// stamp is a data node: mocking it is fine.
				if len(diags) != 0 {
					t.Fatalf("unexpected diagnostics:\n%s", text)
				}
				return
			}
			if !strings.Contains(text, tt.want) {
				t.Errorf("diagnostics:\n%s\nwant one containing %q", text, tt.want)
			}
		})
	}
}

func TestRunCase(t *testing.T) {
	cases := `  - name: retries on the virtual clock
    now: 2026-01-01T00:00:00Z
    mocks:
      fetch:
        sequence:
          - error: {message: busy, retryable: true}
          - output: 1
    expect:
      fetch: {attempts: 2, output: 1.0, fields: {url: "https://example.com/2"}}
      stamp: {output: "2026-01-01T00:00:03.000Z"}
    expect_output: {at: "2026-01-01T00:00:03.000Z", n: 2}
  - name: exhausted retries
    mocks:
      fetch: {error: {message: down, code: R606, retryable: true, status: 503}}
    expect_status: failed
    expect_error: {code: R606, node: fetch, message: down}
    expect:
      fetch: {attempts: 3, error: {code: R606}}
      wait: {status: pending}
  - name: mocked delay
    now: 2026-01-01T00:00:00Z
    mocks:
      fetch: {output: 1}
      wait: {output: 5, delay: 1m}
    expect:
      stamp: {input: 5, output: "2026-01-01T00:01:00.000Z"}
  - name: case timeout
    timeout: 10s
    mocks:
      fetch: {output: 1, delay: 11s}
  - name: real io
    expect_status: failed
`
	dir := writeFiles(t, map[string]string{"t.flow.md": flowSrc, "t.test.flow.md": testFile(cases)})
	s, diags := LoadTestFile(filepath.Join(dir, "t.test.flow.md"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	wall := time.Now()
	res := Run(context.Background(), []*Suite{s}, Options{})
	if time.Since(wall) > 5*time.Second {
		t.Errorf("the cases slept: %v", time.Since(wall))
	}
	want := map[string]string{
		"retries on the virtual clock": "",
		"exhausted retries":            "",
		"mocked delay":                 "",
		"case timeout":                 "timeout: the case ran longer than 10s",
		"real io":                      `node "fetch" would perform real I/O; mock it or list it under live`,
	}
	for _, c := range res.Files[0].Cases {
		var lines []string
		for _, f := range c.Failures {
			lines = append(lines, f.Text)
		}
		if got := strings.Join(lines, "\n"); got != want[c.Name] {
			t.Errorf("%s: failures\n%s\nwant\n%s", c.Name, got, want[c.Name])
		}
	}
	if total, passed, failed := res.Counts(); total != 5 || passed != 3 || failed != 2 {
		t.Errorf("counts %d %d %d", total, passed, failed)
	}

	// --run and --fail-fast
	res = Run(context.Background(), []*Suite{s}, Options{Run: regexp.MustCompile("timeout|real"), FailFast: true})
	if total, _, failed := res.Counts(); total != 1 || failed != 1 {
		t.Errorf("fail-fast ran %d cases, %d failed", total, failed)
	}
}

// A failed equality is one line, also for arrays and objects: no diff
// (spec/cli.md §6.4).
func TestMismatchOneLine(t *testing.T) {
	got := value.ObjectOf("b", 2.0, "a", []any{1.0, 2.0}, "c", "x")
	want := value.ObjectOf("a", []any{1.0, 3.0}, "b", 2.0)
	f := mismatch(nil, "expect.x.output", got, want)
	wantText := `expect.x.output: got {"b":2,"a":[1,2],"c":"x"}, want {"a":[1,3],"b":2}`
	if f.Text != wantText {
		t.Errorf("text %q\nwant %q", f.Text, wantText)
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b any
		want bool
	}{
		{1.0, 1.0, true},
		{1, 1.0, true},
		{value.ObjectOf("a", 1.0, "b", 2.0), value.ObjectOf("b", 2.0, "a", 1.0), true},
		{value.ObjectOf("a", 1.0), value.ObjectOf("a", 1.0, "b", nil), false},
		{[]any{1.0, "x"}, []any{1.0, "x"}, true},
		{[]any{1.0}, []any{"1"}, false},
		{[]string{"a"}, []any{"a"}, true},
		{nil, nil, true},
		{nil, false, false},
	}
	for _, tt := range tests {
		if got := equal(tt.a, tt.b); got != tt.want {
			t.Errorf("equal(%v, %v) = %v", tt.a, tt.b, got)
		}
	}
}

func TestShowCuts(t *testing.T) {
	long := strings.Repeat("é", 300)
	got := show(nil, long)
	if n := len([]rune(got)); n != maxShown || !strings.HasSuffix(got, "…") {
		t.Errorf("show cut to %d runes: %q", n, got)
	}
	if got := show(nil, []any{}); got != "[]" {
		t.Errorf("show([]) = %q", got)
	}
}

func TestVClock(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &vclock{start: start}
	c.addLimit(10*time.Second, func() { cancel(errCaseTimeout) })
	c.addLimit(5*time.Second, func() { cancel(errRunTimeout) })
	if err := c.Sleep(ctx, 4*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := c.Now(); !got.Equal(start.Add(4 * time.Second)) {
		t.Errorf("now %v", got)
	}
	if err := c.Sleep(ctx, 20*time.Second); err == nil {
		t.Fatal("sleep past the limits returned nil")
	}
	if !errors.Is(context.Cause(ctx), errRunTimeout) {
		t.Errorf("cause %v, want the earlier limit", context.Cause(ctx))
	}
	if c.Elapsed() != 5*time.Second {
		t.Errorf("elapsed %v, want the limit", c.Elapsed())
	}
}

// A deadline set on the virtual clock fires when a sleep under it passes
// it: the sleep stops there with the deadline's cause; sleeps outside it
// do not fire it; a deadline stopped first never fires.
func TestVClockWithTimeout(t *testing.T) {
	c := &vclock{start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	bg := context.Background()
	late := errors.New("late")
	tctx, stop := c.WithTimeout(bg, 5*time.Second, late)
	defer stop()
	if err := c.Sleep(tctx, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.Sleep(tctx, 10*time.Second); err == nil || !errors.Is(context.Cause(tctx), late) {
		t.Fatalf("sleep past the deadline: %v, cause %v", err, context.Cause(tctx))
	}
	if c.Elapsed() != 5*time.Second {
		t.Errorf("elapsed %v, want the deadline", c.Elapsed())
	}
	other, stopOther := c.WithTimeout(bg, 3*time.Second, late)
	if err := c.Sleep(bg, 10*time.Second); err != nil || c.Elapsed() != 15*time.Second {
		t.Errorf("sleep outside the deadline: %v at %v", err, c.Elapsed())
	}
	if other.Err() != nil {
		t.Errorf("a sleep outside a deadline fired it: %v", context.Cause(other))
	}
	stopOther()
	gone, stopGone := c.WithTimeout(bg, time.Second, late)
	stopGone()
	if err := c.Sleep(gone, 2*time.Second); err == nil || errors.Is(context.Cause(gone), late) {
		t.Errorf("a stopped deadline: sleep %v, cause %v", err, context.Cause(gone))
	}
}

// Lanes forked side by side overlap: two parallel 30 s sleeps take 30 s,
// and work after them starts at the end of the longer one.
func TestVClockLanes(t *testing.T) {
	c := &vclock{start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	bg := context.Background()
	lanes := c.Fork(bg, 2)
	c.Sleep(lanes[0], 30*time.Second)
	c.Sleep(lanes[1], 20*time.Second)
	c.Sleep(lanes[1], 5*time.Second)
	if c.Elapsed() != 30*time.Second {
		t.Fatalf("elapsed %v after parallel sleeps, want 30s", c.Elapsed())
	}
	c.Sleep(bg, time.Second)
	if c.Elapsed() != 31*time.Second {
		t.Errorf("elapsed %v after the join, want 31s", c.Elapsed())
	}
	// A deadline in one lane fires by that lane's time only.
	inner := c.Fork(bg, 2)
	dctx, stop := c.WithTimeout(inner[0], 10*time.Second, errors.New("late"))
	defer stop()
	c.Sleep(inner[1], 60*time.Second)
	if dctx.Err() != nil {
		t.Error("a sleep in another lane fired the deadline")
	}
	if err := c.Sleep(dctx, 11*time.Second); err == nil {
		t.Error("the deadline did not fire")
	}
}

func TestRender(t *testing.T) {
	r := &Result{Files: []*FileResult{{File: "a.test.flow.md", Workflow: "a.flow.md", Class: "a", Cases: []*CaseResult{
		{Name: "ok one", Passed: true, Duration: 3 * time.Millisecond},
		{Name: "bad <one>", Duration: time.Millisecond, Failures: []Failure{{Text: `expect.x.output: got "a", want "b"`}, {Text: "second"}}},
	}}}}
	var b bytes.Buffer
	r.WriteText(&b)
	wantText := "a.test.flow.md\n  ok    ok one (3ms)\n  FAIL  bad <one> (1ms)\n        expect.x.output: got \"a\", want \"b\"\n        second\n2 tests: 1 passed, 1 failed\n"
	if b.String() != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), wantText)
	}
	b.Reset()
	r.WriteJUnit(&b)
	wantXML := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="1" time="0.004">
  <testsuite name="a.test.flow.md" tests="2" failures="1" time="0.004">
    <testcase classname="a" name="ok one" time="0.003"/>
    <testcase classname="a" name="bad &lt;one&gt;" time="0.001">
      <failure message="expect.x.output: got &quot;a&quot;, want &quot;b&quot;">expect.x.output: got "a", want "b"
second</failure>
    </testcase>
  </testsuite>
</testsuites>
`
	if b.String() != wantXML {
		t.Errorf("junit:\n%s\nwant:\n%s", b.String(), wantXML)
	}
	b.Reset()
	r.WriteJSON(&b)
	wantJSON := `{"total":2,"passed":1,"failed":1,"files":[{"file":"a.test.flow.md","workflow":"a.flow.md","cases":[{"name":"ok one","status":"passed","duration_ms":3,"failures":[]},{"name":"bad <one>","status":"failed","duration_ms":1,"failures":["expect.x.output: got \"a\", want \"b\"","second"]}]}]}` + "\n"
	if b.String() != wantJSON {
		t.Errorf("json:\n%s\nwant:\n%s", b.String(), wantJSON)
	}
}

func TestValidate(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"t.flow.md":      flowSrc,
		"t.test.flow.md": testFile("  - name: a\n    expect: {stmp: {runs: 1}}\n"),
	})
	diags := Validate(filepath.Join(dir, "t.test.flow.md"))
	if len(diags) != 1 || diags[0].Code != "N310" || diags[0].Suggestion != "stamp" {
		t.Errorf("Validate: %v", diags)
	}
	if diags := Validate(filepath.Join(dir, "t.flow.md")); len(diags) != 0 {
		t.Errorf("Validate of a workflow without tests: %v", diags)
	}
}

func BenchmarkRunCase(b *testing.B) {
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "t.flow.md"), []byte(flowSrc), 0o644)
	os.WriteFile(filepath.Join(dir, "t.test.flow.md"), []byte(testFile("  - name: a\n    mocks: {fetch: {output: 1}}\n")), 0o644)
	s, diags := LoadTestFile(filepath.Join(dir, "t.test.flow.md"))
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := s.RunCase(context.Background(), s.Cases[0], Options{}); !r.Passed {
			b.Fatal(r.Failures)
		}
	}
}

const secretFlowSrc = `---
name: s
version: 1
secrets:
  - TOKEN
  - {name: PIN, required: false}
  - {name: CI_KEY, env: CI_KEY_VAR, required: false}
---
<workflow>
  <source id="fetch" type="http" url="https://example.com/x"/>
  <output expr="{bearer: 'Bearer ' + $secrets.TOKEN, b64: base64_encode($secrets.TOKEN), url: url_encode($secrets.TOKEN), pin: [$secrets.PIN], got: fetch}"/>
</workflow>
`

// Regression: failure lines showed secret values in plain text. Every
// spelling of every secret the case can reach is masked in every failure
// line (spec/execution.md §15), and before the 200-character cut, so a
// secret across the cut is not half shown.
func TestSecretsMaskedInFailures(t *testing.T) {
	long := strings.Repeat("x", 190) + "s3cr3t/välue" + strings.Repeat("y", 20)
	cases := `  - name: output
    secrets: {TOKEN: s3cr3t/välue, PIN: ab}
    mocks: {fetch: {output: 1}}
    expect_output: nope
  - name: node output cut
    secrets: {TOKEN: s3cr3t/välue}
    mocks: {fetch: {output: "` + long + `"}}
    expect: {fetch: {output: "Bearer s3cr3t/välue"}}
  - name: node error s3cr3t/välue
    secrets: {TOKEN: s3cr3t/välue}
    mocks: {fetch: {error: "denied for s3cr3t/välue"}}
    expect_error: {message: nope}
    expect: {fetch: {error: nope, status: success}}
  - name: environment
    mocks: {fetch: {output: from-env-9876}}
    expect: {fetch: {output: 1}}
`
	dir := writeFiles(t, map[string]string{"s.flow.md": secretFlowSrc, "s.test.flow.md": "---\nworkflow: s.flow.md\ntests:\n" + cases + "---\n"})
	s, diags := LoadTestFile(filepath.Join(dir, "s.test.flow.md"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	env := func(name string) (string, bool) {
		if name == "CI_KEY_VAR" {
			return "from-env-9876", true
		}
		return "", false
	}
	res := Run(context.Background(), []*Suite{s}, Options{Getenv: env})
	want := map[string][]string{
		"output":          {`expect_output: got {"bearer":"Bearer ***","b64":"***","url":"***","pin":["***"],"got":1}, want "nope"`},
		"node output cut": {`expect.fetch.output: got "` + strings.Repeat("x", 190) + `***` + strings.Repeat("y", 5) + `…, want "Bearer ***"`},
		"node error ***": {
			`expect_status: got "failed", want "success"`,
			`expect_error.message: got "denied for ***", want a message containing "nope"`,
			`expect.fetch.status: got "failed", want "success"`,
			`expect.fetch.error: got "denied for ***", want a message containing "nope"`,
		},
		"environment": {`expect.fetch.output: got "***", want 1`},
	}
	var b bytes.Buffer
	for _, w := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return res.WriteText(b) },
		func(b *bytes.Buffer) error { return res.WriteJSON(b) },
		func(b *bytes.Buffer) error { return res.WriteJUnit(b) },
	} {
		if err := w(&b); err != nil {
			t.Fatal(err)
		}
	}
	for _, leak := range []string{"s3cr3t", "czNjcjN0L3bDpGx1ZQ==", "s3cr3t%2Fv%C3%A4lue", `"ab"`, "from-env"} {
		if strings.Contains(b.String(), leak) {
			t.Errorf("output shows %q:\n%s", leak, b.String())
		}
	}
	if len(res.Files) != 1 || len(res.Files[0].Cases) != len(want) {
		t.Fatalf("ran %v", res.Files)
	}
	for _, c := range res.Files[0].Cases {
		var got []string
		for _, f := range c.Failures {
			got = append(got, f.Text)
		}
		if strings.Join(got, "\n") != strings.Join(want[c.Name], "\n") {
			t.Errorf("%s: failures\n%s\nwant\n%s", c.Name, strings.Join(got, "\n"), strings.Join(want[c.Name], "\n"))
		}
	}
}
