package runtimes

// emailRuntimes returns the email runtimes (not built yet).
func emailRuntimes() []Runtime { return nil }
