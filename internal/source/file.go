package source

import (
	"sort"
	"unicode/utf8"
)

// File is one source file: its name as given on the command line, its bytes
// and a table of line starts.
type File struct {
	Name  string
	Src   []byte
	lines []int // byte offset of the start of each line
}

// NewFile builds the line table of src.
func NewFile(name string, src []byte) *File {
	f := &File{Name: name, Src: src, lines: []int{0}}
	for i, c := range src {
		if c == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// Pos is a resolved position: 1-based line and column (in runes) plus the
// byte offset.
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// Position resolves a byte offset. Offsets past the end clamp to the end.
func (f *File) Position(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(f.Src) {
		off = len(f.Src)
	}
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	start := f.lines[i]
	return Pos{Offset: off, Line: i + 1, Col: utf8.RuneCount(f.Src[start:off]) + 1}
}

// LineText returns the text of 1-based line n without its line break (and
// without a \r before it).
func (f *File) LineText(n int) string {
	if n < 1 || n > len(f.lines) {
		return ""
	}
	start := f.lines[n-1]
	end := len(f.Src)
	if n < len(f.lines) {
		end = f.lines[n] - 1
	}
	if end > start && f.Src[end-1] == '\r' {
		end--
	}
	if end < start {
		end = start
	}
	return string(f.Src[start:end])
}

// LineCount returns the number of lines.
func (f *File) LineCount() int { return len(f.lines) }

// LineStart returns the byte offset where 1-based line n starts.
func (f *File) LineStart(n int) int {
	if n < 1 {
		return 0
	}
	if n > len(f.lines) {
		return len(f.Src)
	}
	return f.lines[n-1]
}

// Span is a half-open byte range [Start, End) in a file.
type Span struct {
	Start, End int
}

// Sp makes a span; an empty or inverted range becomes one byte wide.
func Sp(start, end int) Span {
	if end <= start {
		end = start + 1
	}
	return Span{start, end}
}
