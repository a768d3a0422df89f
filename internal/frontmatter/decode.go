package frontmatter

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/typedsl"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

var (
	versionRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	nameRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	identRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	badIdent  = regexp.MustCompile(`[^A-Za-z0-9_]`)
	cronParse = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
)

// configTypes are the values of a config entry's `type` (besides enum[…]).
var configTypes = []string{"string", "number", "integer", "boolean", "array", "object", "enum"}

type decoder struct {
	f     *source.File
	pm    posMap
	diags *source.List
	fm    *Frontmatter
	open  source.Span // the opening "---"
}

// add reports a diagnostic spanning node n.
func (d *decoder) add(n *yaml.Node, code, format string, args ...any) *source.Diagnostic {
	return d.diags.Add(d.f, d.pm.span(n), code, format, args...)
}

// line returns the file line of node n.
func (d *decoder) line(n *yaml.Node) int { return d.f.Position(d.pm.span(n).Start).Line }

// got describes a node's value for "got …" in messages: a quoted string,
// a number or boolean as written, null, a mapping, a list.
func got(n *yaml.Node) string {
	n = resolve(n)
	switch k := kindOf(n); k {
	case "a string":
		return string(value.AppendQuoted(nil, n.Value))
	case "a number", "a boolean":
		return n.Value
	default:
		return k
	}
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// top decodes the top-level mapping.
func (d *decoder) top(root *yaml.Node) {
	fm := d.fm
	var hasName, hasVersion bool
	for _, e := range d.fields(root, topKeys, "") {
		fm.Spans[e.name] = d.pm.span(e.key)
		v := e.val
		switch e.name {
		case "name":
			hasName = true
			d.name(v)
		case "version":
			hasVersion = true
			d.version(v)
		case "description":
			fm.Description, _ = d.str(v, "description")
		case "trigger":
			d.trigger(v)
		case "config":
			d.config(v)
		case "secrets":
			d.secrets(v)
		case "env":
			d.env(v)
		case "input":
			fm.Input = d.schema(v, "input")
		case "output":
			fm.Output = d.schema(v, "output")
		case "runtime":
			d.runtime(v)
		case "tests":
			if !isNull(v) && v.Kind != yaml.SequenceNode {
				d.add(v, "F109", `invalid "tests": expected a list, got %s`, got(v))
			} else if v.Kind == yaml.SequenceNode {
				fm.Tests = v
			}
		case "metadata":
			if !isNull(v) && v.Kind != yaml.MappingNode {
				d.add(v, "F109", `invalid "metadata": expected a mapping, got %s`, got(v))
			}
		}
	}
	if !hasName {
		d.diags.Add(d.f, d.open, "F108", `missing required key "name"`)
	}
	if !hasVersion {
		d.diags.Add(d.f, d.open, "F108", `missing required key "version"`)
	}
}

// str reads a string setting: any scalar but null, as written.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.add(n, "F109", "invalid %q: expected a string, got %s", what, got(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.add(n, "F109", "invalid %q: expected true or false, got %s", what, got(n))
		return false, false
	}
	var b bool
	_ = n.Decode(&b)
	return b, true
}

// integer reads a whole number in [lo, hi].
func (d *decoder) integer(n *yaml.Node, what string, lo, hi int) (int, bool) {
	want := fmt.Sprintf("an integer from %d to %d", lo, hi)
	if hi == math.MaxInt32 {
		want = fmt.Sprintf("an integer of at least %d", lo)
	}
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		v, err := value.ScalarFromYAML(n)
		if f, ok := v.(float64); err == nil && ok && f == math.Trunc(f) && f >= float64(lo) && f <= float64(hi) {
			return int(f), true
		}
	}
	d.add(n, "F109", "invalid %q: expected %s, got %s", what, want, got(n))
	return 0, false
}

// oneOf reads a word from words, suggesting the closest one.
func (d *decoder) oneOf(n *yaml.Node, what string, words []string) (string, bool) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		for _, w := range words {
			if n.Value == w {
				return w, true
			}
		}
	}
	diag := d.add(n, "F109", "invalid %q: expected %s, got %s", what, orList(words), got(n))
	if n.Kind == yaml.ScalarNode {
		if s, ok := source.Suggest(n.Value, words); ok {
			diag.Hints = append(diag.Hints, fmt.Sprintf("did you mean %q?", s))
			diag.Suggestion = s
		}
	}
	return "", false
}

// orList writes "a, b or c".
func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// duration reads a duration setting (spec/expressions.md §10.1) in ms.
func (d *decoder) duration(n *yaml.Node, what string) (int64, bool) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		ms, err := units.ParseDuration(n.Value)
		if err == nil {
			return ms, true
		}
		diag := d.add(n, "F109", "invalid %q: %s", what, err.Error())
		var ue *units.Error
		if errors.As(err, &ue) {
			diag.Hints = append(diag.Hints, ue.Hints()...)
		}
		return 0, false
	}
	d.add(n, "F109", `invalid %q: expected a duration such as "30s", got %s`, what, got(n))
	return 0, false
}

// name: 1–128 characters from A-Z a-z 0-9 . _ -, starting with a letter or
// digit.
func (d *decoder) name(n *yaml.Node) {
	s, ok := d.str(n, "name")
	if !ok {
		return
	}
	if !nameRe.MatchString(s) {
		d.add(n, "F109", `invalid "name": expected 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit, got %s`, got(n))
		return
	}
	d.fm.Name = s
}

// version is the source text of the scalar, checked against versionRe.
func (d *decoder) version(n *yaml.Node) {
	if n.Kind != yaml.ScalarNode {
		d.add(n, "F109", `invalid "version": expected a version such as 1.0.0, got %s`, got(n))
		return
	}
	s := n.Value
	if isNull(n) {
		s = ""
	}
	if !versionRe.MatchString(s) {
		diag := d.add(n, "F109", `invalid "version": expected a version such as 1.0.0, got %s`, string(value.AppendQuoted(nil, s)))
		if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') && versionRe.MatchString(s[1:]) {
			diag.Hints = append(diag.Hints, "drop the leading v")
		}
		return
	}
	d.fm.Version = s
}

// trigger = "manual" | { manual, schedule, webhook, watch }
func (d *decoder) trigger(n *yaml.Node) {
	t := &Trigger{Span: d.pm.span(n)}
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		if n.Value != "manual" {
			d.add(n, "F109", `invalid "trigger": expected "manual" or a mapping, got %s`, got(n))
			return
		}
		t.Manual = true
	case n.Kind == yaml.MappingNode:
		for _, e := range d.fields(n, triggerKeys, `"trigger"`) {
			v := e.val
			switch e.name {
			case "manual":
				t.Manual, _ = d.boolean(v, "trigger.manual")
			case "schedule":
				t.Schedule = d.schedule(v)
			case "webhook":
				t.Webhook = d.webhook(v)
			case "watch":
				t.Watch = d.watch(v)
			}
		}
	default:
		d.add(n, "F109", `invalid "trigger": expected "manual" or a mapping, got %s`, got(n))
		return
	}
	d.fm.Trigger = t
}

// schedule = cron-5-fields | "every" duration
func (d *decoder) schedule(n *yaml.Node) string {
	s, ok := d.str(n, "trigger.schedule")
	if !ok {
		return ""
	}
	if rest, ok := strings.CutPrefix(s, "every "); ok {
		ms, err := units.ParseDuration(rest)
		if err != nil || ms <= 0 {
			d.add(n, "F109", `invalid "trigger.schedule": expected "every <duration>" with a duration above zero, got %s`, got(n)).
				Hints = []string{`for example "every 4h" or "every 30m"`}
			return ""
		}
		return s
	}
	if _, err := cronParse.Parse(s); err != nil {
		d.add(n, "F109", `invalid "trigger.schedule": %s`, err.Error()).
			Hints = []string{`use 5 cron fields ("0 9 * * MON") or "every <duration>" ("every 4h")`}
		return ""
	}
	return s
}

func (d *decoder) webhook(n *yaml.Node) *Webhook {
	if n.Kind != yaml.MappingNode {
		d.add(n, "F109", `invalid "trigger.webhook": expected a mapping, got %s`, got(n))
		return nil
	}
	w := &Webhook{Auth: "none"}
	for _, e := range d.fields(n, webhookKeys, `"trigger.webhook"`) {
		switch e.name {
		case "path":
			if s, ok := d.str(e.val, "trigger.webhook.path"); ok {
				if !strings.HasPrefix(s, "/") {
					d.add(e.val, "F109", `invalid "trigger.webhook.path": expected a path starting with "/", got %s`, got(e.val))
				} else {
					w.Path = s
				}
			}
		case "auth":
			w.Auth, _ = d.oneOf(e.val, "trigger.webhook.auth", []string{"none", "basic", "bearer", "hmac"})
		}
	}
	return w
}

func (d *decoder) watch(n *yaml.Node) *Watch {
	if n.Kind != yaml.MappingNode {
		d.add(n, "F109", `invalid "trigger.watch": expected a mapping, got %s`, got(n))
		return nil
	}
	w := &Watch{}
	for _, e := range d.fields(n, watchKeys, `"trigger.watch"`) {
		if e.val.Kind != yaml.SequenceNode {
			d.add(e.val, "F109", `invalid "trigger.watch.%s": expected a list, got %s`, e.name, got(e.val))
			continue
		}
		for _, it := range e.val.Content {
			it = resolve(it)
			switch e.name {
			case "paths":
				if s, ok := d.str(it, "trigger.watch.paths"); ok {
					w.Paths = append(w.Paths, s)
				}
			case "events":
				if s, ok := d.oneOf(it, "trigger.watch.events", []string{"created", "modified", "deleted"}); ok {
					w.Events = append(w.Events, s)
				}
			}
		}
	}
	return w
}

// typeOfValue infers a config type from a value.
func typeOfValue(v any) string {
	switch v.(type) {
	case float64:
		return "number"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case *value.Object:
		return "object"
	}
	return ""
}

// acceptsType reports whether v has config type typ.
func acceptsType(typ string, v any) bool {
	switch typ {
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "":
		return true
	}
	return typeOfValue(v) == typ
}

// inList reports whether v is one of vals.
func inList(vals []any, v any) bool {
	for _, e := range vals {
		if value.StrictEqual(e, v) {
			return true
		}
	}
	return false
}

// fromYAML converts a node to a value; conversion errors (numbers out of
// range, an alias that refers to itself, aliases expanding past their
// budget, a bad merge key) are reported with code, at the node at fault
// when the converter names one.
func (d *decoder) fromYAML(n *yaml.Node, code string) (any, bool) {
	v, err := value.FromYAML(n)
	if err != nil {
		var ye *value.YAMLError
		if errors.As(err, &ye) && ye.Node != nil {
			d.add(ye.Node, code, "%s", ye.Msg)
		} else {
			d.add(n, code, "%s", err.Error())
		}
		return nil, false
	}
	return v, true
}

// config = { key: entry }; entry = scalar-default | { type, default,
// required, enum, description }
func (d *decoder) config(n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.add(n, "F111", `invalid "config": expected a mapping of keys to entries, got %s`, got(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if seen[k.Value] {
			continue // F110 already reported
		}
		seen[k.Value] = true
		e := &ConfigEntry{Key: k.Value, KeySpan: d.pm.span(k)}
		if !identRe.MatchString(k.Value) {
			fix := badIdent.ReplaceAllString(k.Value, "_")
			if fix == "" || fix[0] >= '0' && fix[0] <= '9' {
				fix = "_" + fix
			}
			d.add(k, "F111", "invalid config key %q: expected letters, digits and \"_\", not starting with a digit", k.Value).
				Hints = []string{fmt.Sprintf("use `%s`, not `%s`", fix, k.Value)}
		}
		if v.Kind == yaml.MappingNode {
			d.configLong(e, v)
		} else if !isNull(v) {
			if val, ok := d.fromYAML(v, "F111"); ok {
				e.Default, e.HasDefault, e.Type = val, true, typeOfValue(val)
			}
		} else {
			e.Type = "string"
		}
		d.fm.Config = append(d.fm.Config, e)
	}
}

// enumList reads an `enum:` list: scalars of one type, at least one.
func (d *decoder) enumList(n *yaml.Node, code, owner string) ([]any, bool) {
	if n.Kind != yaml.SequenceNode {
		d.add(n, code, "invalid enum of %s: expected a list of values, got %s", owner, got(n))
		return nil, false
	}
	if len(n.Content) == 0 {
		d.add(n, code, "enum of %s is empty", owner)
		return nil, false
	}
	vals := make([]any, 0, len(n.Content))
	first := ""
	for _, it := range n.Content {
		it = resolve(it)
		if it.Kind != yaml.ScalarNode || isNull(it) {
			d.add(it, code, "invalid enum value of %s: expected a string, number or boolean, got %s", owner, got(it))
			return nil, false
		}
		v, ok := d.fromYAML(it, code)
		if !ok {
			return nil, false
		}
		t := typeOfValue(v)
		if first == "" {
			first = t
		} else if t != first {
			d.add(it, code, "enum of %s mixes types: %s and %s", owner, first, t)
			return nil, false
		}
		vals = append(vals, v)
	}
	return vals, true
}

func (d *decoder) configLong(e *ConfigEntry, n *yaml.Node) {
	owner := fmt.Sprintf("%q", e.Key)
	var typeWord string
	var typeNode, enumNode, defNode, reqNode *yaml.Node
	var typeEnum []any
	for _, f := range d.fields(n, configKeys, "config entry "+owner) {
		v := f.val
		switch f.name {
		case "type":
			typeNode = v
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
				d.add(v, "F111", "invalid type of %s: expected one of %s, got %s", owner, strings.Join(configTypes, ", "), got(v))
				continue
			}
			w := strings.TrimSpace(v.Value)
			if strings.HasPrefix(w, "enum[") || strings.HasPrefix(w, "enum [") {
				t, err := typedsl.Parse(v.Value, d.pm.scalarMap(v))
				if err != nil {
					diag := d.diags.Add(d.f, source.Sp(err.Start, err.End), "F111", "invalid type of %s: %s", owner, err.Message)
					if err.Hint != "" {
						diag.Hints = append(diag.Hints, err.Hint)
					}
					continue
				}
				if t.Kind != typedsl.Enum {
					d.add(v, "F111", "invalid type of %s: expected one of %s, got %s", owner, strings.Join(configTypes, ", "), got(v))
					continue
				}
				typeWord, typeEnum = "enum", t.Values
				if msg := mixedTypes(typeEnum); msg != "" {
					d.add(v, "F111", "enum of %s mixes types: %s", owner, msg)
					typeEnum = nil
				}
				continue
			}
			found := false
			for _, ct := range configTypes {
				found = found || w == ct
			}
			if !found {
				diag := d.add(v, "F111", "unknown type %q of config %s", v.Value, owner)
				source.SuggestHint(diag, v.Value, append(configTypes[:len(configTypes):len(configTypes)], "enum[a, b]"))
				continue
			}
			typeWord = w
		case "default":
			if !isNull(v) {
				if val, ok := d.fromYAML(v, "F111"); ok {
					e.Default, e.HasDefault, defNode = val, true, v
				}
			}
		case "required":
			reqNode = f.key
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
				d.add(v, "F111", "invalid required of %s: expected true or false, got %s", owner, got(v))
				continue
			}
			_ = v.Decode(&e.Required)
		case "enum":
			enumNode = v
			e.Enum, _ = d.enumList(v, "F111", "config "+owner)
		case "description":
			if v.Kind != yaml.ScalarNode || isNull(v) {
				d.add(v, "F111", "invalid description of %s: expected a string, got %s", owner, got(v))
				continue
			}
			e.Description = v.Value
		}
	}
	if typeEnum != nil {
		if enumNode != nil {
			d.add(enumNode, "F111", "enum of %s is given twice, in \"type\" and in \"enum\"", owner)
		}
		e.Enum = typeEnum
	}
	switch {
	case typeWord == "enum" && e.Enum == nil:
		if enumNode == nil && typeEnum == nil && typeNode != nil && strings.TrimSpace(typeNode.Value) == "enum" {
			d.add(typeNode, "F111", "type \"enum\" of %s needs an \"enum\" list", owner).
				Hints = []string{"add `enum: [a, b]` or write `type: enum[a, b]`"}
		}
		e.Type = "string"
	case typeWord != "" && typeWord != "enum":
		e.Type = typeWord
	case typeWord == "" && e.HasDefault:
		e.Type = typeOfValue(e.Default)
	case e.Enum != nil:
		e.Type = typeOfValue(e.Enum[0])
	default:
		e.Type = "string"
	}
	if e.Enum != nil {
		for i, v := range e.Enum {
			if !acceptsType(e.Type, v) {
				at := typeNode
				if enumNode != nil && typeEnum == nil {
					at = resolve(enumNode.Content[i])
				}
				d.add(at, "F111", "enum value %s of %s is not of type %s", value.JSON(v), owner, e.Type)
				break
			}
		}
	}
	if e.HasDefault {
		switch {
		case !acceptsType(e.Type, e.Default):
			d.add(defNode, "F111", "invalid default of %s: expected %s, got %s", owner, e.Type, value.Describe(e.Default))
		case e.Enum != nil && !inList(e.Enum, e.Default):
			d.add(defNode, "F111", "invalid default of %s: %s is not one of %s", owner, value.JSON(e.Default), typedsl.EnumList(e.Enum))
		}
	}
	if e.Required && e.HasDefault {
		d.add(reqNode, "W702", "\"required: true\" has no effect on %s, which has a default", owner).
			Hints = []string{"drop \"required\" or the default"}
	}
}

// mixedTypes returns "string and number" when vals mix JSON types.
func mixedTypes(vals []any) string {
	for _, v := range vals[1:] {
		if a, b := typeOfValue(vals[0]), typeOfValue(v); a != b {
			return a + " and " + b
		}
	}
	return ""
}

// secrets = [ NAME | { name, env, required, description } ]
func (d *decoder) secrets(n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.add(n, "F113", `invalid "secrets": expected a list, got %s`, got(n))
		return
	}
	first := map[string]*Secret{}
	for _, it := range n.Content {
		it = resolve(it)
		s := &Secret{Required: true}
		var nameNode *yaml.Node
		switch {
		case it.Kind == yaml.ScalarNode && it.ShortTag() == "!!str":
			nameNode = it
		case it.Kind == yaml.MappingNode:
			for _, e := range d.fields(it, secretKeys, "secrets item") {
				v := e.val
				switch e.name {
				case "name":
					nameNode = v
				case "env":
					if v.Kind != yaml.ScalarNode || !identRe.MatchString(v.Value) {
						d.add(v, "F113", "invalid environment variable name %s of a secret: expected letters, digits and \"_\", not starting with a digit", got(v))
						continue
					}
					s.Env = v.Value
				case "required":
					if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
						d.add(v, "F113", "invalid required of a secret: expected true or false, got %s", got(v))
						continue
					}
					_ = v.Decode(&s.Required)
				case "description":
					if v.Kind != yaml.ScalarNode || isNull(v) {
						d.add(v, "F113", "invalid description of a secret: expected a string, got %s", got(v))
						continue
					}
					s.Description = v.Value
				}
			}
			if nameNode == nil {
				d.add(it, "F113", "secrets item has no \"name\"")
				continue
			}
		default:
			d.add(it, "F113", "invalid secrets item: expected a name or a mapping, got %s", got(it))
			continue
		}
		if nameNode.Kind != yaml.ScalarNode || !identRe.MatchString(nameNode.Value) {
			d.add(nameNode, "F113", "invalid secret name %s: expected letters, digits and \"_\", not starting with a digit", got(nameNode))
			continue
		}
		s.Name, s.Span = nameNode.Value, d.pm.span(nameNode)
		if s.Env == "" {
			s.Env = s.Name
		}
		if f, dup := first[s.Name]; dup {
			d.add(nameNode, "F113", "duplicate secret %q", s.Name).
				Hints = []string{fmt.Sprintf("first declared on line %d", d.f.Position(f.Span.Start).Line)}
			continue
		}
		first[s.Name] = s
		d.fm.Secrets = append(d.fm.Secrets, s)
	}
}

// env = { NAME: string | number | boolean | null }
func (d *decoder) env(n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.add(n, "F113", `invalid "env": expected a mapping of variable names to defaults, got %s`, got(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if seen[k.Value] {
			continue
		}
		seen[k.Value] = true
		if !identRe.MatchString(k.Value) {
			d.add(k, "F113", "invalid environment variable name %q: expected letters, digits and \"_\", not starting with a digit", k.Value)
			continue
		}
		ev := &EnvVar{Name: k.Value, Span: d.pm.span(k)}
		if v.Kind != yaml.ScalarNode {
			d.add(v, "F113", "invalid default of env %q: expected a string, number, boolean or null, got %s", k.Value, got(v))
			continue
		}
		if !isNull(v) {
			val, ok := d.fromYAML(v, "F113")
			if !ok {
				continue
			}
			s := value.Render(val)
			ev.Default = &s
		}
		d.fm.Env = append(d.fm.Env, ev)
	}
}

// schema = { field: dsl-text | { type, required, default, description, enum } }
func (d *decoder) schema(n *yaml.Node, key string) *Schema {
	s := &Schema{Span: d.pm.span(n), Fields: []*SchemaField{}}
	if isNull(n) {
		return s
	}
	if n.Kind != yaml.MappingNode {
		d.add(n, "F112", "invalid %q: expected a mapping of field names to types, got %s", key, got(n))
		return s
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if seen[k.Value] {
			continue
		}
		seen[k.Value] = true
		f := &SchemaField{Name: k.Value, Span: d.pm.span(k)}
		owner := fmt.Sprintf("%s field %q", key, k.Value)
		requiredFalse := false
		if v.Kind == yaml.MappingNode {
			var typeNode, defNode, enumNode *yaml.Node
			for _, e := range d.fields(v, fieldKeys, owner) {
				switch e.name {
				case "type":
					typeNode = e.val
				case "required":
					if e.val.Kind != yaml.ScalarNode || e.val.ShortTag() != "!!bool" {
						d.add(e.val, "F112", "invalid required of %s: expected true or false, got %s", owner, got(e.val))
						continue
					}
					var b bool
					_ = e.val.Decode(&b)
					requiredFalse = !b
				case "default":
					if !isNull(e.val) {
						if val, ok := d.fromYAML(e.val, "F112"); ok {
							f.Default, f.HasDefault, defNode = val, true, e.val
						}
					}
				case "description":
					if e.val.Kind != yaml.ScalarNode || isNull(e.val) {
						d.add(e.val, "F112", "invalid description of %s: expected a string, got %s", owner, got(e.val))
						continue
					}
					f.Description = e.val.Value
				case "enum":
					enumNode = e.val
					f.Enum, _ = d.enumList(e.val, "F112", owner)
				}
			}
			switch {
			case typeNode != nil:
				f.Type = d.dsl(typeNode, owner)
			case f.HasDefault && typeOfValue(f.Default) != "":
				f.Type, _ = typedsl.Parse(typeOfValue(f.Default), nil)
			case f.Enum != nil:
				f.Type, _ = typedsl.Parse(typeOfValue(f.Enum[0]), nil)
			default:
				f.Type = typedsl.Prim(typedsl.String)
			}
			if f.Type != nil {
				for j, ev := range f.Enum {
					if !f.Type.Accepts(ev) {
						d.add(resolve(enumNode.Content[j]), "F112", "enum value %s of %s is not of type %s", value.JSON(ev), owner, f.Type)
						break
					}
				}
				if f.HasDefault {
					switch {
					case !f.Type.Accepts(f.Default):
						d.add(defNode, "F112", "invalid default of %s: expected %s, got %s", owner, f.Type.Expected(), value.Describe(f.Default))
					case f.Enum != nil && !inList(f.Enum, f.Default):
						d.add(defNode, "F112", "invalid default of %s: %s is not one of %s", owner, value.JSON(f.Default), typedsl.EnumList(f.Enum))
					}
				}
			}
		} else {
			f.Type = d.dsl(v, owner)
		}
		if f.Type == nil {
			f.Type = typedsl.Prim(typedsl.Any)
		}
		f.Required = !(f.Type.Optional() || f.HasDefault || requiredFalse)
		s.Fields = append(s.Fields, f)
	}
	return s
}

// dsl parses a schema-DSL scalar, reporting F112 inside the scalar.
func (d *decoder) dsl(n *yaml.Node, owner string) *typedsl.Type {
	if isNull(n) {
		d.add(n, "F112", "%s has no type", owner).Hints = []string{`write a type such as "string", "number?" or "string[]"`}
		return nil
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.add(n, "F112", `invalid type of %s: expected schema text such as "string", got %s`, owner, got(n))
		return nil
	}
	t, err := typedsl.Parse(n.Value, d.pm.scalarMap(n))
	if err != nil {
		diag := d.diags.Add(d.f, source.Sp(err.Start, err.End), "F112", "invalid type of %s: %s", owner, err.Message)
		if err.Hint != "" {
			diag.Hints = append(diag.Hints, err.Hint)
		}
		return nil
	}
	return t
}

// runtime = { timeout, concurrency, scheduler, retry, log, timezone, ai }
func (d *decoder) runtime(n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.add(n, "F109", `invalid "runtime": expected a mapping, got %s`, got(n))
		return
	}
	rt := &d.fm.Runtime
	for _, e := range d.fields(n, runtimeKeys, `"runtime"`) {
		v := e.val
		switch e.name {
		case "timeout":
			rt.Timeout, _ = d.duration(v, "runtime.timeout")
		case "concurrency":
			rt.Concurrency, _ = d.integer(v, "runtime.concurrency", 1, math.MaxInt32)
		case "scheduler":
			rt.Scheduler, _ = d.oneOf(v, "runtime.scheduler", []string{"waves", "eager"})
		case "retry":
			rt.Retry = d.retry(v)
		case "log":
			d.log(v)
		case "timezone":
			if s, ok := d.str(v, "runtime.timezone"); ok {
				if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
					d.add(v, "F109", `invalid "runtime.timezone": unknown time zone %s`, got(v)).
						Hints = []string{`use an IANA zone name such as "Europe/Paris" or "UTC"`}
				} else {
					rt.Timezone = s
				}
			}
		case "ai":
			d.ai(v)
		}
	}
}

// retry = max | { max, backoff, base, max_delay, jitter, when }
func (d *decoder) retry(n *yaml.Node) *RetrySpec {
	r := &RetrySpec{Max: 3, Backoff: "exponential", Base: 1000, MaxDelay: 30000, Jitter: "full", Span: d.pm.span(n)}
	if n.Kind == yaml.ScalarNode {
		m, ok := d.integer(n, "runtime.retry", 1, 100)
		if !ok {
			return nil
		}
		r.Max = m
		return r
	}
	if n.Kind != yaml.MappingNode {
		d.add(n, "F109", `invalid "runtime.retry": expected an integer or a mapping, got %s`, got(n))
		return nil
	}
	for _, e := range d.fields(n, retryKeys, `"runtime.retry"`) {
		v := e.val
		switch e.name {
		case "max":
			r.Max, _ = d.integer(v, "runtime.retry.max", 1, 100)
		case "backoff":
			r.Backoff, _ = d.oneOf(v, "runtime.retry.backoff", []string{"exponential", "linear", "fixed"})
		case "base":
			r.Base, _ = d.duration(v, "runtime.retry.base")
		case "max_delay":
			r.MaxDelay, _ = d.duration(v, "runtime.retry.max_delay")
		case "jitter":
			ok := v.Kind == yaml.ScalarNode && (v.Value == "full" || v.Value == "none")
			if !ok && v.Kind == yaml.ScalarNode && (v.ShortTag() == "!!int" || v.ShortTag() == "!!float") {
				f, err := value.ScalarFromYAML(v)
				x, isNum := f.(float64)
				ok = err == nil && isNum && x >= 0 && x <= 1
			}
			if !ok {
				d.add(v, "F109", `invalid "runtime.retry.jitter": expected full, none or a number from 0 to 1, got %s`, got(v))
				continue
			}
			r.Jitter = v.Value
		case "when":
			if s, ok := d.str(v, "runtime.retry.when"); ok {
				r.When, r.WhenSpan = s, d.pm.span(v)
			}
		}
	}
	return r
}

// log = boolean | { keep }
func (d *decoder) log(n *yaml.Node) {
	lg := &d.fm.Runtime.Log
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool":
		_ = n.Decode(&lg.On)
		if lg.On {
			lg.Keep = DefaultLogKeep
		}
	case n.Kind == yaml.MappingNode:
		lg.On, lg.Keep = true, DefaultLogKeep
		for _, e := range d.fields(n, logKeys, `"runtime.log"`) {
			if k, ok := d.integer(e.val, "runtime.log.keep", 1, 100); ok {
				lg.Keep = k
			}
		}
	default:
		d.add(n, "F109", `invalid "runtime.log": expected true, false or {keep: n}, got %s`, got(n))
	}
}

// ai = { base_url, api_key_secret, model, token_budget }
func (d *decoder) ai(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		d.add(n, "F109", `invalid "runtime.ai": expected a mapping, got %s`, got(n))
		return
	}
	ai := &d.fm.Runtime.AI
	for _, e := range d.fields(n, aiKeys, `"runtime.ai"`) {
		v := e.val
		switch e.name {
		case "base_url":
			if s, ok := d.str(v, "runtime.ai.base_url"); ok {
				if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
					d.add(v, "F109", `invalid "runtime.ai.base_url": expected an http or https URL, got %s`, got(v))
					continue
				}
				ai.BaseURL = s
			}
		case "api_key_secret":
			if s, ok := d.str(v, "runtime.ai.api_key_secret"); ok {
				if !identRe.MatchString(s) {
					d.add(v, "F109", `invalid "runtime.ai.api_key_secret": expected a secret name, got %s`, got(v))
					continue
				}
				ai.APIKeySecret, ai.APIKeySecretSpan = s, d.pm.span(v)
			}
		case "model":
			ai.Model, _ = d.str(v, "runtime.ai.model")
		case "token_budget":
			ai.TokenBudget, _ = d.integer(v, "runtime.ai.token_budget", 1, math.MaxInt32)
		}
	}
}
