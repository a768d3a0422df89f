package expr

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/flowscript/flowscript/internal/value"
)

// Pattern is a compiled <match pattern> (spec/expressions.md §9).
type Pattern struct {
	src  string
	m    matchFn
	refs []Ref
	all  *rtErr
}

type matchFn func(e *Env, v any) (bool, error)

// Match reports whether subject matches the pattern; ( expr ) parts are
// evaluated in env. Errors are *EvalError.
func (pt *Pattern) Match(env *Env, subject any) (bool, error) {
	env.begin()
	ok, err := pt.m(env, subject)
	if err != nil {
		return false, pt.all.wrap(err)
	}
	return ok, nil
}

// Refs lists the references made by the pattern's ( expr ) parts.
func (pt *Pattern) Refs() []Ref { return pt.refs }

// Source returns the pattern text.
func (pt *Pattern) Source() string { return pt.src }

// CompilePattern parses and compiles a match pattern; syntax errors are
// X408, errors inside ( expr ) parts are those of expressions.
func CompilePattern(src string, pm PosMap, n *Names) (*Pattern, []*Error) {
	if n == nil {
		n = &Names{}
	}
	d := &diag{src: src, pm: pm}
	if len(src) > maxSource {
		d.add("X408", 0, len(src), fmt.Sprintf("pattern longer than %d bytes", maxSource))
		return nil, d.finish()
	}
	pp := &patParser{parser: newParser(src, 0, len(src), d, n)}
	pp.c = &compiler{src: src, pm: pm, n: n, d: d}
	var m matchFn
	catch(func() node {
		m = pp.parsePattern()
		if pp.tok.kind != tEOF {
			pp.bad("unexpected " + describeTok(pp.tok))
		}
		return nil
	})
	if len(d.errs) > 0 {
		return nil, d.finish()
	}
	return &Pattern{src: src, m: m, refs: pp.c.refs, all: pp.c.atSpan(0, len(src))}, nil
}

type patParser struct {
	*parser
	c *compiler
}

func (p *patParser) bad(msg string, hints ...string) {
	if p.tok.kind == tErr {
		msg = p.tok.text
	}
	p.fail("X408", p.tok.start, p.tok.end, msg, hints...)
}

// parsePattern parses
//
//	pattern = and { "OR" and }
func (p *patParser) parsePattern() matchFn {
	ms := []matchFn{p.parseAnd()}
	for p.isKw("OR") {
		p.next()
		ms = append(ms, p.parseAnd())
	}
	if len(ms) == 1 {
		return ms[0]
	}
	return anyOf(ms)
}

func anyOf(ms []matchFn) matchFn {
	return func(e *Env, v any) (bool, error) {
		for _, m := range ms {
			ok, err := m(e, v)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
}

// parseAnd parses
//
//	and = not { "AND" not }
func (p *patParser) parseAnd() matchFn {
	ms := []matchFn{p.parseNot()}
	for p.isKw("AND") {
		p.next()
		ms = append(ms, p.parseNot())
	}
	if len(ms) == 1 {
		return ms[0]
	}
	return func(e *Env, v any) (bool, error) {
		for _, m := range ms {
			ok, err := m(e, v)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
}

// parseNot parses
//
//	not = "NOT" not | alt
func (p *patParser) parseNot() matchFn {
	if p.isKw("NOT") {
		not := p.tok
		p.next()
		p.enter(not)
		m := p.parseNot()
		p.leave()
		return func(e *Env, v any) (bool, error) {
			ok, err := m(e, v)
			return !ok && err == nil, err
		}
	}
	return p.parseAlt()
}

// parseAlt parses
//
//	alt = value { "|" value }
func (p *patParser) parseAlt() matchFn {
	ms := []matchFn{p.parseValue()}
	for p.is("|") {
		p.next()
		ms = append(ms, p.parseValue())
	}
	if len(ms) == 1 {
		return ms[0]
	}
	return anyOf(ms)
}

// parseLiteral parses
//
//	literal = STRING | [ "-" ] NUMBER | "true" | "false" | "null"
func (p *patParser) parseLiteral() (any, bool) {
	t := p.tok
	switch {
	case t.kind == tStr:
		p.next()
		return t.str, true
	case t.kind == tNum:
		p.next()
		return t.num, true
	case p.is("-"):
		p.next()
		if p.tok.kind != tNum {
			p.bad("expected a number after \"-\", found " + describeTok(p.tok))
		}
		f := -p.tok.num
		p.next()
		return f, true
	case p.isKw("true"), p.isKw("false"):
		p.next()
		return t.text == "true", true
	case p.isKw("null"):
		p.next()
		return nil, true
	}
	return nil, false
}

// parseValue parses
//
//	value   = "_" | literal | compare | regex | "typeof" STRING | object | array | "(" pattern ")"
//	compare = ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) ( literal | "(" expr ")" )
func (p *patParser) parseValue() matchFn {
	if lit, ok := p.parseLiteral(); ok {
		return func(_ *Env, v any) (bool, error) { return value.StrictEqual(v, lit), nil }
	}
	t := p.tok
	switch {
	case p.isKw("_"):
		p.next()
		return func(*Env, any) (bool, error) { return true, nil }
	case p.isKw("typeof"):
		p.next()
		if p.tok.kind != tStr {
			p.bad("expected a type name string after \"typeof\", found " + describeTok(p.tok))
		}
		want := p.tok.str
		switch want {
		case "null", "boolean", "number", "string", "array", "object", "function":
		default:
			p.bad(fmt.Sprintf("unknown type %q", want), "types are null, boolean, number, string, array, object and function")
		}
		p.next()
		return func(_ *Env, v any) (bool, error) { return typeName(v) == want, nil }
	case t.kind == tOp && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		p.next()
		return p.parseCompare(t.text)
	case p.is("/"):
		return p.parseRegex()
	case p.is("{"):
		return p.parseObjectPat()
	case p.is("["):
		return p.parseArrayPat()
	case p.is("("):
		p.enter(p.tok)
		p.next()
		m := p.parsePattern()
		if !p.is(")") {
			p.bad("expected \")\", found " + describeTok(p.tok))
		}
		p.leave()
		p.next()
		return m
	case t.kind == tOp && t.text == "===":
		p.bad("\"===\" is not a pattern operator", "a literal alone matches with ===")
	}
	if t.kind == tEOF {
		p.bad("unexpected end of pattern")
	}
	p.bad("unexpected "+describeTok(t)+" in pattern", "patterns are _, literals, comparisons, /regex/, typeof 'type', { … } and [ … ]")
	return nil
}

func (p *patParser) parseCompare(op string) matchFn {
	var rhs evalFn
	if lit, ok := p.parseLiteral(); ok {
		rhs = constFn(lit)
	} else if p.is("(") {
		p.enter(p.tok)
		p.next()
		x := p.parseExpr()
		p.leave()
		if !p.is(")") {
			p.failTok("expected \")\", found " + describeTok(p.tok))
		}
		p.next()
		rhs = p.c.protect(p.c.compile(x))
	} else {
		p.bad(fmt.Sprintf("expected a literal or ( expression ) after %q, found %s", op, describeTok(p.tok)))
	}
	return func(e *Env, v any) (bool, error) {
		w, err := rhs(e)
		if err != nil {
			return false, err
		}
		switch op {
		case "==":
			return value.StrictEqual(v, w), nil
		case "!=":
			return !value.StrictEqual(v, w), nil
		}
		c, ok := compare(v, w)
		if !ok {
			return false, nil // mixed types do not match
		}
		switch op {
		case "<":
			return c < 0, nil
		case "<=":
			return c <= 0, nil
		case ">":
			return c > 0, nil
		}
		return c >= 0, nil
	}
}

// parseRegex parses
//
//	regex = "/" chars "/" [ "i" ] [ "m" ] [ "s" ]
func (p *patParser) parseRegex() matchFn {
	src := p.lx.src
	start := p.tok.start
	i := start + 1
	var body strings.Builder
	for {
		if i >= p.lx.end || src[i] == '\n' {
			p.fail("X408", start, i, "unterminated regular expression")
		}
		if src[i] == '\\' && i+1 < p.lx.end {
			if src[i+1] == '/' {
				body.WriteByte('/')
			} else {
				body.WriteString(src[i : i+2])
			}
			i += 2
			continue
		}
		if src[i] == '/' {
			break
		}
		body.WriteByte(src[i])
		i++
	}
	i++
	flags := ""
	for i < p.lx.end && isIdentChar(src[i]) {
		f := src[i]
		if f != 'i' && f != 'm' && f != 's' || strings.IndexByte(flags, f) >= 0 {
			p.fail("X408", i, i+1, fmt.Sprintf("invalid regular expression flag %q", string(f)), "flags are i, m and s")
		}
		flags += string(f)
		i++
	}
	expr := body.String()
	if flags != "" {
		expr = "(?" + flags + ")" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		p.fail("X408", start, i, "invalid regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	p.lx.pos = i
	p.next()
	return func(_ *Env, v any) (bool, error) {
		s, ok := v.(string)
		return ok && re.MatchString(s), nil
	}
}

// parseObjectPat parses
//
//	object = "{" [ key ":" pattern { "," key ":" pattern } [ "," ] ] "}"
//	key    = NAME | STRING
func (p *patParser) parseObjectPat() matchFn {
	p.enter(p.tok)
	defer p.leave()
	p.next()
	type entry struct {
		key string
		m   matchFn
	}
	var es []entry
	for !p.is("}") {
		var key string
		switch p.tok.kind {
		case tName:
			key = p.tok.text
		case tStr:
			key = p.tok.str
		default:
			p.bad("expected a key, found " + describeTok(p.tok))
		}
		p.next()
		if !p.is(":") {
			p.bad("expected \":\" after the key, found " + describeTok(p.tok))
		}
		p.next()
		es = append(es, entry{key, p.parsePattern()})
		if !p.is(",") {
			break
		}
		p.next()
	}
	if !p.is("}") {
		p.bad("expected \"}\", found " + describeTok(p.tok))
	}
	p.next()
	return func(e *Env, v any) (bool, error) {
		o, ok := v.(*value.Object)
		if !ok {
			return false, nil
		}
		for _, en := range es {
			x, _ := o.Get(en.key)
			ok, err := en.m(e, x)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
}

// parseArrayPat parses
//
//	array = "[" [ elem { "," elem } [ "," ] ] "]"
//	elem  = "*" | pattern
func (p *patParser) parseArrayPat() matchFn {
	p.enter(p.tok)
	defer p.leave()
	p.next()
	var elems []matchFn // nil = "*"
	for !p.is("]") {
		if p.is("*") {
			p.next()
			elems = append(elems, nil)
		} else {
			elems = append(elems, p.parsePattern())
		}
		if !p.is(",") {
			break
		}
		p.next()
	}
	if !p.is("]") {
		p.bad("expected \"]\", found " + describeTok(p.tok))
	}
	p.next()
	return func(e *Env, v any) (bool, error) {
		xs, ok := v.([]any)
		if !ok {
			return false, nil
		}
		return matchSeq(e, elems, xs)
	}
}

// matchSeq matches items against elements; a nil element ("*") matches any
// run of zero or more items.
func matchSeq(e *Env, elems []matchFn, xs []any) (bool, error) {
	if len(elems) == 0 {
		return len(xs) == 0, nil
	}
	if err := e.ctx.Step(1); err != nil {
		return false, err
	}
	if elems[0] == nil {
		for k := 0; k <= len(xs); k++ {
			ok, err := matchSeq(e, elems[1:], xs[k:])
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	if len(xs) == 0 {
		return false, nil
	}
	ok, err := elems[0](e, xs[0])
	if err != nil || !ok {
		return false, err
	}
	return matchSeq(e, elems[1:], xs[1:])
}
