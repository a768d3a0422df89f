package runtimes

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// httpRetryStatus reports the statuses that transport retries repeat and
// that make an HTTP error retryable (nodes.md §2.2, §8.5).
func httpRetryStatus(status int) bool {
	switch status {
	case 408, 425, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// errRequestTimeout is the cause of a request-timeout expiry.
var errRequestTimeout = errors.New("request timeout")

// httpStatusError is R606 "HTTP 404 Not Found from GET URL" with the
// status, the start of the body and Retry-After.
func httpStatusError(rq *httpRequest, resp *httpResponse, now time.Time) *Error {
	text := http.StatusText(resp.status)
	msg := "HTTP " + strconv.Itoa(resp.status)
	if text != "" {
		msg += " " + text
	}
	e := Errorf("R606", httpRetryStatus(resp.status), "%s from %s %s", msg, rq.method, rq.display)
	e.Status = resp.status
	body := resp.body
	if len(body) > httpErrorBodyLimit {
		body = body[:httpErrorBodyLimit]
	}
	e.Body = strings.ToValidUTF8(string(body), "\uFFFD")
	if d, ok := httpRetryAfter(resp.header.Get("Retry-After"), now); ok {
		e.RetryAfterMS = max(d.Milliseconds(), 0)
		if e.RetryAfterMS == 0 {
			e.RetryAfterMS = 1 // "retry now": still a server's answer, not a backoff
		}
	}
	return e
}

// httpRetryAfter reads Retry-After: delay seconds or an HTTP date.
func httpRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(httpMaxRetryAfter/time.Second) {
			n = int64(httpMaxRetryAfter / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), httpMaxRetryAfter), true
	}
	return 0, false
}

// httpTransportError turns a failed round trip or body read into R606
// (connection problems, retryable), R604 (request timeout, retryable) or
// R605 (the attempt's context ended).
func httpTransportError(ctx, rctx context.Context, rq *httpRequest, err error) *Error {
	if ctx.Err() != nil {
		return httpCancelled(context.Cause(ctx))
	}
	if errors.Is(context.Cause(rctx), errRequestTimeout) {
		e := Errorf("R604", true, "%s %s timed out after %s (request-timeout)", rq.method, rq.display, units.FormatDuration(rq.timeout.Milliseconds()))
		e.Cause = err
		return e
	}
	if errors.Is(err, errTooManyRedirects) {
		e := Errorf("R606", false, "more than %d redirects from %s %s", httpMaxRedirects, rq.method, rq.display)
		e.Cause = err
		return e
	}
	e := Errorf("R606", true, "cannot connect to %s: %s", rq.display, httpNetReason(err))
	e.Cause = err
	return e
}

// httpNetReason names a network failure without repeating the URL.
func httpNetReason(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "no such host " + quote(dns.Name)
		}
		if dns.IsTimeout {
			return "DNS lookup of " + quote(dns.Name) + " timed out"
		}
		return "DNS lookup of " + quote(dns.Name) + " failed: " + dns.Err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "connection timed out"
	}
	var ue interface{ Unwrap() error }
	for errors.As(err, &ue) {
		inner := ue.Unwrap()
		if inner == nil {
			break
		}
		err = inner
	}
	return err.Error()
}

// httpTooLarge is R606 for a response over max-size.
func httpTooLarge(rq *httpRequest) *Error {
	return Errorf("R606", false, "response from %s %s exceeds max-size %s", rq.method, rq.display, formatSize(rq.maxSize))
}

// httpCancelled is R605 after the attempt's context ended (the executor
// reports its own deadline as R604).
func httpCancelled(cause error) *Error {
	if cause == nil {
		cause = context.Canceled
	}
	return &Error{Code: "R605", Message: "cancelled", Cause: cause}
}

// httpParseBody parses the response body by format (nodes.md §2.2):
// auto picks by Content-Type; empty is null except as text or base64.
func httpParseBody(rq *httpRequest, resp *httpResponse) (any, error) {
	data := resp.body
	format := rq.format
	if format == "" {
		format = "auto"
	}
	switch format {
	case "text":
		return strings.ToValidUTF8(string(data), "\uFFFD"), nil
	case "base64":
		return base64.StdEncoding.EncodeToString(data), nil
	}
	if len(data) == 0 {
		return nil, nil
	}
	if format == "json" {
		return httpParseJSON(rq, data)
	}
	mt, _, err := mime.ParseMediaType(resp.header.Get("Content-Type"))
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(resp.header.Get("Content-Type")), ";")
		mt = strings.TrimSpace(mt)
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return httpParseJSON(rq, data)
	case strings.HasPrefix(mt, "text/") || mt == "application/xml" || strings.HasSuffix(mt, "+xml"):
		return strings.ToValidUTF8(string(data), "\uFFFD"), nil
	}
	if v, err := value.ParseJSON(data); err == nil {
		return v, nil
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	return base64.StdEncoding.EncodeToString(data), nil
}

func httpParseJSON(rq *httpRequest, data []byte) (any, error) {
	v, err := value.ParseJSON(data)
	if err != nil {
		e := Errorf("R606", false, "invalid JSON in the response from %s %s: %v", rq.method, rq.display, err)
		e.Cause = err
		return nil, e
	}
	return v, nil
}
