package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/source"
)

const testFrontmatter = "---\nname: x\nversion: 1\n---\n"

func TestLocateBody(t *testing.T) {
	tests := []struct {
		name string
		md   string // markdown after the frontmatter (lines counted from 5)
		// want: "raw@L:C" or "fenced L:C-L:C" (content range), or "" for none
		want  string
		diags []string
	}{
		{"raw after prose", "# T\n\nText.\n\n<workflow>\n</workflow>\n", "raw@9:1", nil},
		{"raw with attributes", "<workflow name=\"x\">\n</workflow>\n", "raw@5:1", nil},
		{"raw self-closing", "<workflow/>\n", "raw@5:1", nil},
		{"raw indented 3", "   <workflow>\n   </workflow>\n", "raw@5:4", nil},
		{"raw in paragraph", "Some text\n<workflow>\n</workflow>\n", "raw@6:1", nil},
		{"raw multi-line tag", "<workflow\n  a=\"1\">\n</workflow>\n", "raw@5:1", nil},
		{"raw followed by text", "<workflow><x/></workflow>\n", "raw@5:1", nil},
		{"flowscript fence", "# Deploy\n\nRuns.\n\n```flowscript\n<workflow>\n  <x/>\n</workflow>\n```\n", "fenced 10:1-13:1", nil},
		{"flowscript fence with more info", "~~~flowscript title=x\n<workflow/>\n~~~\n", "fenced 6:1-7:1", nil},
		{"indented fence keeps indentation", "  ```flowscript\n  <workflow/>\n  ```\n", "fenced 6:1-7:1", nil},
		{"empty flowscript fence", "```flowscript\n```\n", "fenced 6:1-6:1", nil},
		{"xml fence", "```xml\n<workflow>\n</workflow>\n```\n", "fenced 6:1-8:1", nil},
		{"xml fence with decl and comment", "```xml\n\n<?xml version=\"1.0\"?>\n<!-- c -->\n<workflow/>\n```\n", "fenced 6:1-10:1", nil},
		{"xml doc block ignored", "```xml\n<source id=\"a\"/>\n```\n<workflow/>\n", "raw@8:1", nil},
		{"xml with text first ignored", "```xml\nx <workflow/>\n```\n<workflow/>\n", "raw@8:1", nil},
		{"other fences ignored", "```\n<workflow/>\n```\n```html\n<workflow/>\n```\n<workflow/>\n", "raw@11:1", nil},
		{"FlowScript info is not flowscript", "```FlowScript\n<workflow/>\n```\n<workflow/>\n", "raw@8:1", nil},
		{"indented code ignored", "para\n\n    <workflow/>\n\n<workflow/>\n", "raw@9:1", nil},
		{"code span ignored", "a `x\n<workflow/>` b\n\n<workflow/>\n", "raw@8:1", nil},
		{"not workflow", "<workflows>\n<workflow-x/>\n<Workflow>\n\t<workflow>\n    <workflow>\n", "", []string{"5:1-5:2 S201"}},
		{"none", "Just prose.\n", "", []string{"5:1-5:2 S201"}},
		{"nothing at all", "", "", []string{"5:1-5:1 S201"}},
		{"two raw", "<workflow/>\n\n<workflow/>\n", "raw@5:1", []string{"7:1-7:10 S202"}},
		{"raw and fence", "```flowscript\n<workflow/>\n```\n<workflow/>\n", "fenced 6:1-7:1", []string{"8:1-8:10 S202"}},
		{"fence and xml fence", "```flowscript\n<workflow/>\n```\n\n```xml\n<workflow/>\n```\n", "fenced 6:1-7:1", []string{"9:1-9:7 S202"}},
		{"candidate in log ignored", "<workflow/>\n<!-- flowscript:log begin -->\n<workflow/>\n```flowscript\n```\n<!-- flowscript:log end -->\n", "raw@5:1", nil},
		{"log begin without end", "<workflow/>\n<!-- flowscript:log begin -->\n<workflow/>\n", "raw@5:1", []string{"6:1-6:30 W704"}},
		{"two logs", "<workflow/>\n<!-- flowscript:log begin -->\n<!-- flowscript:log end -->\n<!-- flowscript:log begin -->\n<!-- flowscript:log end -->\n", "raw@5:1", []string{"8:1-8:30 W704"}},
		{"crlf fence", "```flowscript\r\n<workflow/>\r\n```\r\n", "fenced 6:1-7:1", nil},
		{"crlf raw and log", "<workflow\r\n/>\r\n<!-- flowscript:log begin -->\r\n<workflow/>\r\n<!-- flowscript:log end -->\r\n", "raw@5:1", nil},
		{"begin inside log", "<workflow/>\n<!-- flowscript:log begin -->\n<!-- flowscript:log begin -->\n<!-- flowscript:log end -->\n", "raw@5:1", []string{"7:1-7:30 W704"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := testFrontmatter + tt.md
			f := source.NewFile("t.flow.md", []byte(src))
			loc, ds := LocateBody(f, len(testFrontmatter))
			got := ""
			pos := func(o int) string { p := f.Position(o); return fmt.Sprintf("%d:%d", p.Line, p.Col) }
			if loc != nil {
				if loc.Fenced {
					got = "fenced " + pos(loc.Start) + "-" + pos(loc.End)
				} else {
					got = "raw@" + pos(loc.Start)
				}
			}
			if got != tt.want {
				t.Errorf("loc = %q, want %q", got, tt.want)
			}
			var gd []string
			ds.Sort()
			for _, d := range ds {
				gd = append(gd, pos(d.Span.Start)+"-"+pos(d.Span.End)+" "+d.Code)
			}
			if strings.Join(gd, "|") != strings.Join(tt.diags, "|") {
				t.Errorf("diagnostics %q, want %q\n%s", gd, tt.diags, diagString(ds))
			}
		})
	}
}

func TestLocateBodyLog(t *testing.T) {
	md := "<workflow>\n</workflow>\n\n## Notes\n\n<!-- flowscript:log begin -->\n## Execution log\n<!-- flowscript:log end -->\ntail\n"
	src := testFrontmatter + md
	f := source.NewFile("t.flow.md", []byte(src))
	loc, ds := LocateBody(f, len(testFrontmatter))
	if len(ds) > 0 {
		t.Fatal(diagString(ds))
	}
	if got, want := src[loc.LogBegin:loc.LogEnd], "<!-- flowscript:log begin -->\n## Execution log\n<!-- flowscript:log end -->\n"; got != want {
		t.Errorf("log = %q", got)
	}
	if loc.LogMalformed {
		t.Error("LogMalformed set")
	}
	// A raw body's range stops at the log block.
	if !strings.HasSuffix(src[loc.Start:loc.End], "## Notes\n\n") {
		t.Errorf("raw range = %q", src[loc.Start:loc.End])
	}
	root, end, ds := ParseBody(f, loc.Start, loc.End, loc.Fenced, testIsText)
	if root == nil || len(ds) > 0 || !strings.HasPrefix(src[end:], "\n## Notes") {
		t.Errorf("root %s, rest %q, %s", dump(root), src[end:], diagString(ds))
	}

	// Malformed: begin without end.
	src = testFrontmatter + "<workflow/>\n<!-- flowscript:log begin -->  \r\nx\n"
	f = source.NewFile("t.flow.md", []byte(src))
	loc, ds = LocateBody(f, len(testFrontmatter))
	if !loc.LogMalformed || loc.LogBegin != strings.Index(src, "<!-- flowscript:log") || loc.LogEnd != -1 || len(ds) != 1 || ds[0].Code != "W704" {
		t.Errorf("loc %+v, %s", loc, diagString(ds))
	}
	// No log.
	src = testFrontmatter + "<workflow/>\n"
	f = source.NewFile("t.flow.md", []byte(src))
	loc, _ = LocateBody(f, len(testFrontmatter))
	if loc.LogBegin != -1 || loc.LogEnd != -1 || loc.LogMalformed {
		t.Errorf("loc %+v", loc)
	}
}

func TestLocateBodyHints(t *testing.T) {
	src := testFrontmatter + "<workflow/>\n\n```flowscript\n<workflow/>\n```\n"
	f := source.NewFile("t.flow.md", []byte(src))
	_, ds := LocateBody(f, len(testFrontmatter))
	if len(ds) != 1 || ds[0].Message != "more than one body candidate" || ds[0].Hints[0] != "the first one is on line 5; a file holds one <workflow> body" {
		t.Errorf("%s %q", diagString(ds), ds[0].Hints)
	}
}

// The frontmatter is never markdown: a "<workflow>" line in it is no candidate.
func TestLocateBodySkipsFrontmatter(t *testing.T) {
	fm := "---\ndescription: |\n  <workflow>\n  ```flowscript\n---\n"
	src := fm + "<workflow/>\n"
	f := source.NewFile("t.flow.md", []byte(src))
	loc, ds := LocateBody(f, len(fm))
	if len(ds) > 0 || loc == nil || loc.Start != len(fm) {
		t.Errorf("loc %+v %s", loc, diagString(ds))
	}
}
