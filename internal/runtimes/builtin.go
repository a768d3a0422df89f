package runtimes

// Builtin returns a registry holding every runtime of this package. Each
// family lives in its own file and contributes its constructors here.
func Builtin() *Registry {
	r := NewRegistry(
		&Exec{Role: "source"},
		&Exec{Role: "transform"},
		&Exec{Role: "sink"},
		&File{Role: "source"},
		&File{Role: "sink"},
	)
	for _, family := range [][]Runtime{Transforms(), httpRuntimes(), databaseRuntimes(), emailRuntimes(), aiRuntimes()} {
		for _, rt := range family {
			r.Add(rt)
		}
	}
	return r
}
