package runtimes

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/value"
)

// File formats of nodes.md §2.3.
const (
	FormatJSON   = "json"
	FormatYAML   = "yaml"
	FormatCSV    = "csv"
	FormatText   = "text"
	FormatLines  = "lines"
	FormatNDJSON = "ndjson"
)

// FormatOptions tune reading and writing a format.
type FormatOptions struct {
	// Delimiter is the CSV field separator (',' when zero).
	Delimiter rune
	// Header is true when CSV has a header row.
	Header bool
	// Compact writes JSON without indentation (pretty="false").
	Compact bool
	// FinalNewline adds "\n" to text not ending in one.
	FinalNewline bool
}

// FormatOf returns the format picked by a path's extension
// (case-insensitive) and whether the extension asks for tab-separated CSV.
func FormatOf(path string) (format string, tab bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON, false
	case ".yaml", ".yml":
		return FormatYAML, false
	case ".csv":
		return FormatCSV, false
	case ".tsv":
		return FormatCSV, true
	case ".ndjson", ".jsonl":
		return FormatNDJSON, false
	}
	return FormatText, false
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decode parses file content in format into a value (the source output of
// nodes.md §2.3). A UTF-8 byte order mark is skipped.
func Decode(format string, data []byte, o FormatOptions) (any, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	switch format {
	case FormatJSON:
		v, err := value.ParseJSON(data)
		if err != nil {
			return nil, jsonProblem(data, err)
		}
		return v, nil
	case FormatYAML:
		v, err := value.ParseYAML(data)
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return v, nil
	case FormatCSV:
		return decodeCSV(data, o)
	case FormatText:
		return string(data), nil
	case FormatLines:
		return splitLines(string(data)), nil
	case FormatNDJSON:
		out := []any{}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			v, err := value.ParseJSON([]byte(line))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+1, jsonProblem([]byte(line), err))
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// jsonProblem adds the line and column to a JSON syntax error.
func jsonProblem(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(se.Offset)
		if off > len(data) {
			off = len(data)
		}
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		col := 1 + utf8.RuneCount(data[bytes.LastIndexByte(data[:off], '\n')+1:off])
		return fmt.Errorf("invalid JSON at line %d, column %d: %s", line, col, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("invalid JSON: unexpected end of input")
	}
	return err
}

// splitLines splits text on "\n", strips a "\r" before it and drops a final
// empty line.
func splitLines(s string) []any {
	out := []any{}
	if s == "" {
		return out
	}
	s = strings.TrimSuffix(s, "\n")
	for _, l := range strings.Split(s, "\n") {
		out = append(out, strings.TrimSuffix(l, "\r"))
	}
	return out
}

func decodeCSV(data []byte, o FormatOptions) (any, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = o.delim()
	if !o.Header {
		r.FieldsPerRecord = -1
	}
	out := []any{}
	var header []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("invalid CSV: %w", err)
		}
		if !o.Header {
			row := make([]any, len(rec))
			for i, f := range rec {
				row[i] = f
			}
			out = append(out, row)
			continue
		}
		if header == nil {
			header = rec
			continue
		}
		obj := value.NewObject(len(header))
		for i, k := range header {
			obj.Set(k, rec[i])
		}
		out = append(out, obj)
	}
}

func (o FormatOptions) delim() rune {
	if o.Delimiter == 0 {
		return ','
	}
	return o.Delimiter
}

// Encode writes v in format (the sink side of nodes.md §2.3). With
// appending set, CSV gets rows only (no header).
func Encode(format string, v any, o FormatOptions, appending bool) ([]byte, error) {
	if v == nil && format != FormatJSON && format != FormatYAML {
		return nil, fmt.Errorf("cannot write null as %s", format)
	}
	switch format {
	case FormatJSON:
		if o.Compact {
			return append(value.AppendJSON(nil, v), '\n'), nil
		}
		return []byte(value.IndentJSON(v, "  ") + "\n"), nil
	case FormatYAML:
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(value.ToYAMLNode(v)); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case FormatText:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("text format needs a string, got %s", value.TypeName(v))
		}
		if o.FinalNewline && !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		return []byte(s), nil
	case FormatLines, FormatNDJSON:
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s format needs an array, got %s", format, value.TypeName(v))
		}
		var b []byte
		for _, it := range items {
			if s, isStr := it.(string); isStr && format == FormatLines {
				b = append(b, s...)
			} else {
				b = value.AppendJSON(b, it)
			}
			b = append(b, '\n')
		}
		return b, nil
	case FormatCSV:
		return encodeCSV(v, o, appending)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

func encodeCSV(v any, o FormatOptions, appending bool) ([]byte, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("csv format needs an array of objects or arrays, got %s", value.TypeName(v))
	}
	delim := string(o.delim())
	var b []byte
	row := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b = append(b, delim...)
			}
			b = appendCSVField(b, c, delim)
		}
		b = append(b, '\n')
	}
	var objs, arrays int
	for _, it := range items {
		switch it.(type) {
		case *value.Object:
			objs++
		case []any:
			arrays++
		default:
			return nil, fmt.Errorf("csv rows must be objects or arrays, got %s", value.TypeName(it))
		}
	}
	if objs > 0 && arrays > 0 {
		return nil, errors.New("csv rows must be all objects or all arrays")
	}
	if arrays > 0 {
		for _, it := range items {
			a := it.([]any)
			cells := make([]string, len(a))
			for i, c := range a {
				cells[i] = value.Render(c)
			}
			row(cells)
		}
		return b, nil
	}
	var keys []string
	seen := map[string]bool{}
	for _, it := range items {
		for _, k := range it.(*value.Object).Keys() {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if o.Header && !appending && len(keys) > 0 {
		row(keys)
	}
	for _, it := range items {
		obj := it.(*value.Object)
		cells := make([]string, len(keys))
		for i, k := range keys {
			c, _ := obj.Get(k)
			cells[i] = value.Render(c)
		}
		row(cells)
	}
	return b, nil
}

// appendCSVField appends one field, quoted when it holds the delimiter, a
// double quote, CR or LF (RFC 4180; quotes doubled).
func appendCSVField(b []byte, s, delim string) []byte {
	if !strings.Contains(s, delim) && !strings.ContainsAny(s, "\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
