package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/flowscript/flowscript/internal/atomicfile"
)

// The helper commands of the testscript cases (fixture-server, fake-llm,
// smtp-sink) run in the background, publish where they listen in a file,
// and stop on SIGINT or SIGTERM when the script ends.

// serveHTTP serves handler on 127.0.0.1 until a signal, writing the
// address to addrFile (atomically, so waitFor never reads half of it).
func serveHTTP(name string, handler http.Handler, addrFile string) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	if err := atomicfile.Write(addrFile, []byte(ln.Addr().String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: handler}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	return 0
}

// waitFor waits up to 10 s for a helper's address file to appear.
func waitFor(name, file string) int {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(file); err == nil {
			return 0
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "%s: %s did not appear within 10s\n", name, file)
	return 1
}
