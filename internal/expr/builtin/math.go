package builtin

import (
	"math"
	"strconv"
	"strings"

	"github.com/flowscript/flowscript/internal/expr"
)

// mathFuncs is spec/expressions.md §12.3.
func mathFuncs() []*expr.Func {
	return []*expr.Func{
		newFunc("min", 0, -1, extreme("min", -1)),
		newFunc("max", 0, -1, extreme("max", 1)),
		newFunc("sum", 0, -1, fnSum),
		newFunc("avg", 0, -1, fnAvg),
		newFunc("round", 1, 2, fnRound),
		newFunc("floor", 1, 1, unary("floor", math.Floor)),
		newFunc("ceil", 1, 1, unary("ceil", math.Ceil)),
		newFunc("trunc", 1, 1, unary("trunc", math.Trunc)),
		newFunc("abs", 1, 1, unary("abs", math.Abs)),
		newFunc("sign", 1, 1, unary("sign", func(f float64) float64 {
			switch {
			case f > 0:
				return 1
			case f < 0:
				return -1
			}
			return 0
		})),
		newFunc("sqrt", 1, 1, fnSqrt),
		newFunc("pow", 2, 2, fnPow),
		newFunc("mod", 2, 2, fnMod),
		newFunc("clamp", 3, 3, fnClamp),
		newFunc("percent", 2, 3, fnPercent),
		newFunc("random", 0, 0, func(c *expr.Ctx, args []any) (any, error) {
			return c.Rand().Float64(), nil
		}),
		newFunc("random_int", 2, 2, fnRandomInt),
		newFunc("format_number", 1, 4, fnFormatNumber),
	}
}

// numbersOf reads "numbers or one array" arguments, skipping nulls.
func numbersOf(c *expr.Ctx, name string, args []any) ([]float64, error) {
	items := args
	if len(args) == 1 {
		if xs, ok := args[0].([]any); ok {
			items = xs
		}
	}
	if err := c.Step(len(items)); err != nil {
		return nil, err
	}
	out := make([]float64, 0, len(items))
	for _, it := range items {
		switch x := it.(type) {
		case nil:
		case float64:
			out = append(out, x)
		default:
			return nil, typeErr(name, "number", it)
		}
	}
	return out, nil
}

// extreme is min (sign -1) and max (sign 1); no numbers give null.
func extreme(name string, sign float64) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		ns, err := numbersOf(c, name, args)
		if err != nil || len(ns) == 0 {
			return nil, err
		}
		best := ns[0]
		for _, n := range ns[1:] {
			if (n-best)*sign > 0 {
				best = n
			}
		}
		return best, nil
	}
}

func fnSum(c *expr.Ctx, args []any) (any, error) {
	ns, err := numbersOf(c, "sum", args)
	if err != nil {
		return nil, err
	}
	s := 0.0
	for _, n := range ns {
		s += n
	}
	return number("sum", s)
}

func fnAvg(c *expr.Ctx, args []any) (any, error) {
	ns, err := numbersOf(c, "avg", args)
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	s := 0.0
	for _, n := range ns {
		s += n
	}
	if math.IsInf(s, 0) { // large values: average the parts instead
		s = 0
		for _, n := range ns {
			s += n / float64(len(ns))
		}
		return number("avg", s)
	}
	return number("avg", s/float64(len(ns)))
}

func unary(name string, f func(float64) float64) func(*expr.Ctx, []any) (any, error) {
	return func(c *expr.Ctx, args []any) (any, error) {
		n, err := numArg(name, args, 0)
		if err != nil {
			return nil, err
		}
		return number(name, f(n))
	}
}

// digitsArg reads the optional decimal-digits argument (−15 to 15).
func digitsArg(name string, args []any, i int, def int) (int, error) {
	if i >= len(args) {
		return def, nil
	}
	d, err := intArg(name, "digits", args, i)
	if err != nil {
		return 0, err
	}
	if d < -15 || d > 15 {
		return 0, argErr(name, "digits must be from -15 to 15")
	}
	return d, nil
}

func fnRound(c *expr.Ctx, args []any) (any, error) {
	n, err := numArg("round", args, 0)
	if err != nil {
		return nil, err
	}
	d, err := digitsArg("round", args, 1, 0)
	if err != nil {
		return nil, err
	}
	return number("round", roundHalfAway(n, d))
}

// roundHalfAway rounds f to d decimal places (d < 0: to tens, hundreds, …),
// half away from zero, working on the shortest decimal form of f so that
// 1.005 rounds to 1.01.
func roundHalfAway(f float64, d int) float64 {
	if f == 0 {
		return 0
	}
	s := strconv.FormatFloat(math.Abs(f), 'e', -1, 64) // D.DDDDe±XX
	mant, expPart, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expPart)
	digits := strings.Replace(mant, ".", "", 1)
	keep := exp + 1 + d // digits kept before the rounding position
	if keep >= len(digits) {
		return f
	}
	var kept []byte
	if keep >= 0 {
		kept = []byte(digits[:keep])
		if digits[keep] >= '5' {
			kept = incrementDigits(kept)
		}
	}
	if len(kept) == 0 {
		return 0
	}
	r, _ := strconv.ParseFloat(string(kept)+"e"+strconv.Itoa(-d), 64)
	if f < 0 {
		r = -r
	}
	return r
}

// incrementDigits adds one to a decimal digit string ("" counts as 0).
func incrementDigits(b []byte) []byte {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return b
		}
		b[i] = '0'
	}
	return append([]byte{'1'}, b...)
}

func fnSqrt(c *expr.Ctx, args []any) (any, error) {
	n, err := numArg("sqrt", args, 0)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, argErr("sqrt", "argument must not be negative")
	}
	return number("sqrt", math.Sqrt(n))
}

func twoNumbers(name string, args []any) (float64, float64, error) {
	a, err := numArg(name, args, 0)
	if err != nil {
		return 0, 0, err
	}
	b, err := numArg(name, args, 1)
	return a, b, err
}

func fnPow(c *expr.Ctx, args []any) (any, error) {
	b, e, err := twoNumbers("pow", args)
	if err != nil {
		return nil, err
	}
	return number("pow", math.Pow(b, e))
}

func fnMod(c *expr.Ctx, args []any) (any, error) {
	n, d, err := twoNumbers("mod", args)
	if err != nil {
		return nil, err
	}
	if d == 0 {
		return nil, argErr("mod", "division by zero")
	}
	return number("mod", math.Mod(n, d))
}

func fnClamp(c *expr.Ctx, args []any) (any, error) {
	n, lo, err := twoNumbers("clamp", args)
	if err != nil {
		return nil, err
	}
	hi, err := numArg("clamp", args, 2)
	if err != nil {
		return nil, err
	}
	if lo > hi {
		return nil, argErr("clamp", "lower bound is greater than upper bound")
	}
	return min(max(n, lo), hi), nil
}

func fnPercent(c *expr.Ctx, args []any) (any, error) {
	v, total, err := twoNumbers("percent", args)
	if err != nil {
		return nil, err
	}
	d, err := digitsArg("percent", args, 2, 2)
	if err != nil {
		return nil, err
	}
	if total == 0 {
		return nil, nil
	}
	p := v / total * 100
	if math.IsInf(p, 0) {
		return nil, argErr("percent", "result is not a finite number")
	}
	return number("percent", roundHalfAway(p, d))
}

func fnRandomInt(c *expr.Ctx, args []any) (any, error) {
	a, b, err := twoNumbers("random_int", args)
	if err != nil {
		return nil, err
	}
	if a > b {
		return nil, argErr("random_int", "lower bound is greater than upper bound")
	}
	lo, hi := math.Ceil(a), math.Floor(b)
	if lo > hi {
		return nil, argErr("random_int", "no integer between the bounds")
	}
	if hi-lo >= 1<<62 {
		return nil, argErr("random_int", "range is too large")
	}
	return lo + float64(c.Rand().Int64N(int64(hi-lo)+1)), nil
}

func fnFormatNumber(c *expr.Ctx, args []any) (any, error) {
	n, err := numArg("format_number", args, 0)
	if err != nil {
		return nil, err
	}
	d, err := digitsArg("format_number", args, 1, 0)
	if err != nil {
		return nil, err
	}
	sep, err := strOpt("format_number", args, 2, ",")
	if err != nil {
		return nil, err
	}
	point, err := strOpt("format_number", args, 3, ".")
	if err != nil {
		return nil, err
	}
	r := roundHalfAway(n, d)
	text := strconv.FormatFloat(math.Abs(r), 'f', max(d, 0), 64)
	intPart, frac, hasFrac := strings.Cut(text, ".")
	var b strings.Builder
	if r < 0 {
		b.WriteByte('-')
	}
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(intPart[i])
	}
	if hasFrac {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return newString(c, b.String())
}
