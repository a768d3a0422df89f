package fields

import (
	"strings"
)

// Kind is the kind of a field value (spec/format.md §5.2).
type Kind int

// Field kinds.
const (
	Str    Kind = iota // literal text; {{ is an error
	Tmpl               // template text
	Expr               // one expression, optionally wrapped in {{ }}
	Int                // integer in [Min, Max]
	Num                // JSON number
	Bool               // true / false
	Enum               // one of Enum
	Dur                // duration in ms
	Size               // size in bytes
	Rate               // N/duration
	Map                // YAML mapping; string leaves are templates
	List               // YAML sequence or comma list; string items are templates
	ID                 // a node id, resolved statically
	Name               // [A-Za-z_][A-Za-z0-9_]*
	Path               // a path relative to the workflow file
	Schema             // schema DSL text or <field> children
	Any                // any YAML value; strings are templates (http body)
)

var kindNames = [...]string{"str", "tmpl", "expr", "int", "num", "bool", "enum", "dur", "size", "rate", "map", "list", "id", "name", "path", "schema", "any"}

func (k Kind) String() string { return kindNames[k] }

// Scalar reports whether a value of this kind is written as one scalar text.
func (k Kind) Scalar() bool {
	switch k {
	case Map, List, Any, Schema:
		return false
	}
	return true
}

// Field is one field of an element.
type Field struct {
	Name     string   // canonical kebab-case name
	Kind     Kind     //
	Default  string   // default as shown by `flowscript nodes` ("" = none)
	Required bool     //
	Enum     []string // allowed words for Enum kind; for other kinds, words accepted besides the kind (merge, jitter)
	Min, Max int64    // range for Int and Num (Max 0: unbounded above); for Dur, Min 1 means "> 0"
	Aliases  []string // other accepted names (user for prompt)
	Group    string   // group block it may also be written in (request, response, config, message)
	Desc     string   // one sentence for `flowscript nodes`
	// Value is the default as a value when it is a fixed literal: float64
	// for int, num, dur (ms) and size (bytes), bool, string, []any for
	// lists, template text for tmpl ("{{ input }}"). It is nil when there
	// is no default or it is computed (Default "generated", "sh (Windows:
	// cmd)", "runtime.ai.model", ...).
	Value any
	// RequiredIf makes the field required only when another field (or its
	// default) has a value: "provider=smtp", "operation!=exec". Required is
	// false then.
	RequiredIf string
	// Lazy fields are not rendered before the runtime starts: the runtime
	// or container evaluates them itself (per item, per iteration, ...).
	Lazy bool
	// Dynamic fields may be templates even in a scalar kind (format.md
	// §5.2: a value containing {{ in int, num, bool, enum, dur, size is
	// rendered at run time). Set automatically; not for str, id, name, rate,
	// schema, path.
}

// Dynamic reports whether a value of this field's kind containing {{ is a
// template rendered and converted at run time.
func (f *Field) Dynamic() bool {
	switch f.Kind {
	case Int, Num, Bool, Enum, Dur, Size:
		return true
	}
	return false
}

// Child describes a non-node child element an element may hold (action,
// bind, arg, set, field, on-error, retry, fallback, then, else, ...).
type Child struct {
	Tag      string
	Min      int // least number of occurrences (parallel branch: 2)
	Max      int // 0: unlimited
	Elem     *Element
	Aliases  []string
	NodeList bool // the child holds nodes (then, else, match, case, otherwise, branch)
}

// Element is the schema of one element kind.
type Element struct {
	Kind string // "source/http", "transform/map", "if", "retry", ...
	Tag  string // element name
	Type string // data node type ("" for other elements)
	Desc string // one line for `flowscript nodes`
	// Node is true for elements that execute (appear in plans).
	Node bool
	// Container is true for nodes whose children are nodes or scopes.
	Container bool
	// Common lists which of the common node fields apply: "input",
	// "timeout", "continue-on-error", "on-error" (description and id always).
	Common []string
	Fields []*Field
	// Body is true when the element's direct children are nodes (phase,
	// loop, while, foreach, timeout, workflow, on-workflow-error).
	Body bool
	// Children are the non-node child elements allowed.
	Children []*Child
	// Groups are group-block element names whose YAML keys are fields.
	Groups []string
	// YAMLContent is true when the element's whole content is a YAML
	// block of its fields (retry).
	YAMLContent bool
	// Exclusive lists groups of which at most one may be given (N307);
	// a name in angle brackets ("<set>") is a child element.
	Exclusive [][]string
	// AtLeastOne lists groups of which at least one must be given (N304);
	// a name in angle brackets ("<then>") is a child element.
	AtLeastOne [][]string
	// Together lists groups given all or none (N304): username, password.
	Together [][]string
}

// Field returns the field named name in any accepted spelling (kebab,
// snake, camel, or an alias), or nil.
func (e *Element) Field(name string) *Field {
	c := Canonical(name)
	for _, f := range e.Fields {
		if f.Name == c {
			return f
		}
		for _, a := range f.Aliases {
			if a == c {
				return f
			}
		}
	}
	return nil
}

// FieldNames returns the canonical field names in declaration order.
func (e *Element) FieldNames() []string {
	out := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		out = append(out, f.Name)
	}
	return out
}

// Child returns the child element spec for tag, or nil.
func (e *Element) Child(tag string) *Child {
	for _, c := range e.Children {
		if c.Tag == tag {
			return c
		}
		for _, a := range c.Aliases {
			if a == tag {
				return c
			}
		}
	}
	return nil
}

// IsGroup reports whether tag is a group block of e.
func (e *Element) IsGroup(tag string) bool {
	for _, g := range e.Groups {
		if g == tag {
			return true
		}
	}
	return false
}

// Canonical converts a snake_case or camelCase spelling to kebab-case:
// max_tokens and maxTokens become max-tokens.
func Canonical(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == '_':
			b.WriteByte('-')
		case r >= 'A' && r <= 'Z':
			if i > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r + ('a' - 'A'))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
