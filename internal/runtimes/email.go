package runtimes

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/value"
)

// emailRuntimes returns the email runtimes.
func emailRuntimes() []Runtime { return []Runtime{&Email{}} }

// Email sends one message (sink/email; nodes.md §2.5) through an SMTP
// server (email_smtp.go) or the SendGrid API (email_sendgrid.go). Its
// output is {provider, message_id, accepted}; every failure is R615,
// retryable for connection errors, SMTP 4xx replies and the retryable
// HTTP statuses.
type Email struct{}

// Kind returns "sink/email".
func (*Email) Kind() string { return "sink/email" }

// emailMessage is the rendered, checked message.
type emailMessage struct {
	from                 *mail.Address
	to, cc, bcc, replyTo []*mail.Address
	subject, text, html  string
	date                 time.Time // the Date header
	hasText, hasHTML     bool
	secrets              []string // password, api key: never in messages
	provider             string
}

// Run checks the message fields and hands them to the provider.
func (e *Email) Run(ctx context.Context, c *Call) (any, error) {
	m, err := emailMessageOf(c)
	if err != nil {
		return nil, err
	}
	var id string
	switch m.provider {
	case "smtp":
		id, err = sendSMTP(ctx, c, m)
	case "sendgrid":
		id, err = sendSendGrid(ctx, c, m)
	default:
		return nil, Errorf("R615", false, "unknown email provider %s", quote(m.provider))
	}
	if err != nil {
		return nil, err
	}
	accepted := make([]any, 0, len(m.to)+len(m.cc)+len(m.bcc))
	for _, a := range m.recipients() {
		accepted = append(accepted, a)
	}
	return value.ObjectOf("provider", m.provider, "message_id", id, "accepted", accepted), nil
}

// emailMessageOf reads and checks the message fields.
func emailMessageOf(c *Call) (*emailMessage, error) {
	m := &emailMessage{provider: c.Str("provider"), date: c.Clock()}
	if m.provider == "" {
		m.provider = "smtp"
	}
	for _, k := range []string{"password", "api-key"} {
		if s := textOf(c, k); s != "" {
			m.secrets = append(m.secrets, s)
		}
	}
	from, err := emailAddresses(c.Fields["from"], "from")
	if err != nil {
		return nil, err
	}
	if len(from) != 1 {
		return nil, Errorf("R615", false, "\"from\" must hold exactly one address, got %d", len(from))
	}
	m.from = from[0]
	lists := []struct {
		name string
		dst  *[]*mail.Address
	}{{"to", &m.to}, {"cc", &m.cc}, {"bcc", &m.bcc}, {"reply-to", &m.replyTo}}
	for _, l := range lists {
		if *l.dst, err = emailAddresses(c.Fields[l.name], l.name); err != nil {
			return nil, err
		}
	}
	if len(m.to) == 0 {
		return nil, Errorf("R615", false, "no recipient in \"to\"")
	}
	m.subject = oneLine(textOf(c, "subject"))
	m.text, m.hasText = textField(c, "text")
	m.html, m.hasHTML = textField(c, "html")
	if !m.hasText && !m.hasHTML {
		return nil, Errorf("R615", false, "the message has no \"text\" or \"html\" body")
	}
	return m, nil
}

// textField returns a template field as text: a whole-segment template
// keeps its value's type, so {{ input }} may be an object, rendered here
// as compact JSON. Absent and null give false.
func textField(c *Call, name string) (string, bool) {
	v, ok := c.Fields[name]
	if !ok || v == nil {
		return "", false
	}
	return value.Render(v), true
}

// textOf is textField without the flag.
func textOf(c *Call, name string) string {
	s, _ := textField(c, name)
	return s
}

// recipients returns the envelope recipients (to, cc, bcc), bare
// addresses, each once, in order.
func (m *emailMessage) recipients() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range [][]*mail.Address{m.to, m.cc, m.bcc} {
		for _, a := range l {
			k := strings.ToLower(a.Address)
			if !seen[k] {
				seen[k] = true
				out = append(out, a.Address)
			}
		}
	}
	return out
}

// scrub removes the password and api key from a server's or library's
// text, in case one echoes them.
func (m *emailMessage) scrub(s string) string {
	for _, sec := range m.secrets {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}

// fail builds the R615 error of a failed send, its message scrubbed.
func (m *emailMessage) fail(retryable bool, cause error, format string, args ...any) *Error {
	e := Errorf("R615", retryable, format, args...)
	e.Message = m.scrub(e.Message)
	e.Cause = cause
	return e
}

// emailAddresses reads an address field: a list of addresses or a text
// of comma-separated addresses (RFC 5322, so `"Doe, J" <j@x.org>` stays
// one). Null and empty text give none.
//
//	field = list-of-address | address *( "," address )
func emailAddresses(v any, field string) ([]*mail.Address, error) {
	var parts []string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case float64, bool:
		return nil, Errorf("R615", false, "%s: invalid address %s", quote(field), quote(value.Render(v)))
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		list, err := mail.ParseAddressList(v)
		if err == nil {
			return list, nil
		}
		// Find the culprit for the message.
		for _, p := range strings.Split(v, ",") {
			if _, perr := mail.ParseAddress(strings.TrimSpace(p)); perr != nil {
				return nil, badAddress(field, strings.TrimSpace(p))
			}
		}
		return nil, badAddress(field, v)
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, Errorf("R615", false, "%s: expected an address, got %s", quote(field), value.Describe(item))
			}
			parts = append(parts, s)
		}
	default:
		return nil, Errorf("R615", false, "%s: expected an address list, got %s", quote(field), value.Describe(v))
	}
	var out []*mail.Address
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		a, err := mail.ParseAddress(p)
		if err != nil {
			// An attribute list is split on commas before it gets here,
			// which cuts a quoted display name ("Doe, J" <j@x>): read the
			// items again as one address list.
			if list, lerr := mail.ParseAddressList(strings.Join(parts, ",")); lerr == nil {
				return list, nil
			}
			return nil, badAddress(field, p)
		}
		out = append(out, a)
	}
	return out, nil
}

func badAddress(field, s string) *Error {
	return Errorf("R615", false, "%s: invalid address %s", quote(field), quote(s))
}

// oneLine folds line breaks into spaces, so a rendered subject cannot add
// header lines.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

// addressStrings formats addresses for a message ("a@x.org", "b@y.org").
func addressStrings(as []*mail.Address) string {
	q := make([]string, len(as))
	for i, a := range as {
		q[i] = quote(a.Address)
	}
	return strings.Join(q, ", ")
}
