package runtimes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/typedsl"
	"github.com/flowscript/flowscript/internal/value"
)

const aiTestKey = "sk-test-0123456789abcdef"

// chatReply is one scripted answer of the fake chat server.
type chatReply struct {
	status  int    // 0: 200
	content string // the answer text (status 200, body empty)
	body    string // a raw body instead
	header  map[string]string
	tokens  int  // prompt tokens; completion tokens are 5 (default 10)
	hang    bool // block until the client gives up
}

// chatSeen is one request as the fake chat server saw it.
type chatSeen struct {
	path, auth string
	body       any
}

// chatServer speaks the chat-completions protocol on loopback, answering
// with replies in order (the last one repeats).
type chatServer struct {
	*httptest.Server
	mu      sync.Mutex
	replies []chatReply
	seen    []chatSeen
}

func newChatServer(t *testing.T, replies ...chatReply) *chatServer {
	t.Helper()
	s := &chatServer{replies: replies}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		v, err := value.ParseJSON(data)
		if err != nil {
			v = string(data)
		}
		s.mu.Lock()
		n := len(s.seen)
		s.seen = append(s.seen, chatSeen{path: r.URL.Path, auth: r.Header.Get("Authorization"), body: v})
		rep := s.replies[min(n, len(s.replies)-1)]
		s.mu.Unlock()
		if rep.hang {
			<-r.Context().Done()
			return
		}
		for k, v := range rep.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		if rep.status != 0 {
			w.WriteHeader(rep.status)
		}
		if rep.body != "" || rep.status != 0 {
			_, _ = io.WriteString(w, rep.body)
			return
		}
		prompt := rep.tokens
		if prompt == 0 {
			prompt = 10
		}
		_, _ = io.WriteString(w, value.JSON(value.ObjectOf(
			"id", "chatcmpl-1", "object", "chat.completion",
			"choices", []any{value.ObjectOf("index", 0.0, "message", value.ObjectOf("role", "assistant", "content", rep.content), "finish_reason", "stop")},
			"usage", value.ObjectOf("prompt_tokens", float64(prompt), "completion_tokens", 5.0, "total_tokens", float64(prompt+5)))))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *chatServer) requests() []chatSeen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]chatSeen(nil), s.seen...)
}

// fakeAI is an AI runtime whose sleeps are recorded and whose jitter is one
// half.
type fakeAI struct {
	*AI
	mu     sync.Mutex
	sleeps []time.Duration
}

func newFakeAI() *fakeAI {
	f := &fakeAI{}
	f.AI = &AI{Rand: func() float64 { return 0.5 }, Sleep: func(ctx context.Context, d time.Duration) error {
		f.mu.Lock()
		f.sleeps = append(f.sleeps, d)
		f.mu.Unlock()
		return ctx.Err()
	}}
	return f
}

var aiRunSeq struct {
	sync.Mutex
	n int
}

// aiCall builds a call with the catalogue defaults, a base URL on srv, a
// declared key secret and a fresh run id.
func aiTestCall(srv *chatServer, fields map[string]any) (*Call, *[][3]int) {
	aiRunSeq.Lock()
	aiRunSeq.n++
	run := fmt.Sprintf("test-run-%d", aiRunSeq.n)
	aiRunSeq.Unlock()
	all := map[string]any{
		"model": "test/model", "prompt": "Rate this.", "max-tokens": 4096.0, "repair-attempts": 2.0,
		"retries": 3.0, "request-timeout": 120000.0,
	}
	for k, v := range fields {
		if v == nil {
			delete(all, k)
			continue
		}
		all[k] = v
	}
	var usage [][3]int
	c := &Call{Node: "score", Kind: "transform/ai", Role: "transform", Fields: all, RunID: run,
		Env: &expr.Env{Globals: &expr.Globals{Secrets: value.ObjectOf("OPENROUTER_API_KEY", aiTestKey)}},
		Log: func(string, string) {},
		Usage: func(p, c, t int) {
			usage = append(usage, [3]int{p, c, t})
		},
	}
	if srv != nil {
		c.AI = AIDefaults{BaseURL: srv.URL + "/v1", APIKeySecret: "OPENROUTER_API_KEY"}
	}
	return c, &usage
}

func runAI(t *testing.T, a *AI, c *Call) (any, *Error) {
	t.Helper()
	out, err := a.Run(context.Background(), c)
	if err == nil {
		return out, nil
	}
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *runtimes.Error", err, err)
	}
	assertNoKey(t, re)
	return nil, re
}

// assertNoKey fails when the API key shows anywhere in an error.
func assertNoKey(t *testing.T, re *Error) {
	t.Helper()
	texts := append([]string{re.Message, re.Body, fmt.Sprint(re.Cause), fmt.Sprintf("%+v", *re)}, re.Hints...)
	for _, s := range texts {
		if strings.Contains(s, aiTestKey) {
			t.Errorf("the API key appears in the error: %q", s)
		}
	}
}

func mustSchema(t *testing.T, src string) *typedsl.Type {
	t.Helper()
	ty, err := typedsl.Parse(src, nil)
	if err != nil {
		t.Fatalf("schema %q: %v", src, err)
	}
	return ty
}

func TestAITextAnswerAndRequest(t *testing.T) {
	srv := newChatServer(t, chatReply{content: "Seven."})
	c, usage := aiTestCall(srv, map[string]any{"system": "Be brief.", "temperature": 0.2, "max-tokens": 100.0})
	out, err := runAI(t, newFakeAI().AI, c)
	if err != nil {
		t.Fatal(err)
	}
	if out != "Seven." {
		t.Errorf("output %v, want \"Seven.\"", out)
	}
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	if reqs[0].path != "/v1/chat/completions" || reqs[0].auth != "Bearer "+aiTestKey {
		t.Errorf("path %q auth %q", reqs[0].path, reqs[0].auth)
	}
	want := `{"model":"test/model","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Rate this."}],"max_tokens":100,"temperature":0.2}`
	if got := value.JSON(reqs[0].body); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
	if !reflect.DeepEqual(*usage, [][3]int{{10, 5, 15}}) {
		t.Errorf("usage %v, want [[10 5 15]]", *usage)
	}
}

func TestAISchemaAnswer(t *testing.T) {
	tests := []struct {
		name, answer, want string
	}{
		{"plain", `{"score": 7, "reasons": ["clear", "too long"]}`, `{"score":7,"reasons":["clear","too long"]}`},
		{"json fence", "```json\n{\"score\": 7, \"reasons\": []}\n```", `{"score":7,"reasons":[]}`},
		{"bare fence and blanks", "\n```\n{\"score\": 1.5, \"reasons\": [\"x\"]}\n```\n", `{"score":1.5,"reasons":["x"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newChatServer(t, chatReply{content: tt.answer})
			c, _ := aiTestCall(srv, map[string]any{"output-schema": mustSchema(t, "{score: number, reasons: string[]}")})
			out, err := runAI(t, newFakeAI().AI, c)
			if err != nil {
				t.Fatal(err)
			}
			if got := value.JSON(out); got != tt.want {
				t.Errorf("output %s, want %s", got, tt.want)
			}
			body := srv.requests()[0].body.(*value.Object)
			rf, _ := body.Get("response_format")
			wantRF := `{"type":"json_schema","json_schema":{"name":"output","strict":true,"schema":{"type":"object","properties":{"score":{"type":"number"},"reasons":{"type":"array","items":{"type":"string"}}},"required":["score","reasons"],"additionalProperties":false}}}`
			if got := value.JSON(rf); got != wantRF {
				t.Errorf("response_format\n got %s\nwant %s", got, wantRF)
			}
		})
	}
}

func TestAIRepairAfterBadAnswer(t *testing.T) {
	srv := newChatServer(t, chatReply{content: `{"score": "7"}`}, chatReply{content: `{"score": 7, "reasons": []}`})
	c, usage := aiTestCall(srv, map[string]any{"output-schema": mustSchema(t, "{score: number, reasons: string[]}")})
	var logs []string
	c.Log = func(_, line string) { logs = append(logs, line) }
	out, err := runAI(t, newFakeAI().AI, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := value.JSON(out); got != `{"score":7,"reasons":[]}` {
		t.Errorf("output %s", got)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	msgs, _ := reqs[1].body.(*value.Object).Get("messages")
	want := `[{"role":"user","content":"Rate this."},{"role":"assistant","content":"{\"score\": \"7\"}"},` +
		`{"role":"user","content":"Your answer does not match the required JSON schema:\n- $.score: expected number, got string \"7\"\n- $: missing key \"reasons\"\nAnswer again with only the corrected JSON value, no other text."}]`
	if got := value.JSON(msgs); got != want {
		t.Errorf("repair messages\n got %s\nwant %s", got, want)
	}
	if !reflect.DeepEqual(*usage, [][3]int{{20, 10, 30}}) {
		t.Errorf("usage %v, want one call with the sum [[20 10 30]]", *usage)
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "repair 1 of 2") {
		t.Errorf("log lines %q", logs)
	}
}

func TestAIRepairsExhausted(t *testing.T) {
	tests := []struct {
		name      string
		answer    string
		repairs   float64
		wantMsg   string
		wantCalls int
	}{
		{"schema violation", `{"score": "high"}`, 1, `output does not match schema: $.score: expected number, got string "high"`, 2},
		{"not JSON", `I think it is a 7.`, 2, `output does not match schema: the answer is not JSON: `, 3},
		{"no repairs", `[]`, 0, `output does not match schema: $: expected object, got array`, 1},
		{"empty", ``, 0, `output does not match schema: the answer is empty, expected JSON`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newChatServer(t, chatReply{content: tt.answer})
			c, usage := aiTestCall(srv, map[string]any{"output-schema": mustSchema(t, "{score: number}"), "repair-attempts": tt.repairs})
			_, err := runAI(t, newFakeAI().AI, c)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Code != "R611" || !err.Retryable || !strings.HasPrefix(err.Message, tt.wantMsg) {
				t.Errorf("got %s %v %q, want R611 retryable %q…", err.Code, err.Retryable, err.Message, tt.wantMsg)
			}
			if n := len(srv.requests()); n != tt.wantCalls {
				t.Errorf("%d requests, want %d", n, tt.wantCalls)
			}
			if len(*usage) != 1 || (*usage)[0][2] != 15*tt.wantCalls {
				t.Errorf("usage %v, want one call totalling %d", *usage, 15*tt.wantCalls)
			}
		})
	}
}

func TestAINodeTokenBudget(t *testing.T) {
	srv := newChatServer(t, chatReply{content: `{"score": "x"}`})
	c, _ := aiTestCall(srv, map[string]any{"output-schema": mustSchema(t, "{score: number}"), "token-budget": 20.0, "repair-attempts": 5.0})
	_, err := runAI(t, newFakeAI().AI, c)
	if err == nil || err.Code != "R611" || err.Retryable || err.Message != "token budget exceeded: 30 of 20 tokens used (token-budget)" {
		t.Fatalf("got %+v", err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (the third is not sent)", n)
	}
	// A second attempt of the same instance starts with the budget used up.
	_, err = runAI(t, newFakeAI().AI, c)
	if err == nil || !strings.HasPrefix(err.Message, "token budget exceeded") {
		t.Fatalf("second attempt: %+v", err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests after the second attempt, want 2", n)
	}
}

func TestAIRunTokenBudget(t *testing.T) {
	srv := newChatServer(t, chatReply{content: "ok"})
	a := newFakeAI().AI
	c1, _ := aiTestCall(srv, nil)
	c1.AI.TokenBudget = 20
	for i, node := range []string{"a", "b", "c"} {
		c := *c1
		c.Node = node
		_, err := runAI(t, a, &c)
		if i < 2 && err != nil {
			t.Fatalf("node %s: %v", node, err)
		}
		if i == 2 {
			if err == nil || err.Retryable || err.Message != "token budget exceeded: 30 of 20 tokens used by the run (runtime.ai.token_budget)" {
				t.Fatalf("node c: %+v", err)
			}
		}
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	// Another run has its own budget.
	c2, _ := aiTestCall(srv, nil)
	c2.AI.TokenBudget = 20
	if _, err := runAI(t, a, c2); err != nil {
		t.Errorf("another run: %v", err)
	}
}

func TestAITransportRetries(t *testing.T) {
	tests := []struct {
		name       string
		first      chatReply
		wantSleeps []time.Duration
	}{
		{"429 with Retry-After", chatReply{status: 429, body: `{"error":{"message":"slow down"}}`, header: map[string]string{"Retry-After": "2"}}, []time.Duration{2 * time.Second}},
		{"500 with backoff", chatReply{status: 500, body: `oops`}, []time.Duration{500 * time.Millisecond}},
		{"503 with a date", chatReply{status: 503, header: map[string]string{"Retry-After": "Wed, 25 Nov 2026 10:15:03 GMT"}}, []time.Duration{3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newChatServer(t, tt.first, chatReply{content: "fine"})
			f := newFakeAI()
			f.Now = func() time.Time { return time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC) }
			c, usage := aiTestCall(srv, nil)
			var logs []string
			c.Log = func(_, line string) { logs = append(logs, line) }
			out, err := runAI(t, f.AI, c)
			if err != nil {
				t.Fatal(err)
			}
			if out != "fine" || len(srv.requests()) != 2 {
				t.Errorf("output %v after %d requests", out, len(srv.requests()))
			}
			if !reflect.DeepEqual(f.sleeps, tt.wantSleeps) {
				t.Errorf("sleeps %v, want %v", f.sleeps, tt.wantSleeps)
			}
			if len(logs) != 1 || !strings.Contains(logs[0], "retry 1 of 3") {
				t.Errorf("logs %q", logs)
			}
			if !reflect.DeepEqual(*usage, [][3]int{{10, 5, 15}}) {
				t.Errorf("usage %v", *usage)
			}
		})
	}
}

func TestAIStatusErrors(t *testing.T) {
	tests := []struct {
		name      string
		reply     chatReply
		retries   float64
		retryable bool
		calls     int
		msg       string
		after     int64
	}{
		{"401 not retried", chatReply{status: 401, body: `{"error":{"message":"Incorrect API key provided: ` + aiTestKey + `"}}`}, 3, false, 1,
			"HTTP 401 Unauthorized from POST URL/v1/chat/completions: Incorrect API key provided: ***", 0},
		{"400 not retried", chatReply{status: 400, body: `{"error":"model not found"}`}, 3, false, 1,
			"HTTP 400 Bad Request from POST URL/v1/chat/completions: model not found", 0},
		{"403 not retried", chatReply{status: 403}, 3, false, 1, "HTTP 403 Forbidden from POST URL/v1/chat/completions", 0},
		{"429 exhausted", chatReply{status: 429, header: map[string]string{"Retry-After": "1"}}, 2, true, 3,
			"HTTP 429 Too Many Requests from POST URL/v1/chat/completions", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newChatServer(t, tt.reply)
			c, usage := aiTestCall(srv, map[string]any{"retries": tt.retries})
			_, err := runAI(t, newFakeAI().AI, c)
			if err == nil {
				t.Fatal("no error")
			}
			msg := strings.ReplaceAll(err.Message, srv.URL, "URL")
			if err.Code != "R611" || err.Retryable != tt.retryable || msg != tt.msg || err.Status != tt.reply.status || err.RetryAfterMS != tt.after {
				t.Errorf("got %s retryable=%v status=%d after=%d %q\nwant R611 retryable=%v status=%d after=%d %q",
					err.Code, err.Retryable, err.Status, err.RetryAfterMS, msg, tt.retryable, tt.reply.status, tt.after, tt.msg)
			}
			if n := len(srv.requests()); n != tt.calls {
				t.Errorf("%d requests, want %d", n, tt.calls)
			}
			if len(*usage) != 0 {
				t.Errorf("usage %v reported without any answer", *usage)
			}
		})
	}
}

func TestAIRequestTimeout(t *testing.T) {
	srv := newChatServer(t, chatReply{hang: true})
	c, _ := aiTestCall(srv, map[string]any{"request-timeout": 50.0, "retries": 1.0})
	f := newFakeAI()
	start := time.Now()
	_, err := runAI(t, f.AI, c)
	if err == nil || err.Code != "R604" || !err.Retryable || !strings.HasSuffix(err.Message, "timed out after 50ms (request-timeout)") {
		t.Fatalf("got %+v", err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (one retry)", n)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestAIMalformedResponses(t *testing.T) {
	tests := []struct {
		name, body, msg string
	}{
		{"not JSON", `<html>bad gateway</html>`, "invalid response from POST URL/v1/chat/completions: the body is not JSON: "},
		{"not an object", `[1]`, "invalid response from POST URL/v1/chat/completions: expected a JSON object, got array"},
		{"no choices", `{"choices": []}`, "invalid response from POST URL/v1/chat/completions: no choices in the answer"},
		{"no message", `{"choices": [{"index": 0}]}`, "invalid response from POST URL/v1/chat/completions: choices[0] has no message"},
		{"null content", `{"choices": [{"message": {"content": null}, "finish_reason": "length"}]}`, "the model gave no answer (finish_reason \"length\")"},
		{"refusal", `{"choices": [{"message": {"content": null, "refusal": "no"}}]}`, "the model refused to answer: no"},
		{"error object", `{"error": {"message": "upstream failed"}}`, "error from POST URL/v1/chat/completions: upstream failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newChatServer(t, chatReply{body: tt.body}) // status 200 with this body
			c, _ := aiTestCall(srv, nil)
			_, err := runAI(t, newFakeAI().AI, c)
			if err == nil {
				t.Fatal("no error")
			}
			msg := strings.ReplaceAll(err.Message, srv.URL, "URL")
			if err.Code != "R611" || !err.Retryable || !strings.HasPrefix(msg, tt.msg) {
				t.Errorf("got %s %v %q, want R611 retryable %q", err.Code, err.Retryable, msg, tt.msg)
			}
		})
	}
}

func TestAIKeyAndSettings(t *testing.T) {
	srv := newChatServer(t, chatReply{content: "ok"})
	tests := []struct {
		name   string
		fields map[string]any
		edit   func(c *Call)
		code   string
		msg    string
		auth   string
	}{
		{name: "api-key field wins", fields: map[string]any{"api-key": "sk-field-key"}, auth: "Bearer sk-field-key"},
		{name: "named secret", edit: func(c *Call) {
			c.AI.APIKeySecret = "LLM_KEY"
			c.Env.Globals.Secrets = value.ObjectOf("LLM_KEY", aiTestKey)
		}, auth: "Bearer " + aiTestKey},
		{name: "undeclared secret", edit: func(c *Call) { c.AI.APIKeySecret = "LLM_KEY" },
			code: "R611", msg: `no API key: secret "LLM_KEY" is not declared`},
		{name: "empty secret", edit: func(c *Call) { c.Env.Globals.Secrets = value.ObjectOf("OPENROUTER_API_KEY", nil) },
			code: "R611", msg: `no API key: secret "OPENROUTER_API_KEY" is empty`},
		{name: "empty api-key", fields: map[string]any{"api-key": " "}, code: "R611", msg: `field "api-key" is empty`},
		{name: "model from runtime.ai", fields: map[string]any{"model": nil}, edit: func(c *Call) { c.AI.Model = "default/model" }, auth: "Bearer " + aiTestKey},
		{name: "no model", fields: map[string]any{"model": nil}, code: "R603", msg: `no model: set "model" on the node or runtime.ai.model`},
		{name: "bad base-url", fields: map[string]any{"base-url": "ftp://x"}, code: "R603", msg: `base-url "ftp://x" is not an absolute http or https URL`},
		{name: "base-url field with slash", fields: map[string]any{"base-url": srv.URL + "/v1/"}, edit: func(c *Call) { c.AI.BaseURL = "http://127.0.0.1:1" }, auth: "Bearer " + aiTestKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.requests())
			c, _ := aiTestCall(srv, tt.fields)
			if tt.edit != nil {
				tt.edit(c)
			}
			_, err := runAI(t, newFakeAI().AI, c)
			if tt.code != "" {
				if err == nil || err.Code != tt.code || err.Message != tt.msg || err.Retryable {
					t.Fatalf("got %+v, want %s %q", err, tt.code, tt.msg)
				}
				if n := len(srv.requests()); n != before {
					t.Errorf("a request was sent")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			reqs := srv.requests()
			last := reqs[len(reqs)-1]
			if last.auth != tt.auth || last.path != "/v1/chat/completions" {
				t.Errorf("auth %q path %q, want %q", last.auth, last.path, tt.auth)
			}
			if tt.name == "model from runtime.ai" {
				if m, _ := last.body.(*value.Object).Get("model"); m != "default/model" {
					t.Errorf("model %v", m)
				}
			}
		})
	}
}

func TestAIConnectionRefused(t *testing.T) {
	srv := newChatServer(t, chatReply{content: "x"})
	url := srv.URL
	srv.Close()
	c, _ := aiTestCall(nil, map[string]any{"base-url": url, "retries": 1.0})
	f := newFakeAI()
	_, err := runAI(t, f.AI, c)
	if err == nil || err.Code != "R611" || !err.Retryable || !strings.HasPrefix(err.Message, "cannot connect to ") {
		t.Fatalf("got %+v", err)
	}
	if len(f.sleeps) != 1 {
		t.Errorf("sleeps %v, want one retry", f.sleeps)
	}
}

func TestAICancelled(t *testing.T) {
	srv := newChatServer(t, chatReply{hang: true})
	c, _ := aiTestCall(srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(srv.requests()) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := newFakeAI().Run(ctx, c)
	var re *Error
	if !errors.As(err, &re) || re.Code != "R605" {
		t.Fatalf("got %v", err)
	}
}

func TestAIStripFence(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{"```json\n{\"a\":1}\n```", `{"a":1}`},
		{"```JSON\r\n[1]\r\n```", `[1]`},
		{"  ```\n1\n```  ", `1`},
		{"```{\"a\":1}```", `{"a":1}`},
		{"```json {\"a\":1}\n```", "```json {\"a\":1}\n```"},
		{"text ```json\n1\n```", "text ```json\n1\n```"},
		{"```", "```"},
	}
	for _, tt := range tests {
		if got := aiStripFence(tt.in); got != tt.want {
			t.Errorf("aiStripFence(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAIRepairPromptLimit(t *testing.T) {
	var problems []string
	for i := range 25 {
		problems = append(problems, fmt.Sprintf("$[%d]: expected string, got number %d", i, i))
	}
	p := aiRepairPrompt(problems)
	if !strings.Contains(p, "- $[19]: expected string") || strings.Contains(p, "$[20]") || !strings.Contains(p, "- … and 5 more\n") {
		t.Errorf("prompt:\n%s", p)
	}
}

func TestAIBuiltin(t *testing.T) {
	if _, ok := Builtin().Get("transform/ai"); !ok {
		t.Fatal("transform/ai is not registered")
	}
}

func BenchmarkAIRequestBody(b *testing.B) {
	ty, _ := typedsl.Parse("{score: number, reasons: string[], tags: enum[a, b]?}", nil)
	ac := &aiCall{model: "m", maxTokens: 4096}
	msgs := []any{aiMessage("system", "Be brief."), aiMessage("user", strings.Repeat("text ", 200))}
	schema := ty.JSONSchema()
	b.ReportAllocs()
	for b.Loop() {
		_ = aiRequestBody(ac, msgs, schema)
	}
}
