package format

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/parser"
	"github.com/flowscript/flowscript/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// corpus returns every workflow of the repository: the .flow.md files and
// the .flow.md sections of the testscript archives, by a readable name.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".flowscript") {
			return filepath.SkipDir
		}
		switch {
		case strings.HasSuffix(path, ".flow.md"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out[path] = b
		case strings.HasSuffix(path, ".txtar"):
			ar, err := txtar.ParseFile(path)
			if err != nil {
				return err
			}
			for _, f := range ar.Files {
				if strings.HasSuffix(f.Name, ".flow.md") {
					out[path+":"+f.Name] = f.Data
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 5 {
		t.Fatalf("only %d workflows found", len(out))
	}
	return out
}

func TestFormatGolden(t *testing.T) {
	for _, name := range []string{"messy", "canonical"} {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", name+".flow.md"))
			if err != nil {
				t.Fatal(err)
			}
			out, diags, fellBack := format(name+".flow.md", src)
			if diags.HasErrors() || out == nil {
				t.Fatalf("diagnostics: %v", diags)
			}
			if fellBack {
				t.Errorf("left as it was: the layout changed the meaning")
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("got:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

// TestFormatIdempotent formats every workflow of the repository twice:
// the second pass changes nothing, the result means the same as the
// input, and no file needs the fallback that leaves it as it was.
func TestFormatIdempotent(t *testing.T) {
	for name, src := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			once, diags, fellBack := format("x.flow.md", src)
			if once == nil {
				return // an invalid workflow of an error test
			}
			if fellBack {
				t.Fatalf("no layout keeps the meaning; diagnostics %v", diags)
			}
			twice, _, _ := format("x.flow.md", once)
			if !bytes.Equal(once, twice) {
				t.Errorf("not idempotent:\nonce:\n%s\ntwice:\n%s", once, twice)
			}
			a, _ := parser.ParseFile("x.flow.md", src)
			b, bd := parser.ParseFile("x.flow.md", once)
			if b == nil {
				t.Fatalf("formatted file does not parse: %v\n%s", bd, once)
			}
			if err := Equivalent(a, b); err != nil {
				t.Errorf("meaning changed: %v", err)
			}
			if err := keptVerbatim(src, once); err != nil {
				t.Error(err)
			}
		})
	}
}

// keptVerbatim checks that every comment and the content of every text
// field (YAML blocks included) of the body of src appears in out byte for
// byte, in the same order (spec/cli.md §9).
func keptVerbatim(src, out []byte) error {
	flow, _ := parser.ParseFile("v.flow.md", src)
	if flow == nil {
		return nil
	}
	p := &printer{src: src, cat: fields.Builtin()}
	root, _, diags := parser.ParseBody(source.NewFile("v.flow.md", src), flow.BodyStart, flow.BodyEnd, true, p.isText)
	if root == nil || diags.HasErrors() {
		return nil
	}
	var spans [][]byte
	var walk func(e *parser.Element)
	walk = func(e *parser.Element) {
		if e.Text != nil {
			spans = append(spans, src[e.Text.Span.Start:e.Text.Span.End])
			return
		}
		if e.SelfClosing {
			return
		}
		cs, ce := p.contentSpan(e)
		for _, it := range p.items(e, cs, ce) {
			if it.el != nil {
				walk(it.el)
			} else {
				spans = append(spans, src[it.start:it.end])
			}
		}
	}
	walk(root)
	if p.err != nil {
		return nil
	}
	rest := out
	for _, s := range spans {
		k := bytes.Index(rest, s)
		if k < 0 {
			return fmt.Errorf("not kept byte for byte: %q", s)
		}
		rest = rest[k+len(s):]
	}
	return nil
}

func TestFormatCases(t *testing.T) {
	const head = "---\nname: t\nversion: 1.0.0\n---\n\n"
	tests := []struct {
		name, in, want string
	}{
		{"empty element", "<workflow>\n  <output value=\"1\"></output>\n</workflow>\n",
			"<workflow>\n  <output value=\"1\"/>\n</workflow>\n"},
		{"single quotes become double", "<workflow>\n<output value='1'/>\n</workflow>\n",
			"<workflow>\n  <output value=\"1\"/>\n</workflow>\n"},
		{"single quotes kept around a double quote", "<workflow>\n<output value='a \"b\"'/>\n</workflow>\n",
			"<workflow>\n  <output value='a \"b\"'/>\n</workflow>\n"},
		{"camelCase attribute", "<workflow>\n  <source id=\"s\" type=\"exec\" command=\"true\" continueOnError=\"true\"/>\n</workflow>\n",
			"<workflow>\n  <source id=\"s\" type=\"exec\" command=\"true\" continue-on-error=\"true\"/>\n</workflow>\n"},
		{"one element per line", "<workflow><output value=\"1\"/></workflow>\n",
			"<workflow>\n  <output value=\"1\"/>\n</workflow>\n"},
		{"blank lines collapse", "<workflow>\n\n\n  <set var=\"a\" value=\"1\"/>\n\n\n\n  <output value=\"1\"/>\n\n</workflow>\n",
			"<workflow>\n  <set var=\"a\" value=\"1\"/>\n\n  <output value=\"1\"/>\n</workflow>\n"},
		{"entities kept as written", "<workflow>\n <output value=\"{{ 1 &lt; 2 }}\"/>\n</workflow>\n",
			"<workflow>\n  <output value=\"{{ 1 &lt; 2 }}\"/>\n</workflow>\n"},
		{"nested elements", "<workflow>\n<if condition=\"true\"><then><set var=\"a\" value=\"1\"/></then></if>\n</workflow>\n",
			"<workflow>\n  <if condition=\"true\">\n    <then>\n      <set var=\"a\" value=\"1\"/>\n    </then>\n  </if>\n</workflow>\n"},
		{"CDATA text kept exactly", "<workflow>\n<transform id=\"t\" type=\"template\">\n<template>\n<![CDATA[a]]>\n</template>\n</transform>\n</workflow>\n",
			"<workflow>\n  <transform id=\"t\" type=\"template\">\n    <template>\n<![CDATA[a]]>\n</template>\n  </transform>\n</workflow>\n"},
		// Regression: fmt re-indented the lines after the first of a
		// multi-line comment; only its first line may move (cli.md §9).
		{"multi-line comment deeper than its place",
			"<workflow>\n  <transform id=\"a\" type=\"template\" template=\"x\"/>\n    <!--\n       multi-line\n  comment -->\n</workflow>\n",
			"<workflow>\n  <transform id=\"a\" type=\"template\" template=\"x\"/>\n  <!--\n       multi-line\n  comment -->\n</workflow>\n"},
		{"multi-line comment shallower than its place",
			"<workflow>\n<if condition=\"true\"><then>\n<!-- a\nb\n   c -->\n<set var=\"a\" value=\"1\"/></then></if>\n</workflow>\n",
			"<workflow>\n  <if condition=\"true\">\n    <then>\n      <!-- a\nb\n   c -->\n      <set var=\"a\" value=\"1\"/>\n    </then>\n  </if>\n</workflow>\n"},
		{"multi-line comment after an element on its line",
			"<workflow>\n<output value=\"1\"/>   <!-- a\n        b -->\n</workflow>\n",
			"<workflow>\n  <output value=\"1\"/> <!-- a\n        b -->\n</workflow>\n"},
		{"multi-line comment with tabs and CRLF",
			"<workflow>\r\n\t<!--\r\n\t\tx\r\n\t-->\r\n\t<output value=\"1\"/>\r\n</workflow>\r\n",
			"<workflow>\r\n  <!--\r\n\t\tx\r\n\t-->\r\n  <output value=\"1\"/>\r\n</workflow>\r\n"},
		{"text field kept byte for byte",
			"<workflow>\n<transform id=\"t\" type=\"template\">\n          <template>\n            a\n              b\n          </template>\n</transform>\n</workflow>\n",
			"<workflow>\n  <transform id=\"t\" type=\"template\">\n    <template>\n            a\n              b\n          </template>\n  </transform>\n</workflow>\n"},
		{"text field shallower than its place kept byte for byte",
			"<workflow>\n<if condition=\"true\"><then><transform id=\"t\" type=\"template\"><template>\nx\n  y\n</template></transform></then></if>\n</workflow>\n",
			"<workflow>\n  <if condition=\"true\">\n    <then>\n      <transform id=\"t\" type=\"template\">\n        <template>\nx\n  y\n</template>\n      </transform>\n    </then>\n  </if>\n</workflow>\n"},
		{"YAML block kept byte for byte",
			"<workflow>\n<source id=\"u\" type=\"http\">\n      <request>\n        url: http://x/y\n        params:\n          page: 1\n      </request>\n</source>\n</workflow>\n",
			"<workflow>\n  <source id=\"u\" type=\"http\">\n    <request>\n        url: http://x/y\n        params:\n          page: 1\n      </request>\n  </source>\n</workflow>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, diags := Format("t.flow.md", []byte(head+tt.in))
			if out == nil {
				t.Fatalf("diagnostics: %v", diags)
			}
			if got := strings.TrimPrefix(string(out), head); got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
			if again, _ := Format("t.flow.md", out); !bytes.Equal(again, out) {
				t.Errorf("not idempotent:\n%q", again)
			}
		})
	}
}

func TestFormatInvalid(t *testing.T) {
	src := []byte("---\nname: t\nversion: 1.0.0\n---\n\n<workflow>\n  <output value=\"{{ nope }}\"/>\n</workflow>\n")
	out, diags := Format("bad.flow.md", src)
	if out != nil {
		t.Errorf("output for an invalid file: %q", out)
	}
	if !diags.HasErrors() {
		t.Errorf("no error diagnostics")
	}
}

func TestFormatUnchangedIsSame(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "canonical.flow.md"))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := Format("canonical.flow.md", src)
	if !bytes.Equal(out, src) {
		t.Errorf("a canonical file changed:\n%s", out)
	}
}

// FuzzFormat checks that formatting never panics, that a valid input
// formats to a file that parses to an equivalent AST, and that formatting
// is idempotent.
func FuzzFormat(f *testing.F) {
	for _, src := range corpus(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		once, _, fellBack := format("f.flow.md", src)
		if once == nil || fellBack {
			return
		}
		a, _ := parser.ParseFile("f.flow.md", src)
		b, bd := parser.ParseFile("f.flow.md", once)
		if b == nil {
			t.Fatalf("formatted file does not parse: %v\n%s", bd, once)
		}
		if err := Equivalent(a, b); err != nil {
			t.Fatalf("meaning changed: %v", err)
		}
		twice, _, _ := format("f.flow.md", once)
		if !bytes.Equal(once, twice) {
			t.Fatalf("not idempotent:\nonce:\n%s\ntwice:\n%s", once, twice)
		}
		if err := keptVerbatim(src, once); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkFormat(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "paid-orders", "paid-orders.flow.md"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Format("paid-orders.flow.md", src)
	}
}
