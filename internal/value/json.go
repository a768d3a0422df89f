package value

import (
	"strconv"
	"unicode/utf8"
)

// ParseJSON decodes JSON text into a value, keeping object key order. Numbers
// become float64. Trailing data after the value is an error.
func ParseJSON(data []byte) (any, error) {
	p := &jsonParser{data: data}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		p.pos = 3
	}
	if len(data) >= parallelThreshold {
		p.skip()
		if p.pos < len(data) && data[p.pos] == '[' {
			if v, ok := parseParallel(data, p.pos); ok {
				return v, nil
			}
		}
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.pos < len(p.data) {
		return nil, p.errorf("unexpected data after the value")
	}
	return v, nil
}

// AppendJSON appends the compact JSON text of v to b.
func AppendJSON(b []byte, v any) []byte {
	return appendJSON(b, v, "", "")
}

// AppendJSONPrefix appends the compact JSON text of v, stopping once at
// least limit bytes have been added (for previews of large values: the
// whole text is never built).
func AppendJSONPrefix(b []byte, v any, limit int) []byte {
	max := len(b) + limit
	var walk func(b []byte, v any) []byte
	walk = func(b []byte, v any) []byte {
		if len(b) >= max {
			return b
		}
		switch x := v.(type) {
		case []any:
			b = append(b, '[')
			for i, it := range x {
				if len(b) >= max {
					return b
				}
				if i > 0 {
					b = append(b, ',')
				}
				b = walk(b, it)
			}
			return append(b, ']')
		case *Object:
			b = append(b, '{')
			for i, k := range x.keys {
				if len(b) >= max {
					return b
				}
				if i > 0 {
					b = append(b, ',')
				}
				b = AppendQuoted(b, k)
				b = append(b, ':')
				b = walk(b, x.vals[i])
			}
			return append(b, '}')
		case string:
			if len(x) > limit+4 {
				x = x[:limit+4] // enough for the prefix (a cut rune is quoted as U+FFFD)
			}
			return AppendQuoted(b, x)
		}
		return appendJSON(b, v, "", "")
	}
	return walk(b, v)
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
		return AppendNumber(b, x)
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
			v := x.vals[i]
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
			b = appendJSON(b, v, indent, inner)
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
