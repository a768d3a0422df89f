package ast

import (
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/frontmatter"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/typedsl"
)

// Flow is one parsed workflow file.
type Flow struct {
	File  *source.File
	Path  string // absolute path of the file
	Dir   string // absolute directory of the file
	Front *frontmatter.Frontmatter

	// Root is the top-level scope (the <workflow> element's node list).
	Root *Scope
	// OnError is the <on-workflow-error> scope, or nil.
	OnError *Scope
	// Nodes lists every node of the file, all scopes, in document order
	// (Node.Index is the position here). Phases are not nodes.
	Nodes []*Node
	// ByID maps explicit and generated ids to nodes.
	ByID map[string]*Node
	// Phases lists every phase in document order.
	Phases []*Phase
	// Output is the <output> node, or nil.
	Output *Node
	// Vars lists variable names written by <set var>, in first-seen order.
	Vars []string
	// Includes maps include/call node ids to their loaded sub-workflows.
	Subflows map[*Node]*Flow

	// BodyStart and BodyEnd delimit the body; FooterStart is where the
	// footer begins. LogBegin/LogEnd delimit the execution-log block
	// (-1 when there is none); LogDisabled is set by W704.
	BodyStart, BodyEnd, FooterStart int
	LogBegin, LogEnd                int
	LogDisabled                     bool

	// Warnings holds the warnings found while parsing (errors stop the
	// parse).
	Warnings source.List
}

// Node is one element that executes.
type Node struct {
	Index     int    // document order over Flow.Nodes
	ID        string // explicit id, or generated "<tag>#<n>"
	Generated bool
	Tag       string // element name ("source", "if", ...)
	Type      string // data node type ("http"), "" otherwise
	Kind      string // "source/http" for data nodes, else the tag
	Spec      *fields.Element

	TagSpan source.Span // '<' and the tag name (whole-node diagnostics)
	Span    source.Span // the whole element

	// Fields holds the fields set in the file by canonical name.
	Fields map[string]*Field
	// FieldOrder lists the set fields in written order.
	FieldOrder []string

	Scope *Scope // the scope this node belongs to
	Phase *Phase // innermost enclosing phase, or nil
	// Parent is the container node whose scope holds this node (nil at
	// top level).
	Parent *Node

	// Scopes are a container's inner node lists: then/else, match/case/
	// otherwise arms, a loop body, parallel branches, a timeout body.
	Scopes []*Scope

	// Subs are the non-node child elements (action, bind, arg, set key,
	// set field), in document order.
	Subs []*Sub
	// OnError is the node's <on-error>, or nil.
	OnError *OnError

	// Handler is true for a node named by a <fallback node> or an
	// on-timeout field (nodes.md §8.2): it runs only when invoked.
	Handler bool
	// GotoTarget is true when some goto or checkpoint action targets it.
	GotoTarget bool
}

// Field returns the field named name (canonical), or nil when not set.
func (n *Node) Field(name string) *Field {
	if n == nil {
		return nil
	}
	return n.Fields[name]
}

// Label is "id" for explicit ids and the generated id otherwise.
func (n *Node) Label() string { return n.ID }

// IsLeaf reports whether the node holds a slot when it runs (data nodes,
// set, context, output, goto, break).
func (n *Node) IsLeaf() bool { return n.Spec == nil || !n.Spec.Container }

// Field is one field value set in the file, converted to its kind.
type Field struct {
	Spec *fields.Field
	Name string // canonical name

	// Raw is the text as written (after entity decoding and dedent), for
	// inspect and definition hashes.
	Raw string
	// Span is the value's span (attribute value or text content); NameSpan
	// the attribute name or child tag.
	Span, NameSpan source.Span

	// Static is the converted value when it is known at validate time:
	// float64 for int/num/dur(ms)/size(bytes), bool, string (str, enum, id,
	// name, path), rate as units.Rate, []any/*value.Object for list/map whose
	// leaves hold no template.
	Static any
	// IsStatic is true when Static holds the value.
	IsStatic bool

	// Exactly one of these is set for dynamic values:
	Prog *expr.Program  // expr fields
	Tmpl *expr.Template // tmpl fields, and scalar kinds containing {{
	Tree *Tree          // map/list/any values holding templates
	Pat  *expr.Pattern  // match pattern
	Type *typedsl.Type  // schema fields
}

// Tree is a YAML-shaped value whose string leaves are templates: Value is
// one of nil, bool, float64, *expr.Template (a string leaf), []*Tree,
// or a map given by Keys/Items in order.
type Tree struct {
	Leaf  any
	Items []*Tree
	Keys  []string
	IsMap bool
	IsSeq bool
}

// Scope is a node list that runs as one unit (execution.md §2.3).
type Scope struct {
	// Name is the plan heading: "" for the top level, "then", "else",
	// "match 1: PATTERN", "case 2: WHEN", "otherwise", "body",
	// "branch 1", "on-workflow-error".
	Name string
	Tag  string // element that holds the list: workflow, then, else, match, case, otherwise, loop, while, foreach, branch, timeout, on-workflow-error
	// Owner is the container node (nil for the top level and
	// on-workflow-error).
	Owner *Node
	// Parent is the enclosing scope (nil for the top level).
	Parent *Scope
	// Nodes are the scope's nodes in document order; the nodes of phases
	// in this scope are included (phases are transparent).
	Nodes []*Node
	// Phases are the top-level phases of this scope in document order
	// (nested phases hang off Phase.Children).
	Phases []*Phase
	// Fields holds the arm's own fields: pattern for match, when for case.
	Fields map[string]*Field
	Span   source.Span // the element's start tag
	// Iterating is true for loop, while and foreach bodies.
	Iterating bool
}

// Phase is a <phase name> grouping.
type Phase struct {
	Name     string
	Span     source.Span
	Scope    *Scope
	Parent   *Phase
	Children []*Phase
	// Nodes are the nodes directly in this phase with their nested
	// phases' nodes, in document order.
	Nodes []*Node
	// Direct are the nodes directly in this phase (not in a nested phase).
	Direct []*Node
}

// Sub is a non-node child element with fields: action, bind, arg,
// set (context key / output field).
type Sub struct {
	Tag     string
	Spec    *fields.Element
	TagSpan source.Span
	Fields  map[string]*Field
}

// Field returns the sub-element's field by canonical name, or nil.
func (s *Sub) Field(name string) *Field { return s.Fields[name] }

// OnError is a node's error handling (nodes.md §8).
type OnError struct {
	Span         source.Span
	Retry        *Sub  // <retry> fields, or nil
	Fallback     *Node // handler node named by <fallback node>, or nil
	FallbackSpan source.Span
}

// Within reports whether scope s is, or is nested inside, scope outer.
func (s *Scope) Within(outer *Scope) bool {
	for c := s; c != nil; c = c.Parent {
		if c == outer {
			return true
		}
	}
	return false
}
