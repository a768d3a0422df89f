package frontmatter

import (
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

// TestResolveConfigTable is the table of cli.md §11.1.
func TestResolveConfigTable(t *testing.T) {
	tests := []struct {
		decl, flag string
		want       string // JSON of the value, or the error and hints joined by " / "
	}{
		{`name: {type: string}`, `name=hello world`, `"hello world"`},
		{`name: {type: string}`, `name=42`, `"42"`},
		{`limit: {type: integer}`, `limit=20`, `20`},
		{`limit: {type: integer}`, `limit=2.5`, `--config limit: expected integer, got "2.5"`},
		{`deploy: false`, `deploy=true`, `true`},
		{`tags: [a]`, `tags=["x","y"]`, `["x","y"]`},
		{`eq: ""`, `eq=a=b+c`, `"a=b+c"`},
		{`note: x`, `note=`, `""`},
		{`style: {type: "enum[formal, casual]"}`, `style=casul`, `--config style: "casul" is not one of formal, casual / hint: did you mean "casual"?`},
		{`limit: 20`, `lmit=3`, `--config: unknown key "lmit" / hint: did you mean "limit"?`},
		// Beyond the table.
		{`n: 1`, `n=abc`, `--config n: expected number, got "abc"`},
		{`n: 1`, `n=1e3`, `1000`},
		{`b: true`, `b=yes`, `--config b: expected boolean, got "yes"`},
		{`o: {type: object}`, `o={"a":1}`, `{"a":1}`},
		{`o: {type: object}`, `o=[1]`, `--config o: expected object, got "[1]"`},
		{`lv: {enum: [1, 2]}`, `lv=2`, `2`},
		{`s: x`, `s=@@at`, `"@at"`},
		{`s: x`, `noequals`, `--config: expected KEY=VALUE, got "noequals"`},
		{`s: x`, `=v`, `--config: empty key in "=v"`},
		{`s: x`, ` s =v`, `"v"`},
	}
	for _, tt := range tests {
		fm := mustParse(t, "---\nname: a\nversion: 1\nconfig:\n  "+tt.decl+"\n---\n")
		obj, errs := ResolveConfig(fm, []string{tt.flag}, "", "")
		var got string
		if len(errs) > 0 {
			var parts []string
			for _, e := range errs {
				parts = append(parts, e.Message)
				for _, h := range e.Hints {
					parts = append(parts, "hint: "+h)
				}
			}
			got = strings.Join(parts, " / ")
		} else {
			v, _ := obj.Get(fm.Config[0].Key)
			got = value.JSON(v)
		}
		if got != tt.want {
			t.Errorf("%s with -c %s: got %s, want %s", tt.decl, tt.flag, got, tt.want)
		}
	}
}

func TestResolveConfigFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "c.yaml", "limit: 7\nstyle: formal\n")
	writeFile(t, dir, "bad.json", `{"limit": "x", "lmit": 1}`)
	writeFile(t, dir, "note.txt", "hello\n")
	writeFile(t, dir, "tags.json", `["p", "q"]`)
	fm := mustParse(t, `---
name: a
version: 1
config:
  limit: {type: integer, default: 20}
  style: {type: "enum[formal, casual]", default: casual}
  note: ""
  tags: [a]
  api_base: {type: string, required: true}
  opt: {type: number}
---
`)
	obj, errs := ResolveConfig(fm, []string{"style=casual", "note=@note.txt", "tags=@tags.json", "api_base=http://x", "limit=8", "limit=9"}, "c.yaml", dir)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs[0].Message)
	}
	if got, want := value.JSON(obj), `{"limit":9,"style":"casual","note":"hello","tags":["p","q"],"api_base":"http://x","opt":null}`; got != want {
		t.Errorf("resolved %s\nwant     %s", got, want)
	}
	obj, errs = ResolveConfig(fm, nil, "c.yaml", dir)
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Message+" "+strings.Join(e.Hints, ";"))
	}
	if got, want := strings.Join(msgs, "\n"), "--config api_base: a value is required pass --config api_base=VALUE"; got != want {
		t.Errorf("errors:\n%s\nwant\n%s", got, want)
	}
	if v, _ := obj.Get("limit"); v != 7.0 {
		t.Errorf("limit from file = %v", v)
	}
	_, errs = ResolveConfig(fm, []string{"api_base=x"}, "bad.json", dir)
	msgs = nil
	for _, e := range errs {
		msgs = append(msgs, e.Message+" "+strings.Join(e.Hints, ";"))
	}
	want := "--config-file limit: expected integer, got string \"x\" \n--config-file: unknown key \"lmit\" did you mean \"limit\"?"
	if got := strings.Join(msgs, "\n"); got != want {
		t.Errorf("errors:\n%s\nwant\n%s", got, want)
	}
	_, errs = ResolveConfig(fm, []string{"api_base=x"}, "missing.yaml", dir)
	if len(errs) != 1 || errs[0].Message != `--config-file: cannot read "missing.yaml": no such file or directory` {
		t.Errorf("missing file: %v", errs)
	}
}

func TestParseInput(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "in.json", `{"a": [1, 2]}`)
	writeFile(t, dir, "in.yaml", "a: x\nb: 2\n")
	writeFile(t, dir, "bad.json", `{"a" 1}`)
	tests := []struct{ arg, stdin, want string }{
		{`{"repo": "x", "n": 2}`, "", `{"repo":"x","n":2}`},
		{`{"retries": }`, "", `--input: invalid JSON at offset 12: unexpected "}"`},
		{`{"a": 1`, "", `--input: invalid JSON at offset 7: unexpected end of input`},
		{`{"a": 1} x`, "", `--input: invalid JSON at offset 9: unexpected "x"`},
		{``, "", `--input: invalid JSON at offset 0: unexpected end of input`},
		{`-`, `[true]`, `[true]`},
		{`@in.json`, "", `{"a":[1,2]}`},
		{`@in.yaml`, "", `{"a":"x","b":2}`},
		{`@bad.json`, "", `--input: invalid JSON in "bad.json" at offset 5: unexpected "1"`},
		{`@nope.json`, "", `--input: cannot read "nope.json": no such file or directory`},
	}
	for _, tt := range tests {
		v, err := ParseInput(tt.arg, strings.NewReader(tt.stdin), dir)
		got := value.JSON(v)
		if err != nil {
			got = err.Message
		}
		if got != tt.want {
			t.Errorf("ParseInput(%q) = %s, want %s", tt.arg, got, tt.want)
		}
	}
}

func TestCheckInput(t *testing.T) {
	fm := mustParse(t, `---
name: a
version: 1
input:
  repo: string
  retries: number
  limit: {type: integer, default: 10}
  labels: string[]?
  mode: {type: string, enum: [fast, slow], required: false}
---
`)
	tests := []struct{ in, out, probs string }{
		{`{"repo": "r", "retries": 1}`, `{"repo":"r","retries":1,"limit":10}`, ""},
		// Given keys keep their order; defaults are appended (expressions.md §4).
		{`{"labels": ["a"], "retries": 2, "repo": "r", "limit": 3}`, `{"labels":["a"],"retries":2,"repo":"r","limit":3}`, ""},
		{`{"retries": 1, "repo": "r"}`, `{"retries":1,"repo":"r","limit":10}`, ""},
		{`{"repo": "r", "retries": "3"}`, "", `$input.retries: expected number, got string "3"`},
		{`{"retries": 1}`, "", `$input: missing required field "repo"`},
		{`{"repo": "r", "retries": 1, "mode": "medium"}`, "", `$input.mode: expected one of fast, slow, got string "medium"`},
		{`{"repo": "r", "retries": 1, "extra": 1}`, "", `$input.extra: undeclared field`},
		{`{"repo": "r", "retries": 1, "labels": [1]}`, "", `$input.labels[0]: expected string, got number 1`},
		{`[]`, "", `$input: expected object, got array`},
		{`{}`, "", `$input: missing required field "repo"` + "\n" + `$input: missing required field "retries"`},
	}
	for _, tt := range tests {
		v, _ := value.ParseJSON([]byte(tt.in))
		out, probs := CheckInput(fm, v)
		if got := strings.Join(probs, "\n"); got != tt.probs {
			t.Errorf("CheckInput(%s) problems:\n%s\nwant\n%s", tt.in, got, tt.probs)
		}
		if tt.probs == "" && value.JSON(out) != tt.out {
			t.Errorf("CheckInput(%s) = %s, want %s", tt.in, value.JSON(out), tt.out)
		}
	}
	// Without input, any value passes unchanged.
	plain := mustParse(t, "---\nname: a\nversion: 1\n---\n")
	if out, probs := CheckInput(plain, []any{1.0}); probs != nil || value.JSON(out) != "[1]" {
		t.Errorf("no input: %v %v", out, probs)
	}
}

func TestResolveSecretsAndEnv(t *testing.T) {
	fm := mustParse(t, `---
name: a
version: 1
secrets:
  - TOKEN
  - {name: SLACK, env: SLACK_URL, required: false}
  - SHORT
  - MISSING
env:
  CI: "false"
  SHA: null
  HOME_DIR: /home
---
`)
	envs := map[string]string{"TOKEN": "abcdef", "SHORT": "abc", "MISSING": "", "CI": "true"}
	getenv := func(k string) (string, bool) { v, ok := envs[k]; return v, ok }
	obj, probs, warns := ResolveSecrets(fm, getenv)
	if got := value.JSON(obj); got != `{"TOKEN":"abcdef","SLACK":null,"SHORT":"abc","MISSING":null}` {
		t.Errorf("secrets = %s", got)
	}
	if got := strings.Join(probs, "\n"); got != `secret "MISSING" is not set: set the environment variable MISSING` {
		t.Errorf("problems = %q", got)
	}
	if got := strings.Join(warns, "\n"); got != `secret "SHORT" is shorter than 4 characters and is not masked inside other text` {
		t.Errorf("warnings = %q", got)
	}
	if got := value.JSON(ResolveEnv(fm, getenv)); got != `{"CI":"true","SHA":null,"HOME_DIR":"/home"}` {
		t.Errorf("env = %s", got)
	}
}
