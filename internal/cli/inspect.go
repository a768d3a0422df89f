package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/frontmatter"
	"github.com/flowscript/flowscript/internal/load"
	"github.com/flowscript/flowscript/internal/runner"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/value"
)

func (a *App) newInspectCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect FILE",
		Short: "Describe a workflow",
		Args:  exactFiles(1, "a workflow file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runInspect(args[0], format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

// runInspect describes the workflow in file (spec/cli.md §5): the document
// on stdout, the warnings on stderr; exit 2 with the diagnostics when the
// file is invalid.
func (a *App) runInspect(file, format string) error {
	if format != "text" && format != "json" {
		return &runner.UsageError{Message: fmt.Sprintf("--format: %q is not one of text, json", format)}
	}
	flow, plan, diags := load.File(file)
	if flow == nil || diags.HasErrors() {
		return &runner.DiagnosticsError{List: diags}
	}
	if format == "json" {
		fmt.Fprintln(a.S.Out, value.IndentJSON(inspectJSON(file, flow, plan, diags), "  "))
		return nil
	}
	source.Printer{Color: a.S.Color}.Print(a.S.Err, diags)
	writeInspect(a.S.Out, file, flow, diags)
	return nil
}

// ---- text ----

// inspectLabel is the width of the label column of the text form.
const inspectLabel = 9

func writeInspect(w io.Writer, file string, flow *ast.Flow, diags source.List) {
	fm := flow.Front
	head := strings.TrimSpace(fm.Name + " " + fm.Version)
	if fm.Description != "" {
		head += " — " + fm.Description
	}
	fmt.Fprintln(w, head)
	line := func(label string, rows ...string) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(w, "%-*s%s\n", inspectLabel, label, rows[0])
		for _, r := range rows[1:] {
			fmt.Fprintf(w, "%*s%s\n", inspectLabel, "", r)
		}
	}
	line("file", file)
	line("trigger", triggerText(fm.Trigger))
	if len(fm.Config) == 0 {
		line("config", "none")
	} else {
		var rows [][]string
		for _, c := range fm.Config {
			rows = append(rows, []string{c.Key, c.Type, configText(c)})
		}
		line("config", table(rows)...)
	}
	if len(fm.Secrets) == 0 {
		line("secrets", "none")
	} else {
		var rows [][]string
		for _, s := range fm.Secrets {
			req := "optional"
			if s.Required {
				req = "required"
			}
			rows = append(rows, []string{s.Name, "env " + s.Env, req})
		}
		line("secrets", table(rows)...)
	}
	if len(fm.Env) > 0 {
		var rows [][]string
		for _, e := range fm.Env {
			d := "no default"
			if e.Default != nil {
				d = "default " + value.JSON(*e.Default)
			}
			rows = append(rows, []string{e.Name, d})
		}
		line("env", table(rows)...)
	}
	line("input", schemaText(fm.Input, "any JSON"))
	line("output", schemaText(fm.Output, "not declared"))
	line("nodes", fmt.Sprint(len(flow.Nodes)))
	var rows [][]string
	var add func(s *ast.Scope, depth int)
	add = func(s *ast.Scope, depth int) {
		for _, n := range s.Nodes {
			p := flow.File.Position(n.TagSpan.Start)
			rows = append(rows, []string{strings.Repeat("  ", depth+1) + n.ID, n.Kind,
				fmt.Sprintf("%d:%d", p.Line, p.Col), nodeFieldsText(n)})
			for _, in := range n.Scopes {
				add(in, depth+1)
			}
		}
	}
	add(flow.Root, 0)
	if flow.OnError != nil {
		add(flow.OnError, 0)
	}
	for _, r := range table(rows) {
		fmt.Fprintln(w, r)
	}
	if _, warns := diags.Counts(); warns > 0 {
		line("warnings", fmt.Sprint(warns))
	}
}

// table pads every column but the last to its widest cell + 2 and drops
// trailing blanks.
func table(rows [][]string) []string {
	var width []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	out := make([]string, len(rows))
	for k, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-len([]rune(c))+2))
			}
		}
		out[k] = strings.TrimRight(b.String(), " ")
	}
	return out
}

func triggerText(t *frontmatter.Trigger) string {
	if t == nil {
		return "none"
	}
	var parts []string
	if t.Manual {
		parts = append(parts, "manual")
	}
	if t.Schedule != "" {
		parts = append(parts, "schedule "+value.JSON(t.Schedule))
	}
	if t.Webhook != nil {
		parts = append(parts, "webhook "+t.Webhook.Path)
	}
	if t.Watch != nil {
		parts = append(parts, "watch "+strings.Join(t.Watch.Paths, ", "))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

func configText(c *frontmatter.ConfigEntry) string {
	var parts []string
	if c.HasDefault {
		parts = append(parts, "default "+value.JSON(c.Default))
	}
	if c.Required {
		parts = append(parts, "required")
	}
	if c.Enum != nil {
		ws := make([]string, len(c.Enum))
		for i, v := range c.Enum {
			ws[i] = value.JSON(v)
		}
		parts = append(parts, "one of "+strings.Join(ws, ", "))
	}
	if c.Description != "" {
		parts = append(parts, "— "+c.Description)
	}
	return strings.Join(parts, "  ")
}

func schemaText(s *frontmatter.Schema, none string) string {
	if s == nil {
		return none
	}
	var b strings.Builder
	b.WriteString("{")
	for i, f := range s.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name)
		if !f.Required && !f.Type.Optional() {
			b.WriteString("?")
		}
		b.WriteString(": ")
		b.WriteString(f.Type.String())
	}
	b.WriteString("}")
	return b.String()
}

// nodeFieldsText shows the fields set in the file, in written order:
// expressions and ids as written, text kinds quoted, templates as
// "(template)", multi-line values as "(N lines)".
func nodeFieldsText(n *ast.Node) string {
	var parts []string
	for _, name := range n.FieldOrder {
		if name == "id" || name == "type" {
			continue
		}
		f := n.Fields[name]
		if f == nil {
			continue
		}
		parts = append(parts, name+"="+fieldText(f))
	}
	return strings.Join(parts, " ")
}

// maxFieldText is the longest value shown in full in the text form.
const maxFieldText = 40

func fieldText(f *ast.Field) string {
	raw := f.Raw
	if k := strings.Count(raw, "\n"); k > 0 {
		return fmt.Sprintf("(%d lines)", k+1)
	}
	kind := fields.Str
	if f.Spec != nil {
		kind = f.Spec.Kind
	}
	if strings.Contains(raw, "{{") && (f.Tmpl != nil || f.Tree != nil || kind == fields.Tmpl) {
		return "(template)"
	}
	if r := []rune(raw); len(r) > maxFieldText {
		raw = string(r[:maxFieldText-1]) + "…"
	}
	switch kind {
	case fields.Str, fields.Tmpl, fields.Enum, fields.Path, fields.Name, fields.Schema:
		return value.JSON(raw)
	}
	return raw
}

// ---- JSON ----

func inspectJSON(file string, flow *ast.Flow, plan *dag.Plan, diags source.List) *value.Object {
	fm := flow.Front
	config := make([]any, 0, len(fm.Config))
	for _, c := range fm.Config {
		var enum any
		if c.Enum != nil {
			enum = append([]any(nil), c.Enum...)
		}
		var def any
		if c.HasDefault {
			def = c.Default
		}
		var desc any
		if c.Description != "" {
			desc = c.Description
		}
		config = append(config, value.ObjectOf("key", c.Key, "type", c.Type, "default", def,
			"required", c.Required, "enum", enum, "description", desc))
	}
	secrets := make([]any, 0, len(fm.Secrets))
	for _, s := range fm.Secrets {
		secrets = append(secrets, value.ObjectOf("name", s.Name, "env", s.Env, "required", s.Required))
	}
	env := value.NewObject(len(fm.Env))
	for _, e := range fm.Env {
		var d any
		if e.Default != nil {
			d = *e.Default
		}
		env.Set(e.Name, d)
	}
	var nodes func(s *ast.Scope) []any
	nodes = func(s *ast.Scope) []any {
		out := make([]any, 0, len(s.Nodes))
		for _, n := range s.Nodes {
			p := flow.File.Position(n.TagSpan.Start)
			fs := value.NewObject(len(n.FieldOrder))
			for _, name := range n.FieldOrder {
				if f := n.Fields[name]; f != nil && name != "id" && name != "type" {
					fs.Set(name, f.Raw)
				}
			}
			needs := []any{}
			if plan != nil && n.Index < len(plan.Deps) {
				for _, d := range plan.Deps[n.Index] {
					needs = append(needs, d.ID)
				}
			}
			children := []any{}
			for _, in := range n.Scopes {
				children = append(children, nodes(in)...)
			}
			out = append(out, value.ObjectOf("id", n.ID, "kind", n.Kind, "line", float64(p.Line), "col", float64(p.Col),
				"fields", fs, "needs", needs, "children", children))
		}
		return out
	}
	all := nodes(flow.Root)
	if flow.OnError != nil {
		all = append(all, nodes(flow.OnError)...)
	}
	ds := make([]any, 0, len(diags))
	for _, d := range diags {
		ds = append(ds, diagValue(d))
	}
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return value.ObjectOf("name", fm.Name, "version", str(fm.Version), "description", str(fm.Description),
		"file", file, "trigger", triggerJSON(fm.Trigger), "config", config, "secrets", secrets, "env", env,
		"input", schemaJSON(fm.Input), "output", schemaJSON(fm.Output), "nodes", all, "diagnostics", ds)
}

func triggerJSON(t *frontmatter.Trigger) any {
	if t == nil {
		return nil
	}
	o := value.ObjectOf("manual", t.Manual)
	if t.Schedule != "" {
		o.Set("schedule", t.Schedule)
	}
	if t.Webhook != nil {
		o.Set("webhook", value.ObjectOf("path", t.Webhook.Path, "auth", t.Webhook.Auth))
	}
	if t.Watch != nil {
		o.Set("watch", value.ObjectOf("paths", strList(t.Watch.Paths), "events", strList(t.Watch.Events)))
	}
	return o
}

func strList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// schemaJSON is the JSON Schema (spec/expressions.md §11) of an input or
// output declaration: an object whose required keys are the fields
// without `?` or default.
func schemaJSON(s *frontmatter.Schema) any {
	if s == nil {
		return nil
	}
	props := value.NewObject(len(s.Fields))
	req := []any{}
	for _, f := range s.Fields {
		p, ok := f.Type.JSONSchema().(*value.Object)
		if !ok {
			p = value.NewObject(0)
		}
		p = p.Clone()
		if f.Description != "" {
			p.Set("description", f.Description)
		}
		if f.HasDefault {
			p.Set("default", f.Default)
		}
		if f.Enum != nil {
			p.Set("enum", append([]any(nil), f.Enum...))
		}
		props.Set(f.Name, p)
		if f.Required {
			req = append(req, f.Name)
		}
	}
	return value.ObjectOf("type", "object", "properties", props, "required", req)
}
