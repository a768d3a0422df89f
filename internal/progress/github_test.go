package progress

import (
	"bytes"
	"testing"

	"github.com/flowscript/flowscript/internal/source"
)

func TestAnnotationEscaping(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props []Prop
		msg   string
		want  string
	}{
		{"plain", []Prop{{"file", "a.flow.md"}, {"line", "3"}}, "boom", "::error file=a.flow.md,line=3::boom"},
		{"message", nil, "100% done\r\nnext: a, b", "::error::100%25 done%0D%0Anext: a, b"},
		{"property", []Prop{{"title", "x: y, 50%\nz"}}, "m", "::error title=x%3A y%2C 50%25%0Az::m"},
		{"empty", []Prop{{"file", ""}}, "", "::error file=::"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Annotation("error", tc.props, tc.msg); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestAnnotateDiagnostics(t *testing.T) {
	f := source.NewFile("dir,x/a.flow.md", []byte("<workflow>\n  <x id=\"a\"/>\n</workflow>\n"))
	var l source.List
	l.Add(f, source.Sp(13, 15), "N301", "unknown element <x>")
	l.Add(f, source.Sp(0, 9), "W702", "%s", "odd: 100%")
	for _, tc := range []struct {
		env  string
		want string
	}{
		{"true", "::error file=dir%2Cx/a.flow.md,line=2,col=3,endLine=2,endColumn=4,title=N301::unknown element <x>\n" +
			"::warning file=dir%2Cx/a.flow.md,line=1,col=1,endLine=1,endColumn=9,title=W702::odd: 100%25\n"},
		{"false", ""},
		{"", ""},
	} {
		var b bytes.Buffer
		AnnotateDiagnostics(&b, func(k string) (string, bool) { return tc.env, tc.env != "" }, l)
		if b.String() != tc.want {
			t.Errorf("GITHUB_ACTIONS=%q:\n%s\nwant:\n%s", tc.env, b.String(), tc.want)
		}
	}
}
