package parser

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/source"
)

// ParseYAMLText parses the text of a key/value block (spec/format.md §4.5)
// with yaml.v3 and returns the root node of its document (nil for an empty
// or comment-only block).
//
// Before parsing, a plain scalar that starts with "{{" becomes a string
// running to the end of its line (trailing blanks dropped): `body: {{ input }}`
// is the string "{{ input }}", never a flow mapping. Such scalars keep the
// plain style in the returned tree, with tag !!str. Syntax errors are S213,
// positioned at the start of the line yaml reports, mapped into the file.
func ParseYAMLText(f *source.File, t *Text) (root *yaml.Node, diags source.List) {
	if t == nil {
		return nil, nil
	}
	pre, marks := quoteTemplates(t.Value)
	var doc yaml.Node
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("yaml: %v", r)
			}
		}()
		return yaml.Unmarshal([]byte(pre), &doc)
	}()
	if err != nil {
		line, msg := yamlErrorLine(err)
		s, e := lineBounds(t.Value, line)
		sp := source.Span{Start: t.Map(s), End: t.Map(e)}
		if sp.End <= sp.Start {
			sp.End = sp.Start + 1
			if sp.End > len(f.Src) {
				sp.End = len(f.Src)
			}
		}
		diags.Add(f, sp, "S213", "invalid YAML: %s", msg)
		return nil, diags
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	if len(marks) > 0 {
		restorePlain(doc.Content[0], marks)
	}
	return doc.Content[0], nil
}

// YAMLOffset returns the file offset of a node of a tree returned by
// ParseYAMLText for t (through the dedent and entities).
func YAMLOffset(t *Text, n *yaml.Node) int {
	return t.Map(yamlIndex(t.Value, n.Line, n.Column))
}

// YAMLScalarOffset returns the file offset of byte i of the value of the
// scalar n. It is exact for a one-line plain scalar (templates included) and
// for a one-line quoted scalar without escapes; otherwise it is the node's
// offset, moved by i within the node's line.
func YAMLScalarOffset(t *Text, n *yaml.Node, i int) int {
	k := yamlIndex(t.Value, n.Line, n.Column)
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		k++
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return t.Map(k)
	}
	_, e := lineBounds(t.Value, n.Line)
	if i < 0 {
		i = 0
	}
	if k+i > e {
		return t.Map(e)
	}
	return t.Map(k + i)
}

// yamlIndex turns a yaml.v3 line and column (1-based, column in runes) into
// a byte index of v.
func yamlIndex(v string, line, col int) int {
	s, e := lineBounds(v, line)
	i := s
	for c := 1; c < col && i < e; c++ {
		_, w := utf8.DecodeRuneInString(v[i:])
		i += w
	}
	return i
}

// lineBounds returns the byte range of 1-based line n of v (without its
// line break); lines past the end give the last line.
func lineBounds(v string, n int) (start, end int) {
	for l := 1; l < n; l++ {
		k := strings.IndexByte(v[start:], '\n')
		if k < 0 {
			break
		}
		start += k + 1
	}
	end = len(v)
	if k := strings.IndexByte(v[start:], '\n'); k >= 0 {
		end = start + k
	}
	return start, end
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlErrorLine extracts the line yaml.v3 reports. yaml.v3 exposes syntax
// error positions only in the message text ("yaml: line N: …").
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, msg[len(m[0]):]
	}
	return 1, strings.TrimPrefix(msg, "yaml: ")
}

// tmplMark is the position (yaml line and column) of a scalar turned into a
// quoted string by quoteTemplates.
type tmplMark struct{ line, col int }

// quoteTemplates applies the rule of §4.5 before YAML parsing: a plain
// scalar that starts with "{{" (a mapping value, a sequence item, or a
// value alone on its line) is a string running to the end of its line. Each
// is rewritten in place as a single-quoted YAML string, which keeps the
// line and column of every node. Block scalar content, multi-line quoted
// scalars and flow collections are left alone.
func quoteTemplates(v string) (string, []tmplMark) {
	if !strings.Contains(v, "{{") {
		return v, nil
	}
	var out strings.Builder
	var marks []tmplMark
	blockIndent := -1 // inside a block scalar whose owner is at this indentation
	var quote byte    // inside a multi-line quoted scalar
	flow := 0         // inside a multi-line flow collection
	pending := true   // a value may start on this line (document start, "key:" or "-" before)
	lineNo := 0
	for start := 0; start <= len(v); {
		lineNo++
		end := strings.IndexByte(v[start:], '\n')
		if end < 0 {
			end = len(v)
		} else {
			end += start
		}
		line := v[start:end]
		rewritten := line
		ind := 0
		for ind < len(line) && (line[ind] == ' ' || line[ind] == '\t') {
			ind++
		}
		blankLine := ind == len(line)
		switch {
		case blockIndent >= 0 && (blankLine || ind > blockIndent):
			// block scalar content
		case quote != 0 || flow > 0:
			quote, flow = scanRest(line, 0, quote, flow)
		default:
			blockIndent = -1
			if blankLine || line[ind] == '#' || strings.HasPrefix(line, "---") || strings.HasPrefix(line, "...") {
				break
			}
			var tcol int
			rewritten, tcol, pending, blockIndent, quote, flow = scanLine(line, ind, pending)
			if tcol >= 0 {
				marks = append(marks, tmplMark{lineNo, utf8.RuneCountInString(line[:tcol]) + 1})
			}
		}
		out.WriteString(rewritten)
		if end == len(v) {
			break
		}
		out.WriteByte('\n')
		start = end + 1
	}
	return out.String(), marks
}

// scanLine reads one block-context line from its content at ind. It
// returns the line (rewritten when it holds a template scalar), whether a
// value may start on the next line, and the states for the following
// lines.
func scanLine(line string, ind int, pending bool) (out string, tcol int, nextPending bool, blockIndent int, quote byte, flow int) {
	blockIndent = -1
	pos, owner := ind, ind
	item := false
	// Sequence items and complex keys: "- ", "? ".
	for pos < len(line) && (line[pos] == '-' || line[pos] == '?') && (pos+1 == len(line) || line[pos+1] == ' ' || line[pos+1] == '\t') {
		owner = pos
		item = true
		pos++
		for pos < len(line) && (line[pos] == ' ' || line[pos] == '\t') {
			pos++
		}
	}
	if pos == len(line) || line[pos] == '#' {
		return line, -1, item || pending, -1, 0, 0
	}
	c := pos
	if strings.HasPrefix(line[c:], "{{") {
		if item || pending {
			return quoteRest(line, c), c, false, -1, 0, 0
		}
		return line, -1, false, -1, 0, 0
	}
	// A key?
	vpos := -1
	switch line[c] {
	case '"', '\'':
		if k := strings.IndexByte(line[c+1:], line[c]); k >= 0 {
			j := c + 1 + k + 1
			for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
				j++
			}
			if j < len(line) && line[j] == ':' && (j+1 == len(line) || line[j+1] == ' ' || line[j+1] == '\t') {
				vpos = j + 1
			}
		}
	case '[', '{', '|', '>', '&', '!', '*':
	default:
		for j := c; j < len(line); j++ {
			if line[j] == '#' && j > c && (line[j-1] == ' ' || line[j-1] == '\t') {
				break
			}
			if line[j] == ':' && (j+1 == len(line) || line[j+1] == ' ' || line[j+1] == '\t') {
				vpos = j + 1
				break
			}
		}
	}
	if vpos >= 0 {
		owner = c
		for vpos < len(line) && (line[vpos] == ' ' || line[vpos] == '\t') {
			vpos++
		}
		if vpos == len(line) || line[vpos] == '#' {
			return line, -1, true, -1, 0, 0
		}
		c = vpos
	}
	// Anchors and tags before the value.
	for c < len(line) && (line[c] == '&' || line[c] == '!') {
		for c < len(line) && line[c] != ' ' && line[c] != '\t' {
			c++
		}
		for c < len(line) && (line[c] == ' ' || line[c] == '\t') {
			c++
		}
	}
	if c == len(line) || line[c] == '#' {
		return line, -1, true, -1, 0, 0
	}
	switch line[c] {
	case '{':
		if strings.HasPrefix(line[c:], "{{") {
			return quoteRest(line, c), c, false, -1, 0, 0
		}
		q, fl := scanRest(line, c, 0, 0)
		return line, -1, false, -1, q, fl
	case '[', '"', '\'':
		q, fl := scanRest(line, c, 0, 0)
		return line, -1, false, -1, q, fl
	case '|', '>':
		return line, -1, false, owner, 0, 0
	}
	return line, -1, false, -1, 0, 0
}

// quoteRest rewrites line[c:] (trailing blanks dropped) as a single-quoted
// YAML string.
func quoteRest(line string, c int) string {
	s := strings.TrimRight(line[c:], " \t")
	return line[:c] + "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// scanRest follows quotes and flow brackets from line[i:], starting in the
// given state, and returns the state at the end of the line.
func scanRest(line string, i int, quote byte, flow int) (byte, int) {
	for ; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '"':
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = 0
			}
		case quote == '\'':
			if c == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					i++
				} else {
					quote = 0
				}
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			flow++
		case c == ']' || c == '}':
			if flow > 0 {
				flow--
			}
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return quote, flow
		}
		if quote == 0 && flow == 0 {
			// A complete quoted scalar or flow collection: the rest of
			// the line holds nothing more that spans lines.
			return 0, 0
		}
	}
	return quote, flow
}

// restorePlain gives back the plain style to the scalars quoteTemplates
// quoted.
func restorePlain(n *yaml.Node, marks []tmplMark) {
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Style == yaml.SingleQuotedStyle {
		for _, m := range marks {
			if m.line == n.Line && m.col == n.Column {
				n.Style = 0
				n.Tag = "!!str"
				break
			}
		}
	}
	for _, c := range n.Content {
		restorePlain(c, marks)
	}
}
