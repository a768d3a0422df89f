package parser

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/value"
)

func TestQuoteTemplates(t *testing.T) {
	tests := []struct{ in, want string }{
		{"body: {{ input }}", "body: '{{ input }}'"},
		{"body: {{ input }}  ", "body: '{{ input }}'"},
		{"a: {{ x }} # c", "a: '{{ x }} # c'"},
		{"a: {{ it's }}", "a: '{{ it''s }}'"},
		{"- {{ a }}\n- - {{ b }}", "- '{{ a }}'\n- - '{{ b }}'"},
		{"- k: {{ a }}\n  j: {{ b }}", "- k: '{{ a }}'\n  j: '{{ b }}'"},
		{"{{ whole }}", "'{{ whole }}'"},
		{"k:\n  {{ v }}", "k:\n  '{{ v }}'"},
		{"k: a\n  {{ continued }}", "k: a\n  {{ continued }}"},
		{"k: \"{{ q }}\"", "k: \"{{ q }}\""},
		{"k: '{{ q }}'", "k: '{{ q }}'"},
		{"k: |\n  {{ lit }}\nj: {{ x }}", "k: |\n  {{ lit }}\nj: '{{ x }}'"},
		{"- |\n  {{ lit }}\n- {{ x }}", "- |\n  {{ lit }}\n- '{{ x }}'"},
		{"k: >-\n  a\n\n  {{ f }}\n", "k: >-\n  a\n\n  {{ f }}\n"},
		{"k: \"a\n  {{ x }}\"\nj: {{ y }}", "k: \"a\n  {{ x }}\"\nj: '{{ y }}'"},
		{"k: [a,\n  {{ x }}]\nj: {{ y }}", "k: [a,\n  {{ x }}]\nj: '{{ y }}'"},
		{"k: {a: 1}", "k: {a: 1}"},
		{"\"key\": {{ v }}", "\"key\": '{{ v }}'"},
		{"k: &a {{ v }}", "k: &a '{{ v }}'"},
		{"url: https://x/{{ a }}", "url: https://x/{{ a }}"},
		{"# {{ c }}\nk: v", "# {{ c }}\nk: v"},
	}
	for _, tt := range tests {
		got, _ := quoteTemplates(tt.in)
		if got != tt.want {
			t.Errorf("quoteTemplates(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func yamlField(t *testing.T, body string) (*source.File, *Text) {
	t.Helper()
	src := "<workflow><t><request>" + body + "</request></t></workflow>"
	root, ds, f := parseFenced(src)
	if len(ds) > 0 {
		t.Fatal(diagString(ds))
	}
	return f, root.Children[0].Children[0].Text
}

func TestParseYAMLTextExample(t *testing.T) {
	body := `
    url: https://api.github.com/repos/{{ $config.repo }}/issues
    headers:
      Authorization: Bearer {{ $secrets.GITHUB_TOKEN }}
      Accept: application/vnd.github+json
    params:
      state: open
      per_page: 50
    body: {{ input }}
  `
	f, tx := yamlField(t, body)
	n, ds := ParseYAMLText(f, tx)
	if len(ds) > 0 {
		t.Fatal(diagString(ds))
	}
	v, err := value.FromYAML(n)
	if err != nil {
		t.Fatal(err)
	}
	got := value.JSON(v)
	want := `{"url":"https://api.github.com/repos/{{ $config.repo }}/issues","headers":{"Authorization":"Bearer {{ $secrets.GITHUB_TOKEN }}","Accept":"application/vnd.github+json"},"params":{"state":"open","per_page":50},"body":"{{ input }}"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Positions: the "body" value and "per_page" key.
	pos := func(o int) string { p := f.Position(o); return fmt.Sprintf("%d:%d", p.Line, p.Col) }
	body4 := n.Content[7]
	if body4.Value != "{{ input }}" || body4.Style != 0 || body4.Tag != "!!str" {
		t.Errorf("body node %q style %v tag %s", body4.Value, body4.Style, body4.Tag)
	}
	if got := pos(YAMLOffset(tx, body4)); got != "9:11" {
		t.Errorf("body at %s, want 9:11", got)
	}
	if got := pos(YAMLScalarOffset(tx, body4, 3)); got != "9:14" {
		t.Errorf("body[3] at %s, want 9:14", got)
	}
	perPage := n.Content[5].Content[2]
	if got := pos(YAMLOffset(tx, perPage)); got != "8:7" {
		t.Errorf("per_page at %s, want 8:7", got)
	}
}

func TestParseYAMLTextErrors(t *testing.T) {
	tests := []struct{ body, want string }{
		{"\n    a: 1\n    b: [1\n  ", "2:5-2:9 S213"},  // yaml.v3 reports the line of the context
		{"\n    a: 1\n     b: 2\n  ", "3:5-3:10 S213"}, // column 1 of the YAML line
		{"a: &#x7b;x", "1:23-1:33 S213"},               // "{x" through an entity
	}
	for _, tt := range tests {
		f, tx := yamlField(t, tt.body)
		_, ds := ParseYAMLText(f, tx)
		var got []string
		for _, d := range ds {
			s, e := d.Start(), d.End()
			got = append(got, fmt.Sprintf("%d:%d-%d:%d %s", s.Line, s.Col, e.Line, e.Col, d.Code))
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("%q: got %q, want %q\n%s", tt.body, got, tt.want, diagString(ds))
		}
		if len(ds) > 0 && !strings.HasPrefix(ds[0].Message, "invalid YAML: ") {
			t.Errorf("message %q", ds[0].Message)
		}
	}
}

func TestParseYAMLTextEmpty(t *testing.T) {
	for _, body := range []string{"", "\n  # only a comment\n"} {
		f, tx := yamlField(t, body)
		n, ds := ParseYAMLText(f, tx)
		if n != nil || len(ds) > 0 {
			t.Errorf("%q: node %v, %s", body, n, diagString(ds))
		}
	}
}

func TestParseYAMLTextTypes(t *testing.T) {
	f, tx := yamlField(t, "\n  n: 1\n  b: true\n  z: null\n  s: \"{{ x }}\"\n  l: [1, a]\n")
	n, ds := ParseYAMLText(f, tx)
	if len(ds) > 0 {
		t.Fatal(diagString(ds))
	}
	v, _ := value.FromYAML(n)
	if got := value.JSON(v); got != `{"n":1,"b":true,"z":null,"s":"{{ x }}","l":[1,"a"]}` {
		t.Errorf("got %s", got)
	}
	if n.Content[7].Style != yaml.DoubleQuotedStyle {
		t.Error("quoted scalar lost its style")
	}
}
