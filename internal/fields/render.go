package fields

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/value"
)

// UnknownKindError is returned by WriteKind for a kind not in the set.
type UnknownKindError struct {
	Kind       string
	Suggestion string // the closest kind, or ""
}

// Error returns the message `unknown node kind "KIND"`.
func (e *UnknownKindError) Error() string { return fmt.Sprintf("unknown node kind %q", e.Kind) }

// Hint returns the did-you-mean hint, or "".
func (e *UnknownKindError) Hint() string {
	if e.Suggestion == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", e.Suggestion)
}

// WriteList writes every element kind with its one-line description in two
// padded columns (`source/http  Fetch a URL`), in documentation order.
func (s *Set) WriteList(w io.Writer) {
	rows := make([][]string, 0, len(s.all))
	for _, e := range s.all {
		rows = append(rows, []string{e.Kind, e.Desc})
	}
	writeTable(w, rows)
}

// WriteKind writes the reference of one kind as `flowscript nodes KIND`
// prints it (spec/cli.md §8): a title line, the field table, then lines for
// group blocks, child elements, field constraints and the common fields.
func (s *Set) WriteKind(w io.Writer, kind string) error {
	e := s.byKind[kind]
	if e == nil {
		sug, _ := source.Suggest(kind, s.Kinds())
		return &UnknownKindError{Kind: kind, Suggestion: sug}
	}
	fmt.Fprintf(w, "%s — %s.\n", e.Kind, e.Desc)
	if len(e.Fields) > 0 {
		rows := [][]string{{"FIELD", "KIND", "DEFAULT", "DESCRIPTION"}}
		for _, f := range e.Fields {
			rows = append(rows, []string{f.Name, kindText(f), defaultText(f), descText(f)})
		}
		writeTable(w, rows)
	}
	for _, g := range e.Groups {
		var names []string
		for _, f := range e.Fields {
			if f.Group == g {
				names = append(names, f.Name)
			}
		}
		fmt.Fprintf(w, "+ <%s> block: %s\n", g, strings.Join(names, ", "))
	}
	if e.YAMLContent {
		fmt.Fprintf(w, "+ content: a YAML block of these fields\n")
	}
	if kids := childrenText(e); kids != "" {
		fmt.Fprintf(w, "+ child elements: %s\n", kids)
	}
	for _, g := range e.Exclusive {
		if slices.ContainsFunc(e.AtLeastOne, func(a []string) bool { return slices.Equal(a, g) }) {
			fmt.Fprintf(w, "+ exactly one of: %s\n", strings.Join(g, ", "))
		} else {
			fmt.Fprintf(w, "+ at most one of: %s\n", strings.Join(g, ", "))
		}
	}
	for _, g := range e.AtLeastOne {
		if !slices.ContainsFunc(e.Exclusive, func(a []string) bool { return slices.Equal(a, g) }) {
			fmt.Fprintf(w, "+ at least one of: %s\n", strings.Join(g, ", "))
		}
	}
	for _, g := range e.Together {
		fmt.Fprintf(w, "+ all or none of: %s\n", strings.Join(g, ", "))
	}
	if common := commonNames(e); len(common) > 0 {
		fmt.Fprintf(w, "+ common fields: %s\n", strings.Join(common, ", "))
	}
	return nil
}

// commonNames lists the common fields of e as `flowscript nodes` shows them.
func commonNames(e *Element) []string {
	var out []string
	for _, n := range []string{"id", "input", "description", "timeout", "continue-on-error", "on-error"} {
		if e.HasCommon(n) {
			if n == "on-error" {
				n = "<on-error>"
			}
			out = append(out, n)
		}
	}
	return out
}

func childrenText(e *Element) string {
	var parts []string
	if e.Body {
		parts = append(parts, "nodes")
	}
	for _, c := range e.Children {
		if c.Tag == "on-error" && e.HasCommon("on-error") {
			continue
		}
		var notes []string
		for _, a := range c.Aliases {
			notes = append(notes, "alias <"+a+">")
		}
		if c.NodeList {
			notes = append(notes, "holds nodes")
		}
		switch {
		case c.Min > 0 && c.Max > 0:
			notes = append(notes, fmt.Sprintf("%d to %d", c.Min, c.Max))
		case c.Min > 0:
			notes = append(notes, fmt.Sprintf("at least %d", c.Min))
		case c.Max > 0:
			notes = append(notes, fmt.Sprintf("at most %d", c.Max))
		}
		p := "<" + c.Tag + ">"
		if len(notes) > 0 {
			p += " (" + strings.Join(notes, ", ") + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// kindText is the KIND cell: the kind, with its range for int and num.
func kindText(f *Field) string {
	k := f.Kind.String()
	if f.Kind != Int && f.Kind != Num {
		return k
	}
	switch {
	case f.Max > 0:
		return fmt.Sprintf("%s %d–%d", k, f.Min, f.Max)
	case f.Min > 0:
		return fmt.Sprintf("%s ≥%d", k, f.Min)
	}
	return k
}

// defaultText is the DEFAULT cell.
func defaultText(f *Field) string {
	switch {
	case f.Required:
		return "(required)"
	case f.RequiredIf != "":
		if a, b, ok := strings.Cut(f.RequiredIf, "!="); ok {
			return "(required unless " + a + "=" + b + ")"
		}
		return "(required if " + f.RequiredIf + ")"
	case f.Default == "":
		return "-"
	}
	return f.Default
}

// descText is the DESCRIPTION cell: enum words first, then the sentence,
// then aliases.
func descText(f *Field) string {
	d := f.Desc
	if f.Kind == Enum && len(f.Enum) > 0 {
		words := wordList(f.Enum)
		if d == "" {
			d = words + "."
		} else {
			d = words + ": " + lowerFirst(d)
		}
	}
	if len(f.Aliases) > 0 {
		d += " Alias: " + strings.Join(f.Aliases, ", ") + "."
	}
	return d
}

// wordList joins words as "a, b or c".
func wordList(ws []string) string {
	if len(ws) == 1 {
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " or " + ws[len(ws)-1]
}

// lowerFirst lowercases the first letter unless the word is an acronym
// (SMTP, JSON).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// writeTable writes rows with every column but the last padded to its
// widest cell plus two spaces (widths in runes).
func writeTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]+2-utf8.RuneCountInString(c)))
			}
		}
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}

// ---- JSON ----

// JSON returns the schemas as data: an object from kind to the element's
// schema (see ElementJSON), in documentation order.
func (s *Set) JSON() any {
	o := value.NewObject(len(s.all))
	for _, e := range s.all {
		o.Set(e.Kind, ElementJSON(e))
	}
	return o
}

// ElementJSON returns the schema of one element as data: kind, tag, type,
// description, node/container/body flags, common fields, fields, child
// elements and constraints (empty members are left out).
func ElementJSON(e *Element) *value.Object {
	o := value.NewObject(12)
	o.Set("kind", e.Kind)
	o.Set("tag", e.Tag)
	if e.Type != "" {
		o.Set("type", e.Type)
	}
	o.Set("description", e.Desc)
	o.Set("node", e.Node)
	o.Set("container", e.Container)
	o.Set("body", e.Body)
	if common := commonNames(e); len(common) > 0 {
		for i, c := range common {
			common[i] = strings.Trim(c, "<>")
		}
		o.Set("common", strs(common))
	}
	fs := make([]any, 0, len(e.Fields))
	for _, f := range e.Fields {
		fs = append(fs, fieldJSON(f))
	}
	o.Set("fields", fs)
	if len(e.Children) > 0 {
		cs := make([]any, 0, len(e.Children))
		for _, c := range e.Children {
			co := value.ObjectOf("tag", c.Tag, "kind", c.Elem.Kind)
			if len(c.Aliases) > 0 {
				co.Set("aliases", strs(c.Aliases))
			}
			co.Set("min", float64(c.Min))
			if c.Max > 0 {
				co.Set("max", float64(c.Max))
			} else {
				co.Set("max", nil)
			}
			co.Set("nodes", c.NodeList)
			cs = append(cs, co)
		}
		o.Set("children", cs)
	}
	if len(e.Groups) > 0 {
		o.Set("groups", strs(e.Groups))
	}
	if e.YAMLContent {
		o.Set("yaml_content", true)
	}
	for _, c := range []struct {
		key string
		gs  [][]string
	}{{"exclusive", e.Exclusive}, {"at_least_one", e.AtLeastOne}, {"together", e.Together}} {
		if len(c.gs) > 0 {
			gs := make([]any, len(c.gs))
			for i, g := range c.gs {
				gs[i] = strs(g)
			}
			o.Set(c.key, gs)
		}
	}
	return o
}

func fieldJSON(f *Field) *value.Object {
	o := value.ObjectOf("name", f.Name, "kind", f.Kind.String(), "required", f.Required)
	if f.RequiredIf != "" {
		o.Set("required_if", f.RequiredIf)
	}
	if f.Default != "" {
		o.Set("default", f.Default)
	} else {
		o.Set("default", nil)
	}
	if f.Value != nil {
		o.Set("default_value", f.Value)
	}
	if len(f.Enum) > 0 {
		o.Set("enum", strs(f.Enum))
	}
	if f.Min != 0 || f.Max != 0 {
		o.Set("min", float64(f.Min))
		if f.Max > 0 {
			o.Set("max", float64(f.Max))
		}
	}
	if len(f.Aliases) > 0 {
		o.Set("aliases", strs(f.Aliases))
	}
	if f.Group != "" {
		o.Set("group", f.Group)
	}
	if f.Lazy {
		o.Set("lazy", true)
	}
	o.Set("description", f.Desc)
	return o
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// ---- JSON Schema ----

// JSONSchema returns a JSON Schema (draft 2020-12) for editors, with one
// $defs entry per kind. Each entry describes the element's fields as an
// object (attributes, field children and group-block keys by their
// canonical names and aliases); child elements are properties referring to
// their own entries.
func (s *Set) JSONSchema() any {
	defs := value.NewObject(len(s.all))
	for _, e := range s.all {
		defs.Set(e.Kind, elementSchema(e))
	}
	return value.ObjectOf(
		"$schema", "https://json-schema.org/draft/2020-12/schema",
		"title", "FlowScript elements",
		"$defs", defs,
	)
}

func ref(kind string) *value.Object {
	return value.ObjectOf("$ref", "#/$defs/"+strings.ReplaceAll(strings.ReplaceAll(kind, "~", "~0"), "/", "~1"))
}

func elementSchema(e *Element) *value.Object {
	props := value.NewObject(len(e.Fields) + 6)
	var required, allOf []any
	if e.Type != "" {
		props.Set("type", value.ObjectOf("const", e.Type))
		required = append(required, "type")
	}
	for _, f := range CommonFields() {
		if e.HasCommon(f.Name) {
			props.Set(f.Name, fieldSchema(f))
		}
	}
	for _, f := range e.Fields {
		fs := fieldSchema(f)
		props.Set(f.Name, fs)
		for _, a := range f.Aliases {
			props.Set(a, value.ObjectOf("description", "Alias of "+f.Name+".", "allOf", []any{fs}))
		}
		switch {
		case f.Required && len(f.Aliases) == 0:
			required = append(required, f.Name)
		case f.Required:
			alts := []any{value.ObjectOf("required", []any{f.Name})}
			for _, a := range f.Aliases {
				alts = append(alts, value.ObjectOf("required", []any{a}))
			}
			allOf = append(allOf, value.ObjectOf("anyOf", alts))
		case f.RequiredIf != "":
			allOf = append(allOf, requiredIf(e, f))
		}
	}
	for _, c := range e.Children {
		var cs *value.Object
		if c.Max == 1 {
			cs = ref(c.Elem.Kind)
		} else {
			cs = value.ObjectOf("type", "array", "items", ref(c.Elem.Kind))
			if c.Min > 0 {
				cs.Set("minItems", float64(c.Min))
			}
			if c.Max > 0 {
				cs.Set("maxItems", float64(c.Max))
			}
		}
		props.Set(c.Tag, cs)
		for _, a := range c.Aliases {
			props.Set(a, cs)
		}
	}
	o := value.ObjectOf("title", e.Kind, "description", e.Desc, "type", "object", "properties", props)
	if len(required) > 0 {
		o.Set("required", required)
	}
	if len(allOf) > 0 {
		o.Set("allOf", allOf)
	}
	o.Set("additionalProperties", false)
	return o
}

// requiredIf renders RequiredIf "a=b" / "a!=b" as if/then; an absent a
// counts as its default.
func requiredIf(e *Element, f *Field) *value.Object {
	a, b, neg := strings.Cut(f.RequiredIf, "!=")
	if !neg {
		a, b, _ = strings.Cut(f.RequiredIf, "=")
	}
	var test *value.Object
	if neg {
		test = value.ObjectOf("not", value.ObjectOf("const", b))
	} else {
		test = value.ObjectOf("const", b)
	}
	cond := value.ObjectOf("properties", value.ObjectOf(a, test))
	// "properties" alone holds when a is absent: right when a's default
	// satisfies the test, else a must be present.
	if other := e.Field(a); other != nil {
		if def, _ := other.Value.(string); (def == b) == neg {
			cond.Set("required", []any{a})
		}
	}
	return value.ObjectOf("if", cond, "then", value.ObjectOf("required", []any{f.Name}))
}

func templateString() *value.Object { return value.ObjectOf("type", "string", "pattern", `\{\{`) }

func fieldSchema(f *Field) *value.Object {
	var o *value.Object
	bounds := func(o *value.Object) *value.Object {
		if f.Min != 0 || f.Max != 0 {
			o.Set("minimum", float64(f.Min))
		}
		if f.Max > 0 {
			o.Set("maximum", float64(f.Max))
		}
		return o
	}
	switch f.Kind {
	case Int:
		o = value.ObjectOf("anyOf", []any{bounds(value.ObjectOf("type", "integer")), templateString()})
	case Num:
		alts := []any{bounds(value.ObjectOf("type", "number"))}
		if len(f.Enum) > 0 {
			alts = append([]any{value.ObjectOf("enum", strs(f.Enum))}, alts...)
		}
		o = value.ObjectOf("anyOf", append(alts, templateString()))
	case Bool:
		o = value.ObjectOf("anyOf", []any{value.ObjectOf("type", "boolean"), templateString()})
	case Enum:
		o = value.ObjectOf("anyOf", []any{value.ObjectOf("enum", strs(f.Enum)), templateString()})
	case Size:
		o = value.ObjectOf("type", []any{"string", "integer"})
	case Map:
		o = value.ObjectOf("anyOf", []any{value.ObjectOf("type", "object"), templateString()})
	case List:
		o = value.ObjectOf("type", []any{"array", "string"})
	case Any:
		o = value.NewObject(2)
	case Name:
		o = value.ObjectOf("type", "string", "pattern", "^[A-Za-z_][A-Za-z0-9_]*$")
	case ID:
		o = value.ObjectOf("type", "string", "pattern", "^[A-Za-z]([A-Za-z0-9_-]*[A-Za-z0-9_])?$")
	case Rate:
		o = value.ObjectOf("type", "string", "pattern", `^\s*[0-9]+/[0-9]`)
	default: // str, tmpl, expr, dur, path, schema
		o = value.ObjectOf("type", "string")
	}
	o.Set("description", descText(f))
	if f.Value != nil {
		switch f.Kind {
		case Dur, Size:
			o.Set("default", f.Default)
		default:
			o.Set("default", f.Value)
		}
	}
	return o
}
