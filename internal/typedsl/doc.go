// Package typedsl implements FlowScript's schema DSL (spec/expressions.md
// §11): the small type language of `input`/`output` field types in the
// frontmatter and of `output-schema` on `ai` nodes.
//
// Parse turns DSL text such as `{score: number, tags: string[]?}` into a
// Type; a Type prints back as canonical DSL text (String), validates values
// of package value (Validate) and converts to the strict JSON Schema used for
// structured AI output (JSONSchema). FromFields builds the same Type from the
// `<field name type required/>` form.
package typedsl
