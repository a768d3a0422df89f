package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
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
			t.Run(filepath.Base(flow), func(t *testing.T) { testExampleCases(t, flow) })
			continue
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(flow), "NEEDS_NETWORK")); err == nil {
			continue // needs a real service; its .test.flow.md runs it offline with mocks
		}
		t.Run(filepath.Base(flow), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(filepath.Dir(flow))); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			s := runner.Streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: os.LookupEnv, Cwd: dir}
			args := append([]string{"run", filepath.Join(dir, filepath.Base(flow)), "--progress", "none"}, exampleArgs(t, flow)...)
			args = append(args, fixtureArgs(t, flow)...)
			code := cli.Run(context.Background(), args, s, false)
			if code != 0 {
				t.Fatalf("exit %d\nstderr:\n%s", code, errb.String())
			}
			want, err := os.ReadFile(filepath.Join(filepath.Dir(flow), "expected-output.json"))
			if err == nil && out.String() != string(want) {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
			}
			checkExpectedFiles(t, filepath.Join(filepath.Dir(flow), "expected-files"), dir)
		})
	}
}

// testExampleCases runs an example's .test.flow.md through flowscript
// test in a copy of its directory; every case must pass.
func testExampleCases(t *testing.T, flow string) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Dir(flow))); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	s := runner.Streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: os.LookupEnv, Cwd: dir}
	if code := cli.Run(context.Background(), []string{"test", filepath.Join(dir, filepath.Base(flow))}, s, false); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
}

// fixtureArgs gives an example that has a fixtures/ directory and
// declares the config key api_base a static file server on loopback
// serving that directory (--config api_base=URL); the example must have
// requested at least one file from it by the end of the test.
func fixtureArgs(t *testing.T, flow string) []string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(flow), "fixtures")
	src, err := os.ReadFile(flow)
	if err != nil || !bytes.Contains(src, []byte("\n  api_base:")) {
		return nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("%s declares api_base but has no fixtures directory", filepath.Base(flow))
	}
	var served atomic.Int64
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		if !t.Failed() && served.Load() == 0 {
			t.Errorf("%s made no request to the fixture server", filepath.Base(flow))
		}
	})
	return []string{"--config", fmt.Sprintf("api_base=%s", srv.URL)}
}

// checkExpectedFiles compares every file under want (when the example has
// that directory) with the file at the same relative path in dir, where
// the example ran.
func checkExpectedFiles(t *testing.T, want, dir string) {
	t.Helper()
	if _, err := os.Stat(want); err != nil {
		return
	}
	err := filepath.WalkDir(want, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, path)
		w, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if string(got) != string(w) {
			t.Errorf("%s:\n%s\nwant:\n%s", rel, got, w)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
