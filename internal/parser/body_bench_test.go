package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/source"
)

// benchBody generates a body of about 1 MiB holding 5,000 elements: 1,250
// steps of a <source> with a <request> block and a <transform> with a
// multi-line <template>, plus the root.
func benchBody() string {
	const steps = 1250
	var b strings.Builder
	b.Grow(1 << 20)
	b.WriteString("<workflow>\n")
	unit := "Lorem ipsum dolor sit amet, {{ item.name }} &amp; a < b && c. "
	for i := 0; i < steps; i++ {
		fmt.Fprintf(&b, "  <!-- step %d -->\n", i)
		fmt.Fprintf(&b, "  <source id=\"s%d\" type=\"http\" description=\"fetch &quot;%d&quot;\">\n", i, i)
		b.WriteString("    <request>\n      url: https://api.example.com/items/{{ $config.repo }}\n      headers:\n        Accept: application/json\n    </request>\n")
		b.WriteString("  </source>\n")
		fmt.Fprintf(&b, "  <transform id=\"t%d\" type=\"template\" input=\"s%d\">\n    <template>\n", i, i)
		// Fill the template so that the whole body reaches 1 MiB.
		left := (1<<20 - b.Len() - 40) / (steps - i)
		for n := 0; n < left-len("    </template>\n  </transform>\n"); n += len(unit) + 7 {
			b.WriteString("      " + unit + "\n")
		}
		b.WriteString("    </template>\n  </transform>\n")
	}
	b.WriteString("</workflow>\n")
	return b.String()
}

func BenchmarkParseBody(b *testing.B) {
	src := benchBody()
	f := source.NewFile("bench.flow.md", []byte(src))
	root, _, ds := ParseBody(f, 0, len(src), true, testIsText)
	if len(ds) > 0 {
		b.Fatal(diagString(ds))
	}
	n := 0
	var count func(e *Element)
	count = func(e *Element) {
		n++
		for _, c := range e.Children {
			count(c)
		}
	}
	count(root)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		ParseBody(f, 0, len(src), true, testIsText)
	}
	b.ReportMetric(float64(n), "elements")
}

func BenchmarkLocateBody(b *testing.B) {
	fm := "---\nname: bench\nversion: 1\n---\n# Bench\n\nSome prose.\n\n"
	src := fm + benchBody() + "\n## Notes\n"
	f := source.NewFile("bench.flow.md", []byte(src))
	if _, ds := LocateBody(f, len(fm)); len(ds) > 0 {
		b.Fatal(diagString(ds))
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		LocateBody(f, len(fm))
	}
}
