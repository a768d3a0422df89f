package typedsl

import (
	"strings"

	"github.com/flowscript/flowscript/internal/value"
)

// Kind is the kind of a Type.
type Kind uint8

// Kinds. The first twelve are the primaries of the grammar; ArrayOf,
// Optional, Union and Record are built from other types.
const (
	String   Kind = iota // string
	Number               // number
	Integer              // integer
	Boolean              // boolean
	Null                 // null
	Any                  // any
	Object               // object (any object)
	Array                // array (any array)
	Datetime             // datetime (RFC 3339 string)
	Date                 // date (YYYY-MM-DD string)
	Duration             // duration (string, spec/expressions.md §10.1)
	Enum                 // enum[a, b]
	ArrayOf              // T[]
	Optional             // T?
	Union                // A | B
	Record               // {k: T, ...}
)

var kindNames = [...]string{
	String: "string", Number: "number", Integer: "integer", Boolean: "boolean", Null: "null",
	Any: "any", Object: "object", Array: "array", Datetime: "datetime", Date: "date",
	Duration: "duration", Enum: "enum",
}

// primaryNames lists the type names in the order of the grammar, for
// suggestions.
var primaryNames = []string{"string", "number", "integer", "boolean", "null", "any", "object",
	"array", "datetime", "date", "duration", "enum"}

// Type is a parsed schema type. Types are immutable once built.
type Type struct {
	Kind   Kind
	Elem   *Type   // ArrayOf, Optional: the element or inner type
	Alts   []*Type // Union: the alternatives, in source order
	Fields []Field // Record: the fields, in source order
	Values []any   // Enum: the allowed values (string or float64)
}

// Field is one field of a Record type, and also the `<field>` form read by
// FromFields. In a Record, Type is the field's complete type (wrapped in
// Optional when the field may be absent) and Required says whether the key
// must be present.
type Field struct {
	Name        string
	Type        *Type
	Required    bool
	Description string
	Children    []Field // FromFields only: nested fields of an object or object[] field
}

// Prim returns the primary type of kind k (String … Duration).
func Prim(k Kind) *Type { return &Type{Kind: k} }

// ArrayOfType returns T[].
func ArrayOfType(t *Type) *Type { return &Type{Kind: ArrayOf, Elem: t} }

// OptionalType returns T?; an already optional type is returned as is.
func OptionalType(t *Type) *Type {
	if t.Kind == Optional {
		return t
	}
	return &Type{Kind: Optional, Elem: t}
}

// Optional reports whether t accepts null (its text ends in `?`), so that as
// an object field it may also be absent.
func (t *Type) Optional() bool { return t != nil && t.Kind == Optional }

// String returns the canonical DSL text of t: `{score: number, tags:
// string[]?}`, `enum[a, b]`, `(number | string)[]`.
func (t *Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t *Type) write(b *strings.Builder) {
	switch t.Kind {
	case ArrayOf, Optional:
		if t.Elem.Kind == Union {
			b.WriteByte('(')
			t.Elem.write(b)
			b.WriteByte(')')
		} else {
			t.Elem.write(b)
		}
		if t.Kind == ArrayOf {
			b.WriteString("[]")
		} else {
			b.WriteByte('?')
		}
	case Union:
		for i, a := range t.Alts {
			if i > 0 {
				b.WriteString(" | ")
			}
			a.write(b)
		}
	case Record:
		b.WriteByte('{')
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			if isName(f.Name) {
				b.WriteString(f.Name)
			} else {
				b.Write(value.AppendQuoted(nil, f.Name))
			}
			b.WriteString(": ")
			f.Type.write(b)
		}
		b.WriteByte('}')
	case Enum:
		b.WriteString("enum[")
		for i, v := range t.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(enumWord(v))
		}
		b.WriteByte(']')
	default:
		b.WriteString(kindNames[t.Kind])
	}
}

// enumWord writes an enum value so that it reads back as the same value.
func enumWord(v any) string {
	switch x := v.(type) {
	case float64:
		return value.FormatNumber(x)
	case string:
		if x == "" || isJSONNumber(x) || strings.TrimSpace(x) != x || strings.ContainsAny(x, ",]\"'\n\r\t") {
			return string(value.AppendQuoted(nil, x))
		}
		return x
	}
	return value.Render(v)
}

// EnumList renders enum values for messages: `formal, casual`.
func EnumList(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = value.Render(v)
	}
	return strings.Join(parts, ", ")
}

// isName reports whether s is a NAME of the grammar.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c == '-' || c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// isJSONNumber reports whether s is a JSON number (RFC 8259 grammar).
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(s)
}

// IsJSONNumber reports whether s is a JSON number, the rule by which enum
// words (and command-line values) are read as numbers.
func IsJSONNumber(s string) bool { return isJSONNumber(s) }

// FromFields builds a Record from the field-list form `<field name type
// description required/>`: a nil Type means string; Required false makes
// the field optional (`T?`); Children describe the fields of an object or
// object[] field (a nil Type with children means object).
func FromFields(fields []Field) *Type {
	t := &Type{Kind: Record, Fields: make([]Field, 0, len(fields))}
	for _, f := range fields {
		ft := f.Type
		if len(f.Children) > 0 {
			rec := FromFields(f.Children)
			ft = withRecord(ft, rec)
		}
		if ft == nil {
			ft = Prim(String)
		}
		if !f.Required {
			ft = OptionalType(ft)
		}
		t.Fields = append(t.Fields, Field{Name: f.Name, Type: ft, Required: !ft.Optional(), Description: f.Description})
	}
	return t
}

// withRecord replaces the `object` inside t (object, object[], object?,
// object[]?) by rec; other types are replaced by rec entirely.
func withRecord(t, rec *Type) *Type {
	if t == nil {
		return rec
	}
	switch t.Kind {
	case Object, Record:
		return rec
	case ArrayOf:
		return ArrayOfType(withRecord(t.Elem, rec))
	case Optional:
		return OptionalType(withRecord(t.Elem, rec))
	}
	return rec
}
