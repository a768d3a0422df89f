package report

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/units"
)

// statusColor is the fill of a status in the HTML report.
var statusColor = map[string]string{
	exec.StatusSuccess:   "#2e9d57",
	exec.StatusFailed:    "#d1343f",
	exec.StatusSkipped:   "#9aa3ad",
	exec.StatusCancelled: "#e0912b",
	"not run":            "#d5d9de",
}

func colorOf(status string) string { return statusColor[nodeStatus(status)] }

const htmlStyle = `body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2329;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#57606a}.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600}
.err{border-left:4px solid #d1343f;background:#fdf0f1;padding:8px 12px;margin:12px 0;white-space:pre-wrap;font-family:ui-monospace,monospace}
svg text{font:12px ui-monospace,Menlo,Consolas,monospace;fill:#1d2329}svg .wave{font-weight:700;fill:#57606a}
svg .dim{fill:#57606a}table{border-collapse:collapse}td,th{border-bottom:1px solid #e1e4e8;padding:3px 10px;text-align:left;vertical-align:top}
td.num{text-align:right}.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}`

// HTML is a self-contained page (inline CSS and SVG, no external assets):
// a timeline of node executions grouped by wave, the plan graph laid out
// by wave, and the node table.
func (r *Run) HTML() []byte {
	rep := r.Report
	var b strings.Builder
	esc := func(s string) string { return html.EscapeString(r.mask(s)) }
	wf := r.workflow()
	name, _ := wf.Get("name")
	version, _ := wf.Get("version")
	title := fmt.Sprintf("%s %s — run %s", name, version, r.ID)
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title><style>" + htmlStyle + "</style></head><body>\n")
	fmt.Fprintf(&b, "<h1>%s <span class=\"badge\" style=\"background:%s\">%s</span></h1>\n", esc(fmt.Sprintf("%s %s", name, version)), colorOf(runColorStatus(rep.Status)), esc(rep.Status))
	fmt.Fprintf(&b, "<div class=\"meta\">run %s · attempt %d · %s · started %s · %s · %s</div>\n", esc(r.ID), r.attempt(), esc(r.File),
		rep.Start.UTC().Format("2006-01-02 15:04:05 UTC"), units.FormatElapsed(rep.End.Sub(rep.Start)), esc(countsText(rep.Counts)))
	if e := rep.Err; e != nil {
		where := ""
		if e.Node != "" {
			where = e.Node + ": "
		}
		fmt.Fprintf(&b, "<div class=\"err\">%s[%s] %s</div>\n", esc(where), esc(e.Code), esc(e.Message))
	}
	b.WriteString("<div class=\"legend\">")
	for _, s := range []string{exec.StatusSuccess, exec.StatusFailed, exec.StatusSkipped, exec.StatusCancelled, "not run"} {
		fmt.Fprintf(&b, "<span><i style=\"background:%s\"></i>%s</span>", statusColor[s], s)
	}
	b.WriteString("</div>\n<h2>Timeline</h2>\n")
	r.timeline(&b, esc)
	b.WriteString("<h2>Plan</h2>\n")
	r.graph(&b, esc)
	b.WriteString("<h2>Nodes</h2>\n<table><tr><th>Node</th><th>Kind</th><th>Status</th><th>Attempts</th><th>Duration</th><th>Error</th></tr>\n")
	for _, in := range rep.Instances {
		e := ""
		if in.Err != nil && in.Status != exec.StatusSuccess {
			e = "[" + in.Err.Code + "] " + in.Err.Message
		} else if in.Status == exec.StatusSkipped {
			e = in.Reason
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td style=\"color:%s\">%s</td><td class=\"num\">%d</td><td class=\"num\">%s</td><td>%s</td></tr>\n",
			esc(in.Key), esc(in.Node.Kind), colorOf(in.Status), nodeStatus(in.Status), in.Attempts, units.FormatElapsed(in.Duration()), esc(e))
	}
	b.WriteString("</table>\n</body></html>\n")
	return []byte(b.String())
}

func runColorStatus(s string) string {
	switch s {
	case exec.RunSuccess:
		return exec.StatusSuccess
	case exec.RunInterrupted, exec.RunTimedOut:
		return exec.StatusCancelled
	}
	return exec.StatusFailed
}

// top returns the top-level ancestor of n.
func top(n *ast.Node) *ast.Node {
	for n.Parent != nil {
		n = n.Parent
	}
	return n
}

// waveGroups lists the instances under the top-level wave of their
// top-level node; handlers and other unplaced nodes come last.
func (r *Run) waveGroups() ([]string, [][]*exec.Instance) {
	var names []string
	var groups [][]*exec.Instance
	wave := map[*ast.Node]int{}
	if r.Plan != nil {
		for i, w := range r.Plan.Root.Waves {
			for _, n := range w {
				wave[n] = i
			}
			names = append(names, fmt.Sprintf("wave %d", i+1))
		}
	}
	groups = make([][]*exec.Instance, len(names)+1)
	for _, in := range r.Report.Instances {
		w, ok := wave[top(in.Node)]
		if !ok {
			w = len(names)
		}
		groups[w] = append(groups[w], in)
	}
	names = append(names, "other")
	return names, groups
}

// timeline draws one row per instance, grouped by wave, as a Gantt chart.
func (r *Run) timeline(b *strings.Builder, esc func(string) string) {
	rep := r.Report
	names, groups := r.waveGroups()
	total := rep.End.Sub(rep.Start)
	if total <= 0 {
		total = time.Millisecond
	}
	const labelW, chartW, rowH = 240, 600, 20
	rows := 1
	for i, g := range groups {
		if len(g) > 0 || i < len(groups)-1 {
			rows += len(g) + 1
		}
	}
	height := rows*rowH + 30
	fmt.Fprintf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"timeline\">\n", labelW+chartW+320, height)
	// Axis with five ticks.
	for i := 0; i <= 4; i++ {
		x := labelW + chartW*i/4
		fmt.Fprintf(b, "<line x1=\"%d\" y1=\"16\" x2=\"%d\" y2=\"%d\" stroke=\"#e1e4e8\"/><text x=\"%d\" y=\"12\" class=\"dim\" text-anchor=\"middle\">%s</text>\n",
			x, x, height-8, x, units.FormatElapsed(total*time.Duration(i)/4))
	}
	y := 24
	for gi, g := range groups {
		if len(g) == 0 && gi == len(groups)-1 {
			continue
		}
		fmt.Fprintf(b, "<text x=\"4\" y=\"%d\" class=\"wave\">%s</text>\n", y+14, esc(names[gi]))
		y += rowH
		for _, in := range g {
			depth := strings.Count(in.Key, "/")
			fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\">%s</text>\n", 14+depth*12, y+14, esc(Cut(in.Key, 30-depth*2, "…")))
			tip := in.Key + " (" + in.Node.Kind + "): " + nodeStatus(in.Status) + " " + units.FormatElapsed(in.Duration())
			if in.Err != nil && in.Status != exec.StatusSuccess {
				tip += "\n[" + in.Err.Code + "] " + in.Err.Message
			}
			if in.Start.IsZero() {
				fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\" class=\"dim\"><title>%s</title>%s</text>\n", labelW+4, y+14, esc(tip), esc(nodeStatus(in.Status)+reasonSuffix(in)))
				y += rowH
				continue
			}
			x0 := labelW + int(int64(chartW)*int64(in.Start.Sub(rep.Start))/int64(total))
			w := int(int64(chartW) * int64(in.Duration()) / int64(total))
			if w < 3 {
				w = 3
			}
			label := units.FormatElapsed(in.Duration())
			if in.Err != nil && in.Status == exec.StatusFailed {
				label += " [" + in.Err.Code + "] " + firstLine(in.Err.Message)
			}
			fmt.Fprintf(b, "<g><title>%s</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"dim\">%s</text></g>\n",
				esc(tip), x0, y+3, w, rowH-6, colorOf(in.Status), x0+w+6, y+14, esc(Cut(label, 44, "…")))
			y += rowH
		}
	}
	b.WriteString("</svg>\n")
}

func reasonSuffix(in *exec.Instance) string {
	if in.Reason != "" {
		return ": " + in.Reason
	}
	return ""
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// graph draws the top-level plan: one column per wave, a box per node
// coloured by its status, and an arrow per dependency.
func (r *Run) graph(b *strings.Builder, esc func(string) string) {
	if r.Plan == nil {
		return
	}
	status := map[*ast.Node]string{}
	for _, in := range r.Report.Instances {
		if in.Node.Parent == nil {
			status[in.Node] = in.Status
		}
	}
	inner := map[*ast.Node]int{}
	if r.Flow != nil {
		for _, n := range r.Flow.Nodes {
			if n.Parent != nil {
				inner[top(n)]++
			}
		}
	}
	const boxW, boxH, colW, rowH, pad = 170, 40, 230, 58, 20
	type pos struct{ x, y int }
	at := map[*ast.Node]pos{}
	maxRows := 0
	for c, w := range r.Plan.Root.Waves {
		for i, n := range w {
			at[n] = pos{pad + c*colW, pad + 18 + i*rowH}
		}
		maxRows = max(maxRows, len(w))
	}
	width := pad*2 + len(r.Plan.Root.Waves)*colW
	height := pad*2 + 18 + maxRows*rowH
	fmt.Fprintf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"plan\">\n", width, height)
	b.WriteString("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#57606a\"/></marker></defs>\n")
	for c := range r.Plan.Root.Waves {
		fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\" class=\"wave\">wave %d</text>\n", pad+c*colW, pad+6, c+1)
	}
	for _, w := range r.Plan.Root.Waves {
		for _, n := range w {
			to := at[n]
			if n.Index >= len(r.Plan.Deps) {
				continue
			}
			for _, d := range r.Plan.Deps[n.Index] {
				from, ok := at[d]
				if !ok {
					continue
				}
				x1, y1, x2, y2 := from.x+boxW, from.y+boxH/2, to.x, to.y+boxH/2
				fmt.Fprintf(b, "<path d=\"M%d %d C%d %d %d %d %d %d\" fill=\"none\" stroke=\"#57606a\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>\n",
					x1, y1, (x1+x2)/2, y1, (x1+x2)/2, y2, x2, y2)
			}
		}
	}
	for _, w := range r.Plan.Root.Waves {
		for _, n := range w {
			p := at[n]
			st, ok := status[n]
			if !ok {
				st = exec.StatusPending
			}
			kind := n.Kind
			if k := inner[n]; k > 0 {
				kind += fmt.Sprintf(" (+%d)", k)
			}
			fmt.Fprintf(b, "<g><title>%s</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"5\" fill=\"#fff\" stroke=\"%s\" stroke-width=\"2.5\"/>"+
				"<text x=\"%d\" y=\"%d\" font-weight=\"700\">%s</text><text x=\"%d\" y=\"%d\" class=\"dim\">%s</text></g>\n",
				esc(n.ID+" ("+n.Kind+"): "+nodeStatus(st)), p.x, p.y, boxW, boxH, colorOf(st),
				p.x+8, p.y+17, esc(Cut(n.ID, 20, "…")), p.x+8, p.y+32, esc(Cut(kind, 22, "…")))
		}
	}
	b.WriteString("</svg>\n")
}
