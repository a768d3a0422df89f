package parser

import (
	"bytes"
	"sort"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/source"
)

// Text is a piece of decoded text of the body: the content of a text field
// (spec/format.md §4.4) or a non-blank run of text between child elements.
type Text struct {
	// Value is the decoded text.
	Value string
	// Span is the raw content in the file: for a text field, everything
	// between its start and end tags.
	Span source.Span
	// Map turns a byte index in Value (0 ≤ i ≤ len(Value)) into a file
	// offset, through the removed first line break, the dedent, entities,
	// CDATA markers and the \r of \r\n line breaks.
	Map func(i int) int
}

// run is one stretch of an offset map: byte out+k of a decoded value comes
// from file offset src+k, up to the next run.
type run struct{ out, src int }

// offMap maps the byte indexes of a decoded value back to file offsets.
type offMap struct {
	first run   // the only run, when more is nil and one is set
	more  []run // all the runs when there are several
	one   bool
	n     int // len of the value
	end   int // file offset for index n
}

func (m *offMap) at(i int) int {
	if i >= m.n {
		return m.end
	}
	if i < 0 {
		i = 0
	}
	if m.more == nil {
		if !m.one {
			return m.end
		}
		return m.first.src + (i - m.first.out)
	}
	k := sort.Search(len(m.more), func(k int) bool { return m.more[k].out > i }) - 1
	if k < 0 {
		k = 0
	}
	return m.more[k].src + (i - m.more[k].out)
}

// decoder builds a decoded value and its offset map. Its buffers are
// reused from one value to the next.
type decoder struct {
	buf     []byte
	runs    []run
	lines   []textLine
	lastSrc int // file offset following the last copied byte, -1 after a decoded one
}

// textLine is one line of a text field: content [s,e) without the \r of a
// \r\n, and nl the offset of the '\n' after it (-1 for the last line).
type textLine struct{ s, e, nl int }

func (d *decoder) reset() {
	d.buf = d.buf[:0]
	d.runs = d.runs[:0]
	d.lastSrc = -1
}

// takeMap returns the offset map of the value built so far.
func (d *decoder) takeMap(end int) *offMap {
	m := &offMap{n: len(d.buf), end: end}
	switch len(d.runs) {
	case 0:
	case 1:
		m.first, m.one = d.runs[0], true
	default:
		m.more = append([]run(nil), d.runs...)
	}
	d.runs = d.runs[:0]
	return m
}

// copyRaw appends src bytes b found at file offset at.
func (d *decoder) copyRaw(at int, b []byte) {
	if len(b) == 0 {
		return
	}
	if d.lastSrc != at {
		d.runs = append(d.runs, run{len(d.buf), at})
	}
	d.buf = append(d.buf, b...)
	d.lastSrc = at + len(b)
}

// addDecoded appends the bytes b that stand for the entity at file offset at.
func (d *decoder) addDecoded(at int, b []byte) {
	d.runs = append(d.runs, run{len(d.buf), at})
	d.buf = append(d.buf, b...)
	d.lastSrc = -1
}

func (d *decoder) text(span source.Span, end int) *Text {
	m := d.takeMap(end)
	return &Text{Value: string(d.buf), Span: span, Map: m.at}
}

// decodeRange appends src[a:b] decoding entities, dropping a \r that comes
// just before a \n, and (when cdata is set) replacing CDATA sections by their
// content. inCDATA carries the CDATA state across ranges and is returned.
func (d *decoder) decodeRange(src []byte, a, b int, cdata, inCDATA bool) bool {
	i := a
	flush := a
	for i < b {
		c := src[i]
		if inCDATA {
			j := bytes.Index(src[i:b], cdataEnd)
			k := bytes.IndexByte(src[i:b], '\r')
			if k >= 0 && (j < 0 || k < j) {
				// copy up to the \r, drop it when a \n follows
				d.copyRaw(i, src[i:i+k])
				i += k
				if i+1 < len(src) && src[i+1] == '\n' {
					i++
				} else {
					d.copyRaw(i, src[i:i+1])
					i++
				}
				flush = i
				continue
			}
			if j < 0 {
				d.copyRaw(i, src[i:b])
				return true
			}
			d.copyRaw(i, src[i:i+j])
			i += j + len(cdataEnd)
			flush = i
			inCDATA = false
			continue
		}
		switch c {
		case '&':
			if r, n := entityAt(src[i:b]); n > 0 {
				d.copyRaw(flush, src[flush:i])
				var tmp [4]byte
				w := utf8.EncodeRune(tmp[:], r)
				d.addDecoded(i, tmp[:w])
				i += n
				flush = i
				continue
			}
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				d.copyRaw(flush, src[flush:i])
				i++
				flush = i
				continue
			}
		case '<':
			if cdata && bytes.HasPrefix(src[i:b], cdataStart) {
				d.copyRaw(flush, src[flush:i])
				i += len(cdataStart)
				flush = i
				inCDATA = true
				continue
			}
		}
		i++
	}
	d.copyRaw(flush, src[flush:b])
	return inCDATA
}

var (
	cdataStart   = []byte("<![CDATA[")
	cdataEnd     = []byte("]]>")
	commentStart = []byte("<!--")
	commentEnd   = []byte("-->")
)

// entityAt decodes the entity at the start of b (b[0] == '&') and returns
// the rune and the entity length, or n == 0 when b does not start with one
// of the entities of spec/format.md §4.2:
//
//	entity = "&lt;" | "&gt;" | "&amp;" | "&quot;" | "&apos;"
//	       | "&#" digit+ ";" | "&#x" hexdigit+ ";"
//
// A numeric entity must name a Unicode scalar value other than U+0000.
func entityAt(b []byte) (r rune, n int) {
	if len(b) < 4 || b[0] != '&' {
		return 0, 0
	}
	switch b[1] {
	case 'l':
		if bytes.HasPrefix(b, []byte("&lt;")) {
			return '<', 4
		}
	case 'g':
		if bytes.HasPrefix(b, []byte("&gt;")) {
			return '>', 4
		}
	case 'a':
		if bytes.HasPrefix(b, []byte("&amp;")) {
			return '&', 5
		}
		if bytes.HasPrefix(b, []byte("&apos;")) {
			return '\'', 6
		}
	case 'q':
		if bytes.HasPrefix(b, []byte("&quot;")) {
			return '"', 6
		}
	case '#':
		i, base := 2, 10
		if b[2] == 'x' {
			i, base = 3, 16
		}
		start := i
		v := 0
		for ; i < len(b); i++ {
			d := digitVal(b[i], base)
			if d < 0 {
				break
			}
			v = v*base + d
			if v > utf8.MaxRune {
				return 0, 0
			}
		}
		if i == start || i >= len(b) || b[i] != ';' {
			return 0, 0
		}
		if v == 0 || (v >= 0xD800 && v <= 0xDFFF) {
			return 0, 0
		}
		return rune(v), i + 1
	}
	return 0, 0
}

func digitVal(c byte, base int) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case base == 16 && c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case base == 16 && c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decodeAttr decodes the attribute value src[a:b] (§4.1, §4.2).
func (d *decoder) decodeAttr(src []byte, a, b int) (string, func(int) int) {
	if bytes.IndexAny(src[a:b], "&\r") < 0 {
		// Nothing to decode: the value is the source text and its map is
		// ValueSpan.Start + i (Attr.Offset), so no map is built.
		return string(src[a:b]), nil
	}
	d.reset()
	d.decodeRange(src, a, b, false, false)
	m := d.takeMap(b)
	return string(d.buf), m.at
}

// decodePiece decodes a run of mixed content made of the file ranges rs
// (the text around comments, joined), trimmed of surrounding blanks.
func (d *decoder) decodePiece(src []byte, rs []source.Span) *Text {
	d.reset()
	in := false
	for _, r := range rs {
		in = d.decodeRange(src, r.Start, r.End, true, in)
	}
	end := rs[len(rs)-1].End
	m := d.takeMap(end)
	v := d.buf
	lo, hi := 0, len(v)
	for lo < hi && isBlank(v[lo]) {
		lo++
	}
	for hi > lo && isBlank(v[hi-1]) {
		hi--
	}
	val := string(v[lo:hi])
	sp := source.Span{Start: m.at(lo), End: m.at(hi)}
	if hi == len(v) {
		sp.End = end
	}
	if sp.End < sp.Start {
		sp.End = sp.Start
	}
	return &Text{Value: val, Span: sp, Map: func(i int) int { return m.at(i + lo) }}
}

// fieldText computes the text of a text field whose raw content is
// src[a:b], by the steps of spec/format.md §4.4:
//
//  1. the raw characters between the tags;
//  2. without a leading line break, and without a last line of only blanks
//     (with the line break before it);
//  3. dedented by the longest run of leading blanks common to the lines
//     holding a non-blank character (blank lines lose what they have of it);
//  4. entities decoded outside CDATA sections, each CDATA section replaced
//     by its content.
//
// A \r before a \n is dropped everywhere.
func (d *decoder) fieldText(src []byte, a, b int) *Text {
	lines := d.lines[:0]
	defer func() { d.lines = lines[:0] }()
	for s := a; ; {
		k := bytes.IndexByte(src[s:b], '\n')
		if k < 0 {
			lines = append(lines, textLine{s, b, -1})
			break
		}
		e := s + k
		nl := e
		if e > s && src[e-1] == '\r' {
			e--
		}
		lines = append(lines, textLine{s, e, nl})
		s = nl + 1
	}
	// Step 2.
	if len(lines) > 1 && lines[0].s == lines[0].e {
		lines = lines[1:]
	}
	if last := lines[len(lines)-1]; onlyBlanks(src[last.s:last.e]) {
		lines = lines[:len(lines)-1]
		if len(lines) > 0 {
			lines[len(lines)-1].nl = -1
		}
	}
	// Step 3.
	var prefix []byte
	have := false
	for _, l := range lines {
		if onlyBlanks(src[l.s:l.e]) {
			continue
		}
		lead := leadingBlanks(src[l.s:l.e])
		if !have {
			prefix, have = lead, true
			continue
		}
		prefix = prefix[:commonPrefix(prefix, lead)]
	}
	d.reset()
	in := false
	for _, l := range lines {
		s := l.s
		if have {
			s += commonPrefix(prefix, src[l.s:l.e])
		} else {
			s = l.e // every line is blank: each loses all of it
		}
		in = d.decodeRange(src, s, l.e, true, in)
		if l.nl >= 0 {
			d.copyRaw(l.nl, src[l.nl:l.nl+1])
		}
	}
	end := b
	if len(lines) > 0 {
		end = lines[len(lines)-1].e
	}
	return d.text(source.Span{Start: a, End: b}, end)
}

func onlyBlanks(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

func leadingBlanks(b []byte) []byte {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return b[:i]
}

func commonPrefix(p, b []byte) int {
	i := 0
	for i < len(p) && i < len(b) && p[i] == b[i] {
		i++
	}
	return i
}
