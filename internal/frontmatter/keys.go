package frontmatter

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/source"
)

// Known keys of each FlowScript mapping, snake_case, in the order of the
// spec (the order of suggestions).
var (
	topKeys     = []string{"name", "version", "description", "trigger", "config", "secrets", "env", "input", "output", "runtime", "tests", "metadata"}
	triggerKeys = []string{"manual", "schedule", "webhook", "watch"}
	webhookKeys = []string{"path", "auth"}
	watchKeys   = []string{"paths", "events"}
	configKeys  = []string{"type", "default", "required", "enum", "description"}
	secretKeys  = []string{"name", "env", "required", "description"}
	fieldKeys   = []string{"type", "required", "default", "description", "enum"}
	runtimeKeys = []string{"timeout", "concurrency", "scheduler", "retry", "log", "timezone", "ai"}
	retryKeys   = []string{"max", "backoff", "base", "max_delay", "jitter", "when"}
	logKeys     = []string{"keep"}
	aiKeys      = []string{"base_url", "api_key_secret", "model", "token_budget"}
)

// canonical returns the snake_case key of known that key spells in
// snake_case, kebab-case or camelCase.
func canonical(key string, known []string) (string, bool) {
	for _, k := range known {
		if key == k || key == strings.ReplaceAll(k, "_", "-") || key == camel(k) {
			return k, true
		}
	}
	return "", false
}

// camel converts snake_case to camelCase: max_delay → maxDelay.
func camel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// entry is one key of a FlowScript mapping with its canonical name.
type entry struct {
	name     string
	key, val *yaml.Node
}

// fields decodes the keys of a FlowScript mapping. Unknown keys are F107
// with a suggestion; where names the mapping in the message ("" for the top
// level). A key repeated under another spelling is F110; a key repeated
// exactly was reported by checkDuplicates and is skipped here.
func (d *decoder) fields(n *yaml.Node, known []string, where string) []entry {
	var out []entry
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name, ok := canonical(k.Value, known)
		if !ok {
			var diag *source.Diagnostic
			if where == "" {
				diag = d.add(k, "F107", "unknown frontmatter key %q", k.Value)
			} else {
				diag = d.add(k, "F107", "unknown key %q in %s", k.Value, where)
			}
			source.SuggestHint(diag, k.Value, known)
			continue
		}
		if first, dup := seen[name]; dup {
			if first.Value != k.Value {
				d.add(k, "F110", "duplicate key %q (same as %q)", k.Value, first.Value).
					Hints = []string{fmt.Sprintf("first defined on line %d", d.line(first))}
			}
			continue
		}
		seen[name] = k
		out = append(out, entry{name: name, key: k, val: resolve(v)})
	}
	return out
}
