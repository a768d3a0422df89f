package fields

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

// TestWriteKindTemplate reproduces the example of spec/cli.md §8.
func TestWriteKindTemplate(t *testing.T) {
	const want = `transform/template — Render a template.
FIELD     KIND  DEFAULT     DESCRIPTION
template  tmpl  (required)  Text with {{ }} segments; one whole segment keeps its type.
parse     enum  text        text, json or yaml: parse the rendered string.
+ common fields: id, input, description, timeout, continue-on-error, <on-error>
`
	var b strings.Builder
	if err := Builtin().WriteKind(&b, "transform/template"); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteKind(t *testing.T) {
	s := Builtin()
	for _, c := range []struct {
		kind  string
		lines []string // each must appear as a whole line
	}{
		{"sink/database", []string{
			"sink/database — Write rows to a database table.",
			"FIELD             KIND         DEFAULT                           DESCRIPTION",
			"batch             int 1–10000  100                               Rows per INSERT statement.",
			"table             str          (required unless operation=exec)  Table name or schema.name.",
			"conflict-columns  list         (required if operation=upsert)    Columns of the conflict target.",
		}},
		{"transform/ai", []string{
			"prompt           tmpl      (required)                        User message. Alias: user.",
			"retries          int 0–10  3                                 Transport retries, as for http.",
		}},
		{"source/http", []string{
			"+ <request> block: url, method, headers, params, body, body-format, auth, request-timeout",
			"+ <response> block: extract, format, expect-status, max-size, result",
		}},
		{"sink/email", []string{
			"+ <config> block: provider, host, port, username, password, security, api-key",
			"+ <message> block: from, to, cc, bcc, reply-to, subject, text, html",
			"+ at least one of: text, html",
			"+ all or none of: username, password",
		}},
		{"branch", []string{
			"branch — Run the first matching arm.",
			"+ child elements: <match> (holds nodes), <case> (holds nodes), <otherwise> (alias <default>, holds nodes, at most 1)",
		}},
		{"parallel", []string{"+ child elements: <branch> (holds nodes, at least 2)"}},
		{"set", []string{"+ exactly one of: value, expr", "+ common fields: id, input, description"}},
		{"phase", []string{"+ child elements: nodes", "+ common fields: description"}},
		{"include", []string{"+ common fields: id, description, timeout, continue-on-error, <on-error>"}},
		{"retry", []string{
			"max        int 1–100  3                 Retries after the first attempt.",
			"+ content: a YAML block of these fields",
		}},
		{"on-error", []string{"on-error — Retry and fallback of a node.", "+ child elements: <retry> (at most 1), <fallback> (at most 1)"}},
	} {
		var b strings.Builder
		if err := s.WriteKind(&b, c.kind); err != nil {
			t.Errorf("%s: %v", c.kind, err)
			continue
		}
		lines := strings.Split(b.String(), "\n")
		for _, l := range c.lines {
			found := false
			for _, got := range lines {
				found = found || got == l
			}
			if !found {
				t.Errorf("%s: line %q missing from:\n%s", c.kind, l, b.String())
			}
		}
		if strings.Contains(b.String(), " \n") {
			t.Errorf("%s: trailing blank in:\n%s", c.kind, b.String())
		}
	}
}

func TestWriteKindUnknown(t *testing.T) {
	var b strings.Builder
	err := Builtin().WriteKind(&b, "source/htp")
	var uk *UnknownKindError
	if !errors.As(err, &uk) || err.Error() != `unknown node kind "source/htp"` || uk.Hint() != `did you mean "source/http"?` {
		t.Errorf("err = %v, hint %q", err, uk.Hint())
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q", b.String())
	}
}

func TestWriteList(t *testing.T) {
	s := Builtin()
	var b strings.Builder
	s.WriteList(&b)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(s.All()) {
		t.Fatalf("%d lines for %d kinds", len(lines), len(s.All()))
	}
	for i, want := range []string{
		"source/exec         Run a program and read its output",
		"source/http         Fetch a URL",
	} {
		if lines[i] != want {
			t.Errorf("line %d = %q, want %q", i, lines[i], want)
		}
	}
	for i, e := range s.All() {
		if !strings.HasPrefix(lines[i], e.Kind+" ") || !strings.HasSuffix(lines[i], "  "+e.Desc) {
			t.Errorf("line %d = %q, want kind %s", i, lines[i], e.Kind)
		}
	}
}

func TestWriteTable(t *testing.T) {
	for _, c := range []struct {
		rows [][]string
		want string
	}{
		{[][]string{{"A", "B", "C"}, {"long", "x", "last"}}, "A     B  C\nlong  x  last\n"},
		{[][]string{{"ä–", "b"}, {"c", "d"}}, "ä–  b\nc   d\n"},
		{nil, ""},
	} {
		var b strings.Builder
		writeTable(&b, c.rows)
		if b.String() != c.want {
			t.Errorf("writeTable(%q) = %q, want %q", c.rows, b.String(), c.want)
		}
	}
}

func TestDescText(t *testing.T) {
	for _, c := range []struct {
		f    *Field
		want string
	}{
		{fld("a", Enum, "Parse it.").words("x", "y", "z"), "x, y or z: parse it."},
		{fld("a", Enum, "SMTP security.").words("x", "y"), "x or y: SMTP security."},
		{fld("a", Enum, "").words("x"), "x."},
		{fld("a", Tmpl, "User message.").alias("user"), "User message. Alias: user."},
		{fld("a", Str, "Plain."), "Plain."},
	} {
		if got := descText(c.f); got != c.want {
			t.Errorf("descText = %q, want %q", got, c.want)
		}
	}
}

func TestJSON(t *testing.T) {
	s := Builtin()
	data, ok := s.JSON().(*value.Object)
	if !ok || data.Len() != len(s.All()) {
		t.Fatalf("JSON() = %T with %d kinds", s.JSON(), data.Len())
	}
	var doc map[string]struct {
		Kind   string   `json:"kind"`
		Common []string `json:"common"`
		Fields []struct {
			Name     string   `json:"name"`
			Kind     string   `json:"kind"`
			Default  *string  `json:"default"`
			Value    any      `json:"default_value"`
			Required bool     `json:"required"`
			Enum     []string `json:"enum"`
			Max      float64  `json:"max"`
			Aliases  []string `json:"aliases"`
			Group    string   `json:"group"`
		} `json:"fields"`
		Children []struct {
			Tag  string `json:"tag"`
			Kind string `json:"kind"`
		} `json:"children"`
	}
	if err := json.Unmarshal([]byte(value.JSON(data)), &doc); err != nil {
		t.Fatal(err)
	}
	ai := doc["transform/ai"]
	if ai.Kind != "transform/ai" || len(ai.Common) != 6 || ai.Common[5] != "on-error" {
		t.Errorf("transform/ai: %+v", ai)
	}
	var prompt, retries bool
	for _, f := range ai.Fields {
		prompt = prompt || f.Name == "prompt" && f.Required && f.Kind == "tmpl" && len(f.Aliases) == 1 && f.Default == nil
		retries = retries || f.Name == "retries" && f.Max == 10 && *f.Default == "3" && f.Value == 3.0
	}
	if !prompt || !retries {
		t.Errorf("transform/ai fields: %+v", ai.Fields)
	}
	if ch := doc["parallel"].Children; len(ch) != 2 || ch[0].Kind != "parallel/branch" || ch[1].Tag != "on-error" {
		t.Errorf("parallel children: %+v", ch)
	}
	if f := doc["sink/http"].Fields[1]; f.Name != "method" || *f.Default != "POST" || f.Group != "request" || len(f.Enum) != 7 {
		t.Errorf("sink/http method: %+v", f)
	}
}

func TestJSONSchema(t *testing.T) {
	s := Builtin()
	text := value.IndentJSON(s.JSONSchema(), "  ")
	var doc struct {
		Schema string `json:"$schema"`
		Defs   map[string]struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
			AllOf      []json.RawMessage          `json:"allOf"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if doc.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %q", doc.Schema)
	}
	if len(doc.Defs) != len(s.All()) {
		t.Errorf("%d $defs for %d kinds", len(doc.Defs), len(s.All()))
	}
	for _, e := range s.All() {
		d, ok := doc.Defs[e.Kind]
		if !ok || d.Type != "object" {
			t.Errorf("$defs[%q] missing", e.Kind)
			continue
		}
		for _, f := range e.Fields {
			if _, ok := d.Properties[f.Name]; !ok {
				t.Errorf("$defs[%q]: property %q missing", e.Kind, f.Name)
			}
		}
	}
	// Every $ref points at a $defs entry.
	for _, m := range strings.Split(text, `"$ref": "#/$defs/`)[1:] {
		kind := strings.ReplaceAll(m[:strings.IndexByte(m, '"')], "~1", "/")
		if _, ok := doc.Defs[kind]; !ok {
			t.Errorf("$ref to unknown %q", kind)
		}
	}
	if r := doc.Defs["source/http"].Required; strings.Join(r, ",") != "type,url" {
		t.Errorf("source/http required = %v", r)
	}
	if p := string(doc.Defs["transform/ai"].Properties["user"]); !strings.Contains(p, "Alias of prompt.") {
		t.Errorf("transform/ai user = %s", p)
	}
	if a := doc.Defs["sink/database"].AllOf; len(a) != 4 {
		t.Errorf("sink/database allOf = %d entries, want 4", len(a))
	}
	if p := string(doc.Defs["retry"].Properties["max"]); !strings.Contains(p, `"maximum": 100`) || !strings.Contains(p, `"default": 3`) {
		t.Errorf("retry max = %s", p)
	}
}

func BenchmarkWriteKind(b *testing.B) {
	s := Builtin()
	var sb strings.Builder
	b.ReportAllocs()
	for b.Loop() {
		sb.Reset()
		if err := s.WriteKind(&sb, "source/http"); err != nil {
			b.Fatal(err)
		}
	}
}
