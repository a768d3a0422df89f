package parser

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/source"
)

// Limits of spec/format.md §4.6; exceeding one is S212.
const (
	// MaxDepth is the deepest element nesting (the root is at depth 1).
	MaxDepth = 64
	// MaxElements is the largest number of elements in a body.
	MaxElements = 100000
	// MaxAttrs is the largest number of attributes of one element.
	MaxAttrs = 64
	// MaxTextSize is the largest text field or attribute value, in bytes.
	MaxTextSize = 1 << 20
)

// Element is one element of the body, as written: no field schema has been
// applied yet.
type Element struct {
	// Name is the tag name, case kept.
	Name string
	// Start is the offset of '<'.
	Start int
	// NameSpan covers the tag name of the start tag.
	NameSpan source.Span
	// TagSpan covers '<' and the tag name: where a diagnostic about the
	// element as a whole points (spec/format.md §8.1).
	TagSpan source.Span
	// End is the offset after the end tag, or after "/>".
	End int
	// Attrs are the attributes in written order (duplicates and malformed
	// ones left out).
	Attrs []*Attr
	// Children are the child elements in order; nil for a text field.
	Children []*Element
	// Texts are the non-blank text pieces between the children, decoded
	// and trimmed of surrounding blanks, comments removed (text around a
	// comment is joined).
	Texts []*Text
	// Text is the text of a text field (isText true), computed by §4.4;
	// nil for other elements.
	Text *Text
	// SelfClosing is set for <name …/>.
	SelfClosing bool
	// Parent is the enclosing element, nil for the root.
	Parent *Element
}

// Attr is one attribute of a start tag.
type Attr struct {
	// Name is the attribute name as written.
	Name string
	// NameSpan covers the name.
	NameSpan source.Span
	// Value is the value with entities decoded (§4.2).
	Value string
	// ValueSpan covers the raw value inside the quotes.
	ValueSpan source.Span
	// Map turns a byte index in Value into a file offset; nil when the
	// value is the source text as is (use Offset).
	Map func(i int) int
}

// Offset maps byte index i of Value to its file offset.
func (a *Attr) Offset(i int) int {
	if a.Map == nil {
		return a.ValueSpan.Start + i
	}
	return a.Map(i)
}

// Attr returns the attribute called name, or nil.
func (e *Element) Attr(name string) *Attr {
	for _, a := range e.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// bodyParser reads the XML-like body syntax of spec/format.md §4 from
// src[pos:end]. It never stops at the first error.
type bodyParser struct {
	f      *source.File
	src    []byte
	pos    int
	end    int
	isText func(parent *Element, name string) bool
	diags  source.List
	dec    decoder
	piece  []source.Span // ranges of the current text piece
	blank  bool          // the current piece is blank so far

	elems      int
	limitElems bool // S212 for the element count was reported
	limitDepth bool // S212 for the depth was reported
	eof        bool // an unterminated construct ate the rest of the input
	names      map[string]string
}

// intern returns the name src[a:b], sharing one string per distinct name.
func (p *bodyParser) intern(a, b int) string {
	if s, ok := p.names[string(p.src[a:b])]; ok {
		return s
	}
	if p.names == nil {
		p.names = map[string]string{}
	}
	s := string(p.src[a:b])
	p.names[s] = s
	return s
}

func (p *bodyParser) span(a, b int) source.Span {
	n := len(p.src)
	if a > n {
		a = n
	}
	if b <= a {
		b = a + 1
	}
	if b > n {
		b = n
	}
	return source.Span{Start: a, End: b}
}

// MaxBodyDiagnostics caps the diagnostics of one ParseBody call, so that a
// pathological input cannot fill the memory with them; the printer shows 50
// per file anyway.
const MaxBodyDiagnostics = 10000

func (p *bodyParser) errorf(a, b int, code, format string, args ...any) *source.Diagnostic {
	if len(p.diags) >= MaxBodyDiagnostics {
		return &source.Diagnostic{} // dropped
	}
	return p.diags.Add(p.f, p.span(a, b), code, format, args...)
}

func (p *bodyParser) line(off int) int { return lineOf(p.f, off) }

// lineOf returns the 1-based line of off through the file's line table,
// without counting columns (which costs the length of the line).
func lineOf(f *source.File, off int) int {
	n := f.LineCount()
	return sort.Search(n, func(i int) bool { return f.LineStart(i+2) > off || i+1 >= n }) + 1
}

func (p *bodyParser) has(prefix string) bool {
	return p.end-p.pos >= len(prefix) && string(p.src[p.pos:p.pos+len(prefix)]) == prefix
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isNameChar(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-'
}

// startsMarkup reports whether the '<' at i starts markup: a letter, '/',
// '!' or '?' follows it (§4.2).
func (p *bodyParser) startsMarkup(i int) bool {
	if i+1 >= p.end {
		return false
	}
	c := p.src[i+1]
	return isLetter(c) || c == '/' || c == '!' || c == '?'
}

// ParseBody parses the body in f.Src[start:end] by spec/format.md §4 and
// returns the <workflow> element (nil when there is none).
//
// A raw body (fenced false) starts at "<workflow"; parsing stops after its
// matching end tag, the rest of that line must be blank (S203), and bodyEnd
// is the offset after that line, where the footer starts. A fenced body is
// the whole block content: only blanks, comments and one leading <?xml …?>
// may surround the element (S203); bodyEnd is end.
//
// isText(parent, name) tells whether a child element name of parent is a
// text field (§4.4): its content runs to the first "</name" + blanks + ">"
// (CDATA sections skipped) and is never parsed as markup.
//
//	body     = { blank | comment | xmldecl } element { blank | comment }
//	element  = "<" name { blanks attr } [blanks] ( "/>" | ">" content "</" name [blanks] ">" )
//	attr     = attrname [blanks] "=" [blanks] ( '"' { char } '"' | "'" { char } "'" )
//	content  = { text | entity | element | comment | cdata }   (rawtext for a text field)
//	name     = letter { letter | digit | "_" | "." | ":" | "-" }
//	attrname = ( letter | "_" ) { letter | digit | "_" | "." | ":" | "-" }
//	comment  = "<!--" { char } "-->"
//	cdata    = "<![CDATA[" { char } "]]>"
func ParseBody(f *source.File, start, end int, fenced bool, isText func(parent *Element, name string) bool) (root *Element, bodyEnd int, diags source.List) {
	if start < 0 {
		start = 0
	}
	if end > len(f.Src) {
		end = len(f.Src)
	}
	if start > end {
		start = end
	}
	if isText == nil {
		isText = func(*Element, string) bool { return false }
	}
	p := &bodyParser{f: f, src: f.Src, pos: start, end: end, isText: isText}
	if fenced {
		root = p.fencedBody(start)
		return root, end, p.diags
	}
	root, bodyEnd = p.rawBody(start)
	return root, bodyEnd, p.diags
}

func (p *bodyParser) rawBody(start int) (*Element, int) {
	p.skipBlanks()
	if p.pos >= p.end || p.src[p.pos] != '<' || !p.startsMarkup(p.pos) || !isLetter(p.src[p.pos+1]) {
		p.errorf(start, start+1, "S201", "no <workflow> body found")
		return nil, p.end
	}
	root := p.tree()
	if root.Name != "workflow" {
		d := p.errorf(root.TagSpan.Start, root.TagSpan.End, "S203", "expected <workflow>, found <%s>", root.Name)
		source.SuggestHint(d, root.Name, []string{"workflow"})
	}
	if p.eof || root.End >= p.end {
		return root, p.end
	}
	// The rest of the closing line must be blank.
	i := root.End
	for i < p.end && p.src[i] != '\n' {
		i++
	}
	lo, hi := root.End, i
	for lo < hi && isBlank(p.src[lo]) {
		lo++
	}
	for hi > lo && isBlank(p.src[hi-1]) {
		hi--
	}
	if lo < hi {
		p.errorf(lo, hi, "S203", "unexpected content after </%s>", root.Name).
			Hints = []string{"the closing tag must end its line; move this text to the next line"}
	}
	if i < p.end {
		i++
	}
	return root, i
}

func (p *bodyParser) fencedBody(start int) *Element {
	var root *Element
	sawDecl := false
	for {
		p.skipBlanks()
		if p.pos >= p.end {
			break
		}
		s := p.pos
		if p.src[s] == '<' && p.startsMarkup(s) {
			switch c := p.src[s+1]; {
			case isLetter(c):
				el := p.tree()
				switch {
				case el.Name == "workflow" && root == nil:
					root = el
				case el.Name == "workflow":
					p.errorf(el.TagSpan.Start, el.TagSpan.End, "S203", "more than one <workflow> element").
						Hints = []string{fmt.Sprintf("the first one is on line %d", p.line(root.Start))}
				default:
					d := p.errorf(el.TagSpan.Start, el.TagSpan.End, "S203", "unexpected element %q outside <workflow>", el.Name)
					if root == nil {
						source.SuggestHint(d, el.Name, []string{"workflow"})
					}
				}
				continue
			case c == '/':
				name, ne := p.endTag()
				p.errorf(s, ne, "S206", "end tag %q without start tag", "</"+name+">")
				continue
			case c == '?':
				if root == nil && !sawDecl && p.hasXMLDecl() {
					sawDecl = true
					p.skipPI(false)
					continue
				}
				p.skipPI(true)
				continue
			case c == '!':
				if p.has("<!--") {
					p.skipComment()
					continue
				}
				if p.has("<![CDATA[") {
					p.skipCDATA()
					p.errorf(s, s+len(cdataStart), "S203", "unexpected text outside <workflow>")
					continue
				}
				p.skipDecl()
				continue
			}
		}
		// Text outside the element.
		i := s
		for i < p.end && !(p.src[i] == '<' && p.startsMarkup(i)) {
			i++
		}
		hi := i
		for hi > s && isBlank(p.src[hi-1]) {
			hi--
		}
		lineEnd := bytes.IndexByte(p.src[s:hi], '\n')
		if lineEnd >= 0 {
			e := s + lineEnd
			for e > s && isBlank(p.src[e-1]) {
				e--
			}
			hi = e
		}
		p.errorf(s, hi, "S203", "unexpected text outside <workflow>").
			Hints = []string{"a flowscript block holds only the <workflow> element; write prose outside the block"}
		p.pos = i
	}
	if root == nil {
		p.errorf(start, start+1, "S201", "no <workflow> element in the body")
	}
	return root
}

// hasXMLDecl reports whether "<?xml" followed by a blank or '?' is at pos.
func (p *bodyParser) hasXMLDecl() bool {
	if !p.has("<?xml") || p.pos+5 >= p.end {
		return false
	}
	c := p.src[p.pos+5]
	return isBlank(c) || c == '?'
}

func (p *bodyParser) skipBlanks() {
	for p.pos < p.end && isBlank(p.src[p.pos]) {
		p.pos++
	}
}

// skipComment skips "<!--" … "-->" at pos (S209 when unterminated).
func (p *bodyParser) skipComment() {
	s := p.pos
	k := bytes.Index(p.src[s+4:p.end], commentEnd)
	if k < 0 {
		p.errorf(s, s+4, "S209", "comment not closed").Hints = []string{`end it with "-->"`}
		p.pos, p.eof = p.end, true
		return
	}
	p.pos = s + 4 + k + 3
}

// skipCDATA skips "<![CDATA[" … "]]>" at pos (S209 when unterminated).
func (p *bodyParser) skipCDATA() {
	s := p.pos
	k := bytes.Index(p.src[s+len(cdataStart):p.end], cdataEnd)
	if k < 0 {
		p.errorf(s, s+len(cdataStart), "S209", "CDATA section not closed").Hints = []string{`end it with "]]>"`}
		p.pos, p.eof = p.end, true
		return
	}
	p.pos = s + len(cdataStart) + k + 3
}

// skipPI skips "<?" … "?>" at pos, reporting S210 when refuse is set.
func (p *bodyParser) skipPI(refuse bool) {
	s := p.pos
	ne := s + 2
	for ne < p.end && isNameChar(p.src[ne]) {
		ne++
	}
	if refuse {
		d := p.errorf(s, ne, "S210", "processing instruction %q is not allowed", string(p.src[s:ne]))
		if string(p.src[s:ne]) == "<?xml" {
			d.Hints = []string{"only one <?xml …?> is allowed, before <workflow> in a fenced block"}
		}
	}
	k := bytes.Index(p.src[s+2:p.end], []byte("?>"))
	if k < 0 {
		p.errorf(s, ne, "S209", "processing instruction not closed").Hints = []string{`end it with "?>"`}
		p.pos, p.eof = p.end, true
		return
	}
	p.pos = s + 2 + k + 2
}

// skipDecl skips a "<!…>" declaration at pos and reports S210.
func (p *bodyParser) skipDecl() {
	s := p.pos
	ne := s + 2
	for ne < p.end && isNameChar(p.src[ne]) {
		ne++
	}
	what := string(p.src[s:ne])
	d := p.errorf(s, ne, "S210", "declaration %q is not allowed", what)
	d.Hints = []string{"DOCTYPE and entity declarations are not supported; write &lt; &gt; &amp; &quot; &apos; or &#N;"}
	i := ne
	depth := 0
	for i < p.end {
		c := p.src[i]
		if c == '[' {
			depth++
		} else if c == ']' && depth > 0 {
			depth--
		} else if c == '>' && depth == 0 {
			p.pos = i + 1
			return
		}
		i++
	}
	p.errorf(s, ne, "S209", "declaration not closed")
	p.pos, p.eof = p.end, true
}

// endTag reads "</" name [blanks] ">" at pos. When '>' is missing it
// reports S209 and stops after the name.
func (p *bodyParser) endTag() (name string, tagEnd int) {
	s := p.pos
	i := s + 2
	ns := i
	for i < p.end && isNameChar(p.src[i]) {
		i++
	}
	name = string(p.src[ns:i])
	ne := i
	for i < p.end && isBlank(p.src[i]) {
		i++
	}
	if i < p.end && p.src[i] == '>' {
		p.pos = i + 1
		return name, p.pos
	}
	// "</" alone is reported by the caller as an end tag without a name.
	if name != "" {
		p.errorf(s, ne, "S209", "end tag %q not closed", "</"+name).Hints = []string{`end it with ">"`}
	}
	p.pos = ne
	return name, ne
}

// tree parses the element at pos (which is '<' followed by a letter) and
// all its content, without recursion. It returns after the element's end.
func (p *bodyParser) tree() *Element {
	root := p.startTag(nil, 1)
	if root.SelfClosing || root.Text != nil {
		return root
	}
	p.content([]*Element{root}, false)
	return root
}

// depthOf counts e and its ancestors.
func depthOf(e *Element) int {
	n := 0
	for ; e != nil; e = e.Parent {
		n++
	}
	return n
}

// content parses element content for the open elements of stack until the
// bottom one is closed. With fragment set the bottom element's end tag is
// not expected: content runs to p.end and only the elements opened inside
// it are reported as not closed.
func (p *bodyParser) content(stack []*Element, fragment bool) {
	base := depthOf(stack[0]) - 1
	p.piece = p.piece[:0]
	p.blank = true
	pieceStart := p.pos
	for {
		cur := stack[len(stack)-1]
		// Scan text up to the next markup.
		i := p.pos
		for {
			k := bytes.IndexByte(p.src[i:p.end], '<')
			if k < 0 {
				i = p.end
				break
			}
			i += k
			if p.startsMarkup(i) {
				break
			}
			i++
		}
		if p.blank && !onlyBlanksNL(p.src[p.pos:i]) {
			p.blank = false
		}
		p.pos = i
		if p.pos >= p.end {
			p.endPiece(cur, pieceStart, p.end)
			lo := 0
			if fragment {
				lo = 1
			}
			for k := len(stack) - 1; k >= lo; k-- {
				e := stack[k]
				if !p.eof {
					p.errorf(e.TagSpan.Start, e.TagSpan.End, "S204", "element <%s> is not closed", e.Name).
						Hints = []string{fmt.Sprintf("add </%s>", e.Name)}
				}
				e.End = p.end
			}
			return
		}
		s := p.pos
		switch c := p.src[s+1]; {
		case c == '!' && p.has("<!--"):
			p.piece = append(p.piece, source.Span{Start: pieceStart, End: s})
			p.skipComment()
			pieceStart = p.pos
			continue
		case c == '!' && p.has("<![CDATA["):
			p.skipCDATA()
			p.blank = false
			continue
		case c == '!':
			p.piece = append(p.piece, source.Span{Start: pieceStart, End: s})
			p.skipDecl()
			pieceStart = p.pos
			continue
		case c == '?':
			p.piece = append(p.piece, source.Span{Start: pieceStart, End: s})
			p.skipPI(true)
			pieceStart = p.pos
			continue
		case c == '/':
			p.endPiece(cur, pieceStart, s)
			name, tagEnd := p.endTag()
			if name == "" {
				p.errorf(s, tagEnd, "S205", "end tag without a name").Hints =
					[]string{fmt.Sprintf("write </%s>", cur.Name)}
				pieceStart = p.pos
				continue
			}
			// Which open element does it close?
			k := len(stack) - 1
			for k >= 0 && stack[k].Name != name {
				k--
			}
			switch {
			case k < 0 && fragment && len(stack) == 1:
				p.errorf(s, tagEnd, "S206", "end tag %q without start tag", "</"+name+">")
			case k < 0:
				// A typo: let it close the current element.
				d := p.errorf(s, tagEnd, "S205", "mismatched end tag %q", "</"+name+">")
				d.Hints = []string{fmt.Sprintf("<%s> opened on line %d is closed by </%s>", cur.Name, p.line(cur.Start), cur.Name)}
				d.Suggestion = cur.Name
				cur.End = tagEnd
				stack = stack[:len(stack)-1]
			case k == 0 && fragment:
				p.errorf(s, tagEnd, "S206", "end tag %q without start tag", "</"+name+">")
			default:
				for j := len(stack) - 1; j > k; j-- {
					e := stack[j]
					p.errorf(e.TagSpan.Start, e.TagSpan.End, "S204", "element <%s> is not closed", e.Name).
						Hints = []string{fmt.Sprintf("add </%s> before </%s> on line %d", e.Name, name, p.line(s))}
					e.End = s
				}
				stack[k].End = tagEnd
				stack = stack[:k]
			}
			if len(stack) == 0 {
				return
			}
			pieceStart = p.pos
			continue
		default: // a start tag
			p.endPiece(cur, pieceStart, s)
			depth := base + len(stack) + 1
			el := p.startTag(cur, depth)
			if !el.SelfClosing && el.Text == nil {
				stack = append(stack, el)
			}
			pieceStart = p.pos
			if p.eof && p.pos >= p.end {
				continue
			}
		}
	}
}

func onlyBlanksNL(b []byte) bool {
	for _, c := range b {
		if !isBlank(c) {
			return false
		}
	}
	return true
}

// endPiece closes the current text piece at offset e and, when it holds
// non-blank text, adds it to cur.Texts.
func (p *bodyParser) endPiece(cur *Element, pieceStart, e int) {
	p.piece = append(p.piece, source.Span{Start: pieceStart, End: e})
	if !p.blank {
		rs := p.piece[:0:0]
		for _, r := range p.piece {
			if r.End > r.Start {
				rs = append(rs, r)
			}
		}
		if len(rs) > 0 {
			cur.Texts = append(cur.Texts, p.dec.decodePiece(p.src, rs))
		}
	}
	p.piece = p.piece[:0]
	p.blank = true
}

// startTag reads a start tag at pos ('<' + letter) for a child of parent at
// the given depth; for a text field it also reads the content and end tag.
func (p *bodyParser) startTag(parent *Element, depth int) *Element {
	s := p.pos
	i := s + 1
	for i < p.end && isNameChar(p.src[i]) {
		i++
	}
	el := &Element{
		Name:     p.intern(s+1, i),
		Start:    s,
		NameSpan: source.Span{Start: s + 1, End: i},
		TagSpan:  source.Span{Start: s, End: i},
		Parent:   parent,
	}
	attach := parent != nil
	p.elems++
	if p.elems > MaxElements {
		attach = false
		if !p.limitElems {
			p.limitElems = true
			p.errorf(s, i, "S212", "too many elements (more than %d)", MaxElements)
		}
	}
	if depth > MaxDepth {
		attach = false
		if !p.limitDepth {
			p.limitDepth = true
			p.errorf(s, i, "S212", "elements nested too deep (more than %d levels)", MaxDepth)
		}
	}
	if attach {
		parent.Children = append(parent.Children, el)
	}
	p.pos = i
	open := p.attrs(el)
	if !open {
		el.End = p.pos
		if parent != nil && p.isText(parent, el.Name) && el.SelfClosing {
			el.Text = &Text{Span: source.Span{Start: p.pos, End: p.pos}, Map: constMap(p.pos)}
		}
		return el
	}
	if parent != nil && p.isText(parent, el.Name) {
		p.textField(el)
	}
	return el
}

func constMap(off int) func(int) int { return func(int) int { return off } }

// attrs reads the attributes of el's start tag up to and including ">" or
// "/>". It returns whether the element is open (has content).
func (p *bodyParser) attrs(el *Element) bool {
	tooMany := false
	for {
		p.skipBlanks()
		if p.pos >= p.end {
			p.errorf(el.TagSpan.Start, el.TagSpan.End, "S209", "start tag <%s> not closed", el.Name).
				Hints = []string{`end it with ">" or "/>"`}
			p.eof = true
			return false
		}
		s := p.pos
		c := p.src[s]
		switch {
		case c == '>':
			p.pos++
			return true
		case c == '/' && s+1 < p.end && p.src[s+1] == '>':
			p.pos += 2
			el.SelfClosing = true
			return false
		case c == '<' && p.startsMarkup(s):
			p.errorf(el.TagSpan.Start, el.TagSpan.End, "S209", "start tag <%s> not closed", el.Name).
				Hints = []string{`end it with ">" or "/>"`}
			return true
		case c == '"' || c == '\'':
			k := bytes.IndexByte(p.src[s+1:p.end], c)
			e := p.end
			if k >= 0 {
				e = s + 1 + k + 1
			}
			p.errorf(s, e, "S207", "value without an attribute name in <%s>", el.Name)
			p.pos = e
		case c == '=':
			p.errorf(s, s+1, "S207", "%q without an attribute name in <%s>", "=", el.Name)
			p.pos++
		case isNameChar(c):
			a := p.attr(el)
			if a == nil {
				continue
			}
			if prev := el.Attr(a.Name); prev != nil {
				p.errorf(a.NameSpan.Start, a.NameSpan.End, "S208", "duplicate attribute %q", a.Name).
					Hints = []string{fmt.Sprintf("%q is first given on line %d", a.Name, p.line(prev.NameSpan.Start))}
				continue
			}
			if len(el.Attrs) >= MaxAttrs {
				if !tooMany {
					tooMany = true
					p.errorf(a.NameSpan.Start, a.NameSpan.End, "S212", "too many attributes in <%s> (more than %d)", el.Name, MaxAttrs)
				}
				continue
			}
			el.Attrs = append(el.Attrs, a)
		default:
			_, w := decodeRuneAt(p.src, s, p.end)
			p.errorf(s, s+w, "S207", "unexpected %q in <%s>", string(p.src[s:s+w]), el.Name)
			p.pos += w
		}
	}
}

func decodeRuneAt(src []byte, i, end int) (rune, int) {
	if src[i] < utf8.RuneSelf {
		return rune(src[i]), 1
	}
	return utf8.DecodeRune(src[i:end])
}

// attr reads one attribute at pos. It returns nil for a malformed one
// (reported).
//
//	attr = attrname [blanks] "=" [blanks] quoted
func (p *bodyParser) attr(el *Element) *Attr {
	s := p.pos
	i := s
	for i < p.end && isNameChar(p.src[i]) {
		i++
	}
	name := p.intern(s, i)
	a := &Attr{Name: name, NameSpan: source.Span{Start: s, End: i}}
	bad := !(isLetter(name[0]) || name[0] == '_')
	if bad {
		p.errorf(s, i, "S207", "invalid attribute name %q", name).
			Hints = []string{"attribute names start with a letter or '_'"}
	}
	p.pos = i
	p.skipBlanks()
	if p.pos >= p.end || p.src[p.pos] != '=' {
		if !bad {
			p.errorf(s, i, "S207", "attribute %q has no value", name).
				Hints = []string{fmt.Sprintf(`write %s="true"`, name)}
		}
		return nil
	}
	eq := p.pos
	p.pos++
	p.skipBlanks()
	if p.pos >= p.end {
		p.errorf(s, eq+1, "S207", "attribute %q has no value", name).
			Hints = []string{fmt.Sprintf(`write %s="…"`, name)}
		return nil
	}
	q := p.src[p.pos]
	if q == '"' || q == '\'' {
		vs := p.pos + 1
		k := bytes.IndexByte(p.src[vs:p.end], q)
		if k < 0 {
			p.errorf(p.pos, p.pos+1, "S209", "value of attribute %q not closed", name).
				Hints = []string{fmt.Sprintf("end it with %c", q)}
			// Resume at the next '>' so the rest of the body still parses.
			g := bytes.IndexByte(p.src[vs:p.end], '>')
			switch {
			case g < 0:
				p.pos, p.eof = p.end, true
			case g > 0 && p.src[vs+g-1] == '/':
				p.pos = vs + g - 1
			default:
				p.pos = vs + g
			}
			return nil
		}
		ve := vs + k
		p.pos = ve + 1
		if bad {
			return nil
		}
		return p.attrValue(a, vs, ve)
	}
	if q == '>' || (q == '/' && p.pos+1 < p.end && p.src[p.pos+1] == '>') {
		p.errorf(s, eq+1, "S207", "attribute %q has no value", name).
			Hints = []string{fmt.Sprintf(`write %s="…"`, name)}
		return nil
	}
	// Unquoted value.
	vs := p.pos
	ve := vs
	for ve < p.end && !isBlank(p.src[ve]) && p.src[ve] != '>' && !(p.src[ve] == '/' && ve+1 < p.end && p.src[ve+1] == '>') {
		ve++
	}
	p.pos = ve
	if bad {
		return nil
	}
	raw := string(p.src[vs:ve])
	p.errorf(vs, ve, "S207", "value of attribute %q is not quoted", name).
		Hints = []string{fmt.Sprintf(`write %s="%s"`, name, raw)}
	return p.attrValue(a, vs, ve)
}

func (p *bodyParser) attrValue(a *Attr, vs, ve int) *Attr {
	a.ValueSpan = source.Span{Start: vs, End: ve}
	if ve-vs > MaxTextSize {
		p.errorf(vs, ve, "S212", "value of attribute %q is larger than 1 MiB", a.Name)
	}
	a.Value, a.Map = p.dec.decodeAttr(p.src, vs, ve)
	return a
}

// textField reads the content of a text field el up to its end tag
// "</name" [blanks] ">", skipping CDATA sections (§4.4).
func (p *bodyParser) textField(el *Element) {
	cs := p.pos
	i := cs
	ce, tagEnd := -1, -1
	for i < p.end {
		k := bytes.IndexByte(p.src[i:p.end], '<')
		if k < 0 {
			break
		}
		i += k
		if bytes.HasPrefix(p.src[i:p.end], cdataStart) {
			m := bytes.Index(p.src[i+len(cdataStart):p.end], cdataEnd)
			if m < 0 {
				p.errorf(i, i+len(cdataStart), "S209", "CDATA section not closed").Hints = []string{`end it with "]]>"`}
				p.eof = true
				i = p.end
				break
			}
			i += len(cdataStart) + m + len(cdataEnd)
			continue
		}
		if i+2+len(el.Name) <= p.end && p.src[i+1] == '/' && string(p.src[i+2:i+2+len(el.Name)]) == el.Name {
			j := i + 2 + len(el.Name)
			for j < p.end && isBlank(p.src[j]) {
				j++
			}
			if j < p.end && p.src[j] == '>' {
				ce, tagEnd = i, j+1
				break
			}
		}
		i++
	}
	if ce < 0 {
		if !p.eof {
			p.errorf(el.TagSpan.Start, el.TagSpan.End, "S204", "element <%s> is not closed", el.Name).
				Hints = []string{fmt.Sprintf("add </%s> after its text", el.Name)}
		}
		p.eof = true
		ce, tagEnd = p.end, p.end
	}
	if ce-cs > MaxTextSize {
		p.errorf(cs, cs+1, "S212", "text of <%s> is larger than 1 MiB", el.Name)
	}
	el.Text = p.dec.fieldText(p.src, cs, ce)
	el.End = tagEnd
	p.pos = tagEnd
}

// ParseFieldElements re-reads the content of the text field el as element
// content when it starts, after blanks and comments, with "<field" followed
// by '>', '/' or a blank (a schema field written with <field> elements,
// spec/format.md §4.4). It then sets el.Children and el.Texts, clears
// el.Text and returns true; otherwise it changes nothing and returns false.
func ParseFieldElements(f *source.File, el *Element, isText func(parent *Element, name string) bool) (bool, source.List) {
	if el == nil || el.Text == nil || el.SelfClosing {
		return false, nil
	}
	cs, ce := el.Text.Span.Start, el.Text.Span.End
	if cs < 0 || ce > len(f.Src) || cs > ce {
		return false, nil
	}
	i := cs
	for i < ce {
		switch {
		case isBlank(f.Src[i]):
			i++
			continue
		case bytes.HasPrefix(f.Src[i:ce], commentStart):
			k := bytes.Index(f.Src[i+4:ce], commentEnd)
			if k < 0 {
				return false, nil
			}
			i += 4 + k + 3
			continue
		}
		break
	}
	if !bytes.HasPrefix(f.Src[i:ce], []byte("<field")) || i+6 >= ce {
		return false, nil
	}
	if c := f.Src[i+6]; !(c == '>' || c == '/' || isBlank(c)) {
		return false, nil
	}
	if isText == nil {
		isText = func(*Element, string) bool { return false }
	}
	p := &bodyParser{f: f, src: f.Src, pos: cs, end: ce, isText: isText}
	el.Text = nil
	p.content([]*Element{el}, true)
	return true, p.diags
}
