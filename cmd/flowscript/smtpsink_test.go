package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/flowscript/flowscript/internal/atomicfile"
)

// smtpSink is the hidden testscript command "smtp-sink": a real SMTP
// server (go-smtp) on 127.0.0.1 that stores what it receives.
//
//	smtp-sink DIR PORTFILE   serve until killed; PORTFILE gets
//	                         "smtp_port: N" (a --config-file), each
//	                         message DIR/N.eml and DIR/N.envelope
//	smtp-sink -wait PORTFILE wait up to 10s for PORTFILE to appear
//
// Scripts start it in the background (`exec smtp-sink mail port.yaml &`),
// then `exec smtp-sink -wait port.yaml` before running the workflow with
// `--config-file port.yaml`. It accepts any PLAIN login, in clear text.
func smtpSink() {
	args := os.Args[1:]
	if len(args) == 2 && args[0] == "-wait" {
		os.Exit(waitFor("smtp-sink", args[1]))
	}
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: smtp-sink DIR PORTFILE | smtp-sink -wait PORTFILE")
		os.Exit(2)
	}
	sink, err := startSMTPSink(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "smtp-sink:", err)
		os.Exit(1)
	}
	if err := atomicfile.Write(args[1], fmt.Appendf(nil, "smtp_port: %d\n", sink.port), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "smtp-sink:", err)
		os.Exit(1)
	}
	select {} // until killed
}

// smtpSinkServer stores each message it receives in dir.
type smtpSinkServer struct {
	dir  string
	port int
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{}

	mu sync.Mutex
	n  int
}

// startSMTPSink listens on 127.0.0.1:0 and serves in the background.
func startSMTPSink(dir string) (*smtpSinkServer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &smtpSinkServer{dir: dir, port: ln.Addr().(*net.TCPAddr).Port, ln: ln, done: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// close stops the server and waits for it.
func (s *smtpSinkServer) close() {
	_ = s.srv.Close()
	_ = s.ln.Close()
	<-s.done
}

// count is the number of messages stored.
func (s *smtpSinkServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// store writes message N: its data and its envelope (one "MAIL FROM:",
// an optional "AUTH", one "RCPT TO:" line per recipient).
func (s *smtpSinkServer) store(from, user string, rcpts []string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	var env bytes.Buffer
	fmt.Fprintf(&env, "MAIL FROM:<%s>\n", from)
	if user != "" {
		fmt.Fprintf(&env, "AUTH %s\n", user)
	}
	for _, r := range rcpts {
		fmt.Fprintf(&env, "RCPT TO:<%s>\n", r)
	}
	base := filepath.Join(s.dir, fmt.Sprint(s.n))
	if err := os.WriteFile(base+".envelope", env.Bytes(), 0o644); err != nil {
		return err
	}
	// CRLF as on the wire becomes LF, so scripts can grep and cmp.
	return os.WriteFile(base+".eml", bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), 0o644)
}

type sinkSession struct {
	sink  *smtpSinkServer
	user  string
	from  string
	rcpts []string
}

func (s *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, _ string) error {
		s.user = username
		return nil
	}), nil
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from, s.rcpts = from, nil
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "reject-") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(s.rcpts) == 0 {
		return errors.New("no recipients")
	}
	return s.sink.store(s.from, s.user, s.rcpts, b)
}

func (s *sinkSession) Reset()        { s.from, s.rcpts = "", nil }
func (s *sinkSession) Logout() error { return nil }

// exampleArgs gives an example its extra run arguments: one whose
// workflow declares the config key smtp_port gets a local SMTP sink
// (--config smtp_port=N) and must have delivered at least one message
// to it by the end of the test.
func exampleArgs(t *testing.T, flow string) []string {
	t.Helper()
	src, err := os.ReadFile(flow)
	if err != nil || !bytes.Contains(src, []byte("\n  smtp_port:")) {
		return nil
	}
	sink, err := startSMTPSink(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sink.close()
		if !t.Failed() && sink.count() == 0 {
			t.Errorf("%s sent no message to the SMTP sink", filepath.Base(flow))
		}
	})
	return []string{"--config", fmt.Sprintf("smtp_port=%d", sink.port)}
}
