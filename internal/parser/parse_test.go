package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/source"
)

// seedFiles returns every .flow.md text in the repository's testdata,
// examples and testscript archives (for fuzz seeds and smoke tests).
func seedFiles(t testing.TB) [][]byte {
	var out [][]byte
	root := filepath.Join("..", "..")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() && (d.Name() == ".git" || d.Name() == ".flowscript") {
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(p, ".flow.md"):
			if b, err := os.ReadFile(p); err == nil {
				out = append(out, b)
			}
		case strings.HasSuffix(p, ".txtar"):
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			// Split the archive on its file markers and keep .flow.md parts.
			parts := strings.Split(string(b), "\n-- ")
			for _, part := range parts {
				name, body, ok := strings.Cut(part, " --\n")
				if ok && strings.HasSuffix(name, ".flow.md") {
					out = append(out, []byte(body))
				}
			}
		}
		return nil
	})
	return out
}

// TestSeedsParse parses every workflow the repository holds: none may
// panic, and every diagnostic must be positioned inside its file.
func TestSeedsParse(t *testing.T) {
	seeds := seedFiles(t)
	if len(seeds) < 10 {
		t.Fatalf("only %d seed files found", len(seeds))
	}
	for _, s := range seeds {
		checkParse(t, s)
	}
}

func checkParse(t *testing.T, src []byte) {
	t.Helper()
	flow, diags := ParseFile("seed.flow.md", src)
	for _, d := range diags {
		if d.File == nil {
			t.Fatalf("diagnostic without a file: %v", d)
		}
		if d.Span.Start < 0 || d.Span.Start > len(src) || d.Span.End < d.Span.Start || d.Span.End > len(src)+1 {
			t.Fatalf("diagnostic %s span %v outside the input (%d bytes)\n%s", d.Code, d.Span, len(src), src)
		}
		if d.Code == "" || d.Message == "" {
			t.Fatalf("diagnostic without code or message: %+v", d)
		}
	}
	if flow == nil && !diags.HasErrors() {
		t.Fatalf("no flow and no error for\n%s", src)
	}
}

// FuzzParse: whatever the input, ParseFile never panics and every error
// has a position inside the input.
func FuzzParse(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		checkParse(t, src)
	})
}

// bigFlow builds a ~1 MB workflow with n nodes of several kinds and
// expressions.
func bigFlow(n int) []byte {
	var b strings.Builder
	b.WriteString("---\nname: big\nversion: 1.0.0\nconfig:\n  currency: EUR\n---\n\n# Big\n\n<workflow>\n")
	pad := strings.Repeat("x", 165)
	for i := range n {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "  <source id=\"n%d\" type=\"file\" path=\"data/%d.json\" description=\"%s\"/>\n", i, i, pad)
		case 1:
			fmt.Fprintf(&b, "  <transform id=\"n%d\" type=\"filter\" input=\"n%d\">\n    <condition>$item.paid && $item.total > %d</condition>\n  </transform>\n", i, i-1, i)
		case 2:
			fmt.Fprintf(&b, "  <transform id=\"n%d\" type=\"template\" input=\"n%d\">\n    <template>\n      Paid: {{ length(input) }} {{ $config.currency }} %s\n      {{#each input}}- {{ this.id }}{{/each}}\n    </template>\n  </transform>\n", i, i-1, pad)
		default:
			fmt.Fprintf(&b, "  <sink id=\"n%d\" type=\"file\" input=\"n%d\" path=\"out/%d.txt\"/>\n", i, i-1, i)
		}
	}
	b.WriteString("</workflow>\n")
	return []byte(b.String())
}

// BenchmarkParse parses a 1 MB, 5,000-node file (target: under 50 ms).
func BenchmarkParse(b *testing.B) {
	src := bigFlow(5000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for range b.N {
		flow, diags := ParseFile("big.flow.md", src)
		if flow == nil {
			var sb strings.Builder
			source.Printer{}.Print(&sb, diags)
			b.Fatal(sb.String())
		}
	}
	b.ReportMetric(float64(len(src))/1e6, "MB")
}
