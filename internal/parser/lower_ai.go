package parser

import (
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/source"
)

// aiRules checks what an ai node takes from runtime.ai (nodes.md §2.8,
// format.md §2.6, §2.9): a model (the node's or runtime.ai.model, N304) and,
// without an api-key field, a declared secret named by
// runtime.ai.api_key_secret (N312). A secret named explicitly in the
// frontmatter is reported once, at the setting; the default name is
// reported at each node that relies on it.
func (l *lowerer) aiRules(n *ast.Node) {
	m := n.Fields
	if m["model"] == nil && !l.isFailed(m, "model") && l.fm.Runtime.AI.Model == "" {
		d := l.errAt(n.TagSpan, "N304", "missing required field %q on <%s>", "model", n.Tag)
		d.Hints = append(d.Hints, "set model on the node or runtime.ai.model in the frontmatter")
	}
	if m["api-key"] != nil || l.isFailed(m, "api-key") {
		return
	}
	ai := l.fm.Runtime.AI
	declared := l.fm.SecretNames()
	for _, s := range declared {
		if s == ai.APIKeySecret {
			return
		}
	}
	var d *source.Diagnostic
	if ai.APIKeySecretSpan != (source.Span{}) {
		for _, o := range l.flow.Nodes {
			if o == n {
				break
			}
			if o.Type == "ai" && o.Fields["api-key"] == nil && !l.isFailed(o.Fields, "api-key") {
				return // reported at the setting already
			}
		}
		d = l.errAt(ai.APIKeySecretSpan, "N312", "undeclared secret %q in \"runtime.ai.api_key_secret\"", ai.APIKeySecret)
	} else {
		d = l.errAt(n.TagSpan, "N312", "undeclared secret %q: the API key of ai nodes (runtime.ai.api_key_secret)", ai.APIKeySecret)
	}
	switch {
	case len(declared) == 0:
		d.Hints = append(d.Hints, "no secrets are declared")
	default:
		if _, ok := source.Suggest(ai.APIKeySecret, declared); ok {
			source.SuggestHint(d, ai.APIKeySecret, declared)
		} else {
			d.Hints = append(d.Hints, "declared secrets: "+strings.Join(declared, ", "))
		}
	}
	d.Hints = append(d.Hints, "declare it under \"secrets\", or set \"api-key\" on the node")
}
