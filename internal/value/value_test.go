package value

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{3, "3"}, {1.5, "1.5"}, {0.30000000000000004, "0.30000000000000004"}, {1e21, "1e+21"},
		{1e-7, "1e-7"}, {123456789012, "123456789012"}, {-0.000001, "-0.000001"},
		{math.Copysign(0, -1), "0"}, {2.5e-3, "0.0025"}, {1.2345e25, "1.2345e+25"}, {-42, "-42"},
		{100, "100"}, {1e20, "100000000000000000000"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.in); got != tt.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(AppendNumber(nil, tt.in)); got != tt.want {
			t.Errorf("AppendNumber(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJSONRoundTripKeepsOrder(t *testing.T) {
	in := `{"b":1,"a":[true,null,"x\n\u0001",2.5],"c":{"z":{},"y":[]}}`
	v, err := ParseJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := JSON(v); got != in {
		t.Errorf("JSON = %s, want %s", got, in)
	}
	want := "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null,\n    \"x\\n\\u0001\",\n    2.5\n  ],\n  \"c\": {\n    \"z\": {},\n    \"y\": []\n  }\n}"
	if got := IndentJSON(v, "  "); got != want {
		t.Errorf("IndentJSON =\n%s\nwant\n%s", got, want)
	}
}

func TestParseJSONErrors(t *testing.T) {
	for _, in := range []string{``, `{`, `[1,]`, `1 2`, `{"a" 1}`, `1e999`, `{"a": [1`} {
		if _, err := ParseJSON([]byte(in)); err == nil {
			t.Errorf("ParseJSON(%q): no error", in)
		} else if err.Error() == "EOF" {
			t.Errorf("ParseJSON(%q): bare EOF error", in)
		}
	}
}

func TestTruthyAndEqual(t *testing.T) {
	falsy := []any{nil, false, 0.0, ""}
	for _, v := range falsy {
		if Truthy(v) {
			t.Errorf("Truthy(%#v) = true", v)
		}
	}
	truthy := []any{true, 1.0, "0", []any{}, NewObject(0)}
	for _, v := range truthy {
		if !Truthy(v) {
			t.Errorf("Truthy(%#v) = false", v)
		}
	}
	a := ObjectOf("x", 1.0, "y", []any{"a"})
	b := ObjectOf("y", []any{"a"}, "x", 1.0)
	if !StrictEqual(a, b) {
		t.Error("objects with the same entries in another order differ")
	}
	if StrictEqual(1.0, "1") || StrictEqual(nil, false) || !StrictEqual(nil, nil) {
		t.Error("StrictEqual mixes types")
	}
}

func TestObjectOrder(t *testing.T) {
	o := NewObject(0)
	o.Set("b", 1.0)
	o.Set("a", 2.0)
	o.Set("b", 3.0)
	o.Delete("a")
	o.Set("c", nil)
	if got := JSON(o); got != `{"b":3,"c":null}` {
		t.Errorf("got %s", got)
	}
}

func TestYAML(t *testing.T) {
	v, err := ParseYAML([]byte("b: 1\na: [x, 2.5, true, null]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := JSON(v); got != `{"b":1,"a":["x",2.5,true,null]}` {
		t.Errorf("got %s", got)
	}
}

func TestRender(t *testing.T) {
	if got := Render(ObjectOf("a", []any{1.0, "x"})); got != `{"a":[1,"x"]}` {
		t.Errorf("got %s", got)
	}
	if Render(nil) != "" || Render(true) != "true" || Render(2.5) != "2.5" {
		t.Error("scalar rendering")
	}
}

func TestParseJSONAgainstStdlib(t *testing.T) {
	for _, in := range []string{
		`{"a":"x\"y\\z\/\u00e9\ud83d\ude00\n","b":[-0.5,1e3,-12,0,1.25E-2],"c":{"d":null,"e":true,"f":false}}`,
		` [ ] `, `{}`, `"plain"`, `123456789012345678`,
	} {
		v, err := ParseJSON([]byte(in))
		if err != nil {
			t.Fatalf("ParseJSON(%s): %v", in, err)
		}
		var std any
		if err := json.Unmarshal([]byte(in), &std); err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(std)
		var back any
		json.Unmarshal([]byte(JSON(v)), &back)
		b, _ := json.Marshal(back)
		if string(a) != string(b) {
			t.Errorf("ParseJSON(%s) = %s, stdlib %s", in, b, a)
		}
	}
	for _, bad := range []string{`{"a":1,}`, `[1 2]`, `"\x"`, `01`, `1.`, `-`, `tru`, `{"a"}`, "\"a\nb\""} {
		if _, err := ParseJSON([]byte(bad)); err == nil {
			t.Errorf("ParseJSON(%q): no error", bad)
		}
	}
}

func BenchmarkParseJSON(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[")
	for i := range 10000 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"id":%d,"score":%d,"active":true,"name":"item %d"}`, i, i%100, i)
	}
	sb.WriteString("]")
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		if _, err := ParseJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestObjectLarge(t *testing.T) {
	o := NewObject(0)
	for i := range 50 {
		o.Set(fmt.Sprint("k", i), float64(i))
	}
	o.Set("k3", "x")
	o.Delete("k10")
	o.Delete("k0")
	if v, _ := o.Get("k3"); v != "x" {
		t.Errorf("k3 = %v", v)
	}
	if v, ok := o.Get("k11"); !ok || v != 11.0 || o.Has("k10") || o.Len() != 48 || o.Keys()[0] != "k1" {
		t.Errorf("after deletes: %v %v len %d first %s", v, ok, o.Len(), o.Keys()[0])
	}
	c := o.Clone()
	c.Set("k49", "changed")
	if v, _ := o.Get("k49"); v != 49.0 {
		t.Error("clone shares values with the original")
	}
}

// TestParseJSONParallel: a large array read in two halves equals the
// sequential reading, and errors in either half are the sequential ones.
func TestParseJSONParallel(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("[")
	for i := 0; sb.Len() < parallelThreshold+1000; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, `{"id":%d,"s":"a,]\"}[%d","n":[1,{"x":null}]}`, i, i)
	}
	sb.WriteString("]")
	data := []byte(sb.String())
	par, err := ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	p := &jsonParser{data: data}
	seq, err := p.value()
	if err != nil {
		t.Fatal(err)
	}
	if !StrictEqual(par, seq) || len(par.([]any)) != len(seq.([]any)) {
		t.Fatal("parallel and sequential readings differ")
	}
	for _, at := range []int{len(data) / 4, len(data) * 3 / 4} {
		bad := append([]byte(nil), data...)
		copy(bad[at:], "@@@@")
		_, errPar := ParseJSON(bad)
		_, errSeq := (&jsonParser{data: bad}).value()
		if errPar == nil || errSeq == nil || errPar.Error() != errSeq.Error() {
			t.Errorf("error at %d: parallel %v, sequential %v", at, errPar, errSeq)
		}
	}
}
