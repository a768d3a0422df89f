package frontmatter

import (
	"fmt"
	"strings"

	"github.com/flowscript/flowscript/internal/value"
)

// ResolveConfigValues resolves config from typed values (a sub-workflow's
// `config` map, a test case's config): each given key must be declared and
// of its type; the others take their defaults. what names the source in
// messages ("config of include \"users\"").
func ResolveConfigValues(fm *Frontmatter, values *value.Object, what string) (*value.Object, []*UsageError) {
	var errs []*UsageError
	given := map[string]any{}
	for _, k := range values.Keys() {
		e := fm.ConfigEntry(k)
		if e == nil {
			errs = append(errs, unknownKey(what, k, fm))
			continue
		}
		x, _ := values.Get(k)
		if u := checkConfigValue(what+" "+k, e, x); u != nil {
			errs = append(errs, u)
			continue
		}
		given[k] = x
	}
	out, more := completeConfig(fm, given, what)
	return out, append(errs, more...)
}

// completeConfig fills the keys not given with their defaults, in
// declaration order, and reports required keys left null.
func completeConfig(fm *Frontmatter, given map[string]any, what string) (*value.Object, []*UsageError) {
	var errs []*UsageError
	out := value.NewObject(len(fm.Config))
	for _, e := range fm.Config {
		v, ok := given[e.Key]
		if !ok && e.HasDefault {
			v = e.Default
		}
		if v == nil && e.Required {
			errs = append(errs, &UsageError{
				Message: fmt.Sprintf("%s %s: a value is required", what, e.Key),
				Hints:   []string{fmt.Sprintf("pass --config %s=VALUE", e.Key)},
			})
		}
		out.Set(e.Key, v)
	}
	return out, errs
}

// SubValues resolves a sub-workflow's config (its defaults plus the
// including node's values) and checks its input (nodes.md §6). The error
// names the sub-workflow file.
func SubValues(fm *Frontmatter, file string, cfg *value.Object, input *value.Object) (*value.Object, any, error) {
	if cfg == nil {
		cfg = value.NewObject(0)
	}
	conf, errs := ResolveConfigValues(fm, cfg, "config")
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("%s: %s", file, errs[0].Message)
	}
	in, problems := CheckInput(fm, any(input))
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("%s: %s", file, strings.Join(problems, "; "))
	}
	return conf, in, nil
}
