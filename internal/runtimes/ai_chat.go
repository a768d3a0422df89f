package runtimes

import (
	"strconv"
	"strings"

	"github.com/flowscript/flowscript/internal/typedsl"
	"github.com/flowscript/flowscript/internal/value"
)

// The chat-completions protocol as the ai runtime speaks it: the request
// body, the answer and usage, the provider's error text, and the answer
// checks with the repair prompt.

// aiMessage is one chat message {role, content}.
func aiMessage(role, content string) *value.Object {
	return value.ObjectOf("role", role, "content", content)
}

// aiRequestBody is the JSON body: {"model", "messages", "max_tokens",
// "temperature"?, "response_format"?}.
func aiRequestBody(ac *aiCall, msgs []any, schema any) []byte {
	body := value.ObjectOf("model", ac.model, "messages", msgs, "max_tokens", float64(ac.maxTokens))
	if ac.temperature != nil {
		body.Set("temperature", *ac.temperature)
	}
	if schema != nil {
		body.Set("response_format", value.ObjectOf("type", "json_schema",
			"json_schema", value.ObjectOf("name", "output", "strict", true, "schema", schema)))
	}
	return value.AppendJSON(nil, body)
}

// aiTokens is the usage of one response.
type aiTokens struct{ prompt, completion, total int }

// aiParseResponse reads choices[0].message.content and usage from a
// successful response. Usage is returned whenever the body has it, also
// with an error. A body that is not a chat completion is R611, retryable
// (the provider failed, the next attempt may not).
func aiParseResponse(rq *httpRequest, body []byte) (string, *aiTokens, error) {
	v, err := value.ParseJSON(body)
	if err != nil {
		e := Errorf("R611", true, "invalid response from %s %s: the body is not JSON: %v", rq.method, rq.display, err)
		e.Body = aiBodyStart(body)
		return "", nil, e
	}
	obj, _ := v.(*value.Object)
	if obj == nil {
		e := Errorf("R611", true, "invalid response from %s %s: expected a JSON object, got %s", rq.method, rq.display, value.TypeName(v))
		e.Body = aiBodyStart(body)
		return "", nil, e
	}
	var use *aiTokens
	if u, ok := aiPath(obj, "usage").(*value.Object); ok {
		use = &aiTokens{prompt: aiInt(u, "prompt_tokens"), completion: aiInt(u, "completion_tokens"), total: aiInt(u, "total_tokens")}
		if use.total == 0 {
			use.total = use.prompt + use.completion
		}
	}
	if msg := aiProviderMessageOf(obj); msg != "" && !obj.Has("choices") {
		return "", use, Errorf("R611", true, "error from %s %s: %s", rq.method, rq.display, msg)
	}
	choices, _ := aiPath(obj, "choices").([]any)
	if len(choices) == 0 {
		e := Errorf("R611", true, "invalid response from %s %s: no choices in the answer", rq.method, rq.display)
		e.Body = aiBodyStart(body)
		return "", use, e
	}
	first, _ := choices[0].(*value.Object)
	msg, _ := aiPath(first, "message").(*value.Object)
	if msg == nil {
		e := Errorf("R611", true, "invalid response from %s %s: choices[0] has no message", rq.method, rq.display)
		e.Body = aiBodyStart(body)
		return "", use, e
	}
	switch content := aiPath(msg, "content").(type) {
	case string:
		return content, use, nil
	case nil:
		if r, ok := aiPath(msg, "refusal").(string); ok && r != "" {
			return "", use, Errorf("R611", true, "the model refused to answer: %s", r)
		}
		reason, _ := aiPath(first, "finish_reason").(string)
		if reason != "" {
			return "", use, Errorf("R611", true, "the model gave no answer (finish_reason %s)", quote(reason))
		}
		return "", use, Errorf("R611", true, "the model gave no answer")
	default:
		e := Errorf("R611", true, "invalid response from %s %s: message content is %s, not text", rq.method, rq.display, value.TypeName(content))
		e.Body = aiBodyStart(body)
		return "", use, e
	}
}

func aiPath(o *value.Object, k string) any {
	if o == nil {
		return nil
	}
	v, _ := o.Get(k)
	return v
}

func aiInt(o *value.Object, k string) int {
	f, _ := aiPath(o, k).(float64)
	return int(f)
}

// aiBodyStart is the first 4 KiB of a body, as valid UTF-8.
func aiBodyStart(body []byte) string {
	if len(body) > httpErrorBodyLimit {
		body = body[:httpErrorBodyLimit]
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}

// aiProviderMessage is the provider's explanation in an error body:
// {"error": {"message": …}}, {"error": "…"} or {"message": …}.
func aiProviderMessage(body string) string {
	v, err := value.ParseJSON([]byte(body))
	if err != nil {
		return ""
	}
	obj, _ := v.(*value.Object)
	return aiProviderMessageOf(obj)
}

func aiProviderMessageOf(obj *value.Object) string {
	var msg string
	switch e := aiPath(obj, "error").(type) {
	case *value.Object:
		msg, _ = aiPath(e, "message").(string)
	case string:
		msg = e
	case nil:
		msg, _ = aiPath(obj, "message").(string)
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 300 {
		msg = strings.ToValidUTF8(msg[:300], "") + "…"
	}
	return msg
}

// aiStripFence removes a code fence around the whole answer:
// "```json\n{…}\n```" → "{…}".
func aiStripFence(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "```") || len(t) < 6 || !strings.HasSuffix(t, "```") {
		return t
	}
	nl := strings.IndexByte(t, '\n')
	if nl < 0 {
		return strings.TrimSpace(t[3 : len(t)-3])
	}
	info := strings.TrimSpace(t[3:nl])
	if strings.Contains(info, "`") || strings.ContainsAny(info, " \t{[\"") {
		return t // not an info string: not a fence
	}
	return strings.TrimSpace(t[nl+1 : len(t)-3])
}

// aiCheckAnswer parses an answer as JSON (after removing a fence) and
// validates it; problems lists what is wrong, empty when it conforms.
func aiCheckAnswer(t *typedsl.Type, answer string) (any, []string) {
	text := aiStripFence(answer)
	if text == "" {
		return nil, []string{"the answer is empty, expected JSON"}
	}
	v, err := value.ParseJSON([]byte(text))
	if err != nil {
		return nil, []string{"the answer is not JSON: " + err.Error()}
	}
	if problems := t.Validate(v); len(problems) > 0 {
		return nil, problems
	}
	return v, nil
}

// aiRepairPrompt asks the model to answer again, listing the violations.
func aiRepairPrompt(problems []string) string {
	var b strings.Builder
	b.WriteString("Your answer does not match the required JSON schema:\n")
	for i, p := range problems {
		if i == aiMaxViolationsListed {
			b.WriteString("- … and " + strconv.Itoa(len(problems)-i) + " more\n")
			break
		}
		b.WriteString("- ")
		b.WriteString(p)
		b.WriteByte('\n')
	}
	b.WriteString("Answer again with only the corrected JSON value, no other text.")
	return b.String()
}
