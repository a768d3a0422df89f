package value

import (
	"math"
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
