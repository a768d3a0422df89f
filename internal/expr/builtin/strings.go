package builtin

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// stringFuncs is spec/expressions.md §12.1.
func stringFuncs() []*expr.Func {
	return []*expr.Func{
		newFunc("upper", 1, 1, mapString("upper", strings.ToUpper)),
		newFunc("lower", 1, 1, mapString("lower", strings.ToLower)),
		newFunc("trim", 1, 1, mapString("trim", strings.TrimSpace)),
		newFunc("trim_start", 1, 1, mapString("trim_start", func(s string) string {
			return strings.TrimLeftFunc(s, unicode.IsSpace)
		})),
		newFunc("trim_end", 1, 1, mapString("trim_end", func(s string) string {
			return strings.TrimRightFunc(s, unicode.IsSpace)
		})),
		newFunc("replace", 3, 3, fnReplace),
		newFunc("replace_regex", 3, 3, fnReplaceRegex),
		newFunc("split", 2, 2, fnSplit),
		newFunc("join", 1, 2, fnJoin),
		newFunc("truncate", 2, 3, fnTruncate),
		newFunc("concat", 0, -1, fnConcat),
		newFunc("includes", 2, 2, includes("includes")),
		newFunc("starts_with", 2, 2, affix("starts_with", strings.HasPrefix)),
		newFunc("ends_with", 2, 2, affix("ends_with", strings.HasSuffix)),
		newFunc("substring", 2, 3, fnSubstring),
		newFunc("pad_start", 2, 3, pad("pad_start", true)),
		newFunc("pad_end", 2, 3, pad("pad_end", false)),
		newFunc("repeat", 2, 2, fnRepeat),
		newFunc("char_at", 2, 2, fnCharAt),
		newFunc("len", 1, 1, fnLen),
		newFunc("lines", 1, 1, fnLines),
	}
}

// mapString is a one-string function where null reads as "".
func mapString(name string, f func(string) string) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		s, err := strNull(name, args, 0)
		if err != nil {
			return nil, err
		}
		return newString(c, f(s))
	}
}

func strings3(name string, args []any) (a, b, d string, err error) {
	if a, err = strArg(name, args, 0); err != nil {
		return
	}
	if b, err = strArg(name, args, 1); err != nil {
		return
	}
	d, err = strArg(name, args, 2)
	return
}

func fnReplace(c *expr.Ctx, args []any) (any, error) {
	s, old, repl, err := strings3("replace", args)
	if err != nil {
		return nil, err
	}
	if old == "" {
		return s, nil
	}
	if n := strings.Count(s, old); n > 0 {
		if err := reserveString(c, len(s)+n*(len(repl)-len(old))); err != nil {
			return nil, err
		}
	}
	return strings.ReplaceAll(s, old, repl), nil
}

func fnReplaceRegex(c *expr.Ctx, args []any) (any, error) {
	s, pat, repl, err := strings3("replace_regex", args)
	if err != nil {
		return nil, err
	}
	re, err := compileRegex("replace_regex", pat)
	if err != nil {
		return nil, err
	}
	matches := re.FindAllStringSubmatchIndex(s, -1)
	if err := c.Step(len(matches)); err != nil {
		return nil, err
	}
	var b []byte
	last := 0
	for _, m := range matches {
		b = append(b, s[last:m[0]]...)
		b = expandReplacement(b, re.SubexpNames(), repl, s, m)
		last = m[1]
		if len(b) > expr.MaxStringBytes {
			return nil, reserveString(c, len(b))
		}
	}
	b = append(b, s[last:]...)
	return newString(c, string(b))
}

// expandReplacement appends repl with $n, $nn, ${n}, ${name} and $$
// expanded for match m of s. An unknown reference stays as written.
func expandReplacement(b []byte, names []string, repl, s string, m []int) []byte {
	groups := len(m)/2 - 1
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		if ch != '$' || i+1 == len(repl) {
			b = append(b, ch)
			continue
		}
		next := repl[i+1]
		switch {
		case next == '$':
			b = append(b, '$')
			i++
		case next == '{':
			end := strings.IndexByte(repl[i+2:], '}')
			if end < 0 {
				b = append(b, ch)
				continue
			}
			ref := repl[i+2 : i+2+end]
			idx := -1
			if n, ok := segIndex(ref); ok && n <= groups {
				idx = n
			} else {
				for gi, nm := range names {
					if nm != "" && nm == ref {
						idx = gi
						break
					}
				}
			}
			if idx < 0 {
				b = append(b, ch)
				continue
			}
			b = append(b, group(idx)...)
			i += 2 + end
		case next >= '0' && next <= '9':
			n := int(next - '0')
			width := 1
			if i+2 < len(repl) && repl[i+2] >= '0' && repl[i+2] <= '9' {
				if n2 := n*10 + int(repl[i+2]-'0'); n2 <= groups {
					n, width = n2, 2
				}
			}
			if n > groups {
				b = append(b, ch)
				continue
			}
			b = append(b, group(n)...)
			i += width
		default:
			b = append(b, ch)
		}
	}
	return b
}

func fnSplit(c *expr.Ctx, args []any) (any, error) {
	if args[0] == nil {
		return []any{}, nil
	}
	s, err := strArg("split", args, 0)
	if err != nil {
		return nil, err
	}
	sep, err := strArg("split", args, 1)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(s, sep)
	if err := c.Step(len(parts)); err != nil {
		return nil, err
	}
	out, err := newArray(c, len(parts))
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		out = append(out, p)
	}
	return out, nil
}

func fnJoin(c *expr.Ctx, args []any) (any, error) {
	xs, err := arrArg("join", args, 0)
	if err != nil {
		return nil, err
	}
	sep, err := strOpt("join", args, 1, ",")
	if err != nil {
		return nil, err
	}
	if err := c.Step(len(xs)); err != nil {
		return nil, err
	}
	var b strings.Builder
	for i, it := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		s, err := render("join", it)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
		if b.Len() > expr.MaxStringBytes {
			return nil, reserveString(c, b.Len())
		}
	}
	return newString(c, b.String())
}

func fnTruncate(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("truncate", args, 0)
	if err != nil {
		return nil, err
	}
	n, err := intArg("truncate", "length", args, 1)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, argErr("truncate", "length must be ≥ 0")
	}
	suffix, err := strOpt("truncate", args, 2, "...")
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(s) <= n {
		return s, nil
	}
	sl := utf8.RuneCountInString(suffix)
	if n <= sl {
		return newString(c, prefixRunes(s, n))
	}
	return newString(c, prefixRunes(s, n-sl)+suffix)
}

// prefixRunes returns the first n code points of s.
func prefixRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func fnConcat(c *expr.Ctx, args []any) (any, error) {
	var first any
	for _, a := range args {
		if a != nil {
			first = a
			break
		}
	}
	if _, ok := first.([]any); ok {
		return concatArrays(c, "concat", args)
	}
	var b strings.Builder
	for _, a := range args {
		s, err := render("concat", a)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
		if b.Len() > expr.MaxStringBytes {
			return nil, reserveString(c, b.Len())
		}
	}
	return newString(c, b.String())
}

// concatArrays concatenates array arguments, skipping nulls.
func concatArrays(c *expr.Ctx, name string, args []any) (any, error) {
	n := 0
	for _, a := range args {
		if a == nil {
			continue
		}
		xs, ok := a.([]any)
		if !ok {
			return nil, typeErr(name, "array", a)
		}
		n += len(xs)
	}
	if err := c.Step(n); err != nil {
		return nil, err
	}
	out, err := newArray(c, n)
	if err != nil {
		return nil, err
	}
	for _, a := range args {
		if a != nil {
			out = append(out, a.([]any)...)
		}
	}
	return out, nil
}

// includes is includes/contains: a substring for strings, a === item for
// arrays.
func includes(name string) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		i, err := indexOf(c, name, args)
		if err != nil {
			return nil, err
		}
		return i >= 0, nil
	}
}

// indexOf finds args[1] in args[0]: the position of the first === item of
// an array or the code-point position of a substring; -1 if absent.
func indexOf(c *expr.Ctx, name string, args []any) (int, error) {
	switch x := args[0].(type) {
	case string:
		sub, ok := args[1].(string)
		if !ok {
			return 0, typeErr(name, "string", args[1])
		}
		i := strings.Index(x, sub)
		if i < 0 {
			return -1, nil
		}
		return utf8.RuneCountInString(x[:i]), nil
	case []any:
		for i, it := range x {
			if err := c.Step(1); err != nil {
				return 0, err
			}
			if value.StrictEqual(it, args[1]) {
				return i, nil
			}
		}
		return -1, nil
	}
	return 0, typeErr(name, "string or array", args[0])
}

func affix(name string, test func(s, p string) bool) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		s, err := strArg(name, args, 0)
		if err != nil {
			return nil, err
		}
		p, err := strArg(name, args, 1)
		if err != nil {
			return nil, err
		}
		return test(s, p), nil
	}
}

func fnSubstring(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("substring", args, 0)
	if err != nil {
		return nil, err
	}
	r := []rune(s)
	start, err := numArg("substring", args, 1)
	if err != nil {
		return nil, err
	}
	end, err := numOpt("substring", args, 2, float64(len(r)))
	if err != nil {
		return nil, err
	}
	clampIdx := func(f float64) int { return min(max(toInt(f), 0), len(r)) }
	a, b := clampIdx(start), clampIdx(end)
	if a > b {
		a, b = b, a
	}
	return newString(c, string(r[a:b]))
}

func pad(name string, left bool) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		s, err := render(name, args[0])
		if err != nil {
			return nil, err
		}
		nf, err := numArg(name, args, 1)
		if err != nil {
			return nil, err
		}
		fill, err := strOpt(name, args, 2, " ")
		if err != nil {
			return nil, err
		}
		missing := toInt(nf) - utf8.RuneCountInString(s)
		fl := utf8.RuneCountInString(fill)
		if missing <= 0 || fl == 0 {
			return newString(c, s)
		}
		full, rest := missing/fl, prefixRunes(fill, missing%fl)
		if full > expr.MaxStringBytes/len(fill) {
			return nil, reserveString(c, expr.MaxStringBytes+1)
		}
		if err := reserveString(c, len(s)+full*len(fill)+len(rest)); err != nil {
			return nil, err
		}
		padding := strings.Repeat(fill, full) + rest
		if left {
			return padding + s, nil
		}
		return s + padding, nil
	}
}

func fnRepeat(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("repeat", args, 0)
	if err != nil {
		return nil, err
	}
	n, err := intArg("repeat", "count", args, 1)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, argErr("repeat", "count must be ≥ 0")
	}
	if len(s) > 0 && n > expr.MaxStringBytes/len(s) {
		return nil, reserveString(c, expr.MaxStringBytes+1)
	}
	if err := reserveString(c, len(s)*n); err != nil {
		return nil, err
	}
	return strings.Repeat(s, n), nil
}

func fnCharAt(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("char_at", args, 0)
	if err != nil {
		return nil, err
	}
	f, err := numArg("char_at", args, 1)
	if err != nil {
		return nil, err
	}
	if f < 0 {
		return "", nil
	}
	i := toInt(f)
	for _, r := range s {
		if i == 0 {
			return string(r), nil
		}
		i--
	}
	return "", nil
}

func fnLen(c *expr.Ctx, args []any) (any, error) {
	s, err := render("len", args[0])
	if err != nil {
		return nil, err
	}
	return float64(utf8.RuneCountInString(s)), nil
}

func fnLines(c *expr.Ctx, args []any) (any, error) {
	s, err := strArg("lines", args, 0)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(s, "\n")
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if err := c.Step(len(parts)); err != nil {
		return nil, err
	}
	out, err := newArray(c, len(parts))
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		out = append(out, strings.TrimSuffix(p, "\r"))
	}
	return out, nil
}
