package format

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/parser"
	"github.com/flowscript/flowscript/internal/source"
)

// Format returns src with its body laid out canonically (spec/cli.md §9).
// name is the file name used in diagnostics. When src is not a valid
// workflow the result is nil and the diagnostics say why; warnings alone
// do not stop formatting. A src already in canonical form is returned
// unchanged (the same bytes).
func Format(name string, src []byte) ([]byte, source.List) {
	out, diags, _ := format(name, src)
	return out, diags
}

// format is Format, also reporting whether a valid file was left as it
// was because its layout would not keep its meaning.
func format(name string, src []byte) (out []byte, diags source.List, fellBack bool) {
	flow, diags := parser.ParseFile(name, src)
	if flow == nil || diags.HasErrors() {
		return nil, diags, false
	}
	if _, gd := dag.Build(flow); gd.HasErrors() {
		diags = append(diags, gd...)
		diags.Sort()
		return nil, diags, false
	}
	out, err := layout(flow, src)
	if err != nil {
		return src, diags, true
	}
	if bytes.Equal(out, src) {
		return src, diags, false
	}
	if again, _ := parser.ParseFile(name, out); again == nil || Equivalent(flow, again) != nil {
		return src, diags, true
	}
	return out, diags, false
}

// layout prints the body of flow (parsed from src) and returns the whole
// file.
func layout(flow *ast.Flow, src []byte) ([]byte, error) {
	p := &printer{src: src, cat: fields.Builtin(), nl: "\n"}
	f := source.NewFile(flow.File.Name, src)
	// The body alone, as a fenced block: one element with nothing around.
	root, _, diags := parser.ParseBody(f, flow.BodyStart, flow.BodyEnd, true, p.isText)
	if root == nil || diags.HasErrors() {
		return nil, errors.New("body does not parse again")
	}
	if bytes.Contains(src[root.Start:root.End], []byte("\r\n")) {
		p.nl = "\r\n"
	}
	p.out.Grow(len(src) + len(src)/8)
	p.out.Write(src[:root.Start])
	p.element(root, root.Name, indentBefore(src, root.Start))
	if p.err != nil {
		return nil, p.err
	}
	p.out.Write(src[root.End:])
	return p.out.Bytes(), nil
}

// indentBefore returns the blanks between the start of the line holding
// off and off ("" when something else stands there).
func indentBefore(src []byte, off int) string {
	i := off
	for i > 0 && (src[i-1] == ' ' || src[i-1] == '\t') {
		i--
	}
	if i > 0 && src[i-1] != '\n' {
		return ""
	}
	return string(src[i:off])
}

type printer struct {
	src []byte
	cat *fields.Set
	nl  string
	out bytes.Buffer
	err error
}

func (p *printer) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

// element prints e under the canonical name at the given indentation (the
// caller has written the indentation already).
func (p *printer) element(e *parser.Element, name, indent string) {
	spec := p.specOf(e)
	p.out.WriteByte('<')
	p.out.WriteString(name)
	for _, a := range e.Attrs {
		p.out.WriteByte(' ')
		p.out.WriteString(p.attrName(spec, a.Name))
		raw := p.src[a.ValueSpan.Start:a.ValueSpan.End]
		q := byte('"')
		if bytes.IndexByte(raw, '"') >= 0 {
			q = '\''
		}
		p.out.WriteByte('=')
		p.out.WriteByte(q)
		p.out.Write(raw)
		p.out.WriteByte(q)
	}
	if e.Text != nil {
		raw := p.src[e.Text.Span.Start:e.Text.Span.End]
		if e.SelfClosing || len(raw) == 0 {
			p.out.WriteString("/>")
			return
		}
		// The content and the end tag stay byte for byte (spec/cli.md §9):
		// where the start tag stands does not change the text's value.
		p.out.WriteByte('>')
		p.out.Write(raw)
		p.out.WriteString("</" + name + ">")
		return
	}
	if e.SelfClosing {
		p.out.WriteString("/>")
		return
	}
	cs, ce := p.contentSpan(e)
	items := p.items(e, cs, ce)
	if p.err != nil {
		return
	}
	if len(items) == 0 {
		p.out.WriteString("/>")
		return
	}
	p.out.WriteByte('>')
	inner := indent + "  "
	for i, it := range items {
		if it.el == nil && it.newlines == 0 && i > 0 {
			// A comment on the line of the item before it stays there.
			p.out.WriteByte(' ')
			p.out.Write(p.src[it.start:it.end])
			continue
		}
		if it.newlines >= 2 && i > 0 {
			p.out.WriteString(p.nl)
		}
		p.out.WriteString(p.nl)
		p.out.WriteString(inner)
		if it.el != nil {
			p.element(it.el, p.childName(spec, e, it.el), inner)
		} else {
			// Only the comment's first line moves; the rest stays byte
			// for byte (spec/cli.md §9).
			p.out.Write(p.src[it.start:it.end])
		}
	}
	p.out.WriteString(p.nl)
	p.out.WriteString(indent)
	p.out.WriteString("</" + name + ">")
}

// contentSpan returns the content of a non-text, non-empty element:
// between the '>' of its start tag and the "</" of its end tag.
func (p *printer) contentSpan(e *parser.Element) (int, int) {
	pos := e.NameSpan.End
	if n := len(e.Attrs); n > 0 {
		pos = e.Attrs[n-1].ValueSpan.End + 1
	}
	k := bytes.IndexByte(p.src[pos:e.End], '>')
	if k < 0 {
		p.fail("start tag of <%s> not found", e.Name)
		return pos, pos
	}
	cs := pos + k + 1
	ce := bytes.LastIndex(p.src[cs:e.End], []byte("</"))
	if ce < 0 {
		p.fail("end tag of <%s> not found", e.Name)
		return cs, cs
	}
	return cs, cs + ce
}

// item is a child element or a comment of an element's content.
type item struct {
	el         *parser.Element
	start, end int // the comment
	newlines   int // line breaks between the previous item (or the start tag) and this one
}

// items lists the children and comments in [cs, ce). Anything else there
// (text, CDATA) makes the element unprintable.
func (p *printer) items(e *parser.Element, cs, ce int) []item {
	var out []item
	pos := cs
	gap := func(end int) int {
		nl := 0
		for pos < end {
			c := p.src[pos]
			switch {
			case c == '\n':
				nl++
				pos++
			case c == ' ' || c == '\t' || c == '\r':
				pos++
			case bytes.HasPrefix(p.src[pos:end], []byte("<!--")):
				k := bytes.Index(p.src[pos+4:end], []byte("-->"))
				if k < 0 {
					p.fail("comment not closed")
					pos = end
					return nl
				}
				out = append(out, item{start: pos, end: pos + 4 + k + 3, newlines: nl})
				nl = 0
				pos += 4 + k + 3
			default:
				p.fail("unexpected content in <%s>", e.Name)
				pos = end
			}
		}
		return nl
	}
	for _, c := range e.Children {
		if c.Start < pos || c.End > ce {
			p.fail("child <%s> out of place", c.Name)
			return nil
		}
		nl := gap(c.Start)
		out = append(out, item{el: c, newlines: nl})
		pos = c.End
	}
	gap(ce)
	return out
}

// ---- schemas (the same questions the parser's lowerer asks) ----

// specOf returns the schema of an element by its tag, its parent and its
// type attribute, or nil.
func (p *printer) specOf(e *parser.Element) *fields.Element {
	switch e.Name {
	case "set":
		if e.Parent != nil && (e.Parent.Name == "context" || e.Parent.Name == "output") {
			return p.cat.ByKind(e.Parent.Name + "/set")
		}
	case "branch":
		if e.Parent != nil && e.Parent.Name == "parallel" {
			return p.cat.ByKind("parallel/branch")
		}
	case "match", "case":
		return p.cat.ByKind(e.Name)
	}
	typ := ""
	if a := e.Attr("type"); a != nil {
		typ = strings.TrimSpace(a.Value)
	}
	if s := p.cat.Lookup(e.Name, typ); s != nil {
		return s
	}
	return p.cat.ByKind(e.Name)
}

// commonField reports whether name (canonical) is a common node field
// other than id that spec takes.
func commonField(spec *fields.Element, c string) bool {
	switch c {
	case "description":
		return spec.Node || slices.Contains(spec.Common, c)
	case "input", "timeout", "continue-on-error":
		return slices.Contains(spec.Common, c)
	}
	return false
}

// fieldName returns the canonical name of the field that name spells in
// spec, or "" when name is no field of spec.
func fieldName(spec *fields.Element, name string) string {
	if spec == nil {
		return ""
	}
	if f := spec.Field(name); f != nil {
		return f.Name
	}
	if c := fields.Canonical(name); commonField(spec, c) {
		return c
	}
	return ""
}

func (p *printer) isNodeTag(name string) bool {
	return name == "phase" || slices.Contains(p.cat.NodeTags(), name)
}

// isText tells the body reader which child elements are text fields
// (spec/format.md §4.4): fields of the parent's schema, group blocks and
// retry.
func (p *printer) isText(parent *parser.Element, name string) bool {
	if parent == nil {
		return false
	}
	if name == "retry" && parent.Name == "on-error" {
		return true
	}
	spec := p.specOf(parent)
	if spec == nil {
		return false
	}
	if spec.IsGroup(name) {
		return true
	}
	if p.isNodeTag(name) && (spec.Body || spec.Tag == "workflow") {
		return false
	}
	if spec.Child(name) != nil {
		return false
	}
	return fieldName(spec, name) != ""
}

// attrName returns the canonical spelling of an attribute of an element
// with schema spec.
func (p *printer) attrName(spec *fields.Element, name string) string {
	if c := fieldName(spec, name); c != "" {
		return c
	}
	return name
}

// childName returns the canonical name of child c of parent (schema
// spec): a field element's canonical field name, a child element's tag
// for its alias (default → otherwise); node tags and group blocks stay.
func (p *printer) childName(spec *fields.Element, parent, c *parser.Element) string {
	if spec == nil {
		return c.Name
	}
	if c.Text != nil {
		if spec.IsGroup(c.Name) || (c.Name == "retry" && parent.Name == "on-error") {
			return c.Name
		}
		n := fieldName(spec, c.Name)
		if n == "" || n == c.Name {
			return c.Name
		}
		// The new end tag must not appear inside the text.
		if bytes.Contains(p.src[c.Text.Span.Start:c.Text.Span.End], []byte("</"+n)) {
			return c.Name
		}
		return n
	}
	if p.isNodeTag(c.Name) && spec.Body {
		return c.Name
	}
	if ch := spec.Child(c.Name); ch != nil {
		return ch.Tag
	}
	return c.Name
}
