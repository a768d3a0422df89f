package report

import (
	"strings"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

var cellEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", "\r\n", " ", "\n", " ", "\r", " ")

// cell escapes a table cell (execution.md §16).
func cell(s string) string { return cellEscaper.Replace(s) }

// countsText lists the non-zero counts ("4 ok, 1 failed").
func countsText(c exec.Counts) string {
	var parts []string
	add := func(n int, w string) {
		if n > 0 {
			parts = append(parts, value.FormatNumber(float64(n))+" "+w)
		}
	}
	add(c.Success, "ok")
	add(c.Failed, "failed")
	add(c.Skipped, "skipped")
	add(c.Cancelled, "cancelled")
	add(c.NotRun, "not run")
	return strings.Join(parts, ", ")
}

// Tables renders the two Markdown tables of the footer execution log for
// this run alone (execution.md §16, without the markers): the runs table
// with one row and the node table of top-level nodes.
func (r *Run) Tables() string {
	rep := r.Report
	var b strings.Builder
	b.WriteString("## Execution log\n\n")
	b.WriteString("| Run | Started (UTC) | Duration | Status | Nodes | First error |\n|---|---|---|---|---|---|\n")
	firstErr := ""
	if e := rep.Err; e != nil {
		firstErr = "[" + e.Code + "] " + r.mask(e.Message)
		if e.Node != "" {
			firstErr = e.Node + ": " + firstErr
		}
	}
	row := func(cells ...string) {
		b.WriteString("|")
		for _, c := range cells {
			if c == "" {
				b.WriteString(" |")
				continue
			}
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteString("\n")
	}
	row(r.ID, rep.Start.UTC().Format("2006-01-02 15:04:05"), units.FormatElapsed(rep.End.Sub(rep.Start)), rep.Status,
		countsText(rep.Counts), firstErr)
	b.WriteString("\n### Latest run: " + r.ID + "\n\n")
	b.WriteString("| Node | Status | Duration | Attempts | Output |\n|---|---|---|---|---|\n")
	for _, in := range rep.Instances {
		if in.Node.Parent != nil {
			continue
		}
		out := ""
		if in.Status == exec.StatusSuccess {
			out = Cut(value.JSON(r.maskValue(in.Output)), 60, "…")
		}
		row(in.Key, nodeStatus(in.Status), units.FormatElapsed(in.Duration()), value.FormatNumber(float64(in.Attempts)), out)
	}
	return b.String()
}
