package runtimes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// emailTLSConfig, when set, supplies the TLS configuration for SMTP
// connections (tests trust their self-signed certificate through it).
// Nil: system roots, ServerName = host, TLS 1.2 or later.
var emailTLSConfig func(host string) *tls.Config

// smtpIdleTimeout bounds each read and write of an SMTP conversation; the
// node's timeout and cancellation close the connection sooner.
const smtpIdleTimeout = 60 * time.Second

// sendSMTP delivers m to the server in the host and port fields and
// returns the Message-ID it set.
func sendSMTP(ctx context.Context, c *Call, m *emailMessage) (string, error) {
	host := textOf(c, "host")
	if host == "" {
		return "", Errorf("R615", false, "\"host\" is empty")
	}
	port := int(c.Num("port", 587))
	server := net.JoinHostPort(host, strconv.Itoa(port))
	security := c.Str("security")
	if security == "" {
		security = "starttls"
	}
	user, pass := textOf(c, "username"), textOf(c, "password")

	tlsConf := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if emailTLSConfig != nil {
		tlsConf = emailTLSConfig(host)
	}

	// The connection closes when the attempt's context ends, so a
	// stalled server cannot outlive the node's timeout.
	var mu sync.Mutex
	var stops []func() bool
	defer func() {
		mu.Lock()
		for _, stop := range stops {
			stop()
		}
		mu.Unlock()
	}()
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		stops = append(stops, context.AfterFunc(ctx, func() { conn.Close() }))
		mu.Unlock()
		if security == "tls" {
			tc := tls.Client(conn, tlsConf)
			if err := tc.HandshakeContext(dctx); err != nil {
				conn.Close()
				return nil, err
			}
			return tc, nil
		}
		return conn, nil
	}

	opts := []gomail.Option{
		gomail.WithPort(port),
		gomail.WithTimeout(smtpIdleTimeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(tlsConf),
	}
	switch security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if user != "" || pass != "" {
		auth := gomail.SMTPAuthPlain
		if security == "none" {
			// The workflow chose a clear-text connection explicitly.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	client, err := gomail.NewClient(host, opts...)
	if err != nil {
		return "", m.fail(false, err, "cannot use SMTP server %s: %v", quote(server), err)
	}

	msg, id := smtpMessage(m)
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err == nil {
		err = smtpDeliver(sc, m, msg)
		if err == nil {
			_ = sc.Quit()
		} else {
			_ = sc.Close()
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("sending to %s interrupted: %w", quote(server), ctx.Err())
		}
		return "", smtpError(m, server, user, err)
	}
	return id, nil
}

// rcptError is the refusal of one or more recipients.
type rcptError struct {
	rcpts []string
	errs  []error
}

func (e *rcptError) Error() string { return errors.Join(e.errs...).Error() }

// smtpDeliver runs the mail transaction (MAIL, RCPT per recipient, DATA)
// so that a refusal names the recipients the server refused.
func smtpDeliver(sc *gosmtp.Client, m *emailMessage, msg *gomail.Msg) error {
	// go-mail's client sends the argument as given: RFC 5321 wants the
	// path in angle brackets (strict servers refuse a bare address).
	if err := sc.Mail("<" + m.from.Address + ">"); err != nil {
		return &smtpStep{step: "sender", err: err}
	}
	var re *rcptError
	for _, r := range m.recipients() {
		if err := sc.Rcpt("<" + r + ">"); err != nil {
			if re == nil {
				re = &rcptError{}
			}
			re.rcpts = append(re.rcpts, r)
			re.errs = append(re.errs, err)
		}
	}
	if re != nil {
		_ = sc.Reset()
		return re
	}
	w, err := sc.Data()
	if err != nil {
		return &smtpStep{step: "message", err: err}
	}
	if _, err := msg.WriteTo(w); err != nil {
		_ = w.Close()
		return &smtpStep{step: "message", err: err}
	}
	if err := w.Close(); err != nil {
		return &smtpStep{step: "message", err: err}
	}
	return nil
}

// smtpStep is a failure after the connection was set up: "sender" (MAIL)
// or "message" (DATA).
type smtpStep struct {
	step string
	err  error
}

func (e *smtpStep) Error() string { return e.err.Error() }
func (e *smtpStep) Unwrap() error { return e.err }

// smtpMessage builds the go-mail message with a Message-ID of
// <UUID@flowscript>, which it returns.
func smtpMessage(m *emailMessage) (*gomail.Msg, string) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, m.from)
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderTo, m.to...)
	if len(m.cc) > 0 {
		msg.SetAddrHeaderFromMailAddress(gomail.HeaderCc, m.cc...)
	}
	if len(m.bcc) > 0 {
		msg.SetAddrHeaderFromMailAddress(gomail.HeaderBcc, m.bcc...)
	}
	if len(m.replyTo) > 0 {
		msg.SetAddrHeaderFromMailAddress(gomail.HeaderReplyTo, m.replyTo...)
	}
	msg.Subject(m.subject)
	id := uuid.NewString() + "@flowscript"
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(m.date)
	switch {
	case m.hasText && m.hasHTML:
		msg.SetBodyString(gomail.TypeTextPlain, m.text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.html)
	case m.hasHTML:
		msg.SetBodyString(gomail.TypeTextHTML, m.html)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.text)
	}
	return msg, "<" + id + ">"
}

// smtpError turns a failed delivery into R615: a server's 4xx reply and
// connection failures are retryable; a 5xx reply, a certificate the
// client does not trust and a missing server feature are not. The
// message names the server and, for refused addresses, the addresses.
func smtpError(m *emailMessage, server, user string, err error) *Error {
	var re *rcptError
	if errors.As(err, &re) {
		retry := true
		for _, e := range re.errs {
			retry = retry && retryableSMTP(e)
		}
		q := make([]string, len(re.rcpts))
		for i, r := range re.rcpts {
			q[i] = quote(r)
		}
		what := "recipient"
		if len(q) > 1 {
			what = "recipients"
		}
		return m.fail(retry, err, "SMTP server %s refused %s %s: %s", quote(server), what, strings.Join(q, ", "), replyOf(re.errs[0]))
	}
	var st *smtpStep
	if errors.As(err, &st) {
		if st.step == "sender" {
			return m.fail(retryableSMTP(st.err), err, "SMTP server %s refused sender %s: %s", quote(server), quote(m.from.Address), replyOf(st.err))
		}
		return m.fail(retryableSMTP(st.err), err, "SMTP server %s did not accept the message to %s: %s", quote(server), addressStrings(m.to), replyOf(st.err))
	}
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		if strings.Contains(err.Error(), "SMTP AUTH failed") || tpe.Code == 535 || tpe.Code == 534 {
			return m.fail(retryableSMTP(tpe), err, "SMTP server %s refused the login of user %s: %s", quote(server), quote(user), replyOf(tpe))
		}
		return m.fail(retryableSMTP(tpe), err, "SMTP server %s refused the connection: %s", quote(server), replyOf(tpe))
	}
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) {
		return m.fail(false, err, "cannot connect to SMTP server %s: %v", quote(server), innermost(err))
	}
	if isConnError(err) {
		return m.fail(true, err, "cannot connect to SMTP server %s: %v", quote(server), innermost(err))
	}
	// No STARTTLS or AUTH PLAIN on the server, a clear-text login refused
	// by the client and the like: a retry would not help.
	return m.fail(false, err, "SMTP server %s: %v", quote(server), err)
}

// retryableSMTP reports whether err is a 4xx reply or a broken
// connection.
func retryableSMTP(err error) bool {
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		return tpe.Code >= 400 && tpe.Code < 500
	}
	return isConnError(err)
}

// isConnError reports a network failure: refused, reset, timed out or
// closed early by the server.
func isConnError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// replyOf is the server's reply in err ("550 5.1.1 no such user"), else
// the innermost error.
func replyOf(err error) string {
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		return fmt.Sprintf("%03d %s", tpe.Code, oneLine(tpe.Msg))
	}
	return innermost(err).Error()
}

// innermost returns the deepest single cause of err.
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
