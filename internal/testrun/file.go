package testrun

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/frontmatter"
	"github.com/flowscript/flowscript/internal/load"
	"github.com/flowscript/flowscript/internal/parser"
	"github.com/flowscript/flowscript/internal/source"
)

// Suffixes of the files the harness reads.
const (
	TestSuffix = ".test.flow.md"
	FlowSuffix = ".flow.md"
)

// Suite is one file holding test cases: a `.test.flow.md` file, or a
// workflow with inline `tests:`.
type Suite struct {
	// File is the path of the file holding the cases, as displayed.
	File string
	// Workflow is the path of the workflow under test, as displayed.
	Workflow string
	// Flow and Plan are the loaded workflow.
	Flow *ast.Flow
	Plan *dag.Plan
	// Cases are the decoded cases in file order.
	Cases []*Case
}

// Class is the workflow's name (JUnit classname).
func (s *Suite) Class() string {
	if s.Flow != nil && s.Flow.Front.Name != "" {
		return s.Flow.Front.Name
	}
	return strings.TrimSuffix(filepath.Base(s.Workflow), FlowSuffix)
}

// PathError is a command-line path that names nothing to test (a usage
// error).
type PathError struct{ Message string }

func (e *PathError) Error() string { return e.Message }

// Discover finds the suites named by paths (spec/cli.md §6): a
// `.test.flow.md` file; a `.flow.md` file (its companion test file if
// present, plus its inline tests); a directory, searched recursively for
// both (directories whose name starts with "." are skipped). No paths means
// ".". Each file is read once. The diagnostics are those of invalid test
// files and workflows; a path that does not exist or is neither kind of
// file is a *PathError.
func Discover(paths []string) ([]*Suite, source.List, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var (
		suites []*Suite
		diags  source.List
		seen   = map[string]bool{}
	)
	first := func(p string) bool {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p
		}
		if seen[abs] {
			return false
		}
		seen[abs] = true
		return true
	}
	addTest := func(p string) {
		if !first(p) {
			return
		}
		s, d := LoadTestFile(p)
		diags = append(diags, d...)
		if s != nil {
			suites = append(suites, s)
		}
	}
	addInline := func(p string) {
		if !first(p+"#inline") || !hasInlineTests(p) {
			return
		}
		s, d := LoadInline(p)
		diags = append(diags, d...)
		if s != nil && len(s.Cases) > 0 {
			suites = append(suites, s)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			reason := "cannot read it"
			if errors.Is(err, fs.ErrNotExist) {
				reason = "no such file or directory"
			}
			return nil, nil, &PathError{Message: "test: " + quote(p) + ": " + reason}
		}
		switch {
		case info.IsDir():
			err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				name := d.Name()
				if d.IsDir() {
					if path != p && strings.HasPrefix(name, ".") {
						return filepath.SkipDir
					}
					return nil
				}
				switch {
				case strings.HasSuffix(name, TestSuffix):
					addTest(path)
				case strings.HasSuffix(name, FlowSuffix):
					addInline(path)
				}
				return nil
			})
			if err != nil {
				return nil, nil, &PathError{Message: "test: " + quote(p) + ": " + err.Error()}
			}
		case strings.HasSuffix(p, TestSuffix):
			addTest(p)
		case strings.HasSuffix(p, FlowSuffix):
			companion := strings.TrimSuffix(p, FlowSuffix) + TestSuffix
			if _, err := os.Stat(companion); err == nil {
				addTest(companion)
			}
			addInline(p)
		default:
			return nil, nil, &PathError{Message: "test: " + quote(p) + " is not a .flow.md file or a directory"}
		}
	}
	return suites, dedupe(diags), nil
}

// dedupe sorts diagnostics and drops repeats (a workflow loaded for its
// inline tests and for its test file).
func dedupe(l source.List) source.List {
	l.Sort()
	var out source.List
	seen := map[string]bool{}
	for _, d := range l {
		if k := d.Error(); !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}

func quote(s string) string { return `"` + s + `"` }

// hasInlineTests reports whether the workflow at p has a `tests` key in its
// frontmatter (read without validating the body).
func hasInlineTests(p string) bool {
	src, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	f := source.NewFile(p, src)
	fm, _, _ := frontmatter.Parse(f, bomLen(src))
	return fm != nil && fm.Tests != nil
}

func bomLen(src []byte) int {
	if bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
		return 3
	}
	return 0
}

// LoadInline loads the workflow at path and decodes its inline tests.
func LoadInline(path string) (*Suite, source.List) {
	flow, plan, diags := load.File(path)
	if diags.HasErrors() {
		return nil, diags
	}
	s := &Suite{File: path, Workflow: path, Flow: flow, Plan: plan}
	if flow.Front.Tests == nil {
		return s, nil
	}
	d := &decoder{f: flow.File, line0: 2, flow: flow}
	s.Cases = d.cases(flow.Front.Tests)
	return s, d.diags
}

// LoadTestFile reads a `.test.flow.md` file (spec/cli.md §6.1), loads its
// workflow and decodes its cases. The suite is nil when there are errors.
func LoadTestFile(path string) (*Suite, source.List) {
	var diags source.List
	src, err := os.ReadFile(path)
	if err != nil {
		_, _, d := load.File(path) // F101 with its reason
		return nil, d
	}
	f := source.NewFile(path, src)
	start := bomLen(src)
	text := string(src)
	firstEnd := strings.IndexByte(text[start:], '\n')
	if firstEnd < 0 {
		firstEnd = len(text) - start
	}
	if !isDelim(text[start : start+firstEnd]) {
		diags.Add(f, source.Sp(0, start+firstEnd), "F103", "file does not start with a \"---\" line").
			Hints = []string{"a test file is YAML frontmatter between two \"---\" lines, then markdown"}
		return nil, diags
	}
	yamlStart := start + firstEnd + 1
	closeStart, bodyStart := -1, len(src)
	for pos := yamlStart; pos < len(src); {
		end := strings.IndexByte(text[pos:], '\n')
		next := pos + end + 1
		if end < 0 {
			end, next = len(text)-pos, len(text)
		}
		if isDelim(text[pos : pos+end]) {
			closeStart, bodyStart = pos, next
			break
		}
		pos = next
	}
	if closeStart < 0 {
		diags.Add(f, source.Sp(0, start+3), "F104", "frontmatter not closed by a \"---\" line")
		return nil, diags
	}
	d := &decoder{f: f, line0: 2}
	var doc yaml.Node
	if err := yaml.Unmarshal(src[yamlStart:closeStart], &doc); err != nil {
		// yaml.v3 gives the line of a syntax error only in its text.
		msg, line := strings.TrimPrefix(err.Error(), "yaml: "), 1
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if num, after, ok := strings.Cut(rest, ": "); ok {
				if n, err := strconv.Atoi(num); err == nil {
					line, msg = n, after
				}
			}
		}
		off := min(f.LineStart(d.line0+line-1), closeStart)
		diags.Add(f, source.Sp(off, off+len(f.LineText(d.line0+line-1))), "F105", "invalid YAML: %s", msg)
		return nil, diags
	}
	if loc, _ := parser.LocateBody(f, bodyStart); loc != nil {
		diags.Add(f, source.Sp(loc.Start, loc.Start+9), "S203", "a test file has no <workflow> body").
			Hints = []string{"the workflow under test is named by the \"workflow\" key"}
	}
	var root *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if root == nil || root.Kind != yaml.MappingNode {
		diags.Add(f, source.Sp(yamlStart, yamlStart+1), "F106", "frontmatter must be a mapping with the keys \"workflow\" and \"tests\"")
		return nil, diags
	}
	workflow := strings.TrimSuffix(filepath.Base(path), TestSuffix) + FlowSuffix
	var wfNode, tests *yaml.Node
	for _, e := range d.mapping(root, []string{"workflow", "tests"}, "") {
		switch e.name {
		case "workflow":
			if s, ok := d.str(e.val, "workflow"); ok {
				workflow, wfNode = s, e.val
			}
		case "tests":
			if e.val.Kind != yaml.SequenceNode {
				d.errf(e.val, "F109", `invalid "tests": expected a list of cases, got %s`, got(e.val))
				continue
			}
			tests = e.val
		}
	}
	if tests == nil && !d.diags.HasErrors() {
		d.diags.Add(f, source.Sp(0, start+3), "F108", `missing required key "tests"`)
	}
	diags = append(diags, d.diags...)
	wfPath := workflow
	if !filepath.IsAbs(wfPath) {
		wfPath = filepath.Join(filepath.Dir(path), workflow)
	}
	flow, plan, wd := load.File(wfPath)
	if wd.HasErrors() {
		at := source.Sp(0, start+3)
		if wfNode != nil {
			at = d.span(wfNode)
		}
		errs, _ := wd.Counts()
		nd := &source.Diagnostic{File: f, Span: at, Code: "N313",
			Message: "workflow " + quote(workflow) + " cannot be loaded or is invalid (" + plural(errs, "error") + ")"}
		if len(wd) == 1 && wd[0].Code == "F101" {
			nd.Message = strings.Replace(wd[0].Message, "cannot read", "cannot read workflow", 1)
		} else {
			diags = append(diags, wd...)
		}
		diags = append(diags, nd)
		diags.Sort()
		return nil, diags
	}
	s := &Suite{File: path, Workflow: wfPath, Flow: flow, Plan: plan}
	if tests != nil {
		d.flow = flow
		d.diags = nil
		s.Cases = d.cases(tests)
		diags = append(diags, d.diags...)
	}
	diags.Sort()
	if diags.HasErrors() {
		return nil, diags
	}
	return s, diags
}

func isDelim(line string) bool {
	return len(line) >= 3 && line[:3] == "---" && strings.Trim(line[3:], " \t\r") == ""
}

// Validate checks a `.test.flow.md` file for `flowscript validate`: its
// keys, its workflow (whose own diagnostics are included), and that mocks
// and expectations name existing nodes. For a `.flow.md` file it checks
// the inline tests only (the workflow's own diagnostics are left to the
// caller).
func Validate(path string) source.List {
	if strings.HasSuffix(path, TestSuffix) {
		_, d := LoadTestFile(path)
		return d
	}
	flow, _, diags := load.File(path)
	if diags.HasErrors() || flow.Front.Tests == nil {
		return nil
	}
	d := &decoder{f: flow.File, line0: 2, flow: flow}
	d.cases(flow.Front.Tests)
	d.diags.Sort()
	return d.diags
}
