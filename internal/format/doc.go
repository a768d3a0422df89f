// Package format is the canonical printer of a workflow body, used by
// `flowscript fmt` (spec/cli.md §9). It works from the parser's element
// tree and the original bytes: element and field names become canonical,
// elements are indented two spaces per level, one per line, attributes keep
// their written order and raw text, and text fields, YAML blocks, comments,
// frontmatter, preamble and footer are kept byte for byte (a comment's
// first line and a text field's start tag move to the element indentation;
// the lines after them stay as written).
// Every result is parsed again and compared with the input's AST; a layout
// that would change the meaning is never returned.
package format
