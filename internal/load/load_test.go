package load

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/parser"
)

// TestPartialGraph: the graph checks run on flows whose body has errors
// (so all static errors are reported at once). Broken variants of every
// workflow in the repository must never make the graph builder panic.
func TestPartialGraph(t *testing.T) {
	var seeds []string
	filepath.WalkDir("../..", func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && (d.Name() == ".git" || d.Name() == ".flowscript") {
			return filepath.SkipDir
		}
		if err == nil && strings.HasSuffix(p, ".flow.md") {
			if b, err := os.ReadFile(p); err == nil {
				seeds = append(seeds, string(b))
			}
		}
		return nil
	})
	if len(seeds) < 10 {
		t.Fatalf("only %d seeds", len(seeds))
	}
	breakers := []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`type="[a-z]+"`), `type="bogus"`},
		{regexp.MustCompile(`input="[^"]*"`), `input="nowhere"`},
		{regexp.MustCompile(`\{\{`), `{{ (`},
		{regexp.MustCompile(`id="`), `id="9`},
		{regexp.MustCompile(`<(then|else|branch|case|match)>`), `<oops>`},
		{regexp.MustCompile(`(condition|collection|expression)="`), `$1="))`},
	}
	variants := 0
	for _, s := range seeds {
		for _, b := range breakers {
			src := b.re.ReplaceAllString(s, b.with)
			if src == s {
				continue
			}
			variants++
			flow, _ := parser.Parse("v.flow.md", []byte(src), parser.Options{Partial: true})
			if flow == nil {
				continue
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("dag.Build panicked on a broken variant (%s): %v\n%s", b.with, r, src)
					}
				}()
				dag.Build(flow)
			}()
		}
	}
	if variants < 30 {
		t.Errorf("only %d variants", variants)
	}
}

// writeChain writes w0.flow.md ... wN.flow.md into dir, each calling the
// next: w0 is the top file and nests n sub-workflows.
func writeChain(t *testing.T, dir string, n int) {
	t.Helper()
	for i := 0; i <= n; i++ {
		body := `<transform id="leaf" type="template" template="leaf"/>`
		if i < n {
			body = fmt.Sprintf(`<call id="c%d" workflow="w%d.flow.md"/>`, i, i+1)
		}
		src := fmt.Sprintf("---\nname: w%d\nversion: 1\n---\n<workflow>\n  %s\n</workflow>\n", i, body)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("w%d.flow.md", i)), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDepthLimitCountsSubWorkflows: the depth limit of 16 (nodes.md §6)
// counts sub-workflows, not the top file: 16 nested sub-workflows load,
// 17 are N313.
func TestDepthLimitCountsSubWorkflows(t *testing.T) {
	dir := t.TempDir()
	writeChain(t, dir, MaxDepth)
	if _, _, diags := File(filepath.Join(dir, "w0.flow.md")); diags.HasErrors() {
		t.Fatalf("%d nested sub-workflows: %v", MaxDepth, diags)
	}
	dir = t.TempDir()
	writeChain(t, dir, MaxDepth+1)
	_, _, diags := File(filepath.Join(dir, "w0.flow.md"))
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Error() + "\n")
		for _, e := range d.Extra {
			b.WriteString(e + "\n")
		}
	}
	if !diags.HasErrors() || !strings.Contains(b.String(), "sub-workflows are nested deeper than 16 levels") {
		t.Fatalf("%d nested sub-workflows: want the depth error, got\n%s", MaxDepth+1, b.String())
	}
	// The innermost file that is refused is w17, called from w16.
	if !strings.Contains(b.String(), `w16.flow.md:6:28: error[N313]: sub-workflows are nested deeper than 16 levels`) {
		t.Errorf("depth error not at the call of w17 in w16:\n%s", b.String())
	}
}
