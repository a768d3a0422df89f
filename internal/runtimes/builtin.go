package runtimes

// Builtin returns a registry holding the runtimes of this package.
//
// Still to be added by their owners: transform/template, transform/map,
// transform/filter, transform/reduce, source/http, sink/http,
// source/database, sink/database, sink/email and transform/ai.
func Builtin() *Registry {
	return NewRegistry(
		&Exec{Role: "source"},
		&Exec{Role: "transform"},
		&Exec{Role: "sink"},
		&File{Role: "source"},
		&File{Role: "sink"},
	)
}
