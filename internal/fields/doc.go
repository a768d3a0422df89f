// Package fields declares the field schema of every element FlowScript
// defines (spec/nodes.md): node kinds, their fields with kinds, defaults and
// ranges, the child elements each may hold, and where each may appear.
//
// The same schema drives the parser (which attributes, child elements and
// group-block keys are fields, and which child elements are text fields),
// the validator (required fields, kinds, conflicts), the executor (which
// fields to render before a runtime starts) and `flowscript nodes`.
package fields
