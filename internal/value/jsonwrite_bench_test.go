package value

import (
	"io"
	"testing"
)

func BenchmarkWriteJSONRecords(b *testing.B) {
	keys := []string{"id", "score", "active"}
	recs := make([]any, 500000)
	for i := range recs {
		recs[i] = &Object{keys: keys, vals: []any{float64(i), float64(i % 100), i%3 != 0}}
	}
	n, _ := WriteJSON(io.Discard, recs)
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		WriteJSON(io.Discard, recs)
	}
}

func BenchmarkMinJSONSize(b *testing.B) {
	keys := []string{"id", "score", "active"}
	recs := make([]any, 500000)
	for i := range recs {
		recs[i] = &Object{keys: keys, vals: []any{float64(i), float64(i % 100), i%3 != 0}}
	}
	b.ReportAllocs()
	for b.Loop() {
		MinJSONSize(recs, 1<<20)
	}
}
