// Package extract reads an http node's extract expression (spec
// nodes.md §2.2): JSONPath (RFC 9535) when it starts with "$", else
// JMESPath. The validator compiles it (Compile) and the http runtime
// applies it (Eval); both see the same errors.
package extract

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	jmespath "github.com/jmespath-community/go-jmespath"
	"github.com/jmespath-community/go-jmespath/pkg/parsing"
	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"

	"github.com/flowscript/flowscript/internal/value"
)

// Eval applies expr to a parsed body (nodes.md §2.2): JSONPath
// (RFC 9535) when it starts with "$" (a singular query gives its value or
// null, any other the list of matches), else JMESPath.
//
// Both libraries work on map[string]any, which has no key order. The body
// is converted once; objects that come back unchanged are mapped to the
// original *value.Object (same map, same object), so their key order is
// kept. Lists of matches that walked objects (wildcards, descendants,
// filters) are put in document order. Objects built by a JMESPath
// multiselect hash take the order written in the expression; any other new
// object (merge(), ...) gets sorted keys. JMESPath's object projections
// (`*`, values()) follow Go map order, which is not stable: use keys the
// API returns in arrays, or JSONPath, when the order matters.
// Errors: an *Error when expr does not compile, else a JMESPath failure
// while it runs.
func Eval(expr string, body any) (any, error) {
	c, err := compile(expr)
	if err != nil {
		return nil, err
	}
	switch c := c.(type) {
	case *jsonpath.Path:
		return jsonPathExtract(c, body), nil
	case *jmesCompiled:
		return jmesPathExtract(strings.TrimSpace(expr), c, body)
	}
	return nil, fmt.Errorf("invalid expression %s", quote(expr))
}

// quote returns s in double quotes, JSON-escaped.
func quote(s string) string { return string(value.AppendQuoted(nil, s)) }

// Error is an extract expression that does not compile.
type Error struct {
	// Lang is "JSONPath" or "JMESPath".
	Lang string
	// Expr is the expression, without surrounding blanks.
	Expr string
	// Problem says what is wrong and where, without the query library's
	// token names: `unexpected "[" at position 4` (positions count
	// characters from 1).
	Problem string
	// Err is the query library's error.
	Err error
}

// Error returns `invalid JMESPath "id[[": unexpected "[" at position 4`.
func (e *Error) Error() string {
	return fmt.Sprintf("invalid %s %s: %s", e.Lang, quote(e.Expr), e.Problem)
}

// Unwrap returns the query library's error.
func (e *Error) Unwrap() error { return e.Err }

// Compile checks an extract expression the way Eval reads it: JSONPath
// when it starts with "$", else JMESPath, surrounding blanks ignored. It
// returns nil or an *Error. The validator calls it so that a bad
// expression is found before any request is sent.
func Compile(expr string) error {
	_, err := compile(expr)
	return err
}

// extractCache holds compiled expressions by text (extract is usually a
// constant, evaluated once per request).
var extractCache sync.Map // string -> *jsonpath.Path or *jmesCompiled

type jmesCompiled struct {
	prog   jmespath.JMESPath
	hashes [][]string // key lists of the multiselect hashes, in written order
}

// compile returns the compiled expression, a *jsonpath.Path or a
// *jmesCompiled, or an *Error.
func compile(expr string) (any, error) {
	expr = strings.TrimSpace(expr)
	if c, ok := extractCache.Load(expr); ok {
		return c, nil
	}
	var c any
	if strings.HasPrefix(expr, "$") {
		p, err := jsonpath.Parse(expr)
		if err != nil {
			return nil, &Error{Lang: "JSONPath", Expr: expr, Problem: jsonPathProblem(err), Err: err}
		}
		c = p
	} else {
		ast, err := parsing.NewParser().Parse(expr)
		if err == nil {
			var prog jmespath.JMESPath
			if prog, err = jmespath.Compile(expr); err == nil {
				jc := &jmesCompiled{prog: prog}
				collectHashKeys(ast, &jc.hashes)
				c = jc
			}
		}
		if err != nil {
			return nil, &Error{Lang: "JMESPath", Expr: expr, Problem: jmesPathProblem(expr, err), Err: err}
		}
	}
	extractCache.Store(expr, c)
	return c, nil
}

// jsonPathProblem is a JSONPath parse error without the library's
// "jsonpath: " prefix; its messages already say "unexpected '[' at
// position 3".
func jsonPathProblem(err error) string {
	msg := err.Error()
	if errors.Is(err, jsonpath.ErrPathParse) {
		msg = strings.TrimPrefix(msg, jsonpath.ErrPathParse.Error()+": ")
	}
	return msg
}

// jmesPathProblem words a JMESPath syntax error by the text at its offset
// (`unexpected "[" at position 4`, "unexpected end of expression"): the
// library's own messages name its token types (TOKStar, TOKLbracket).
func jmesPathProblem(expr string, err error) string {
	var se parsing.SyntaxError
	if !errors.As(err, &se) {
		return err.Error()
	}
	off := se.Offset
	if off >= len(expr) {
		return "unexpected end of expression"
	}
	off = max(off, 0)
	for off > 0 && !utf8.RuneStart(expr[off]) {
		off--
	}
	r, w := utf8.DecodeRuneInString(expr[off:])
	end := off + w
	if isIdentRune(r) {
		for end < len(expr) {
			r, w := utf8.DecodeRuneInString(expr[end:])
			if !isIdentRune(r) {
				break
			}
			end += w
		}
	}
	return fmt.Sprintf("unexpected %s at position %d", quote(expr[off:end]), utf8.RuneCountInString(expr[:off])+1)
}

// isIdentRune reports whether r continues a JMESPath unquoted identifier
// or number.
func isIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// jsonPathExtract applies a compiled JSONPath: a singular query gives its
// value or null, any other the list of matches in document order.
func jsonPathExtract(p *jsonpath.Path, body any) any {
	conv := newPlainConv(nil)
	plain := conv.toPlain(body)
	if p.Query().Singular() != nil {
		res := p.Select(plain)
		if len(res) == 0 {
			return nil
		}
		return conv.back(res[0])
	}
	located := p.SelectLocated(plain)
	if jsonPathWalksObjects(p.Query()) {
		positions := make(map[*spec.LocatedNode][]int, len(located))
		for _, n := range located {
			positions[n] = documentPosition(body, n.Path)
		}
		slices.SortStableFunc(located, func(a, b *spec.LocatedNode) int {
			return slices.Compare(positions[a], positions[b])
		})
	}
	out := make([]any, len(located))
	for i, n := range located {
		out[i] = conv.back(n.Node)
	}
	return out
}

// jsonPathWalksObjects reports whether q has a segment whose results over
// an object come in map order: descendant segments, wildcards and filters.
func jsonPathWalksObjects(q *spec.PathQuery) bool {
	for _, seg := range q.Segments() {
		if seg.IsDescendant() {
			return true
		}
		for _, sel := range seg.Selectors() {
			switch sel.(type) {
			case spec.WildcardSelector, *spec.FilterSelector:
				return true
			}
		}
	}
	return false
}

// documentPosition is the position of the node at path in v: member and
// item indexes from the root, compared lexicographically (a parent comes
// before its descendants).
func documentPosition(v any, path spec.NormalizedPath) []int {
	pos := make([]int, 0, len(path))
	for _, sel := range path {
		switch s := sel.(type) {
		case spec.Name:
			obj, _ := v.(*value.Object)
			if obj == nil {
				return pos
			}
			pos = append(pos, slices.Index(obj.Keys(), string(s)))
			v, _ = obj.Get(string(s))
		case spec.Index:
			arr, _ := v.([]any)
			if int(s) < 0 || int(s) >= len(arr) {
				return pos
			}
			pos = append(pos, int(s))
			v = arr[s]
		}
	}
	return pos
}

// jmesPathExtract applies a compiled JMESPath expression (expr is its
// text, for errors).
func jmesPathExtract(expr string, jc *jmesCompiled, body any) (any, error) {
	conv := newPlainConv(jc.hashes)
	res, err := jc.prog.Search(conv.toPlain(body))
	if err != nil {
		return nil, fmt.Errorf("JMESPath %s failed: %w", quote(expr), err)
	}
	return conv.back(res), nil
}

func collectHashKeys(n parsing.ASTNode, out *[][]string) {
	if n.NodeType == parsing.ASTMultiSelectHash {
		keys := make([]string, 0, len(n.Children))
		for _, c := range n.Children {
			if k, ok := c.Value.(string); ok {
				keys = append(keys, k)
			}
		}
		*out = append(*out, keys)
	}
	for _, c := range n.Children {
		collectHashKeys(c, out)
	}
}

// plainConv converts values to plain Go data for the query libraries and
// back, remembering which map came from which object.
type plainConv struct {
	orig   map[uintptr]*value.Object
	hashes [][]string
}

func newPlainConv(hashes [][]string) *plainConv {
	return &plainConv{orig: map[uintptr]*value.Object{}, hashes: hashes}
}

func (pc *plainConv) toPlain(v any) any {
	switch x := v.(type) {
	case *value.Object:
		m := make(map[string]any, x.Len())
		for _, k := range x.Keys() {
			it, _ := x.Get(k)
			m[k] = pc.toPlain(it)
		}
		pc.orig[reflect.ValueOf(m).Pointer()] = x
		return m
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = pc.toPlain(it)
		}
		return out
	}
	return v
}

func (pc *plainConv) back(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if o, ok := pc.orig[reflect.ValueOf(x).Pointer()]; ok {
			return o
		}
		keys := pc.keyOrder(x)
		o := value.NewObject(len(keys))
		for _, k := range keys {
			o.Set(k, pc.back(x[k]))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = pc.back(it)
		}
		return out
	case nil, bool, float64, string:
		return v
	}
	return value.FromGo(v)
}

// keyOrder is the written order of a multiselect hash with exactly these
// keys, else the sorted keys.
func (pc *plainConv) keyOrder(m map[string]any) []string {
	for _, h := range pc.hashes {
		if len(h) != len(m) {
			continue
		}
		all := true
		for _, k := range h {
			if _, ok := m[k]; !ok {
				all = false
				break
			}
		}
		if all {
			return h
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
