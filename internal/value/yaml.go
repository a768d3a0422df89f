package value

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limits of YAML alias expansion. yaml.v3 builds a node tree in which an
// alias points at its anchored node, so a document can refer to itself
// (a: &x [1, *x]) or expand exponentially ("billion laughs": nine levels of
// ten aliases to the level below are a 520-byte file and a billion
// values). FromYAML refuses both: an alias inside the node it names is an
// error, and the values produced by expanding aliases are budgeted. Real
// files reuse anchors for a few defaults and stay far below these limits;
// the budgets only stop documents built to explode.
const (
	// YAMLMaxAliasNodes is the most nodes (scalars, sequences, mappings)
	// that one document may produce through aliases, nested aliases
	// included; yaml.v3's own decoder stops at about 400,000.
	YAMLMaxAliasNodes = 1_000_000
	// YAMLMaxAliasBytes is the most scalar text (bytes) that one document
	// may produce through aliases: 64 MiB, the memory budget of one
	// expression (expressions.md §7).
	YAMLMaxAliasBytes = 64 << 20
	// YAMLMaxDepth is the deepest nesting of sequences and mappings,
	// aliases expanded, that FromYAML follows (yaml.v3's parser stops at
	// the same depth).
	YAMLMaxDepth = 10_000
)

// YAMLError is a problem FromYAML finds in a parsed YAML document: an alias
// that refers to itself, an alias expansion or nesting over the limits
// above, or a merge key whose value is not a mapping. Error has yaml.v3's form,
// "yaml: line N: message".
type YAMLError struct {
	// Node is the node at fault (an alias, a merge value, the node too
	// deep), for
	// callers that map yaml positions into their own file.
	Node *yaml.Node
	// Line and Column locate the node (1-based), as Node.Line and
	// Node.Column.
	Line, Column int
	// Msg says what is wrong, without the position.
	Msg string
}

// Error returns "yaml: line N: message", like yaml.v3's syntax errors.
func (e *YAMLError) Error() string {
	return fmt.Sprintf("yaml: line %d: %s", e.Line, e.Msg)
}

// FromYAML converts a decoded yaml.v3 node into a value, keeping mapping
// order. Integers and floats become float64; timestamps stay strings.
// Aliases are expanded (within YAMLMaxAliasNodes and YAMLMaxAliasBytes; an
// alias inside the node it names is a *YAMLError) and merge keys ("<<: *a",
// "<<: [*a, *b]") are applied: the merged mappings' keys go where the merge
// key stands, keys written in the mapping itself win, and among merged
// mappings the earlier one wins. A quoted "<<" is an ordinary key.
func FromYAML(n *yaml.Node) (any, error) {
	c := yamlConverter{}
	return c.convert(n, 0)
}

// yamlConverter walks one node tree, tracking the anchored nodes being
// converted (to find recursive aliases) and the alias budgets.
type yamlConverter struct {
	// open holds the anchored nodes on the current path.
	open map[*yaml.Node]bool
	// inAlias counts the aliases on the current path; nodes converted
	// while it is positive count against the budgets.
	inAlias int
	// outer is the outermost alias on the current path (the position
	// of a budget error).
	outer      *yaml.Node
	aliasNodes int
	aliasBytes int
}

func (c *yamlConverter) convert(n *yaml.Node, depth int) (any, error) {
	if n == nil {
		return nil, nil
	}
	if c.inAlias > 0 {
		c.aliasNodes++
		if n.Kind == yaml.ScalarNode {
			c.aliasBytes += len(n.Value)
		}
		if c.aliasNodes > YAMLMaxAliasNodes || c.aliasBytes > YAMLMaxAliasBytes {
			return nil, &YAMLError{Node: c.outer, Line: c.outer.Line, Column: c.outer.Column, Msg: fmt.Sprintf("aliases expand to more than %d values or %d MiB of text", YAMLMaxAliasNodes, YAMLMaxAliasBytes>>20)}
		}
	}
	if depth > YAMLMaxDepth {
		return nil, &YAMLError{Node: n, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("nesting deeper than %d levels", YAMLMaxDepth)}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth)
	case yaml.AliasNode:
		return c.alias(n, depth)
	case yaml.SequenceNode:
		c.enter(n)
		defer c.leave(n)
		out := make([]any, 0, len(n.Content))
		for _, it := range n.Content {
			v, err := c.convert(it, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		c.enter(n)
		defer c.leave(n)
		return c.mapping(n, depth)
	case yaml.ScalarNode:
		return ScalarFromYAML(n)
	}
	return nil, nil
}

// alias converts the node an alias names, refusing an alias inside that
// node.
func (c *yamlConverter) alias(n *yaml.Node, depth int) (any, error) {
	target := n.Alias
	if target == nil {
		return nil, &YAMLError{Node: n, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("unknown anchor %q referenced", n.Value)}
	}
	if c.open[target] {
		return nil, &YAMLError{Node: n, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("alias *%s refers to itself", n.Value)}
	}
	if c.inAlias == 0 {
		c.outer = n
	}
	c.inAlias++
	defer func() { c.inAlias-- }()
	return c.convert(target, depth)
}

// enter marks an anchored collection as being converted; an anchored node
// can only be entered again through an alias inside it.
func (c *yamlConverter) enter(n *yaml.Node) {
	if n.Anchor == "" {
		return
	}
	if c.open == nil {
		c.open = map[*yaml.Node]bool{}
	}
	c.open[n] = true
}

func (c *yamlConverter) leave(n *yaml.Node) {
	if n.Anchor != "" {
		delete(c.open, n)
	}
}

// mapping converts a mapping node, applying merge keys.
func (c *yamlConverter) mapping(n *yaml.Node, depth int) (any, error) {
	o := NewObject(len(n.Content) / 2)
	var own, merged map[string]bool // keys written in n itself and keys merged in, when n merges
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, vn := n.Content[i], n.Content[i+1]
		if isYAMLMerge(k) {
			if own == nil {
				own, merged = ownKeys(n), map[string]bool{}
			}
			if err := c.merge(o, vn, own, merged, depth); err != nil {
				return nil, err
			}
			continue
		}
		v, err := c.convert(vn, depth+1)
		if err != nil {
			return nil, err
		}
		o.Set(yamlKey(k), v)
	}
	return o, nil
}

// merge adds the keys of the mapping (or sequence of mappings) m to o,
// skipping the keys in own and the keys an earlier merged mapping gave.
func (c *yamlConverter) merge(o *Object, m *yaml.Node, own, merged map[string]bool, depth int) error {
	var sources []*yaml.Node
	if m.Kind == yaml.SequenceNode {
		sources = m.Content
	} else {
		sources = []*yaml.Node{m}
	}
	for _, s := range sources {
		t := s
		if t.Kind == yaml.AliasNode && t.Alias != nil {
			t = t.Alias
		}
		if t.Kind != yaml.MappingNode {
			return &YAMLError{Node: s, Line: s.Line, Column: s.Column, Msg: "map merge requires map or sequence of maps as the value"}
		}
		v, err := c.convert(s, depth+1)
		if err != nil {
			return err
		}
		mo, ok := v.(*Object)
		if !ok {
			return &YAMLError{Node: s, Line: s.Line, Column: s.Column, Msg: "map merge requires map or sequence of maps as the value"}
		}
		for i, k := range mo.keys {
			if own[k] || merged[k] {
				continue
			}
			merged[k] = true
			o.Set(k, mo.vals[i])
		}
	}
	return nil
}

// ownKeys returns the keys a mapping node writes itself (not merge keys).
func ownKeys(n *yaml.Node) map[string]bool {
	own := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !isYAMLMerge(k) {
			own[yamlKey(k)] = true
		}
	}
	return own
}

// isYAMLMerge reports whether a mapping key is the merge key: a plain
// "<<" (yaml.v3 tags it !!merge) or one tagged !!merge explicitly.
func isYAMLMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// yamlKey returns the text of a mapping key, following an alias to a
// scalar.
func yamlKey(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode && k.Alias != nil && k.Alias.Kind == yaml.ScalarNode {
		return k.Alias.Value
	}
	return k.Value
}

// ScalarFromYAML converts one scalar node by its resolved tag.
func ScalarFromYAML(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, err
		}
		return b, nil
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		i, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			var f float64
			if err2 := n.Decode(&f); err2 != nil {
				return nil, fmt.Errorf("invalid integer %q", n.Value)
			}
			return f, nil
		}
		return float64(i), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("number %q is not finite", n.Value)
		}
		return f, nil
	default:
		return n.Value, nil
	}
}

// ParseYAML decodes the first YAML document of text into a value.
func ParseYAML(text []byte) (any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(text, &n); err != nil {
		return nil, err
	}
	return FromYAML(&n)
}

// ToYAMLNode converts a value to a yaml.v3 node tree (for writing YAML with
// two-space indentation while keeping key order).
func ToYAMLNode(v any) *yaml.Node {
	switch x := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case float64:
		tag := "!!float"
		if x == math.Trunc(x) && math.Abs(x) < 1e21 {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: FormatNumber(x)}
	case string:
		return yamlString(x)
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, it := range x {
			n.Content = append(n.Content, ToYAMLNode(it))
		}
		return n
	case *Object:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for i, k := range x.keys {
			n.Content = append(n.Content, yamlString(k), ToYAMLNode(x.vals[i]))
		}
		return n
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// yamlString is the node of a string. yaml.v3 already quotes a string that
// would read back as another type ("true", "1", "null"), but not "<<",
// which a reader takes for the merge key: that one is written quoted.
func yamlString(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if s == "<<" {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}
