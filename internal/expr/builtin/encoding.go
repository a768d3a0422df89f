package builtin

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// encodingFuncs is spec/expressions.md §12.7.
func encodingFuncs() []*expr.Func {
	return []*expr.Func{
		newFunc("json_encode", 1, 2, jsonText("json_encode", 0)),
		newFunc("json_decode", 1, 1, fnJSONDecode),
		newFunc("pretty", 1, 2, jsonText("pretty", 2)),
		newFunc("yaml_encode", 1, 1, fnYAMLEncode),
		newFunc("yaml_decode", 1, 1, fnYAMLDecode),
		newFunc("base64_encode", 1, 1, fnBase64Encode),
		newFunc("base64_decode", 1, 1, fnBase64Decode),
		newFunc("url_encode", 1, 1, fnURLEncode),
		newFunc("url_decode", 1, 1, fnURLDecode),
		newFunc("uuid", 0, 0, fnUUID),
		newFunc("hash", 1, 2, fnHash),
		newFunc("hmac", 2, 3, fnHMAC),
		newFunc("match", 2, 2, fnMatch),
		newFunc("capture", 2, 2, fnCapture),
		newFunc("match_all", 2, 2, fnMatchAll),
		newFunc("test", 2, 2, fnTest),
	}
}

// jsonText is json_encode (compact by default) and pretty (indent 2 by
// default); indent is a number of spaces (0 to 10) or an indent string.
func jsonText(name string, defIndent int) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		if isFunc(args[0]) {
			return nil, argErr(name, "cannot encode a function")
		}
		indent := strings.Repeat(" ", defIndent)
		if len(args) > 1 {
			switch x := args[1].(type) {
			case float64:
				if x != float64(int(x)) || x < 0 || x > 10 {
					return nil, argErr(name, "indent must be an integer from 0 to 10")
				}
				indent = strings.Repeat(" ", int(x))
			case string:
				indent = x
			default:
				return nil, typeErr(name, "number", args[1])
			}
		}
		if indent == "" {
			return newString(c, value.JSON(args[0]))
		}
		return newString(c, value.IndentJSON(args[0], indent))
	}
}

func fnJSONDecode(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("json_decode", args, 0)
	if err != nil {
		return nil, err
	}
	if err := c.Alloc(len(s)); err != nil {
		return nil, err
	}
	v, err := value.ParseJSON([]byte(s))
	if err != nil {
		return nil, nil
	}
	return v, nil
}

func fnYAMLEncode(c *expr.Ctx, args []any) (any, error) {
	if isFunc(args[0]) {
		return nil, argErr("yaml_encode", "cannot encode a function")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(value.ToYAMLNode(args[0])); err != nil {
		return nil, argErr("yaml_encode", "%v", err)
	}
	if err := enc.Close(); err != nil {
		return nil, argErr("yaml_encode", "%v", err)
	}
	return newString(c, buf.String())
}

func fnYAMLDecode(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("yaml_decode", args, 0)
	if err != nil {
		return nil, err
	}
	if err := c.Alloc(len(s)); err != nil {
		return nil, err
	}
	v, err := value.ParseYAML([]byte(s))
	if err != nil {
		return nil, nil
	}
	return v, nil
}

func fnBase64Encode(c *expr.Ctx, args []any) (any, error) {
	s, err := render("base64_encode", args[0])
	if err != nil {
		return nil, err
	}
	if err := reserveString(c, base64.StdEncoding.EncodedLen(len(s))); err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

// fnBase64Decode accepts the standard and the URL alphabet, with or without
// padding; invalid input or bytes that are not UTF-8 give null.
func fnBase64Decode(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("base64_decode", args, 0)
	if err != nil {
		return nil, err
	}
	body := strings.TrimRight(s, "=")
	if pads := len(s) - len(body); pads > 0 && (pads > 2 || len(s)%4 != 0) {
		return nil, nil
	}
	if strings.ContainsAny(body, "\r\n") {
		return nil, nil
	}
	body = strings.NewReplacer("-", "+", "_", "/").Replace(body)
	b, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || !utf8.Valid(b) {
		return nil, nil
	}
	return newString(c, string(b))
}

// fnURLEncode percent-encodes every UTF-8 byte except A-Z a-z 0-9 - _ . ~.
func fnURLEncode(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("url_encode", args, 0)
	if err != nil {
		return nil, err
	}
	const hexUpper = "0123456789ABCDEF"
	if err := reserveString(c, 3*len(s)); err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'A' <= ch && ch <= 'Z', 'a' <= ch && ch <= 'z', '0' <= ch && ch <= '9',
			ch == '-', ch == '_', ch == '.', ch == '~':
			b = append(b, ch)
		default:
			b = append(b, '%', hexUpper[ch>>4], hexUpper[ch&15])
		}
	}
	return string(b), nil
}

// fnURLDecode decodes %XX escapes ("+" stays "+"); a broken escape or bytes
// that are not UTF-8 give null.
func fnURLDecode(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("url_decode", args, 0)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return nil, nil
		}
		v, err := hex.DecodeString(s[i+1 : i+3])
		if err != nil {
			return nil, nil
		}
		b = append(b, v[0])
		i += 2
	}
	if !utf8.Valid(b) {
		return nil, nil
	}
	return newString(c, string(b))
}

// fnUUID returns a version 4 UUID drawn from the evaluation's random source
// (so a seeded run is reproducible).
func fnUUID(c *expr.Ctx, args []any) (any, error) {
	var u [16]byte
	r := c.Rand()
	for i := 0; i < 16; i += 8 {
		x := r.Uint64()
		for j := 0; j < 8; j++ {
			u[i+j] = byte(x >> (8 * j))
		}
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// hashInput is the text hashed for v: a string itself, anything else its
// compact JSON.
func hashInput(name string, v any) (string, error) {
	if isFunc(v) {
		return "", argErr(name, "cannot hash a function")
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return value.JSON(v), nil
}

// hashers maps algorithm names to constructors.
var hashers = map[string]func() hash.Hash{
	"md5":    md5.New,
	"sha1":   sha1.New,
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

// algorithm reads the optional algorithm argument.
func algorithm(name string, args []any, i int, djb2 bool) (string, func() hash.Hash, error) {
	alg, err := strOpt(name, args, i, "sha256")
	if err != nil {
		return "", nil, err
	}
	if djb2 && alg == "djb2" {
		return alg, nil, nil
	}
	h, ok := hashers[alg]
	if !ok {
		list := `"md5", "sha1", "sha256", "sha384", "sha512"`
		if djb2 {
			list += `, "djb2"`
		}
		return "", nil, argErr(name, "unknown algorithm %q (expected one of %s)", alg, list)
	}
	return alg, h, nil
}

func fnHash(c *expr.Ctx, args []any) (any, error) {
	s, err := hashInput("hash", args[0])
	if err != nil {
		return nil, err
	}
	alg, newHash, err := algorithm("hash", args, 1, true)
	if err != nil {
		return nil, err
	}
	if alg == "djb2" {
		return float64(djb2(s)), nil
	}
	h := newHash()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// djb2 hashes the UTF-16 code units of s: h = 5381, then for each unit u,
// h = int32(h × 33) XOR u; the result is read as uint32.
func djb2(s string) uint32 {
	h := int32(5381)
	mix := func(u uint16) { h = h*33 ^ int32(u) }
	for _, r := range s {
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			mix(uint16(hi))
			mix(uint16(lo))
			continue
		}
		mix(uint16(r))
	}
	return uint32(h)
}

func fnHMAC(c *expr.Ctx, args []any) (any, error) {
	s, err := hashInput("hmac", args[0])
	if err != nil {
		return nil, err
	}
	key, err := strArg("hmac", args, 1)
	if err != nil {
		return nil, err
	}
	_, newHash, err := algorithm("hmac", args, 2, false)
	if err != nil {
		return nil, err
	}
	m := hmac.New(newHash, []byte(key))
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// regexCache keeps compiled patterns; it is emptied when it grows past
// regexCacheSize entries.
var regexCache = struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}{m: map[string]*regexp.Regexp{}}

const regexCacheSize = 256

// compileRegex compiles an RE2 pattern, from the cache when possible.
func compileRegex(name, pat string) (*regexp.Regexp, error) {
	regexCache.Lock()
	re, ok := regexCache.m[pat]
	regexCache.Unlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, argErr(name, "invalid regular expression: %s in %q", se.Code, se.Expr)
		}
		return nil, argErr(name, "invalid regular expression: %v", err)
	}
	regexCache.Lock()
	if len(regexCache.m) >= regexCacheSize {
		clear(regexCache.m)
	}
	regexCache.m[pat] = re
	regexCache.Unlock()
	return re, nil
}

// subjectAndRegex reads the (s, re) arguments of the regex functions.
func subjectAndRegex(name string, args []any) (string, *regexp.Regexp, error) {
	s, err := strArg(name, args, 0)
	if err != nil {
		return "", nil, err
	}
	pat, err := strArg(name, args, 1)
	if err != nil {
		return "", nil, err
	}
	re, err := compileRegex(name, pat)
	return s, re, err
}

func fnMatch(c *expr.Ctx, args []any) (any, error) {
	s, re, err := subjectAndRegex("match", args)
	if err != nil {
		return nil, err
	}
	m := re.FindStringIndex(s)
	if m == nil {
		return nil, nil
	}
	return s[m[0]:m[1]], nil
}

func fnCapture(c *expr.Ctx, args []any) (any, error) {
	s, re, err := subjectAndRegex("capture", args)
	if err != nil {
		return nil, err
	}
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, nil
	}
	out, err := newArray(c, len(m)/2)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(m); i += 2 {
		if m[i] < 0 {
			out = append(out, nil)
		} else {
			out = append(out, s[m[i]:m[i+1]])
		}
	}
	return out, nil
}

func fnMatchAll(c *expr.Ctx, args []any) (any, error) {
	s, re, err := subjectAndRegex("match_all", args)
	if err != nil {
		return nil, err
	}
	ms := re.FindAllString(s, -1)
	if err := c.Step(len(ms)); err != nil {
		return nil, err
	}
	out, err := newArray(c, len(ms))
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		out = append(out, m)
	}
	return out, nil
}

func fnTest(c *expr.Ctx, args []any) (any, error) {
	s, re, err := subjectAndRegex("test", args)
	if err != nil {
		return nil, err
	}
	return re.MatchString(s), nil
}
