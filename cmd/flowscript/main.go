// Command flowscript runs workflows written as .flow.md files.
package main

import (
	"os"

	"github.com/flowscript/flowscript/internal/cli"
)

func main() { os.Exit(cli.Main()) }
