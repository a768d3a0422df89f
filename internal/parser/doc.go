// Package parser reads a .flow.md file into the validated AST of package
// ast (spec/format.md): the frontmatter through package frontmatter, the
// body located with goldmark, the forgiving XML-like body syntax with text
// fields and YAML blocks, and the lowering of elements into nodes, scopes
// and typed fields through the field schemas of package fields. Every
// static error is reported, positioned in the whole file.
package parser
