package frontmatter

import (
	"testing"

	"github.com/flowscript/flowscript/internal/source"
)

const benchSrc = `---
name: deploy
version: 1.0.0
config:
  output_dir: ./out
  limit: {type: integer, default: 20}
  style: {type: "enum[formal, casual]", default: casual}
secrets: [GITHUB_TOKEN, {name: SLACK, required: false}]
env: {CI: "false"}
input:
  repo: string
  labels: string[]?
  opts: "{depth: integer, tags: string[]}"
runtime: {timeout: 10m, concurrency: 4, retry: 3, log: true}
---
# Body
`

func FuzzParse(f *testing.F) {
	for _, s := range []string{benchSrc, "---\n---\n", "---\nname: [\n---\n", "---\na: 1\na: 2\n---", "x",
		"---\ninput:\n  r: |\n    {a: strng}\n---\n", "---\nconfig:\n  s: {type: \"enum[a, a]\"}\n---\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		file := source.NewFile("f.flow.md", []byte(s))
		_, body, diags := Parse(file, 0)
		if body < 0 || body > len(s) {
			t.Fatalf("body start %d outside [0, %d]", body, len(s))
		}
		for _, d := range diags {
			if d.Span.Start < 0 || d.Span.Start > len(s) || d.Span.End < d.Span.Start || d.Span.End > len(s)+1 {
				t.Fatalf("%s: span %v outside the input of %d bytes", d.Error(), d.Span, len(s))
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	file := source.NewFile("b.flow.md", []byte(benchSrc))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, diags := Parse(file, 0); len(diags) > 0 {
			b.Fatal(diags.Error())
		}
	}
}
