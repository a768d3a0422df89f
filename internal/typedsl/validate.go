package typedsl

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// Validate checks v against t and returns one message per violation, each
// prefixed with the path of the offending value from the root `$`:
// `$.tags[1]: expected string, got number 3`, `$: missing key "score"`,
// `$.x: unexpected key`. Record fields are checked in declaration order,
// then unexpected keys in the value's order. Nil means v conforms.
func (t *Type) Validate(v any) []string { return t.ValidateAt(v, "$") }

// ValidateAt is Validate with another root path (`$input`).
func (t *Type) ValidateAt(v any, root string) []string {
	var out []string
	t.check(v, root, &out)
	return out
}

// Accepts reports whether v conforms to t.
func (t *Type) Accepts(v any) bool {
	var out []string
	t.check(v, "", &out)
	return len(out) == 0
}

// Expected describes what t accepts, for messages: `string`, `string or
// null`, `one of a, b`, `object`.
func (t *Type) Expected() string {
	switch t.Kind {
	case ArrayOf:
		return "array"
	case Record:
		return "object"
	case Enum:
		return "one of " + EnumList(t.Values)
	case Optional:
		return t.Elem.Expected() + " or null"
	case Union:
		parts := make([]string, len(t.Alts))
		for i, a := range t.Alts {
			parts[i] = a.Expected()
		}
		return strings.Join(parts, " or ")
	}
	return kindNames[t.Kind]
}

// PathKey appends key k to path: `.name` for identifiers, `["a b"]` otherwise.
func PathKey(path, k string) string {
	if isIdent(k) {
		return path + "." + k
	}
	return path + "[" + string(value.AppendQuoted(nil, k)) + "]"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func mismatch(p string, t *Type, v any, out *[]string) {
	*out = append(*out, p+": expected "+t.Expected()+", got "+value.Describe(v))
}

func (t *Type) check(v any, p string, out *[]string) {
	switch t.Kind {
	case Any:
		return
	case Optional:
		switch {
		case v == nil:
		case t.Elem.Kind != Union:
			t.Elem.checkInner(v, p, out, t)
		case t.Elem.anyShape(v):
			t.Elem.check(v, p, out)
		case !t.Elem.Accepts(v):
			mismatch(p, t, v, out)
		}
		return
	case Union:
		for _, a := range t.Alts {
			if a.Accepts(v) {
				return
			}
		}
		// Report the nested problems of the one alternative of the right
		// kind, when there is exactly one; else the mismatch itself.
		var match *Type
		n := 0
		for _, a := range t.Alts {
			if a.sameShape(v) {
				match = a
				n++
			}
		}
		if n == 1 {
			match.check(v, p, out)
			return
		}
		mismatch(p, t, v, out)
		return
	}
	t.checkInner(v, p, out, t)
}

// checkInner checks a type that is not any, optional or a union; outer is
// the type named in a mismatch message.
func (t *Type) checkInner(v any, p string, out *[]string, outer *Type) {
	ok := true
	switch t.Kind {
	case String:
		_, ok = v.(string)
	case Number:
		_, ok = v.(float64)
	case Integer:
		f, isNum := v.(float64)
		ok = isNum && f == math.Trunc(f) && !math.IsInf(f, 0)
	case Boolean:
		_, ok = v.(bool)
	case Null:
		ok = v == nil
	case Object:
		_, ok = v.(*value.Object)
	case Array:
		_, ok = v.([]any)
	case Datetime:
		s, isStr := v.(string)
		ok = isStr && validDatetime(s)
	case Date:
		s, isStr := v.(string)
		ok = isStr && validDate(s)
	case Duration:
		s, isStr := v.(string)
		ok = isStr && validDuration(s)
	case Enum:
		ok = false
		for _, e := range t.Values {
			if value.StrictEqual(e, v) {
				ok = true
				break
			}
		}
	case ArrayOf:
		a, isArr := v.([]any)
		if !isArr {
			ok = false
			break
		}
		for i, it := range a {
			t.Elem.check(it, p+"["+strconv.Itoa(i)+"]", out)
		}
	case Record:
		o, isObj := v.(*value.Object)
		if !isObj {
			ok = false
			break
		}
		for _, f := range t.Fields {
			fv, has := o.Get(f.Name)
			if !has {
				if !f.Type.Optional() {
					*out = append(*out, p+": missing key "+string(value.AppendQuoted(nil, f.Name)))
				}
				continue
			}
			f.Type.check(fv, PathKey(p, f.Name), out)
		}
		for _, k := range o.Keys() {
			if !t.hasField(k) {
				*out = append(*out, PathKey(p, k)+": unexpected key")
			}
		}
	}
	if !ok {
		mismatch(p, outer, v, out)
	}
}

func (t *Type) hasField(k string) bool {
	for _, f := range t.Fields {
		if f.Name == k {
			return true
		}
	}
	return false
}

// sameShape reports whether v has the JSON kind t describes (object for a
// record, array for an array type), so that nested problems are worth
// reporting instead of a plain mismatch.
func (t *Type) sameShape(v any) bool {
	switch t.Kind {
	case Record:
		_, ok := v.(*value.Object)
		return ok
	case ArrayOf:
		_, ok := v.([]any)
		return ok
	case Optional:
		return v != nil && t.Elem.sameShape(v)
	}
	return false
}

func (t *Type) anyShape(v any) bool {
	switch t.Kind {
	case Union:
		for _, a := range t.Alts {
			if a.sameShape(v) {
				return true
			}
		}
		return false
	}
	return t.sameShape(v)
}

func validDatetime(s string) bool {
	if len(s) < len("2006-01-02T15:04:05Z") {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	return err == nil
}

// validDuration reports whether s is a duration of spec/expressions.md
// §10.1.
func validDuration(s string) bool {
	_, err := units.ParseDuration(s)
	return err == nil
}

func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}
