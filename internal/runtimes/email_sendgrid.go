package runtimes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"strings"
)

// sendgridURL is the SendGrid v3 send endpoint. Tests point it at an
// httptest server; nothing else changes it.
var sendgridURL = "https://api.sendgrid.com/v3/mail/send"

// sendgridClient sends the requests; the attempt's context bounds each.
var sendgridClient = &http.Client{}

// sendgridBodyLimit bounds the error text read from a refusal.
const sendgridBodyLimit = 4 << 10

// sendSendGrid posts m to the SendGrid v3 API and returns the
// X-Message-Id of its 202 reply.
func sendSendGrid(ctx context.Context, c *Call, m *emailMessage) (string, error) {
	key := textOf(c, "api-key")
	if key == "" {
		return "", Errorf("R615", false, "\"api-key\" is empty")
	}
	body, err := json.Marshal(sendgridPayload(m))
	if err != nil {
		return "", m.fail(false, err, "cannot encode the message: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sendgridURL, bytes.NewReader(body))
	if err != nil {
		return "", m.fail(false, err, "cannot build the SendGrid request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "flowscript")
	resp, err := sendgridClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("sending to SendGrid interrupted: %w", ctx.Err())
		}
		return "", m.fail(true, err, "cannot reach SendGrid: %v", innermost(err))
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, sendgridBodyLimit))
	if resp.StatusCode/100 != 2 {
		retry := false
		switch resp.StatusCode {
		case 408, 425, 429, 500, 502, 503, 504:
			retry = true
		}
		return "", m.fail(retry, nil, "SendGrid refused the message to %s: %s%s",
			addressStrings(m.to), resp.Status, sendgridReason(text))
	}
	return resp.Header.Get("X-Message-Id"), nil
}

// sgAddress is an address in the SendGrid payload.
type sgAddress struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

type sgPersonalization struct {
	To  []sgAddress `json:"to"`
	Cc  []sgAddress `json:"cc,omitempty"`
	Bcc []sgAddress `json:"bcc,omitempty"`
}

type sgContent struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type sgMessage struct {
	Personalizations []sgPersonalization `json:"personalizations"`
	From             sgAddress           `json:"from"`
	ReplyToList      []sgAddress         `json:"reply_to_list,omitempty"`
	Subject          string              `json:"subject"`
	Content          []sgContent         `json:"content"`
}

// sendgridPayload builds the v3 mail/send body: one personalization with
// every recipient, text/plain before text/html as SendGrid requires.
// SendGrid refuses an address given twice, so each appears once (to, then
// cc, then bcc).
func sendgridPayload(m *emailMessage) *sgMessage {
	seen := map[string]bool{}
	conv := func(as []*mail.Address) []sgAddress {
		var out []sgAddress
		for _, a := range as {
			k := strings.ToLower(a.Address)
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, sgAddress{Email: a.Address, Name: a.Name})
		}
		return out
	}
	p := sgPersonalization{To: conv(m.to), Cc: conv(m.cc), Bcc: conv(m.bcc)}
	msg := &sgMessage{
		Personalizations: []sgPersonalization{p},
		From:             sgAddress{Email: m.from.Address, Name: m.from.Name},
		Subject:          m.subject,
	}
	for _, a := range m.replyTo {
		msg.ReplyToList = append(msg.ReplyToList, sgAddress{Email: a.Address, Name: a.Name})
	}
	if m.hasText {
		msg.Content = append(msg.Content, sgContent{Type: "text/plain", Value: m.text})
	}
	if m.hasHTML {
		msg.Content = append(msg.Content, sgContent{Type: "text/html", Value: m.html})
	}
	return msg
}

// sendgridReason is ": " and the error messages of a SendGrid error
// body ({"errors": [{"message": ...}]}), or the start of the raw body.
func sendgridReason(body []byte) string {
	var e struct {
		Errors []struct {
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) == nil && len(e.Errors) > 0 {
		var parts []string
		for _, x := range e.Errors {
			s := x.Message
			if x.Field != "" && x.Field != "null" {
				s = x.Field + ": " + s
			}
			parts = append(parts, s)
		}
		return ": " + strings.Join(parts, "; ")
	}
	s := strings.TrimSpace(string(body))
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return ": " + oneLine(s)
}
