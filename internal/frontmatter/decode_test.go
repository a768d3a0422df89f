package frontmatter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/value"
	"gopkg.in/yaml.v3"
)

func mustParse(t *testing.T, src string) *Frontmatter {
	t.Helper()
	fm, _, diags, _ := parse(t, src)
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%s", strings.Join(render(diags), "\n"))
	}
	return fm
}

func TestVersionAccepted(t *testing.T) {
	for _, v := range []struct{ yaml, want string }{
		{"1", "1"}, {"1.0", "1.0"}, {"1.10", "1.10"}, {`"1.0.0"`, "1.0.0"}, {"1.0.0", "1.0.0"},
		{"2.1.0-beta.1", "2.1.0-beta.1"}, {"1.0.0+build.7", "1.0.0+build.7"},
	} {
		fm := mustParse(t, "---\nname: a\nversion: "+v.yaml+"\n---\n")
		if fm.Version != v.want {
			t.Errorf("version: %s gave %q, want %q", v.yaml, fm.Version, v.want)
		}
	}
}

func TestBodyStartAndBOM(t *testing.T) {
	src := "\uFEFF---  \r\nname: a\r\nversion: 1\r\n--- \t\r\n# Body\n"
	fm, body, diags, _ := parse(t, src)
	if len(diags) != 0 || fm == nil || fm.Name != "a" {
		t.Fatalf("diags %v fm %+v", render(diags), fm)
	}
	if got := src[body:]; got != "# Body\n" {
		t.Errorf("body starts at %q", got)
	}
	_, body, _, _ = parse(t, "---\nname: a\nversion: 1\n---")
	if body != len("---\nname: a\nversion: 1\n---") {
		t.Errorf("body at EOF = %d", body)
	}
}

// TestPosMap checks the one adapter from yaml.v3 line/column (columns in
// runes) to file byte offsets.
func TestPosMap(t *testing.T) {
	src := "\uFEFF---\nk: \"é€x\"\n  é: 1\n---\n"
	f := source.NewFile("a", []byte(src))
	m := posMap{f: f, line0: 2, end: strings.LastIndex(src, "---")}
	tests := []struct{ line, col, want int }{
		{1, 1, strings.Index(src, "k:")},
		{1, 4, strings.Index(src, `"é`)},
		{2, 3, strings.Index(src, "é:")},
		{2, 4, strings.Index(src, "é:") + 2},     // the colon after the two-byte é
		{2, 99, strings.Index(src, "é:") + 5},    // clamped to the line end
		{9, 1, strings.LastIndex(src, "---")},    // clamped to the closing line
		{1, 5, strings.Index(src, `"é`) + 1},     // é
		{1, 6, strings.Index(src, `"é`) + 1 + 2}, // €
		{1, 7, strings.Index(src, `"é`) + 1 + 5}, // x
	}
	for _, tt := range tests {
		if got := m.offset(tt.line, tt.col); got != tt.want {
			t.Errorf("offset(%d, %d) = %d, want %d", tt.line, tt.col, got, tt.want)
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("k: \"é€x\"\n"), &doc); err != nil {
		t.Fatal(err)
	}
	val := doc.Content[0].Content[1]
	sp := m.span(val)
	if got := src[sp.Start:sp.End]; got != `"é€x"` {
		t.Errorf("span of quoted scalar = %q", got)
	}
	if got := m.scalarMap(val)(len("é€")); src[got] != 'x' {
		t.Errorf("scalarMap points at %q", src[got])
	}
}

// TestSpecExamples decodes the examples of spec/format.md §2.
func TestSpecExamples(t *testing.T) {
	src := `---
name: deploy
version: 1.0.0
description: Ships it
trigger:
  schedule: "0 9 * * MON"
  webhook: {path: /hooks/deploy, auth: hmac}
  watch: {paths: ["src/**"], events: [created, modified]}
config:
  output_dir: ./out            # shorthand → string, default "./out"
  limit:
    type: integer
    default: 20
    description: How many items to fetch
  style:
    type: enum[formal, casual]
    default: casual
  api_base:
    type: string
    required: true
  retries: 3
  verbose: false
  tags: [a, b]
  empty:
  levels: {enum: [1, 2, 3]}
secrets:
  - GITHUB_TOKEN                      # from $GITHUB_TOKEN, required
  - {name: SLACK, env: SLACK_WEBHOOK_URL, required: false}   # null when unset
env:
  CI: "false"
  GITHUB_SHA: null
  PORT: 8080
input:
  repo: string
  limit: {type: integer, default: 10}
  labels: string[]?
output:
  count: number
  url: string
runtime:
  timeout: 1h30m
  concurrency: 4
  scheduler: eager
  retry: {max: 5, backoff: linear, base: 500ms, max-delay: 10s, jitter: 0.5, when: "$error.status >= 500"}
  log: true
  timezone: Europe/Paris
  ai: {model: gpt-x, apiKeySecret: SLACK, token_budget: 1000}
tests:
  - name: t1
metadata: {owner: me}
---
`
	fm := mustParse(t, src)
	if fm.Name != "deploy" || fm.Version != "1.0.0" || fm.Description != "Ships it" {
		t.Errorf("header: %q %q %q", fm.Name, fm.Version, fm.Description)
	}
	tr := fm.Trigger
	if tr == nil || tr.Schedule != "0 9 * * MON" || tr.Webhook.Path != "/hooks/deploy" || tr.Webhook.Auth != "hmac" ||
		strings.Join(tr.Watch.Paths, ",") != "src/**" || strings.Join(tr.Watch.Events, ",") != "created,modified" {
		t.Errorf("trigger: %+v", tr)
	}
	var cfg []string
	for _, c := range fm.Config {
		s := c.Key + ":" + c.Type
		if c.HasDefault {
			s += "=" + value.JSON(c.Default)
		}
		if c.Enum != nil {
			s += " enum" + value.JSON(c.Enum)
		}
		if c.Required {
			s += " required"
		}
		cfg = append(cfg, s)
	}
	want := `output_dir:string="./out" limit:integer=20 style:string="casual" enum["formal","casual"] api_base:string required ` +
		`retries:number=3 verbose:boolean=false tags:array=["a","b"] empty:string levels:number enum[1,2,3]`
	if got := strings.Join(cfg, " "); got != want {
		t.Errorf("config:\n got %s\nwant %s", got, want)
	}
	if fm.Config[1].Description != "How many items to fetch" {
		t.Errorf("description %q", fm.Config[1].Description)
	}
	if got := strings.Join(fm.ConfigKeys(), ","); got != "output_dir,limit,style,api_base,retries,verbose,tags,empty,levels" {
		t.Errorf("ConfigKeys = %s", got)
	}
	if s := fm.Secrets; len(s) != 2 || s[0].Name != "GITHUB_TOKEN" || s[0].Env != "GITHUB_TOKEN" || !s[0].Required ||
		s[1].Name != "SLACK" || s[1].Env != "SLACK_WEBHOOK_URL" || s[1].Required {
		t.Errorf("secrets: %+v %+v", s[0], s[1])
	}
	if e := fm.Env; len(e) != 3 || *e[0].Default != "false" || e[1].Default != nil || *e[2].Default != "8080" {
		t.Errorf("env: %+v", e)
	}
	var in []string
	for _, f := range fm.Input.Fields {
		s := f.Name + ":" + f.Type.String()
		if f.Required {
			s += "!"
		}
		if f.HasDefault {
			s += "=" + value.JSON(f.Default)
		}
		in = append(in, s)
	}
	if got := strings.Join(in, " "); got != "repo:string! limit:integer=10 labels:string[]?" {
		t.Errorf("input: %s", got)
	}
	if got := fm.Output.Type().String(); got != "{count: number, url: string}" {
		t.Errorf("output type: %s", got)
	}
	rt := fm.Runtime
	if rt.Timeout != 5400000 || rt.Concurrency != 4 || rt.Scheduler != "eager" || rt.Timezone != "Europe/Paris" ||
		rt.Log != (Log{On: true, Keep: 5}) {
		t.Errorf("runtime: %+v", rt)
	}
	if r := rt.Retry; r == nil || r.Max != 5 || r.Backoff != "linear" || r.Base != 500 || r.MaxDelay != 10000 || r.Jitter != "0.5" || r.When != "$error.status >= 500" {
		t.Errorf("retry: %+v", rt.Retry)
	}
	if ai := rt.AI; ai.Model != "gpt-x" || ai.APIKeySecret != "SLACK" || ai.TokenBudget != 1000 || ai.BaseURL != DefaultAIBaseURL {
		t.Errorf("ai: %+v", rt.AI)
	}
	if fm.Tests == nil || len(fm.Tests.Content) != 1 {
		t.Errorf("tests: %v", fm.Tests)
	}
	if sp, ok := fm.Spans["runtime"]; !ok || src[sp.Start:sp.End] != "runtime" {
		t.Errorf("Spans[runtime] = %v", sp)
	}
	if sp := fm.Config[0].KeySpan; src[sp.Start:sp.End] != "output_dir" {
		t.Errorf("KeySpan = %q", src[sp.Start:sp.End])
	}
	if sp := fm.Secrets[1].Span; src[sp.Start:sp.End] != "SLACK" {
		t.Errorf("secret span = %q", src[sp.Start:sp.End])
	}
}

func TestDefaults(t *testing.T) {
	fm := mustParse(t, "---\nname: a\nversion: 1\ntrigger: manual\nruntime:\n  retry: 2\n  log: {keep: 9}\n---\n")
	if fm.Trigger == nil || !fm.Trigger.Manual {
		t.Errorf("trigger: %+v", fm.Trigger)
	}
	rt := fm.Runtime
	if rt.Timezone != "UTC" || rt.AI.APIKeySecret != "OPENROUTER_API_KEY" || rt.AI.BaseURL != "https://openrouter.ai/api/v1" ||
		rt.Concurrency != 0 || rt.Timeout != 0 || rt.Log != (Log{On: true, Keep: 9}) {
		t.Errorf("runtime defaults: %+v", rt)
	}
	if r := rt.Retry; r == nil || r.Max != 2 || r.Backoff != "exponential" || r.Base != 1000 || r.MaxDelay != 30000 || r.Jitter != "full" {
		t.Errorf("retry: %+v", r)
	}
	if fm.Input != nil || fm.InputKeys() != nil {
		t.Errorf("input should be nil")
	}
	fm = mustParse(t, "---\nname: a\nversion: 1\ninput: {}\n---\n")
	if fm.Input == nil || fm.InputKeys() == nil || len(fm.InputKeys()) != 0 {
		t.Errorf("empty input: %+v", fm.Input)
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
