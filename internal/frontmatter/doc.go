// Package frontmatter reads the YAML frontmatter of a .flow.md file
// (spec/format.md §2) and resolves, at run start, the values it declares:
// config from the command line (cli.md §11), the workflow input, secrets and
// environment variables.
//
// Parse decodes the YAML through yaml.Node so that every problem — unknown
// keys with a suggestion, invalid values, duplicate keys, schema syntax
// errors inside a YAML scalar — is reported with its exact position in the
// whole file. It reports every problem, not the first.
package frontmatter
