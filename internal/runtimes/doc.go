// Package runtimes runs one node: each data-node kind (source/exec,
// sink/file, transform/map, ...) is a Runtime that receives its rendered
// field values and input and returns the node's output.
//
// This is the seam between "decide what runs next" (packages dag and exec)
// and "run one node": a Runtime knows nothing about waves, scopes, retries
// or the run store, so a second engine can drive the same runtimes.
package runtimes
