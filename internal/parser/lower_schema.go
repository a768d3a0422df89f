package parser

import (
	"strconv"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/typedsl"
)

// The field-list form of a schema field (expressions.md §11):
//
//	<output-schema>
//	  <field name="score" type="number"/>
//	  <field name="tags" type="string[]" required="false" description="…"/>
//	  <field name="author" type="object">
//	    <field name="name"/>
//	  </field>
//	</output-schema>
//
// field    = "<field" attrs ( "/>" | ">" { field } "</field>" )
// attrs    = name [ type ] [ description ] [ required ]
//
// `type` is DSL text (default `string`, `object` with children),
// `required="false"` makes it `T?`, and children describe the fields of an
// `object` or `object[]` field.

// schemaFieldAttrs are the attributes of <field>, for suggestions.
var schemaFieldAttrs = []string{"name", "type", "description", "required"}

// schemaFields converts a schema field written with <field> children. It
// reports ok false, changing nothing, when the text is DSL (the caller
// parses it); otherwise it returns f with its Type set, or nil after
// reporting the problems.
func (l *lowerer) schemaFields(f *ast.Field, src textSrc) (out *ast.Field, ok bool) {
	if src.text == nil || !src.textEl {
		return nil, false
	}
	el := &Element{Name: f.Name, Text: src.text}
	isFields, ds := ParseFieldElements(l.f, el, nil)
	if !isFields {
		return nil, false
	}
	before := len(l.diags)
	l.diags.Append(ds...)
	for _, t := range el.Texts {
		d := l.errAt(t.Span, "S211", "text is not allowed in <%s> written with <field> elements", f.Name)
		d.Hints = append(d.Hints, "write the schema either as DSL text or as <field> elements, not both")
	}
	list := l.schemaFieldList(el)
	if len(l.diags) > before {
		return nil, true
	}
	f.Type = typedsl.FromFields(list)
	return f, true
}

// schemaFieldList reads the <field> children of el.
func (l *lowerer) schemaFieldList(el *Element) []typedsl.Field {
	out := make([]typedsl.Field, 0, len(el.Children))
	seen := map[string]source.Span{}
	for _, ch := range el.Children {
		if ch.Name != "field" {
			d := l.errAt(ch.TagSpan, "N301", "unknown element <%s> in <%s>", ch.Name, el.Name)
			d.Hints = append(d.Hints, "a schema lists <field name type/> elements")
			continue
		}
		fd, ok := l.schemaField(ch)
		if name := ch.Attr("name"); name != nil && fd.Name != "" {
			if first, dup := seen[fd.Name]; dup {
				d := l.errAt(name.ValueSpan, "N305", "schema field %q is given more than once", fd.Name)
				d.Hints = append(d.Hints, "first given on line "+strconv.Itoa(l.f.Position(first.Start).Line))
				continue
			}
			seen[fd.Name] = name.ValueSpan
		}
		if ok {
			out = append(out, fd)
		}
	}
	return out
}

// schemaField reads one <field>: its attributes and nested fields.
func (l *lowerer) schemaField(ch *Element) (typedsl.Field, bool) {
	fd := typedsl.Field{Required: true}
	ok := true
	for _, a := range ch.Attrs {
		switch a.Name {
		case "name":
			if a.Value == "" {
				l.errAt(a.ValueSpan, "N305", "empty field name")
				ok = false
			}
			fd.Name = a.Value
		case "type":
			t, err := typedsl.Parse(a.Value, a.Offset)
			if err != nil {
				d := l.errAt(source.Sp(err.Start, err.End), "N305", "invalid schema: %s", err.Message)
				if err.Hint != "" {
					d.Hints = append(d.Hints, err.Hint)
				}
				ok = false
				continue
			}
			fd.Type = t
		case "description":
			fd.Description = a.Value
		case "required":
			switch a.Value {
			case "true":
			case "false":
				fd.Required = false
			default:
				l.errAt(a.ValueSpan, "N305", "invalid value for %q: expected true or false, got %q", "required", a.Value)
				ok = false
			}
		default:
			d := l.errAt(a.NameSpan, "N303", "unknown attribute %q on <field>", a.Name)
			source.SuggestHint(d, a.Name, schemaFieldAttrs)
			ok = false
		}
	}
	if ch.Attr("name") == nil {
		l.errAt(ch.TagSpan, "N304", "missing required field %q on <field>", "name")
		ok = false
	}
	for _, t := range ch.Texts {
		d := l.errAt(t.Span, "S211", "text is not allowed in <field>")
		d.Hints = append(d.Hints, `write a description as description="…"`)
		ok = false
	}
	if len(ch.Children) > 0 {
		if fd.Type != nil && !recordHolder(fd.Type) {
			l.errAt(ch.Attr("type").ValueSpan, "N305", "a <field> with nested fields must have type object or object[], got %q", fd.Type.String())
			ok = false
		}
		fd.Children = l.schemaFieldList(ch)
	}
	return fd, ok
}

// recordHolder reports whether t is object, object[] or one of them made
// optional: the types that nested <field> elements describe.
func recordHolder(t *typedsl.Type) bool {
	switch t.Kind {
	case typedsl.Object, typedsl.Record:
		return true
	case typedsl.ArrayOf, typedsl.Optional:
		return recordHolder(t.Elem)
	}
	return false
}
