package runtimes

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/flowscript/flowscript/internal/value"
)

// emailCall builds a sink/email call; fields override a minimal valid
// SMTP message (nil values delete a field).
func emailCall(fields map[string]any) *Call {
	f := map[string]any{
		"provider": "smtp", "port": float64(587), "security": "starttls",
		"from": "bot@example.com", "to": []any{"ops@example.com"},
		"subject": "Paid orders", "text": "3 paid orders",
	}
	for k, v := range fields {
		if v == nil {
			delete(f, k)
			continue
		}
		f[k] = v
	}
	return &Call{Node: "mail", Kind: "sink/email", Role: "sink", Fields: f, Log: func(string, string) {}}
}

func runEmail(t *testing.T, c *Call) (*value.Object, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := (&Email{}).Run(ctx, c)
	if err != nil {
		return nil, err
	}
	o, ok := out.(*value.Object)
	if !ok {
		t.Fatalf("output is %T, want an object", out)
	}
	return o, nil
}

// parsed is a received message taken apart.
type parsed struct {
	header      mail.Header
	text, html  string
	contentType string
}

// parseMessage reads headers and the text and html parts of raw.
func parseMessage(t *testing.T, raw string) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("cannot parse the received message: %v\n%s", err, raw)
	}
	p := parsed{header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("bad content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	p.contentType = mt
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			body := decodeBody(t, part.Header.Get("Content-Transfer-Encoding"), part)
			pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
			switch pt {
			case "text/plain":
				p.text = body
			case "text/html":
				p.html = body
			}
		}
		return p
	}
	body := decodeBody(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if mt == "text/html" {
		p.html = body
	} else {
		p.text = body
	}
	return p
}

func decodeBody(t *testing.T, enc string, r io.Reader) string {
	t.Helper()
	if strings.EqualFold(enc, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(string(b), "\r\n")
}

var messageIDPattern = regexp.MustCompile(`^<[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@flowscript>$`)

// TestEmailSMTPDelivers sends through each transport security and reads
// the message back from the server: envelope, headers and bodies.
func TestEmailSMTPDelivers(t *testing.T) {
	cases := []struct {
		name     string
		server   smtpServerOpts
		fields   map[string]any
		rcpts    []string
		header   map[string]string
		text     string
		html     string
		ctype    string
		authUser string
	}{
		{
			name:   "starttls with login, cc, bcc and reply-to",
			server: smtpServerOpts{security: "starttls", user: "bot", pass: "s3cret-pw"},
			fields: map[string]any{
				"username": "bot", "password": "s3cret-pw",
				"to": "ops@example.com, Lead Dev <lead@example.com>",
				"cc": []any{"audit@example.com"}, "bcc": "hidden@example.com",
				"reply-to": []any{"desk@example.com"},
			},
			rcpts: []string{"ops@example.com", "lead@example.com", "audit@example.com", "hidden@example.com"},
			header: map[string]string{
				"From": "<bot@example.com>", "To": `<ops@example.com>, "Lead Dev" <lead@example.com>`,
				"Cc": "<audit@example.com>", "Reply-To": "<desk@example.com>", "Subject": "Paid orders", "Bcc": "",
			},
			text: "3 paid orders", ctype: "text/plain", authUser: "bot",
		},
		{
			name:   "implicit tls, html only",
			server: smtpServerOpts{security: "tls"},
			fields: map[string]any{"security": "tls", "text": nil, "html": "<p>3 paid</p>"},
			rcpts:  []string{"ops@example.com"},
			html:   "<p>3 paid</p>", ctype: "text/html",
		},
		{
			name:   "clear text with login, text and html",
			server: smtpServerOpts{security: "none", user: "bot", pass: "pw-1234"},
			fields: map[string]any{
				"security": "none", "username": "bot", "password": "pw-1234",
				"html": "<b>3</b>", "subject": "Größe\r\nBcc: evil@example.com",
			},
			rcpts:  []string{"ops@example.com"},
			header: map[string]string{"Subject": "Größe Bcc: evil@example.com", "Bcc": ""},
			text:   "3 paid orders", html: "<b>3</b>", ctype: "multipart/alternative", authUser: "bot",
		},
		{
			name:   "object input rendered as JSON, duplicate recipient once",
			server: smtpServerOpts{security: "starttls"},
			fields: map[string]any{"text": value.ObjectOf("paid", float64(3)), "cc": "OPS@example.com"},
			rcpts:  []string{"ops@example.com"},
			text:   `{"paid":3}`, ctype: "text/plain",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			trustTestCert(t)
			srv := startSMTP(t, tc.server)
			fields := map[string]any{"host": srv.host, "port": srv.portField()}
			for k, v := range tc.fields {
				fields[k] = v
			}
			if _, ok := fields["security"]; !ok {
				fields["security"] = "starttls"
			}
			out, err := runEmail(t, emailCall(fields))
			if err != nil {
				t.Fatalf("send failed: %v", err)
			}
			msgs := srv.messages()
			if len(msgs) != 1 {
				t.Fatalf("server got %d messages, want 1", len(msgs))
			}
			got := msgs[0]
			if got.from != "bot@example.com" {
				t.Errorf("MAIL FROM %q", got.from)
			}
			if strings.Join(got.rcpts, " ") != strings.Join(tc.rcpts, " ") {
				t.Errorf("RCPT TO %q, want %q", got.rcpts, tc.rcpts)
			}
			if got.auth != tc.authUser {
				t.Errorf("logged in as %q, want %q", got.auth, tc.authUser)
			}
			p := parseMessage(t, got.data)
			for k, want := range tc.header {
				v := p.header.Get(k)
				if k == "Subject" {
					v, _ = new(mime.WordDecoder).DecodeHeader(v)
				}
				if v != want {
					t.Errorf("header %s = %q, want %q", k, v, want)
				}
			}
			if p.contentType != tc.ctype {
				t.Errorf("content type %q, want %q", p.contentType, tc.ctype)
			}
			if p.text != tc.text || p.html != tc.html {
				t.Errorf("bodies text %q html %q, want %q %q", p.text, p.html, tc.text, tc.html)
			}
			id, _ := out.Get("message_id")
			if !messageIDPattern.MatchString(id.(string)) || p.header.Get("Message-Id") != id {
				t.Errorf("message_id %q, header %q", id, p.header.Get("Message-Id"))
			}
			if prov, _ := out.Get("provider"); prov != "smtp" {
				t.Errorf("provider %v", prov)
			}
			acc, _ := out.Get("accepted")
			if value.JSON(acc) != value.JSON(stringsToAny(tc.rcpts)) {
				t.Errorf("accepted %s, want %v", value.JSON(acc), tc.rcpts)
			}
			if keys := strings.Join(out.Keys(), ","); keys != "provider,message_id,accepted" {
				t.Errorf("output keys %s", keys)
			}
		})
	}
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// TestEmailSMTPFailures checks R615, its retryable flag and that the
// message names the server or recipient but never the password.
func TestEmailSMTPFailures(t *testing.T) {
	const pw = "hunter2-secret"
	cases := []struct {
		name      string
		server    smtpServerOpts
		fields    map[string]any
		retryable bool
		message   string // regexp; {server} is the server address
	}{
		{
			name:    "wrong password",
			server:  smtpServerOpts{security: "starttls", user: "bot", pass: "right"},
			fields:  map[string]any{"username": "bot", "password": pw},
			message: `^SMTP server "{server}" refused the login of user "bot": 535 5\.7\.8 Authentication failed$`,
		},
		{
			name: "server echoes the password",
			server: smtpServerOpts{security: "starttls", user: "bot", pass: "right",
				authReply: &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad password " + pw}},
			fields:  map[string]any{"username": "bot", "password": pw},
			message: `^SMTP server "{server}" refused the login of user "bot": 535 5\.7\.8 bad password \*\*\*$`,
		},
		{
			name: "auth temporarily unavailable",
			server: smtpServerOpts{security: "starttls", user: "bot", pass: "right",
				authReply: &smtp.SMTPError{Code: 454, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "try later"}},
			fields:    map[string]any{"username": "bot", "password": pw},
			retryable: true,
			message:   `^SMTP server "{server}" refused the login of user "bot": 454 4\.7\.0 try later$`,
		},
		{
			name: "recipient refused for now (4xx)",
			server: smtpServerOpts{security: "starttls", rcptReply: map[string]*smtp.SMTPError{
				"ops@example.com": {Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy"}}},
			retryable: true,
			message:   `^SMTP server "{server}" refused recipient "ops@example.com": 450 4\.2\.1 mailbox busy$`,
		},
		{
			name: "recipients refused for good (5xx)",
			server: smtpServerOpts{security: "starttls", rcptReply: map[string]*smtp.SMTPError{
				"ops@example.com":  {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
				"lead@example.com": {Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "busy"}}},
			fields:  map[string]any{"to": "ops@example.com, lead@example.com"},
			message: `^SMTP server "{server}" refused recipients "ops@example.com", "lead@example.com": 550 5\.1\.1 no such user$`,
		},
		{
			name: "message refused (5xx)",
			server: smtpServerOpts{security: "starttls",
				dataReply: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "spam"}},
			message: `^SMTP server "{server}" did not accept the message to "ops@example.com": 554 5\.7\.1 spam$`,
		},
		{
			name: "message deferred (4xx)",
			server: smtpServerOpts{security: "starttls",
				dataReply: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "disk full"}},
			retryable: true,
			message:   `^SMTP server "{server}" did not accept the message to "ops@example.com": 451 4\.3\.0 disk full$`,
		},
		{
			name:    "starttls required, server offers none",
			server:  smtpServerOpts{security: "none"},
			message: `^SMTP server "{server}": .*STARTTLS`,
		},
		{
			name:    "invalid address",
			server:  smtpServerOpts{security: "none"},
			fields:  map[string]any{"to": "ops@example.com, not an address"},
			message: `^"to": invalid address "not an address"$`,
		},
		{
			name:    "no body",
			server:  smtpServerOpts{security: "none"},
			fields:  map[string]any{"text": nil},
			message: `^the message has no "text" or "html" body$`,
		},
		{
			name:    "empty to",
			server:  smtpServerOpts{security: "none"},
			fields:  map[string]any{"to": " "},
			message: `^no recipient in "to"$`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			trustTestCert(t)
			srv := startSMTP(t, tc.server)
			fields := map[string]any{"host": srv.host, "port": srv.portField()}
			for k, v := range tc.fields {
				fields[k] = v
			}
			_, err := runEmail(t, emailCall(fields))
			checkR615(t, err, tc.retryable, strings.ReplaceAll(tc.message, "{server}", regexp.QuoteMeta(srv.addr())))
			if err != nil && strings.Contains(err.Error(), pw) {
				t.Errorf("message shows the password: %s", err)
			}
			if n := len(srv.messages()); n != 0 {
				t.Errorf("server stored %d messages, want none", n)
			}
		})
	}
}

func checkR615(t *testing.T, err error, retryable bool, pattern string) {
	t.Helper()
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want *Error", err, err)
	}
	if re.Code != "R615" {
		t.Errorf("code %s, want R615", re.Code)
	}
	if re.Retryable != retryable {
		t.Errorf("retryable %v, want %v (%s)", re.Retryable, retryable, re.Message)
	}
	if !regexp.MustCompile(pattern).MatchString(re.Message) {
		t.Errorf("message %q\ndoes not match %q", re.Message, pattern)
	}
}

// TestEmailSMTPConnection covers failures before any SMTP reply.
func TestEmailSMTPConnection(t *testing.T) {
	t.Run("refused is retryable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		_, err = runEmail(t, emailCall(map[string]any{"host": "127.0.0.1", "port": float64(port)}))
		checkR615(t, err, true, `^cannot connect to SMTP server "127\.0\.0\.1:\d+": .*refused`)
	})
	t.Run("untrusted certificate is not retryable", func(t *testing.T) {
		srv := startSMTP(t, smtpServerOpts{security: "tls"}) // no trustTestCert
		_, err := runEmail(t, emailCall(map[string]any{"host": srv.host, "port": srv.portField(), "security": "tls"}))
		checkR615(t, err, false, `^cannot connect to SMTP server "127\.0\.0\.1:\d+": .*certificate`)
	})
	t.Run("server closes at once is retryable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		_, err = runEmail(t, emailCall(map[string]any{"host": "127.0.0.1", "port": float64(ln.Addr().(*net.TCPAddr).Port)}))
		checkR615(t, err, true, `^cannot connect to SMTP server`)
	})
	t.Run("cancellation ends a silent server at once", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			var conns []net.Conn // never greeted
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				conns = append(conns, c)
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = (&Email{}).Run(ctx, emailCall(map[string]any{"host": "127.0.0.1", "port": float64(ln.Addr().(*net.TCPAddr).Port)}))
		if err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want the context's", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v after the deadline", d)
		}
	})
}

// TestEmailSendGrid posts to an httptest server speaking the v3 API.
func TestEmailSendGrid(t *testing.T) {
	const key = "SG.test-key-123456"
	var got struct {
		auth string
		body map[string]any
	}
	status, reply := http.StatusAccepted, ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v3/mail/send" {
			http.Error(w, "wrong endpoint", http.StatusNotFound)
			return
		}
		got.auth = r.Header.Get("Authorization")
		got.body = nil
		_ = json.NewDecoder(r.Body).Decode(&got.body)
		w.Header().Set("X-Message-Id", "sg-abc123")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	defer srv.Close()
	old := sendgridURL
	sendgridURL = srv.URL + "/v3/mail/send"
	defer func() { sendgridURL = old }()

	sg := func(extra map[string]any) *Call {
		f := map[string]any{"provider": "sendgrid", "api-key": key, "host": nil}
		for k, v := range extra {
			f[k] = v
		}
		return emailCall(f)
	}

	t.Run("accepted", func(t *testing.T) {
		status, reply = http.StatusAccepted, ""
		out, err := runEmail(t, sg(map[string]any{
			"to": "Ops <ops@example.com>", "bcc": []any{"hidden@example.com"},
			"reply-to": "desk@example.com", "html": "<p>3</p>",
		}))
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"provider":"sendgrid","message_id":"sg-abc123","accepted":["ops@example.com","hidden@example.com"]}`; value.JSON(out) != want {
			t.Errorf("output %s\nwant   %s", value.JSON(out), want)
		}
		if got.auth != "Bearer "+key {
			t.Errorf("Authorization %q", got.auth)
		}
		want := `{"content":[{"type":"text/plain","value":"3 paid orders"},{"type":"text/html","value":"<p>3</p>"}],` +
			`"from":{"email":"bot@example.com"},"personalizations":[{"bcc":[{"email":"hidden@example.com"}],` +
			`"to":[{"email":"ops@example.com","name":"Ops"}]}],"reply_to_list":[{"email":"desk@example.com"}],"subject":"Paid orders"}`
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(got.body)
		if strings.TrimSpace(b.String()) != want {
			t.Errorf("payload %s\nwant    %s", b.String(), want)
		}
	})
	failures := []struct {
		status    int
		reply     string
		retryable bool
		message   string
	}{
		{400, `{"errors":[{"message":"The from address does not match a verified Sender Identity","field":"from"}]}`, false,
			`^SendGrid refused the message to "ops@example.com": 400 Bad Request: from: The from address does not match a verified Sender Identity$`},
		{401, `{"errors":[{"message":"bad key ` + key + `","field":null}]}`, false,
			`^SendGrid refused the message to "ops@example.com": 401 Unauthorized: bad key \*\*\*$`},
		{429, `too many`, true, `^SendGrid refused the message to "ops@example.com": 429 Too Many Requests: too many$`},
		{503, ``, true, `^SendGrid refused the message to "ops@example.com": 503 Service Unavailable$`},
	}
	for _, f := range failures {
		t.Run(http.StatusText(f.status), func(t *testing.T) {
			status, reply = f.status, f.reply
			_, err := runEmail(t, sg(nil))
			checkR615(t, err, f.retryable, f.message)
			if err != nil && strings.Contains(err.Error(), key) {
				t.Errorf("message shows the api key: %s", err)
			}
		})
	}
	t.Run("unreachable is retryable", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		sendgridURL = dead.URL + "/v3/mail/send"
		defer func() { sendgridURL = srv.URL + "/v3/mail/send" }()
		_, err := runEmail(t, sg(nil))
		checkR615(t, err, true, `^cannot reach SendGrid: .*refused`)
	})
}

// TestEmailAddresses covers the two spellings of an address list.
func TestEmailAddresses(t *testing.T) {
	cases := []struct {
		in   any
		want string // addresses joined by "|", or "error: ..."
	}{
		{"a@x.org", "a@x.org"},
		{"a@x.org, b@y.org", "a@x.org|b@y.org"},
		{`"Doe, J" <j@x.org>, k@x.org`, "j@x.org|k@x.org"},
		{[]any{"a@x.org", " B <b@y.org> ", ""}, "a@x.org|b@y.org"},
		// an attribute split on commas before the runtime sees it
		{[]any{`"Doe`, ` J" <lead@example.com>`}, "lead@example.com"},
		{"", ""},
		{nil, ""},
		{"a@x.org,,b@y.org", "a@x.org|b@y.org"},
		{"nope", `error: "to": invalid address "nope"`},
		{[]any{"a@x.org", float64(3)}, `error: "to": expected an address, got number 3`},
		{float64(3), `error: "to": invalid address "3"`},
	}
	for _, tc := range cases {
		list, err := emailAddresses(tc.in, "to")
		var got string
		if err != nil {
			got = "error: " + err.Error()
		} else {
			var parts []string
			for _, a := range list {
				parts = append(parts, a.Address)
			}
			got = strings.Join(parts, "|")
		}
		if got != tc.want {
			t.Errorf("emailAddresses(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestEmailRegistered checks the builtin registry runs sink/email.
func TestEmailRegistered(t *testing.T) {
	rt, ok := Builtin().Get("sink/email")
	if !ok {
		t.Fatal("sink/email is not registered")
	}
	if _, ok := rt.(*Email); !ok {
		t.Errorf("sink/email runs %T", rt)
	}
}

// BenchmarkEmailSMTP sends one message per iteration to a loopback
// server in clear text: connection, EHLO, envelope, data and QUIT.
func BenchmarkEmailSMTP(b *testing.B) {
	srv := startSMTP(b, smtpServerOpts{security: "none"})
	c := emailCall(map[string]any{"host": srv.host, "port": srv.portField(), "security": "none"})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (&Email{}).Run(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEmailSMTPEnvelopeSyntax: MAIL FROM and RCPT TO carry their paths in
// angle brackets (RFC 5321 §4.1.2); strict servers refuse bare addresses.
func TestEmailSMTPEnvelopeSyntax(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lines := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var got []string
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 strict ESMTP\r\n")
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				lines <- got
				return
			}
			line = strings.TrimRight(line, "\r\n")
			switch {
			case inData:
				if line == "." {
					inData = false
					fmt.Fprint(c, "250 queued\r\n")
				}
			case strings.HasPrefix(line, "EHLO"):
				fmt.Fprint(c, "250 strict\r\n")
			case strings.HasPrefix(line, "MAIL FROM:"), strings.HasPrefix(line, "RCPT TO:"):
				got = append(got, line)
				arg := line[strings.Index(line, ":")+1:]
				if !strings.HasPrefix(arg, "<") || !strings.Contains(arg, ">") {
					fmt.Fprint(c, "555 5.5.2 Syntax error\r\n")
					continue
				}
				fmt.Fprint(c, "250 ok\r\n")
			case line == "DATA":
				inData = true
				fmt.Fprint(c, "354 go on\r\n")
			case line == "QUIT":
				fmt.Fprint(c, "221 bye\r\n")
				lines <- got
				return
			default:
				fmt.Fprint(c, "250 ok\r\n")
			}
		}
	}()
	port := float64(ln.Addr().(*net.TCPAddr).Port)
	if _, err := runEmail(t, emailCall(map[string]any{"host": "127.0.0.1", "port": port, "security": "none"})); err != nil {
		t.Fatalf("a strict server refused the message: %v", err)
	}
	if got := strings.Join(<-lines, "|"); !strings.HasPrefix(got, "MAIL FROM:<bot@example.com>") || !strings.Contains(got, "RCPT TO:<ops@example.com>") {
		t.Errorf("envelope commands %q", got)
	}
}
