package frontmatter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/source"
)

func parse(t *testing.T, src string) (*Frontmatter, int, source.List, *source.File) {
	t.Helper()
	f := source.NewFile("w.flow.md", []byte(src))
	start := 0
	if strings.HasPrefix(src, "\uFEFF") {
		start = 3
	}
	fm, body, diags := Parse(f, start)
	diags.Sort()
	return fm, body, diags, f
}

// render writes each diagnostic as `line:col-endline:endcol CODE message
// [hints]`.
func render(l source.List) []string {
	var out []string
	for _, d := range l {
		s, e := d.Start(), d.End()
		line := fmt.Sprintf("%d:%d-%d:%d %s %s", s.Line, s.Col, e.Line, e.Col, d.Code, d.Message)
		for _, h := range d.Hints {
			line += " | " + h
		}
		out = append(out, line)
	}
	return out
}

const head = "---\nname: w\nversion: 1.0.0\n"

// aliasLevels returns n lines "    - &aK [*aJ, …]" of ten aliases each to
// the line before: with a first level of ten values, 10^(n+1) values.
func aliasLevels(n int) string {
	var b strings.Builder
	for k := 1; k <= n; k++ {
		ref := fmt.Sprintf("*a%d", k-1)
		fmt.Fprintf(&b, "    - &a%d [%s]\n", k, strings.TrimSuffix(strings.Repeat(ref+", ", 10), ", "))
	}
	return b.String()
}

func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"F103 no delimiter", "name: x\n---\n", []string{`1:1-1:8 F103 file does not start with a "---" line | a workflow file starts with YAML frontmatter between two "---" lines`}},
		{"F103 text after dashes", "--- x\nname: a\n---\n", []string{`1:1-1:6 F103 file does not start with a "---" line | a workflow file starts with YAML frontmatter between two "---" lines`}},
		{"F104 not closed", "---\nname: x\nversion: 1\n", []string{`1:1-1:4 F104 frontmatter not closed by a "---" line`}},
		{"F105 syntax", "---\nname: x\nversion: 1\nbad: [\n---\n", []string{`4:1-4:7 F105 invalid YAML: did not find expected node content`}},
		{"F105 line", "---\nname: x\n\tversion: 1\n---\n", []string{`3:1-3:12 F105 invalid YAML: found a tab character that violates indentation`}},
		{"F105 first line", "---\na: b: c\n---\n", []string{`2:1-2:8 F105 invalid YAML: mapping values are not allowed in this context`}},
		{"F106 list", "---\n- a\n- b\n---\n", []string{`2:1-2:4 F106 frontmatter must be a mapping, got a list`}},
		{"F106 scalar", "---\nhello\n---\n", []string{`2:1-2:6 F106 frontmatter must be a mapping, got a string`}},
		{"F107 top", head + "descripton: x\n---\n", []string{`4:1-4:11 F107 unknown frontmatter key "descripton" | did you mean "description"?`}},
		{"F107 top no suggestion", head + "zzzzzz: x\n---\n", []string{`4:1-4:7 F107 unknown frontmatter key "zzzzzz" | expected one of: name, version, description, trigger, config, secrets, env, input`}},
		{"F107 runtime", head + "runtime:\n  concurency: 3\n---\n", []string{`5:3-5:13 F107 unknown key "concurency" in "runtime" | did you mean "concurrency"?`}},
		{"F107 runtime.ai", head + "runtime:\n  ai:\n    modle: x\n---\n", []string{`6:5-6:10 F107 unknown key "modle" in "runtime.ai" | did you mean "model"?`}},
		{"F107 trigger", head + "trigger:\n  schedul: \"0 9 * * MON\"\n---\n", []string{`5:3-5:10 F107 unknown key "schedul" in "trigger" | did you mean "schedule"?`}},
		{"F107 config entry", head + "config:\n  limit:\n    defualt: 3\n---\n", []string{`6:5-6:12 F107 unknown key "defualt" in config entry "limit" | did you mean "default"?`}},
		{"F107 secrets item", head + "secrets:\n  - {nme: X}\n---\n", []string{`5:5-5:13 F113 secrets item has no "name"`, `5:6-5:9 F107 unknown key "nme" in secrets item | did you mean "name"?`}},
		{"F107 input field", head + "input:\n  n: {type: number, requird: false}\n---\n", []string{`5:21-5:28 F107 unknown key "requird" in input field "n" | did you mean "required"?`}},
		{"F111 recursive alias", head + "config:\n  rec: &x [1, *x]\n---\n", []string{`5:15-5:17 F111 alias *x refers to itself`}},
		{"F111 recursive alias in default", head + "config:\n  l:\n    type: array\n    default: &x\n      - *x\n---\n", []string{`8:9-8:11 F111 alias *x refers to itself`}},
		{"F111 alias bomb", head + "config:\n  b:\n    - &a0 [x, x, x, x, x, x, x, x, x, x]\n" + aliasLevels(8) + "---\n", []string{`11:47-11:50 F111 aliases expand to more than 1000000 values or 64 MiB of text`}},
		{"metadata unchecked", head + "metadata:\n  anything: [1, {x: y}]\n  Whatever: 3\n---\n", nil},
		{"spellings", head + "runtime:\n  retry: {max: 2, maxDelay: 5s, max-delay: 6s}\n---\n", []string{`5:33-5:42 F110 duplicate key "max-delay" (same as "maxDelay") | first defined on line 5`}},
		{"F108 both", "---\ndescription: x\n---\n", []string{`1:1-1:4 F108 missing required key "name"`, `1:1-1:4 F108 missing required key "version"`}},
		{"F108 empty", "---\n---\n", []string{`1:1-1:4 F108 missing required key "name"`, `1:1-1:4 F108 missing required key "version"`}},
		{"F109 version v", "---\nname: w\nversion: v1.0\n---\n", []string{`3:10-3:14 F109 invalid "version": expected a version such as 1.0.0, got "v1.0" | drop the leading v`}},
		{"F109 version 4 parts", "---\nname: w\nversion: 1.0.0.0\n---\n", []string{`3:10-3:17 F109 invalid "version": expected a version such as 1.0.0, got "1.0.0.0"`}},
		{"F109 version latest", "---\nname: w\nversion: latest\n---\n", []string{`3:10-3:16 F109 invalid "version": expected a version such as 1.0.0, got "latest"`}},
		{"F109 version empty", "---\nname: w\nversion:\n---\n", []string{`3:8-3:9 F109 invalid "version": expected a version such as 1.0.0, got ""`}},
		{"F109 version map", "---\nname: w\nversion: {a: 1}\n---\n", []string{`3:10-3:16 F109 invalid "version": expected a version such as 1.0.0, got a mapping`}},
		{"F109 name", "---\nname: my flow\nversion: 1\n---\n", []string{`2:7-2:14 F109 invalid "name": expected 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit, got "my flow"`}},
		{"F109 name dash", "---\nname: -x\nversion: 1\n---\n", []string{`2:7-2:9 F109 invalid "name": expected 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit, got "-x"`}},
		{"F109 name long", "---\nname: " + strings.Repeat("a", 129) + "\nversion: 1\n---\n", []string{`2:7-2:136 F109 invalid "name": expected 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit, got "` + strings.Repeat("a", 129) + `"`}},
		{"F109 concurrency", head + "runtime:\n  concurrency: 0\n---\n", []string{`5:16-5:17 F109 invalid "runtime.concurrency": expected an integer of at least 1, got 0`}},
		{"F109 scheduler", head + "runtime:\n  scheduler: wave\n---\n", []string{`5:14-5:18 F109 invalid "runtime.scheduler": expected waves or eager, got "wave" | did you mean "waves"?`}},
		{"F109 timeout no unit", head + "runtime:\n  timeout: 300\n---\n", []string{`5:12-5:15 F109 invalid "runtime.timeout": missing unit in duration "300" | write 300ms or 300s`}},
		{"F109 timeout calendar", head + "runtime:\n  timeout: P1M\n---\n", []string{`5:12-5:15 F109 invalid "runtime.timeout": calendar units have no fixed length | write weeks or days instead, such as P30D`}},
		{"F109 retry max", head + "runtime:\n  retry: {max: 101, backoff: expo, jitter: 2}\n---\n", []string{
			`5:16-5:19 F109 invalid "runtime.retry.max": expected an integer from 1 to 100, got 101`,
			`5:30-5:34 F109 invalid "runtime.retry.backoff": expected exponential, linear or fixed, got "expo"`,
			`5:44-5:45 F109 invalid "runtime.retry.jitter": expected full, none or a number from 0 to 1, got 2`}},
		{"F109 log keep", head + "runtime:\n  log: {keep: 0}\n---\n", []string{`5:15-5:16 F109 invalid "runtime.log.keep": expected an integer from 1 to 100, got 0`}},
		{"F109 log kind", head + "runtime:\n  log: yes\n---\n", []string{`5:8-5:11 F109 invalid "runtime.log": expected true, false or {keep: n}, got "yes"`}},
		{"F109 timezone", head + "runtime:\n  timezone: Europe/Pari\n---\n", []string{`5:13-5:24 F109 invalid "runtime.timezone": unknown time zone "Europe/Pari" | use an IANA zone name such as "Europe/Paris" or "UTC"`}},
		{"F109 cron", head + "trigger:\n  schedule: \"0 9 * *\"\n---\n", []string{`5:13-5:22 F109 invalid "trigger.schedule": expected exactly 5 fields, found 4: [0 9 * *] | use 5 cron fields ("0 9 * * MON") or "every <duration>" ("every 4h")`}},
		{"F109 every", head + "trigger:\n  schedule: every 4x\n---\n", []string{`5:13-5:21 F109 invalid "trigger.schedule": expected "every <duration>" with a duration above zero, got "every 4x" | for example "every 4h" or "every 30m"`}},
		{"F109 trigger string", head + "trigger: cron\n---\n", []string{`4:10-4:14 F109 invalid "trigger": expected "manual" or a mapping, got "cron"`}},
		{"F109 webhook", head + "trigger:\n  webhook: {path: hook, auth: token}\n---\n", []string{
			`5:19-5:23 F109 invalid "trigger.webhook.path": expected a path starting with "/", got "hook"`,
			`5:31-5:36 F109 invalid "trigger.webhook.auth": expected none, basic, bearer or hmac, got "token"`}},
		{"F109 watch events", head + "trigger:\n  watch: {paths: [\"*.md\"], events: [created, removed]}\n---\n", []string{`5:46-5:53 F109 invalid "trigger.watch.events": expected created, modified or deleted, got "removed"`}},
		{"F109 ai", head + "runtime:\n  ai: {base_url: ftp://x, token_budget: -1}\n---\n", []string{
			`5:18-5:25 F109 invalid "runtime.ai.base_url": expected an http or https URL, got "ftp://x"`,
			`5:41-5:43 F109 invalid "runtime.ai.token_budget": expected an integer of at least 1, got -1`}},
		{"F110 top", head + "name: z\n---\n", []string{`4:1-4:5 F110 duplicate key "name" | first defined on line 2`}},
		{"F110 deep in metadata", head + "metadata:\n  a:\n    b: 1\n    b: 2\n---\n", []string{`7:5-7:6 F110 duplicate key "b" | first defined on line 6`}},
		{"F111 key", head + "config:\n  output-dir: ./out\n---\n", []string{"5:3-5:13 F111 invalid config key \"output-dir\": expected letters, digits and \"_\", not starting with a digit | use `output_dir`, not `output-dir`"}},
		{"F111 type", head + "config:\n  n: {type: strng}\n---\n", []string{`5:13-5:18 F111 unknown type "strng" of config "n" | did you mean "string"?`}},
		{"F111 default type", head + "config:\n  n:\n    type: number\n    default: \"5\"\n---\n", []string{`7:14-7:17 F111 invalid default of "n": expected number, got string "5"`}},
		{"F111 integer default", head + "config:\n  n: {type: integer, default: 3.5}\n---\n", []string{`5:31-5:34 F111 invalid default of "n": expected integer, got number 3.5`}},
		{"F111 default not in enum", head + "config:\n  s: {type: \"enum[formal, casual]\", default: casul}\n---\n", []string{`5:46-5:51 F111 invalid default of "s": "casul" is not one of formal, casual`}},
		{"F111 enum empty", head + "config:\n  s: {enum: []}\n---\n", []string{`5:13-5:15 F111 enum of config "s" is empty`}},
		{"F111 enum mixed", head + "config:\n  s: {enum: [a, 1]}\n---\n", []string{`5:17-5:18 F111 enum of config "s" mixes types: string and number`}},
		{"F111 enum needs list", head + "config:\n  s: {type: enum}\n---\n", []string{"5:13-5:17 F111 type \"enum\" of \"s\" needs an \"enum\" list | add `enum: [a, b]` or write `type: enum[a, b]`"}},
		{"F111 enum DSL error", head + "config:\n  s: {type: \"enum[a, a]\"}\n---\n", []string{`5:22-5:23 F111 invalid type of "s": duplicate enum value a`}},
		{"W702", head + "config:\n  s:\n    default: x\n    required: true\n---\n", []string{`7:5-7:13 W702 "required: true" has no effect on "s", which has a default | drop "required" or the default`}},
		{"F112 DSL in plain scalar", head + "input:\n  tags: strng[]\n---\n", []string{`5:9-5:14 F112 invalid type of input field "tags": unknown type "strng" | did you mean "string"?`}},
		{"F112 DSL in quoted scalar", head + "output:\n  r: \"{a: number, b: numbr}\"\n---\n", []string{`5:22-5:27 F112 invalid type of output field "r": unknown type "numbr" | did you mean "number"?`}},
		{"F112 DSL in literal block", head + "input:\n  r: |\n    {\n      a: number\n      b: bolean\n    }\n---\n", []string{`8:10-8:16 F112 invalid type of input field "r": unknown type "bolean" | did you mean "boolean"?`}},
		{"F112 no type", head + "input:\n  r:\n---\n", []string{`5:4-5:5 F112 input field "r" has no type | write a type such as "string", "number?" or "string[]"`}},
		{"F112 default", head + "input:\n  n: {type: integer, default: x}\n---\n", []string{`5:31-5:32 F112 invalid default of input field "n": expected integer, got string "x"`}},
		{"F112 not mapping", head + "input: [a]\n---\n", []string{`4:8-4:11 F112 invalid "input": expected a mapping of field names to types, got a list`}},
		{"F113 dup secret", head + "secrets:\n  - A\n  - {name: A}\n---\n", []string{`6:12-6:13 F113 duplicate secret "A" | first declared on line 5`}},
		{"F113 secret name", head + "secrets:\n  - my-token\n---\n", []string{`5:5-5:13 F113 invalid secret name "my-token": expected letters, digits and "_", not starting with a digit`}},
		{"F113 env value", head + "env:\n  A: [1]\n---\n", []string{`5:6-5:9 F113 invalid default of env "A": expected a string, number, boolean or null, got a list`}},
		{"F113 env name", head + "env:\n  1A: x\n---\n", []string{`5:3-5:5 F113 invalid environment variable name "1A": expected letters, digits and "_", not starting with a digit`}},
		{"multibyte columns", "---\nname: w\nversion: 1\ndescription: \"héé\"\nrüntime: {}\n---\n", []string{`5:1-5:8 F107 unknown frontmatter key "rüntime" | did you mean "runtime"?`}},
		{"every problem reported", "---\nname: a b\nversion: v2\nruntime: {concurrency: 0, scheduler: x}\n---\n", []string{
			`2:7-2:10 F109 invalid "name": expected 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit, got "a b"`,
			`3:10-3:12 F109 invalid "version": expected a version such as 1.0.0, got "v2" | drop the leading v`,
			`4:24-4:25 F109 invalid "runtime.concurrency": expected an integer of at least 1, got 0`,
			`4:38-4:39 F109 invalid "runtime.scheduler": expected waves or eager, got "x"`}},
	}
	for _, tt := range tests {
		_, _, diags, _ := parse(t, tt.src)
		got := render(diags)
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\ngot\n  %s\nwant\n  %s", tt.name, strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
		}
	}
}
