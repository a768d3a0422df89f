package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// fixtureServer is the hidden testscript command "fixture-server" that
// gives http nodes a real server on loopback:
//
//	exec fixture-server DIR ADDRFILE &   serve DIR on 127.0.0.1:0; write "127.0.0.1:PORT" to ADDRFILE
//	exec fixture-server -wait ADDRFILE   wait (up to 10 s) until ADDRFILE exists
//
// GET and HEAD serve the files of DIR (Content-Type by extension); any
// other method answers 201 with {"method", "path", "content_type", "body"}
// echoing the request. testscript interrupts the background server when
// the script ends. A workflow reads the address with a file source.
func fixtureServer() {
	args := os.Args[1:]
	if len(args) == 2 && args[0] == "-wait" {
		os.Exit(fixtureWait(args[1]))
	}
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: fixture-server DIR ADDRFILE | fixture-server -wait ADDRFILE")
		os.Exit(2)
	}
	os.Exit(fixtureServe(args[0], args[1]))
}

func fixtureServe(dir, addrFile string) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixture-server:", err)
		return 1
	}
	files := http.FileServer(http.Dir(dir))
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			files.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"method": r.Method, "path": r.URL.RequestURI(), "content_type": r.Header.Get("Content-Type"), "body": string(body),
		})
	})}
	// Write the address atomically so that -wait never reads half of it.
	tmp := addrFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(ln.Addr().String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "fixture-server:", err)
		return 1
	}
	if err := os.Rename(tmp, addrFile); err != nil {
		fmt.Fprintln(os.Stderr, "fixture-server:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "fixture-server:", err)
		return 1
	}
	return 0
}

func fixtureWait(addrFile string) int {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Clean(addrFile)); err == nil {
			return 0
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "fixture-server: %s did not appear within 10s\n", addrFile)
	return 1
}
