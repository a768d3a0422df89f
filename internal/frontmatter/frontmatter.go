package frontmatter

import (
	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/typedsl"
)

// Frontmatter is the decoded frontmatter of a workflow file.
type Frontmatter struct {
	Name, Version, Description string
	// Trigger is nil when the key is absent.
	Trigger *Trigger
	// Config holds the config entries in document order.
	Config  []*ConfigEntry
	Secrets []*Secret
	Env     []*EnvVar
	// Input and Output are nil when their key is absent.
	Input, Output *Schema
	Runtime       Runtime
	// Tests is the raw `tests` list, decoded later by the test command; nil
	// when absent.
	Tests *yaml.Node
	// Spans maps each top-level key (as canonical snake_case) to the span of
	// the key.
	Spans map[string]source.Span
}

// Trigger is the informational `trigger` block (spec/format.md §2.4).
type Trigger struct {
	Manual   bool
	Schedule string   // cron expression or "every <duration>"; "" when absent
	Webhook  *Webhook // nil when absent
	Watch    *Watch   // nil when absent
	Span     source.Span
}

// Webhook is `trigger.webhook`.
type Webhook struct {
	Path, Auth string
}

// Watch is `trigger.watch`.
type Watch struct {
	Paths, Events []string
}

// ConfigEntry is one declared config key (spec/format.md §2.5).
type ConfigEntry struct {
	Key     string
	KeySpan source.Span
	// Type is string, number, integer, boolean, array or object; an enum
	// keeps its inferred base type here and lists its values in Enum.
	Type        string
	Enum        []any // nil unless the entry is an enum
	Default     any
	HasDefault  bool
	Required    bool
	Description string
}

// Secret is one declared secret (spec/format.md §2.6).
type Secret struct {
	Name        string
	Env         string // environment variable to read
	Required    bool
	Description string
	Span        source.Span
}

// EnvVar is one declared environment variable (spec/format.md §2.7).
type EnvVar struct {
	Name    string
	Default *string // nil: no default
	Span    source.Span
}

// Schema is a decoded `input` or `output` mapping (spec/format.md §2.8).
type Schema struct {
	Fields []*SchemaField
	Span   source.Span
}

// SchemaField is one field of a Schema. Required is false when the type
// ends in `?`, the field has a default, or it says `required: false`.
type SchemaField struct {
	Name        string
	Type        *typedsl.Type
	Required    bool
	Default     any
	HasDefault  bool
	Description string
	Enum        []any // nil when absent
	Span        source.Span
}

// Runtime is the `runtime` block (spec/format.md §2.9). Zero values mean
// unset, except Timezone and AI, which hold their defaults when unset.
type Runtime struct {
	Timeout     int64 // milliseconds; 0: none
	Concurrency int   // 0: unset
	Scheduler   string
	Retry       *RetrySpec // nil: none
	Log         Log
	Timezone    string // IANA name; "UTC" when unset
	AI          AI
}

// RetrySpec is `runtime.retry`, with the defaults of nodes.md §8.1 filled in
// for fields not given.
type RetrySpec struct {
	Max      int
	Backoff  string // exponential, linear or fixed
	Base     int64  // milliseconds
	MaxDelay int64  // milliseconds
	Jitter   string // "full", "none" or a number 0–1 as written
	When     string // expression text; "" means $error.retryable
	WhenSpan source.Span
	Span     source.Span
}

// Log is `runtime.log`: On with the number of runs to keep.
type Log struct {
	On   bool
	Keep int
}

// AI is `runtime.ai`, with defaults filled in.
type AI struct {
	BaseURL          string
	APIKeySecret     string
	APIKeySecretSpan source.Span // zero when the default is used
	Model            string
	TokenBudget      int // 0: no budget
}

// Default values of runtime settings.
const (
	DefaultAIBaseURL      = "https://openrouter.ai/api/v1"
	DefaultAIAPIKeySecret = "OPENROUTER_API_KEY"
	DefaultTimezone       = "UTC"
	DefaultLogKeep        = 5
)

// ConfigKeys returns the declared config keys in document order.
func (fm *Frontmatter) ConfigKeys() []string {
	out := make([]string, len(fm.Config))
	for i, c := range fm.Config {
		out[i] = c.Key
	}
	return out
}

// SecretNames returns the declared secret names in document order.
func (fm *Frontmatter) SecretNames() []string {
	out := make([]string, len(fm.Secrets))
	for i, s := range fm.Secrets {
		out[i] = s.Name
	}
	return out
}

// EnvNames returns the declared environment variable names in document
// order.
func (fm *Frontmatter) EnvNames() []string {
	out := make([]string, len(fm.Env))
	for i, e := range fm.Env {
		out[i] = e.Name
	}
	return out
}

// InputKeys returns the declared input fields, or nil without `input`.
func (fm *Frontmatter) InputKeys() []string {
	if fm.Input == nil {
		return nil
	}
	return fm.Input.Keys()
}

// Keys returns the field names in order.
func (s *Schema) Keys() []string {
	out := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		out[i] = f.Name
	}
	return out
}

// Field returns the field named name, or nil.
func (s *Schema) Field(name string) *SchemaField {
	for _, f := range s.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Type returns the schema as a record type: fields that are not required
// become optional (`T?`).
func (s *Schema) Type() *typedsl.Type {
	t := &typedsl.Type{Kind: typedsl.Record, Fields: make([]typedsl.Field, 0, len(s.Fields))}
	for _, f := range s.Fields {
		ft := f.Type
		if !f.Required {
			ft = typedsl.OptionalType(ft)
		}
		t.Fields = append(t.Fields, typedsl.Field{Name: f.Name, Type: ft, Required: f.Required, Description: f.Description})
	}
	return t
}

// ConfigEntry returns the config entry for key, or nil.
func (fm *Frontmatter) ConfigEntry(key string) *ConfigEntry {
	for _, c := range fm.Config {
		if c.Key == key {
			return c
		}
	}
	return nil
}
