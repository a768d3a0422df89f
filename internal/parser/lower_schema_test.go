package parser

import "testing"

// TestSchemaFieldForm checks that <output-schema> written with <field>
// elements gives the same type as its DSL text (expressions.md §11).
func TestSchemaFieldForm(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"spec example", `<field name="score" type="number"/>
      <field name="tags" type="string[]" required="false"/>`, `{score: number, tags: string[]?}`},
		{"default type and comment", `<!-- fields -->
      <field name="title" description="A title"/>`, `{title: string}`},
		{"nested object list", `<field name="authors" type="object[]">
        <field name="name"/>
        <field name="born" type="integer" required="false"/>
      </field>`, `{authors: {name: string, born: integer?}[]}`},
		{"nested without type", `<field name="meta"><field name="k" type="enum[a, b]"/></field>`, `{meta: {k: enum[a, b]}}`},
		{"DSL text still works", `{score: number}`, `{score: number}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "---\nname: s\nversion: 1\nsecrets: [OPENROUTER_API_KEY]\n---\n<workflow>\n  <transform id=\"a\" type=\"ai\" model=\"m\" prompt=\"p\">\n    <output-schema>\n      " +
				tt.body + "\n    </output-schema>\n  </transform>\n</workflow>\n"
			flow, diags := ParseFile("s.flow.md", []byte(src))
			if diags.HasErrors() {
				t.Fatalf("diagnostics: %v", diags)
			}
			f := flow.ByID["a"].Fields["output-schema"]
			if f == nil || f.Type == nil {
				t.Fatal("no output-schema type")
			}
			if got := f.Type.String(); got != tt.want {
				t.Errorf("type %s, want %s", got, tt.want)
			}
		})
	}
}
