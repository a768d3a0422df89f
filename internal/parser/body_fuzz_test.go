package parser

import (
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/source"
)

var fuzzSeeds = []string{
	"<workflow><source id=\"a\" type='exec' command=\"echo &amp; &#x41;\"/></workflow>",
	"<workflow>\n  <transform>\n    <template>\n      Hello {{ name }},\n        indented line\n    </template>\n  </transform>\n</workflow>\n",
	"<workflow><if><condition>a < b && c</condition><then><x/></then></if></workflow>",
	"<workflow><t><template><h1>{{ title }}</h1><p>a < b</p></template></t></workflow>",
	"<workflow><t><template><![CDATA[</template>]]></template></t><!-- c --></workflow>",
	"<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n<workflow a=b c d=\"1\" d=\"2\"><a></b></workflow></c>",
	"<workflow><t><request>\n    url: https://x/{{ a }}\n    body: {{ input }}\n    h:\n      - {{ b }}\n  </request></t></workflow>",
	"<workflow><t><output-schema><field name=\"a\"/><!-- x --></output-schema></t></workflow>",
	"<workflow><x a=\"1/>\n<y/><!-- open",
	"<workflow>\r\n<t a=\"x\r\ny\"><template>\r\n  a\r\n</template></t>\r\n</workflow>  x\r\n",
}

// FuzzParseBody checks that body parsing never panics and that every
// diagnostic and every mapped offset stays inside the input.
func FuzzParseBody(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		file := source.NewFile("f.flow.md", []byte(s))
		n := len(s)
		check := func(what string, ds source.List) {
			for _, d := range ds {
				if d.Span.Start < 0 || d.Span.End > n || d.Span.Start > d.Span.End {
					t.Fatalf("%s: %s span %v outside [0,%d]: %s", what, d.Code, d.Span, n, d.Message)
				}
			}
		}
		inside := func(what string, o int) {
			if o < 0 || o > n {
				t.Fatalf("%s: offset %d outside [0,%d]", what, o, n)
			}
		}
		for _, fenced := range []bool{true, false} {
			start := 0
			if !fenced {
				start = strings.Index(s, "<workflow")
				if start < 0 {
					start = 0
				}
			}
			root, end, ds := ParseBody(file, start, n, fenced, testIsText)
			check("ParseBody", ds)
			inside("bodyEnd", end)
			var walk func(e *Element, depth int)
			walk = func(e *Element, depth int) {
				if depth > MaxDepth {
					t.Fatalf("depth %d kept in the tree", depth)
				}
				inside("Start", e.Start)
				inside("End", e.End)
				for _, a := range e.Attrs {
					for i := 0; i <= len(a.Value); i++ {
						inside("attr Map", a.Offset(i))
					}
				}
				for _, tx := range e.Texts {
					inside("text Map", tx.Map(0))
					inside("text Map end", tx.Map(len(tx.Value)))
				}
				if e.Text != nil {
					for i := 0; i <= len(e.Text.Value); i++ {
						inside("field Map", e.Text.Map(i))
					}
					node, yds := ParseYAMLText(file, e.Text)
					check("ParseYAMLText", yds)
					if node != nil {
						inside("YAMLOffset", YAMLOffset(e.Text, node))
						inside("YAMLScalarOffset", YAMLScalarOffset(e.Text, node, 5))
					}
					_, fds := ParseFieldElements(file, e, testIsText)
					check("ParseFieldElements", fds)
				}
				for _, c := range e.Children {
					walk(c, depth+1)
				}
			}
			if root != nil {
				walk(root, 1)
			}
		}
		// The same text as the markdown of a file.
		fm := "---\nname: x\n---\n"
		mf := source.NewFile("m.flow.md", []byte(fm+s))
		n = len(fm) + n
		loc, ds := LocateBody(mf, len(fm))
		check("LocateBody", ds)
		if loc != nil {
			if loc.Start < 0 || loc.End > n || loc.Start > loc.End {
				t.Fatalf("loc %+v outside [0,%d]", loc, n)
			}
			_, _, ds := ParseBody(mf, loc.Start, loc.End, loc.Fenced, testIsText)
			check("ParseBody(loc)", ds)
		}
	})
}
