package frontmatter

import (
	"fmt"

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
	out := value.NewObject(len(fm.Config))
	for _, e := range fm.Config {
		v, ok := given[e.Key]
		if !ok && e.HasDefault {
			v = e.Default
		}
		if v == nil && e.Required {
			errs = append(errs, &UsageError{Message: fmt.Sprintf("%s %s: a value is required", what, e.Key)})
		}
		out.Set(e.Key, v)
	}
	return out, errs
}
