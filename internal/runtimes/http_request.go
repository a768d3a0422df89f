package runtimes

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/flowscript/flowscript/internal/value"
)

// httpURL checks that raw is an absolute http or https URL and appends the
// query parameters in key order after any query already in it. It returns
// the URL to send and the URL to show in messages (without userinfo).
func httpURL(raw string, params any) (send, display string, err error) {
	raw = strings.TrimSpace(raw)
	u, perr := url.Parse(raw)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := raw
		if perr == nil && u.User != nil {
			shown = u.Redacted()
		}
		return "", "", Errorf("R603", false, "url %s is not an absolute http or https URL", quote(shown))
	}
	if params != nil {
		obj, ok := params.(*value.Object)
		if !ok {
			return "", "", Errorf("R603", false, "field \"params\" expects an object, got %s", value.TypeName(params))
		}
		q, err := httpEncodePairs("params", obj)
		if err != nil {
			return "", "", err
		}
		if q != "" {
			if u.RawQuery != "" {
				u.RawQuery += "&" + q
			} else {
				u.RawQuery = q
			}
			u.ForceQuery = false
		}
	}
	return u.String(), u.Redacted(), nil
}

// httpEncodePairs URL-encodes an object in key order: scalars as text, an
// array repeats the key, null is omitted, an object is R603. It serves
// both query parameters and form bodies.
func httpEncodePairs(field string, obj *value.Object) (string, error) {
	var b strings.Builder
	add := func(k string, v any) error {
		switch v.(type) {
		case nil:
			return nil
		case *value.Object:
			return Errorf("R603", false, "%s %s: an object cannot be sent as a parameter value", field, quote(k))
		case []any:
			return Errorf("R603", false, "%s %s: a nested array cannot be sent as a parameter value", field, quote(k))
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(value.Render(v)))
		return nil
	}
	for _, k := range obj.Keys() {
		v, _ := obj.Get(k)
		if arr, ok := v.([]any); ok {
			for _, it := range arr {
				if err := add(k, it); err != nil {
					return "", err
				}
			}
			continue
		}
		if err := add(k, v); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// httpHeaders adds the headers field: values rendered to text, null drops
// a header.
func httpHeaders(h http.Header, headers any) error {
	if headers == nil {
		return nil
	}
	obj, ok := headers.(*value.Object)
	if !ok {
		return Errorf("R603", false, "field \"headers\" expects an object, got %s", value.TypeName(headers))
	}
	for _, k := range obj.Keys() {
		v, _ := obj.Get(k)
		if v == nil {
			h.Del(k)
			continue
		}
		text := value.Render(v)
		if strings.ContainsAny(text, "\r\n") {
			return Errorf("R603", false, "header %s: the value contains a line break", quote(k))
		}
		h.Set(k, text)
	}
	return nil
}

// httpEncodeBody encodes the request body: json (compact), form (object
// only) or raw (text); the default is raw for a string, else json.
func httpEncodeBody(format string, body any) (data []byte, contentType string, err error) {
	if format == "" {
		format = "json"
		if _, ok := body.(string); ok {
			format = "raw"
		}
	}
	switch format {
	case "json":
		return value.AppendJSON(nil, body), "application/json", nil
	case "form":
		obj, ok := body.(*value.Object)
		if !ok {
			return nil, "", Errorf("R603", false, "body-format \"form\" needs an object body, got %s", value.TypeName(body))
		}
		q, err := httpEncodePairs("form field", obj)
		if err != nil {
			return nil, "", err
		}
		return []byte(q), "application/x-www-form-urlencoded", nil
	case "raw":
		return []byte(value.Render(body)), "text/plain; charset=utf-8", nil
	}
	return nil, "", Errorf("R603", false, "body-format %s is not one of json, form, raw", quote(format))
}

// httpStatusRange is one expect-status entry: a code (lo == hi) or a range.
type httpStatusRange struct{ lo, hi int }

// httpExpect reads expect-status: numbers and strings "404" or "200-299".
// Without the field, 200-299 is accepted.
func httpExpect(v any) ([]httpStatusRange, error) {
	if v == nil {
		return []httpStatusRange{{200, 299}}, nil
	}
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	out := make([]httpStatusRange, 0, len(items))
	for _, it := range items {
		r, ok := httpParseStatus(it)
		if !ok {
			return nil, Errorf("R603", false, "expect-status: %s is not a status code or a range like \"200-299\"", value.Describe(it))
		}
		out = append(out, r)
	}
	return out, nil
}

func httpParseStatus(v any) (httpStatusRange, bool) {
	valid := func(n int) bool { return n >= 100 && n <= 999 }
	switch x := v.(type) {
	case float64:
		n := int(x)
		return httpStatusRange{n, n}, float64(n) == x && valid(n)
	case string:
		lo, hi, isRange := strings.Cut(strings.TrimSpace(x), "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		return httpStatusRange{a, b}, err1 == nil && err2 == nil && valid(a) && valid(b) && a <= b
	}
	return httpStatusRange{}, false
}

// httpAccepted reports whether status is in one of the ranges.
func httpAccepted(expect []httpStatusRange, status int) bool {
	for _, r := range expect {
		if status >= r.lo && status <= r.hi {
			return true
		}
	}
	return false
}
