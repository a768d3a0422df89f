package runtimes

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

// fileCall builds a file call in a fresh workflow directory.
func fileCall(t *testing.T, role string, fields map[string]any) *Call {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &Call{Node: "f", Role: role, Fields: fields, WorkflowDir: dir, Log: func(string, string) {}}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readTestFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func runFile(c *Call) (any, error) {
	return (&File{Role: c.Role}).Run(context.Background(), c)
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		path, format string
		tab          bool
	}{
		{"a.json", "json", false}, {"A.JSON", "json", false}, {"x/y.yaml", "yaml", false}, {"y.YML", "yaml", false},
		{"d.csv", "csv", false}, {"d.tsv", "csv", true}, {"d.ndjson", "ndjson", false}, {"d.jsonl", "ndjson", false},
		{"r.txt", "text", false}, {"README", "text", false}, {"x.json.bak", "text", false}, {"lines.md", "text", false},
	}
	for _, tt := range tests {
		if f, tab := FormatOf(tt.path); f != tt.format || tab != tt.tab {
			t.Errorf("FormatOf(%q) = %s, %v; want %s, %v", tt.path, f, tab, tt.format, tt.tab)
		}
	}
}

func TestFileSource(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		fields  map[string]any
		want    string // JSON of the output
	}{
		{"json keeps key order", "data/x.json", `{"z": 1, "a": [1.5, "s", null, true]}`, nil, `{"z":1,"a":[1.5,"s",null,true]}`},
		{"json with BOM", "x.json", "\uFEFF[1]\n", nil, `[1]`},
		{"yaml", "c.yaml", "z: 1\na:\n  - x\n  - true\nq: \"1\"\n", nil, `{"z":1,"a":["x",true],"q":"1"}`},
		{"yaml first document", "c.yml", "a: 1\n---\nb: 2\n", nil, `{"a":1}`},
		{"yaml empty", "c.yaml", "", nil, `null`},
		{"csv header", "d.csv", "id,name\n1,Ann\n2,\"Bo, Jr.\"\n", nil, `[{"id":"1","name":"Ann"},{"id":"2","name":"Bo, Jr."}]`},
		{"csv multi-line and quotes", "d.csv", "id,note\r\n1,\"two\r\nlines \"\"q\"\"\"\r\n", nil, `[{"id":"1","note":"two\nlines \"q\""}]`},
		{"csv no header", "d.csv", "1,2\n3\n", map[string]any{"header": false}, `[["1","2"],["3"]]`},
		{"csv empty", "d.csv", "", nil, `[]`},
		{"csv header only", "d.csv", "a,b\n", nil, `[]`},
		{"csv BOM", "d.csv", "\uFEFFa\nx\n", nil, `[{"a":"x"}]`},
		{"tsv", "d.tsv", "a\tb\nx,y\tz\n", map[string]any{"delimiter": ","}, `[{"a":"x,y","b":"z"}]`},
		{"csv delimiter", "d.csv", "a;b\n1;2\n", map[string]any{"delimiter": ";"}, `[{"a":"1","b":"2"}]`},
		{"csv tab escape", "d.txt", "a\tb\n1\t2\n", map[string]any{"format": "csv", "delimiter": `\t`}, `[{"a":"1","b":"2"}]`},
		{"text", "r.txt", "Total: 3\n", nil, `"Total: 3\n"`},
		{"text BOM", "r.txt", "\uFEFFhi", nil, `"hi"`},
		{"lines", "l.txt", "a\r\n\nb\n", map[string]any{"format": "lines"}, `["a","","b"]`},
		{"lines no final break", "l.txt", "a\nb", map[string]any{"format": "lines"}, `["a","b"]`},
		{"lines empty", "l.txt", "", map[string]any{"format": "lines"}, `[]`},
		{"ndjson", "e.ndjson", "{\"a\":1}\n\n  \n[2]\n\"s\"\n", nil, `[{"a":1},[2],"s"]`},
		{"jsonl", "e.jsonl", "1\n2", nil, `[1,2]`},
		{"format overrides extension", "x.txt", `{"a":1}`, map[string]any{"format": "json"}, `{"a":1}`},
		{"auto format", "x.json", `[]`, map[string]any{"format": "auto"}, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]any{"path": tt.file}
			for k, v := range tt.fields {
				fields[k] = v
			}
			c := fileCall(t, "source", fields)
			writeTestFile(t, filepath.Join(c.WorkflowDir, tt.file), tt.content)
			got, err := runFile(c)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if s := value.JSON(got); s != tt.want {
				t.Errorf("got %s, want %s", s, tt.want)
			}
		})
	}
}

// yamlAliasBomb is "billion laughs": nine levels of ten aliases to the
// level below, 520 bytes that expand to 10^9 values.
const yamlAliasBomb = `a0: &a0 [x, x, x, x, x, x, x, x, x, x]
a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
a7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
a8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
top: *a8
`

func TestFileSourceErrors(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		files   map[string]string
		fields  map[string]any
		code    string
		message string
	}{
		{"missing", "data/x.json", nil, nil, "R607", "cannot read data/x.json: no such file"},
		{"directory", "data", map[string]string{"data/a": ""}, map[string]any{"format": "text"}, "R607", "cannot read data: is a directory"},
		{"invalid json", "x.json", map[string]string{"x.json": "{\n  \"a\": 1,\n}"}, nil, "R607",
			"cannot parse x.json: invalid JSON at offset 12: unexpected \"}\""},
		{"truncated json", "x.json", map[string]string{"x.json": `{"a": [1`}, nil, "R607", "cannot parse x.json: invalid JSON: unexpected end of input"},
		{"trailing json", "x.json", map[string]string{"x.json": `1 2`}, nil, "R607", "cannot parse x.json: invalid JSON at offset 2: unexpected data after the value"},
		{"empty json", "x.json", map[string]string{"x.json": ""}, nil, "R607", "cannot parse x.json: invalid JSON: unexpected end of input"},
		{"invalid ndjson", "x.ndjson", map[string]string{"x.ndjson": "1\n{\n"}, nil, "R607", "cannot parse x.ndjson: line 2: invalid JSON: unexpected end of input"},
		{"csv field count", "d.csv", map[string]string{"d.csv": "a,b\n1\n"}, nil, "R607", "cannot parse d.csv: invalid CSV: record on line 2: wrong number of fields"},
		{"csv bare quote", "d.csv", map[string]string{"d.csv": "a\nx\"y\n"}, nil, "R607", "cannot parse d.csv: invalid CSV: parse error on line 2, column 2: bare \" in non-quoted-field"},
		{"invalid yaml", "c.yaml", map[string]string{"c.yaml": "a: [1\n"}, nil, "R607", "cannot parse c.yaml: invalid YAML: line 1: did not find expected ',' or ']'"},
		{"recursive yaml alias", "r.yaml", map[string]string{"r.yaml": "a: &x [1, *x]\n"}, nil, "R607", "cannot parse r.yaml: invalid YAML: line 1: alias *x refers to itself"},
		{"yaml alias bomb", "b.yaml", map[string]string{"b.yaml": yamlAliasBomb}, nil, "R607", "cannot parse b.yaml: invalid YAML: line 6: aliases expand to more than 1000000 values or 64 MiB of text"},
		{"yaml merge of a list", "m.yaml", map[string]string{"m.yaml": "l: &l [1]\nm:\n  <<: *l\n"}, nil, "R607", "cannot parse m.yaml: invalid YAML: line 3: map merge requires map or sequence of maps as the value"},
		{"bad delimiter", "d.csv", map[string]string{"d.csv": ""}, map[string]any{"delimiter": ";;"}, "R607",
			`delimiter must be one character other than a quote or line break, got ";;"`},
		{"unknown format", "d.csv", map[string]string{"d.csv": ""}, map[string]any{"format": "xml"}, "R607", `unknown format "xml"`},
		{"empty path", "", nil, nil, "R607", "path is empty"},
		{"outside", "../x.json", nil, nil, "R608", `path "../x.json" is outside the workflow directory`},
		{"outside after clean", "data/../../x.json", nil, nil, "R608", `path "data/../../x.json" is outside the workflow directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]any{"path": tt.path}
			for k, v := range tt.fields {
				fields[k] = v
			}
			c := fileCall(t, "source", fields)
			for name, content := range tt.files {
				writeTestFile(t, filepath.Join(c.WorkflowDir, name), content)
			}
			got, err := runFile(c)
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("got %v, %v; want *Error", got, err)
			}
			if re.Code != tt.code || re.Message != tt.message || re.Retryable {
				t.Errorf("got [%s] %q retryable=%v, want [%s] %q", re.Code, re.Message, re.Retryable, tt.code, tt.message)
			}
			if re.Code == "R608" && (len(re.Hints) != 1 || !strings.Contains(re.Hints[0], "--allow-path")) {
				t.Errorf("hints %q", re.Hints)
			}
		})
	}
}

func TestFileSink(t *testing.T) {
	obj := func(s string) any { return mustParseT(s) }
	tests := []struct {
		name    string
		path    string
		fields  map[string]any
		input   any
		want    string // file content
		output  string // JSON of the node output
		noInput bool
	}{
		{"spec example", "out/paid.txt", nil, "Total: 3", "Total: 3\n", `{"path":"out/paid.txt","bytes":9,"format":"text"}`, false},
		{"text ending in newline", "a.txt", nil, "x\n", "x\n", `{"path":"a.txt","bytes":2,"format":"text"}`, false},
		{"text final-newline false", "a.txt", map[string]any{"final-newline": false}, "x", "x", `{"path":"a.txt","bytes":1,"format":"text"}`, false},
		{"text empty", "a.txt", nil, "", "\n", ``, false},
		{"json pretty", "o.json", nil, obj(`{"z":1,"a":[1,{"b":null}],"e":{},"l":[]}`),
			"{\n  \"z\": 1,\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"e\": {},\n  \"l\": []\n}\n", ``, false},
		{"json compact", "o.json", map[string]any{"pretty": false}, obj(`{"a":[1,2]}`), "{\"a\":[1,2]}\n", ``, false},
		{"json string", "o.json", nil, "a\"b", "\"a\\\"b\"\n", `{"path":"o.json","bytes":7,"format":"json"}`, false},
		{"json null", "o.json", nil, nil, "null\n", ``, false},
		{"yaml", "o.yaml", nil, obj(`{"z":1,"a":["x",{"b":true}],"s":"true","n":null,"f":1.5,"e":""}`),
			"z: 1\na:\n  - x\n  - b: true\ns: \"true\"\nn: null\nf: 1.5\ne: \"\"\n", ``, false},
		{"yaml null", "o.yml", nil, nil, "null\n", ``, false},
		{"csv objects", "d.csv", nil, obj(`[{"id":1,"name":"Ann"},{"name":"Bo","x":null,"id":2},{"extra":[1,"a"],"b":true}]`),
			"id,name,x,extra,b\n1,Ann,,,\n2,Bo,,,\n,,,\"[1,\"\"a\"\"]\",true\n", `{"path":"d.csv","bytes":55,"format":"csv"}`, false},
		{"csv quoting", "d.csv", nil, obj(`[{"a":"x,y","b":"say \"hi\"","c":"two\nlines","d":"cr\r","e":" lead"}]`),
			"a,b,c,d,e\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\", lead\n", ``, false},
		{"csv arrays", "d.csv", nil, obj(`[["a","b"],[1,null,{"k":1}]]`), "a,b\n1,,\"{\"\"k\"\":1}\"\n", ``, false},
		{"csv no header", "d.csv", map[string]any{"header": false}, obj(`[{"a":1},{"b":2}]`), "1,\n,2\n", ``, false},
		{"csv empty", "d.csv", nil, obj(`[]`), "", ``, false},
		{"tsv", "d.tsv", nil, obj(`[{"a":"x,y","b":"t\tu"}]`), "a\tb\nx,y\t\"t\tu\"\n", `{"path":"d.tsv","bytes":14,"format":"csv"}`, false},
		{"csv delimiter", "d.csv", map[string]any{"delimiter": ";"}, obj(`[{"a":"x,y","b":"p;q"}]`), "a;b\nx,y;\"p;q\"\n", ``, false},
		{"lines", "l.txt", map[string]any{"format": "lines"}, obj(`["a",1,{"b":2},null]`), "a\n1\n{\"b\":2}\nnull\n", ``, false},
		{"lines empty", "l.txt", map[string]any{"format": "lines"}, obj(`[]`), "", ``, false},
		{"ndjson", "e.ndjson", nil, obj(`[{"a":1},"s",[]]`), "{\"a\":1}\n\"s\"\n[]\n", ``, false},
		{"content overrides input", "a.txt", map[string]any{"content": "from content"}, "from input", "from content\n", ``, false},
		{"mkdir parents", "a/b/c/d.txt", nil, "x", "x\n", `{"path":"a/b/c/d.txt","bytes":2,"format":"text"}`, false},
		{"dot segments", "./a/../b.txt", nil, "x", "x\n", `{"path":"b.txt","bytes":2,"format":"text"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]any{"path": tt.path}
			for k, v := range tt.fields {
				fields[k] = v
			}
			c := fileCall(t, "sink", fields)
			c.Input, c.HasInput = tt.input, true
			got, err := runFile(c)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if s := readTestFile(t, filepath.Join(c.WorkflowDir, tt.path)); s != tt.want {
				t.Errorf("file holds %q, want %q", s, tt.want)
			}
			if tt.output != "" {
				if s := value.JSON(got); s != tt.output {
					t.Errorf("output %s, want %s", s, tt.output)
				}
			}
		})
	}
}

// mustParseT parses JSON test data, panicking on bad test data.
func mustParseT(s string) any {
	v, err := value.ParseJSON([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}

func TestFileSinkErrors(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		fields  map[string]any
		input   any
		code    string
		message string
	}{
		{"null text", "a.txt", nil, nil, "R607", "cannot write a.txt: cannot write null as text"},
		{"null csv", "a.csv", nil, nil, "R607", "cannot write a.csv: cannot write null as csv"},
		{"null lines", "a.txt", map[string]any{"format": "lines"}, nil, "R607", "cannot write a.txt: cannot write null as lines"},
		{"text needs string", "a.txt", nil, []any{"a"}, "R607", "cannot write a.txt: text format needs a string, got array"},
		{"lines needs array", "a.txt", map[string]any{"format": "lines"}, "a", "R607", "cannot write a.txt: lines format needs an array, got string"},
		{"ndjson needs array", "a.ndjson", nil, 1.0, "R607", "cannot write a.ndjson: ndjson format needs an array, got number"},
		{"csv needs array", "a.csv", nil, "x", "R607", "cannot write a.csv: csv format needs an array of objects or arrays, got string"},
		{"csv scalar rows", "a.csv", nil, []any{1.0}, "R607", "cannot write a.csv: csv rows must be objects or arrays, got number"},
		{"csv mixed rows", "a.csv", nil, []any{[]any{}, value.NewObject(0)}, "R607", "cannot write a.csv: csv rows must be all objects or all arrays"},
		{"append json", "a.json", map[string]any{"append": true}, 1.0, "R607", "cannot append to a.json: append works for text, lines, ndjson and csv, not json"},
		{"append yaml", "a.yaml", map[string]any{"append": true}, 1.0, "R607", "cannot append to a.yaml: append works for text, lines, ndjson and csv, not yaml"},
		{"bad mode", "a.txt", map[string]any{"mode": "rw"}, "x", "R607", `invalid mode "rw": expected octal digits like "0644"`},
		{"no mkdir", "new/a.txt", map[string]any{"mkdir": false}, "x", "R607", "cannot write new/a.txt: no such directory (mkdir is false)"},
		{"directory target", "sub", map[string]any{"format": "text"}, "x", "R607", "cannot write sub: is a directory"},
		{"outside", "../a.txt", nil, "x", "R608", `path "../a.txt" is outside the workflow directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]any{"path": tt.path}
			for k, v := range tt.fields {
				fields[k] = v
			}
			c := fileCall(t, "sink", fields)
			if err := os.Mkdir(filepath.Join(c.WorkflowDir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			c.Input, c.HasInput = tt.input, true
			got, err := runFile(c)
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("got %v, %v; want *Error", got, err)
			}
			if re.Code != tt.code || re.Message != tt.message || re.Retryable {
				t.Errorf("got [%s] %q retryable=%v, want [%s] %q", re.Code, re.Message, re.Retryable, tt.code, tt.message)
			}
			if tt.code == "R607" && tt.name != "directory target" {
				if _, err := os.Stat(filepath.Join(c.WorkflowDir, tt.path)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("failed write left a file: %v", err)
				}
			}
		})
	}
}

func TestFileAppend(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		fields   map[string]any
		existing string // "" : no file
		inputs   []string
		want     string
	}{
		{"text", "a.txt", nil, "", []string{`"one"`, `"two\n"`}, "one\ntwo\n"},
		{"lines", "a.txt", map[string]any{"format": "lines"}, "x\n", []string{`["a",1]`, `["b"]`}, "x\na\n1\nb\n"},
		{"ndjson", "a.ndjson", nil, "", []string{`[{"a":1}]`, `[2]`}, "{\"a\":1}\n2\n"},
		{"csv rows only", "a.csv", nil, "", []string{`[{"a":1,"b":2}]`, `[{"a":3,"b":4}]`}, "1,2\n3,4\n"},
		{"csv after header", "a.csv", nil, "a,b\n0,0\n", []string{`[{"a":1,"b":2},{"a":3}]`}, "a,b\n0,0\n1,2\n3,\n"},
		{"csv arrays", "a.csv", nil, "h\n", []string{`[["x","y"]]`}, "h\nx,y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]any{"path": tt.path, "append": true}
			for k, v := range tt.fields {
				fields[k] = v
			}
			c := fileCall(t, "sink", fields)
			target := filepath.Join(c.WorkflowDir, tt.path)
			if tt.existing != "" {
				writeTestFile(t, target, tt.existing)
			}
			total := len(tt.existing)
			for _, in := range tt.inputs {
				c.Input = mustParseT(in)
				out, err := runFile(c)
				if err != nil {
					t.Fatal(err)
				}
				n, _ := out.(*value.Object).Get("bytes")
				total += int(n.(float64))
			}
			got := readTestFile(t, target)
			if got != tt.want {
				t.Errorf("file holds %q, want %q", got, tt.want)
			}
			if total != len(got) {
				t.Errorf("reported %d bytes in all, file has %d", total, len(got))
			}
		})
	}
}

func TestFileRoundTrip(t *testing.T) {
	mixed := `{"name":"Zoë","n":-1.5e-7,"big":12345678901234,"ok":true,"none":null,"list":[1,"two",[3],{"k":"v"}],"obj":{"z":1,"a":2},"s":"true","e":"","nl":"a\nb","q":"\"quoted\": yes"}`
	tests := []struct {
		name   string
		path   string
		fields map[string]any
		value  string
	}{
		{"json", "v.json", nil, mixed},
		{"json compact", "v.json", map[string]any{"pretty": false}, mixed},
		{"json scalar", "v.json", nil, `"just a string"`},
		{"yaml", "v.yaml", nil, mixed},
		{"yaml list", "v.yml", nil, `[1, "1", "null", "- x", "#c", "a: b", {"x": []}]`},
		{"yaml merge-like key", "v.yaml", nil, `{"<<": "x", "a": 1, "m": {"<<": {"k": "<<"}}, "l": ["<<"]}`},
		{"ndjson", "v.ndjson", nil, `[` + mixed + `, 1, "s", null, []]`},
		{"csv", "v.csv", nil, `[{"a":"1","b":"x,y","c":"multi\nline \"q\""},{"a":"","b":"","c":" sp "}]`},
		{"tsv", "v.tsv", nil, `[{"a":"1\t2","b":"c"}]`},
		{"csv no header", "v.csv", map[string]any{"header": false}, `[["1","2"],["3","x\"y"]]`},
		{"text", "v.txt", nil, `"line one\nline two\n"`},
		{"lines", "v.txt", map[string]any{"format": "lines"}, `["a","","b c"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]any{"path": tt.path}
			for k, v := range tt.fields {
				fields[k] = v
			}
			c := fileCall(t, "sink", fields)
			c.Input = mustParseT(tt.value)
			if _, err := runFile(c); err != nil {
				t.Fatal(err)
			}
			c.Role = "source"
			got, err := runFile(c)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := value.JSON(got), value.JSON(c.Input); g != w {
				t.Errorf("read back %s\nwrote     %s\nfile:\n%s", g, w, readTestFile(t, filepath.Join(c.WorkflowDir, tt.path)))
			}
		})
	}
}

func TestFileConfinement(t *testing.T) {
	outside, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(outside, "secret.txt"), "s")
	tests := []struct {
		name  string
		path  string
		allow bool
		want  string // "R608", or the output path of a write
	}{
		{"parent", "../x.txt", false, "R608"},
		{"cleaned parent", "a/../../x.txt", false, "R608"},
		{"symlink dir outside", "out-link/x.txt", false, "R608"},
		{"symlink file outside", "secret-link.txt", false, "R608"},
		{"symlink dir outside, missing parts", "out-link/new/dir/x.txt", false, "R608"},
		{"absolute outside", filepath.Join(outside, "x.txt"), false, "R608"},
		{"symlink inside", "in-link/x.txt", false, "in-link/x.txt"},
		{"absolute inside", "ABS/y.txt", false, "y.txt"},
		{"allowed dir", filepath.Join(outside, "x.txt"), true, filepath.ToSlash(filepath.Join(outside, "x.txt"))},
		{"allowed through symlink", "out-link/z.txt", true, "out-link/z.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fileCall(t, "sink", nil)
			if runtime.GOOS == "windows" {
				t.Skip("symlinks need privileges")
			}
			if err := os.Symlink(outside, filepath.Join(c.WorkflowDir, "out-link")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(c.WorkflowDir, "secret-link.txt")); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(c.WorkflowDir, "real"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("real", filepath.Join(c.WorkflowDir, "in-link")); err != nil {
				t.Fatal(err)
			}
			if tt.allow {
				c.AllowPaths = []string{outside}
			}
			path := strings.Replace(tt.path, "ABS", c.WorkflowDir, 1)
			c.Fields = map[string]any{"path": path}
			c.Input = "x"
			out, err := runFile(c)
			if tt.want == "R608" {
				var re *Error
				if !errors.As(err, &re) || re.Code != "R608" {
					t.Fatalf("write: got %v, %v; want R608", out, err)
				}
				if re.Message != `path `+quote(path)+` is outside the workflow directory` {
					t.Errorf("message %q", re.Message)
				}
				c.Role = "source"
				if _, err := runFile(c); !errors.As(err, &re) || re.Code != "R608" {
					t.Errorf("read: got %v; want R608", err)
				}
				if s := readTestFile(t, filepath.Join(outside, "secret.txt")); s != "s" {
					t.Errorf("outside file changed to %q", s)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p, _ := out.(*value.Object).Get("path"); p != tt.want {
				t.Errorf("output path %v, want %q", p, tt.want)
			}
		})
	}
}

func TestFileAtomicWrite(t *testing.T) {
	leftovers := func(t *testing.T, dir string) []string {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		return names
	}
	t.Run("rename fails", func(t *testing.T) {
		c := fileCall(t, "sink", map[string]any{"path": "out/r.json"})
		target := filepath.Join(c.WorkflowDir, "out", "r.json")
		writeTestFile(t, target, "old\n")
		c.Input = mustParseT(`{"new":true}`)
		renameFile = func(string, string) error { return &os.LinkError{Op: "rename", Err: errors.New("disk on fire")} }
		defer func() { renameFile = os.Rename }()
		_, err := runFile(c)
		var re *Error
		if !errors.As(err, &re) || re.Code != "R607" || re.Message != "cannot write out/r.json: disk on fire" {
			t.Fatalf("got %v", err)
		}
		if s := readTestFile(t, target); s != "old\n" {
			t.Errorf("target holds %q", s)
		}
		if got := leftovers(t, filepath.Dir(target)); strings.Join(got, ",") != "r.json" {
			t.Errorf("directory holds %q", got)
		}
	})
	t.Run("invalid value", func(t *testing.T) {
		c := fileCall(t, "sink", map[string]any{"path": "r.txt"})
		target := filepath.Join(c.WorkflowDir, "r.txt")
		writeTestFile(t, target, "old\n")
		c.Input = 42.0
		if _, err := runFile(c); err == nil {
			t.Fatal("no error")
		}
		if s := readTestFile(t, target); s != "old\n" {
			t.Errorf("target holds %q", s)
		}
		if got := leftovers(t, c.WorkflowDir); strings.Join(got, ",") != "r.txt" {
			t.Errorf("directory holds %q", got)
		}
	})
	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 || runtime.GOOS == "windows" {
			t.Skip("permissions do not stop root")
		}
		c := fileCall(t, "sink", map[string]any{"path": "out/paid.txt"})
		dir := filepath.Join(c.WorkflowDir, "out")
		writeTestFile(t, filepath.Join(dir, "paid.txt"), "old\n")
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o755)
		c.Input = "new"
		_, err := runFile(c)
		var re *Error
		if !errors.As(err, &re) || re.Message != "cannot write out/paid.txt: permission denied" {
			t.Fatalf("got %v", err)
		}
		if s := readTestFile(t, filepath.Join(dir, "paid.txt")); s != "old\n" {
			t.Errorf("target holds %q", s)
		}
	})
	t.Run("replaces and sets mode", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no Unix modes")
		}
		for _, tt := range []struct {
			mode any
			want os.FileMode
		}{{nil, 0o644}, {"0600", 0o600}, {"755", 0o755}} {
			c := fileCall(t, "sink", map[string]any{"path": "m.txt"})
			if tt.mode != nil {
				c.Fields["mode"] = tt.mode
			}
			target := filepath.Join(c.WorkflowDir, "m.txt")
			writeTestFile(t, target, "old, longer content\n")
			c.Input = "new"
			if _, err := runFile(c); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(target)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != tt.want {
				t.Errorf("mode %v: got %v, want %v", tt.mode, st.Mode().Perm(), tt.want)
			}
			if s := readTestFile(t, target); s != "new\n" {
				t.Errorf("holds %q", s)
			}
			if got := leftovers(t, c.WorkflowDir); strings.Join(got, ",") != "m.txt" {
				t.Errorf("directory holds %q", got)
			}
		}
	})
	t.Run("writes through a symlink", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("symlinks need privileges")
		}
		c := fileCall(t, "sink", map[string]any{"path": "link.txt"})
		writeTestFile(t, filepath.Join(c.WorkflowDir, "real.txt"), "old\n")
		if err := os.Symlink("real.txt", filepath.Join(c.WorkflowDir, "link.txt")); err != nil {
			t.Fatal(err)
		}
		c.Input = "new"
		if _, err := runFile(c); err != nil {
			t.Fatal(err)
		}
		if s := readTestFile(t, filepath.Join(c.WorkflowDir, "real.txt")); s != "new\n" {
			t.Errorf("real file holds %q", s)
		}
		if fi, err := os.Lstat(filepath.Join(c.WorkflowDir, "link.txt")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("link replaced: %v", err)
		}
	})
}

func TestFileCancelled(t *testing.T) {
	c := fileCall(t, "sink", map[string]any{"path": "a.txt"})
	c.Input = "x"
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&File{Role: "sink"}).Run(ctx, c)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.WorkflowDir, "a.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file written after cancellation")
	}
}

func BenchmarkFileWriteJSON(b *testing.B) {
	b.ReportAllocs()
	items := make([]any, 1000)
	for i := range items {
		items[i] = value.ObjectOf("id", float64(i), "name", "item", "tags", []any{"a", "b"})
	}
	c := &Call{Role: "sink", Fields: map[string]any{"path": "b.json"}, Input: items, WorkflowDir: b.TempDir(), Log: func(string, string) {}}
	rt := &File{Role: "sink"}
	for b.Loop() {
		if _, err := rt.Run(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFileReadCSV(b *testing.B) {
	b.ReportAllocs()
	dir := b.TempDir()
	var sb strings.Builder
	sb.WriteString("id,name,note\n")
	for i := 0; i < 1000; i++ {
		sb.WriteString("1,Ann,\"a, b\"\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "d.csv"), []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	c := &Call{Role: "source", Fields: map[string]any{"path": "d.csv"}, WorkflowDir: dir, Log: func(string, string) {}}
	rt := &File{Role: "source"}
	for b.Loop() {
		if _, err := rt.Run(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
}

// A JSON file source reports the file its output was decoded from, with
// the checksum of the bytes read; other formats, and sinks, do not.
func TestFileSourceOrigin(t *testing.T) {
	for _, tc := range []struct {
		file, content string
		fields        map[string]any
		want          bool
	}{
		{"x.json", `[{"a": 1}]`, nil, true},
		{"x.data", "[1]", map[string]any{"format": "json"}, true},
		{"x.ndjson", "{}\n", nil, false},
		{"x.csv", "a\n1\n", nil, false},
		{"x.yaml", "a: 1\n", nil, false},
	} {
		c := fileCall(t, "source", map[string]any{"path": tc.file})
		for k, v := range tc.fields {
			c.Fields[k] = v
		}
		path := filepath.Join(c.WorkflowDir, tc.file)
		writeTestFile(t, path, tc.content)
		var got *Origin
		c.Origin = func(o Origin) { got = &o }
		if _, err := runFile(c); err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !tc.want {
			if got != nil {
				t.Errorf("%s: origin %+v", tc.file, got)
			}
			continue
		}
		want := Origin{Path: path, Size: int64(len(tc.content)), Sum: Checksum([]byte(tc.content))}
		if got == nil || *got != want {
			t.Errorf("%s: origin %+v, want %+v", tc.file, got, want)
		}
	}
	c := fileCall(t, "sink", map[string]any{"path": "out.json"})
	c.Input, c.HasInput = []any{1.0}, true
	c.Origin = func(o Origin) { t.Errorf("sink reported origin %+v", o) }
	if _, err := runFile(c); err != nil {
		t.Fatal(err)
	}
}
