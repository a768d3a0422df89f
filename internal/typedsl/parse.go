package typedsl

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/source"
)

// Error is a DSL syntax error. Start and End are offsets mapped through the
// position function given to Parse (file offsets, or byte indexes of the
// text when it was nil); Hint is empty or one hint line.
type Error struct {
	Start, End int
	Message    string
	Hint       string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 100

// Parse parses DSL text into a Type. pm maps a byte index of text to a file
// offset (nil is the identity) so that the error is positioned in the file.
// Line breaks separate record fields like commas. The grammar:
//
//	type    = postfix { "|" postfix }
//	postfix = primary { "[]" | "?" }
//	primary = "string" | "number" | "integer" | "boolean" | "null" | "any" | "object" | "array"
//	        | "datetime" | "date" | "duration" | "enum" "[" word { "," word } "]"
//	        | "{" [ field { ( "," | line-break ) field } [ "," ] ] "}" | "(" type ")"
//	field   = ( NAME | STRING ) ":" type
//	word    = STRING | { any character but "," "]" and line breaks }   (trimmed)
//	NAME    = ( letter | "_" | "$" ) { letter | digit | "_" | "$" | "-" }
//	STRING  = '"' … '"' | "'" … "'"   (backslash escapes as in JSON)
func Parse(text string, pm func(int) int) (*Type, *Error) {
	p := &parser{src: text}
	t := p.parseType()
	if p.err == nil {
		p.skip()
		if p.pos < len(p.src) {
			p.fail(p.pos, p.tokEnd(p.pos), fmt.Sprintf("unexpected %s after the type", p.describe(p.pos)))
		}
	}
	if p.err != nil {
		if pm != nil {
			p.err.Start, p.err.End = pm(p.err.Start), pm(p.err.End)
		}
		return nil, p.err
	}
	return t, nil
}

type parser struct {
	src   string
	pos   int
	depth int
	nl    bool // a line break was skipped by the last skip
	err   *Error
}

func runeLen(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

func (p *parser) fail(start, end int, msg string) {
	if p.err == nil {
		if end <= start {
			end = start + 1
		}
		p.err = &Error{Start: start, End: end, Message: msg}
	}
}

// skip skips blanks and line breaks, recording whether a line break was seen.
func (p *parser) skip() {
	p.nl = false
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '\n':
			p.nl = true
		case ' ', '\t', '\r':
		default:
			return
		}
		p.pos++
	}
}

func (p *parser) describe(i int) string {
	if i >= len(p.src) {
		return "end of text"
	}
	r, _ := utf8.DecodeRuneInString(p.src[i:])
	if isNameStart(r) {
		j := i
		for j < len(p.src) && isNamePart(rune(p.src[j])) {
			j++
		}
		return strconv.Quote(p.src[i:j])
	}
	return strconv.Quote(string(r))
}

// tokEnd returns the end of the token at i: a whole name, else one rune.
func (p *parser) tokEnd(i int) int {
	if i < len(p.src) && isNameStart(rune(p.src[i])) {
		for i < len(p.src) && isNamePart(rune(p.src[i])) {
			i++
		}
		return i
	}
	return i + runeLen(p.src, i)
}

func isNameStart(r rune) bool {
	return r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

func isNamePart(r rune) bool {
	return isNameStart(r) || r == '-' || r >= '0' && r <= '9'
}

// type = postfix { "|" postfix }
func (p *parser) parseType() *Type {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		p.fail(p.pos, p.pos+1, "type nested too deeply")
		return nil
	}
	first := p.parsePostfix()
	if p.err != nil {
		return nil
	}
	var alts []*Type
	for {
		save := p.pos
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != '|' {
			p.pos = save
			break
		}
		p.pos++
		t := p.parsePostfix()
		if p.err != nil {
			return nil
		}
		if alts == nil {
			alts = append(alts, first)
		}
		alts = append(alts, t)
	}
	if alts == nil {
		return first
	}
	// Flatten nested unions: (A | B) | C is A | B | C.
	var flat []*Type
	for _, a := range alts {
		if a.Kind == Union {
			flat = append(flat, a.Alts...)
		} else {
			flat = append(flat, a)
		}
	}
	return &Type{Kind: Union, Alts: flat}
}

// postfix = primary { "[]" | "?" }
func (p *parser) parsePostfix() *Type {
	t := p.parsePrimary()
	if p.err != nil {
		return nil
	}
	for p.pos < len(p.src) {
		switch {
		case strings.HasPrefix(p.src[p.pos:], "[]"):
			p.pos += 2
			t = ArrayOfType(t)
		case p.src[p.pos] == '?':
			p.pos++
			t = OptionalType(t)
		case p.src[p.pos] == '[':
			p.fail(p.pos, p.pos+1, `expected "[]" after the type`)
			return nil
		default:
			return t
		}
	}
	return t
}

func (p *parser) parsePrimary() *Type {
	p.skip()
	if p.pos >= len(p.src) {
		p.fail(p.pos, p.pos, "expected a type, found end of text")
		return nil
	}
	c := p.src[p.pos]
	switch {
	case c == '{':
		return p.parseRecord()
	case c == '(':
		open := p.pos
		p.pos++
		t := p.parseType()
		if p.err != nil {
			return nil
		}
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			p.fail(p.pos, p.tokEnd(p.pos), fmt.Sprintf(`expected ")" to close the "(", found %s`, p.describe(p.pos)))
			_ = open
			return nil
		}
		p.pos++
		return t
	case isNameStart(rune(c)):
		start := p.pos
		for p.pos < len(p.src) && isNamePart(rune(p.src[p.pos])) {
			p.pos++
		}
		name := p.src[start:p.pos]
		for k, n := range kindNames {
			if n == name {
				if Kind(k) == Enum {
					return p.parseEnum(start)
				}
				return Prim(Kind(k))
			}
		}
		p.fail(start, p.pos, fmt.Sprintf("unknown type %q", name))
		if s, ok := source.Suggest(name, primaryNames); ok {
			p.err.Hint = fmt.Sprintf("did you mean %q?", s)
		} else {
			p.err.Hint = "expected one of: " + strings.Join(primaryNames, ", ")
		}
		return nil
	}
	p.fail(p.pos, p.tokEnd(p.pos), fmt.Sprintf("expected a type, found %s", p.describe(p.pos)))
	return nil
}

// "enum" "[" word { "," word } "]"
func (p *parser) parseEnum(start int) *Type {
	if p.pos >= len(p.src) || p.src[p.pos] != '[' {
		p.fail(start, p.pos, `expected "[" after "enum" (enum[a, b])`)
		return nil
	}
	p.pos++
	t := &Type{Kind: Enum}
	seen := map[string]bool{}
	for {
		p.skip()
		if p.pos < len(p.src) && p.src[p.pos] == ']' && len(t.Values) == 0 {
			p.fail(start, p.pos+1, "enum needs at least one value")
			return nil
		}
		wstart := p.pos
		var v any
		if p.pos < len(p.src) && (p.src[p.pos] == '"' || p.src[p.pos] == '\'') {
			s, ok := p.parseString()
			if !ok {
				return nil
			}
			v = s
		} else {
			for p.pos < len(p.src) && p.src[p.pos] != ',' && p.src[p.pos] != ']' && p.src[p.pos] != '\n' {
				p.pos++
			}
			w := strings.TrimRight(p.src[wstart:p.pos], " \t\r")
			if w == "" {
				p.fail(wstart, p.tokEnd(wstart), fmt.Sprintf("expected an enum value, found %s", p.describe(wstart)))
				return nil
			}
			if isJSONNumber(w) {
				f, _ := strconv.ParseFloat(w, 64)
				v = f
			} else {
				v = w
			}
		}
		key := fmt.Sprintf("%T:%v", v, v)
		if seen[key] {
			p.fail(wstart, p.pos, fmt.Sprintf("duplicate enum value %s", enumWord(v)))
			return nil
		}
		seen[key] = true
		t.Values = append(t.Values, v)
		p.skip()
		if p.pos >= len(p.src) {
			p.fail(p.pos, p.pos, `expected "," or "]" in enum, found end of text`)
			return nil
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			continue
		case ']':
			p.pos++
			return t
		}
		p.fail(p.pos, p.tokEnd(p.pos), fmt.Sprintf(`expected "," or "]" in enum, found %s`, p.describe(p.pos)))
		return nil
	}
}

// parseString reads a quoted string at p.pos.
func (p *parser) parseString() (string, bool) {
	q := p.src[p.pos]
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == q:
			p.pos++
			return b.String(), true
		case c == '\n':
			p.fail(start, p.pos, "unterminated string")
			return "", false
		case c == '\\':
			if p.pos+1 >= len(p.src) {
				p.fail(start, p.pos+1, "unterminated string")
				return "", false
			}
			e := p.src[p.pos+1]
			switch e {
			case '"', '\'', '\\', '/':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'u':
				if p.pos+6 <= len(p.src) {
					if n, err := strconv.ParseUint(p.src[p.pos+2:p.pos+6], 16, 32); err == nil {
						b.WriteRune(rune(n))
						p.pos += 6
						continue
					}
				}
				p.fail(p.pos, p.pos+2, `invalid escape "\u": expected 4 hex digits`)
				return "", false
			default:
				p.fail(p.pos, p.pos+2, fmt.Sprintf("invalid escape %q", p.src[p.pos:p.pos+2]))
				return "", false
			}
			p.pos += 2
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	p.fail(start, p.pos, "unterminated string")
	return "", false
}

// "{" [ field { ( "," | line-break ) field } [ "," ] ] "}"
func (p *parser) parseRecord() *Type {
	open := p.pos
	p.pos++
	t := &Type{Kind: Record, Fields: []Field{}}
	seen := map[string]bool{}
	for {
		p.skip()
		if p.pos >= len(p.src) {
			p.fail(open, open+1, `unclosed "{": expected "}"`)
			return nil
		}
		if p.src[p.pos] == '}' {
			p.pos++
			return t
		}
		// field = ( NAME | STRING ) ":" type
		kstart := p.pos
		var name string
		switch c := p.src[p.pos]; {
		case c == '"' || c == '\'':
			s, ok := p.parseString()
			if !ok {
				return nil
			}
			name = s
		case isNameStart(rune(c)):
			for p.pos < len(p.src) && isNamePart(rune(p.src[p.pos])) {
				p.pos++
			}
			name = p.src[kstart:p.pos]
		default:
			p.fail(p.pos, p.tokEnd(p.pos), fmt.Sprintf("expected a field name, found %s", p.describe(p.pos)))
			return nil
		}
		if seen[name] {
			p.fail(kstart, p.pos, fmt.Sprintf("duplicate field %q", name))
			return nil
		}
		seen[name] = true
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			p.fail(p.pos, p.tokEnd(p.pos), fmt.Sprintf(`expected ":" after field %q, found %s`, name, p.describe(p.pos)))
			return nil
		}
		p.pos++
		ft := p.parseType()
		if p.err != nil {
			return nil
		}
		t.Fields = append(t.Fields, Field{Name: name, Type: ft, Required: !ft.Optional()})
		p.skip()
		if p.pos >= len(p.src) {
			p.fail(open, open+1, `unclosed "{": expected "}"`)
			return nil
		}
		switch {
		case p.src[p.pos] == ',':
			p.pos++
		case p.src[p.pos] == '}':
		case p.nl:
		default:
			p.fail(p.pos, p.tokEnd(p.pos), fmt.Sprintf(`expected "," or "}" after field %q, found %s`, name, p.describe(p.pos)))
			return nil
		}
	}
}
