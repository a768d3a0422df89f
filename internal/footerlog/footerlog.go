package footerlog

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/atomicfile"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/progress"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// The lines that delimit the block (spec/format.md §7).
const (
	BeginLine = "<!-- flowscript:log begin -->"
	EndLine   = "<!-- flowscript:log end -->"
)

// DefaultKeep is how many runs the table keeps by default.
const DefaultKeep = 5

// Entry is one run for the log.
type Entry struct {
	RunID    string
	Started  time.Time
	Duration time.Duration
	Status   string
	Counts   exec.Counts
	// FirstError is "node: [CODE] message" (masked), "" when none.
	FirstError string
	// Nodes are the rows of the node table.
	Nodes []Node
}

// Node is one row of the node table.
type Node struct {
	Key      string
	Status   string // "not run" for pending nodes
	Duration time.Duration
	Started  bool // false: the duration cell stays empty
	Attempts int
	// Output is the compact JSON of the output (masked); "" for none.
	Output string
}

// NewEntry builds the entry of a finished run: the node table holds the
// top-level nodes and phase members in document order. maskValue masks
// outputs, mask the error message; nil means no masking.
func NewEntry(runID string, rep *exec.Report, mask func(string) string, maskValue func(any) (any, bool)) Entry {
	if mask == nil {
		mask = func(s string) string { return s }
	}
	e := Entry{RunID: runID, Started: rep.Start, Duration: rep.End.Sub(rep.Start), Status: rep.Status, Counts: rep.Counts}
	if e.Duration < 0 {
		e.Duration = 0
	}
	if ne := rep.Err; ne != nil {
		e.FirstError = "[" + ne.Code + "] " + mask(ne.Message)
		if ne.Node != "" {
			e.FirstError = ne.Node + ": " + e.FirstError
		}
	}
	for _, in := range rep.Instances {
		if in.Node == nil || in.Node.Parent != nil || in.Key != in.Node.ID {
			continue
		}
		n := Node{Key: in.Key, Status: in.Status, Duration: in.Duration(), Started: !in.Start.IsZero(), Attempts: in.Attempts}
		if n.Status == exec.StatusPending {
			n.Status = "not run"
		}
		if in.Status == exec.StatusSuccess {
			out := in.Output
			if maskValue != nil {
				out, _ = maskValue(out)
			}
			n.Output = value.JSON(out)
		}
		e.Nodes = append(e.Nodes, n)
	}
	return e
}

// Cell escapes text for a table cell: "|" → "\|", "<" → "&lt;", line
// breaks → spaces.
func Cell(s string) string {
	return cellReplacer.Replace(s)
}

var cellReplacer = strings.NewReplacer("|", `\|`, "<", "&lt;", "\r\n", " ", "\n", " ", "\r", " ")

// cutOutput keeps 60 characters of an output and adds "…" when cut.
func cutOutput(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	i, n := 0, 0
	for n < 60 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return s[:i] + "…"
}

// Row is the runs-table row of the entry.
func (e Entry) Row() string {
	cells := []string{e.RunID, e.Started.UTC().Format("2006-01-02 15:04:05"), units.FormatElapsed(e.Duration),
		e.Status, progress.Counts(e.Counts), e.FirstError}
	return row(cells)
}

func row(cells []string) string {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		c = Cell(c)
		if c == "" {
			b.WriteString(" |")
			continue
		}
		b.WriteString(" " + c + " |")
	}
	return b.String()
}

// Block renders the whole block (with its begin and end lines, each line
// ended by "\n"); older are runs-table rows to keep below the new one, as
// they are.
func (e Entry) Block(older []string) string {
	var b strings.Builder
	b.WriteString(BeginLine + "\n## Execution log\n\n")
	b.WriteString("| Run | Started (UTC) | Duration | Status | Nodes | First error |\n|---|---|---|---|---|---|\n")
	b.WriteString(e.Row() + "\n")
	for _, r := range older {
		b.WriteString(r + "\n")
	}
	b.WriteString("\n### Latest run: " + e.RunID + "\n\n")
	b.WriteString("| Node | Status | Duration | Attempts | Output |\n|---|---|---|---|---|\n")
	for _, n := range e.Nodes {
		dur := ""
		if n.Started {
			dur = units.FormatElapsed(n.Duration)
		}
		b.WriteString(row([]string{n.Key, n.Status, dur, strconv.Itoa(n.Attempts), cutOutput(n.Output)}) + "\n")
	}
	b.WriteString(EndLine + "\n")
	return b.String()
}

// block is where the block lies in a file.
type block struct {
	start, end int // start of the begin line; after the end line
	malformed  bool
}

// find locates the block by the rules of spec/format.md §7 (the same as
// the parser's): lines equal to the markers after trailing blanks are
// trimmed. A begin without end, a begin inside a block or a second block
// is malformed (W704).
func find(src []byte) block {
	blk := block{start: -1, end: -1}
	open := -1
	found := 0
	for ls := 0; ls < len(src); {
		le, next := len(src), len(src)
		if k := bytes.IndexByte(src[ls:], '\n'); k >= 0 {
			le, next = ls+k, ls+k+1
		}
		line := string(bytes.TrimRight(src[ls:le], " \t\r"))
		switch {
		case line == BeginLine:
			if open >= 0 || found > 0 {
				blk.malformed = true
			}
			if open < 0 {
				open = ls
			}
		case line == EndLine && open >= 0:
			if found == 0 {
				blk.start, blk.end = open, next
			}
			found++
			open = -1
		}
		ls = next
	}
	if open >= 0 {
		blk.malformed = true
	}
	return blk
}

// existingRows returns the runs-table rows of a block, as they are.
func existingRows(blk string) []string {
	var rows []string
	lines := strings.Split(strings.ReplaceAll(blk, "\r\n", "\n"), "\n")
	in := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "| Run |"):
			in = true
		case !in:
		case strings.HasPrefix(t, "|---") || strings.HasPrefix(t, "| ---"):
		case strings.HasPrefix(t, "|"):
			rows = append(rows, t)
		default:
			return rows
		}
	}
	return rows
}

// rowRunID is the first cell of a row.
func rowRunID(r string) string {
	r = strings.TrimPrefix(r, "|")
	if i := strings.Index(r, "|"); i >= 0 {
		r = r[:i]
	}
	return strings.TrimSpace(r)
}

// Update writes the entry into the file at path, whose content the run
// read as original: the new row first, then the existing rows of other
// runs, at most keep rows in all (keep <= 0: DefaultKeep), and the node
// table of this run. The block replaces the existing one in place (its end
// line keeps the line break it had), or is appended after one blank line. The write is atomic and keeps the file
// mode. When the file changed since original was read, or its log block
// is malformed (W704), nothing is written and the warning says why.
func Update(path string, original []byte, entry Entry, keep int) (warning string, err error) {
	if keep <= 0 {
		keep = DefaultKeep
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if !bytes.Equal(cur, original) {
		return fmt.Sprintf("%s changed during the run; execution log not written", path), nil
	}
	blk := find(original)
	if blk.malformed {
		return fmt.Sprintf("%s has a malformed execution-log block; execution log not written", path), nil
	}
	var older []string
	if blk.start >= 0 {
		for _, r := range existingRows(string(original[blk.start:blk.end])) {
			if rowRunID(r) != entry.RunID {
				older = append(older, r)
			}
		}
	}
	if len(older) > keep-1 {
		older = older[:keep-1]
	}
	text := entry.Block(older)
	crlf := bytes.Contains(original, []byte("\r\n"))
	if crlf {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	nl := "\n"
	if crlf {
		nl = "\r\n"
	}
	var out []byte
	if blk.start >= 0 {
		// The new end line keeps exactly the line break the old one had
		// (none when it was the last line of a file without a final one).
		text = strings.TrimSuffix(text, nl) + lineBreak(original[:blk.end])
		out = append(out, original[:blk.start]...)
		out = append(out, text...)
		out = append(out, original[blk.end:]...)
	} else {
		out = append(out, original...)
		if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n")) {
			out = append(out, nl...)
		}
		if len(out) > 0 && !bytes.HasSuffix(out, []byte(nl+nl)) {
			out = append(out, nl...)
		}
		out = append(out, text...)
	}
	return "", atomicfile.Replace(path, out)
}

// lineBreak returns the line break that ends b: "\r\n", "\n" or "".
func lineBreak(b []byte) string {
	switch {
	case bytes.HasSuffix(b, []byte("\r\n")):
		return "\r\n"
	case bytes.HasSuffix(b, []byte("\n")):
		return "\n"
	}
	return ""
}
