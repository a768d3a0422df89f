package expr

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF  tokKind = iota
	tNum          // number literal
	tStr          // string literal
	tName         // identifier, keyword, hyphenated node id, @name
	tOp           // operator or punctuation
	tErr          // lexical error; text is the message
)

type token struct {
	kind       tokKind
	start, end int
	text       string // name, operator, or error message
	num        float64
	str        string
}

// lexer produces tokens on demand from src[pos:end]; it is lazy so the
// parser can re-scan (regular expressions in patterns) and so member names
// can be lexed knowing their container (hyphenated node ids).
type lexer struct {
	src      string
	pos, end int
	isNode   func(string) bool
	member   func(container, id string) (string, bool)
	last     token
	last2    token
}

var ops3 = []string{"...", "===", "!=="}
var ops2 = []string{"=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "**"}

const ops1 = "+-*/%<>!?:.,()[]{}|"

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// next scans the next token: NUMBER, STRING, NAME or an operator.
func (l *lexer) next() token {
	t := l.scan()
	l.last2, l.last = l.last, t
	return t
}

func (l *lexer) scan() token {
	for l.pos < l.end && isBlank(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start >= l.end {
		return token{kind: tEOF, start: start, end: start}
	}
	c := l.src[start]
	switch {
	case isDigit(c) || c == '.' && start+1 < l.end && isDigit(l.src[start+1]):
		return l.number()
	case c == '"' || c == '\'':
		return l.str(c)
	case isIdentStart(c):
		return l.ident()
	case c == '@' && start+1 < l.end && isIdentStart(l.src[start+1]):
		l.pos++
		for l.pos < l.end && isIdentChar(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tName, start: start, end: l.pos, text: l.src[start:l.pos]}
	}
	rest := l.src[start:l.end]
	for _, op := range ops3 {
		if strings.HasPrefix(rest, op) {
			l.pos += 3
			return token{kind: tOp, start: start, end: l.pos, text: op}
		}
	}
	for _, op := range ops2 {
		if strings.HasPrefix(rest, op) {
			if op == "?." && len(rest) > 2 && isDigit(rest[2]) {
				break // a ? .5 : b
			}
			if op == "**" {
				return l.errTok(start, start+2, "operator \"**\" is not supported")
			}
			l.pos += 2
			return token{kind: tOp, start: start, end: l.pos, text: op}
		}
	}
	if strings.IndexByte(ops1, c) >= 0 {
		l.pos++
		return token{kind: tOp, start: start, end: l.pos, text: rest[:1]}
	}
	switch c {
	case '=':
		return l.errTok(start, start+1, "assignment is not supported")
	case '&', '^', '~':
		return l.errTok(start, start+1, "bitwise operators are not supported")
	case '`':
		return l.errTok(start, start+1, "template literals are not supported")
	case ';':
		return l.errTok(start, start+1, "unexpected \";\"")
	}
	_, size := utf8.DecodeRuneInString(rest)
	return l.errTok(start, start+size, "unexpected character "+strconv.Quote(rest[:size]))
}

func (l *lexer) errTok(start, end int, msg string) token {
	l.pos = end
	return token{kind: tErr, start: start, end: end, text: msg}
}

// number scans NUMBER = digits [ "." digits ] [ exponent ] | "." digits.
func (l *lexer) number() token {
	start := l.pos
	s := l.src
	for l.pos < l.end && isDigit(s[l.pos]) {
		l.pos++
	}
	if l.pos < l.end && s[l.pos] == '.' && l.pos+1 < l.end && isDigit(s[l.pos+1]) {
		l.pos++
		for l.pos < l.end && isDigit(s[l.pos]) {
			l.pos++
		}
	}
	if l.pos < l.end && (s[l.pos] == 'e' || s[l.pos] == 'E') {
		p := l.pos + 1
		if p < l.end && (s[p] == '+' || s[p] == '-') {
			p++
		}
		if p < l.end && isDigit(s[p]) {
			for p < l.end && isDigit(s[p]) {
				p++
			}
			l.pos = p
		}
	}
	if l.pos < l.end && (isIdentChar(s[l.pos]) || s[l.pos] == '.' && l.pos+1 < l.end && isDigit(s[l.pos+1])) {
		e := l.pos
		for e < l.end && (isIdentChar(s[e]) || s[e] == '.') {
			e++
		}
		return l.errTok(start, e, "invalid number "+strconv.Quote(s[start:e]))
	}
	f, err := strconv.ParseFloat(s[start:l.pos], 64)
	if err != nil {
		return l.errTok(start, l.pos, "number "+s[start:l.pos]+" is out of range")
	}
	return token{kind: tNum, start: start, end: l.pos, num: f}
}

// str scans STRING = "'" chars "'" | '"' chars '"' with the escapes of §2.
func (l *lexer) str(q byte) token {
	start := l.pos
	s := l.src
	l.pos++
	var b strings.Builder
	plain := l.pos
	for {
		if l.pos >= l.end {
			return l.errTok(start, l.end, "unterminated string")
		}
		c := s[l.pos]
		if c == q {
			b.WriteString(s[plain:l.pos])
			l.pos++
			return token{kind: tStr, start: start, end: l.pos, str: b.String()}
		}
		if c == '\n' || c == '\r' {
			return l.errTok(start, l.pos, "line break inside a string")
		}
		if c != '\\' {
			l.pos++
			continue
		}
		b.WriteString(s[plain:l.pos])
		esc := l.pos
		l.pos++
		if l.pos >= l.end {
			return l.errTok(start, l.end, "unterminated string")
		}
		e := s[l.pos]
		l.pos++
		switch e {
		case '\\', '\'', '"', '/':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '0':
			b.WriteByte(0)
		case 'u':
			r, ok := l.unicodeEscape()
			if !ok {
				return l.errTok(esc, l.pos, "invalid unicode escape")
			}
			b.WriteRune(r)
		default:
			_, size := utf8.DecodeRuneInString(s[esc+1:])
			return l.errTok(esc, esc+1+size, "invalid escape "+strconv.Quote(s[esc:esc+1+size]))
		}
		plain = l.pos
	}
}

// unicodeEscape reads XXXX or {X…} after \u; surrogate pairs combine.
func (l *lexer) unicodeEscape() (rune, bool) {
	s := l.src
	if l.pos < l.end && s[l.pos] == '{' {
		e := strings.IndexByte(s[l.pos:l.end], '}')
		if e < 2 || e > 9 {
			return 0, false
		}
		v, err := strconv.ParseUint(s[l.pos+1:l.pos+e], 16, 32)
		l.pos += e + 1
		if err != nil || v > utf8.MaxRune {
			return 0, false
		}
		return rune(v), true
	}
	hex4 := func() (rune, bool) {
		if l.pos+4 > l.end {
			return 0, false
		}
		v, err := strconv.ParseUint(s[l.pos:l.pos+4], 16, 32)
		if err != nil {
			return 0, false
		}
		l.pos += 4
		return rune(v), true
	}
	r, ok := hex4()
	if !ok {
		return 0, false
	}
	if r >= 0xD800 && r < 0xDC00 && strings.HasPrefix(s[l.pos:l.end], `\u`) {
		save := l.pos
		l.pos += 2
		if lo, ok := hex4(); ok && lo >= 0xDC00 && lo < 0xE000 {
			return (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000, true
		}
		l.pos = save
	}
	return r, true
}

// ident scans NAME: the longest run of [A-Za-z0-9_$-] that is a declared
// node id (or, after "container.", a member the container resolves), else a
// plain identifier.
func (l *lexer) ident() token {
	start := l.pos
	s := l.src
	p := start
	for p < l.end && isIdentChar(s[p]) {
		p++
	}
	plainEnd := p
	runEnd := p
	for runEnd < l.end && (isIdentChar(s[runEnd]) || s[runEnd] == '-') {
		runEnd++
	}
	if runEnd > plainEnd {
		container := ""
		if l.last.kind == tOp && (l.last.text == "." || l.last.text == "?.") && l.last2.kind == tName {
			container = l.last2.text
		}
		for e := runEnd; e > plainEnd; e-- {
			if s[e-1] == '-' || e < runEnd && s[e] != '-' {
				continue
			}
			id := s[start:e]
			if container != "" && l.member != nil {
				if _, ok := l.member(container, id); ok {
					p = e
					break
				}
			}
			if l.isNode != nil && l.isNode(id) {
				p = e
				break
			}
		}
	}
	l.pos = p
	return token{kind: tName, start: start, end: p, text: s[start:p]}
}
