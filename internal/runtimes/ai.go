package runtimes

// aiRuntimes returns the ai runtimes (not built yet).
func aiRuntimes() []Runtime { return nil }
