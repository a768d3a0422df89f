package value

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// ParseJSON decodes JSON text into a value, keeping object key order. Numbers
// become float64. Trailing data after the value is an error.
func ParseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errors.New("invalid JSON: unexpected end of input")
		}
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return nil, fmt.Errorf("invalid JSON at offset %d: unexpected data after the value", dec.InputOffset())
		}
		return nil, err
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("invalid JSON: unexpected end of input")
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := NewObject(4)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.Set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := make([]any, 0, 4)
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %q", t)
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("invalid JSON: number %s out of range", t)
		}
		return f, nil
	default:
		return t, nil // nil, bool, string
	}
}

// AppendJSON appends the compact JSON text of v to b.
func AppendJSON(b []byte, v any) []byte {
	return appendJSON(b, v, "", "")
}

// JSON returns the compact JSON text of v.
func JSON(v any) string { return string(AppendJSON(nil, v)) }

// IndentJSON returns the JSON text of v indented by indent per level.
func IndentJSON(v any, indent string) string {
	return string(appendJSON(nil, v, indent, "\n"))
}

func appendJSON(b []byte, v any, indent, prefix string) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case float64:
		return append(b, FormatNumber(x)...)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case string:
		return AppendQuoted(b, x)
	case []any:
		if len(x) == 0 {
			return append(b, "[]"...)
		}
		b = append(b, '[')
		inner := prefix + indent
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if indent != "" {
				b = append(b, inner...)
			}
			b = appendJSON(b, it, indent, inner)
		}
		if indent != "" {
			b = append(b, prefix...)
		}
		return append(b, ']')
	case *Object:
		if x.Len() == 0 {
			return append(b, "{}"...)
		}
		b = append(b, '{')
		inner := prefix + indent
		for i, k := range x.keys {
			if i > 0 {
				b = append(b, ',')
			}
			if indent != "" {
				b = append(b, inner...)
			}
			b = AppendQuoted(b, k)
			b = append(b, ':')
			if indent != "" {
				b = append(b, ' ')
			}
			b = appendJSON(b, x.m[k], indent, inner)
		}
		if indent != "" {
			b = append(b, prefix...)
		}
		return append(b, '}')
	default:
		return append(b, "null"...)
	}
}

const hexDigits = "0123456789abcdef"

// AppendQuoted appends s as a JSON string literal. Like JSON.stringify it
// escapes only what JSON requires (no HTML escaping).
func AppendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
