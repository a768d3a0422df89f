package footerlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/redact"
	"github.com/flowscript/flowscript/internal/value"
)

var t0 = time.Date(2026, 11, 25, 10, 17, 0, 0, time.UTC)

func entry(id string, status string) Entry {
	return Entry{RunID: id, Started: t0, Duration: 48 * time.Millisecond, Status: status,
		Counts: exec.Counts{Success: 5},
		Nodes: []Node{
			{Key: "orders", Status: "success", Duration: 2 * time.Millisecond, Started: true, Attempts: 1,
				Output: `[{"id":1,"customer":"Ada","total":120,"paid":true},{"id":2,"customer":"Linus","total":40,"paid":false}]`},
			{Key: "save", Status: "success", Duration: time.Millisecond, Started: true, Attempts: 1,
				Output: `{"path":"out/paid.txt","bytes":71,"format":"text"}`},
		}}
}

const block1 = `<!-- flowscript:log begin -->
## Execution log

| Run | Started (UTC) | Duration | Status | Nodes | First error |
|---|---|---|---|---|---|
| 20261125T101700Z-77a0e1 | 2026-11-25 10:17:00 | 48ms | success | 5 ok | |

### Latest run: 20261125T101700Z-77a0e1

| Node | Status | Duration | Attempts | Output |
|---|---|---|---|---|
| orders | success | 2ms | 1 | [{"id":1,"customer":"Ada","total":120,"paid":true},{"id":2,"… |
| save | success | 1ms | 1 | {"path":"out/paid.txt","bytes":71,"format":"text"} |
<!-- flowscript:log end -->
`

func write(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "w.flow.md")
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
	return p
}

func update(t *testing.T, p string, e Entry, keep int) string {
	t.Helper()
	orig, _ := os.ReadFile(p)
	w, err := Update(p, orig, e, keep)
	if err != nil || w != "" {
		t.Fatalf("update: %q %v", w, err)
	}
	got, _ := os.ReadFile(p)
	return string(got)
}

func TestAppend(t *testing.T) {
	for _, tt := range []struct{ name, file, want string }{
		{"final newline", "<workflow/>\n", "<workflow/>\n\n" + block1},
		{"no final newline", "<workflow/>", "<workflow/>\n\n" + block1},
		{"blank line already", "<workflow/>\n\n", "<workflow/>\n\n" + block1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, tt.file, 0o640)
			if got := update(t, p, entry("20261125T101700Z-77a0e1", "success"), 5); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %v", fi.Mode())
			}
		})
	}
}

func TestReplaceInPlaceAndKeep(t *testing.T) {
	p := write(t, "<workflow/>\n\n"+block1+"\n## Notes\nkept\n", 0o644)
	ids := []string{"20261125T101800Z-000001", "20261125T101900Z-000002", "20261125T102000Z-000003"}
	var got string
	for _, id := range ids {
		got = update(t, p, entry(id, "success"), 3)
	}
	if !strings.HasSuffix(got, "<!-- flowscript:log end -->\n\n## Notes\nkept\n") || !strings.HasPrefix(got, "<workflow/>\n\n<!-- flowscript:log begin -->\n") {
		t.Errorf("block not replaced in place:\n%s", got)
	}
	var rows []string
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "| 2026") {
			rows = append(rows, l[:25])
		}
	}
	want := "| 20261125T102000Z-000003,| 20261125T101900Z-000002,| 20261125T101800Z-000001"
	if strings.Join(rows, ",") != want {
		t.Errorf("rows %v", rows)
	}
	if strings.Count(got, "flowscript:log begin") != 1 || !strings.Contains(got, "### Latest run: 20261125T102000Z-000003") {
		t.Errorf("block:\n%s", got)
	}
	// The same run again replaces its own row.
	got = update(t, p, entry("20261125T102000Z-000003", "failed"), 3)
	if strings.Count(got, "| 20261125T102000Z-000003 |") != 1 || !strings.Contains(got, "| 20261125T102000Z-000003 | 2026-11-25 10:17:00 | 48ms | failed |") {
		t.Errorf("rerun:\n%s", got)
	}
}

// TestReplaceKeepsFinalLineBreak: replacing a block that ends the file
// once removed the file's final line break (execution.md §16).
func TestReplaceKeepsFinalLineBreak(t *testing.T) {
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	noBreak := strings.TrimSuffix(block1, "\n")
	for _, tt := range []struct{ name, file, want string }{
		{"last line with line break", "<workflow/>\n\n" + block1, "<workflow/>\n\n" + block1},
		{"last line without line break", "<workflow/>\n\n" + noBreak, "<workflow/>\n\n" + noBreak},
		{"crlf last line with line break", crlf("<workflow/>\n\n" + block1), crlf("<workflow/>\n\n" + block1)},
		{"crlf last line without line break", crlf("<workflow/>\n\n" + noBreak), crlf("<workflow/>\n\n" + noBreak)},
		{"end line with blanks", "<workflow/>\n\n" + strings.TrimSuffix(block1, "\n") + " \t\n", "<workflow/>\n\n" + block1},
		{"text after the block", "<workflow/>\n\n" + block1 + "after", "<workflow/>\n\n" + block1 + "after"},
		{"lf end line in a crlf file", crlf("<workflow/>\n\n"+noBreak) + "\nafter\r\n", crlf("<workflow/>\n\n"+noBreak) + "\nafter\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, tt.file, 0o644)
			for i := range 3 {
				if got := update(t, p, entry("20261125T101700Z-77a0e1", "success"), 5); got != tt.want {
					t.Fatalf("update %d:\n got %q\nwant %q", i+1, got, tt.want)
				}
			}
		})
	}
}

func TestCells(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a|b", `a\|b`},
		{"<b>", "&lt;b>"},
		{"one\ntwo\r\nthree\rfour", "one two three four"},
	}
	for _, tt := range tests {
		if got := Cell(tt.in); got != tt.want {
			t.Errorf("Cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	e := entry("20261125T101700Z-77a0e1", "failed")
	e.FirstError = "save: [R607] cannot write <out>|x\nsecond line"
	e.Counts = exec.Counts{Success: 4, Failed: 1}
	if got, want := e.Row(), `| 20261125T101700Z-77a0e1 | 2026-11-25 10:17:00 | 48ms | failed | 4 ok, 1 failed | save: [R607] cannot write &lt;out>\|x second line |`; got != want {
		t.Errorf("row\n%s\nwant\n%s", got, want)
	}
}

func TestRefusals(t *testing.T) {
	p := write(t, "<workflow/>\n", 0o644)
	w, err := Update(p, []byte("<workflow id=\"old\"/>\n"), entry("20261125T101700Z-77a0e1", "success"), 5)
	if err != nil || !strings.Contains(w, "changed during the run") {
		t.Errorf("changed file: %q %v", w, err)
	}
	if got, _ := os.ReadFile(p); string(got) != "<workflow/>\n" {
		t.Error("changed file was written")
	}
	for _, bad := range []string{
		"<workflow/>\n<!-- flowscript:log begin -->\nx\n",
		"<workflow/>\n<!-- flowscript:log begin -->\n<!-- flowscript:log end -->\n<!-- flowscript:log begin -->\n<!-- flowscript:log end -->\n",
		"<workflow/>\n<!-- flowscript:log begin -->\n<!-- flowscript:log begin -->\n<!-- flowscript:log end -->\n",
	} {
		p := write(t, bad, 0o644)
		w, err := Update(p, []byte(bad), entry("20261125T101700Z-77a0e1", "success"), 5)
		if err != nil || !strings.Contains(w, "malformed execution-log block") {
			t.Errorf("%q: %q %v", bad, w, err)
		}
		if got, _ := os.ReadFile(p); string(got) != bad {
			t.Errorf("malformed block touched: %q", got)
		}
	}
}

func TestCRLF(t *testing.T) {
	p := write(t, "<workflow/>\r\n", 0o644)
	got := update(t, p, entry("20261125T101700Z-77a0e1", "success"), 5)
	if got != "<workflow/>\r\n\r\n"+strings.ReplaceAll(block1, "\n", "\r\n") {
		t.Errorf("crlf:\n%q", got)
	}
}

func TestNewEntry(t *testing.T) {
	top := &ast.Node{ID: "fetch", Kind: "source/exec"}
	loop := &ast.Node{ID: "each", Kind: "foreach"}
	inner := &ast.Node{ID: "x", Kind: "transform/template", Parent: loop}
	m := redact.New([]string{"s3cr3t-value"})
	rep := &exec.Report{Status: exec.RunFailed, Start: t0, End: t0.Add(938 * time.Millisecond),
		Counts: exec.Counts{Success: 2, Failed: 1, NotRun: 1},
		Err:    &exec.NodeError{Code: "R609", Message: "bad s3cr3t-value", Node: "each[0]/x"},
		Instances: []*exec.Instance{
			{Key: "fetch", Node: top, Status: exec.StatusSuccess, Output: value.ObjectOf("token", "s3cr3t-value"), Attempts: 1, Start: t0, End: t0.Add(2 * time.Millisecond)},
			{Key: "each", Node: loop, Status: exec.StatusFailed, Attempts: 1, Start: t0, End: t0},
			{Key: "each[0]/x", Node: inner, Status: exec.StatusFailed, Attempts: 1, Start: t0, End: t0},
			{Key: "later", Node: &ast.Node{ID: "later"}, Status: exec.StatusPending},
		}}
	e := NewEntry("20261125T101500Z-3f9a2c", rep, m.String, m.Value)
	if e.FirstError != "each[0]/x: [R609] bad ***" || e.Duration != 938*time.Millisecond {
		t.Errorf("entry %+v", e)
	}
	var keys []string
	for _, n := range e.Nodes {
		keys = append(keys, n.Key+":"+n.Status+":"+n.Output)
	}
	if got := strings.Join(keys, ","); got != `fetch:success:{"token":"***"},each:failed:,later:not run:` {
		t.Errorf("nodes %s", got)
	}
	if !strings.Contains(e.Block(nil), "| later | not run | | 0 | |") {
		t.Errorf("block:\n%s", e.Block(nil))
	}
}
