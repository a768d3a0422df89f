package typedsl

import "github.com/flowscript/flowscript/internal/value"

// JSONSchema returns the JSON Schema of t as a *value.Object, following the
// table of spec/expressions.md §11. It is strict, as structured AI output
// requires: an object lists all its keys as required and forbids others, and
// `T?` and `A | B` become anyOf. A field description becomes "description".
func (t *Type) JSONSchema() any {
	switch t.Kind {
	case Any:
		return value.NewObject(0)
	case String, Number, Integer, Boolean, Null, Object, Array:
		return value.ObjectOf("type", kindNames[t.Kind])
	case Datetime:
		return value.ObjectOf("type", "string", "format", "date-time")
	case Date:
		return value.ObjectOf("type", "string", "format", "date")
	case Duration:
		return value.ObjectOf("type", "string")
	case Enum:
		vals := make([]any, len(t.Values))
		copy(vals, t.Values)
		return value.ObjectOf("enum", vals)
	case ArrayOf:
		return value.ObjectOf("type", "array", "items", t.Elem.JSONSchema())
	case Optional:
		return value.ObjectOf("anyOf", []any{t.Elem.JSONSchema(), value.ObjectOf("type", "null")})
	case Union:
		alts := make([]any, len(t.Alts))
		for i, a := range t.Alts {
			alts[i] = a.JSONSchema()
		}
		return value.ObjectOf("anyOf", alts)
	case Record:
		props := value.NewObject(len(t.Fields))
		req := make([]any, len(t.Fields))
		for i, f := range t.Fields {
			s := f.Type.JSONSchema().(*value.Object)
			if f.Description != "" {
				s = s.Clone()
				s.Set("description", f.Description)
			}
			props.Set(f.Name, s)
			req[i] = f.Name
		}
		return value.ObjectOf("type", "object", "properties", props, "required", req, "additionalProperties", false)
	}
	return value.NewObject(0)
}
