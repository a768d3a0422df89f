package frontmatter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/typedsl"
	"github.com/flowscript/flowscript/internal/value"
)

// UsageError is a problem with a command-line value (exit 2): one message
// line and its hint lines.
type UsageError struct {
	Message string
	Hints   []string
}

// Error returns the message.
func (e *UsageError) Error() string { return e.Message }

func usagef(format string, args ...any) *UsageError {
	return &UsageError{Message: fmt.Sprintf(format, args...)}
}

// suggest returns the did-you-mean (or "expected one of") hints for name.
func suggest(name string, cands []string) []string {
	var d source.Diagnostic
	source.SuggestHint(&d, name, cands)
	return d.Hints
}

// ResolveConfig resolves the config values at run start (spec/format.md
// §2.5, cli.md §11.1–§11.2): --config-file values, overridden by --config
// flags (the raw KEY=VALUE texts, in order, the last winning), else the
// default, else null. file is the --config-file path ("" for none) and cwd
// the directory relative paths start from. The result has every declared
// key in declaration order; problems come back as usage errors.
func ResolveConfig(fm *Frontmatter, flags []string, file string, cwd string) (*value.Object, []*UsageError) {
	var errs []*UsageError
	given := map[string]any{}
	if file != "" {
		errs = append(errs, configFile(fm, file, cwd, given)...)
	}
	for _, fl := range flags {
		k, text, ok := strings.Cut(fl, "=")
		k = strings.TrimSpace(k)
		switch {
		case !ok:
			errs = append(errs, &UsageError{Message: fmt.Sprintf("--config: expected KEY=VALUE, got %q", fl)})
			continue
		case k == "":
			errs = append(errs, &UsageError{Message: fmt.Sprintf("--config: empty key in %q", fl)})
			continue
		}
		e := fm.ConfigEntry(k)
		if e == nil {
			errs = append(errs, unknownKey("--config", k, fm))
			continue
		}
		v, uerr := flagValue(e, text, cwd)
		if uerr != nil {
			errs = append(errs, uerr)
			continue
		}
		given[k] = v
	}
	out, more := completeConfig(fm, given, "--config")
	return out, append(errs, more...)
}

func unknownKey(flag, k string, fm *Frontmatter) *UsageError {
	u := &UsageError{Message: fmt.Sprintf("%s: unknown key %q", flag, k), Hints: suggest(k, fm.ConfigKeys())}
	if len(fm.Config) == 0 {
		u.Hints = []string{"the workflow declares no config keys"}
	}
	return u
}

// configFile reads --config-file: a YAML or JSON mapping of keys to typed
// values.
func configFile(fm *Frontmatter, file, cwd string, given map[string]any) []*UsageError {
	data, err := os.ReadFile(resolvePath(cwd, file))
	if err != nil {
		return []*UsageError{usagef("--config-file: cannot read %q: %s", file, ioReason(err))}
	}
	var v any
	if isYAMLName(file) {
		v, err = value.ParseYAML(data)
	} else {
		v, err = parseJSON(data)
	}
	if err != nil {
		return []*UsageError{usagef("--config-file: %q: %s", file, err.Error())}
	}
	o, ok := v.(*value.Object)
	if !ok {
		return []*UsageError{usagef("--config-file: %q: expected a mapping of config keys, got %s", file, value.TypeName(v))}
	}
	var errs []*UsageError
	for _, k := range o.Keys() {
		e := fm.ConfigEntry(k)
		if e == nil {
			errs = append(errs, unknownKey("--config-file", k, fm))
			continue
		}
		x, _ := o.Get(k)
		if u := checkConfigValue("--config-file "+k, e, x); u != nil {
			errs = append(errs, u)
			continue
		}
		given[k] = x
	}
	return errs
}

// checkConfigValue checks a typed value against an entry's type and enum.
func checkConfigValue(what string, e *ConfigEntry, v any) *UsageError {
	if v == nil {
		return nil
	}
	if !acceptsType(e.Type, v) {
		return usagef("%s: expected %s, got %s", what, e.Type, value.Describe(v))
	}
	if e.Enum != nil && !inList(e.Enum, v) {
		return enumError(what, e, value.Render(v))
	}
	return nil
}

func enumError(what string, e *ConfigEntry, text string) *UsageError {
	words := make([]string, len(e.Enum))
	for i, x := range e.Enum {
		words[i] = value.Render(x)
	}
	u := usagef("%s: %s is not one of %s", what, strconv.Quote(text), strings.Join(words, ", "))
	if s, ok := source.Suggest(text, words); ok {
		u.Hints = []string{fmt.Sprintf("did you mean %q?", s)}
	}
	return u
}

// flagValue converts the text of --config KEY=TEXT by the key's type
// (cli.md §11.1): @PATH reads a file, @@text is the literal @text.
func flagValue(e *ConfigEntry, text, cwd string) (any, *UsageError) {
	what := "--config " + e.Key
	if strings.HasPrefix(text, "@@") {
		text = text[1:]
	} else if path, ok := strings.CutPrefix(text, "@"); ok {
		data, err := os.ReadFile(resolvePath(cwd, path))
		if err != nil {
			return nil, usagef("%s: cannot read %q: %s", what, path, ioReason(err))
		}
		if e.Type == "string" {
			s := strings.TrimSuffix(string(data), "\n")
			s = strings.TrimSuffix(s, "\r")
			if e.Enum != nil && !inList(e.Enum, s) {
				return nil, enumError(what, e, s)
			}
			return s, nil
		}
		var v any
		if isYAMLName(path) {
			v, err = value.ParseYAML(data)
		} else {
			v, err = parseJSON(data)
		}
		if err != nil {
			return nil, usagef("%s: %q: %s", what, path, err.Error())
		}
		if u := checkConfigValue(what, e, v); u != nil {
			return nil, u
		}
		return v, nil
	}
	if e.Enum != nil {
		for _, x := range e.Enum {
			if value.Render(x) == text {
				return x, nil
			}
		}
		return nil, enumError(what, e, text)
	}
	bad := func() (any, *UsageError) {
		return nil, usagef("%s: expected %s, got %s", what, e.Type, strconv.Quote(text))
	}
	switch e.Type {
	case "string":
		return text, nil
	case "number", "integer":
		t := strings.TrimSpace(text)
		if !typedsl.IsJSONNumber(t) {
			return bad()
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || !acceptsType(e.Type, f) {
			return bad()
		}
		return f, nil
	case "boolean":
		switch text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return bad()
	case "array", "object":
		v, err := value.ParseJSON([]byte(text))
		if err != nil || !acceptsType(e.Type, v) {
			return bad()
		}
		return v, nil
	}
	return text, nil
}

func resolvePath(cwd, p string) string {
	if filepath.IsAbs(p) || cwd == "" {
		return p
	}
	return filepath.Join(cwd, p)
}

func isYAMLName(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yaml" || ext == ".yml"
}

// ioReason is the reason part of a file error, without the path.
func ioReason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// jsonError is a JSON syntax error at a byte offset of the text.
type jsonError struct {
	offset int
	what   string // `unexpected "}"`, `unexpected end of input`
}

func (e *jsonError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.offset, e.what)
}

// parseJSON parses JSON text keeping key order; a syntax error names the
// offset of the offending byte (0-based) and what was found there.
func parseJSON(data []byte) (any, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off := int(se.Offset)
			if off >= len(data) && strings.Contains(se.Error(), "end of JSON input") {
				return nil, &jsonError{offset: len(data), what: "unexpected end of input"}
			}
			off--
			if off < 0 {
				off = 0
			}
			r, _ := utf8.DecodeRune(data[off:])
			return nil, &jsonError{offset: off, what: "unexpected " + strconv.Quote(string(r))}
		}
		return nil, err
	}
	return value.ParseJSON(data)
}

// ParseInput parses the value of --input (cli.md §11.3): JSON text, @FILE
// (a JSON file, YAML for .yaml/.yml, relative to cwd) or "-" for JSON read
// from stdin.
func ParseInput(arg string, stdin io.Reader, cwd string) (any, *UsageError) {
	var data []byte
	where := ""
	yamlFile := false
	switch {
	case arg == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, usagef("--input: cannot read standard input: %s", err)
		}
		data, where = b, " from standard input"
	case strings.HasPrefix(arg, "@"):
		path := arg[1:]
		b, err := os.ReadFile(resolvePath(cwd, path))
		if err != nil {
			return nil, usagef("--input: cannot read %q: %s", path, ioReason(err))
		}
		data, where, yamlFile = b, fmt.Sprintf(" in %q", path), isYAMLName(path)
	default:
		data = []byte(arg)
	}
	if yamlFile {
		v, err := value.ParseYAML(data)
		if err != nil {
			return nil, usagef("--input: invalid YAML%s: %s", where, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return v, nil
	}
	v, err := parseJSON(data)
	if err != nil {
		var je *jsonError
		if errors.As(err, &je) {
			return nil, usagef("--input: invalid JSON%s at offset %d: %s", where, je.offset, je.what)
		}
		return nil, usagef("--input: %s%s", err.Error(), where)
	}
	return v, nil
}

// CheckInput checks v against fm.Input (spec/format.md §2.8) and fills in
// defaults. It returns the completed value (the given fields in their
// order, then the defaults in declaration order) and one message per
// problem: `$input.retries: expected number, got string
// "3"`, a missing required field, a value outside the enum, an undeclared
// field. Without an `input` key any value passes unchanged.
func CheckInput(fm *Frontmatter, v any) (any, []string) {
	if fm.Input == nil {
		return v, nil
	}
	return fm.Input.Check(v, "$input")
}

// Check checks v against the schema, rooted at path root (`$input`), and
// returns the value with defaults filled in and one message per problem.
// The given keys keep their order and defaults are appended, in declaration
// order (spec/expressions.md §4: "adding a key appends it"); undeclared
// keys are problems and are left out.
func (s *Schema) Check(v any, root string) (any, []string) {
	o, ok := v.(*value.Object)
	if !ok {
		return v, []string{fmt.Sprintf("%s: expected object, got %s", root, value.Describe(v))}
	}
	var probs []string
	out := value.NewObject(o.Len())
	for _, k := range o.Keys() {
		if s.Field(k) != nil {
			x, _ := o.Get(k)
			out.Set(k, x)
		}
	}
	for _, f := range s.Fields {
		path := typedsl.PathKey(root, f.Name)
		x, has := o.Get(f.Name)
		if !has {
			switch {
			case f.HasDefault:
				out.Set(f.Name, f.Default)
			case f.Required:
				probs = append(probs, fmt.Sprintf("%s: missing required field %q", root, f.Name))
			}
			continue
		}
		t := f.Type
		if !f.Required {
			t = typedsl.OptionalType(t)
		}
		p := t.ValidateAt(x, path)
		if p == nil && f.Enum != nil && x != nil && !inList(f.Enum, x) {
			p = []string{fmt.Sprintf("%s: expected one of %s, got %s", path, typedsl.EnumList(f.Enum), value.Describe(x))}
		}
		probs = append(probs, p...)
	}
	for _, k := range o.Keys() {
		if s.Field(k) == nil {
			probs = append(probs, typedsl.PathKey(root, k)+": undeclared field")
		}
	}
	return out, probs
}

// ResolveSecrets reads the declared secrets through getenv (execution.md
// §15). A required secret that is unset or empty is a problem; an optional
// unset one is null. A value shorter than 4 characters gives warning W703.
func ResolveSecrets(fm *Frontmatter, getenv func(string) (string, bool)) (*value.Object, []string, []string) {
	out := value.NewObject(len(fm.Secrets))
	var probs, warns []string
	for _, s := range fm.Secrets {
		v, ok := getenv(s.Env)
		if !ok || v == "" && s.Required {
			if s.Required {
				probs = append(probs, fmt.Sprintf("secret %q is not set: set the environment variable %s", s.Name, s.Env))
			}
			out.Set(s.Name, nil)
			continue
		}
		if n := utf8.RuneCountInString(v); n > 0 && n < 4 {
			warns = append(warns, fmt.Sprintf("secret %q is shorter than 4 characters and is not masked inside other text", s.Name))
		}
		out.Set(s.Name, v)
	}
	return out, probs, warns
}

// ResolveEnv returns the declared environment variables (spec/format.md
// §2.7): the environment value if set, else the default, else null.
func ResolveEnv(fm *Frontmatter, getenv func(string) (string, bool)) *value.Object {
	out := value.NewObject(len(fm.Env))
	for _, e := range fm.Env {
		if v, ok := getenv(e.Name); ok {
			out.Set(e.Name, v)
		} else if e.Default != nil {
			out.Set(e.Name, *e.Default)
		} else {
			out.Set(e.Name, nil)
		}
	}
	return out
}
