package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
)

// fakeLLM is the hidden testscript command "fake-llm", a chat-completions
// server on loopback for ai nodes:
//
//	exec fake-llm RULES ADDRFILE [LOGFILE] &   serve on 127.0.0.1:0; write "127.0.0.1:PORT" to ADDRFILE
//	exec fake-llm -wait ADDRFILE               wait (up to 10 s) until ADDRFILE exists
//	exec fake-llm -subst ADDRFILE IN OUT       copy IN to OUT with every "{ADDR}" replaced by the address
//
// Requests must carry "Authorization: Bearer $FAKE_LLM_KEY", else the answer
// is 401 with an error message that repeats the key it was given (so that
// scripts can check that no key is ever printed). RULES is a JSON array of
// {match, content, status, retry_after, times}: the first rule whose match
// is a substring of the last message (any role) and whose times (0: any)
// are not used up answers, with status (default 200), a Retry-After header
// and, for 200, a completion whose content is the rule's content and whose
// usage is 10 prompt and 5 completion tokens. Without a rule the answer is
// 500. LOGFILE receives each request body on one line.
func fakeLLM() {
	args := os.Args[1:]
	switch {
	case len(args) == 2 && args[0] == "-wait":
		os.Exit(waitFor("fake-llm", args[1]))
	case len(args) == 4 && args[0] == "-subst":
		os.Exit(fakeLLMSubst(args[1], args[2], args[3]))
	case len(args) == 2 || len(args) == 3:
		log := ""
		if len(args) == 3 {
			log = args[2]
		}
		os.Exit(fakeLLMServe(args[0], args[1], log))
	}
	fmt.Fprintln(os.Stderr, "usage: fake-llm RULES ADDRFILE [LOGFILE] | fake-llm -wait ADDRFILE | fake-llm -subst ADDRFILE IN OUT")
	os.Exit(2)
}

// fakeLLMRule is one scripted answer.
type fakeLLMRule struct {
	Match      string `json:"match"`
	Content    string `json:"content"`
	Status     int    `json:"status"`
	RetryAfter string `json:"retry_after"`
	Times      int    `json:"times"`
	used       int
}

func fakeLLMSubst(addrFile, in, out string) int {
	addr, err := os.ReadFile(addrFile)
	if err == nil {
		var src []byte
		if src, err = os.ReadFile(in); err == nil {
			err = os.WriteFile(out, bytes.ReplaceAll(src, []byte("{ADDR}"), addr), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake-llm:", err)
		return 1
	}
	return 0
}

func fakeLLMServe(rulesFile, addrFile, logFile string) int {
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake-llm:", err)
		return 1
	}
	var rules []*fakeLLMRule
	if err := json.Unmarshal(data, &rules); err != nil {
		fmt.Fprintln(os.Stderr, "fake-llm: rules:", err)
		return 1
	}
	key := os.Getenv("FAKE_LLM_KEY")
	var mu sync.Mutex
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "); got != key || key == "" {
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": "Incorrect API key provided: " + got}})
			return
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": "no route " + r.Method + " " + r.URL.Path}})
			return
		}
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		_ = json.Unmarshal(body, &req)
		last := ""
		if n := len(req.Messages); n > 0 {
			last = req.Messages[n-1].Content
		}
		mu.Lock()
		if logFile != "" {
			if f, err := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
				_, _ = f.Write(append(bytes.TrimSpace(body), '\n'))
				_ = f.Close()
			}
		}
		var rule *fakeLLMRule
		for _, ru := range rules {
			if strings.Contains(last, ru.Match) && (ru.Times == 0 || ru.used < ru.Times) {
				ru.used++
				rule = ru
				break
			}
		}
		mu.Unlock()
		if rule == nil {
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": "no rule matches"}})
			return
		}
		if rule.RetryAfter != "" {
			w.Header().Set("Retry-After", rule.RetryAfter)
		}
		if rule.Status != 0 && rule.Status != http.StatusOK {
			w.WriteHeader(rule.Status)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": rule.Content}})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": rule.Content}}},
			"usage": map[string]int{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
		})
	})
	return serveHTTP("fake-llm", handler, addrFile)
}
