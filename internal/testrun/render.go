package testrun

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// WriteText writes the results for people (spec/cli.md §6.4): per file its
// name, one line per case, one indented line per failed expectation under
// a failing case, and a last line with the counts.
func (r *Result) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.Files {
		fmt.Fprintln(bw, f.File)
		for _, c := range f.Cases {
			mark := "ok  "
			if !c.Passed {
				mark = "FAIL"
			}
			fmt.Fprintf(bw, "  %s  %s (%s)\n", mark, c.Name, units.FormatElapsed(c.Duration))
			for _, fl := range c.Failures {
				fmt.Fprintf(bw, "        %s\n", fl.Text)
			}
		}
	}
	total, passed, failed := r.Counts()
	fmt.Fprintf(bw, "%s: %d passed, %d failed\n", plural(total, "test"), passed, failed)
	return bw.Flush()
}

// JSON returns the results as the stable JSON document of spec/cli.md
// §6.4.
func (r *Result) JSON() *value.Object {
	total, passed, failed := r.Counts()
	files := make([]any, 0, len(r.Files))
	for _, f := range r.Files {
		cases := make([]any, 0, len(f.Cases))
		for _, c := range f.Cases {
			status := "passed"
			if !c.Passed {
				status = "failed"
			}
			fails := make([]any, len(c.Failures))
			for i, fl := range c.Failures {
				fails[i] = fl.Text
			}
			cases = append(cases, value.ObjectOf("name", c.Name, "status", status,
				"duration_ms", float64(c.Duration.Milliseconds()), "failures", fails))
		}
		files = append(files, value.ObjectOf("file", f.File, "workflow", f.Workflow, "cases", cases))
	}
	return value.ObjectOf("total", float64(total), "passed", float64(passed), "failed", float64(failed), "files", files)
}

// WriteJSON writes JSON() on one line.
func (r *Result) WriteJSON(w io.Writer) error {
	_, err := io.WriteString(w, value.JSON(r.JSON())+"\n")
	return err
}

// WriteJUnit writes the results as JUnit XML (spec/cli.md §6.4).
func (r *Result) WriteJUnit(w io.Writer) error {
	bw := bufio.NewWriter(w)
	total, _, failed := r.Counts()
	var all time.Duration
	for _, f := range r.Files {
		for _, c := range f.Cases {
			all += c.Duration
		}
	}
	fmt.Fprintf(bw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"%d\" failures=\"%d\" time=\"%s\">\n", total, failed, secs(all))
	for _, f := range r.Files {
		var sum time.Duration
		fails := 0
		for _, c := range f.Cases {
			sum += c.Duration
			if !c.Passed {
				fails++
			}
		}
		fmt.Fprintf(bw, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" time=\"%s\">\n", esc(f.File), len(f.Cases), fails, secs(sum))
		for _, c := range f.Cases {
			fmt.Fprintf(bw, "    <testcase classname=\"%s\" name=\"%s\" time=\"%s\"", esc(f.Class), esc(c.Name), secs(c.Duration))
			if c.Passed {
				fmt.Fprint(bw, "/>\n")
				continue
			}
			lines := make([]string, len(c.Failures))
			for i, fl := range c.Failures {
				lines[i] = fl.Text
			}
			first := ""
			if len(lines) > 0 {
				first = lines[0]
			}
			fmt.Fprintf(bw, ">\n      <failure message=\"%s\">%s</failure>\n    </testcase>\n", esc(first), escText(strings.Join(lines, "\n")))
		}
		fmt.Fprint(bw, "  </testsuite>\n")
	}
	fmt.Fprint(bw, "</testsuites>\n")
	return bw.Flush()
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// XML escaping: attribute values also escape quotes and line breaks;
// element text keeps its line breaks.
var (
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\t", "&#9;")
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
)

func esc(s string) string { return attrEscaper.Replace(xmlSafe(s)) }

func escText(s string) string { return textEscaper.Replace(xmlSafe(s)) }

// xmlSafe drops the characters XML 1.0 cannot hold.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return -1
	}, s)
}
