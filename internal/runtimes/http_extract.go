package runtimes

import (
	"reflect"
	"slices"
	"strings"
	"sync"

	jmespath "github.com/jmespath-community/go-jmespath"
	"github.com/jmespath-community/go-jmespath/pkg/parsing"
	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"

	"github.com/flowscript/flowscript/internal/value"
)

// httpExtract applies extract to a parsed body (nodes.md §2.2): JSONPath
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
func httpExtract(expr string, body any) (any, error) {
	expr = strings.TrimSpace(expr)
	if strings.HasPrefix(expr, "$") {
		return jsonPathExtract(expr, body)
	}
	return jmesPathExtract(expr, body)
}

// extractCache holds compiled expressions by text (extract is usually a
// constant, evaluated once per request).
var extractCache sync.Map // string -> *jsonpath.Path or *jmesCompiled

type jmesCompiled struct {
	prog   jmespath.JMESPath
	hashes [][]string // key lists of the multiselect hashes, in written order
}

func jsonPathExtract(expr string, body any) (any, error) {
	var p *jsonpath.Path
	if c, ok := extractCache.Load(expr); ok {
		p = c.(*jsonpath.Path)
	} else {
		var err error
		if p, err = jsonpath.Parse(expr); err != nil {
			e := Errorf("R601", false, "extract: invalid JSONPath %s: %v", quote(expr), err)
			e.Cause = err
			return nil, e
		}
		extractCache.Store(expr, p)
	}
	conv := newPlainConv(nil)
	plain := conv.toPlain(body)
	if p.Query().Singular() != nil {
		res := p.Select(plain)
		if len(res) == 0 {
			return nil, nil
		}
		return conv.back(res[0]), nil
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
	return out, nil
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

func jmesPathExtract(expr string, body any) (any, error) {
	var jc *jmesCompiled
	if c, ok := extractCache.Load(expr); ok {
		jc = c.(*jmesCompiled)
	} else {
		ast, err := parsing.NewParser().Parse(expr)
		if err == nil {
			var prog jmespath.JMESPath
			if prog, err = jmespath.Compile(expr); err == nil {
				jc = &jmesCompiled{prog: prog}
				collectHashKeys(ast, &jc.hashes)
			}
		}
		if err != nil {
			e := Errorf("R601", false, "extract: invalid JMESPath %s: %v", quote(expr), err)
			e.Cause = err
			return nil, e
		}
		extractCache.Store(expr, jc)
	}
	conv := newPlainConv(jc.hashes)
	res, err := jc.prog.Search(conv.toPlain(body))
	if err != nil {
		e := Errorf("R601", false, "extract: JMESPath %s failed: %v", quote(expr), err)
		e.Cause = err
		return nil, e
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
