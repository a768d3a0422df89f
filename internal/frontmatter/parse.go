package frontmatter

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/source"
)

// Parse splits the frontmatter off f.Src and decodes it. start is the offset
// where the first line begins (after a UTF-8 BOM, which the caller skipped).
// bodyStart is the offset just after the closing `---` line. fm is nil only
// when the delimiters are wrong (F103, F104); otherwise it holds everything
// that could be decoded, and diags every problem found.
//
//	frontmatter = "---" blanks EOL yaml-document "---" blanks ( EOL | EOF )
func Parse(f *source.File, start int) (fm *Frontmatter, bodyStart int, diags source.List) {
	src := f.Src
	first, next := lineAt(src, start)
	if !isDelim(first) {
		end := start + len(strings.TrimRight(string(first), "\r"))
		diags.Add(f, source.Sp(0, end), "F103", "file does not start with a \"---\" line").
			Hints = []string{"a workflow file starts with YAML frontmatter between two \"---\" lines"}
		return nil, start, diags
	}
	openSpan := source.Span{Start: 0, End: start + 3}
	yamlStart := next
	closeStart := -1
	for pos := next; pos < len(src); {
		line, nx := lineAt(src, pos)
		if isDelim(line) {
			closeStart, bodyStart = pos, nx
			break
		}
		pos = nx
	}
	if closeStart < 0 {
		diags.Add(f, openSpan, "F104", "frontmatter not closed by a \"---\" line")
		return nil, start, diags
	}
	fm = &Frontmatter{Spans: map[string]source.Span{}, Runtime: Runtime{
		Timezone: DefaultTimezone,
		AI:       AI{BaseURL: DefaultAIBaseURL, APIKeySecret: DefaultAIAPIKeySecret},
	}}
	pm := posMap{f: f, line0: f.Position(yamlStart).Line, end: closeStart}
	d := &decoder{f: f, pm: pm, diags: &diags, fm: fm, open: openSpan}
	var doc yaml.Node
	if err := yaml.Unmarshal(src[yamlStart:closeStart], &doc); err != nil {
		d.yamlError(err)
		return fm, bodyStart, diags
	}
	var root *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if root != nil {
		d.checkDuplicates(root)
	}
	switch {
	case root == nil || root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null":
		d.top(&yaml.Node{Kind: yaml.MappingNode})
	case root.Kind != yaml.MappingNode:
		d.add(root, "F106", "frontmatter must be a mapping, got %s", kindOf(root))
	default:
		d.top(root)
	}
	return fm, bodyStart, diags
}

// lineAt returns the line starting at pos (without its "\n") and the offset
// of the next line.
func lineAt(src []byte, pos int) ([]byte, int) {
	i := pos
	for i < len(src) && src[i] != '\n' {
		i++
	}
	if i < len(src) {
		return src[pos:i], i + 1
	}
	return src[pos:i], i
}

// isDelim reports whether line is `---` followed only by blanks.
func isDelim(line []byte) bool {
	return len(line) >= 3 && string(line[:3]) == "---" && strings.Trim(string(line[3:]), " \t\r") == ""
}

// yamlError reports F105 at the line yaml names, column 1. yaml.v3 gives
// syntax errors only as text ("yaml: line 3: …", without the line when it is
// the first), so the line number is read from that prefix: there is no other
// way to get it.
func (d *decoder) yamlError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, after
			}
		}
	}
	off := d.pm.lineOffset(line)
	end, _ := lineAt(d.f.Src, off)
	sp := source.Sp(off, off+len(strings.TrimRight(string(end), "\r")))
	if off >= d.pm.end {
		sp = source.Sp(off, off+3) // the closing delimiter line
	}
	d.diags.Add(d.f, sp, "F105", "invalid YAML: %s", msg)
}

// posMap converts yaml.v3 positions (1-based lines of the YAML text,
// 1-based columns in runes) into byte offsets of the whole file. It is the
// one adapter between yaml.Node positions and source positions.
type posMap struct {
	f     *source.File
	line0 int // file line of YAML line 1
	end   int // offset of the closing delimiter line
}

// lineOffset returns the file offset of the start of YAML line n, clamped
// to the closing delimiter line.
func (m posMap) lineOffset(n int) int {
	off := m.f.LineStart(m.line0 + n - 1)
	if off > m.end {
		off = m.end
	}
	return off
}

// offset converts a YAML line and rune column to a file byte offset.
func (m posMap) offset(line, col int) int {
	off := m.lineOffset(line)
	src := m.f.Src
	for c := 1; c < col && off < len(src) && src[off] != '\n'; c++ {
		_, n := utf8.DecodeRune(src[off:])
		off += n
	}
	return off
}

// restOfLine returns the end of the line holding off, without trailing
// blanks and "\r".
func (m posMap) restOfLine(off int) int {
	line, _ := lineAt(m.f.Src, off)
	return off + len(strings.TrimRight(string(line), " \t\r"))
}

// span returns the source span of a node: a whole scalar on one line (with
// its quotes), a flow collection when it closes on its line, else the rest
// of the node's first line.
func (m posMap) span(n *yaml.Node) source.Span {
	if n.Line == 0 {
		return source.Sp(m.end, m.end+3)
	}
	start := m.offset(n.Line, n.Column)
	src := m.f.Src
	eol := m.restOfLine(start)
	switch {
	case n.Kind == yaml.AliasNode:
		end := start + 1
		for end < eol && !strings.ContainsRune(" \t,]}", rune(src[end])) {
			end++
		}
		return source.Sp(start, end)
	case n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && start < len(src):
		q := src[start]
		for i := start + 1; i < eol; i++ {
			switch {
			case q == '"' && src[i] == '\\':
				i++
			case src[i] == q && q == '\'' && i+1 < eol && src[i+1] == '\'':
				i++
			case src[i] == q:
				return source.Sp(start, i+1)
			}
		}
		return source.Sp(start, eol)
	case n.Kind == yaml.ScalarNode && n.Value == "" && start == eol && start > 0:
		// An empty value (`key:`): yaml places it just after the colon;
		// point at the colon so the span stays on the line.
		return source.Sp(start-1, start)
	case n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0:
		if start+len(n.Value) <= len(src) && string(src[start:start+len(n.Value)]) == n.Value {
			return source.Sp(start, start+len(n.Value))
		}
		return source.Sp(start, eol)
	case n.Style&yaml.FlowStyle != 0 && start < len(src) && (src[start] == '{' || src[start] == '['):
		depth := 0
		inQ := byte(0)
		for i := start; i < eol; i++ {
			c := src[i]
			switch {
			case inQ != 0:
				if c == '\\' && inQ == '"' {
					i++
				} else if c == inQ {
					inQ = 0
				}
			case c == '"' || c == '\'':
				inQ = c
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					return source.Sp(start, i+1)
				}
			}
		}
		return source.Sp(start, eol)
	}
	return source.Sp(start, eol)
}

// scalarMap returns a function mapping a byte index of n.Value to a file
// offset: exact for plain and quoted scalars on one line without escapes and
// for literal block scalars; otherwise every index maps to the scalar start.
func (m posMap) scalarMap(n *yaml.Node) func(int) int {
	sp := m.span(n)
	start := sp.Start
	src := m.f.Src
	clamp := func(off int) int { return min(off, len(src)) }
	switch {
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		if sp.End-sp.Start == len(n.Value)+2 && string(src[start+1:sp.End-1]) == n.Value {
			return func(i int) int { return clamp(start + 1 + i) }
		}
	case n.Style&yaml.LiteralStyle != 0:
		// Content starts on the next line; its indentation is that of the
		// first non-blank content line.
		first := m.lineOffset(n.Line + 1)
		indent := -1
		for off := first; off < m.end && indent < 0; {
			line, nx := lineAt(src, off)
			if t := strings.TrimLeft(string(line), " "); strings.TrimSpace(t) != "" {
				indent = len(line) - len(t)
			}
			off = nx
		}
		if indent < 0 {
			break
		}
		return func(i int) int {
			i = min(i, len(n.Value))
			k := strings.Count(n.Value[:i], "\n")
			col := i - (strings.LastIndexByte(n.Value[:i], '\n') + 1)
			return clamp(m.lineOffset(n.Line+1+k) + indent + col)
		}
	case n.Style&yaml.FoldedStyle == 0:
		if sp.End-sp.Start == len(n.Value) {
			return func(i int) int { return clamp(start + i) }
		}
	}
	return func(int) int { return start }
}

// kindOf names the kind of a node for messages: "a mapping", "a list",
// "a string", "a number", "a boolean", "null".
func kindOf(n *yaml.Node) string {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	}
	return "a string"
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// checkDuplicates reports F110 for every key repeated in a mapping, at any
// depth.
func (d *decoder) checkDuplicates(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				if first, ok := seen[k.Value]; ok {
					d.add(k, "F110", "duplicate key %q", k.Value).Hints = []string{"first defined on line " + strconv.Itoa(d.f.Position(d.pm.span(first).Start).Line)}
				} else {
					seen[k.Value] = k
				}
			}
		}
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			d.checkDuplicates(c)
		}
	}
}
