package runtimes

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

const extractDoc = `{
  "store": {
    "zeta": {"price": 3, "name": "z"},
    "alpha": {"price": 1, "name": "a"},
    "mid": {"price": 2, "name": "m", "tags": ["x", "y"]}
  },
  "items": [
    {"name": "pen", "price": 1.5, "meta": {"w": 1, "b": 2}},
    {"name": "book", "price": 12, "meta": {"w": 3, "b": 4}},
    {"name": "ink", "price": 4}
  ],
  "empty": null
}`

func TestHTTPExtract(t *testing.T) {
	doc := mustJSON(t, extractDoc)
	tests := []struct {
		expr, want string
	}{
		// JSONPath: singular queries give a value or null.
		{"$", value.JSON(doc)},
		{"$.store.mid.name", `"m"`},
		{"$.items[1].meta", `{"w":3,"b":4}`},
		{"$.items[-1].name", `"ink"`},
		{"$.nope", `null`},
		{"$.items[7]", `null`},
		{"$.empty", `null`},
		{"$['store']['alpha']", `{"price":1,"name":"a"}`},
		// Other queries give the list of matches, objects in document order.
		{"$.items[*].name", `["pen","book","ink"]`},
		{"$.store.*.name", `["z","a","m"]`},
		{"$.store[*]", `[{"price":3,"name":"z"},{"price":1,"name":"a"},{"price":2,"name":"m","tags":["x","y"]}]`},
		{"$.items[?@.price > 2].name", `["book","ink"]`},
		{"$.store[?@.price < 3].name", `["a","m"]`},
		{"$..price", `[3,1,2,1.5,12,4]`},
		{"$.items[0:2].name", `["pen","book"]`},
		{"$.items[0,2].name", `["pen","ink"]`},
		{"$.nope[*]", `[]`},
		{"$.items[0].meta.*", `[1,2]`},
		// JMESPath.
		{"store.mid.tags[1]", `"y"`},
		{"items[?price > `2`].name", `["book","ink"]`},
		{"items[*].{n: name, p: price}", `[{"n":"pen","p":1.5},{"n":"book","p":12},{"n":"ink","p":4}]`},
		{"items[0].{z: name, a: price, m: meta}", `{"z":"pen","a":1.5,"m":{"w":1,"b":2}}`},
		{"length(items)", `3`},
		{"items[0].meta", `{"w":1,"b":2}`},
		{"sort_by(items, &price)[-1].name", `"book"`},
		{"nope", `null`},
		{"items[].meta.b", `[2,4]`},
		{"merge(items[0].meta, `{\"a\": 0}`)", `{"a":0,"b":2,"w":1}`},
	}
	for _, tt := range tests {
		got, err := httpExtract(tt.expr, doc)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if value.JSON(got) != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, value.JSON(got), tt.want)
		}
	}
}

func TestHTTPExtractKeepsOrderAcrossRuns(t *testing.T) {
	doc := mustJSON(t, extractDoc)
	for range 50 {
		got, _ := httpExtract("$.store.*.price", doc)
		if value.JSON(got) != `[3,1,2]` {
			t.Fatalf("order changed: %s", value.JSON(got))
		}
	}
}

func TestHTTPExtractErrors(t *testing.T) {
	doc := mustJSON(t, extractDoc)
	tests := []struct{ expr, prefix string }{
		{"$.items[", `extract: invalid JSONPath "$.items[": `},
		{"items[?", `extract: invalid JMESPath "items[?": `},
		{"abs(store)", `extract: JMESPath "abs(store)" failed: `},
	}
	for _, tt := range tests {
		_, err := httpExtract(tt.expr, doc)
		re, ok := err.(*Error)
		if !ok || re.Code != "R601" || len(re.Message) < len(tt.prefix) || re.Message[:len(tt.prefix)] != tt.prefix {
			t.Errorf("%s: %v", tt.expr, err)
		}
	}
}

// TestHTTPBadExtractSendsNothing: an invalid extract fails the node before
// the request is sent, so a sink does not act and then fail.
func TestHTTPBadExtractSendsNothing(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
	}))
	defer srv.Close()
	_, err := runHTTP(t, newFakeHTTP("sink").HTTP, httpCall("sink", map[string]any{"url": srv.URL, "body": "x", "extract": "id[["}))
	want := `extract: invalid JMESPath "id[[": unexpected "[" at position 4`
	if err == nil || err.Code != "R601" || err.Message != want {
		t.Errorf("got %+v, want R601 %q", err, want)
	}
	if n := served.Load(); n != 0 {
		t.Errorf("the server got %d requests, want none", n)
	}
}

// BenchmarkHTTPSource measures requests per second of the source runtime
// against a loopback server with 32 concurrent callers.
func BenchmarkHTTPSource(b *testing.B) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"user": {"id": 7, "name": "Ada"}, "tags": ["a", "b"]}`)
	}))
	defer srv.Close()
	h := &HTTP{Role: "source"}
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((32 + procs - 1) / procs)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := httpCall("source", map[string]any{"url": srv.URL + "/user", "extract": "$.user.name"})
			out, err := h.Run(context.Background(), c)
			if err != nil || out != "Ada" {
				panic(fmt.Sprintf("%v %v", out, err))
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
