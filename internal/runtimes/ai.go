package runtimes

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/typedsl"
	"github.com/flowscript/flowscript/internal/value"
)

// aiRuntimes returns the ai transform (nodes.md §2.8).
func aiRuntimes() []Runtime { return []Runtime{&AI{}} }

// AI asks an OpenAI-compatible chat-completions API (transform/ai,
// nodes.md §2.8). One attempt sends the system and user messages, with the
// output schema as a strict json_schema response format when the node has
// one; an answer that is not JSON or does not match the schema is sent
// back with the violations, up to repair-attempts times. Requests go
// through the http runtime's transport: retries on connection errors and
// 408/425/429/5xx honouring Retry-After, full-jitter backoff, a per-request
// timeout and the node's throttle. Token usage is summed per attempt and
// checked against the node's token-budget and the run's
// runtime.ai.token_budget before every request.
//
// It is written on net/http rather than an SDK so that it shares every
// transport rule with the http runtime and sends exactly the body of the
// spec, schema included, with no second retry layer.
type AI struct {
	// Transport sends the requests; nil uses the http runtime's shared
	// keep-alive transport.
	Transport http.RoundTripper
	// Sleep waits d or until ctx ends (retry delays, throttle waits); nil
	// sleeps for real.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a uniform number in [0, 1) for the backoff jitter; nil
	// uses math/rand/v2.
	Rand func() float64
	// Now is the clock for Retry-After dates and throttle windows; nil
	// uses time.Now.
	Now func() time.Time
}

// Kind returns "transform/ai".
func (a *AI) Kind() string { return "transform/ai" }

// Defaults of the ai runtime (nodes.md §2.8, format.md §2.9).
const (
	aiDefaultBaseURL      = "https://openrouter.ai/api/v1"
	aiDefaultKeySecret    = "OPENROUTER_API_KEY"
	aiDefaultMaxTokens    = 4096
	aiDefaultRepairs      = 2
	aiDefaultRetries      = 3
	aiDefaultTimeout      = 120 * time.Second
	aiMaxResponse         = 16 << 20
	aiMaxViolationsListed = 20
)

// aiCall is one attempt's settings, read from the fields once.
type aiCall struct {
	model       string
	system      string
	prompt      string
	schema      *typedsl.Type
	temperature *float64
	maxTokens   int
	repairs     int
	key         string
	nodeBudget  int
	runBudget   int
	budgetKeys  [2]string // node and run counters in aiBudgets
	rq          *httpRequest
}

// Run sends the conversation and returns the answer: the text, or the
// parsed and validated JSON value with an output-schema.
func (a *AI) Run(ctx context.Context, c *Call) (out any, err error) {
	ac, err := a.prepare(c)
	if err != nil {
		return nil, err
	}
	var use aiUsage
	defer func() {
		if use.requests > 0 && c.Usage != nil {
			c.Usage(use.prompt, use.completion, use.total)
		}
		if err != nil {
			err = aiScrub(err, ac.key)
		}
	}()
	return a.converse(ctx, c, ac, &use)
}

// prepare reads and checks the fields, the key and the defaults.
func (a *AI) prepare(c *Call) (*aiCall, error) {
	ac := &aiCall{
		model:     strings.TrimSpace(c.Str("model")),
		system:    c.Str("system"),
		prompt:    c.Str("prompt"),
		maxTokens: int(c.Num("max-tokens", aiDefaultMaxTokens)),
		repairs:   int(c.Num("repair-attempts", aiDefaultRepairs)),
		runBudget: c.AI.TokenBudget,
	}
	if ac.model == "" {
		ac.model = c.AI.Model
	}
	if ac.model == "" {
		return nil, Errorf("R603", false, "no model: set \"model\" on the node or runtime.ai.model")
	}
	if t, ok := c.Fields["temperature"].(float64); ok {
		ac.temperature = &t
	}
	switch s := c.Fields["output-schema"].(type) {
	case *typedsl.Type:
		ac.schema = s
	case nil:
	case string:
		t, perr := typedsl.Parse(s, nil)
		if perr != nil {
			return nil, Errorf("R603", false, "invalid output-schema: %s", perr.Message)
		}
		ac.schema = t
	default:
		return nil, Errorf("R603", false, "field \"output-schema\" expects a schema, got %s", value.TypeName(s))
	}
	if n, ok := c.Fields["token-budget"].(float64); ok && n > 0 {
		ac.nodeBudget = int(n)
	}
	ac.budgetKeys = [2]string{aiNodeBudgetKey(c.RunID, c.Node), aiRunBudgetKey(c.RunID)}

	key, err := aiKey(c)
	if err != nil {
		return nil, err
	}
	ac.key = key

	base := strings.TrimSpace(c.Str("base-url"))
	if base == "" {
		base = c.AI.BaseURL
	}
	if base == "" {
		base = aiDefaultBaseURL
	}
	send, display, err := httpURL(strings.TrimRight(base, "/")+"/chat/completions", nil)
	if err != nil {
		return nil, aiScrub(Errorf("R603", false, "base-url %s is not an absolute http or https URL", quote(base)), key)
	}
	rq := &httpRequest{
		method:  http.MethodPost,
		url:     send,
		display: display,
		header:  http.Header{},
		hasBody: true,
		timeout: aiDefaultTimeout,
		retries: int(c.Num("retries", aiDefaultRetries)),
		maxSize: aiMaxResponse,
		follow:  true,
		expect:  []httpStatusRange{{200, 299}},
	}
	if ms := c.Num("request-timeout", 0); ms > 0 {
		rq.timeout = time.Duration(ms * float64(time.Millisecond))
	}
	rq.throttle = throttleOf(c)
	kind := c.Kind
	if kind == "" {
		kind = a.Kind()
	}
	rq.throttleKey = httpThrottleKey(c.RunID, kind, c.Node)
	rq.header.Set("Authorization", "Bearer "+key)
	rq.header.Set("Content-Type", "application/json")
	rq.header.Set("Accept", "application/json")
	rq.header.Set("User-Agent", httpUserAgent)
	ac.rq = rq
	return ac, nil
}

// aiKey is the api-key field, else the secret named by
// runtime.ai.api_key_secret. The key is never part of a message.
func aiKey(c *Call) (string, error) {
	if v, ok := c.Fields["api-key"]; ok && v != nil {
		key := strings.TrimSpace(value.Render(v))
		if key == "" {
			return "", Errorf("R611", false, "field \"api-key\" is empty")
		}
		return key, nil
	}
	name := c.AI.APIKeySecret
	if name == "" {
		name = aiDefaultKeySecret
	}
	var secrets *value.Object
	if c.Env != nil && c.Env.Globals != nil {
		secrets, _ = c.Env.Globals.Secrets.(*value.Object)
	}
	if secrets == nil || !secrets.Has(name) {
		e := Errorf("R611", false, "no API key: secret %s is not declared", quote(name))
		e.Hints = []string{"declare it under \"secrets\", or set \"api-key\" on the node"}
		return "", e
	}
	v, _ := secrets.Get(name)
	key := ""
	if v != nil {
		key = strings.TrimSpace(value.Render(v))
	}
	if key == "" {
		e := Errorf("R611", false, "no API key: secret %s is empty", quote(name))
		e.Hints = []string{"set its environment variable before the run"}
		return "", e
	}
	return key, nil
}

// aiUsage sums the usage of an attempt's requests.
type aiUsage struct {
	requests                  int
	prompt, completion, total int
}

// converse sends the conversation, repairing answers that do not match the
// schema.
func (a *AI) converse(ctx context.Context, c *Call, ac *aiCall, use *aiUsage) (any, error) {
	h := &HTTP{Role: "transform", Transport: a.Transport, Sleep: a.Sleep, Rand: a.Rand, Now: a.Now}
	msgs := make([]any, 0, 2+2*ac.repairs)
	if ac.system != "" {
		msgs = append(msgs, aiMessage("system", ac.system))
	}
	msgs = append(msgs, aiMessage("user", ac.prompt))
	var schema any
	if ac.schema != nil {
		schema = ac.schema.JSONSchema()
	}
	for repair := 0; ; repair++ {
		if err := aiBudgets.check(ac); err != nil {
			return nil, err
		}
		ac.rq.body = aiRequestBody(ac, msgs, schema)
		resp, err := h.exchange(ctx, c, ac.rq)
		if err != nil {
			return nil, aiTransportError(err)
		}
		answer, u, err := aiParseResponse(ac.rq, resp.body)
		if u != nil {
			use.requests++
			use.prompt += u.prompt
			use.completion += u.completion
			use.total += u.total
			aiBudgets.add(ac, u.total)
		}
		if err != nil {
			return nil, err
		}
		if ac.schema == nil {
			return answer, nil
		}
		v, problems := aiCheckAnswer(ac.schema, answer)
		if len(problems) == 0 {
			return v, nil
		}
		if repair >= ac.repairs {
			e := Errorf("R611", true, "output does not match schema: %s", problems[0])
			if n := len(problems); n > 1 {
				e.Hints = append(e.Hints, problems[1:min(n, aiMaxViolationsListed)]...)
			}
			if ac.repairs > 0 {
				e.Hints = append(e.Hints, "after "+strconv.Itoa(ac.repairs)+" repair "+plural(ac.repairs, "attempt", "attempts"))
			}
			return nil, e
		}
		c.Log("stderr", "answer does not match the output schema ("+problems[0]+"); repair "+strconv.Itoa(repair+1)+" of "+strconv.Itoa(ac.repairs))
		msgs = append(msgs, aiMessage("assistant", answer), aiMessage("user", aiRepairPrompt(problems)))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// aiTransportError turns the http runtime's errors into ai errors: an HTTP
// status is R611 (400, 401 and 403 never retryable; the statuses that
// transport retries repeat stay retryable), a connection failure R611
// (retryable); timeouts (R604) and cancellation (R605) keep their code.
func aiTransportError(err error) error {
	var re *Error
	if !errors.As(err, &re) || re.Code != "R606" {
		return err
	}
	out := *re
	out.Code = "R611"
	if re.Status != 0 {
		out.Retryable = httpRetryStatus(re.Status)
		if msg := aiProviderMessage(re.Body); msg != "" {
			out.Message += ": " + msg
		}
	}
	return &out
}

// aiScrub removes the API key from every text of an error.
func aiScrub(err error, key string) error {
	var re *Error
	if key == "" || !errors.As(err, &re) {
		return err
	}
	out := *re
	out.Message = strings.ReplaceAll(out.Message, key, "***")
	out.Body = strings.ReplaceAll(out.Body, key, "***")
	if len(out.Hints) > 0 {
		out.Hints = append([]string(nil), out.Hints...)
		for i, h := range out.Hints {
			out.Hints[i] = strings.ReplaceAll(h, key, "***")
		}
	}
	if out.Cause != nil && strings.Contains(out.Cause.Error(), key) {
		out.Cause = errors.New(strings.ReplaceAll(out.Cause.Error(), key, "***"))
	}
	return &out
}
