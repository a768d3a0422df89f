package runtimes

// httpRuntimes returns the http runtimes (not built yet).
func httpRuntimes() []Runtime { return nil }
