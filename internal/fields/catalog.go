package fields

import (
	"slices"
	"strconv"
)

// Set is the catalogue of elements.
type Set struct {
	all    []*Element
	byKind map[string]*Element
	byTag  map[string]*Element // non-data elements by tag and tag alias
	data   map[string]*Element // data nodes by "role/type"
	types  map[string][]string // data-node types by role
	roles  []string            // data-node roles in order
}

// Roles are the data-node element names, in documentation order.
var roles = []string{"source", "transform", "sink"}

// CommonFields returns the fields common to nodes (nodes.md §1.1) in the
// order `flowscript nodes` lists them. The `<on-error>` element is not a
// field: it is the child "on-error" of the elements whose Common lists it.
func CommonFields() []*Field {
	return finish([]*Field{
		fld("id", ID, "The node's id (format.md §6).").def("generated", nil),
		fld("input", Expr, "Usually a node id; any expression is allowed."),
		fld("description", Str, "Shown by inspect."),
		fld("timeout", Dur, "Deadline for one attempt.").rng(1, 0),
		fld("continue-on-error", Bool, "Let the run go on when the node finally fails.").def("false", nil),
	})
}

// HasCommon reports whether the common node field name ("id", "input",
// "description", "timeout", "continue-on-error", "on-error") applies to e
// and is not declared by e itself.
func (e *Element) HasCommon(name string) bool {
	switch name {
	case "id", "description":
		return e.listed() && e.Field(name) == nil
	}
	return slices.Contains(e.Common, name)
}

// listed reports whether e is an element of node lists (a node or a phase).
func (e *Element) listed() bool { return e.Node || e.Kind == "phase" }

// Builtin returns the full catalogue of spec/nodes.md. Each call builds a
// fresh value; callers may not modify the elements.
func Builtin() *Set {
	s := &Set{
		byKind: map[string]*Element{},
		byTag:  map[string]*Element{},
		data:   map[string]*Element{},
		types:  map[string][]string{},
		roles:  roles,
	}
	for _, e := range builtinElements() {
		s.add(e)
	}
	return s
}

func (s *Set) add(e *Element) {
	e.Fields = finish(e.Fields)
	s.all = append(s.all, e)
	s.byKind[e.Kind] = e
	if e.Type != "" {
		s.data[e.Tag+"/"+e.Type] = e
		s.types[e.Tag] = append(s.types[e.Tag], e.Type)
		return
	}
	if _, dup := s.byTag[e.Tag]; !dup {
		s.byTag[e.Tag] = e
	}
}

// Lookup returns the spec of an element: data nodes by tag and type
// ("source", "http" gives source/http), every other element by tag ("if",
// "phase", "delay", "retry", ...; typ is ignored). A tag shared by several
// elements gives the node element (set, branch); the others are reached
// through their parent's Child or ByKind. Lookup returns nil when unknown.
func (s *Set) Lookup(tag, typ string) *Element {
	if slices.Contains(s.roles, tag) {
		return s.data[tag+"/"+typ]
	}
	if e := s.byTag[tag]; e != nil {
		return e
	}
	for _, e := range s.all {
		if e.Type == "" && e.aliasOf(tag) {
			return e
		}
	}
	return nil
}

// aliasOf reports whether tag is an alias of e's tag (default for otherwise).
func (e *Element) aliasOf(tag string) bool {
	return tag == "default" && e.Kind == "otherwise"
}

// ByKind returns the spec for a kind ("source/http", "if", "retry",
// "action", "parallel/branch", ...), or nil.
func (s *Set) ByKind(kind string) *Element { return s.byKind[kind] }

// All returns every element in documentation order: data nodes by role
// then type, then structural, control, temporal, composition, checkpoint
// and error-handling elements, then sub-elements. The slice must not be
// modified.
func (s *Set) All() []*Element { return s.all }

// Kinds returns the kind of every element in documentation order.
func (s *Set) Kinds() []string {
	out := make([]string, len(s.all))
	for i, e := range s.all {
		out[i] = e.Kind
	}
	return out
}

// Types returns the data-node types allowed for a role tag ("source" gives
// exec, http, file, database), or nil for another tag.
func (s *Set) Types(role string) []string { return slices.Clone(s.types[role]) }

// RoleOf returns the roles that allow a data-node type ("email" gives
// ["sink"]), for the N305 hint `"email" is a sink type`.
func (s *Set) RoleOf(typ string) []string {
	var out []string
	for _, r := range s.roles {
		if slices.Contains(s.types[r], typ) {
			out = append(out, r)
		}
	}
	return out
}

// NodeTags returns the names of the elements that may stand in a node list
// (data roles, phase and every other node element), for did-you-mean on
// unknown elements.
func (s *Set) NodeTags() []string {
	var out []string
	for _, e := range s.all {
		if e.listed() && !slices.Contains(out, e.Tag) {
			out = append(out, e.Tag)
		}
	}
	return out
}

// ---- field builder ----

func fld(name string, k Kind, desc string) *Field {
	return &Field{Name: name, Kind: k, Desc: desc}
}

// req marks the field required.
func (f *Field) req() *Field { f.Required = true; return f }

// def sets the default as shown and, when not derivable from the text, its
// value (nil: derived by finish for int, num, bool and enum, else none).
func (f *Field) def(text string, v any) *Field { f.Default = text; f.Value = v; return f }

// words sets the enum words.
func (f *Field) words(w ...string) *Field { f.Enum = w; return f }

// rng sets the range (max 0: unbounded).
func (f *Field) rng(lo, hi int64) *Field { f.Min, f.Max = lo, hi; return f }

func (f *Field) alias(a ...string) *Field { f.Aliases = a; return f }
func (f *Field) lazy() *Field             { f.Lazy = true; return f }
func (f *Field) in(group string) *Field   { f.Group = group; return f }
func (f *Field) when(cond string) *Field  { f.RequiredIf = cond; return f }

// finish derives Value from Default where the kind makes it unambiguous.
func finish(fs []*Field) []*Field {
	for _, f := range fs {
		if f.Value != nil || f.Default == "" {
			continue
		}
		switch f.Kind {
		case Int, Num:
			if n, err := strconv.ParseFloat(f.Default, 64); err == nil {
				f.Value = n
			}
		case Bool:
			if b, err := strconv.ParseBool(f.Default); err == nil {
				f.Value = b
			}
		case Enum:
			if slices.Contains(f.Enum, f.Default) {
				f.Value = f.Default
			}
		}
	}
	return fs
}

// ---- elements ----

var (
	allCommon   = []string{"input", "timeout", "continue-on-error", "on-error"}
	onlyInput   = []string{"input"}
	noInputKeys = []string{"timeout", "continue-on-error", "on-error"}
)

func builtinElements() []*Element {
	onError := onErrorElement()
	var out []*Element
	dataDesc := map[string]string{
		"source/exec": "Run a program and read its output", "source/http": "Fetch a URL",
		"source/file": "Read a file", "source/database": "Query a database",
		"transform/exec": "Pipe the input through a program", "transform/template": "Render a template",
		"transform/map": "Compute a value per item", "transform/filter": "Keep the items matching a condition",
		"transform/reduce": "Fold the items into one value", "transform/ai": "Ask an OpenAI-compatible chat model",
		"sink/exec": "Run a program with the input on stdin", "sink/http": "Send the input to a URL",
		"sink/file": "Write the input to a file", "sink/database": "Write rows to a database table",
		"sink/email": "Send an email",
	}
	for _, role := range roles {
		for _, typ := range dataTypes[role] {
			e := &Element{
				Kind: role + "/" + typ, Tag: role, Type: typ, Desc: dataDesc[role+"/"+typ],
				Node: true, Common: allCommon, Fields: dataFields(role, typ),
			}
			switch typ {
			case "exec":
				e.Exclusive = [][]string{{"args", "shell"}}
			case "http":
				e.Groups = []string{"request", "response"}
			case "email":
				e.Groups = []string{"config", "message"}
				e.AtLeastOne = [][]string{{"text", "html"}}
				e.Together = [][]string{{"username", "password"}}
			}
			out = append(out, withOnError(e, onError))
		}
	}
	out = append(out, structural()...)
	for _, e := range control() {
		out = append(out, withOnError(e, onError))
	}
	out = append(out, temporal(onError)...)
	out = append(out, composition(onError)...)
	out = append(out, checkpoint())
	out = append(out, onError, onError.Children[0].Elem, onError.Children[1].Elem, &Element{
		Kind: "on-workflow-error", Tag: "on-workflow-error", Body: true,
		Desc: "Nodes run when the run ends failed, rejected or timed out",
	})
	return append(out, subElements(out)...)
}

var dataTypes = map[string][]string{
	"source":    {"exec", "http", "file", "database"},
	"transform": {"exec", "template", "map", "filter", "reduce", "ai"},
	"sink":      {"exec", "http", "file", "database", "email"},
}

// withOnError adds the <on-error> child to elements whose Common has it.
func withOnError(e, onError *Element) *Element {
	if slices.Contains(e.Common, "on-error") {
		e.Children = append(e.Children, &Child{Tag: "on-error", Max: 1, Elem: onError})
	}
	return e
}

func dataFields(role, typ string) []*Field {
	sink := role == "sink"
	switch typ {
	case "exec":
		stdin := fld("stdin", Tmpl, "Standard input: strings as-is, null as nothing, others compact JSON and a line break.")
		if role == "source" {
			stdin.def("empty", "")
		} else {
			stdin.def("input", "{{ input }}")
		}
		result := fld("result", Enum, "Output shape.").words("stdout", "full").def("stdout", nil)
		if sink {
			result.def("full", nil)
		}
		return []*Field{
			fld("command", Tmpl, "Shell command line; with args, the program (via PATH).").req(),
			fld("args", List, "Arguments, each rendered to text, passed without a shell."),
			fld("shell", Enum, "Shell used without args.").words("sh", "bash", "pwsh", "cmd").def("sh (Windows: cmd)", nil),
			fld("dir", Tmpl, "Working directory, relative to the workflow's, confined.").def("workflow dir", nil),
			fld("env", Map, "Extra environment variables (rendered to text; null removes one)."),
			stdin,
			fld("stdout", Enum, "Parsing of standard output.").words("text", "json", "lines").def("text", nil),
			result,
			fld("exit-codes", List, "Success exit codes.").def("[0]", []any{0.0}),
			fld("quiet", Bool, "Hide stdout lines from the display.").def("false", nil),
			fld("grace", Dur, "SIGTERM-to-SIGKILL wait on cancellation.").def("5s", 5000.0),
			fld("max-output", Size, "Limit per stream; beyond it the node fails (R609).").def("16MiB", 16777216.0),
		}
	case "http":
		method := fld("method", Enum, "Request method.").in("request").
			words("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS").def("GET", nil)
		body := fld("body", Any, "Request body; any YAML value, strings are templates.").in("request")
		result := fld("result", Enum, "Output shape.").in("response").words("body", "full").def("body", nil)
		if sink {
			method.def("POST", nil)
			body.def("input", "{{ input }}")
			result.def("full", nil)
		}
		return []*Field{
			fld("url", Tmpl, "Absolute http or https URL.").req().in("request"),
			method,
			fld("headers", Map, "Values rendered to text; null drops a header.").in("request"),
			fld("params", Map, "Query parameters.").in("request"),
			body,
			fld("body-format", Enum, "Request body encoding.").in("request").
				words("json", "form", "raw").def("raw for a string body, else json", nil),
			fld("auth", Map, "{type: bearer, token}, {type: basic, username, password} or {type: oauth2, token-url, client-id, client-secret, scope, audience}.").in("request"),
			fld("request-timeout", Dur, "Per request, body included.").in("request").rng(1, 0).def("30s", 30000.0),
			fld("retries", Int, "Transport retries.").rng(0, 10).def("2", nil),
			fld("throttle", Rate, "Request rate of this node in the run."),
			fld("extract", Str, "JSONPath (starting with $) or JMESPath applied to the parsed body.").in("response"),
			fld("format", Enum, "Response parsing.").in("response").words("auto", "json", "text", "base64").def("auto", nil),
			fld("expect-status", List, "Success codes (404) or ranges (\"200-299\").").in("response").
				def(`["200-299"]`, []any{"200-299"}),
			fld("max-size", Size, "Response limit (R606).").in("response").def("10MiB", 10485760.0),
			result,
			fld("follow-redirects", Bool, "Follow at most 10 redirects.").def("true", nil),
		}
	case "file":
		path := fld("path", Tmpl, "File path, relative to the workflow directory, confined.").req()
		format := fld("format", Enum, "File format; auto picks by extension.").
			words("auto", "json", "yaml", "csv", "text", "lines", "ndjson").def("auto", nil)
		delim := fld("delimiter", Str, "CSV delimiter, one character (tab for .tsv).").def(",", ",")
		header := fld("header", Bool, "CSV has a header row.").def("true", nil)
		if !sink {
			return []*Field{path, format, delim, header}
		}
		header.Desc = "Write a CSV header row."
		return []*Field{
			path, format,
			fld("content", Tmpl, "Value to write.").def("input", "{{ input }}"),
			fld("pretty", Bool, "Indent JSON by 2 spaces.").def("true", nil),
			fld("append", Bool, "Append instead of replacing (text, lines, ndjson, csv).").def("false", nil),
			fld("mkdir", Bool, "Create parent directories.").def("true", nil),
			fld("final-newline", Bool, "Add a line break to text not ending in one.").def("true", nil),
			delim, header,
			fld("mode", Str, "File mode, octal.").def(`"0644"`, "0644"),
		}
	case "database":
		conn := fld("connection", Tmpl, "sqlite:PATH, a bare path, sqlite::memory: or postgres://….").req()
		if !sink {
			return []*Field{
				conn,
				fld("query", Str, "SQL text; values go in params as $1, $2, ….").req(),
				fld("params", List, "Placeholder values; each item a template keeping its type."),
			}
		}
		return []*Field{
			conn,
			fld("table", Str, "Table name or schema.name.").when("operation!=exec"),
			fld("operation", Enum, "How rows are written.").words("insert", "upsert", "update", "exec").def("insert", nil),
			fld("conflict-columns", List, "Columns of the conflict target.").when("operation=upsert"),
			fld("key-columns", List, "Columns matching the rows to update.").when("operation=update"),
			fld("batch", Int, "Rows per INSERT statement.").rng(1, 10000).def("100", nil),
			fld("query", Str, "SQL run once per row.").when("operation=exec"),
			fld("params", List, "Placeholder values, seeing $item and $index (exec only).").lazy(),
		}
	case "email":
		return []*Field{
			fld("provider", Enum, "Mail provider.").in("config").words("smtp", "sendgrid").def("smtp", nil),
			fld("host", Tmpl, "SMTP server.").in("config").when("provider=smtp"),
			fld("port", Int, "SMTP port.").in("config").rng(1, 65535).def("587", nil),
			fld("username", Tmpl, "SMTP user (PLAIN auth; with password).").in("config"),
			fld("password", Tmpl, "SMTP password (with username).").in("config"),
			fld("security", Enum, "SMTP transport security.").in("config").words("starttls", "tls", "none").def("starttls", nil),
			fld("api-key", Tmpl, "SendGrid API key.").in("config").when("provider=sendgrid"),
			fld("from", Tmpl, "Sender address.").in("message").req(),
			fld("to", List, "Recipients; a list or comma-separated text.").in("message").req(),
			fld("cc", List, "Copy recipients.").in("message"),
			fld("bcc", List, "Blind copy recipients.").in("message"),
			fld("reply-to", List, "Reply addresses.").in("message"),
			fld("subject", Tmpl, "Subject line.").in("message").req(),
			fld("text", Tmpl, "Plain-text body (text or html is required).").in("message"),
			fld("html", Tmpl, "HTML body (text or html is required).").in("message"),
		}
	case "template":
		return []*Field{
			fld("template", Tmpl, "Text with {{ }} segments; one whole segment keeps its type.").req(),
			fld("parse", Enum, "Parse the rendered string.").words("text", "json", "yaml").def("text", nil),
		}
	case "map":
		return []*Field{
			fld("expression", Expr, "Value per item ($item, $index; or an arrow (item, index) => …).").req().lazy(),
		}
	case "filter":
		return []*Field{
			fld("condition", Expr, "Keep the items for which it is truthy.").req().lazy(),
		}
	case "reduce":
		return []*Field{
			fld("expression", Expr, "Next accumulator ($acc, $item, $index; or an arrow (acc, item, index) => …).").req().lazy(),
			fld("initial", Expr, "First accumulator.").def("null", nil).lazy(),
			fld("finalize", Expr, "Applied to the final $acc.").lazy(),
		}
	case "ai":
		return []*Field{
			fld("model", Tmpl, "Model name; required without a runtime default.").def("runtime.ai.model", nil),
			fld("prompt", Tmpl, "User message.").req().alias("user"),
			fld("system", Tmpl, "System message."),
			fld("output-schema", Schema, "Expected JSON output (schema DSL or <field> children)."),
			fld("temperature", Num, "Sampling temperature.").rng(0, 2).def("provider default", nil),
			fld("max-tokens", Int, "Most tokens of the answer.").rng(1, 0).def("4096", nil),
			fld("repair-attempts", Int, "Re-prompts when the answer does not match the schema.").rng(0, 5).def("2", nil),
			fld("retries", Int, "Transport retries, as for http.").rng(0, 10).def("3", nil),
			fld("request-timeout", Dur, "Per request.").rng(1, 0).def("120s", 120000.0),
			fld("base-url", Tmpl, "API base URL.").def("runtime.ai.base_url", nil),
			fld("api-key", Tmpl, "API key; the secret must be declared.").def("secret runtime.ai.api_key_secret", nil),
			fld("token-budget", Int, "Tokens this node may use in all.").rng(1, 0),
			fld("throttle", Rate, "Request rate of this node in the run."),
		}
	}
	return nil
}

// valueOrExpr returns the value/expr field pair of set, bind, arg.
func valueOrExpr() []*Field {
	return []*Field{
		fld("value", Tmpl, "Value (a string unless it is one whole {{ }})."),
		fld("expr", Expr, "Value as an expression."),
	}
}

var exactlyValueExpr = [][]string{{"value", "expr"}}

func structural() []*Element {
	ctxSet := &Element{
		Kind: "context/set", Tag: "set", Desc: "A run-wide constant of <context>",
		Fields:    append([]*Field{fld("key", Name, "Constant name, read as $context.<key>.").req()}, valueOrExpr()...),
		Exclusive: exactlyValueExpr, AtLeastOne: exactlyValueExpr,
	}
	outSet := &Element{
		Kind: "output/set", Tag: "set", Desc: "A field of the object built by <output>",
		Fields:    append([]*Field{fld("field", Str, "Output object key.").req()}, valueOrExpr()...),
		Exclusive: exactlyValueExpr, AtLeastOne: exactlyValueExpr,
	}
	return []*Element{
		{Kind: "phase", Tag: "phase", Desc: "Group nodes; sibling phases run in document order", Body: true,
			Fields: []*Field{fld("name", ID, "The phase's id.").req().alias("id")}},
		{Kind: "context", Tag: "context", Desc: "Set run-wide constants $context.<key>", Node: true,
			Children: []*Child{{Tag: "set", Elem: ctxSet}}},
		{Kind: "set", Tag: "set", Desc: "Assign a run variable", Node: true, Common: onlyInput,
			Fields:    append([]*Field{fld("var", Name, "Variable name (not equal to any node id).").req()}, valueOrExpr()...),
			Exclusive: exactlyValueExpr, AtLeastOne: exactlyValueExpr},
		{Kind: "output", Tag: "output", Desc: "Define the workflow output", Node: true,
			Fields: []*Field{
				fld("value", Tmpl, "Output value (a string unless it is one whole {{ }})."),
				fld("expr", Expr, "Output value as an expression."),
			},
			Children:  []*Child{{Tag: "set", Elem: outSet}},
			Exclusive: [][]string{{"value", "expr", "<set>"}}},
	}
}

func nodeList(tag string, max int, desc string, fields ...*Field) *Child {
	return &Child{Tag: tag, Max: max, NodeList: true, Elem: &Element{Kind: tag, Tag: tag, Desc: desc, Body: true, Fields: fields}}
}

func control() []*Element {
	thenC := nodeList("then", 1, "Nodes run when the condition is truthy")
	elseC := nodeList("else", 1, "Nodes run when the condition is falsy")
	match := nodeList("match", 0, "Arm taken when the branch input matches the pattern",
		fld("pattern", Str, "Match pattern (expressions.md §9) tested against the branch input.").req().lazy())
	caseC := nodeList("case", 0, "Arm taken when its condition is truthy",
		fld("when", Expr, "Condition of the arm.").req().lazy())
	other := nodeList("otherwise", 1, "Arm taken when no other arm matches")
	other.Aliases = []string{"default"}
	pbranch := nodeList("branch", 0, "A branch of <parallel>")
	pbranch.Elem.Kind = "parallel/branch"
	pbranch.Min = 2
	return []*Element{
		{Kind: "if", Tag: "if", Desc: "Run one of two arms on a condition", Node: true, Container: true, Common: allCommon,
			Fields:     []*Field{fld("condition", Expr, "Evaluated once; chooses the arm.").req()},
			Children:   []*Child{thenC, elseC},
			AtLeastOne: [][]string{{"<then>", "<else>"}}},
		{Kind: "branch", Tag: "branch", Desc: "Run the first matching arm", Node: true, Container: true, Common: allCommon,
			Children: []*Child{match, caseC, other}},
		{Kind: "goto", Tag: "goto", Desc: "Activate a later node", Node: true,
			Fields: []*Field{fld("node", ID, "The node to activate.").req()}},
		{Kind: "loop", Tag: "loop", Desc: "Repeat the body", Node: true, Container: true, Body: true, Common: allCommon,
			Fields: []*Field{
				fld("max", Int, "Most iterations; reaching it ends the loop normally.").rng(1, 100000).def("100", nil),
				fld("break", Expr, "Checked after each iteration; truthy ends the loop.").lazy(),
				fld("result", Expr, "The iteration's result, evaluated at its end.").def("result of the body", nil).lazy(),
			}},
		{Kind: "while", Tag: "while", Desc: "Repeat the body while a condition holds", Node: true, Container: true, Body: true, Common: allCommon,
			Fields: []*Field{
				fld("condition", Expr, "Checked before each iteration.").req().lazy(),
				fld("max", Int, "Safety cap; still truthy after it fails the node (R613).").rng(1, 0).def("1000", nil),
				fld("result", Expr, "The iteration's result, evaluated at its end.").def("result of the body", nil).lazy(),
			}},
		{Kind: "break", Tag: "break", Desc: "End the enclosing loop after this iteration", Node: true,
			Fields: []*Field{
				fld("when", Expr, "Break only if truthy.").def("always", nil),
				fld("loop", ID, "Enclosing loop, while or foreach to end.").def("the innermost", nil),
			}},
		{Kind: "foreach", Tag: "foreach", Desc: "Run the body for each item of an array", Node: true, Container: true, Body: true, Common: allCommon,
			Fields: []*Field{
				fld("collection", Expr, "The array to iterate.").def("input", nil),
				fld("item", Name, "Name of the current element (also $item).").def("item", "item"),
				fld("index", Name, "Name of the 0-based position (also $index).").def("index", "index"),
				fld("concurrency", Int, "Iterations in progress at once.").rng(1, 0).def("1", nil),
				fld("throttle", Rate, "Limits iteration starts."),
				fld("result", Expr, "Each iteration's result.").def("result of the body", nil).lazy(),
			}},
		{Kind: "parallel", Tag: "parallel", Desc: "Run branches concurrently", Node: true, Container: true, Common: allCommon,
			Fields: []*Field{
				fld("wait", Str, "all, any or n(K): when the parallel is done.").def("all", "all"),
				fld("merge", Expr, "array, concat, object or an expression ($branches): how branch results combine.").
					words("array", "concat", "object").def("array", "array").lazy(),
				fld("concurrency", Int, "Branches in progress at once.").rng(1, 0).def("number of branches", nil),
			},
			Children: []*Child{pbranch}},
	}
}

func temporal(onError *Element) []*Element {
	return []*Element{
		{Kind: "delay", Tag: "delay", Desc: "Wait for a duration; outputs its input", Node: true, Common: onlyInput,
			Fields: []*Field{fld("duration", Dur, "Time to wait (may be 0s).").req()}},
		withOnError(&Element{Kind: "timeout", Tag: "timeout", Desc: "Bound the time of its child nodes", Node: true, Container: true, Body: true,
			Common: allCommon,
			Fields: []*Field{
				fld("duration", Dur, "Time allowed for the children.").req().rng(1, 0),
				fld("on-timeout", ID, "Handler run when the duration passes; its output becomes this node's."),
			}}, onError),
	}
}

func composition(onError *Element) []*Element {
	sub := func(nameField, tag, desc string) *Element {
		return &Element{Kind: tag, Tag: tag, Desc: desc,
			Fields:    append([]*Field{fld(nameField, Name, "Key of $input set to the value.").req()}, valueOrExpr()...),
			Exclusive: exactlyValueExpr, AtLeastOne: exactlyValueExpr}
	}
	fields := func() []*Field {
		return []*Field{
			fld("workflow", Path, "The .flow.md file (not confined).").req(),
			fld("input", Expr, "Base of the sub-workflow's $input.").def("{}", nil),
			fld("config", Map, "Config overrides of the sub-workflow."),
		}
	}
	return []*Element{
		withOnError(&Element{Kind: "include", Tag: "include", Desc: "Run a sub-workflow whose nodes join this run", Node: true,
			Common: noInputKeys, Fields: fields(),
			Children: []*Child{{Tag: "bind", Elem: sub("key", "bind", "Sets $input.<key> of an include")}}}, onError),
		withOnError(&Element{Kind: "call", Tag: "call", Desc: "Run a sub-workflow as one opaque node", Node: true,
			Common: noInputKeys, Fields: fields(),
			Children: []*Child{{Tag: "arg", Elem: sub("name", "arg", "Sets $input.<name> of a call")}}}, onError),
	}
}

func checkpoint() *Element {
	action := &Element{Kind: "action", Tag: "action", Desc: "A possible answer of a checkpoint",
		Fields: []*Field{
			fld("id", Name, "Action name.").req(),
			fld("label", Str, "Shown to the person.").def("the id", nil),
			fld("goto", ID, "Node activated when chosen."),
			fld("outcome", Enum, "Whether the run goes on.").words("continue", "reject").def("reject for the id reject, else continue", nil),
			fld("ask", Str, "When chosen, ask for a line of text with this prompt."),
		}}
	return &Element{Kind: "checkpoint", Tag: "checkpoint", Desc: "Ask a person to decide", Node: true, Common: onlyInput,
		Fields: []*Field{
			fld("prompt", Tmpl, "Question shown to the person.").req(),
			fld("condition", Expr, "If given and falsy: approve at once, without asking."),
			fld("timeout", Dur, "Time to wait for an interactive answer, then default."),
			fld("default", Str, "Action on timeout, empty answer, end of input, or non-interactively.").def("reject", "reject"),
		},
		Children: []*Child{{Tag: "action", Elem: action}}}
}

func onErrorElement() *Element {
	retry := &Element{Kind: "retry", Tag: "retry", Desc: "Retry a failed node", YAMLContent: true,
		Fields: []*Field{
			fld("max", Int, "Retries after the first attempt.").rng(1, 100).def("3", nil),
			fld("backoff", Enum, "Growth of the delays.").words("exponential", "linear", "fixed").def("exponential", nil),
			fld("base", Dur, "First delay.").def("1s", 1000.0),
			fld("max-delay", Dur, "Cap of every delay.").def("30s", 30000.0),
			fld("jitter", Num, "full, none, or a number 0–1.").words("full", "none").rng(0, 1).def("full", "full"),
			fld("when", Expr, "Retry only if truthy; $error is the attempt's error.").def("$error.retryable", nil).lazy(),
		}}
	fallback := &Element{Kind: "fallback", Tag: "fallback", Desc: "Run a handler node when the node finally fails",
		Fields: []*Field{fld("node", ID, "The handler node.").req()}}
	return &Element{Kind: "on-error", Tag: "on-error", Desc: "Retry and fallback of a node",
		Children: []*Child{{Tag: "retry", Max: 1, Elem: retry}, {Tag: "fallback", Max: 1, Elem: fallback}}}
}

// subElements returns the child elements of elems (then, else, match, ...,
// action, bind, arg) in first-seen order, and the output-schema <field>.
func subElements(elems []*Element) []*Element {
	var out []*Element
	seen := map[string]bool{}
	for _, e := range elems {
		seen[e.Kind] = true
	}
	for _, e := range elems {
		for _, c := range e.Children {
			if !seen[c.Elem.Kind] {
				seen[c.Elem.Kind] = true
				out = append(out, c.Elem)
			}
		}
	}
	field := &Element{Kind: "field", Tag: "field", Desc: "A field of an output-schema",
		Fields: []*Field{
			fld("name", Str, "Object key.").req(),
			fld("type", Str, "Schema DSL type (expressions.md §11).").def("string", "string"),
			fld("description", Str, "What the field holds."),
			fld("required", Bool, "false makes the type T?.").def("true", nil),
		}}
	field.Children = []*Child{{Tag: "field", Elem: field}}
	return append(out, field)
}
