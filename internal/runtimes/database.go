package runtimes

// databaseRuntimes returns the database runtimes (not built yet).
func databaseRuntimes() []Runtime { return nil }
