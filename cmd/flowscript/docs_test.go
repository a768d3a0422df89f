package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/cli"
	"github.com/flowscript/flowscript/internal/runner"
)

// specDir is the shared specification, relative to this package.
const specDir = "../../../shared/spec"

// knownSpecFailures lists the complete spec examples (key "FILE:LINE",
// LINE being the line of the opening fence) that the implementation
// rejects today, each with the reason. The test fails when an example
// outside this table is rejected, and also when one inside it starts to
// pass, so the table never goes stale.
var knownSpecFailures = map[string]string{}

// fencedBlock is one fenced code block of a markdown file.
type fencedBlock struct {
	line int    // 1-based line of the opening fence
	info string // the info string, trimmed
	text string // the content, with a final line break
}

// fenceRE matches an opening or closing fence: up to 3 spaces, then 3 or
// more backticks or tildes, then the info string.
var fenceRE = regexp.MustCompile("^( {0,3})(`{3,}|~{3,})(.*)$")

// fencedBlocks returns the fenced code blocks of src in order. A block
// ends at a fence of the same character at least as long as the opening
// one with nothing after it (CommonMark), so a ````markdown block may
// hold ``` fences; an unclosed block runs to the end of the file.
func fencedBlocks(src string) []fencedBlock {
	var (
		blocks []fencedBlock
		cur    *fencedBlock
		fence  string
		indent int
		body   strings.Builder
	)
	lines := strings.SplitAfter(src, "\n")
	for i, l := range lines {
		if l == "" {
			break // the empty tail after a final line break
		}
		trimmed := strings.TrimRight(l, "\r\n")
		m := fenceRE.FindStringSubmatch(trimmed)
		if cur == nil {
			if m != nil && !(m[2][0] == '`' && strings.Contains(m[3], "`")) {
				cur = &fencedBlock{line: i + 1, info: strings.TrimSpace(m[3])}
				fence, indent = m[2], len(m[1])
				body.Reset()
			}
			continue
		}
		if m != nil && m[2][0] == fence[0] && len(m[2]) >= len(fence) && strings.TrimSpace(m[3]) == "" {
			cur.text = body.String()
			blocks = append(blocks, *cur)
			cur = nil
			continue
		}
		// Remove up to the opening fence's indentation from content lines.
		n := 0
		for n < indent && n < len(trimmed) && trimmed[n] == ' ' {
			n++
		}
		body.WriteString(trimmed[n:] + "\n")
	}
	if cur != nil {
		cur.text = body.String()
		blocks = append(blocks, *cur)
	}
	return blocks
}

// infoWord is the first word of a block's info string.
func infoWord(info string) string {
	if f := strings.Fields(info); len(f) > 0 {
		return f[0]
	}
	return ""
}

// validateFlow writes text as name in a fresh directory and runs
// `flowscript validate` on it; it returns the exit code and stderr.
func validateFlow(t *testing.T, name, text string) (int, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	s := runner.Streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: noEnv, Cwd: dir}
	code := cli.Run(context.Background(), []string{"validate", path}, s, false)
	return code, strings.ReplaceAll(errb.String(), dir+string(filepath.Separator), "")
}

// noEnv hides the process environment, so that GITHUB_ACTIONS on a CI
// runner does not add annotations to the diagnostics.
func noEnv(string) (string, bool) { return "", false }

// TestGuideExamples validates every complete workflow of docs/guide.md:
// the fenced blocks whose info string starts with flowscript-example. An
// optional second word names the file (default example-LINE.flow.md).
func TestGuideExamples(t *testing.T) {
	src, err := os.ReadFile("../../docs/guide.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range fencedBlocks(string(src)) {
		if infoWord(b.info) != "flowscript-example" {
			continue
		}
		n++
		name := fmt.Sprintf("example-%d.flow.md", b.line)
		if f := strings.Fields(b.info); len(f) > 1 {
			name = f[1]
		}
		t.Run(fmt.Sprintf("guide.md:%d", b.line), func(t *testing.T) {
			if code, stderr := validateFlow(t, name, b.text); code != 0 {
				t.Errorf("docs/guide.md:%d: %s is invalid (exit %d):\n%s", b.line, name, code, stderr)
			}
		})
	}
	if n == 0 {
		t.Fatal("docs/guide.md has no flowscript-example block")
	}
}

// specExample reports whether a spec block is a complete workflow file:
// a markdown block that starts with --- and holds a <workflow>, or an xml
// block that starts with --- (a whole file rather than a body fragment).
func specExample(b fencedBlock) bool {
	if !strings.HasPrefix(b.text, "---\n") {
		return false
	}
	switch infoWord(b.info) {
	case "markdown":
		return strings.Contains(b.text, "<workflow")
	case "xml":
		return true
	}
	return false
}

// TestSpecExamples validates every complete example workflow of the
// shared specification. Rejections must be listed in knownSpecFailures.
func TestSpecExamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(specDir, "*.md"))
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no spec files in %s", specDir)
		}
		t.Skipf("%s not found: the spec examples are checked only beside the shared spec", specDir)
	}
	seen := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range fencedBlocks(string(src)) {
			if !specExample(b) {
				continue
			}
			key := fmt.Sprintf("%s:%d", filepath.Base(f), b.line)
			seen[key] = true
			t.Run(key, func(t *testing.T) {
				code, stderr := validateFlow(t, "example.flow.md", b.text)
				reason, known := knownSpecFailures[key]
				switch {
				case code != 0 && !known:
					t.Errorf("spec %s (```%s block) is rejected (exit %d):\n%s", key, b.info, code, stderr)
				case code == 0 && known:
					t.Errorf("spec %s now validates; remove it from knownSpecFailures (was: %s)", key, reason)
				case code != 0:
					t.Logf("known failure (%s):\n%s", reason, stderr)
				}
			})
		}
	}
	if len(seen) == 0 {
		t.Fatalf("no complete example workflow found in %s", specDir)
	}
	var stale []string
	for k := range knownSpecFailures {
		if !seen[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	for _, k := range stale {
		t.Errorf("knownSpecFailures names %s, which is not a complete spec example", k)
	}
}

// TestFencedBlocks checks the block reader on the shapes the docs use.
func TestFencedBlocks(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []fencedBlock
	}{
		{"plain", "a\n```xml\n<x/>\n```\nb\n", []fencedBlock{{2, "xml", "<x/>\n"}}},
		{"nested fence", "````markdown\n---\n```flowscript\n<workflow/>\n```\n````\n",
			[]fencedBlock{{1, "markdown", "---\n```flowscript\n<workflow/>\n```\n"}}},
		{"info words", "```flowscript-example a.flow.md\nx\n```\n", []fencedBlock{{1, "flowscript-example a.flow.md", "x\n"}}},
		{"tilde and indent", "  ~~~\n  x\n   y\n  ~~~~\n", []fencedBlock{{1, "", "x\n y\n"}}},
		{"closing fence with info is content", "```\n```go\n```\n", []fencedBlock{{1, "", "```go\n"}}},
		{"unclosed", "```\nx\n", []fencedBlock{{1, "", "x\n"}}},
		{"inline backticks are not a fence", "```a`b\n", nil},
		{"crlf", "```xml\r\n<x/>\r\n```\r\n", []fencedBlock{{1, "xml", "<x/>\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fencedBlocks(tt.src)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
