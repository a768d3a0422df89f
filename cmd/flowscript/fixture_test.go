package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
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
		os.Exit(waitFor("fixture-server", args[1]))
	}
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: fixture-server DIR ADDRFILE | fixture-server -wait ADDRFILE")
		os.Exit(2)
	}
	os.Exit(fixtureServe(args[0], args[1]))
}

func fixtureServe(dir, addrFile string) int {
	files := http.FileServer(http.Dir(dir))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	})
	return serveHTTP("fixture-server", handler, addrFile)
}
