package value

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestYAMLRecursiveAliasIsAnError(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
	}{
		{"sequence", "a: &x [1, *x]\n", 1},
		{"mapping", "a: &x\n  b: 1\n  c: *x\n", 3},
		{"nested", "a: &x\n  - b: &y\n      - *x\n", 3},
		{"merge", "a: &x\n  <<: *x\n", 2},
		{"merge sequence", "a: &x\n  b: &y {c: 1}\n  d:\n    <<: [*y, *x]\n", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML([]byte(tt.in))
			var ye *YAMLError
			if !errors.As(err, &ye) {
				t.Fatalf("ParseYAML(%q) error = %v, want a *YAMLError", tt.in, err)
			}
			if ye.Line != tt.line || !strings.Contains(ye.Msg, "refers to itself") {
				t.Errorf("error = %q at line %d, want \"refers to itself\" at line %d", ye.Error(), ye.Line, tt.line)
			}
		})
	}
}

func TestYAMLAliasBombIsRefusedQuickly(t *testing.T) {
	// "Billion laughs": 9 levels of 10 aliases each, 10^9 values.
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	b.WriteString("top: *a8\n")
	start := time.Now()
	_, err := ParseYAML([]byte(b.String()))
	var ye *YAMLError
	if !errors.As(err, &ye) || !strings.Contains(ye.Msg, "aliases expand to more than") {
		t.Fatalf("error = %v, want an alias budget *YAMLError", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}

	// Big text repeated through aliases counts by size.
	big := strings.Repeat("x", 1<<20)
	doc := "s: &s " + big + "\nl: [" + strings.TrimSuffix(strings.Repeat("*s, ", 80), ", ") + "]\n"
	if _, err := ParseYAML([]byte(doc)); !errors.As(err, &ye) {
		t.Fatalf("80 MiB through aliases: error = %v, want a *YAMLError", err)
	}
}

func TestYAMLAliasesWithinBudget(t *testing.T) {
	v, err := ParseYAML([]byte("d: &d {retries: 3, tags: [a, b]}\nx: *d\ny: [*d, *d]\nk: &k key\n*k : 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"d":{"retries":3,"tags":["a","b"]},"x":{"retries":3,"tags":["a","b"]},"y":[{"retries":3,"tags":["a","b"]},{"retries":3,"tags":["a","b"]}],"k":"key","key":1}`
	if got := JSON(v); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestYAMLDeepNesting(t *testing.T) {
	// Within yaml.v3's own depth limit: converted without trouble.
	in := strings.Repeat("[", 9000) + strings.Repeat("]", 9000)
	if _, err := ParseYAML([]byte(in)); err != nil {
		t.Fatal(err)
	}
	// Aliases can nest deeper than the parser allows: refused by depth.
	var b strings.Builder
	b.WriteString("a0: &a0 " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n")
	b.WriteString("a1: &a1 " + strings.Repeat("[", 4000) + "*a0" + strings.Repeat("]", 4000) + "\n")
	b.WriteString("a2: &a2 " + strings.Repeat("[", 4000) + "*a1" + strings.Repeat("]", 4000) + "\n")
	_, err := ParseYAML([]byte(b.String()))
	var ye *YAMLError
	if !errors.As(err, &ye) || !strings.Contains(ye.Msg, "nesting deeper than") {
		t.Fatalf("error = %v, want a nesting *YAMLError", err)
	}
}

func TestYAMLMergeKeys(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"merge first", "anch: &a {x: 1}\nmerge:\n  <<: *a\n  y: 2\n", `{"anch":{"x":1},"merge":{"x":1,"y":2}}`},
		{"own key wins", "a: &a {x: 1, y: 1}\nm:\n  y: 2\n  <<: *a\n", `{"a":{"x":1,"y":1},"m":{"y":2,"x":1}}`},
		{"own key after wins", "a: &a {x: 1, y: 1}\nm:\n  <<: *a\n  x: 2\n", `{"a":{"x":1,"y":1},"m":{"y":1,"x":2}}`},
		{"sequence: earlier wins", "a: &a {x: 1}\nb: &b {x: 2, z: 3}\nm:\n  <<: [*a, *b]\n", `{"a":{"x":1},"b":{"x":2,"z":3},"m":{"x":1,"z":3}}`},
		{"inline mapping", "m:\n  <<: {x: 1}\n  y: 2\n", `{"m":{"x":1,"y":2}}`},
		{"nested merge", "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nm: {<<: *b}\n", `{"a":{"x":1},"b":{"x":1,"y":2},"m":{"x":1,"y":2}}`},
		{"explicit tag", "a: &a {x: 1}\nm: {!!merge <<: *a}\n", `{"a":{"x":1},"m":{"x":1}}`},
		{"quoted key is a key", "m: {\"<<\": x, '<<': y, a: 1}\n", `{"m":{"<<":"y","a":1}}`},
		{"merge value", "m: {a: <<}\n", `{"m":{"a":"<<"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseYAML([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := JSON(v); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestYAMLMergeOfNonMappingIsAnError(t *testing.T) {
	for _, in := range []string{"m: {<<: 1}\n", "a: &a [1]\nm: {<<: *a}\n", "m:\n  <<: [{x: 1}, 2]\n"} {
		_, err := ParseYAML([]byte(in))
		var ye *YAMLError
		if !errors.As(err, &ye) || !strings.Contains(ye.Msg, "map merge requires") {
			t.Errorf("ParseYAML(%q) error = %v, want a merge *YAMLError", in, err)
		}
	}
}

func TestYAMLWriteReadRoundTrip(t *testing.T) {
	v := ObjectOf("<<", "x", "a", 1.0, "true", "<<", "null", nil, "1", []any{"<<", "~", ""}, "", ObjectOf("<<", ObjectOf("k", "v")))
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(ToYAMLNode(v)); err != nil {
		t.Fatal(err)
	}
	back, err := ParseYAML(buf.Bytes())
	if err != nil {
		t.Fatalf("%v in\n%s", err, buf.String())
	}
	if !StrictEqual(back, v) {
		t.Errorf("read back %s, wrote %s, as\n%s", JSON(back), JSON(v), buf.String())
	}
	if !strings.HasPrefix(buf.String(), "\"<<\": x\n") {
		t.Errorf("merge-like key not quoted:\n%s", buf.String())
	}
}
