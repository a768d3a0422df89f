package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	fexec "github.com/flowscript/flowscript/internal/exec"
)

// bigJSON writes a JSON array of n records (about 40 bytes each) to path.
func bigJSON(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("[\n")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `  {"id": %d, "name": "record %d"}`, i, i)
	}
	b.WriteString("\n]\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

const spillFlow = `<source id="records" type="file" path="records.json"/>
<transform id="count" type="template" input="records" template="{{ length(input) }}"/>
`

// spillRun runs spillFlow on 40,000 records and returns the store, the
// source file's and the kept output's info, and the run directory.
func spillRun(t *testing.T) (s *Store, src, kept os.FileInfo, runDir string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "records.json")
	bigJSON(t, path, 40000)
	s, runDir, rep := runFlowIn(t, dir, spillFlow, nil)
	if rep.Status != fexec.RunSuccess {
		t.Fatalf("status %s: %v", rep.Status, rep.Err)
	}
	src, _ = os.Stat(path)
	kept, err := os.Stat(filepath.Join(runDir, "outputs", "records.json"))
	if err != nil {
		t.Fatal(err)
	}
	if readFile(t, path) != readFile(t, filepath.Join(runDir, "outputs", "records.json")) {
		t.Error("the kept output differs from the file")
	}
	return s, src, kept, runDir
}

// A large output decoded from a JSON file as is is kept as a hard link
// to that file, with the checksum of what was read, and loads back.
func TestSpillLinksTheFileAnOutputCameFrom(t *testing.T) {
	s, src, kept, runDir := spillRun(t)
	if !os.SameFile(src, kept) {
		t.Fatal("outputs/records.json is not a link to records.json")
	}
	raw := readFile(t, filepath.Join(runDir, StateFile))
	if !strings.Contains(raw, `"output":{"$file":"outputs/records.json"},"output_checksum":"xxh64:`) {
		t.Errorf("state.json:\n%.600s", raw)
	}
	st, err := s.Load(testID, "")
	if err != nil {
		t.Fatal(err)
	}
	n := st.Nodes["records"]
	if n.Lost != "" || len(n.Output.([]any)) != 40000 {
		t.Errorf("loaded: lost %q, output %T", n.Lost, n.Output)
	}
}

// Where a link is impossible the file is copied.
func TestSpillCopiesWhenItCannotLink(t *testing.T) {
	defer func(l func(string, string) error) { link = l }(link)
	link = func(string, string) error { return errors.New("cross-device link") }
	if _, src, kept, _ := spillRun(t); os.SameFile(src, kept) {
		t.Fatal("not a separate copy")
	}
}

// A secret in the file: the output is masked, so it is encoded (masked)
// instead of linked.
func TestSpillNeverLinksAMaskedOutput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "records.json")
	bigJSON(t, path, 40000)
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), "record 7\"", "hunter2hunter2\"", 1)), 0o644)
	_, runDir, rep := runFlowIn(t, dir, spillFlow, []string{"hunter2hunter2"})
	if rep.Status != fexec.RunSuccess {
		t.Fatalf("status %s: %v", rep.Status, rep.Err)
	}
	src, _ := os.Stat(path)
	kept, _ := os.Stat(filepath.Join(runDir, "outputs", "records.json"))
	if kept == nil || os.SameFile(src, kept) {
		t.Fatal("a masked output was linked")
	}
	out := readFile(t, filepath.Join(runDir, "outputs", "records.json"))
	if strings.Contains(out, "hunter2") || !strings.Contains(out, `{"id":7,"name":"***"}`) {
		t.Errorf("spilled output not masked: %.200s", out)
	}
}

// A spilled output that is missing, changed or unreadable is reported as
// lost (the node reruns on resume) instead of failing the whole load.
func TestLoadSpilledOutputLost(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		spoil      func(stateFile, output string)
	}{
		{"missing", "stored output missing", func(_, output string) { os.Remove(output) }},
		{"changed in place", "stored output changed", func(_, output string) {
			f, _ := os.OpenFile(output, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString(" ")
			f.Close()
		}},
		{"corrupt, no checksum", "stored output corrupt", func(stateFile, output string) {
			os.Remove(output)
			os.WriteFile(output, []byte("[1, 2"), 0o644)
			b, _ := os.ReadFile(stateFile)
			re := regexp.MustCompile(`,"output_checksum":"xxh64:[0-9a-f]{16}"`)
			os.WriteFile(stateFile, re.ReplaceAll(b, nil), 0o644)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, _, runDir := spillRun(t)
			tc.spoil(filepath.Join(runDir, StateFile), filepath.Join(runDir, "outputs", "records.json"))
			st, err := s.Load(testID, "")
			if err != nil {
				t.Fatal(err)
			}
			n := st.Nodes["records"]
			if n.Lost != tc.want || n.HasOutput || n.Output != nil {
				t.Errorf("lost %q (want %q), has output %v", n.Lost, tc.want, n.HasOutput)
			}
			if c := st.Nodes["count"]; c.Lost != "" || c.Output != 40000.0 {
				t.Errorf("count: %+v", c)
			}
		})
	}
}

// Spill file names are distinct for distinct instance keys.
func TestOutputFileNameIsInjective(t *testing.T) {
	keys := []string{"fe[0]/big", "fe_0__big", "fe_0_/big", "fe[0]/big[1]/x", "fe@0.big", "inc/x", "inc_x", "output#1", "a-b/c"}
	seen := map[string]string{}
	for _, k := range keys {
		n := OutputFileName(k)
		if prev, dup := seen[n]; dup && !strings.ContainsAny(k, "@.") {
			t.Errorf("%q and %q share %s", prev, k, n)
		}
		seen[n] = k
	}
	if got := OutputFileName("fe[0]/big"); got != "fe@0.big.json" {
		t.Errorf("OutputFileName = %s", got)
	}
}
