package runtimes

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/extract"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// httpRuntimes returns the http source and sink (nodes.md §2.2).
func httpRuntimes() []Runtime {
	return []Runtime{&HTTP{Role: "source"}, &HTTP{Role: "sink"}}
}

// HTTP sends one request per attempt and shapes the response (source/http
// and sink/http, nodes.md §2.2): query parameters, json/form/raw bodies,
// bearer/basic/oauth2 auth, transport retries with Retry-After or
// full-jitter backoff, a per-request timeout, a size limit, redirects,
// response parsing by content type, extract (JSONPath or JMESPath) and a
// per-node throttle shared by every execution of the node in the run.
type HTTP struct {
	// Role is "source" or "sink"; it picks the role defaults.
	Role string
	// Transport sends the requests; nil uses a shared keep-alive transport.
	Transport http.RoundTripper
	// Sleep waits d or until ctx ends (retry delays, throttle waits); nil
	// sleeps for real. Tests inject it so that they never sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a uniform number in [0, 1) for the backoff jitter; nil
	// uses math/rand/v2.
	Rand func() float64
	// Now is the clock for Retry-After dates, token expiry and throttle
	// windows; nil uses time.Now.
	Now func() time.Time
}

// Kind returns "source/http" or "sink/http".
func (h *HTTP) Kind() string { return h.Role + "/http" }

// Limits of the http runtime that are not fields.
const (
	httpMaxRedirects   = 10
	httpMaxRetryAfter  = 60 * time.Second
	httpMaxBackoff     = 30 * time.Second
	httpErrorBodyLimit = 4 << 10
	httpDefaultTimeout = 30 * time.Second
	httpDefaultMaxSize = 10 << 20
	httpDefaultRetries = 2
	httpUserAgent      = "flowscript"
)

// httpSharedTransport keeps connections alive across nodes and runs. Loopback
// and NO_PROXY hosts are never proxied.
var httpSharedTransport http.RoundTripper = &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	ForceAttemptHTTP2:     true,
	MaxIdleConns:          256,
	MaxIdleConnsPerHost:   64,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   10 * time.Second,
	ExpectContinueTimeout: time.Second,
}

// errTooManyRedirects stops a redirect chain longer than httpMaxRedirects.
var errTooManyRedirects = errors.New("too many redirects")

// httpRequest is everything one node attempt sends, rendered once.
type httpRequest struct {
	method      string
	url         string // with the query parameters
	display     string // url without userinfo, for messages
	header      http.Header
	body        []byte
	hasBody     bool
	auth        *httpAuth
	timeout     time.Duration
	retries     int
	maxSize     int64
	follow      bool
	expect      []httpStatusRange
	throttle    *units.Rate
	throttleKey string
	format      string
	result      string
	extract     string
}

// httpResponse is one answer, its body read (up to max-size on success,
// the first 4 KiB otherwise).
type httpResponse struct {
	status int
	header http.Header
	body   []byte
}

// Run sends the request with its transport retries and returns the body
// (after extract) or {status, headers, body}.
func (h *HTTP) Run(ctx context.Context, c *Call) (any, error) {
	rq, err := h.prepare(c)
	if err != nil {
		return nil, err
	}
	resp, err := h.exchange(ctx, c, rq)
	if err != nil {
		return nil, err
	}
	body, err := httpParseBody(rq, resp)
	if err != nil {
		return nil, err
	}
	if rq.extract != "" {
		if body, err = httpExtract(rq.extract, body); err != nil {
			return nil, err
		}
	}
	if rq.result == "full" {
		return value.ObjectOf("status", float64(resp.status), "headers", httpHeaderObject(resp.header), "body", body), nil
	}
	return body, nil
}

// prepare reads and checks the fields.
func (h *HTTP) prepare(c *Call) (*httpRequest, error) {
	role := c.Role
	if role == "" {
		role = h.Role
	}
	kind := c.Kind
	if kind == "" {
		kind = role + "/http"
	}
	rq := &httpRequest{
		method:  strings.ToUpper(c.Str("method")),
		timeout: httpDefaultTimeout,
		retries: httpDefaultRetries,
		maxSize: httpDefaultMaxSize,
		follow:  c.Bool("follow-redirects", true),
		format:  c.Str("format"),
		result:  c.Str("result"),
		extract: c.Str("extract"),
		header:  http.Header{},
	}
	if rq.method == "" {
		rq.method = http.MethodGet
		if role == "sink" {
			rq.method = http.MethodPost
		}
	}
	if rq.result == "" {
		rq.result = "body"
		if role == "sink" {
			rq.result = "full"
		}
	}
	if ms := c.Num("request-timeout", 0); ms > 0 {
		rq.timeout = time.Duration(ms * float64(time.Millisecond))
	}
	if n, ok := c.Fields["retries"].(float64); ok && n >= 0 {
		rq.retries = int(n)
	}
	if n, ok := c.Fields["max-size"].(float64); ok && n >= 0 {
		rq.maxSize = int64(n)
	}
	rq.throttle = throttleOf(c)
	rq.throttleKey = httpThrottleKey(c.RunID, kind, c.Node)

	var err error
	if rq.url, rq.display, err = httpURL(c.Str("url"), c.Fields["params"]); err != nil {
		return nil, err
	}
	if rq.expect, err = httpExpect(c.Fields["expect-status"]); err != nil {
		return nil, err
	}
	if err := httpHeaders(rq.header, c.Fields["headers"]); err != nil {
		return nil, err
	}
	if rq.header.Get("User-Agent") == "" {
		rq.header.Set("User-Agent", httpUserAgent)
	}
	if a, ok := c.Fields["auth"]; ok && a != nil {
		if rq.auth, err = parseHTTPAuth(a); err != nil {
			return nil, err
		}
		if _, set := rq.header["Authorization"]; set {
			// The validator reports a written header as N307; one that
			// only a template produces is found here.
			return nil, Errorf("R603", false, "conflicting fields: \"auth\" and an \"Authorization\" header")
		}
	}
	if rq.extract != "" {
		// The validator checks extract (N305); checking again before the
		// request is sent keeps a sink from acting and then failing.
		if err := extract.Compile(rq.extract); err != nil {
			e := Errorf("R601", false, "extract: %v", err)
			e.Cause = err
			return nil, e
		}
	}

	body, set := c.Fields["body"]
	if !set && role == "sink" && rq.method != http.MethodGet && rq.method != http.MethodHead {
		body, set = c.Input, c.HasInput
	}
	if set {
		data, ctype, err := httpEncodeBody(c.Str("body-format"), body)
		if err != nil {
			return nil, err
		}
		rq.body, rq.hasBody = data, true
		if rq.header.Get("Content-Type") == "" {
			rq.header.Set("Content-Type", ctype)
		}
	}
	return rq, nil
}

// exchange sends the request, repeating it after transport failures and
// retryable statuses (at most rq.retries times) and once after a 401 with
// a fresh oauth2 token.
func (h *HTTP) exchange(ctx context.Context, c *Call, rq *httpRequest) (*httpResponse, error) {
	client := &http.Client{Transport: h.Transport, CheckRedirect: httpCheckRedirect(rq.follow)}
	if client.Transport == nil {
		client.Transport = httpSharedTransport
	}
	reauthed := false
	for k := 0; ; k++ {
		var token string
		if rq.auth != nil {
			t, err := rq.auth.authorization(ctx, h, client, rq)
			if err != nil {
				return nil, err
			}
			token = t
		}
		if err := h.throttleWait(ctx, rq); err != nil {
			return nil, httpCancelled(err)
		}
		resp, err := h.send(ctx, client, rq, token)
		if err == nil && resp.status == http.StatusUnauthorized && rq.auth != nil && rq.auth.kind == "oauth2" && !reauthed {
			rq.auth.invalidate(token)
			reauthed, k = true, k-1 // the repeat after a refresh is not a transport retry
			continue
		}
		if err == nil {
			if httpAccepted(rq.expect, resp.status) {
				return resp, nil
			}
			err = httpStatusError(rq, resp, h.now())
		}
		var re *Error
		if !errors.As(err, &re) || !re.Retryable || ctx.Err() != nil || k >= rq.retries {
			return nil, err
		}
		delay := h.backoff(k+1, time.Duration(re.RetryAfterMS)*time.Millisecond)
		c.Log("stderr", re.Message+"; retry "+strconv.Itoa(k+1)+" of "+strconv.Itoa(rq.retries)+" in "+units.FormatDuration(delay.Milliseconds()))
		if err := h.sleep(ctx, delay); err != nil {
			return nil, httpCancelled(err)
		}
	}
}

// backoff is the delay before transport retry k (1-based): Retry-After
// capped at 60 s when the server sent one, else full jitter over
// min(30s, 1s × 2^(k−1)).
func (h *HTTP) backoff(k int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, httpMaxRetryAfter)
	}
	capped := httpMaxBackoff
	if k-1 < 5 {
		capped = min(capped, time.Second<<(k-1))
	}
	r := rand.Float64
	if h.Rand != nil {
		r = h.Rand
	}
	return time.Duration(r() * float64(capped)).Round(time.Millisecond)
}

// send makes one request with its own timeout (body reading included).
func (h *HTTP) send(ctx context.Context, client *http.Client, rq *httpRequest, authorization string) (*httpResponse, error) {
	rctx, cancel := context.WithTimeoutCause(ctx, rq.timeout, errRequestTimeout)
	defer cancel()
	var body io.Reader
	if rq.hasBody {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(rctx, rq.method, rq.url, body)
	if err != nil {
		return nil, Errorf("R603", false, "invalid request to %s: %v", rq.display, err)
	}
	for k, vs := range rq.header {
		req.Header[k] = vs
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, httpTransportError(ctx, rctx, rq, err)
	}
	defer resp.Body.Close()
	out := &httpResponse{status: resp.StatusCode, header: resp.Header}
	if !httpAccepted(rq.expect, resp.StatusCode) {
		// Only the start of an error body is kept; the rest is drained a
		// little so that the connection can be reused.
		out.body, _ = io.ReadAll(io.LimitReader(resp.Body, min(httpErrorBodyLimit, rq.maxSize)))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return out, nil
	}
	if rq.method != http.MethodHead && resp.ContentLength > rq.maxSize {
		return nil, httpTooLarge(rq)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, rq.maxSize+1))
	if err != nil {
		return nil, httpTransportError(ctx, rctx, rq, err)
	}
	if int64(len(data)) > rq.maxSize {
		return nil, httpTooLarge(rq)
	}
	out.body = data
	return out, nil
}

// httpCheckRedirect follows at most 10 redirects, or none.
func httpCheckRedirect(follow bool) func(*http.Request, []*http.Request) error {
	return func(_ *http.Request, via []*http.Request) error {
		if !follow {
			return http.ErrUseLastResponse
		}
		if len(via) > httpMaxRedirects {
			return errTooManyRedirects
		}
		return nil
	}
}

func (h *HTTP) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *HTTP) sleep(ctx context.Context, d time.Duration) error {
	if h.Sleep != nil {
		return h.Sleep(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// httpHeaderObject lowercases header names (sorted) and joins repeated
// values with ", ".
func httpHeaderObject(h http.Header) *value.Object {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	lower := make(map[string][]string, len(h))
	keys := make([]string, 0, len(h))
	for _, k := range names {
		lk := strings.ToLower(k)
		if _, seen := lower[lk]; !seen {
			keys = append(keys, lk)
		}
		lower[lk] = append(lower[lk], h[k]...)
	}
	slices.Sort(keys)
	o := value.NewObject(len(keys))
	for _, k := range keys {
		o.Set(k, strings.Join(lower[k], ", "))
	}
	return o
}

// throttleOf returns the node's throttle rate, or nil without a usable one
// (http and ai share it).
func throttleOf(c *Call) *units.Rate {
	var r *units.Rate
	switch x := c.Fields["throttle"].(type) {
	case units.Rate:
		r = &x
	case *units.Rate:
		r = x
	}
	if r != nil && (r.N <= 0 || r.Per <= 0) {
		return nil
	}
	return r
}
