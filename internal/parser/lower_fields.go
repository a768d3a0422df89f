package parser

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/extract"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/value"
)

// convertTree converts a map, list or any-kind value: YAML (child
// element or group key), YAML flow syntax or a comma list (attribute), or
// one whole-value template.
func (l *lowerer) convertTree(f *ast.Field, fs *fields.Field, src textSrc, nm *expr.Names, pm func(int) int) *ast.Field {
	text := strings.TrimSpace(src.raw)
	wholeTemplate := func() *ast.Field {
		t, errs := expr.CompileTemplate(src.raw, pm, nm)
		if len(errs) > 0 {
			l.addExprErrors(errs)
			return nil
		}
		f.Tmpl = t
		return f
	}
	var node *yaml.Node
	var ytext *Text
	switch {
	case src.yaml != nil:
		node = src.yaml
		ytext = src.text // the block the node was parsed from
	case src.attr:
		switch {
		case strings.HasPrefix(text, "{{"):
			return wholeTemplate()
		case strings.HasPrefix(text, "{") || strings.HasPrefix(text, "["):
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(src.raw), &doc); err != nil {
				l.errAt(src.span, "N305", "invalid %s for %q: %s", fs.Kind, fs.Name, yamlMsg(err))
				return nil
			}
			if len(doc.Content) > 0 {
				node = doc.Content[0]
			}
		case fs.Kind == fields.List:
			items := []*ast.Tree{}
			var static []any
			off := 0
			for _, part := range strings.Split(src.raw, ",") {
				item := strings.TrimSpace(part)
				lead := strings.Index(part, item)
				if item != "" {
					t, errs := expr.CompileTemplate(item, shift(pm, off+lead), nm)
					if len(errs) > 0 {
						l.addExprErrors(errs)
						return nil
					}
					items = append(items, &ast.Tree{Leaf: t})
					static = append(static, literalText(item))
					if !t.IsLiteral() {
						static = nil
					}
				}
				off += len(part) + 1
			}
			if static != nil || len(items) == 0 {
				if static == nil {
					static = []any{}
				}
				f.Static, f.IsStatic = static, true
			}
			f.Tree = &ast.Tree{IsSeq: true, Items: items}
			return f
		case fs.Kind == fields.Any:
			return wholeTemplate()
		default:
			d := l.errAt(src.span, "N305", "field %q expects a mapping", fs.Name)
			d.Hints = append(d.Hints, `write {key: value} or a child element with YAML`)
			return nil
		}
	case src.text != nil:
		if strings.HasPrefix(text, "{{") && !strings.Contains(text, "\n") && fs.Kind != fields.Any {
			return wholeTemplate()
		}
		root, diags := ParseYAMLText(l.f, src.text)
		if len(diags) > 0 {
			l.diags.Append(diags...)
			return nil
		}
		node = root
		ytext = src.text
		if node != nil && node.Kind == yaml.DocumentNode {
			if len(node.Content) == 0 {
				node = nil
			} else {
				node = node.Content[0]
			}
		}
	}
	if node == nil {
		node = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	}
	// base maps offsets in the text of node n into the file.
	base := func(n *yaml.Node) func(int) int {
		quoted := 0
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			quoted = 1
		}
		switch {
		case ytext != nil:
			return identity(YAMLOffset(ytext, n) + quoted)
		case src.attr && n.Line > 0:
			// YAML flow syntax in an attribute: yaml.v3 counts lines
			// and columns in the attribute's text.
			return shift(pm, yamlIndex(src.raw, n.Line, n.Column)+quoted)
		}
		return pm
	}
	if !l.checkAliases(fs, node, base) {
		return nil
	}
	for node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias // checkAliases ruled out a cycle
	}
	if node.Kind == yaml.ScalarNode && node.ShortTag() == "!!str" && fs.Kind == fields.List && !strings.HasPrefix(strings.TrimSpace(node.Value), "{{") {
		// A comma list written as text.
		s := src
		s.attr, s.text, s.yaml = true, nil, nil
		s.raw = node.Value
		if ytext != nil || src.attr {
			s.pm = base(node)
		}
		return l.convertTree(f, fs, s, nm, s.pm)
	}
	switch {
	case fs.Kind == fields.Map && node.Kind != yaml.MappingNode && !(node.Kind == yaml.ScalarNode && node.ShortTag() == "!!str" && strings.HasPrefix(strings.TrimSpace(node.Value), "{{")):
		if node.ShortTag() == "!!null" {
			f.Static, f.IsStatic = value.NewObject(0), true
			f.Tree = &ast.Tree{IsMap: true}
			return f
		}
		l.errAt(src.span, "N305", "field %q expects a mapping", fs.Name)
		return nil
	case fs.Kind == fields.List && node.Kind != yaml.SequenceNode && !(node.Kind == yaml.ScalarNode && node.ShortTag() == "!!str"):
		if node.ShortTag() == "!!null" {
			f.Static, f.IsStatic = []any{}, true
			f.Tree = &ast.Tree{IsSeq: true}
			return f
		}
		l.errAt(src.span, "N305", "field %q expects a list", fs.Name)
		return nil
	}
	tree, static, ok := l.yamlTree(node, nm, base)
	if !ok {
		return nil
	}
	f.Tree = tree
	if static != nil || tree.Leaf == nil && !tree.IsMap && !tree.IsSeq {
		if s, isStatic := static.(staticMark); isStatic {
			f.Static, f.IsStatic = s.v, true
		}
	}
	// A single string leaf is a whole template (whole-value rule).
	if !tree.IsMap && !tree.IsSeq {
		if t, isT := tree.Leaf.(*expr.Template); isT {
			f.Tmpl, f.Tree = t, nil
		}
	}
	return f
}

type staticMark struct{ v any }

func shift(pm func(int) int, by int) func(int) int {
	return func(i int) int { return pm(i + by) }
}

// checkAliases reports a YAML value that cannot be expanded: an alias
// inside the node it names, aliases expanding past value.FromYAML's
// budgets, nesting too deep, or a merge key whose value is not a mapping.
// The check is value.FromYAML itself, the converter the runtimes use for
// YAML, so a block that validates here also reads there. It runs only on
// values that hold an alias or a merge key; the problem is N305 at the node
// at fault.
func (l *lowerer) checkAliases(fs *fields.Field, n *yaml.Node, base func(*yaml.Node) func(int) int) bool {
	if !hasAliasOrMerge(n) {
		return true
	}
	_, err := value.FromYAML(n)
	var ye *value.YAMLError
	if !errors.As(err, &ye) {
		return true // scalar problems are reported by yamlTree
	}
	at := ye.Node
	if at == nil {
		at = n
	}
	l.errAt(yamlNodeSpan(at, base), "N305", "invalid value for %q: %s", fs.Name, ye.Msg)
	return false
}

// hasAliasOrMerge reports whether the YAML written for n (aliases not
// followed) holds an alias or a merge key.
func hasAliasOrMerge(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Kind == yaml.AliasNode {
		return true
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 && isMergeKey(c) {
			return true
		}
		if hasAliasOrMerge(c) {
			return true
		}
	}
	return false
}

// yamlNodeSpan is the span of a node's text: "*name" for an alias, the
// value of a scalar, else the node's first character.
func yamlNodeSpan(n *yaml.Node, base func(*yaml.Node) func(int) int) source.Span {
	pm := base(n)
	size := 1
	switch n.Kind {
	case yaml.AliasNode:
		size = 1 + len(n.Value)
	case yaml.ScalarNode:
		size = max(1, len(n.Value))
	}
	return source.Sp(pm(0), pm(size))
}

// isMergeKey reports whether a mapping key is YAML's merge key: a plain
// "<<" (yaml.v3 tags it !!merge) or one tagged !!merge explicitly.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// yamlTree builds a Tree from YAML; string leaves are templates. The
// second result is staticMark{value} when no leaf holds a segment.
// Aliases are followed and merge keys applied as value.FromYAML does
// (keys written in the mapping win, then the earlier merged mapping);
// checkAliases has ruled out cycles and explosive expansion.
func (l *lowerer) yamlTree(n *yaml.Node, nm *expr.Names, base func(*yaml.Node) func(int) int) (*ast.Tree, any, bool) {
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return &ast.Tree{}, staticMark{nil}, true
		}
		return l.yamlTree(n.Alias, nm, base)
	case yaml.MappingNode:
		t := &ast.Tree{IsMap: true}
		obj := value.NewObject(len(n.Content) / 2)
		allStatic := true
		var own, merged map[string]bool // when n merges: keys written in n, keys merged in
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			if isMergeKey(k) {
				if own == nil {
					own, merged = map[string]bool{}, map[string]bool{}
					for j := 0; j+1 < len(n.Content); j += 2 {
						if !isMergeKey(n.Content[j]) {
							own[yamlKeyText(n.Content[j])] = true
						}
					}
				}
				sources := []*yaml.Node{vn}
				if vn.Kind == yaml.SequenceNode {
					sources = vn.Content
				}
				for _, m := range sources {
					sub, st, ok := l.yamlTree(m, nm, base)
					if !ok {
						return nil, nil, false
					}
					var so *value.Object
					if sm, isS := st.(staticMark); isS {
						so, _ = sm.v.(*value.Object)
					}
					if so == nil {
						allStatic = false
					}
					for j, key := range sub.Keys {
						if own[key] || merged[key] {
							continue
						}
						merged[key] = true
						t.Keys = append(t.Keys, key)
						t.Items = append(t.Items, sub.Items[j])
						if so != nil {
							v, _ := so.Get(key)
							obj.Set(key, v)
						}
					}
				}
				continue
			}
			sub, st, ok := l.yamlTree(vn, nm, base)
			if !ok {
				return nil, nil, false
			}
			key := yamlKeyText(k)
			t.Keys = append(t.Keys, key)
			t.Items = append(t.Items, sub)
			if s, isS := st.(staticMark); isS {
				obj.Set(key, s.v)
			} else {
				allStatic = false
			}
		}
		if allStatic {
			return t, staticMark{obj}, true
		}
		return t, nil, true
	case yaml.SequenceNode:
		t := &ast.Tree{IsSeq: true}
		arr := make([]any, 0, len(n.Content))
		allStatic := true
		for _, c := range n.Content {
			sub, st, ok := l.yamlTree(c, nm, base)
			if !ok {
				return nil, nil, false
			}
			t.Items = append(t.Items, sub)
			if s, isS := st.(staticMark); isS {
				arr = append(arr, s.v)
			} else {
				allStatic = false
			}
		}
		if allStatic {
			return t, staticMark{arr}, true
		}
		return t, nil, true
	case yaml.ScalarNode:
		if n.ShortTag() == "!!str" && !strings.Contains(n.Value, "{{") {
			return &ast.Tree{Leaf: n.Value}, staticMark{n.Value}, true
		}
		if n.ShortTag() == "!!str" {
			tm, errs := expr.CompileTemplate(n.Value, base(n), nm)
			if len(errs) > 0 {
				l.addExprErrors(errs)
				return nil, nil, false
			}
			if tm.IsLiteral() {
				s := literalText(n.Value)
				return &ast.Tree{Leaf: s}, staticMark{s}, true
			}
			return &ast.Tree{Leaf: tm}, nil, true
		}
		v, err := value.ScalarFromYAML(n)
		if err != nil {
			l.errAt(source.Sp(base(n)(0), base(n)(0)+len(n.Value)), "N305", "invalid value %q: %v", n.Value, err)
			return nil, nil, false
		}
		return &ast.Tree{Leaf: v}, staticMark{v}, true
	}
	return &ast.Tree{}, staticMark{nil}, true
}

// yamlKeyText is the text of a mapping key, following an alias to a
// scalar (as value.FromYAML does).
func yamlKeyText(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode && k.Alias != nil && k.Alias.Kind == yaml.ScalarNode {
		return k.Alias.Value
	}
	return k.Value
}

func yamlMsg(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "yaml: ")
	return s
}

// groupBlock reads a group block (<request>, <message>, ...): each key of
// its YAML mapping is a field of the node.
func (l *lowerer) groupBlock(n *ast.Node, ch *Element) {
	if ch.Text == nil {
		return
	}
	for _, a := range ch.Attrs {
		l.errAt(a.NameSpan, "N303", "unknown attribute %q on <%s>", a.Name, ch.Name)
	}
	l.yamlFields(ch, n.Spec, func(fs *fields.Field, src textSrc) {
		if fs.Group != "" && fs.Group != ch.Name {
			d := l.errAt(src.nameSpan, "N303", "field %q does not belong in <%s>", fs.Name, ch.Name)
			d.Hints = append(d.Hints, fmt.Sprintf("write it in <%s> or as an attribute", fs.Group))
			return
		}
		l.setField(n.Fields, &n.FieldOrder, n, fs, src)
	}, func(key string, sp source.Span) {
		d := l.errAt(sp, "N303", "unknown field %q in <%s>", key, ch.Name)
		var cands []string
		for _, f := range n.Spec.Fields {
			if f.Group == ch.Name {
				cands = append(cands, f.Name)
			}
		}
		source.SuggestHint(d, key, cands)
	})
}

// yamlFields parses a text element as a YAML mapping of fields and calls
// set for each known key and unknown for the others.
func (l *lowerer) yamlFields(ch *Element, spec *fields.Element, set func(*fields.Field, textSrc), unknown func(string, source.Span)) {
	root, diags := ParseYAMLText(l.f, ch.Text)
	if len(diags) > 0 {
		l.diags.Append(diags...)
		return
	}
	node := root
	if node != nil && node.Kind == yaml.DocumentNode {
		if len(node.Content) == 0 {
			return
		}
		node = node.Content[0]
	}
	if node == nil || (node.Kind == yaml.ScalarNode && node.ShortTag() == "!!null") {
		return
	}
	if node.Kind != yaml.MappingNode {
		l.errAt(ch.Text.Span, "S213", "<%s> must hold a YAML mapping of fields", ch.Name)
		return
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		koff := YAMLOffset(ch.Text, k)
		ksp := source.Sp(koff, koff+len(k.Value))
		fs := l.fieldSpec(spec, k.Value)
		if fs == nil {
			unknown(k.Value, ksp)
			continue
		}
		voff := YAMLOffset(ch.Text, v)
		size := len(v.Value)
		if v.Kind == yaml.AliasNode {
			size++ // "*name"
		}
		vsp := source.Sp(voff, voff+max(1, size))
		if v.Kind == yaml.AliasNode && v.Alias != nil && v.Alias.Kind == yaml.ScalarNode {
			// An alias of a scalar is that scalar; the problems of its
			// value are reported at the alias, its template errors where
			// the text is written.
			v = v.Alias
		}
		start := YAMLOffset(ch.Text, v)
		if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			start++
		}
		src := textSrc{raw: v.Value, span: vsp, nameSpan: ksp, yaml: v, pm: identity(start), text: ch.Text}
		if v.Kind != yaml.ScalarNode {
			src.raw = ""
		}
		set(fs, src)
	}
}

// sub reads a non-node child element (action, bind, arg, set key/field).
func (l *lowerer) sub(n *ast.Node, cs *fields.Child, ch *Element) {
	spec := cs.Elem
	if spec == nil {
		spec = l.specOf(ch)
	}
	if spec == nil {
		return
	}
	count := 0
	for _, s := range n.Subs {
		if s.Tag == ch.Name {
			count++
		}
	}
	if cs.Max > 0 && count >= cs.Max {
		l.errAt(ch.TagSpan, "N302", "<%s> may hold at most %d <%s>", n.Tag, cs.Max, ch.Name)
		return
	}
	s := &ast.Sub{Tag: ch.Name, Spec: spec, TagSpan: ch.TagSpan, Fields: map[string]*ast.Field{}}
	l.subFields(n, s, ch)
	n.Subs = append(n.Subs, s)
}

func (l *lowerer) subFields(n *ast.Node, s *ast.Sub, ch *Element) {
	spec := s.Spec
	for _, a := range ch.Attrs {
		fs := l.fieldSpec(spec, a.Name)
		if fs == nil {
			d := l.errAt(a.NameSpan, "N303", "unknown attribute %q on <%s>", a.Name, ch.Name)
			source.SuggestHint(d, a.Name, spec.FieldNames())
			continue
		}
		l.setField(s.Fields, nil, n, fs, textSrc{raw: a.Value, span: a.ValueSpan, pm: a.Map, nameSpan: a.NameSpan, attr: true})
	}
	if spec.YAMLContent && ch.Text != nil {
		l.yamlFields(ch, spec, func(fs *fields.Field, src textSrc) {
			l.setField(s.Fields, nil, n, fs, src)
		}, func(key string, sp source.Span) {
			d := l.errAt(sp, "N303", "unknown field %q in <%s>", key, ch.Name)
			source.SuggestHint(d, key, spec.FieldNames())
		})
	}
	for _, c := range ch.Children {
		fs := l.fieldSpec(spec, c.Name)
		if fs == nil || c.Text == nil {
			d := l.errAt(c.TagSpan, "N301", "unknown element <%s> in <%s>", c.Name, ch.Name)
			source.SuggestHint(d, c.Name, spec.FieldNames())
			continue
		}
		l.setField(s.Fields, nil, n, fs, textSrc{raw: c.Text.Value, span: c.Text.Span, pm: c.Text.Map, nameSpan: c.NameSpan, text: c.Text, textEl: true})
	}
	l.requireFields(n, spec, s.Fields, ch.TagSpan)
	switch s.Tag {
	case "set", "bind", "arg":
		l.exactlyOne(s.Fields, ch.TagSpan, "<"+s.Tag+">", "value", "expr")
		if s.Tag == "set" && n.Tag == "context" {
			if k := s.Fields["key"]; k != nil && k.IsStatic {
				l.declare(k.Static.(string), k.Span, "context key")
			}
		}
	case "action":
		if g := s.Fields["goto"]; g != nil && g.IsStatic {
			if t := l.flow.ByID[g.Static.(string)]; t != nil {
				t.GotoTarget = true
			}
		}
	}
}

// onError reads <on-error> with at most one <retry> and one <fallback>.
func (l *lowerer) onError(n *ast.Node, ch *Element) {
	if !n.Spec.Node || !contains(n.Spec.Common, "on-error") {
		l.errAt(ch.TagSpan, "N302", "<on-error> is not allowed on <%s>", n.Tag)
		return
	}
	if n.OnError != nil {
		l.errAt(ch.TagSpan, "N302", "only one <on-error> is allowed")
		return
	}
	oe := &ast.OnError{Span: ch.TagSpan}
	n.OnError = oe
	for _, a := range ch.Attrs {
		l.errAt(a.NameSpan, "N303", "unknown attribute %q on <on-error>", a.Name)
	}
	for _, t := range ch.Texts {
		l.errAt(t.Span, "S211", "text is not allowed in <on-error>")
	}
	for _, c := range ch.Children {
		switch c.Name {
		case "retry":
			if oe.Retry != nil {
				l.errAt(c.TagSpan, "N302", "<on-error> may hold at most one <retry>")
				continue
			}
			s := &ast.Sub{Tag: "retry", Spec: l.cat.ByKind("retry"), TagSpan: c.TagSpan, Fields: map[string]*ast.Field{}}
			l.subFields(n, s, c)
			oe.Retry = s
		case "fallback":
			if oe.Fallback != nil || oe.FallbackSpan != (source.Span{}) {
				l.errAt(c.TagSpan, "N302", "<on-error> may hold at most one <fallback>")
				continue
			}
			oe.FallbackSpan = c.TagSpan
			s := &ast.Sub{Tag: "fallback", Spec: l.cat.ByKind("fallback"), TagSpan: c.TagSpan, Fields: map[string]*ast.Field{}}
			l.subFields(n, s, c)
			if f := s.Fields["node"]; f != nil && f.IsStatic {
				h := l.flow.ByID[f.Static.(string)]
				if h == n {
					l.errAt(f.Span, "N311", "node %q cannot be its own fallback", n.ID)
				} else if h != nil {
					h.Handler = true
					oe.Fallback = h
				}
			}
		default:
			l.unknownChild(c, ch)
		}
	}
}

func (l *lowerer) requireFields(n *ast.Node, spec *fields.Element, m map[string]*ast.Field, at source.Span) {
	for _, fs := range spec.Fields {
		if fs.RequiredIf != "" && m[fs.Name] == nil && !l.isFailed(m, fs.Name) && requiredIf(spec, m, fs.RequiredIf) {
			if fs.Name == "table" || fs.Name == "query" || fs.Name == "conflict-columns" || fs.Name == "key-columns" {
				continue // nodeRules words these by operation
			}
			l.errAt(at, "N304", "missing required field %q on <%s> (%s)", fs.Name, tagOf(spec), fs.RequiredIf)
			continue
		}
		if l.isFailed(m, fs.Name) {
			continue
		}
		if fs.Required && m[fs.Name] == nil {
			if fs.Name == "model" && l.fm.Runtime.AI.Model != "" {
				continue
			}
			l.errAt(at, "N304", "missing required field %q on <%s>", fs.Name, tagOf(spec))
		}
	}
}

func tagOf(spec *fields.Element) string {
	if spec.Tag != "" {
		return spec.Tag
	}
	return spec.Kind
}

func (l *lowerer) exactlyOne(m map[string]*ast.Field, at source.Span, what string, a, b string) {
	fa, fb := m[a], m[b]
	if l.isFailed(m, a) || l.isFailed(m, b) {
		return // the invalid value was reported already
	}
	switch {
	case fa == nil && fb == nil:
		l.errAt(at, "N304", "%s needs %q or %q", what, a, b)
	case fa != nil && fb != nil:
		l.errAt(fb.NameSpan, "N307", "%s takes %q or %q, not both", what, a, b)
	}
}

// nodeRules checks the per-element rules of nodes.md that a field schema
// cannot express.
func (l *lowerer) nodeRules(n *ast.Node, el *Element) {
	m := n.Fields
	switch {
	case n.Type == "exec":
		if m["args"] != nil && m["shell"] != nil {
			l.errAt(m["shell"].NameSpan, "N307", "\"shell\" cannot be used with \"args\"")
		}
	case n.Type == "http":
		l.httpRules(n)
	case n.Tag == "set":
		l.exactlyOne(m, n.TagSpan, "<set>", "value", "expr")
	case n.Tag == "output":
		hasSets := false
		for _, s := range n.Subs {
			if s.Tag == "set" {
				hasSets = true
			}
		}
		if hasSets && (m["value"] != nil || m["expr"] != nil) {
			l.errAt(n.TagSpan, "N307", "<output> takes a value or <set field> children, not both")
		} else if !hasSets {
			l.exactlyOne(m, n.TagSpan, "<output>", "value", "expr")
		}
	case n.Tag == "if":
		seen := map[string]bool{}
		for _, s := range n.Scopes {
			if seen[s.Tag] {
				l.errAt(s.Span, "N302", "<if> may hold only one <%s>", s.Tag)
			}
			seen[s.Tag] = true
		}
		if len(n.Scopes) == 0 {
			l.errAt(n.TagSpan, "N304", "<if> needs <then> or <else>")
		}
	case n.Tag == "branch":
		for i, s := range n.Scopes {
			if s.Tag == "otherwise" && i != len(n.Scopes)-1 {
				l.errAt(s.Span, "N302", "<otherwise> must be the last arm of <branch>")
			}
			if s.Tag == "match" && m["input"] == nil {
				l.errAt(n.TagSpan, "N304", "<branch> with <match> arms needs an \"input\"")
				break
			}
		}
		if len(n.Scopes) == 0 {
			l.errAt(n.TagSpan, "N304", "<branch> needs at least one arm")
		}
	case n.Tag == "parallel":
		if len(n.Scopes) < 2 {
			l.errAt(n.TagSpan, "N304", "<parallel> needs at least two <branch> elements")
		}
		l.waitRule(n)
	case n.Tag == "break":
		l.breakTarget(n)
	case n.Type == "ai":
		l.aiRules(n)
	case n.Type == "email":
		if (m["username"] == nil) != (m["password"] == nil) {
			l.errAt(n.TagSpan, "N304", "\"username\" and \"password\" go together")
		}
		if m["text"] == nil && m["html"] == nil {
			l.errAt(n.TagSpan, "N304", "an email needs \"text\" or \"html\"")
		}
	case n.Tag == "timeout":
		if f := m["on-timeout"]; f != nil && f.IsStatic {
			if h := l.flow.ByID[f.Static.(string)]; h != nil {
				h.Handler = true
			}
		}
	case n.Tag == "goto":
		if f := m["node"]; f != nil && f.IsStatic {
			if t := l.flow.ByID[f.Static.(string)]; t != nil {
				t.GotoTarget = true
			}
		}
	case n.Tag == "checkpoint":
		var actions []string
		for _, s := range n.Subs {
			if f := s.Fields["id"]; f != nil && f.IsStatic {
				actions = append(actions, f.Static.(string))
			}
		}
		if len(actions) == 0 {
			actions = []string{"approve", "reject"}
		}
		if f := m["default"]; f != nil && f.IsStatic && !contains(actions, f.Static.(string)) {
			d := l.errAt(f.Span, "N305", "default %q is not an action of this checkpoint", f.Static)
			source.SuggestHint(d, f.Static.(string), actions)
		}
	}
	if n.Type == "database" && n.Tag == "sink" {
		op := "insert"
		if f := m["operation"]; f != nil && f.IsStatic {
			op = f.Static.(string)
		}
		need := map[string]string{"upsert": "conflict-columns", "update": "key-columns", "exec": "query"}[op]
		if need != "" && m[need] == nil {
			l.errAt(n.TagSpan, "N304", "operation %q needs %q", op, need)
		}
		if op != "exec" && m["table"] == nil {
			l.errAt(n.TagSpan, "N304", "missing required field \"table\" on <sink>")
		}
	}
}

// httpRules checks what nodes.md §2.2 says of an http node beyond its
// field kinds: a written extract must compile as JSONPath or JMESPath
// (N305, checked by the runtime's own compiler, so nothing is sent
// before a bad expression fails), and "auth" cannot be combined with a
// written Authorization header (N307). A header that only a template
// produces, or one whose value is a template (it may render null, which
// drops the header), is left to the runtime.
func (l *lowerer) httpRules(n *ast.Node) {
	m := n.Fields
	if f := m["extract"]; f != nil && f.IsStatic {
		if text, _ := f.Static.(string); text != "" && !strings.Contains(text, "{{") {
			if err := extract.Compile(text); err != nil {
				d := l.errAt(f.Span, "N305", "%q: %v", "extract", err)
				d.Hints = append(d.Hints, `extract is JSONPath (RFC 9535) when it starts with "$", else JMESPath`)
			}
		}
	}
	a, h := m["auth"], m["headers"]
	if a == nil || h == nil || a.Tmpl != nil || !writesAuthorization(h) {
		return
	}
	at := a // the one written second
	if h.NameSpan.Start > a.NameSpan.Start {
		at = h
	}
	d := l.errAt(at.NameSpan, "N307", "\"auth\" cannot be used with an \"Authorization\" header")
	d.Hints = append(d.Hints, "\"auth\" sets the Authorization header itself; remove the header or \"auth\"")
}

// writesAuthorization reports whether a headers field holds an
// Authorization header (any case) whose value is known to be set: written
// and not null.
func writesAuthorization(h *ast.Field) bool {
	if h.IsStatic {
		obj, _ := h.Static.(*value.Object)
		if obj == nil {
			return false
		}
		for _, k := range obj.Keys() {
			if v, _ := obj.Get(k); v != nil && strings.EqualFold(strings.TrimSpace(k), "authorization") {
				return true
			}
		}
		return false
	}
	if h.Tree == nil || !h.Tree.IsMap {
		return false
	}
	for i, k := range h.Tree.Keys {
		if !strings.EqualFold(strings.TrimSpace(k), "authorization") {
			continue
		}
		it := h.Tree.Items[i]
		if _, tmpl := it.Leaf.(*expr.Template); it.IsMap || it.IsSeq || (it.Leaf != nil && !tmpl) {
			return true
		}
	}
	return false
}

// scopeFields compiles the arms' own fields (match pattern, case when).
func (l *lowerer) scopeFields(s *ast.Scope) {
	for _, n := range s.Nodes {
		for _, in := range n.Scopes {
			el := l.scopeEl[in]
			if el != nil && (in.Tag == "match" || in.Tag == "case") {
				spec := l.cat.ByKind(in.Tag)
				for _, a := range el.Attrs {
					var fs *fields.Field
					if spec != nil {
						fs = spec.Field(a.Name)
					}
					if fs == nil {
						d := l.errAt(a.NameSpan, "N303", "unknown attribute %q on <%s>", a.Name, in.Tag)
						if in.Tag == "match" {
							source.SuggestHint(d, a.Name, []string{"pattern"})
						} else {
							source.SuggestHint(d, a.Name, []string{"when"})
						}
						continue
					}
					f := &ast.Field{Spec: fs, Name: fs.Name, Raw: a.Value, Span: a.ValueSpan, NameSpan: a.NameSpan}
					nm := l.namesFor(n, "", false)
					pm := a.Map
					if pm == nil {
						pm = identity(a.ValueSpan.Start)
					}
					if in.Tag == "match" {
						p, errs := expr.CompilePattern(a.Value, pm, nm)
						if len(errs) > 0 {
							l.addExprErrors(errs)
							continue
						}
						f.Pat = p
						in.Name = "match " + strings.TrimPrefix(in.Name, "match ") + ": " + strings.TrimSpace(a.Value)
					} else {
						p, errs := expr.Compile(a.Value, pm, nm)
						if len(errs) > 0 {
							l.addExprErrors(errs)
							continue
						}
						f.Prog = p
						in.Name = in.Name + ": " + strings.TrimSpace(a.Value)
					}
					in.Fields[fs.Name] = f
				}
				need := "pattern"
				if in.Tag == "case" {
					need = "when"
				}
				if in.Fields[need] == nil && el != nil && attr(el, need) == nil {
					l.errAt(in.Span, "N304", "missing required field %q on <%s>", need, in.Tag)
				}
			}
			l.scopeFields(in)
		}
	}
	// Handlers never retry (nodes.md §8.2).
	for _, n := range s.Nodes {
		if n.Handler && n.OnError != nil && n.OnError.Retry != nil {
			l.errAt(n.OnError.Retry.TagSpan, "N302", "handler %q cannot have a <retry>", n.ID)
		}
	}
}

// requiredIf evaluates a condition "field=value" or "field!=value" on the
// static (or default) value of another field.
func requiredIf(spec *fields.Element, m map[string]*ast.Field, cond string) bool {
	neg := strings.Contains(cond, "!=")
	name, want, _ := strings.Cut(strings.Replace(cond, "!=", "=", 1), "=")
	got := ""
	if f := m[name]; f != nil {
		if !f.IsStatic {
			return false
		}
		got = fmt.Sprint(f.Static)
	} else if fs := spec.Field(name); fs != nil {
		got = strings.Trim(fs.Default, "`")
	}
	return (got == want) != neg
}

// isFailed reports whether field name of the field map m had an invalid
// value (already reported).
func (l *lowerer) isFailed(m map[string]*ast.Field, name string) bool {
	if len(l.failed) == 0 {
		return false
	}
	return l.failed[fmt.Sprintf("%p/%s", m, name)]
}

// waitRule checks a <parallel> wait (nodes.md §4.8): all, any or n(K) with
// 1 ≤ K ≤ the number of branches (N305).
func (l *lowerer) waitRule(n *ast.Node) {
	f := n.Fields["wait"]
	if f == nil || !f.IsStatic {
		return
	}
	text := strings.TrimSpace(f.Raw)
	branches := len(n.Scopes)
	if branches < 2 {
		branches = 0 // N304 already; K's upper bound is unknown
	}
	if _, problem := fields.CheckWait(text, branches); problem != "" {
		d := l.errAt(f.Span, "N305", "%s", problem)
		if _, _, ok := fields.ParseWait(text); ok {
			return // n(K) with K out of range: the message says the range
		}
		if lower := strings.ToLower(text); lower != text {
			if _, p := fields.CheckWait(lower, branches); p == "" {
				d.Hints = append(d.Hints, fmt.Sprintf("write %q", lower))
				d.Suggestion = lower
				return
			}
		}
		if branches > 0 {
			d.Hints = append(d.Hints, fmt.Sprintf("expected all, any or n(K) with K from 1 to %d", branches))
		} else {
			d.Hints = append(d.Hints, "expected all, any or n(K)")
		}
	}
}

// loopTags are the containers a <break> can end.
var loopTags = map[string]bool{"loop": true, "while": true, "foreach": true}

// breakTarget checks that the "loop" of a <break> names an enclosing loop,
// while or foreach (nodes.md §4.6, N311); the hint lists the enclosing
// loops that have ids, innermost first.
func (l *lowerer) breakTarget(n *ast.Node) {
	f := n.Fields["loop"]
	if f == nil || !f.IsStatic {
		return
	}
	id, _ := f.Static.(string)
	var enclosing []string
	inLoop := false
	for p := n.Parent; p != nil; p = p.Parent {
		if !loopTags[p.Tag] {
			continue
		}
		if p.ID == id && !p.Generated {
			return
		}
		inLoop = true
		if !p.Generated {
			enclosing = append(enclosing, p.ID)
		}
	}
	if !inLoop {
		return // N302: the <break> itself is misplaced
	}
	var d *source.Diagnostic
	if t := l.flow.ByID[id]; t != nil && !loopTags[t.Tag] {
		d = l.errAt(f.Span, "N311", "break target %q is a <%s>, not an enclosing loop, while or foreach", id, t.Tag)
	} else {
		d = l.errAt(f.Span, "N311", "break target %q does not enclose this <break>", id)
	}
	if len(enclosing) > 0 {
		d.Hints = append(d.Hints, "enclosing loops, innermost first: "+strings.Join(enclosing, ", "))
	} else {
		d.Hints = append(d.Hints, "the enclosing loops have no id; give one an id, or leave out \"loop\" to end the innermost")
	}
}
