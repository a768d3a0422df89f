package value

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonParser is a single-pass JSON reader producing values directly
// (encoding/json's token API allocates per token and is several times
// slower on large files).
type jsonParser struct {
	data  []byte
	pos   int
	depth int
	keys  map[string]string // interned object keys

	// Objects and their key and value slices are carved out of chunks:
	// a large file has millions of small objects, and one allocation per
	// chunk instead of three per object is most of the parse time.
	objs   []Object
	keyBuf []string
	valBuf []any
	kstack []string // keys of the objects being read
	vals   []any    // their values
	// lastKeys is the key list of the last object built: records repeat
	// it, and objects with the same keys share one (cap-limited, so a Set
	// that adds a key copies it first).
	lastKeys []string
}

const chunk = 1024

func (p *jsonParser) newObject(keys []string, vals []any) *Object {
	if len(p.objs) == 0 {
		p.objs = make([]Object, chunk)
	}
	o := &p.objs[0]
	p.objs = p.objs[1:]
	n := len(keys)
	if n > len(p.keyBuf) {
		p.keyBuf = make([]string, max(chunk, n))
	}
	if n == 0 {
		return o
	}
	if n > len(p.valBuf) {
		p.valBuf = make([]any, max(chunk, n))
	}
	if n > 0 && sameKeys(p.lastKeys, keys) {
		o.keys = p.lastKeys
	} else {
		o.keys = p.keyBuf[:n:n]
		p.keyBuf = p.keyBuf[n:]
		copy(o.keys, keys)
		p.lastKeys = o.keys
	}
	o.vals = p.valBuf[:n:n]
	p.valBuf = p.valBuf[n:]
	copy(o.vals, vals)
	if n > smallObject {
		o.idx = make(map[string]int, n)
		for i, k := range o.keys {
			o.idx[k] = i
		}
	}
	return o
}

// boxedInts holds small whole numbers already converted to interfaces, so
// parsing them allocates nothing.
var boxedInts = func() []any {
	b := make([]any, 1024)
	for i := range b {
		b[i] = float64(i)
	}
	return b
}()

const maxJSONDepth = 10000

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *jsonParser) skip() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) unexpected() error {
	if p.pos >= len(p.data) {
		return fmt.Errorf("invalid JSON: unexpected end of input")
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	return p.errorf("unexpected %q", string(r))
}

// value = object | array | string | number | true | false | null
func (p *jsonParser) value() (any, error) {
	p.skip()
	if p.pos >= len(p.data) {
		return nil, p.unexpected()
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	}
	return nil, p.unexpected()
}

func (p *jsonParser) literal(word string, v any) (any, error) {
	if len(p.data)-p.pos >= len(word) && string(p.data[p.pos:p.pos+len(word)]) == word {
		p.pos += len(word)
		return v, nil
	}
	return nil, p.unexpected()
}

// object = "{" [ string ":" value { "," string ":" value } ] "}"
func (p *jsonParser) object() (any, error) {
	if p.depth++; p.depth > maxJSONDepth {
		return nil, p.errorf("nested too deeply")
	}
	defer func() { p.depth-- }()
	p.pos++
	start := len(p.kstack)
	defer func() { p.kstack, p.vals = p.kstack[:start], p.vals[:start] }()
	p.skip()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return p.newObject(nil, nil), nil
	}
	for {
		p.skip()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.unexpected()
		}
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.unexpected()
		}
		p.pos++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		// A repeated key keeps its first position and takes the last value.
		dup := -1
		for i := start; i < len(p.kstack) && i-start < 64; i++ {
			if p.kstack[i] == k {
				dup = i
				break
			}
		}
		if dup < 0 && len(p.kstack)-start >= 64 {
			for i := start + 64; i < len(p.kstack); i++ {
				if p.kstack[i] == k {
					dup = i
					break
				}
			}
		}
		if dup >= 0 {
			p.vals[dup] = v
		} else {
			p.kstack = append(p.kstack, k)
			p.vals = append(p.vals, v)
		}
		p.skip()
		if p.pos >= len(p.data) {
			return nil, p.unexpected()
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return p.newObject(p.kstack[start:], p.vals[start:]), nil
		default:
			return nil, p.unexpected()
		}
	}
}

// array = "[" [ value { "," value } ] "]"
func (p *jsonParser) array() (any, error) {
	if p.depth++; p.depth > maxJSONDepth {
		return nil, p.errorf("nested too deeply")
	}
	defer func() { p.depth-- }()
	p.pos++
	a := make([]any, 0, 4)
	p.skip()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return a, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.skip()
		if p.pos >= len(p.data) {
			return nil, p.unexpected()
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return a, nil
		default:
			return nil, p.unexpected()
		}
	}
}

// number = [ "-" ] int [ frac ] [ exp ]
func (p *jsonParser) number() (any, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.pos < len(p.data) && p.data[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return nil, p.unexpected()
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.unexpected()
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.unexpected()
		}
	}
	text := p.data[start:p.pos]
	// Fast path for small integers.
	if len(text) < 16 {
		var n int64
		neg := false
		i := 0
		if text[0] == '-' {
			neg, i = true, 1
		}
		ok := i < len(text)
		for ; i < len(text); i++ {
			c := text[i]
			if c < '0' || c > '9' {
				ok = false
				break
			}
			n = n*10 + int64(c-'0')
		}
		if ok {
			if neg {
				if n == 0 {
					return math.Copysign(0, -1), nil
				}
				n = -n
			} else if n < int64(len(boxedInts)) {
				return boxedInts[n], nil
			}
			return float64(n), nil
		}
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, fmt.Errorf("invalid JSON at offset %d: number %s out of range", start, text)
	}
	return f, nil
}

// str reads a string literal with its escapes.
func (p *jsonParser) str() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := string(p.data[start:p.pos])
			p.pos++
			if !utf8.ValidString(s) {
				return toValidUTF8(s), nil
			}
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	buf := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return toValidUTF8(string(buf)), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c == '\\':
			p.pos++
			if p.pos >= len(p.data) {
				return "", p.unexpected()
			}
			e := p.data[p.pos]
			p.pos++
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errorf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
						save := p.pos
						p.pos += 2
						if x, ok := p.hex4(); ok {
							r2 = x
						} else {
							p.pos = save
						}
					}
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				p.pos--
				return "", p.errorf("invalid escape \\%c", e)
			}
		default:
			buf = append(buf, c)
			p.pos++
		}
	}
	return "", fmt.Errorf("invalid JSON: unexpected end of input")
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}

func toValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// key reads an object key, interning escape-free keys: records repeat the
// same few keys, and sharing them saves an allocation per key.
func (p *jsonParser) key() (string, error) {
	start := p.pos + 1
	for i := start; i < len(p.data) && i-start < 64; i++ {
		c := p.data[i]
		if c == '"' {
			if p.keys == nil {
				p.keys = map[string]string{}
			}
			if k, ok := p.keys[string(p.data[start:i])]; ok {
				p.pos = i + 1
				return k, nil
			}
			k, err := p.str()
			if err == nil && len(p.keys) < 4096 {
				p.keys[k] = k
			}
			return k, err
		}
		if c == '\\' || c < 0x20 {
			break
		}
	}
	return p.str()
}

func sameKeys(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
