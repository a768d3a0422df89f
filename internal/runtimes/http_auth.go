package runtimes

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flowscript/flowscript/internal/value"
)

// httpAuth is the parsed auth field: bearer, basic or oauth2 client
// credentials.
type httpAuth struct {
	kind   string
	header string // bearer and basic: the whole Authorization value
	// oauth2
	tokenURL, clientID, clientSecret, scope, audience string
}

// httpTokenSkew is how long before expires_in a cached token is dropped.
const httpTokenSkew = 60 * time.Second

// httpDefaultExpiry is the token lifetime when the server gives none.
const httpDefaultExpiry = 3600 * time.Second

// parseHTTPAuth reads {type: bearer, token}, {type: basic, username,
// password} or {type: oauth2, token-url, client-id, client-secret, scope,
// audience}.
func parseHTTPAuth(v any) (*httpAuth, error) {
	obj, ok := v.(*value.Object)
	if !ok {
		return nil, Errorf("R603", false, "field \"auth\" expects an object, got %s", value.TypeName(v))
	}
	str := func(key string, required bool) (string, error) {
		x, _ := obj.Get(key)
		if x == nil {
			if required {
				return "", Errorf("R603", false, "auth: %s needs %s", quote(value.Render(httpGet(obj, "type"))), quote(key))
			}
			return "", nil
		}
		return value.Render(x), nil
	}
	kind, _ := obj.Get("type")
	a := &httpAuth{}
	a.kind, _ = kind.(string)
	a.kind = strings.ToLower(a.kind)
	var err error
	switch a.kind {
	case "bearer":
		var tok string
		if tok, err = str("token", true); err != nil {
			return nil, err
		}
		a.header = "Bearer " + tok
	case "basic":
		var user, pass string
		if user, err = str("username", true); err != nil {
			return nil, err
		}
		if pass, err = str("password", false); err != nil {
			return nil, err
		}
		a.header = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	case "oauth2":
		for _, f := range []struct {
			dst      *string
			key      string
			required bool
		}{{&a.tokenURL, "token-url", true}, {&a.clientID, "client-id", true}, {&a.clientSecret, "client-secret", false}, {&a.scope, "scope", false}, {&a.audience, "audience", false}} {
			if *f.dst, err = str(f.key, f.required); err != nil {
				return nil, err
			}
		}
	default:
		return nil, Errorf("R603", false, "auth: type %s is not one of bearer, basic, oauth2", quote(value.Render(kind)))
	}
	return a, nil
}

func httpGet(o *value.Object, k string) any {
	v, _ := o.Get(k)
	return v
}

// authorization returns the Authorization header value, fetching an
// oauth2 token when none is cached.
func (a *httpAuth) authorization(ctx context.Context, h *HTTP, client *http.Client, rq *httpRequest) (string, error) {
	if a.kind != "oauth2" {
		return a.header, nil
	}
	e := httpTokenEntry(a)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.token != "" && h.now().Before(e.expires) {
		return "Bearer " + e.token, nil
	}
	tok, life, err := a.fetchToken(ctx, client, rq)
	if err != nil {
		return "", err
	}
	e.token, e.expires = tok, h.now().Add(life-httpTokenSkew)
	return "Bearer " + tok, nil
}

// invalidate drops the cached token if it is still the one that was
// refused (another execution may have refreshed it meanwhile).
func (a *httpAuth) invalidate(authorization string) {
	if a.kind != "oauth2" {
		return
	}
	e := httpTokenEntry(a)
	e.mu.Lock()
	if "Bearer "+e.token == authorization {
		e.token = ""
	}
	e.mu.Unlock()
}

// httpTokenKey identifies a cached oauth2 token.
type httpTokenKey struct{ tokenURL, clientID, scope string }

// httpTokenCacheEntry is one cached token; its mutex also makes concurrent
// executions wait for a single fetch.
type httpTokenCacheEntry struct {
	mu      sync.Mutex
	token   string
	expires time.Time
}

// httpTokens caches oauth2 tokens for the process, per (token-url,
// client-id, scope).
var httpTokens = struct {
	sync.Mutex
	m map[httpTokenKey]*httpTokenCacheEntry
}{m: map[httpTokenKey]*httpTokenCacheEntry{}}

func httpTokenEntry(a *httpAuth) *httpTokenCacheEntry {
	k := httpTokenKey{a.tokenURL, a.clientID, a.scope}
	httpTokens.Lock()
	defer httpTokens.Unlock()
	e := httpTokens.m[k]
	if e == nil {
		e = &httpTokenCacheEntry{}
		httpTokens.m[k] = e
	}
	return e
}

// fetchToken posts the client-credentials grant to token-url.
func (a *httpAuth) fetchToken(ctx context.Context, client *http.Client, rq *httpRequest) (string, time.Duration, error) {
	tu, display, err := httpURL(a.tokenURL, nil)
	if err != nil {
		return "", 0, err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.clientID}}
	if a.clientSecret != "" {
		form.Set("client_secret", a.clientSecret)
	}
	if a.scope != "" {
		form.Set("scope", a.scope)
	}
	if a.audience != "" {
		form.Set("audience", a.audience)
	}
	trq := &httpRequest{method: http.MethodPost, url: tu, display: display, timeout: rq.timeout, maxSize: 1 << 20,
		expect: []httpStatusRange{{200, 299}}, hasBody: true, body: []byte(form.Encode()),
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}, "User-Agent": {httpUserAgent}}}
	rctx, cancel := context.WithTimeoutCause(ctx, trq.timeout, errRequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, trq.method, trq.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, Errorf("R603", false, "invalid oauth2 token request to %s: %v", display, err)
	}
	req.Header = trq.header
	resp, err := client.Do(req)
	if err != nil {
		e := httpTransportError(ctx, rctx, trq, err)
		e.Message = "oauth2 token request failed: " + e.Message
		return "", 0, e
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, trq.maxSize))
	if err != nil {
		e := httpTransportError(ctx, rctx, trq, err)
		e.Message = "oauth2 token request failed: " + e.Message
		return "", 0, e
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := httpStatusError(trq, &httpResponse{status: resp.StatusCode, header: resp.Header, body: data}, time.Now())
		e.Message = "oauth2 token request failed: " + e.Message
		return "", 0, e
	}
	v, err := value.ParseJSON(data)
	obj, ok := v.(*value.Object)
	if err != nil || !ok {
		return "", 0, Errorf("R606", false, "oauth2 token response from %s is not a JSON object", display)
	}
	tok, _ := httpGet(obj, "access_token").(string)
	if tok == "" {
		return "", 0, Errorf("R606", false, "oauth2 token response from %s has no \"access_token\"", display)
	}
	life := httpDefaultExpiry
	switch x := httpGet(obj, "expires_in").(type) {
	case float64:
		life = time.Duration(x * float64(time.Second))
	case string:
		if n, err := strconv.ParseFloat(x, 64); err == nil {
			life = time.Duration(n * float64(time.Second))
		}
	}
	return tok, life, nil
}
