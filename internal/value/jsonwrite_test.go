package value

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestWriteJSON(t *testing.T) {
	big := make([]any, 40000)
	for i := range big {
		big[i] = ObjectOf("id", float64(i), "name", "item \"q\" é", "tags", []any{}, "meta", NewObject(0))
	}
	for _, v := range []any{
		nil, true, 2.5, -0.0, "a\nb", []any{}, NewObject(0),
		[]any{1.0, []any{2.0, []any{}}, ObjectOf("k", nil)},
		strings.Repeat("x", 3*streamChunk),
		big,
		ObjectOf("big", big, "after", 1.0),
	} {
		var buf bytes.Buffer
		n, err := WriteJSON(&buf, v)
		want := AppendJSON(nil, v)
		if err != nil || n != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("WriteJSON(%.60s) = %d bytes, %v; want %d bytes equal to AppendJSON", want, n, err, len(want))
		}
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestWriteJSONStopsAtWriteError(t *testing.T) {
	big := make([]any, 200000)
	for i := range big {
		big[i] = "some text of a record"
	}
	n, err := WriteJSON(&failWriter{after: 2}, big)
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("err = %v", err)
	}
	if n < 2*streamChunk || n > 3*streamChunk {
		t.Errorf("wrote %d bytes before the error", n)
	}
}

// genValue draws JSON-like values: scalars, strings with escapes, nested
// arrays and objects.
func genValue(depth int) *rapid.Generator[any] {
	return rapid.Custom(func(t *rapid.T) any {
		kind := rapid.IntRange(0, 6).Draw(t, "kind")
		if depth <= 0 {
			kind %= 5
		}
		switch kind {
		case 0:
			return nil
		case 1:
			return rapid.Bool().Draw(t, "b")
		case 2:
			return rapid.Float64().Draw(t, "f")
		case 3:
			return float64(rapid.IntRange(-5000, 5000).Draw(t, "i"))
		case 4:
			return rapid.String().Draw(t, "s")
		case 5:
			return rapid.SliceOfN(genValue(depth-1), 0, 8).Draw(t, "a")
		}
		o := NewObject(0)
		for _, k := range rapid.SliceOfN(rapid.String(), 0, 6).Draw(t, "keys") {
			o.Set(k, genValue(depth-1).Draw(t, "v"))
		}
		return o
	})
}

// Property: WriteJSON writes exactly AppendJSON's text, and MinJSONSize
// never exceeds its length (whatever the stop).
func TestJSONSizeAndStreamProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := genValue(3).Draw(t, "v")
		want := AppendJSON(nil, v)
		var buf bytes.Buffer
		if _, err := WriteJSON(&buf, v); err != nil || !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("WriteJSON %q, AppendJSON %q (%v)", buf.Bytes(), want, err)
		}
		stop := rapid.IntRange(0, 200).Draw(t, "stop")
		if m := MinJSONSize(v, stop); m > len(want) {
			t.Fatalf("MinJSONSize(stop %d) = %d > %d for %s", stop, m, len(want), want)
		}
		if m := MinJSONSize(v, len(want)+1); m > len(want) {
			t.Fatalf("MinJSONSize = %d > %d for %s", m, len(want), want)
		}
	})
}

func TestMinJSONSizeStopsEarly(t *testing.T) {
	recs := make([]any, 1000000)
	for i := range recs {
		recs[i] = ObjectOf("id", float64(i))
	}
	// Each record is at least {"id":0} (8 bytes) plus a comma: the walk
	// passes 1 MiB after about 116,000 of them.
	if m := MinJSONSize(recs, 1<<20); m <= 1<<20 || m > 1<<20+64 {
		t.Errorf("MinJSONSize = %d", m)
	}
	if m := MinJSONSize([]any{"abc", 1.0, true}, 100); m != 2+2+5+1+4 {
		t.Errorf("small: %d", m)
	}
}
