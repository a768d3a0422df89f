package source

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxPrinted is how many diagnostics Print shows per file.
const MaxPrinted = 50

// Printer renders diagnostics in the text form of spec/format.md §8.2.
type Printer struct {
	Color bool
}

const (
	colRed    = "\x1b[31;1m"
	colYellow = "\x1b[33;1m"
	colBlue   = "\x1b[34;1m"
	colBold   = "\x1b[1m"
	colReset  = "\x1b[0m"
)

func (p Printer) c(code, s string) string {
	if !p.Color || s == "" {
		return s
	}
	return code + s + colReset
}

// Print writes every diagnostic (at most MaxPrinted per file, then a
// "… and N more" line).
func (p Printer) Print(w io.Writer, l List) {
	perFile := map[string]int{}
	more := map[string]int{}
	var order []string
	for _, d := range l {
		name := ""
		if d.File != nil {
			name = d.File.Name
		}
		if perFile[name] >= MaxPrinted {
			if more[name] == 0 {
				order = append(order, name)
			}
			more[name]++
			continue
		}
		perFile[name]++
		p.One(w, d)
	}
	for _, name := range order {
		fmt.Fprintf(w, "… and %d more\n", more[name])
	}
}

// One writes a single diagnostic with its snippet and hints.
func (p Printer) One(w io.Writer, d *Diagnostic) {
	var b strings.Builder
	sevCol := colRed
	if d.Severity == Warning {
		sevCol = colYellow
	}
	if d.File == nil {
		b.WriteString(p.c(sevCol, fmt.Sprintf("%s[%s]", d.Severity, d.Code)) + ": " + p.c(colBold, d.Message) + "\n")
		for _, h := range d.Hints {
			b.WriteString("  = hint: " + h + "\n")
		}
		for _, e := range d.Extra {
			b.WriteString(e + "\n")
		}
		io.WriteString(w, b.String())
		return
	}
	if len(d.File.Src) == 0 && d.Span == (Span{}) {
		// No text to show (the file could not be read).
		fmt.Fprintf(&b, "%s: %s: %s\n", d.File.Name, p.c(sevCol, fmt.Sprintf("%s[%s]", d.Severity, d.Code)), p.c(colBold, d.Message))
		for _, h := range d.Hints {
			b.WriteString("  = hint: " + h + "\n")
		}
		io.WriteString(w, b.String())
		return
	}
	start, end := d.Start(), d.End()
	fmt.Fprintf(&b, "%s:%d:%d: %s: %s\n", d.File.Name, start.Line, start.Col,
		p.c(sevCol, fmt.Sprintf("%s[%s]", d.Severity, d.Code)), p.c(colBold, d.Message))
	num := strconv.Itoa(start.Line)
	gutter := strings.Repeat(" ", len(num))
	line := d.File.LineText(start.Line)
	b.WriteString(gutter + " " + p.c(colBlue, "|") + "\n")
	b.WriteString(p.c(colBlue, num+" |") + " " + line + "\n")
	// Carets: from start col to end col (same line) or to the line end.
	lineRunes := utf8.RuneCountInString(line)
	width := 1
	if end.Line == start.Line && end.Col > start.Col {
		width = end.Col - start.Col
	} else if end.Line > start.Line {
		width = lineRunes - start.Col + 1
	}
	if start.Col-1+width > lineRunes {
		width = lineRunes - (start.Col - 1)
	}
	if width < 1 {
		width = 1
	}
	var pad strings.Builder
	i := 0
	for _, r := range line {
		if i >= start.Col-1 {
			break
		}
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
		i++
	}
	for ; i < start.Col-1; i++ {
		pad.WriteByte(' ')
	}
	b.WriteString(gutter + " " + p.c(colBlue, "|") + " " + pad.String() + p.c(sevCol, strings.Repeat("^", width)) + "\n")
	for _, h := range d.Hints {
		b.WriteString(gutter + " " + p.c(colBlue, "=") + " hint: " + h + "\n")
	}
	for _, n := range d.Notes {
		b.WriteString(gutter + " " + p.c(colBlue, "=") + " " + n + "\n")
	}
	for _, e := range d.Extra {
		b.WriteString(e + "\n")
	}
	io.WriteString(w, b.String())
}

// JSONDiag is the JSON form of a diagnostic (spec/format.md §8.4).
type JSONDiag struct {
	File       string   `json:"file"`
	Line       int      `json:"line"`
	Col        int      `json:"col"`
	EndLine    int      `json:"end_line"`
	EndCol     int      `json:"end_col"`
	Severity   string   `json:"severity"`
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	Hints      []string `json:"hints"`
	Suggestion *string  `json:"suggestion"`
}

// ToJSON converts a diagnostic to its JSON form.
func (d *Diagnostic) ToJSON() JSONDiag {
	j := JSONDiag{Severity: d.Severity.String(), Code: d.Code, Message: d.Message, Hints: d.Hints}
	if j.Hints == nil {
		j.Hints = []string{}
	}
	if d.File != nil {
		s, e := d.Start(), d.End()
		j.File, j.Line, j.Col, j.EndLine, j.EndCol = d.File.Name, s.Line, s.Col, e.Line, e.Col
	}
	if d.Suggestion != "" {
		s := d.Suggestion
		j.Suggestion = &s
	}
	return j
}

// MarshalJSON encodes the JSON form.
func (d *Diagnostic) MarshalJSON() ([]byte, error) { return json.Marshal(d.ToJSON()) }
