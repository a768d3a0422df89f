package parser

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/flowscript/flowscript/internal/source"
)

// BodyLoc is where the body of a .flow.md file is, and where its execution
// log block is.
type BodyLoc struct {
	// Fenced is set when the body is the content of a fenced code block.
	Fenced bool
	// Start and End are the byte range to give to ParseBody: for a fenced
	// body, the block content; for a raw body, from "<workflow" to the end
	// of the file (or to the execution-log block that follows it).
	Start, End int
	// LogBegin and LogEnd are the offsets of the start of the log begin
	// line and after the log end line (after its line break); -1 when
	// there is no log block. With two blocks they are the first one's.
	LogBegin, LogEnd int
	// LogMalformed is set when a begin line has no end line or when there
	// are two blocks (W704): log writing is then disabled.
	LogMalformed bool
}

// The two lines that delimit the execution-log block (spec/format.md §7).
const (
	LogBeginLine = "<!-- flowscript:log begin -->"
	LogEndLine   = "<!-- flowscript:log end -->"
)

// candidate is one place that could hold the body.
type candidate struct {
	fenced     bool
	span       source.Span // what a diagnostic points at
	start, end int         // content range (fenced) or "<workflow" offset (raw)
}

// LocateBody finds the single <workflow> body in the markdown that starts
// at mdStart, just after the frontmatter, by spec/format.md §3. Candidates:
//
//  1. a fenced code block whose info string's first word is "flowscript";
//  2. a fenced "xml" block whose content, after blank lines, comments and
//     an optional <?xml …?>, starts with "<workflow" + '>', '/' or a blank;
//  3. a line outside code blocks and code spans that starts, after at most
//     3 spaces, with "<workflow" + '>', '/' or a blank.
//
// Everything inside the execution-log block (§7) is ignored; a begin line
// without an end line, or a second block, is W704. No candidate is S201 at
// mdStart (the returned loc is then nil); two or more are S202 at the second
// one, and the loc is the first one's.
func LocateBody(f *source.File, mdStart int) (*BodyLoc, source.List) {
	var diags source.List
	src := f.Src
	if mdStart < 0 {
		mdStart = 0
	}
	if mdStart > len(src) {
		mdStart = len(src)
	}
	loc := &BodyLoc{LogBegin: -1, LogEnd: -1}
	logs := findLogBlocks(f, mdStart, loc, &diags)

	// goldmark sees the markdown only: the frontmatter and log blocks are
	// blanked out (line breaks kept) so segment offsets stay file-global.
	md := make([]byte, len(src))
	copy(md, src)
	blank := func(a, b int) {
		for i := a; i < b; i++ {
			if md[i] != '\n' {
				md[i] = ' '
			}
		}
	}
	blank(0, mdStart)
	for _, r := range logs {
		blank(r.Start, r.End)
	}
	doc := goldmark.DefaultParser().Parse(text.NewReader(md))

	var cands []candidate
	var code []source.Span // code blocks and code spans
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.FencedCodeBlock:
			if r, ok := linesRange(n.Lines()); ok {
				code = append(code, r)
			}
			if c, ok := fencedCandidate(md, n); ok {
				cands = append(cands, c)
			}
		case *ast.CodeBlock:
			if r, ok := linesRange(n.Lines()); ok {
				code = append(code, r)
			}
		case *ast.CodeSpan:
			first, last := n.FirstChild(), n.LastChild()
			ft, ok1 := first.(*ast.Text)
			lt, ok2 := last.(*ast.Text)
			if ok1 && ok2 {
				code = append(code, source.Span{Start: ft.Segment.Start, End: lt.Segment.Stop})
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	sort.Slice(code, func(i, j int) bool { return code[i].Start < code[j].Start })
	cands = append(cands, rawCandidates(md, mdStart, code, logs)...)
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].span.Start < cands[j].span.Start })

	if len(cands) == 0 {
		sp := source.Span{Start: mdStart, End: mdStart + 1}
		if sp.End > len(src) {
			sp.End = len(src)
		}
		d := diags.Add(f, sp, "S201", "no <workflow> body found")
		d.Hints = []string{"write the body as a <workflow> element after the frontmatter, or in a ```flowscript block"}
		return nil, diags
	}
	if len(cands) > 1 {
		c := cands[1]
		d := diags.Add(f, c.span, "S202", "more than one body candidate")
		d.Hints = []string{fmt.Sprintf("the first one is on line %d; a file holds one <workflow> body", lineOf(f, cands[0].span.Start))}
	}
	c := cands[0]
	loc.Fenced = c.fenced
	loc.Start, loc.End = c.start, c.end
	if !c.fenced {
		loc.End = len(src)
		for _, r := range logs {
			if r.Start >= c.start {
				loc.End = r.Start
				break
			}
		}
	}
	return loc, diags
}

// linesRange is the file range covered by a block's lines.
func linesRange(ls *text.Segments) (source.Span, bool) {
	if ls == nil || ls.Len() == 0 {
		return source.Span{}, false
	}
	return source.Span{Start: ls.At(0).Start, End: ls.At(ls.Len() - 1).Stop}, true
}

// fencedCandidate checks candidates 1 and 2 of §3.
func fencedCandidate(src []byte, n *ast.FencedCodeBlock) (candidate, bool) {
	if n.Info == nil {
		return candidate{}, false
	}
	seg := n.Info.Segment
	info := src[seg.Start:seg.Stop]
	w := 0
	for w < len(info) && !isBlank(info[w]) {
		w++
	}
	word := string(info[:w])
	if word != "flowscript" && word != "xml" {
		return candidate{}, false
	}
	// The fence line: from its first non-blank byte to the end of the word.
	ls := seg.Start
	for ls > 0 && src[ls-1] != '\n' {
		ls--
	}
	for ls < seg.Start && (src[ls] == ' ' || src[ls] == '\t' || src[ls] == '>') {
		ls++
	}
	c := candidate{fenced: true, span: source.Span{Start: ls, End: seg.Start + w}}
	// Content: whole lines, read from the original bytes.
	if ls := n.Lines(); ls != nil && ls.Len() > 0 {
		c.start = ls.At(0).Start
		for c.start > 0 && src[c.start-1] != '\n' {
			c.start--
		}
		c.end = ls.At(ls.Len() - 1).Stop
	} else {
		e := bytes.IndexByte(src[seg.Stop:], '\n')
		if e < 0 {
			c.start = len(src)
		} else {
			c.start = seg.Stop + e + 1
		}
		c.end = c.start
	}
	if word == "xml" && !xmlStartsWithWorkflow(src[c.start:c.end]) {
		return candidate{}, false
	}
	return c, true
}

// xmlStartsWithWorkflow reports whether b, after blanks, comments and an
// optional <?xml …?>, starts with "<workflow" + '>', '/' or a blank.
func xmlStartsWithWorkflow(b []byte) bool {
	i := 0
	decl := false
	for i < len(b) {
		switch {
		case isBlank(b[i]):
			i++
			continue
		case bytes.HasPrefix(b[i:], commentStart):
			k := bytes.Index(b[i+4:], commentEnd)
			if k < 0 {
				return false
			}
			i += 4 + k + 3
			continue
		case !decl && bytes.HasPrefix(b[i:], []byte("<?xml")) && i+5 < len(b) && (isBlank(b[i+5]) || b[i+5] == '?'):
			k := bytes.Index(b[i+2:], []byte("?>"))
			if k < 0 {
				return false
			}
			i += 2 + k + 2
			decl = true
			continue
		}
		return isWorkflowStart(b[i:])
	}
	return false
}

// isWorkflowStart reports whether b starts with "<workflow" followed by
// '>', '/' or a blank.
func isWorkflowStart(b []byte) bool {
	const w = "<workflow"
	if len(b) <= len(w) || string(b[:len(w)]) != w {
		return false
	}
	c := b[len(w)]
	return c == '>' || c == '/' || isBlank(c)
}

// rawCandidates finds candidate 3 of §3: lines starting, after at most 3
// spaces, with "<workflow" + '>', '/' or a blank, outside code and logs.
func rawCandidates(src []byte, mdStart int, code, logs []source.Span) []candidate {
	var out []candidate
	for ls := mdStart; ls < len(src); {
		i := ls
		for i < len(src) && i-ls < 3 && src[i] == ' ' {
			i++
		}
		if i < len(src) && src[i] == '<' && isWorkflowStart(src[i:]) && !inSpans(code, i) && !inSpans(logs, i) {
			out = append(out, candidate{span: source.Span{Start: i, End: i + len("<workflow")}, start: i, end: len(src)})
		}
		k := bytes.IndexByte(src[i:], '\n')
		if k < 0 {
			break
		}
		ls = i + k + 1
	}
	return out
}

// inSpans reports whether off lies in one of the sorted, disjoint spans.
func inSpans(spans []source.Span, off int) bool {
	k := sort.Search(len(spans), func(k int) bool { return spans[k].Start > off }) - 1
	return k >= 0 && off < spans[k].End
}

// findLogBlocks finds the execution-log blocks (§7) in src[mdStart:],
// fills the log fields of loc, reports W704, and returns the ranges to
// ignore.
func findLogBlocks(f *source.File, mdStart int, loc *BodyLoc, diags *source.List) []source.Span {
	src := f.Src
	var out []source.Span
	open := -1     // start of the current begin line
	openEnd := -1  // end of that line's marker
	firstLine := 0 // line of the first block
	for ls := mdStart; ls < len(src); {
		le := len(src)
		next := len(src)
		if k := bytes.IndexByte(src[ls:], '\n'); k >= 0 {
			le, next = ls+k, ls+k+1
		}
		line := bytes.TrimRight(src[ls:le], " \t\r")
		switch {
		case string(line) == LogBeginLine:
			if open >= 0 {
				// A begin inside an open block.
				d := diags.Add(f, source.Span{Start: ls, End: ls + len(line)}, "W704",
					"execution log begin line inside an open log block; log writing disabled")
				d.Hints = []string{fmt.Sprintf("the open block starts on line %d", lineOf(f, open))}
				loc.LogMalformed = true
				break
			}
			if len(out) > 0 {
				d := diags.Add(f, source.Span{Start: ls, End: ls + len(line)}, "W704",
					"more than one execution log block; log writing disabled")
				d.Hints = []string{fmt.Sprintf("the first block starts on line %d", firstLine)}
				loc.LogMalformed = true
			}
			open, openEnd = ls, ls+len(line)
		case string(line) == LogEndLine && open >= 0:
			if len(out) == 0 {
				loc.LogBegin, loc.LogEnd = open, next
				firstLine = lineOf(f, open)
			}
			out = append(out, source.Span{Start: open, End: next})
			open = -1
		}
		ls = next
	}
	if open >= 0 {
		d := diags.Add(f, source.Span{Start: open, End: openEnd}, "W704",
			"execution log block not closed; log writing disabled")
		d.Hints = []string{fmt.Sprintf("end it with a line %q", LogEndLine)}
		loc.LogMalformed = true
		if len(out) == 0 {
			loc.LogBegin = open
		}
		out = append(out, source.Span{Start: open, End: len(src)})
	}
	return out
}
