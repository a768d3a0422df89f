package expr

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/flowscript/flowscript/internal/value"
)

// Template is a compiled template field (spec/expressions.md §8).
type Template struct {
	src     string
	literal bool
	text    string // the value of a literal template
	whole   evalFn // the one segment of a whole-value template
	body    []tnode
	refs    []Ref
	size    int          // bytes of literal text
	hint    atomic.Int64 // length of the last rendering, a buffer size hint
	all     *rtErr
}

// Eval renders the template once. A template that is exactly one segment
// keeps the type of its value; otherwise the result is a string. Errors are
// *EvalError.
func (t *Template) Eval(env *Env) (any, error) {
	if t.literal {
		return t.text, nil
	}
	env.begin()
	if t.whole != nil {
		return t.whole(env)
	}
	buf := make([]byte, 0, max(int(t.hint.Load()), t.size+64))
	buf, err := t.render(env, buf, t.body)
	if err != nil {
		return nil, t.all.wrap(err)
	}
	if len(buf) < 1<<16 {
		t.hint.Store(int64(len(buf)))
	}
	if len(buf) > MaxStringBytes {
		return nil, t.all.wrap(&BudgetError{Message: "expression budget exceeded: string longer than 16 MiB"})
	}
	return string(buf), nil
}

// Refs lists the references the template makes, in source order.
func (t *Template) Refs() []Ref { return t.refs }

// IsLiteral reports whether the template has no {{ }} at all (after escapes).
func (t *Template) IsLiteral() bool { return t.literal }

// Source returns the template text.
func (t *Template) Source() string { return t.src }

// tnode is one part of a compiled template.
type tnode interface{}

type tText string

type tExpr struct {
	fn evalFn
	at *rtErr
}

// tIf is #if / else if / else, and #unless (negated first condition).
type tIf struct {
	conds  []evalFn
	bodies [][]tnode
	els    []tnode
	unless bool
}

// tEach is #each; tWith is #with. base is the first frame slot of the
// block's scope.
type tEach struct {
	coll      evalFn
	body, els []tnode
	base      int
	at        *rtErr
}

type tWith struct {
	val       evalFn
	body, els []tnode
	base      int
}

// Block scope layouts: slot names pushed for #each and #with.
var eachScope = []string{"this", "@index", "@key", "@first", "@last"}
var withScope = []string{"this"}

// blockTruthy is the template block-condition rule: [] is false too.
func blockTruthy(v any) bool {
	if a, ok := v.([]any); ok {
		return len(a) > 0
	}
	return value.Truthy(v)
}

func (t *Template) render(e *Env, buf []byte, nodes []tnode) ([]byte, error) {
	for _, n := range nodes {
		switch n := n.(type) {
		case tText:
			buf = append(buf, n...)
		case *tExpr:
			v, err := n.fn(e)
			if err != nil {
				return nil, err
			}
			buf, err = appendRender(buf, v, n.at)
			if err != nil {
				return nil, err
			}
		case *tIf:
			chosen := n.els
			for i, c := range n.conds {
				v, err := c(e)
				if err != nil {
					return nil, err
				}
				ok := blockTruthy(v)
				if n.unless && i == 0 {
					ok = !ok
				}
				if ok {
					chosen = n.bodies[i]
					break
				}
			}
			var err error
			if buf, err = t.render(e, buf, chosen); err != nil {
				return nil, err
			}
		case *tEach:
			v, err := n.coll(e)
			if err != nil {
				return nil, err
			}
			if buf, err = t.renderEach(e, buf, n, v); err != nil {
				return nil, err
			}
		case *tWith:
			v, err := n.val(e)
			if err != nil {
				return nil, err
			}
			if v == nil {
				if buf, err = t.render(e, buf, n.els); err != nil {
					return nil, err
				}
				continue
			}
			saved := e.frames
			e.frames = append(e.frames[:n.base], v, v)
			buf, err = t.render(e, buf, n.body)
			e.frames = saved
			if err != nil {
				return nil, err
			}
		}
	}
	return buf, nil
}

func (t *Template) renderEach(e *Env, buf []byte, n *tEach, v any) ([]byte, error) {
	var err error
	saved := e.frames
	defer func() { e.frames = saved }()
	frame := func(this, idx, key any, first, last bool, named any) []any {
		return append(e.frames[:n.base], this, idx, key, first, last, this, named)
	}
	switch xs := v.(type) {
	case nil:
		return t.render(e, buf, n.els)
	case []any:
		if len(xs) == 0 {
			return t.render(e, buf, n.els)
		}
		for i, it := range xs {
			if err := e.ctx.Step(1); err != nil {
				return nil, n.at.wrap(err)
			}
			idx := float64(i)
			e.frames = frame(it, idx, nil, i == 0, i == len(xs)-1, idx)
			if buf, err = t.render(e, buf, n.body); err != nil {
				return nil, err
			}
		}
	case *value.Object:
		keys := xs.Keys()
		if len(keys) == 0 {
			return t.render(e, buf, n.els)
		}
		for i, k := range keys {
			if err := e.ctx.Step(1); err != nil {
				return nil, n.at.wrap(err)
			}
			it, _ := xs.Get(k)
			e.frames = frame(it, float64(i), k, i == 0, i == len(keys)-1, k)
			if buf, err = t.render(e, buf, n.body); err != nil {
				return nil, err
			}
		}
	default:
		return nil, n.at.errorf("#each needs an array or an object, got %s", typeName(v))
	}
	return buf, nil
}

// appendRender renders a value into a mixed template (§8.3).
func appendRender(buf []byte, v any, at *rtErr) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return buf, nil
	case string:
		return append(buf, x...), nil
	case bool:
		if x {
			return append(buf, "true"...), nil
		}
		return append(buf, "false"...), nil
	case float64:
		if x == float64(int64(x)) && x > -1e15 && x < 1e15 {
			return appendInt(buf, int64(x)), nil
		}
		return append(buf, formatNum(x)...), nil
	case *Function:
		return nil, at.errorf("cannot render a function")
	}
	if containsFunction(v) {
		return nil, at.errorf("cannot render a function")
	}
	return value.AppendJSON(buf, v), nil
}

func appendInt(buf []byte, i int64) []byte {
	if i == 0 {
		return append(buf, '0')
	}
	var tmp [20]byte
	n := len(tmp)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		tmp[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		tmp[n] = '-'
	}
	return append(buf, tmp[n:]...)
}

func containsFunction(v any) bool {
	switch x := v.(type) {
	case *Function:
		return true
	case []any:
		for _, it := range x {
			if containsFunction(it) {
				return true
			}
		}
	case *value.Object:
		for _, k := range x.Keys() {
			it, _ := x.Get(k)
			if containsFunction(it) {
				return true
			}
		}
	}
	return false
}

// scanSegment finds the end of a segment whose content starts at i: the
// first "}}" (or "~}}") outside string literals at brace depth 0. It
// returns the content end (before "~}}"/"}}") and the tag end.
func scanSegment(src string, i int) (contentEnd, tagEnd int, ok bool) {
	depth := 0
	for i < len(src) {
		c := src[i]
		switch c {
		case '\'', '"':
			i++
			for i < len(src) && src[i] != c {
				if src[i] == '\\' {
					i++
				}
				i++
			}
		case '{':
			depth++
		case '}':
			if depth == 0 && i+1 < len(src) && src[i+1] == '}' {
				return i, i + 2, true
			}
			if depth > 0 {
				depth--
			}
		case '~':
			if depth == 0 && strings.HasPrefix(src[i:], "~}}") {
				return i, i + 3, true
			}
		}
		i++
	}
	return len(src), len(src), false
}

// ttok is one lexical item of a template: text or a tag.
type ttok struct {
	text       string // text (escapes applied)
	isTag      bool
	kind       string // "expr", "open", "else", "close"
	block      string // if, unless, each, with (open/close); "if" for else if
	start, end int    // tag span in src
	cs, ce     int    // content span in src
	trimL      bool
	trimR      bool
	standalone bool
}

var blockKeywords = map[string]bool{"if": true, "unless": true, "each": true, "with": true}

// lexTemplate splits src into text and tags:
//
//	template = { text | "\{{" | "\\{{" | tag }
//	tag      = "{{" [ "~" ] content [ "~" ] "}}"
func lexTemplate(src string, d *diag) ([]*ttok, bool) {
	var toks []*ttok
	var text strings.Builder
	flush := func() {
		toks = append(toks, &ttok{text: text.String()})
		text.Reset()
	}
	i, plain := 0, 0
	for {
		k := strings.Index(src[i:], "{{")
		if k < 0 {
			text.WriteString(src[plain:])
			break
		}
		k += i
		if k >= 1 && src[k-1] == '\\' {
			if k >= 2 && src[k-2] == '\\' {
				text.WriteString(src[plain : k-1]) // "\\{{": one backslash, then a segment
			} else {
				text.WriteString(src[plain : k-1])
				text.WriteString("{{")
				i, plain = k+2, k+2
				continue
			}
		} else {
			text.WriteString(src[plain:k])
		}
		flush()
		t := &ttok{isTag: true, start: k}
		cs := k + 2
		if cs < len(src) && src[cs] == '~' {
			t.trimL = true
			cs++
		}
		ce, te, ok := scanSegment(src, cs)
		if !ok {
			d.add("X405", k, k+2, "unclosed \"{{\"", "close it with \"}}\" or write \\{{ for literal braces")
			return nil, false
		}
		t.trimR = src[ce] == '~'
		t.end = te
		// Trim blanks from the content span.
		for cs < ce && isBlank(src[cs]) {
			cs++
		}
		for ce > cs && isBlank(src[ce-1]) {
			ce--
		}
		t.cs, t.ce = cs, ce
		if !classifyTag(src, t, d) {
			return nil, false
		}
		toks = append(toks, t)
		i, plain = te, te
	}
	flush()
	return toks, true
}

// classifyTag sets kind and block:
//
//	content = "#" block expr [ "as" "|" NAME [ NAME ] "|" ] | "else" [ "if" expr ]
//	        | "/" block | expr
func classifyTag(src string, t *ttok, d *diag) bool {
	c := src[t.cs:t.ce]
	switch {
	case c == "":
		d.add("X405", t.start, t.end, "empty \"{{ }}\"")
		return false
	case c[0] == '#':
		w, rest := firstWord(c[1:])
		if !blockKeywords[w] {
			d.add("X405", t.start, t.end, fmt.Sprintf("unknown block %q", "#"+w), "blocks are #if, #unless, #each and #with")
			return false
		}
		t.kind, t.block = "open", w
		t.cs = t.ce - len(rest)
		if strings.TrimSpace(rest) == "" {
			d.add("X405", t.start, t.end, fmt.Sprintf("%q needs an expression", "#"+w))
			return false
		}
	case c[0] == '/':
		w, rest := firstWord(c[1:])
		if !blockKeywords[w] || strings.TrimSpace(rest) != "" {
			d.add("X405", t.start, t.end, fmt.Sprintf("invalid closing tag %q", c))
			return false
		}
		t.kind, t.block = "close", w
	case c == "else":
		t.kind = "else"
	case strings.HasPrefix(c, "else") && len(c) > 4 && isBlank(c[4]):
		w, rest := firstWord(strings.TrimLeft(c[4:], " \t\r\n"))
		if w != "if" || strings.TrimSpace(rest) == "" {
			d.add("X405", t.start, t.end, fmt.Sprintf("invalid tag %q", c), "write {{else}} or {{else if condition}}")
			return false
		}
		t.kind, t.block = "else", "if"
		t.cs = t.ce - len(rest)
	default:
		t.kind = "expr"
	}
	for t.cs < t.ce && isBlank(src[t.cs]) {
		t.cs++
	}
	return true
}

func firstWord(s string) (string, string) {
	i := 0
	for i < len(s) && isIdentChar(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

var asParams = regexp.MustCompile(`\s+as\s+\|\s*([A-Za-z_$][A-Za-z0-9_$]*)(?:\s+([A-Za-z_$][A-Za-z0-9_$]*))?\s*\|$`)

// trimAndStandalone applies "~" trimming and removes standalone block
// lines (§8.1, §8.5).
func trimAndStandalone(toks []*ttok) {
	isBlock := func(t *ttok) bool { return t.isTag && t.kind != "expr" }
	// Standalone detection on the texts as written.
	for j, t := range toks {
		if !isBlock(t) || t.trimL || t.trimR {
			continue
		}
		prev, next := toks[j-1], toks[j+1] // texts always surround tags
		before := prev.text
		if k := strings.LastIndexByte(before, '\n'); k >= 0 {
			before = before[k+1:]
		} else if j-1 != 0 {
			continue
		}
		if strings.Trim(before, " \t") != "" {
			continue
		}
		after := next.text
		if k := strings.IndexByte(after, '\n'); k >= 0 {
			after = after[:k]
		} else if j+1 != len(toks)-1 {
			continue
		}
		if strings.Trim(strings.TrimSuffix(after, "\r"), " \t") != "" {
			continue
		}
		t.standalone = true
	}
	for j, t := range toks {
		if !t.isTag {
			continue
		}
		prev, next := toks[j-1], toks[j+1]
		if t.trimL {
			prev.text = strings.TrimRight(prev.text, " \t\r\n\f\v")
		}
		if t.trimR {
			next.text = strings.TrimLeft(next.text, " \t\r\n\f\v")
		}
		if t.standalone {
			k := strings.LastIndexByte(prev.text, '\n')
			prev.text = prev.text[:k+1]
			if k := strings.IndexByte(next.text, '\n'); k >= 0 {
				next.text = next.text[k+1:]
			} else {
				next.text = ""
			}
		}
	}
}

// CompileTemplate parses, checks and compiles a template field.
func CompileTemplate(src string, pm PosMap, n *Names) (*Template, []*Error) {
	if n == nil {
		n = &Names{}
	}
	d := &diag{src: src, pm: pm}
	if len(src) > maxSource {
		d.add("X401", 0, len(src), fmt.Sprintf("template longer than %d bytes", maxSource))
		return nil, d.finish()
	}
	toks, ok := lexTemplate(src, d)
	if !ok {
		return nil, d.finish()
	}
	t := &Template{src: src}
	if len(toks) == 1 {
		t.literal, t.text = true, toks[0].text
		return t, nil
	}
	trimAndStandalone(toks)
	c := &compiler{src: src, pm: pm, n: n, d: d}
	t.all = &rtErr{src: src, start: 0, end: len(src), fstart: pm.at(0), fend: pm.at(len(src))}
	// Whole-value rule: one expression segment and no other text.
	var only *ttok
	count := 0
	for _, tk := range toks {
		if tk.isTag || tk.text != "" {
			count++
			only = tk
		}
	}
	if count == 1 && only.isTag && only.kind == "expr" {
		fn := c.compileSegment(only)
		if len(d.errs) > 0 {
			return nil, d.finish()
		}
		t.whole, t.refs = c.protect(fn), c.refs
		return t, nil
	}
	tb := &tbuilder{c: c, toks: toks, d: d}
	body, stop := tb.parseList()
	if stop != nil {
		d.add("X405", stop.start, stop.end, fmt.Sprintf("unexpected %q", src[stop.start:stop.end]), "no block is open here")
	}
	if len(d.errs) > 0 {
		return nil, d.finish()
	}
	for _, tk := range toks {
		t.size += len(tk.text)
	}
	t.body, t.refs = body, c.refs
	return t, nil
}

// compileSegment parses and compiles one expression tag's content.
func (c *compiler) compileSegment(t *ttok) evalFn {
	return c.compileRange(t.cs, t.ce)
}

func (c *compiler) compileRange(start, end int) evalFn {
	p := newParser(c.src, start, end, c.d, c.n)
	ast := catch(func() node { return p.parseTop(false) })
	if ast == nil {
		return constFn(nil)
	}
	return c.compile(ast)
}

// tbuilder turns the flat token list into the block tree.
type tbuilder struct {
	c    *compiler
	toks []*ttok
	i    int
	d    *diag
}

// parseList parses items up to an else or close tag, which it returns
// (nil at the end).
//
//	list  = { text | expr | block }
//	block = open list { else list } close
func (b *tbuilder) parseList() ([]tnode, *ttok) {
	var out []tnode
	for b.i < len(b.toks) {
		t := b.toks[b.i]
		b.i++
		if !t.isTag {
			if t.text != "" {
				out = append(out, tText(t.text))
			}
			continue
		}
		switch t.kind {
		case "expr":
			out = append(out, &tExpr{fn: b.c.compileSegment(t), at: b.c.atSpan(t.start, t.end)})
		case "open":
			if n := b.parseBlock(t); n != nil {
				out = append(out, n)
			}
		default:
			return out, t
		}
	}
	return out, nil
}

func (c *compiler) atSpan(s, e int) *rtErr {
	return &rtErr{src: c.src, start: s, end: e, fstart: c.pm.at(s), fend: c.pm.at(e)}
}

func (b *tbuilder) unbalanced(open *ttok, stop *ttok) {
	if stop == nil {
		b.d.add("X405", open.start, open.end, fmt.Sprintf("unclosed block %q", "#"+open.block), fmt.Sprintf("close it with {{/%s}}", open.block))
		return
	}
	b.d.add("X405", stop.start, stop.end, fmt.Sprintf("unexpected %q inside %q", b.c.src[stop.start:stop.end], "#"+open.block),
		fmt.Sprintf("close it with {{/%s}}", open.block))
}

// parseBlock parses one block after its open tag.
func (b *tbuilder) parseBlock(open *ttok) tnode {
	c := b.c
	switch open.block {
	case "if", "unless":
		n := &tIf{unless: open.block == "unless"}
		n.conds = append(n.conds, c.compileRange(open.cs, open.ce))
		for {
			body, stop := b.parseList()
			if stop == nil {
				b.unbalanced(open, nil)
				return nil
			}
			switch {
			case stop.kind == "else" && stop.block == "if" && open.block == "if":
				n.bodies = append(n.bodies, body)
				n.conds = append(n.conds, c.compileRange(stop.cs, stop.ce))
				continue
			case stop.kind == "else" && stop.block == "":
				n.bodies = append(n.bodies, body)
				els, stop2 := b.parseList()
				if stop2 == nil || stop2.kind != "close" || stop2.block != open.block {
					b.unbalanced(open, stop2)
					return nil
				}
				n.els = els
				return n
			case stop.kind == "close" && stop.block == open.block:
				n.bodies = append(n.bodies, body)
				return n
			}
			b.unbalanced(open, stop)
			return nil
		}
	case "each", "with":
		exprEnd := open.ce
		var names []string
		content := c.src[open.cs:open.ce]
		if m := asParams.FindStringSubmatchIndex(content); m != nil {
			exprEnd = open.cs + m[0]
			names = append(names, content[m[2]:m[3]])
			if m[4] >= 0 {
				if open.block == "with" {
					b.d.add("X405", open.start, open.end, "#with names one value: as |x|")
					return nil
				}
				names = append(names, content[m[4]:m[5]])
			}
		}
		val := c.compileRange(open.cs, exprEnd)
		layout := withScope
		if open.block == "each" {
			layout = eachScope
		}
		scopeNames := append([]string(nil), layout...)
		// Named parameters: slot after the layout (item, then index or key).
		switch {
		case open.block == "each" && len(names) > 0:
			scopeNames = append(scopeNames, names[0], "")
			if len(names) > 1 {
				scopeNames[len(scopeNames)-1] = names[1]
			}
		case open.block == "with" && len(names) > 0:
			scopeNames = append(scopeNames, names[0])
		case open.block == "each":
			scopeNames = append(scopeNames, "", "")
		default:
			scopeNames = append(scopeNames, "")
		}
		base := c.push(scopeNames)
		body, stop := b.parseList()
		c.pop()
		var els []tnode
		if stop != nil && stop.kind == "else" && stop.block == "" {
			els, stop = b.parseList()
		}
		if stop == nil || stop.kind != "close" || stop.block != open.block {
			b.unbalanced(open, stop)
			return nil
		}
		if open.block == "each" {
			return &tEach{coll: val, body: body, els: els, base: base, at: c.atSpan(open.start, open.end)}
		}
		return &tWith{val: val, body: body, els: els, base: base}
	}
	return nil
}
