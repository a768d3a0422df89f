package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/flowscript/flowscript/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"flowscript":     func() { os.Exit(cli.Main()) },
		"fixture-server": fixtureServer,
		"fake-llm":       fakeLLM,
		"smtp-sink":      smtpSink,
	})
}

// TestScripts runs every CLI case in testdata/script: each is a real
// workflow run through the flowscript command with exact stdout/stderr.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("FLOWSCRIPT_TEST_CLOCK", "2026-11-25T10:15:00Z")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
	})
}
