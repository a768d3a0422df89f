package load

import (
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
