package runtimes

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// fakeHTTP is an HTTP runtime whose sleeps are recorded instead of slept
// and whose jitter is always one half.
type fakeHTTP struct {
	*HTTP
	mu     sync.Mutex
	sleeps []time.Duration
}

func newFakeHTTP(role string) *fakeHTTP {
	f := &fakeHTTP{}
	f.HTTP = &HTTP{Role: role, Rand: func() float64 { return 0.5 }, Sleep: func(ctx context.Context, d time.Duration) error {
		f.mu.Lock()
		f.sleeps = append(f.sleeps, d)
		f.mu.Unlock()
		return ctx.Err()
	}}
	return f
}

func (f *fakeHTTP) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// httpCall builds a call with the catalogue defaults the executor fills in.
func httpCall(role string, fields map[string]any) *Call {
	all := map[string]any{
		"retries": 2.0, "request-timeout": 30000.0, "max-size": 10485760.0, "expect-status": []any{"200-299"},
		"format": "auto", "follow-redirects": true,
	}
	if role == "sink" {
		all["method"], all["result"] = "POST", "full"
	} else {
		all["method"], all["result"] = "GET", "body"
	}
	for k, v := range fields {
		all[k] = v
	}
	return &Call{Node: "h", Kind: role + "/http", Role: role, Fields: all, Log: func(string, string) {}}
}

func runHTTP(t *testing.T, h *HTTP, c *Call) (any, *Error) {
	t.Helper()
	out, err := h.Run(context.Background(), c)
	if err == nil {
		return out, nil
	}
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *runtimes.Error", err, err)
	}
	return nil, re
}

func obj(kv ...any) *value.Object { return value.ObjectOf(kv...) }

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := value.ParseJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// echo is one request as the test server saw it.
type echo struct {
	Method, Path, Query, Body, ContentType, Auth string
	HasBody                                      bool
}

// echoServer records every request and answers with handler (or 200 {}).
func echoServer(t *testing.T, handler http.HandlerFunc) (*httptest.Server, func() []echo) {
	t.Helper()
	var mu sync.Mutex
	var seen []echo
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, echo{r.Method, r.URL.Path, r.URL.RawQuery, string(b), r.Header.Get("Content-Type"), r.Header.Get("Authorization"), len(b) > 0 || r.ContentLength > 0})
		mu.Unlock()
		if handler != nil {
			handler(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []echo {
		mu.Lock()
		defer mu.Unlock()
		return append([]echo(nil), seen...)
	}
}

func TestHTTPBuiltinKinds(t *testing.T) {
	r := Builtin()
	for _, k := range []string{"source/http", "sink/http"} {
		if _, ok := r.Get(k); !ok {
			t.Errorf("%s is not registered", k)
		}
	}
}

func TestHTTPSpecExamples(t *testing.T) {
	srv, seen := echoServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/users/7":
			_, _ = io.WriteString(w, `{"profile": {"name": "Ada"}}`)
		case "/items":
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"id": 9}`)
		}
	})
	h := newFakeHTTP("source").HTTP
	out, err := runHTTP(t, h, httpCall("source", map[string]any{"url": srv.URL + "/users/7", "extract": "$.profile.name"}))
	if err != nil || out != "Ada" {
		t.Fatalf("source = %#v, %v; want \"Ada\"", out, err)
	}

	sink := newFakeHTTP("sink").HTTP
	c := httpCall("sink", map[string]any{"url": srv.URL + "/items"})
	c.Input, c.HasInput = obj("a", 1.0), true
	out, err = runHTTP(t, sink, c)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := out.(*value.Object)
	if full == nil || strings.Join(full.Keys(), ",") != "status,headers,body" {
		t.Fatalf("sink output = %s", value.JSON(out))
	}
	st, _ := full.Get("status")
	hdr, _ := full.Get("headers")
	ct, _ := hdr.(*value.Object).Get("content-type")
	body, _ := full.Get("body")
	if st != 201.0 || ct != "application/json" || value.JSON(body) != `{"id":9}` {
		t.Errorf("sink output = %s", value.JSON(out))
	}
	last := seen()[1]
	if last.Method != "POST" || last.Body != `{"a":1}` || last.ContentType != "application/json" {
		t.Errorf("sink sent %+v", last)
	}
}

func TestHTTPMethods(t *testing.T) {
	srv, seen := echoServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, r.Method)
	})
	for i, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"} {
		out, err := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL, "method": m}))
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		want := any(m)
		if m == "HEAD" {
			want = nil // no body: null
		}
		if out != want {
			t.Errorf("%s: output %#v, want %#v", m, out, want)
		}
		if got := seen()[i]; got.Method != m || got.HasBody {
			t.Errorf("%s: server saw %+v", m, got)
		}
	}
}

func TestHTTPParams(t *testing.T) {
	srv, seen := echoServer(t, nil)
	tests := []struct {
		url    string
		params *value.Object
		want   string
	}{
		{"/q", obj("b", "two words", "a", []any{1.0, 2.0}, "n", nil, "t", true), "b=two+words&a=1&a=2&t=true"},
		{"/q?x=1", obj("z", "é&="), "x=1&z=%C3%A9%26%3D"},
		{"/q?x=1", obj("n", nil), "x=1"},
		{"/q", nil, ""},
	}
	for i, tt := range tests {
		f := map[string]any{"url": srv.URL + tt.url}
		if tt.params != nil {
			f["params"] = tt.params
		}
		if _, err := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", f)); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if got := seen()[i].Query; got != tt.want {
			t.Errorf("%d: query %q, want %q", i, got, tt.want)
		}
	}
	_, err := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL, "params": obj("o", obj("a", 1.0))}))
	if err == nil || err.Code != "R603" || err.Message != `params "o": an object cannot be sent as a parameter value` {
		t.Errorf("object param: %+v", err)
	}
}

func TestHTTPBodies(t *testing.T) {
	srv, seen := echoServer(t, nil)
	tests := []struct {
		name     string
		role     string
		fields   map[string]any
		input    any
		hasInput bool
		body     string
		ctype    string
	}{
		{"json default", "source", map[string]any{"method": "POST", "body": obj("a", 1.0, "b", []any{"x"})}, nil, false, `{"a":1,"b":["x"]}`, "application/json"},
		{"raw default for strings", "source", map[string]any{"method": "POST", "body": "hello"}, nil, false, "hello", "text/plain; charset=utf-8"},
		{"raw number", "source", map[string]any{"method": "PUT", "body": 2.5, "body-format": "raw"}, nil, false, "2.5", "text/plain; charset=utf-8"},
		{"json string", "source", map[string]any{"method": "POST", "body": "hi", "body-format": "json"}, nil, false, `"hi"`, "application/json"},
		{"form", "source", map[string]any{"method": "POST", "body": obj("q", "a b", "n", nil, "tag", []any{"x", "y"}), "body-format": "form"}, nil, false, "q=a+b&tag=x&tag=y", "application/x-www-form-urlencoded"},
		{"content-type override", "source", map[string]any{"method": "POST", "body": obj("a", 1.0), "headers": obj("content-TYPE", "application/vnd.api+json")}, nil, false, `{"a":1}`, "application/vnd.api+json"},
		{"get with a body", "source", map[string]any{"body": "q"}, nil, false, "q", "text/plain; charset=utf-8"},
		{"sink sends input", "sink", nil, []any{1.0, "two"}, true, `[1,"two"]`, "application/json"},
		{"sink string input", "sink", nil, "line\n", true, "line\n", "text/plain; charset=utf-8"},
		{"sink body wins", "sink", map[string]any{"body": obj("x", true)}, "ignored", true, `{"x":true}`, "application/json"},
		{"sink get sends no input", "sink", map[string]any{"method": "GET"}, "ignored", true, "", ""},
		{"sink without input", "sink", nil, nil, false, "", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := map[string]any{"url": srv.URL}
			for k, v := range tt.fields {
				f[k] = v
			}
			c := httpCall(tt.role, f)
			c.Input, c.HasInput = tt.input, tt.hasInput
			if _, err := runHTTP(t, newFakeHTTP(tt.role).HTTP, c); err != nil {
				t.Fatal(err)
			}
			got := seen()[i]
			if got.Body != tt.body || got.ContentType != tt.ctype {
				t.Errorf("sent %q (%q), want %q (%q)", got.Body, got.ContentType, tt.body, tt.ctype)
			}
		})
	}
	_, err := runHTTP(t, newFakeHTTP("sink").HTTP, httpCall("sink", map[string]any{"url": srv.URL, "body": []any{1.0}, "body-format": "form"}))
	if err == nil || err.Code != "R603" || err.Message != `body-format "form" needs an object body, got array` {
		t.Errorf("form array: %+v", err)
	}
}

func TestHTTPHeaders(t *testing.T) {
	var got http.Header
	srv, _ := echoServer(t, func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() })
	f := map[string]any{"url": srv.URL, "headers": obj("X-Num", 3.0, "X-Text", "a b", "User-Agent", nil, "X-Obj", obj("k", 1.0))}
	if _, err := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", f)); err != nil {
		t.Fatal(err)
	}
	if got.Get("X-Num") != "3" || got.Get("X-Text") != "a b" || got.Get("X-Obj") != `{"k":1}` {
		t.Errorf("headers = %v", got)
	}
	if ua := got.Get("User-Agent"); ua != "flowscript" {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestHTTPAuth(t *testing.T) {
	srv, seen := echoServer(t, nil)
	tests := []struct {
		auth *value.Object
		want string
	}{
		{obj("type", "bearer", "token", "tok-123"), "Bearer tok-123"},
		{obj("type", "basic", "username", "ada", "password", "s3cret"), "Basic " + base64.StdEncoding.EncodeToString([]byte("ada:s3cret"))},
	}
	for i, tt := range tests {
		if _, err := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL, "auth": tt.auth})); err != nil {
			t.Fatal(err)
		}
		if got := seen()[i].Auth; got != tt.want {
			t.Errorf("%d: Authorization %q, want %q", i, got, tt.want)
		}
	}
	errs := []struct {
		fields map[string]any
		code   string
		msg    string
	}{
		{map[string]any{"auth": obj("type", "bearer", "token", "t"), "headers": obj("authorization", "Bearer x")}, "R603", `conflicting fields: "auth" and an "Authorization" header`},
		{map[string]any{"auth": obj("type", "digest")}, "R603", `auth: type "digest" is not one of bearer, basic, oauth2`},
		{map[string]any{"auth": obj("type", "bearer")}, "R603", `auth: "bearer" needs "token"`},
		{map[string]any{"auth": obj("type", "oauth2", "client-id", "c")}, "R603", `auth: "oauth2" needs "token-url"`},
	}
	for _, tt := range errs {
		tt.fields["url"] = srv.URL
		_, err := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", tt.fields))
		if err == nil || err.Code != tt.code || err.Message != tt.msg {
			t.Errorf("%v: got %+v, want %s %q", tt.fields["auth"], err, tt.code, tt.msg)
		}
	}
}

// tokenServer issues numbered tokens and records the grant forms.
func tokenServer(t *testing.T, expiresIn int) (*httptest.Server, *atomic.Int32, *[]string) {
	t.Helper()
	var n atomic.Int32
	var mu sync.Mutex
	forms := []string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		forms = append(forms, r.PostForm.Encode())
		mu.Unlock()
		k := n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token": "tok-%d", "token_type": "Bearer", "expires_in": %d}`, k, expiresIn)
	}))
	t.Cleanup(srv.Close)
	return srv, &n, &forms
}

func TestHTTPOAuth2CachesTokens(t *testing.T) {
	tokens, fetched, forms := tokenServer(t, 3600)
	api, seen := echoServer(t, nil)
	auth := obj("type", "oauth2", "token-url", tokens.URL+"/token", "client-id", "app", "client-secret", "shh", "scope", "read", "audience", "api")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	h := newFakeHTTP("source").HTTP
	h.Now = func() time.Time { return now }
	for range 3 {
		if _, err := runHTTP(t, h, httpCall("source", map[string]any{"url": api.URL, "auth": auth})); err != nil {
			t.Fatal(err)
		}
	}
	if fetched.Load() != 1 {
		t.Errorf("token fetched %d times, want 1", fetched.Load())
	}
	if want := "audience=api&client_id=app&client_secret=shh&grant_type=client_credentials&scope=read"; (*forms)[0] != want {
		t.Errorf("grant form %q, want %q", (*forms)[0], want)
	}
	// 60 s before expiry the token is stale and fetched again.
	now = now.Add(3540*time.Second + time.Millisecond)
	if _, err := runHTTP(t, h, httpCall("source", map[string]any{"url": api.URL, "auth": auth})); err != nil {
		t.Fatal(err)
	}
	if fetched.Load() != 2 {
		t.Errorf("token fetched %d times after expiry, want 2", fetched.Load())
	}
	s := seen()
	if s[0].Auth != "Bearer tok-1" || s[2].Auth != "Bearer tok-1" || s[3].Auth != "Bearer tok-2" {
		t.Errorf("authorizations %v", s)
	}
	// Another scope is another cache entry.
	other := auth.Clone()
	other.Set("scope", "write")
	if _, err := runHTTP(t, h, httpCall("source", map[string]any{"url": api.URL, "auth": other})); err != nil {
		t.Fatal(err)
	}
	if fetched.Load() != 3 {
		t.Errorf("token fetched %d times for a new scope, want 3", fetched.Load())
	}
}

func TestHTTPOAuth2RefreshesAfter401(t *testing.T) {
	tokens, fetched, _ := tokenServer(t, 3600)
	api, seen := echoServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer tok-1" {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok": true}`)
	})
	auth := obj("type", "oauth2", "token-url", tokens.URL, "client-id", "refresh-test")
	f := newFakeHTTP("source")
	out, err := runHTTP(t, f.HTTP, httpCall("source", map[string]any{"url": api.URL, "auth": auth, "retries": 0.0}))
	if err != nil || value.JSON(out) != `{"ok":true}` {
		t.Fatalf("output %v, %v", value.JSON(out), err)
	}
	if fetched.Load() != 2 || len(seen()) != 2 || seen()[1].Auth != "Bearer tok-2" {
		t.Errorf("fetched %d tokens, requests %v", fetched.Load(), seen())
	}
	if len(f.slept()) != 0 {
		t.Errorf("the repeat after a refresh slept %v", f.slept())
	}

	// A token that is refused again fails with the 401, after one repeat.
	tokens2, fetched2, _ := tokenServer(t, 3600)
	deny, seen2 := echoServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) })
	auth2 := obj("type", "oauth2", "token-url", tokens2.URL, "client-id", "deny-test")
	_, err = runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": deny.URL, "auth": auth2}))
	if err == nil || err.Status != 401 || err.Retryable || fetched2.Load() != 2 || len(seen2()) != 2 {
		t.Errorf("err %+v, fetched %d, requests %d", err, fetched2.Load(), len(seen2()))
	}
}

func TestHTTPOAuth2TokenErrors(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/empty" {
			_, _ = io.WriteString(w, `{"token_type": "Bearer"}`)
			return
		}
		w.WriteHeader(503)
	}))
	defer bad.Close()
	_, err := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": bad.URL,
		"auth": obj("type", "oauth2", "token-url", bad.URL+"/down", "client-id", "x")}))
	if err == nil || err.Code != "R606" || !err.Retryable || err.Message != "oauth2 token request failed: HTTP 503 Service Unavailable from POST "+bad.URL+"/down" {
		t.Errorf("token 503: %+v", err)
	}
	_, err = runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": bad.URL,
		"auth": obj("type", "oauth2", "token-url", bad.URL+"/empty", "client-id", "x")}))
	if err == nil || err.Message != `oauth2 token response from `+bad.URL+`/empty has no "access_token"` {
		t.Errorf("no token: %+v", err)
	}
}

func TestHTTPRequestTimeout(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	f := newFakeHTTP("source")
	start := time.Now()
	_, err := runHTTP(t, f.HTTP, httpCall("source", map[string]any{"url": srv.URL + "/slow", "request-timeout": 50.0, "retries": 1.0}))
	if err == nil || err.Code != "R604" || !err.Retryable || err.Message != "GET "+srv.URL+"/slow timed out after 50ms (request-timeout)" {
		t.Fatalf("got %+v", err)
	}
	if hits.Load() != 2 || len(f.slept()) != 1 {
		t.Errorf("hits %d, sleeps %v; want 2 requests and 1 retry", hits.Load(), f.slept())
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestHTTPTimeoutWhileReadingBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "start")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	_, err := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL, "request-timeout": 50.0, "retries": 0.0}))
	if err == nil || err.Code != "R604" {
		t.Errorf("got %+v", err)
	}
}

func TestHTTPCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := (&HTTP{Role: "source"}).Run(ctx, httpCall("source", map[string]any{"url": srv.URL}))
	var re *Error
	if !errors.As(err, &re) || re.Code != "R605" || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

// flaky answers with the given statuses (and headers) in turn, then 200.
func flaky(t *testing.T, steps ...func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := int(n.Add(1)) - 1
		if k < len(steps) {
			steps[k](w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok": true}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "failure "+strconv.Itoa(code))
	}
}

func TestHTTPRetries(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)
	tests := []struct {
		name    string
		steps   []func(http.ResponseWriter)
		retries float64
		sleeps  []time.Duration
		hits    int32
		code    string // "" for success
		status  int
		retry   bool
		afterMS int64
	}{
		{"503 twice then ok", []func(http.ResponseWriter){status(503), status(500)}, 2, []time.Duration{500 * time.Millisecond, time.Second}, 3, "", 0, false, 0},
		{"every retryable status", []func(http.ResponseWriter){status(408), status(425), status(429), status(502), status(504)}, 5,
			[]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, 6, "", 0, false, 0},
		{"retry-after seconds", []func(http.ResponseWriter){status(429, "Retry-After", "3")}, 2, []time.Duration{3 * time.Second}, 2, "", 0, false, 0},
		{"retry-after date", []func(http.ResponseWriter){status(503, "Retry-After", now.Add(7*time.Second).Format(http.TimeFormat))}, 2, []time.Duration{7 * time.Second}, 2, "", 0, false, 0},
		{"retry-after capped", []func(http.ResponseWriter){status(503, "Retry-After", "7200")}, 2, []time.Duration{60 * time.Second}, 2, "", 0, false, 0},
		{"exhausted", []func(http.ResponseWriter){status(503), status(503), status(503, "Retry-After", "2")}, 2,
			[]time.Duration{500 * time.Millisecond, time.Second}, 3, "R606", 503, true, 2000},
		{"no retries", []func(http.ResponseWriter){status(502)}, 0, nil, 1, "R606", 502, true, 0},
		{"404 is not retried", []func(http.ResponseWriter){status(404)}, 2, nil, 1, "R606", 404, false, 0},
		{"501 is not retried", []func(http.ResponseWriter){status(501)}, 2, nil, 1, "R606", 501, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := flaky(t, tt.steps...)
			f := newFakeHTTP("source")
			f.Now = func() time.Time { return now }
			out, err := runHTTP(t, f.HTTP, httpCall("source", map[string]any{"url": srv.URL + "/r", "retries": tt.retries}))
			if fmt.Sprint(f.slept()) != fmt.Sprint(tt.sleeps) || hits.Load() != tt.hits {
				t.Errorf("sleeps %v, hits %d; want %v, %d", f.slept(), hits.Load(), tt.sleeps, tt.hits)
			}
			if tt.code == "" {
				if err != nil || value.JSON(out) != `{"ok":true}` {
					t.Errorf("got %v, %+v", value.JSON(out), err)
				}
				return
			}
			want := fmt.Sprintf("HTTP %d %s from GET %s/r", tt.status, http.StatusText(tt.status), srv.URL)
			if err == nil || err.Code != tt.code || err.Status != tt.status || err.Retryable != tt.retry || err.Message != want ||
				err.Body != "failure "+strconv.Itoa(tt.status) || err.RetryAfterMS != tt.afterMS {
				t.Errorf("got %+v; want %s %q", err, tt.code, want)
			}
		})
	}
}

func TestHTTPBackoffCaps(t *testing.T) {
	h := &HTTP{Rand: func() float64 { return 0.999999 }}
	for k, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 6: 30 * time.Second, 10: 30 * time.Second} {
		if got := h.backoff(k, 0); got != want {
			t.Errorf("backoff(%d) = %v, want %v", k, got, want)
		}
	}
	if got := h.backoff(1, 90*time.Second); got != 60*time.Second {
		t.Errorf("retry-after 90s gives %v, want 60s", got)
	}
}

func TestHTTPConnectionErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	f := newFakeHTTP("source")
	_, re := runHTTP(t, f.HTTP, httpCall("source", map[string]any{"url": "http://" + addr + "/x", "headers": obj("X-Key", "hunter2-secret")}))
	want := "cannot connect to http://" + addr + "/x: connection refused"
	if re == nil || re.Code != "R606" || !re.Retryable || re.Message != want {
		t.Fatalf("got %+v, want %q", re, want)
	}
	if len(f.slept()) != 2 {
		t.Errorf("retries slept %v, want 2 sleeps", f.slept())
	}

	// A server that hangs up without answering.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			_, _ = c.Read(make([]byte, 1024))
			c.Close()
		}
	}()
	_, re = runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": "http://" + hang.Addr().String(), "retries": 0.0}))
	if re == nil || re.Code != "R606" || !re.Retryable || !strings.HasPrefix(re.Message, "cannot connect to http://"+hang.Addr().String()+": ") {
		t.Errorf("hang-up: %+v", re)
	}

	_, re = runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": "http://flowscript-test.invalid/x", "retries": 0.0}))
	if re == nil || re.Code != "R606" || !re.Retryable || !strings.HasPrefix(re.Message, "cannot connect to http://flowscript-test.invalid/x: ") {
		t.Errorf("dns: %+v", re)
	}
}

func TestHTTPErrorsHideSecrets(t *testing.T) {
	srv, _ := flaky(t, status(500))
	_, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": strings.Replace(srv.URL, "http://", "http://user:pa55word@", 1),
		"retries": 0.0, "headers": obj("X-Api-Key", "hunter2-secret"), "auth": obj("type", "bearer", "token", "tok-secret")}))
	if re == nil || strings.Contains(re.Message, "hunter2") || strings.Contains(re.Message, "tok-secret") || strings.Contains(re.Message, "pa55word") {
		t.Errorf("message %q shows a secret", re.Message)
	}
}

func TestHTTPBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://example.com/x", "/relative", "http://"} {
		_, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": u}))
		if re == nil || re.Code != "R603" || re.Message != "url "+quote(u)+" is not an absolute http or https URL" {
			t.Errorf("%q: %+v", u, re)
		}
	}
}

func TestHTTPMaxSize(t *testing.T) {
	big := strings.Repeat("x", 2048)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if r.URL.Path == "/stream" {
			// No Content-Length: the limit must stop the reading.
			for range 1 << 12 {
				if _, err := io.WriteString(w, big); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
			return
		}
		_, _ = io.WriteString(w, big)
	}))
	defer srv.Close()
	for _, path := range []string{"/len", "/stream"} {
		_, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL + path, "max-size": 1024.0}))
		if re == nil || re.Code != "R606" || re.Retryable || re.Message != "response from GET "+srv.URL+path+" exceeds max-size 1KiB" {
			t.Errorf("%s: %+v", path, re)
		}
	}
	// HEAD announces the length of a body it does not send.
	if out, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL + "/len", "method": "HEAD", "max-size": 1024.0})); re != nil || out != nil {
		t.Errorf("HEAD: %#v, %v", out, re)
	}
	out, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL + "/len", "max-size": 2048.0}))
	if re != nil || out != big {
		t.Errorf("exact size: %v", re)
	}
}

func TestHTTPResponseFormats(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.URL.Query().Get("ct"); ct != "" {
			w.Header().Set("Content-Type", ct)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing
		}
		b, _ := base64.StdEncoding.DecodeString(r.URL.Query().Get("b64"))
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	tests := []struct {
		ct, body, format string
		want             string // compact JSON of the output
	}{
		{"application/json", `{"b": 1, "a": [true, null]}`, "auto", `{"b":1,"a":[true,null]}`},
		{"application/problem+json; charset=utf-8", `{"title": "x"}`, "auto", `{"title":"x"}`},
		{"application/json", ``, "auto", `null`},
		{"text/plain", ``, "auto", `null`},
		{"text/plain", `{"a": 1}`, "auto", `"{\"a\": 1}"`},
		{"text/html; charset=utf-8", `<p>hi</p>`, "auto", `"<p>hi</p>"`},
		{"application/xml", `<a/>`, "auto", `"<a/>"`},
		{"application/atom+xml", `<feed/>`, "auto", `"<feed/>"`},
		{"application/octet-stream", `[1, 2]`, "auto", `[1,2]`},
		{"", `plain words`, "auto", `"plain words"`},
		{"application/octet-stream", "\xff\x00\x01", "auto", `"/wAB"`},
		{"text/plain", `[1]`, "json", `[1]`},
		{"application/json", `{"a": 1}`, "text", `"{\"a\": 1}"`},
		{"application/json", `hi`, "base64", `"aGk="`},
		{"application/json", ``, "text", `""`},
		{"application/json", ``, "json", `null`},
	}
	for _, tt := range tests {
		u := srv.URL + "/?ct=" + urlQueryEscape(tt.ct) + "&b64=" + urlQueryEscape(base64.StdEncoding.EncodeToString([]byte(tt.body)))
		out, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": u, "format": tt.format}))
		if re != nil || value.JSON(out) != tt.want {
			t.Errorf("%s %q as %s: got %s, %v; want %s", tt.ct, tt.body, tt.format, value.JSON(out), re, tt.want)
		}
	}
	for _, format := range []string{"auto", "json"} {
		u := srv.URL + "/?ct=application/json&b64=" + urlQueryEscape(base64.StdEncoding.EncodeToString([]byte(`{"a": `)))
		_, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": u, "format": format}))
		if re == nil || re.Code != "R606" || re.Retryable || !strings.HasPrefix(re.Message, "invalid JSON in the response from GET "+srv.URL+"/?") {
			t.Errorf("malformed JSON as %s: %+v", format, re)
		}
	}
}

func urlQueryEscape(s string) string {
	return strings.NewReplacer("%", "%25", "+", "%2B", "&", "%26", "=", "%3D", " ", "%20", ";", "%3B", "/", "%2F").Replace(s)
}

func TestHTTPRedirects(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if err == nil && n > 0 {
			http.Redirect(w, r, srv.URL+"/hop/"+strconv.Itoa(n-1), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "arrived")
	}))
	defer srv.Close()
	tests := []struct {
		hops   int
		fields map[string]any
		want   any
		msg    string
	}{
		{3, nil, "arrived", ""},
		{10, nil, "arrived", ""},
		{11, nil, nil, "more than 10 redirects from GET %s/hop/11"},
		{1, map[string]any{"follow-redirects": false}, nil, "HTTP 302 Found from GET %s/hop/1"},
		{1, map[string]any{"follow-redirects": false, "expect-status": []any{"300-399"}, "result": "full", "format": "text"}, 302.0, ""},
	}
	for _, tt := range tests {
		f := map[string]any{"url": fmt.Sprintf("%s/hop/%d", srv.URL, tt.hops)}
		for k, v := range tt.fields {
			f[k] = v
		}
		out, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", f))
		if tt.msg != "" {
			if re == nil || re.Code != "R606" || re.Message != fmt.Sprintf(tt.msg, srv.URL) {
				t.Errorf("%d hops: %+v", tt.hops, re)
			}
			continue
		}
		if re != nil {
			t.Errorf("%d hops: %v", tt.hops, re)
			continue
		}
		if o, ok := out.(*value.Object); ok {
			out, _ = o.Get("status")
		}
		if out != tt.want {
			t.Errorf("%d hops: %#v, want %#v", tt.hops, out, tt.want)
		}
	}
}

func TestHTTPResultFull(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Date", "Wed, 25 Nov 2026 10:15:00 GMT")
		w.WriteHeader(202)
		_, _ = io.WriteString(w, `{"items": [{"id": 1}, {"id": 2}]}`)
	}))
	defer srv.Close()
	out, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL, "result": "full", "extract": "items[*].id"}))
	if re != nil {
		t.Fatal(re)
	}
	want := `{"status":202,"headers":{"content-length":"33","content-type":"application/json","date":"Wed, 25 Nov 2026 10:15:00 GMT","x-multi":"a, b"},"body":[1,2]}`
	if got := value.JSON(out); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestHTTPExpectStatus(t *testing.T) {
	srv, _ := flaky(t, status(404), status(404), status(204), status(418))
	tests := []struct {
		expect []any
		ok     bool
	}{
		{[]any{404.0}, true},
		{[]any{"200-299", "400-404"}, true},
		{[]any{"200-299"}, true},
		{[]any{"200-299", 404.0}, false},
	}
	for i, tt := range tests {
		_, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL, "expect-status": tt.expect, "format": "text"}))
		if (re == nil) != tt.ok {
			t.Errorf("%d %v: %+v", i, tt.expect, re)
		}
	}
	for _, bad := range []any{"2xx", 99.0, "300-200", 200.5} {
		_, re := runHTTP(t, newFakeHTTP("source").HTTP, httpCall("source", map[string]any{"url": srv.URL, "expect-status": []any{bad}}))
		if re == nil || re.Code != "R603" || !strings.HasPrefix(re.Message, "expect-status: ") {
			t.Errorf("%v: %+v", bad, re)
		}
	}
}

// testRunSeq gives every throttle test its own run id (the registry lives
// as long as the process, and -count repeats tests).
var testRunSeq atomic.Int64

func TestHTTPThrottle(t *testing.T) {
	srv, _ := echoServer(t, nil)
	now := time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)
	f := newFakeHTTP("source")
	f.Now = func() time.Time { return now }
	rate := units.Rate{N: 3, Per: 1000}
	runID := fmt.Sprintf("%s-%d", t.Name(), testRunSeq.Add(1))
	for i := range 7 {
		c := httpCall("source", map[string]any{"url": srv.URL, "throttle": rate})
		c.RunID, c.Node = runID, fmt.Sprintf("items[%d]/fetch", i)
		if _, re := runHTTP(t, f.HTTP, c); re != nil {
			t.Fatal(re)
		}
	}
	want := []time.Duration{time.Second, time.Second, time.Second, 2 * time.Second}
	if fmt.Sprint(f.slept()) != fmt.Sprint(want) {
		t.Errorf("throttle sleeps %v, want %v", f.slept(), want)
	}
	// Another node of the same run has its own window.
	c := httpCall("source", map[string]any{"url": srv.URL, "throttle": rate})
	c.RunID, c.Node = runID, "other"
	if _, re := runHTTP(t, f.HTTP, c); re != nil || len(f.slept()) != 4 {
		t.Errorf("other node waited: %v %v", re, f.slept())
	}
}

func TestHTTPThrottleRealWindow(t *testing.T) {
	srv, _ := echoServer(t, nil)
	h := &HTTP{Role: "source"}
	rate := units.Rate{N: 2, Per: 200}
	runID := fmt.Sprintf("%s-%d", t.Name(), testRunSeq.Add(1))
	var wg sync.WaitGroup
	starts := make([]time.Duration, 5)
	begin := time.Now()
	for i := range 5 {
		wg.Go(func() {
			c := httpCall("source", map[string]any{"url": srv.URL, "throttle": rate})
			c.RunID, c.Node = runID, fmt.Sprintf("loop[%d]/get", i)
			if _, err := h.Run(context.Background(), c); err != nil {
				t.Error(err)
			}
			starts[i] = time.Since(begin)
		})
	}
	wg.Wait()
	var late int
	for _, s := range starts {
		if s >= 390*time.Millisecond {
			late++
		}
	}
	if late != 1 {
		t.Errorf("finish times %v: want exactly one request in the third window", starts)
	}
}

func TestHTTPThrottleKey(t *testing.T) {
	tests := []struct{ node, want string }{
		{"fetch", "r\x00source/http\x00fetch"},
		{"items[3]/fetch", "r\x00source/http\x00items/fetch"},
		{"a[1]/b[22]/fetch", "r\x00source/http\x00a/b/fetch"},
	}
	for _, tt := range tests {
		if got := httpThrottleKey("r", "source/http", tt.node); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.node, got, tt.want)
		}
	}
}
