package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/cli"
	"github.com/flowscript/flowscript/internal/runner"
)

// TestExamples runs every workflow under examples/ through the CLI in a
// copy of its directory, so the examples never rot. When the example has
// an expected-output.json beside it, stdout must equal it.
func TestExamples(t *testing.T) {
	flows, err := filepath.Glob("../../examples/*/*.flow.md")
	if err != nil || len(flows) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, flow := range flows {
		if strings.HasSuffix(flow, ".test.flow.md") {
			continue
		}
		t.Run(filepath.Base(flow), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(filepath.Dir(flow))); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			s := runner.Streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: os.LookupEnv, Cwd: dir}
			args := append([]string{"run", filepath.Join(dir, filepath.Base(flow)), "--progress", "none"}, exampleArgs(t, flow)...)
			code := cli.Run(context.Background(), args, s, false)
			if code != 0 {
				t.Fatalf("exit %d\nstderr:\n%s", code, errb.String())
			}
			want, err := os.ReadFile(filepath.Join(filepath.Dir(flow), "expected-output.json"))
			if err == nil && out.String() != string(want) {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
			}
		})
	}
}
