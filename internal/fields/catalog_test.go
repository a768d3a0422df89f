package fields

import (
	"reflect"
	"slices"
	"testing"
)

func TestFieldTables(t *testing.T) {
	s := Builtin()
	type want struct {
		kind, field string
		k           Kind
		def         string
		required    bool
		min, max    int64
		enum        []string
		aliases     []string
		group       string
		lazy        bool
		requiredIf  string
	}
	for _, w := range []want{
		// exec
		{kind: "source/exec", field: "command", k: Tmpl, required: true},
		{kind: "source/exec", field: "args", k: List},
		{kind: "source/exec", field: "shell", k: Enum, def: "sh (Windows: cmd)", enum: []string{"sh", "bash", "pwsh", "cmd"}},
		{kind: "source/exec", field: "dir", k: Tmpl, def: "workflow dir"},
		{kind: "source/exec", field: "env", k: Map},
		{kind: "source/exec", field: "stdin", k: Tmpl, def: "empty"},
		{kind: "transform/exec", field: "stdin", k: Tmpl, def: "input"},
		{kind: "sink/exec", field: "stdin", k: Tmpl, def: "input"},
		{kind: "source/exec", field: "stdout", k: Enum, def: "text", enum: []string{"text", "json", "lines"}},
		{kind: "source/exec", field: "result", k: Enum, def: "stdout", enum: []string{"stdout", "full"}},
		{kind: "transform/exec", field: "result", k: Enum, def: "stdout", enum: []string{"stdout", "full"}},
		{kind: "sink/exec", field: "result", k: Enum, def: "full", enum: []string{"stdout", "full"}},
		{kind: "sink/exec", field: "exit-codes", k: List, def: "[0]"},
		{kind: "sink/exec", field: "quiet", k: Bool, def: "false"},
		{kind: "sink/exec", field: "grace", k: Dur, def: "5s"},
		{kind: "sink/exec", field: "max-output", k: Size, def: "16MiB"},
		// http
		{kind: "source/http", field: "url", k: Tmpl, required: true, group: "request"},
		{kind: "source/http", field: "method", k: Enum, def: "GET", group: "request",
			enum: []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}},
		{kind: "sink/http", field: "method", k: Enum, def: "POST", group: "request",
			enum: []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}},
		{kind: "source/http", field: "headers", k: Map, group: "request"},
		{kind: "source/http", field: "params", k: Map, group: "request"},
		{kind: "source/http", field: "body", k: Any, group: "request"},
		{kind: "sink/http", field: "body", k: Any, def: "input", group: "request"},
		{kind: "sink/http", field: "body-format", k: Enum, def: "raw for a string body, else json", group: "request", enum: []string{"json", "form", "raw"}},
		{kind: "sink/http", field: "auth", k: Map, group: "request"},
		{kind: "sink/http", field: "request-timeout", k: Dur, def: "30s", group: "request", min: 1},
		{kind: "source/http", field: "retries", k: Int, def: "2", max: 10},
		{kind: "source/http", field: "throttle", k: Rate},
		{kind: "source/http", field: "extract", k: Str, group: "response"},
		{kind: "source/http", field: "format", k: Enum, def: "auto", group: "response", enum: []string{"auto", "json", "text", "base64"}},
		{kind: "source/http", field: "expect-status", k: List, def: `["200-299"]`, group: "response"},
		{kind: "source/http", field: "max-size", k: Size, def: "10MiB", group: "response"},
		{kind: "source/http", field: "result", k: Enum, def: "body", group: "response", enum: []string{"body", "full"}},
		{kind: "sink/http", field: "result", k: Enum, def: "full", group: "response", enum: []string{"body", "full"}},
		{kind: "sink/http", field: "follow-redirects", k: Bool, def: "true"},
		// file
		{kind: "source/file", field: "path", k: Tmpl, required: true},
		{kind: "source/file", field: "format", k: Enum, def: "auto", enum: []string{"auto", "json", "yaml", "csv", "text", "lines", "ndjson"}},
		{kind: "source/file", field: "delimiter", k: Str, def: ","},
		{kind: "source/file", field: "header", k: Bool, def: "true"},
		{kind: "sink/file", field: "content", k: Tmpl, def: "input"},
		{kind: "sink/file", field: "pretty", k: Bool, def: "true"},
		{kind: "sink/file", field: "append", k: Bool, def: "false"},
		{kind: "sink/file", field: "mkdir", k: Bool, def: "true"},
		{kind: "sink/file", field: "final-newline", k: Bool, def: "true"},
		{kind: "sink/file", field: "mode", k: Str, def: `"0644"`},
		// database
		{kind: "source/database", field: "connection", k: Tmpl, required: true},
		{kind: "source/database", field: "query", k: Str, required: true},
		{kind: "source/database", field: "params", k: List},
		{kind: "sink/database", field: "table", k: Str, requiredIf: "operation!=exec"},
		{kind: "sink/database", field: "operation", k: Enum, def: "insert", enum: []string{"insert", "upsert", "update", "exec"}},
		{kind: "sink/database", field: "conflict-columns", k: List, requiredIf: "operation=upsert"},
		{kind: "sink/database", field: "key-columns", k: List, requiredIf: "operation=update"},
		{kind: "sink/database", field: "batch", k: Int, def: "100", min: 1, max: 10000},
		{kind: "sink/database", field: "query", k: Str, requiredIf: "operation=exec"},
		{kind: "sink/database", field: "params", k: List, lazy: true},
		// email
		{kind: "sink/email", field: "provider", k: Enum, def: "smtp", group: "config", enum: []string{"smtp", "sendgrid"}},
		{kind: "sink/email", field: "host", k: Tmpl, group: "config", requiredIf: "provider=smtp"},
		{kind: "sink/email", field: "port", k: Int, def: "587", group: "config", min: 1, max: 65535},
		{kind: "sink/email", field: "username", k: Tmpl, group: "config"},
		{kind: "sink/email", field: "password", k: Tmpl, group: "config"},
		{kind: "sink/email", field: "security", k: Enum, def: "starttls", group: "config", enum: []string{"starttls", "tls", "none"}},
		{kind: "sink/email", field: "api-key", k: Tmpl, group: "config", requiredIf: "provider=sendgrid"},
		{kind: "sink/email", field: "from", k: Tmpl, required: true, group: "message"},
		{kind: "sink/email", field: "to", k: List, required: true, group: "message"},
		{kind: "sink/email", field: "cc", k: List, group: "message"},
		{kind: "sink/email", field: "bcc", k: List, group: "message"},
		{kind: "sink/email", field: "reply-to", k: List, group: "message"},
		{kind: "sink/email", field: "subject", k: Tmpl, required: true, group: "message"},
		{kind: "sink/email", field: "text", k: Tmpl, group: "message"},
		{kind: "sink/email", field: "html", k: Tmpl, group: "message"},
		// map, filter, reduce, template
		{kind: "transform/map", field: "expression", k: Expr, required: true, lazy: true},
		{kind: "transform/filter", field: "condition", k: Expr, required: true, lazy: true},
		{kind: "transform/reduce", field: "expression", k: Expr, required: true, lazy: true},
		{kind: "transform/reduce", field: "initial", k: Expr, def: "null", lazy: true},
		{kind: "transform/reduce", field: "finalize", k: Expr, lazy: true},
		{kind: "transform/template", field: "template", k: Tmpl, required: true},
		{kind: "transform/template", field: "parse", k: Enum, def: "text", enum: []string{"text", "json", "yaml"}},
		// ai
		{kind: "transform/ai", field: "model", k: Tmpl, def: "runtime.ai.model"},
		{kind: "transform/ai", field: "prompt", k: Tmpl, required: true, aliases: []string{"user"}},
		{kind: "transform/ai", field: "system", k: Tmpl},
		{kind: "transform/ai", field: "output-schema", k: Schema},
		{kind: "transform/ai", field: "temperature", k: Num, def: "provider default", max: 2},
		{kind: "transform/ai", field: "max-tokens", k: Int, def: "4096", min: 1},
		{kind: "transform/ai", field: "repair-attempts", k: Int, def: "2", max: 5},
		{kind: "transform/ai", field: "retries", k: Int, def: "3", max: 10},
		{kind: "transform/ai", field: "request-timeout", k: Dur, def: "120s", min: 1},
		{kind: "transform/ai", field: "base-url", k: Tmpl, def: "runtime.ai.base_url"},
		{kind: "transform/ai", field: "api-key", k: Tmpl, def: "secret runtime.ai.api_key_secret"},
		{kind: "transform/ai", field: "token-budget", k: Int, min: 1},
		{kind: "transform/ai", field: "throttle", k: Rate},
		// structural
		{kind: "phase", field: "name", k: ID, required: true, aliases: []string{"id"}},
		{kind: "set", field: "var", k: Name, required: true},
		{kind: "set", field: "value", k: Tmpl},
		{kind: "set", field: "expr", k: Expr},
		{kind: "context/set", field: "key", k: Name, required: true},
		{kind: "output/set", field: "field", k: Str, required: true},
		{kind: "output", field: "value", k: Tmpl},
		{kind: "output", field: "expr", k: Expr},
		// control
		{kind: "if", field: "condition", k: Expr, required: true},
		{kind: "match", field: "pattern", k: Str, required: true, lazy: true},
		{kind: "case", field: "when", k: Expr, required: true, lazy: true},
		{kind: "goto", field: "node", k: ID, required: true},
		{kind: "loop", field: "max", k: Int, def: "100", min: 1, max: 100000},
		{kind: "loop", field: "break", k: Expr, lazy: true},
		{kind: "loop", field: "result", k: Expr, def: "result of the body", lazy: true},
		{kind: "while", field: "condition", k: Expr, required: true, lazy: true},
		{kind: "while", field: "max", k: Int, def: "1000", min: 1},
		{kind: "while", field: "result", k: Expr, def: "result of the body", lazy: true},
		{kind: "break", field: "when", k: Expr, def: "always"},
		{kind: "break", field: "loop", k: ID, def: "the innermost"},
		{kind: "foreach", field: "collection", k: Expr, def: "input"},
		{kind: "foreach", field: "item", k: Name, def: "item"},
		{kind: "foreach", field: "index", k: Name, def: "index"},
		{kind: "foreach", field: "concurrency", k: Int, def: "1", min: 1},
		{kind: "foreach", field: "throttle", k: Rate},
		{kind: "foreach", field: "result", k: Expr, def: "result of the body", lazy: true},
		{kind: "parallel", field: "wait", k: Str, def: "all"},
		{kind: "parallel", field: "merge", k: Expr, def: "array", enum: []string{"array", "concat", "object"}, lazy: true},
		{kind: "parallel", field: "concurrency", k: Int, def: "number of branches", min: 1},
		// temporal, composition
		{kind: "delay", field: "duration", k: Dur, required: true},
		{kind: "timeout", field: "duration", k: Dur, required: true, min: 1},
		{kind: "timeout", field: "on-timeout", k: ID},
		{kind: "include", field: "workflow", k: Path, required: true},
		{kind: "include", field: "input", k: Expr, def: "{}"},
		{kind: "include", field: "config", k: Map},
		{kind: "call", field: "workflow", k: Path, required: true},
		{kind: "bind", field: "key", k: Name, required: true},
		{kind: "arg", field: "name", k: Name, required: true},
		{kind: "arg", field: "expr", k: Expr},
		// checkpoint
		{kind: "checkpoint", field: "prompt", k: Tmpl, required: true},
		{kind: "checkpoint", field: "condition", k: Expr},
		{kind: "checkpoint", field: "timeout", k: Dur},
		{kind: "checkpoint", field: "default", k: Str, def: "reject"},
		{kind: "action", field: "id", k: Name, required: true},
		{kind: "action", field: "label", k: Str, def: "the id"},
		{kind: "action", field: "goto", k: ID},
		{kind: "action", field: "outcome", k: Enum, def: "reject for the id reject, else continue", enum: []string{"continue", "reject"}},
		{kind: "action", field: "ask", k: Str},
		// error handling
		{kind: "retry", field: "max", k: Int, def: "3", min: 1, max: 100},
		{kind: "retry", field: "backoff", k: Enum, def: "exponential", enum: []string{"exponential", "linear", "fixed"}},
		{kind: "retry", field: "base", k: Dur, def: "1s"},
		{kind: "retry", field: "max-delay", k: Dur, def: "30s"},
		{kind: "retry", field: "jitter", k: Num, def: "full", enum: []string{"full", "none"}, max: 1},
		{kind: "retry", field: "when", k: Expr, def: "$error.retryable", lazy: true},
		{kind: "fallback", field: "node", k: ID, required: true},
		// output-schema field
		{kind: "field", field: "name", k: Str, required: true},
		{kind: "field", field: "type", k: Str, def: "string"},
		{kind: "field", field: "description", k: Str},
		{kind: "field", field: "required", k: Bool, def: "true"},
	} {
		e := s.ByKind(w.kind)
		if e == nil {
			t.Errorf("kind %q missing", w.kind)
			continue
		}
		f := e.Field(w.field)
		if f == nil || f.Name != w.field {
			t.Errorf("%s: field %q missing", w.kind, w.field)
			continue
		}
		got := want{kind: w.kind, field: f.Name, k: f.Kind, def: f.Default, required: f.Required, min: f.Min, max: f.Max,
			enum: f.Enum, aliases: f.Aliases, group: f.Group, lazy: f.Lazy, requiredIf: f.RequiredIf}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s.%s:\n got %+v\nwant %+v", w.kind, w.field, got, w)
		}
	}
}

func TestFieldOrder(t *testing.T) {
	s := Builtin()
	for kind, names := range map[string][]string{
		"transform/template": {"template", "parse"},
		"source/file":        {"path", "format", "delimiter", "header"},
		"sink/file":          {"path", "format", "content", "pretty", "append", "mkdir", "final-newline", "delimiter", "header", "mode"},
		"source/database":    {"connection", "query", "params"},
		"sink/database":      {"connection", "table", "operation", "conflict-columns", "key-columns", "batch", "query", "params"},
		"foreach":            {"collection", "item", "index", "concurrency", "throttle", "result"},
		"retry":              {"max", "backoff", "base", "max-delay", "jitter", "when"},
		"checkpoint":         {"prompt", "condition", "timeout", "default"},
		"then":               {},
		"on-error":           {},
	} {
		if got := s.ByKind(kind).FieldNames(); !slices.Equal(got, names) {
			t.Errorf("%s fields = %v, want %v", kind, got, names)
		}
	}
}

func TestFieldSpellings(t *testing.T) {
	s := Builtin()
	for _, c := range []struct{ kind, name, want string }{
		{"transform/ai", "max_tokens", "max-tokens"},
		{"transform/ai", "maxTokens", "max-tokens"},
		{"transform/ai", "user", "prompt"},
		{"sink/database", "conflictColumns", "conflict-columns"},
		{"phase", "id", "name"},
		{"retry", "max_delay", "max-delay"},
		{"source/http", "nope", ""},
	} {
		f := s.ByKind(c.kind).Field(c.name)
		got := ""
		if f != nil {
			got = f.Name
		}
		if got != c.want {
			t.Errorf("%s.Field(%q) = %q, want %q", c.kind, c.name, got, c.want)
		}
	}
}

func TestDefaultValues(t *testing.T) {
	s := Builtin()
	for _, c := range []struct {
		kind, field string
		want        any
	}{
		{"sink/exec", "grace", 5000.0},
		{"sink/exec", "max-output", 16777216.0},
		{"sink/exec", "exit-codes", []any{0.0}},
		{"sink/exec", "stdin", "{{ input }}"},
		{"source/exec", "stdin", ""},
		{"source/exec", "shell", nil},
		{"source/http", "retries", 2.0},
		{"source/http", "method", "GET"},
		{"sink/http", "method", "POST"},
		{"source/http", "expect-status", []any{"200-299"}},
		{"source/http", "max-size", 10485760.0},
		{"source/http", "follow-redirects", true},
		{"source/http", "body-format", nil},
		{"sink/file", "mode", "0644"},
		{"sink/database", "batch", 100.0},
		{"transform/ai", "temperature", nil},
		{"loop", "max", 100.0},
		{"retry", "base", 1000.0},
		{"retry", "jitter", "full"},
		{"foreach", "item", "item"},
		{"checkpoint", "default", "reject"},
		{"action", "outcome", nil},
		{"field", "required", true},
	} {
		f := s.ByKind(c.kind).Field(c.field)
		if !reflect.DeepEqual(f.Value, c.want) {
			t.Errorf("%s.%s value = %#v, want %#v", c.kind, c.field, f.Value, c.want)
		}
	}
}

func TestLookup(t *testing.T) {
	s := Builtin()
	for _, c := range []struct{ tag, typ, want string }{
		{"source", "http", "source/http"},
		{"sink", "email", "sink/email"},
		{"transform", "ai", "transform/ai"},
		{"source", "email", ""},
		{"source", "", ""},
		{"if", "", "if"},
		{"if", "ignored", "if"},
		{"phase", "", "phase"},
		{"delay", "", "delay"},
		{"set", "", "set"},
		{"branch", "", "branch"},
		{"retry", "", "retry"},
		{"action", "", "action"},
		{"otherwise", "", "otherwise"},
		{"default", "", "otherwise"},
		{"on-workflow-error", "", "on-workflow-error"},
		{"nope", "", ""},
	} {
		got := ""
		if e := s.Lookup(c.tag, c.typ); e != nil {
			got = e.Kind
		}
		if got != c.want {
			t.Errorf("Lookup(%q, %q) = %q, want %q", c.tag, c.typ, got, c.want)
		}
	}
	for _, k := range []string{"source/http", "if", "retry", "action", "parallel/branch", "context/set", "output/set", "field"} {
		if e := s.ByKind(k); e == nil || e.Kind != k {
			t.Errorf("ByKind(%q) = %v", k, e)
		}
	}
	if s.ByKind("source") != nil {
		t.Error(`ByKind("source") is not nil`)
	}
}

func TestTypesAndRoles(t *testing.T) {
	s := Builtin()
	for role, want := range map[string][]string{
		"source":    {"exec", "http", "file", "database"},
		"transform": {"exec", "template", "map", "filter", "reduce", "ai"},
		"sink":      {"exec", "http", "file", "database", "email"},
		"if":        nil,
	} {
		if got := s.Types(role); !slices.Equal(got, want) {
			t.Errorf("Types(%q) = %v, want %v", role, got, want)
		}
	}
	for typ, want := range map[string][]string{
		"email":    {"sink"},
		"exec":     {"source", "transform", "sink"},
		"http":     {"source", "sink"},
		"template": {"transform"},
		"nope":     nil,
	} {
		if got := s.RoleOf(typ); !slices.Equal(got, want) {
			t.Errorf("RoleOf(%q) = %v, want %v", typ, got, want)
		}
	}
	want := []string{"source", "transform", "sink", "phase", "context", "set", "output", "if", "branch", "goto",
		"loop", "while", "break", "foreach", "parallel", "delay", "timeout", "include", "call", "checkpoint"}
	if got := s.NodeTags(); !slices.Equal(got, want) {
		t.Errorf("NodeTags() = %v, want %v", got, want)
	}
}

func TestElementFlags(t *testing.T) {
	s := Builtin()
	for _, c := range []struct {
		kind                  string
		node, container, body bool
		common                []string
	}{
		{"source/http", true, false, false, []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"}},
		{"sink/email", true, false, false, []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"}},
		{"phase", false, false, true, []string{"description"}},
		{"context", true, false, false, []string{"id", "description"}},
		{"set", true, false, false, []string{"id", "input", "description"}},
		{"output", true, false, false, []string{"id", "description"}},
		{"if", true, true, false, []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"}},
		{"branch", true, true, false, []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"}},
		{"goto", true, false, false, []string{"id", "description"}},
		{"loop", true, true, true, []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"}},
		{"while", true, true, true, []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"}},
		{"break", true, false, false, []string{"id", "description"}},
		{"foreach", true, true, true, []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"}},
		{"parallel", true, true, false, []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"}},
		{"delay", true, false, false, []string{"id", "input", "description"}},
		{"timeout", true, true, true, []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"}},
		{"include", true, false, false, []string{"id", "description", "timeout", "continue-on-error", "on-error"}},
		{"call", true, false, false, []string{"id", "description", "timeout", "continue-on-error", "on-error"}},
		{"checkpoint", true, false, false, []string{"id", "input", "description"}},
		{"on-workflow-error", false, false, true, nil},
		{"then", false, false, true, nil},
		{"retry", false, false, false, nil},
		{"action", false, false, false, nil},
	} {
		e := s.ByKind(c.kind)
		var common []string
		for _, n := range []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"} {
			if e.HasCommon(n) {
				common = append(common, n)
			}
		}
		if e.Node != c.node || e.Container != c.container || e.Body != c.body || !slices.Equal(common, c.common) {
			t.Errorf("%s: node %v container %v body %v common %v; want %v %v %v %v", c.kind,
				e.Node, e.Container, e.Body, common, c.node, c.container, c.body, c.common)
		}
		if (e.Child("on-error") != nil) != slices.Contains(c.common, "on-error") {
			t.Errorf("%s: <on-error> child does not follow its common fields", c.kind)
		}
	}
	if !s.ByKind("retry").YAMLContent {
		t.Error("retry: YAMLContent not set")
	}
	if g := s.ByKind("source/http").Groups; !slices.Equal(g, []string{"request", "response"}) {
		t.Errorf("http groups = %v", g)
	}
	if g := s.ByKind("sink/email").Groups; !slices.Equal(g, []string{"config", "message"}) {
		t.Errorf("email groups = %v", g)
	}
}

func TestChildren(t *testing.T) {
	s := Builtin()
	for _, c := range []struct {
		kind, tag, elem string
		min, max        int
		nodes           bool
	}{
		{"if", "then", "then", 0, 1, true},
		{"if", "else", "else", 0, 1, true},
		{"branch", "match", "match", 0, 0, true},
		{"branch", "case", "case", 0, 0, true},
		{"branch", "otherwise", "otherwise", 0, 1, true},
		{"branch", "default", "otherwise", 0, 1, true},
		{"parallel", "branch", "parallel/branch", 2, 0, true},
		{"context", "set", "context/set", 0, 0, false},
		{"output", "set", "output/set", 0, 0, false},
		{"checkpoint", "action", "action", 0, 0, false},
		{"include", "bind", "bind", 0, 0, false},
		{"call", "arg", "arg", 0, 0, false},
		{"on-error", "retry", "retry", 0, 1, false},
		{"on-error", "fallback", "fallback", 0, 1, false},
		{"source/http", "on-error", "on-error", 0, 1, false},
		{"field", "field", "field", 0, 0, false},
	} {
		ch := s.ByKind(c.kind).Child(c.tag)
		if ch == nil {
			t.Errorf("%s: child <%s> missing", c.kind, c.tag)
			continue
		}
		if ch.Elem.Kind != c.elem || ch.Min != c.min || ch.Max != c.max || ch.NodeList != c.nodes {
			t.Errorf("%s <%s>: elem %s min %d max %d nodes %v; want %s %d %d %v", c.kind, c.tag,
				ch.Elem.Kind, ch.Min, ch.Max, ch.NodeList, c.elem, c.min, c.max, c.nodes)
		}
		if s.ByKind(c.elem) != ch.Elem {
			t.Errorf("%s <%s>: element is not the catalogue's %q", c.kind, c.tag, c.elem)
		}
	}
	if s.ByKind("goto").Child("then") != nil {
		t.Error("goto has a <then> child")
	}
}

func TestConstraints(t *testing.T) {
	s := Builtin()
	for _, c := range []struct {
		kind                string
		excl, least, togeth [][]string
	}{
		{"set", [][]string{{"value", "expr"}}, [][]string{{"value", "expr"}}, nil},
		{"bind", [][]string{{"value", "expr"}}, [][]string{{"value", "expr"}}, nil},
		{"output", [][]string{{"value", "expr", "<set>"}}, nil, nil},
		{"if", nil, [][]string{{"<then>", "<else>"}}, nil},
		{"source/exec", [][]string{{"args", "shell"}}, nil, nil},
		{"sink/email", nil, [][]string{{"text", "html"}}, [][]string{{"username", "password"}}},
		{"source/http", nil, nil, nil},
	} {
		e := s.ByKind(c.kind)
		if !reflect.DeepEqual(e.Exclusive, c.excl) || !reflect.DeepEqual(e.AtLeastOne, c.least) || !reflect.DeepEqual(e.Together, c.togeth) {
			t.Errorf("%s: exclusive %v at-least-one %v together %v", c.kind, e.Exclusive, e.AtLeastOne, e.Together)
		}
	}
}

// TestCatalogueConsistency checks properties every entry must have.
func TestCatalogueConsistency(t *testing.T) {
	s := Builtin()
	seen := map[string]bool{}
	for _, e := range s.All() {
		if seen[e.Kind] {
			t.Errorf("kind %q listed twice", e.Kind)
		}
		seen[e.Kind] = true
		if e.Desc == "" {
			t.Errorf("%s: no description", e.Kind)
		}
		names := map[string]bool{}
		for _, f := range e.Fields {
			if names[f.Name] {
				t.Errorf("%s: field %q twice", e.Kind, f.Name)
			}
			names[f.Name] = true
			if f.Desc == "" {
				t.Errorf("%s.%s: no description", e.Kind, f.Name)
			}
			if f.Kind == Enum && len(f.Enum) == 0 {
				t.Errorf("%s.%s: enum without words", e.Kind, f.Name)
			}
			if f.Kind == Enum && f.Value != nil && !slices.Contains(f.Enum, f.Value.(string)) {
				t.Errorf("%s.%s: default %v not an enum word", e.Kind, f.Name, f.Value)
			}
			if f.Required && (f.Default != "" || f.RequiredIf != "") {
				t.Errorf("%s.%s: required with a default or a condition", e.Kind, f.Name)
			}
			if f.Group != "" && !e.IsGroup(f.Group) {
				t.Errorf("%s.%s: group %q not declared", e.Kind, f.Name, f.Group)
			}
			if f.Name != Canonical(f.Name) {
				t.Errorf("%s.%s: not kebab-case", e.Kind, f.Name)
			}
		}
		for _, c := range e.Children {
			if c.Elem == nil || !seen[c.Elem.Kind] && s.ByKind(c.Elem.Kind) == nil {
				t.Errorf("%s <%s>: element not in the catalogue", e.Kind, c.Tag)
			}
		}
	}
	if len(s.All()) != 48 {
		t.Errorf("%d elements, want 48", len(s.All()))
	}
	if Builtin().ByKind("if") == s.ByKind("if") {
		t.Error("Builtin shares elements between calls")
	}
}

func BenchmarkBuiltin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Builtin()
	}
}

func BenchmarkLookup(b *testing.B) {
	s := Builtin()
	b.ReportAllocs()
	for b.Loop() {
		if s.Lookup("sink", "http") == nil || s.Lookup("foreach", "") == nil {
			b.Fatal("missing")
		}
	}
}
