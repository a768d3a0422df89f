package expr

import (
	"fmt"
	"strconv"
)

const (
	maxSource = 64 << 10
	maxDepth  = 256
)

// parser is a recursive-descent parser for the grammar of
// spec/expressions.md §3. The first syntax error stops it (bailout).
type parser struct {
	lx    lexer
	tok   token
	d     *diag
	depth int
}

func newParser(src string, start, end int, d *diag, n *Names) *parser {
	p := &parser{d: d}
	p.lx = lexer{src: src, pos: start, end: end, isNode: n.IsNode, member: n.Member}
	p.tok = p.lx.next()
	return p
}

func (p *parser) next() { p.tok = p.lx.next() }

// fail reports a syntax error and abandons the parse.
func (p *parser) fail(code string, start, end int, msg string, hints ...string) {
	panic(bailout{p.d.add(code, start, end, msg, hints...)})
}

func (p *parser) failTok(msg string) {
	if p.tok.kind == tErr {
		p.fail("X401", p.tok.start, p.tok.end, p.tok.text)
	}
	p.fail("X401", p.tok.start, p.tok.end, msg)
}

func (p *parser) is(op string) bool { return p.tok.kind == tOp && p.tok.text == op }

func (p *parser) isKw(kw string) bool { return p.tok.kind == tName && p.tok.text == kw }

func (p *parser) expect(op string) token {
	if !p.is(op) {
		p.failTok(fmt.Sprintf("expected %q, found %s", op, describeTok(p.tok)))
	}
	t := p.tok
	p.next()
	return t
}

func describeTok(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tNum:
		return "number"
	case tStr:
		return "string"
	case tName:
		return strconv.Quote(t.text)
	case tErr:
		return t.text
	}
	return strconv.Quote(t.text)
}

// catch converts a bailout into a nil result.
func catch(f func() node) (n node) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			n = nil
		}
	}()
	return f()
}

// parseTop parses a whole expression field:
//
//	top = arrow | expr      (arrow only when allowArrow)
func (p *parser) parseTop(allowArrow bool) node {
	var n node
	if p.isArrowStart() {
		a := p.parseArrow()
		if !allowArrow {
			s, e := a.span()
			p.fail("X407", s, e, "arrow functions are only allowed as function arguments")
		}
		n = a
	} else {
		n = p.parseExpr()
	}
	if p.tok.kind != tEOF {
		if p.is(",") {
			p.failTok("sequences with \",\" are not supported")
		}
		p.failTok("unexpected " + describeTok(p.tok))
	}
	return n
}

// enter starts one level of nesting opened by token at: a bracket, brace
// or parenthesis (grouping, call arguments, index, array, object), a unary
// operator's operand, a "?" branch or an arrow body. Each counts once, so
// the top-level expression is depth 0 and 256 levels are allowed (§7).
func (p *parser) enter(at token) {
	p.depth++
	if p.depth > maxDepth {
		p.fail("X401", at.start, at.end, fmt.Sprintf("expression nested more than %d levels deep", maxDepth))
	}
}

func (p *parser) leave() { p.depth-- }

// parseExpr parses
//
//	expr = pipe
//	pipe = cond { "|" NAME [ "(" args ")" ] }
func (p *parser) parseExpr() node {
	x := p.parseCond()
	for p.is("|") {
		p.next()
		if p.tok.kind != tName {
			p.failTok("expected a function name after \"|\", found " + describeTok(p.tok))
		}
		name := p.tok
		p.next()
		args := []node{x}
		end := name.end
		if p.is("(") {
			args = append(args, p.parseArgs()...)
			end = p.expect(")").end
		}
		s, _ := x.span()
		x = &callNode{pos: pos{s, end}, name: name.text, nameBeg: name.start, nameEnd: name.end, args: args}
	}
	return x
}

// parseCond parses
//
//	cond = nullish [ "?" cond ":" cond ]
func (p *parser) parseCond() node {
	c := p.parseNullish()
	if !p.is("?") {
		return c
	}
	q := p.tok
	p.next()
	p.enter(q)
	a := p.parseCond()
	p.expect(":")
	b := p.parseCond()
	p.leave()
	s, _ := c.span()
	_, e := b.span()
	return &condNode{pos: pos{s, e}, c: c, a: a, b: b}
}

// parseNullish parses
//
//	nullish = or { "??" or }
//
// An operand may not be an unparenthesised && or || (X407).
func (p *parser) parseNullish() node {
	x := p.parseOr()
	for p.is("??") {
		op := p.tok
		p.checkMix(x, op)
		p.next()
		y := p.parseOr()
		p.checkMix(y, op)
		x = p.binary("??", x, y)
	}
	return x
}

func (p *parser) checkMix(x node, op token) {
	if b, ok := x.(*binaryNode); ok && (b.op == "&&" || b.op == "||") {
		s, e := b.span()
		if op.start < s {
			s = op.start
		}
		if op.end > e {
			e = op.end
		}
		p.fail("X407", s, e, "\"??\" cannot be mixed with \"&&\" or \"||\" without parentheses",
			"write (a ?? b) || c or a ?? (b || c)")
	}
}

func (p *parser) binary(op string, l, r node) node {
	s, _ := l.span()
	_, e := r.span()
	return &binaryNode{pos: pos{s, e}, op: op, l: l, r: r}
}

// parseOr parses
//
//	or = and { ( "||" | "OR" ) and }
func (p *parser) parseOr() node {
	x := p.parseAnd()
	for p.is("||") || p.isKw("OR") {
		p.next()
		x = p.binary("||", x, p.parseAnd())
	}
	return x
}

// parseAnd parses
//
//	and = equal { ( "&&" | "AND" ) equal }
func (p *parser) parseAnd() node {
	x := p.parseEqual()
	for p.is("&&") || p.isKw("AND") {
		p.next()
		x = p.binary("&&", x, p.parseEqual())
	}
	return x
}

// parseEqual parses
//
//	equal = rel { ( "==" | "!=" | "===" | "!==" ) rel }
func (p *parser) parseEqual() node {
	x := p.parseRel()
	for p.is("==") || p.is("!=") || p.is("===") || p.is("!==") {
		op := p.tok.text
		p.next()
		x = p.binary(op, x, p.parseRel())
	}
	return x
}

// parseRel parses
//
//	rel = add { ( "<" | "<=" | ">" | ">=" | "IN" ) add }
func (p *parser) parseRel() node {
	x := p.parseAdd()
	for p.is("<") || p.is("<=") || p.is(">") || p.is(">=") || p.isKw("IN") {
		op := p.tok.text
		p.next()
		x = p.binary(op, x, p.parseAdd())
	}
	return x
}

// parseAdd parses
//
//	add = mul { ( "+" | "-" ) mul }
func (p *parser) parseAdd() node {
	x := p.parseMul()
	for p.is("+") || p.is("-") {
		op := p.tok.text
		p.next()
		x = p.binary(op, x, p.parseMul())
	}
	return x
}

// parseMul parses
//
//	mul = unary { ( "*" | "/" | "%" ) unary }
func (p *parser) parseMul() node {
	x := p.parseUnary()
	for p.is("*") || p.is("/") || p.is("%") {
		op := p.tok.text
		p.next()
		x = p.binary(op, x, p.parseUnary())
	}
	return x
}

// parseUnary parses
//
//	unary = ( "!" | "NOT" | "-" | "+" | "typeof" ) unary | postfix
//	      | "typeof" "(" arrow ")"
//
// typeof(v) is also a function (§12.6) whose results include "function",
// so an arrow function may be its argument: typeof(x => 1) is "function".
func (p *parser) parseUnary() node {
	if p.is("!") || p.isKw("NOT") || p.is("-") || p.is("+") || p.isKw("typeof") {
		op := p.tok
		text := op.text
		if text == "NOT" {
			text = "!"
		}
		p.next()
		if text == "typeof" {
			if x := p.parseArrowArg(); x != nil {
				_, e := x.span()
				return &unaryNode{pos: pos{op.start, e}, op: text, x: x}
			}
		}
		p.enter(op)
		x := p.parseUnary()
		p.leave()
		_, e := x.span()
		return &unaryNode{pos: pos{op.start, e}, op: text, x: x}
	}
	return p.parsePostfix()
}

var blockedMembers = map[string]bool{"__proto__": true, "constructor": true, "prototype": true}

// parseArrowArg parses "(" arrow ")" when it comes next and returns nil,
// consuming nothing, otherwise.
func (p *parser) parseArrowArg() node {
	if !p.is("(") {
		return nil
	}
	s := p.save()
	open := p.tok
	p.next()
	if !p.isArrowStart() {
		p.restore(s)
		return nil
	}
	p.enter(open)
	a := p.parseArrow()
	p.leave()
	end := p.expect(")").end
	return &parenNode{pos: pos{open.start, end}, x: a}
}

// parsePostfix parses
//
//	postfix = primary { "." MEMBER | "?." MEMBER | "[" expr "]" | "?.[" expr "]" }
func (p *parser) parsePostfix() node {
	x := p.parsePrimary()
	for {
		switch {
		case p.is(".") || p.is("?."):
			optional := p.tok.text == "?."
			p.next()
			if optional && p.is("[") {
				x = p.parseIndex(x, true)
				continue
			}
			if p.tok.kind != tName || p.tok.text[0] == '@' {
				p.failTok("expected a member name, found " + describeTok(p.tok))
			}
			m := p.tok
			if blockedMembers[m.text] {
				p.fail("X407", m.start, m.end, fmt.Sprintf("member %q is not allowed", m.text))
			}
			p.next()
			s, _ := x.span()
			if p.is("(") {
				p.fail("X407", s, p.tok.end, "methods cannot be called", fmt.Sprintf("write %s(x)", m.text))
			}
			x = &memberNode{pos: pos{s, m.end}, x: x, name: m.text, nameStart: m.start, optional: optional}
		case p.is("["):
			x = p.parseIndex(x, false)
		case p.is("("):
			s, _ := x.span()
			p.fail("X407", s, p.tok.end, "only built-in functions can be called")
		default:
			return x
		}
	}
}

func (p *parser) parseIndex(x node, optional bool) node {
	p.enter(p.expect("["))
	i := p.parseExpr()
	p.leave()
	end := p.expect("]").end
	s, _ := x.span()
	return &indexNode{pos: pos{s, end}, x: x, index: i, optional: optional}
}

// parsePrimary parses
//
//	primary = NUMBER | STRING | "true" | "false" | "null" | NAME | call
//	        | "(" expr ")" | array | object
//	call    = NAME "(" args ")"
func (p *parser) parsePrimary() node {
	t := p.tok
	switch t.kind {
	case tNum:
		p.next()
		return &litNode{pos: pos{t.start, t.end}, val: t.num}
	case tStr:
		p.next()
		return &litNode{pos: pos{t.start, t.end}, val: t.str}
	case tName:
		if p.isArrowStart() {
			a := p.parseArrow()
			s, e := a.span()
			p.fail("X407", s, e, "arrow functions are only allowed as function arguments")
		}
		switch t.text {
		case "true", "false":
			p.next()
			return &litNode{pos: pos{t.start, t.end}, val: t.text == "true"}
		case "null":
			p.next()
			return &litNode{pos: pos{t.start, t.end}, val: nil}
		case "AND", "OR", "NOT", "IN", "typeof":
			p.failTok("unexpected " + describeTok(t))
		case "new":
			p.failTok("\"new\" is not supported")
		}
		p.next()
		if p.is("(") {
			args := p.parseArgs()
			end := p.expect(")").end
			return &callNode{pos: pos{t.start, end}, name: t.text, nameBeg: t.start, nameEnd: t.end, args: args}
		}
		return &nameNode{pos: pos{t.start, t.end}, name: t.text}
	case tOp:
		switch t.text {
		case "(":
			if p.isArrowStart() {
				a := p.parseArrow()
				s, e := a.span()
				p.fail("X407", s, e, "arrow functions are only allowed as function arguments")
			}
			p.next()
			p.enter(t)
			x := p.parseExpr()
			p.leave()
			if p.is(",") {
				p.failTok("sequences with \",\" are not supported")
			}
			end := p.expect(")").end
			return &parenNode{pos: pos{t.start, end}, x: x}
		case "[":
			return p.parseArray()
		case "{":
			return p.parseObject()
		case "/":
			p.failTok("regular expression literals are not supported")
		}
	}
	if t.kind == tEOF {
		p.failTok("unexpected end of expression")
	}
	p.failTok("unexpected " + describeTok(t))
	return nil
}

// parseArgs parses the arguments of a call from its "(" (the caller
// expects the ")"):
//
//	args = [ arg { "," arg } [ "," ] ]
//	arg  = arrow | expr
func (p *parser) parseArgs() []node {
	p.enter(p.expect("("))
	defer p.leave()
	var args []node
	for !p.is(")") {
		if p.isArrowStart() {
			args = append(args, p.parseArrow())
		} else {
			if p.is("...") {
				p.failTok("spread is not allowed in function arguments")
			}
			args = append(args, p.parseExpr())
		}
		if !p.is(",") {
			break
		}
		p.next()
	}
	return args
}

type lexState struct {
	pos         int
	tok         token
	last, last2 token
}

func (p *parser) save() lexState {
	return lexState{pos: p.lx.pos, tok: p.tok, last: p.lx.last, last2: p.lx.last2}
}

func (p *parser) restore(s lexState) {
	p.lx.pos, p.tok, p.lx.last, p.lx.last2 = s.pos, s.tok, s.last, s.last2
}

// isArrowStart reports whether an arrow function starts here:
// NAME "=>" or "(" [ NAME { "," NAME } ] ")" "=>".
func (p *parser) isArrowStart() bool {
	s := p.save()
	defer p.restore(s)
	if p.tok.kind == tName {
		p.next()
		return p.is("=>")
	}
	if !p.is("(") {
		return false
	}
	p.next()
	for p.tok.kind == tName {
		p.next()
		if !p.is(",") {
			break
		}
		p.next()
	}
	if !p.is(")") {
		return false
	}
	p.next()
	return p.is("=>")
}

// parseArrow parses
//
//	arrow = ( NAME | "(" [ NAME { "," NAME } ] ")" ) "=>" ( expr | object )
func (p *parser) parseArrow() node {
	a := &arrowNode{}
	a.start = p.tok.start
	addParam := func() {
		t := p.tok
		if t.kind != tName || isKeyword(t.text) || t.text[0] == '@' {
			p.failTok("expected a parameter name, found " + describeTok(t))
		}
		for _, q := range a.params {
			if q == t.text {
				p.fail("X401", t.start, t.end, fmt.Sprintf("duplicate parameter %q", t.text))
			}
		}
		a.params = append(a.params, t.text)
		a.paramPos = append(a.paramPos, t.start)
		p.next()
	}
	if p.is("(") {
		p.next()
		for !p.is(")") {
			addParam()
			if !p.is(",") {
				break
			}
			p.next()
		}
		p.expect(")")
	} else {
		addParam()
	}
	p.enter(p.expect("=>"))
	if p.is("{") {
		a.body = p.parseObject()
	} else {
		a.body = p.parseExpr()
	}
	p.leave()
	_, a.end = a.body.span()
	return a
}

func isKeyword(s string) bool {
	switch s {
	case "true", "false", "null", "typeof", "AND", "OR", "NOT", "IN":
		return true
	}
	return false
}

// parseArray parses
//
//	array = "[" [ item { "," item } [ "," ] ] "]"
//	item  = "..." expr | expr
func (p *parser) parseArray() node {
	a := &arrayNode{}
	open := p.expect("[")
	a.start = open.start
	p.enter(open)
	for !p.is("]") {
		spread := false
		if p.is("...") {
			spread = true
			p.next()
		}
		a.items = append(a.items, p.parseExpr())
		a.spread = append(a.spread, spread)
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.leave()
	a.end = p.expect("]").end
	return a
}

// parseObject parses
//
//	object = "{" [ prop { "," prop } [ "," ] ] "}"
//	prop   = ( NAME | STRING ) ":" expr | "[" expr "]" ":" expr | NAME | "..." expr
func (p *parser) parseObject() node {
	o := &objectNode{}
	open := p.expect("{")
	o.start = open.start
	p.enter(open)
	for !p.is("}") {
		var pr prop
		pr.start = p.tok.start
		switch {
		case p.is("..."):
			p.next()
			pr.spread = true
			pr.value = p.parseExpr()
		case p.is("["):
			p.next()
			pr.keyNode = p.parseExpr()
			p.expect("]")
			p.expect(":")
			pr.value = p.parseExpr()
		case p.tok.kind == tStr || p.tok.kind == tName && p.tok.text[0] != '@':
			k := p.tok
			p.next()
			if k.kind == tStr {
				pr.key = k.str
			} else {
				pr.key = k.text
			}
			if p.is(":") {
				p.next()
				pr.value = p.parseExpr()
			} else if k.kind == tName && !isKeyword(k.text) {
				pr.value = &nameNode{pos: pos{k.start, k.end}, name: k.text}
			} else {
				p.failTok(fmt.Sprintf("expected \":\", found %s", describeTok(p.tok)))
			}
		case p.tok.kind == tNum:
			k := p.tok
			p.next()
			pr.key = formatNum(k.num)
			p.expect(":")
			pr.value = p.parseExpr()
		default:
			p.failTok("expected a property, found " + describeTok(p.tok))
		}
		_, pr.end = pr.value.span()
		o.props = append(o.props, pr)
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.leave()
	o.end = p.expect("}").end
	return o
}
