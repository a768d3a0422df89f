package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/source"
)

// testTextFields are the element names the tests treat as text fields.
var testTextFields = map[string]bool{
	"template": true, "condition": true, "command": true, "request": true,
	"output-schema": true, "path": true, "retry": true, "prompt": true,
}

func testIsText(parent *Element, name string) bool { return testTextFields[name] }

// dump renders an element tree compactly: name[attrs]{text}(children)#"texts".
func dump(e *Element) string {
	if e == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString(e.Name)
	if len(e.Attrs) > 0 {
		b.WriteByte('[')
		for i, a := range e.Attrs {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%s=%q", a.Name, a.Value)
		}
		b.WriteByte(']')
	}
	if e.Text != nil {
		fmt.Fprintf(&b, "{%q}", e.Text.Value)
	}
	if e.SelfClosing {
		b.WriteByte('/')
	}
	if len(e.Children) > 0 {
		b.WriteByte('(')
		for i, c := range e.Children {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(dump(c))
		}
		b.WriteByte(')')
	}
	for _, t := range e.Texts {
		fmt.Fprintf(&b, "#%q", t.Value)
	}
	return b.String()
}

// diagString renders diagnostics as "line:col-line:col CODE message".
func diagString(ds source.List) string {
	ds.Sort()
	var out []string
	for _, d := range ds {
		s, e := d.Start(), d.End()
		out = append(out, fmt.Sprintf("%d:%d-%d:%d %s %s", s.Line, s.Col, e.Line, e.Col, d.Code, d.Message))
	}
	return strings.Join(out, "\n")
}

func parseFenced(src string) (*Element, source.List, *source.File) {
	f := source.NewFile("t.flow.md", []byte(src))
	root, _, ds := ParseBody(f, 0, len(src), true, testIsText)
	return root, ds, f
}

func TestParseBodyTree(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty element", `<workflow/>`, `workflow/`},
		{"attributes", `<workflow><source id="a" type='exec'/></workflow>`,
			`workflow(source[id="a" type="exec"]/)`},
		{"blanks everywhere", "<workflow >\n<source\n  id = \"a\"\n\ttype=\t'b' />\n</workflow\n>",
			`workflow(source[id="a" type="b"]/)`},
		{"no blank between attributes", `<workflow><x a="1"b="2"/></workflow>`, `workflow(x[a="1" b="2"]/)`},
		{"value keeps < > && and newlines", "<workflow><if when=\"a < b && c>d\n e\"/></workflow>",
			`workflow(if[when="a < b && c>d\n e"]/)`},
		{"attribute entity", `<workflow><if when="x&#62;2"/></workflow>`, `workflow(if[when="x>2"]/)`},
		{"all entities", `<workflow><x v="&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x263a;"/></workflow>`,
			`workflow(x[v="<>&\"'AB☺"]/)`},
		{"not entities", `<workflow><x v="AT&T &copy; &#0; &#xD800; &#x110000; &#; &#x; &#X41; &lt &amp"/></workflow>`,
			`workflow(x[v="AT&T &copy; &#0; &#xD800; &#x110000; &#; &#x; &#X41; &lt &amp"]/)`},
		{"names with punctuation", `<workflow><a.b-c_d:e x_1.y-z:w="1"/></workflow>`, `workflow(a.b-c_d:e[x_1.y-z:w="1"]/)`},
		{"underscore attribute", `<workflow _x="1"/>`, `workflow[_x="1"]/`},
		{"case kept", `<workflow><Source Id="a"/></workflow>`, `workflow(Source[Id="a"]/)`},
		{"condition plain", `<workflow><if><condition>a < b && c</condition></if></workflow>`,
			`workflow(if(condition{"a < b && c"}))`},
		{"condition entities", `<workflow><if><condition>a &lt; b &amp;&amp; c</condition></if></workflow>`,
			`workflow(if(condition{"a < b && c"}))`},
		{"copy kept", `<workflow><t><template>&copy; 2026</template></t></workflow>`,
			`workflow(t(template{"&copy; 2026"}))`},
		{"tags in text field", `<workflow><t><template><h1>{{ title }}</h1><p>a < b</p></template></t></workflow>`,
			`workflow(t(template{"<h1>{{ title }}</h1><p>a < b</p>"}))`},
		{"text field end tag with blanks", "<workflow><t><template>x</template \n></t></workflow>",
			`workflow(t(template{"x"}))`},
		{"text field ignores other end tags", `<workflow><t><template>a</templates></t></template></t></workflow>`,
			`workflow(t(template{"a</templates></t>"}))`},
		{"cdata in text field", `<workflow><t><template><![CDATA[</template> & &lt;]]> &lt;</template></t></workflow>`,
			`workflow(t(template{"</template> & &lt; <"}))`},
		{"comment in text field is text", `<workflow><t><template>a<!-- b -->c</template></t></workflow>`,
			`workflow(t(template{"a<!-- b -->c"}))`},
		{"self-closing text field", `<workflow><t><template/></t></workflow>`, `workflow(t(template{""}/))`},
		{"empty text field", `<workflow><t><template></template></t></workflow>`, `workflow(t(template{""}))`},
		{"blank one-line text field", `<workflow><t><template>   </template></t></workflow>`, `workflow(t(template{""}))`},
		{"one-line field trims left only", `<workflow><t><template>  a b  </template></t></workflow>`,
			`workflow(t(template{"a b  "}))`},
		{"leading space kept by entity", `<workflow><t><template>&#32; a</template></t></workflow>`,
			`workflow(t(template{"  a"}))`},
		{"text field at root level is not text", `<workflow><template><x/></template></workflow>`,
			`workflow(template{"<x/>"})`},
		{"comments joined", `<workflow><if>a<!-- c -->b<x/>  c  </if></workflow>`,
			`workflow(if(x/)#"ab"#"c")`},
		{"blank text skipped", "<workflow>\n  <!-- c -->\n  <x/>\n</workflow>", `workflow(x/)`},
		{"less-than as text", `<workflow><if>1<2 x <= 3 a < b</if></workflow>`, `workflow(if#"1<2 x <= 3 a < b")`},
		{"amp as text", `<workflow><if>a && b &lt; AT&T</if></workflow>`, `workflow(if#"a && b < AT&T")`},
		{"cdata in content", `<workflow><if><![CDATA[<x/> &lt;]]></if></workflow>`, `workflow(if#"<x/> &lt;")`},
		{"comment with dashes", `<workflow><!-- a -- b --><x/></workflow>`, `workflow(x/)`},
		{"xml decl and comments around", "<?xml version=\"1.0\"?>\n<!-- a -->\n<workflow/>\n<!-- b -->\n", `workflow/`},
		{"crlf in attribute and field", "<workflow><t a=\"x\r\ny\"><template>\r\n  a\r\n  b\r\n</template></t></workflow>",
			`workflow(t[a="x\ny"](template{"a\nb"}))`},
		{"lone cr kept", "<workflow><t><template>a\rb</template></t></workflow>", `workflow(t(template{"a\rb"}))`},
		{"nested", `<workflow><loop><set key="a"/><if><then><x/></then></if></loop></workflow>`,
			`workflow(loop(set[key="a"]/ if(then(x/))))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, ds, _ := parseFenced(tt.src)
			if len(ds) > 0 {
				t.Fatalf("unexpected diagnostics:\n%s", diagString(ds))
			}
			if got := dump(root); got != tt.want {
				t.Errorf("tree\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseBodyDedentExample(t *testing.T) {
	src := "<workflow>\n  <transform>\n    <template>\n      Hello {{ name }},\n        indented line\n    </template>\n  </transform>\n</workflow>\n"
	root, ds, f := parseFenced(src)
	if len(ds) > 0 {
		t.Fatal(diagString(ds))
	}
	tx := root.Children[0].Children[0].Text
	if want := "Hello {{ name }},\n  indented line"; tx.Value != want {
		t.Fatalf("got %q, want %q", tx.Value, want)
	}
	// "indented" is on line 5, column 9.
	i := strings.Index(tx.Value, "indented")
	if p := f.Position(tx.Map(i)); p.Line != 5 || p.Col != 9 {
		t.Errorf("Map(%d) = %d:%d, want 5:9", i, p.Line, p.Col)
	}
	if p := f.Position(tx.Map(0)); p.Line != 4 || p.Col != 7 {
		t.Errorf("Map(0) = %d:%d, want 4:7", p.Line, p.Col)
	}
}

func TestFieldTextSteps(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"\n  a\n  b\n", "a\nb"},
		{"\n  a\n    b\n  ", "a\n  b"},
		{"\n\ta\n\t\tb\n", "a\n\tb"},
		{"\n  a\n\t b\n", "  a\n\t b"}, // no common run: spaces vs tab
		{"\n    a\n\n  \n    b\n", "a\n\n\nb"},
		{"\n    a\n      \n    b\n", "a\n  \nb"}, // blank lines lose what they have of it
		{"a\n  b", "a\n  b"},
		{"\n\n  a\n", "\na"}, // only the first line break is removed
		{"  a\n  b  \n\n", "a\nb  \n"},
		{"", ""},
		{"\n", ""},
		{"\n\n", ""},
		{"\n  <![CDATA[x\n  y]]>\n", "x\ny"},
		{"\n  &lt;\n  &#x41;\n", "<\nA"},
		{"\r\n  a\r\n  b\r\n  ", "a\nb"},
	}
	for _, tt := range tests {
		var d decoder
		src := []byte("<t>" + tt.raw + "</t>")
		got := d.fieldText(src, 3, 3+len(tt.raw))
		if got.Value != tt.want {
			t.Errorf("fieldText(%q) = %q, want %q", tt.raw, got.Value, tt.want)
		}
		// Every index maps inside the raw content, and mapped bytes match
		// where the value byte is copied.
		for i := 0; i <= len(got.Value); i++ {
			o := got.Map(i)
			if o < 3 || o > 3+len(tt.raw) {
				t.Errorf("fieldText(%q).Map(%d) = %d, outside the content", tt.raw, i, o)
			}
		}
	}
}

func TestTextMapEntities(t *testing.T) {
	src := `<workflow><x v="a&amp;b&#x263a;c"/></workflow>`
	root, ds, _ := parseFenced(src)
	if len(ds) > 0 {
		t.Fatal(diagString(ds))
	}
	a := root.Children[0].Attrs[0]
	base := strings.Index(src, `a&amp;`)
	// value "a&b☺c": a=0 &=1 b=2 ☺=3..5 c=6
	want := map[int]int{0: base, 1: base + 1, 2: base + 6, 3: base + 7, 6: base + 15, 7: base + 16}
	for i, w := range want {
		if got := a.Offset(i); got != w {
			t.Errorf("Map(%d) = %d, want %d", i, got, w)
		}
	}
	if a.ValueSpan != (source.Span{Start: base, End: base + 16}) {
		t.Errorf("ValueSpan = %v", a.ValueSpan)
	}
}

func TestParseBodySpans(t *testing.T) {
	src := "<workflow>\n  <source id=\"a\">\n    <template>x</template>\n  </source>\n</workflow>"
	root, ds, f := parseFenced(src)
	if len(ds) > 0 {
		t.Fatal(diagString(ds))
	}
	s := root.Children[0]
	pos := func(o int) string { p := f.Position(o); return fmt.Sprintf("%d:%d", p.Line, p.Col) }
	checks := []struct{ what, got, want string }{
		{"root start", pos(root.Start), "1:1"},
		{"root end", pos(root.End), "5:12"},
		{"source tag", pos(s.TagSpan.Start) + "-" + pos(s.TagSpan.End), "2:3-2:10"},
		{"source name", pos(s.NameSpan.Start) + "-" + pos(s.NameSpan.End), "2:4-2:10"},
		{"attr name", pos(s.Attrs[0].NameSpan.Start), "2:11"},
		{"attr value", pos(s.Attrs[0].ValueSpan.Start) + "-" + pos(s.Attrs[0].ValueSpan.End), "2:15-2:16"},
		{"source end", pos(s.End), "4:12"},
		{"template text", pos(s.Children[0].Text.Span.Start) + "-" + pos(s.Children[0].Text.Span.End), "3:15-3:16"},
		{"template end", pos(s.Children[0].End), "3:27"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.what, c.got, c.want)
		}
	}
	if s.Parent != root || s.Children[0].Parent != s {
		t.Error("parent links wrong")
	}
}

func TestParseBodyErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // "line:col-line:col CODE"
		tree      string   // optional
	}{
		{"no value", `<workflow><loop done/></workflow>`, []string{"1:17-1:21 S207"}, `workflow(loop/)`},
		{"no value before >", `<workflow><x a=></x></workflow>`, []string{"1:14-1:16 S207"}, ""},
		{"unquoted", `<workflow><x id=a/></workflow>`, []string{"1:17-1:18 S207"}, `workflow(x[id="a"]/)`},
		{"bad name", `<workflow><x 1a="b" -c="d" ok="1"/></workflow>`, []string{"1:14-1:16 S207", "1:21-1:23 S207"},
			`workflow(x[ok="1"]/)`},
		{"unexpected char", `<workflow><x $ a="1"/></workflow>`, []string{"1:14-1:15 S207"}, `workflow(x[a="1"]/)`},
		{"stray value", `<workflow><x "v" a="1"/></workflow>`, []string{"1:14-1:17 S207"}, `workflow(x[a="1"]/)`},
		{"duplicate", `<workflow><x a="1" a="2"/></workflow>`, []string{"1:20-1:21 S208"}, `workflow(x[a="1"]/)`},
		{"missing end tag", "<workflow>\n  <loop>\n</workflow>", []string{"2:3-2:8 S204"}, `workflow(loop)`},
		{"missing root end tag", "<workflow>\n  <x/>\n", []string{"1:1-1:10 S204"}, `workflow(x/)`},
		{"mismatched", "<workflow><a></b></workflow>", []string{"1:14-1:18 S205"}, `workflow(a)`},
		{"end without start", "<workflow/>\n</x>", []string{"2:1-2:5 S206"}, `workflow/`},
		{"end without name", "<workflow></></workflow>", []string{"1:11-1:14 S205"}, "workflow"},
		{"unterminated comment", "<workflow>\n<!-- x\n", []string{"2:1-2:5 S209"}, `workflow`},
		{"unterminated cdata", "<workflow><if><![CDATA[x</if></workflow>", []string{"1:15-1:24 S209"}, ""},
		{"unterminated cdata in field", "<workflow><t><template><![CDATA[x</template></t></workflow>", []string{"1:24-1:33 S209"}, ""},
		{"unterminated tag at eof", "<workflow><x a=\"1\"", []string{"1:11-1:13 S209"}, ""},
		{"unterminated tag before tag", "<workflow><x a=\"1\"\n<y/></x></workflow>", []string{"1:11-1:13 S209"}, `workflow(x[a="1"](y/))`},
		{"unterminated value", "<workflow><x a=\"1/>\n<y/></workflow>", []string{"1:16-1:17 S209"}, `workflow(x/ y/)`},
		{"unterminated end tag", "<workflow><x></x <y/></workflow>", []string{"1:14-1:17 S209"}, `workflow(x y/)`},
		{"lone end tag opener", "<workflow></ <x/></workflow>", []string{"1:11-1:13 S205"}, `workflow(x/)`},
		{"doctype", "<!DOCTYPE workflow [<!ENTITY a \"b\">]>\n<workflow/>", []string{"1:1-1:10 S210"}, `workflow/`},
		{"entity decl inside", "<workflow><!ENTITY a \"b\"><x/></workflow>", []string{"1:11-1:19 S210"}, `workflow(x/)`},
		{"other decl", "<workflow><!foo></workflow>", []string{"1:11-1:16 S210"}, `workflow`},
		{"pi", "<workflow><?php echo 1 ?></workflow>", []string{"1:11-1:16 S210"}, `workflow`},
		{"xml decl after workflow", "<workflow/><?xml version=\"1.0\"?>", []string{"1:12-1:17 S210"}, `workflow/`},
		{"second xml decl", "<?xml version=\"1.0\"?><?xml version=\"1.0\"?><workflow/>", []string{"1:22-1:27 S210"}, `workflow/`},
		{"unterminated pi", "<workflow><?x", []string{"1:11-1:14 S209", "1:11-1:14 S210"}, ``},
		{"text before", "hello\n<workflow/>", []string{"1:1-1:6 S203"}, `workflow/`},
		{"text after", "<workflow/>\n  bye now  \n", []string{"2:3-2:10 S203"}, `workflow/`},
		{"two workflows", "<workflow/>\n<workflow/>", []string{"2:1-2:10 S203"}, `workflow/`},
		{"other root", "<flow/>", []string{"1:1-1:2 S201", "1:1-1:6 S203"}, `<nil>`},
		{"empty", "", []string{"1:1-1:1 S201"}, `<nil>`},
		{"text field not closed", "<workflow><t><template>abc</t></workflow>", []string{"1:14-1:23 S204"}, ``},
		{"many errors", "<workflow>\n<x a=1 a=\"2\" b>\n<y></z>\n<!DOCTYPE x>\n</workflow>",
			[]string{"2:1-2:3 S204", "2:6-2:7 S207", "2:8-2:9 S208", "2:14-2:15 S207", "3:4-3:8 S205", "4:1-4:10 S210"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, ds, _ := parseFenced(tt.src)
			var got []string
			ds.Sort()
			for _, d := range ds {
				s, e := d.Start(), d.End()
				got = append(got, fmt.Sprintf("%d:%d-%d:%d %s", s.Line, s.Col, e.Line, e.Col, d.Code))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("diagnostics\n got %q\nwant %q\n%s", got, tt.want, diagString(ds))
			}
			if tt.tree != "" {
				if g := dump(root); g != tt.tree {
					t.Errorf("tree\n got %s\nwant %s", g, tt.tree)
				}
			}
		})
	}
}

func TestParseBodyMessages(t *testing.T) {
	tests := []struct{ src, msg, hint string }{
		{`<workflow><loop done/></workflow>`, `attribute "done" has no value`, `write done="true"`},
		{`<workflow><x id=a/></workflow>`, `value of attribute "id" is not quoted`, `write id="a"`},
		{`<workflow><x a="1" a="2"/></workflow>`, `duplicate attribute "a"`, `"a" is first given on line 1`},
		{"<workflow><a></b></workflow>", `mismatched end tag "</b>"`, `<a> opened on line 1 is closed by </a>`},
		{"<workflow>\n<loop>\n</workflow>", `element <loop> is not closed`, `add </loop> before </workflow> on line 3`},
		{"<Workflow/>", `unexpected element "Workflow" outside <workflow>`, `did you mean "workflow"?`},
	}
	for _, tt := range tests {
		_, ds, _ := parseFenced(tt.src)
		ds.Sort()
		var d *source.Diagnostic
		for _, x := range ds {
			if x.Message == tt.msg {
				d = x
			}
		}
		if d == nil {
			t.Errorf("%q: no diagnostic %q in\n%s", tt.src, tt.msg, diagString(ds))
			continue
		}
		if len(d.Hints) == 0 || d.Hints[0] != tt.hint {
			t.Errorf("%q: hints %q, want %q", tt.src, d.Hints, tt.hint)
		}
	}
}

func TestParseBodyRaw(t *testing.T) {
	tests := []struct {
		name, src string
		wantEnd   string // the text from bodyEnd
		want      []string
	}{
		{"blank lines inside", "pre\n<workflow>\n\n  <x/>\n\n</workflow>  \n## Notes\n", "## Notes\n", nil},
		{"no final newline", "<workflow>\n</workflow>", "", nil},
		{"content after end tag", "<workflow>\n</workflow> trailing\n## Notes\n", "## Notes\n", []string{"2:13-2:21 S203"}},
		{"comment after end tag", "<workflow/><!-- x -->\nfooter", "footer", []string{"1:12-1:22 S203"}},
		{"unclosed", "<workflow>\n<x/>\n", "", []string{"1:1-1:10 S204"}},
		{"footer markup never parsed", "<workflow/>\n<x></y>\n", "<x></y>\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := source.NewFile("t.flow.md", []byte(tt.src))
			start := strings.Index(tt.src, "<workflow")
			root, end, ds := ParseBody(f, start, len(tt.src), false, testIsText)
			if root == nil || root.Name != "workflow" {
				t.Fatalf("root = %v", dump(root))
			}
			if got := tt.src[end:]; got != tt.wantEnd {
				t.Errorf("rest = %q, want %q", got, tt.wantEnd)
			}
			var got []string
			for _, d := range ds {
				s, e := d.Start(), d.End()
				got = append(got, fmt.Sprintf("%d:%d-%d:%d %s", s.Line, s.Col, e.Line, e.Col, d.Code))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("diagnostics %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseBodyLimits(t *testing.T) {
	deep := strings.Repeat("<a>", 70) + strings.Repeat("</a>", 70)
	attrs := "<workflow"
	for i := 0; i < 66; i++ {
		attrs += fmt.Sprintf(" a%d=\"1\"", i)
	}
	attrs += "/>"
	bigAttr := `<workflow a="` + strings.Repeat("x", MaxTextSize+1) + `"/>`
	bigText := `<workflow><t><template>` + strings.Repeat("x", MaxTextSize+1) + `</template></t></workflow>`
	okText := `<workflow><t><template>` + strings.Repeat("x", MaxTextSize) + `</template></t></workflow>`
	many := "<workflow>" + strings.Repeat("<x/>", MaxElements) + "</workflow>"
	tests := []struct {
		name, src string
		want      []string
	}{
		{"depth", "<workflow>" + deep + "</workflow>", []string{"1:200-1:202 S212"}},
		{"depth 64 ok", "<workflow>" + strings.Repeat("<a>", 63) + strings.Repeat("</a>", 63) + "</workflow>", nil},
		{"attributes", attrs, []string{"1:513-1:516 S212"}},
		{"attribute size", bigAttr, []string{"1:14-1:1048591 S212"}},
		{"text size", bigText, []string{"1:24-1:25 S212"}},
		{"text size ok", okText, nil},
		{"elements", many, []string{"1:400007-1:400009 S212"}},
		{"elements ok", "<workflow>" + strings.Repeat("<x/>", MaxElements-1) + "</workflow>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds, _ := parseFenced(tt.src)
			var got []string
			for _, d := range ds {
				s, e := d.Start(), d.End()
				got = append(got, fmt.Sprintf("%d:%d-%d:%d %s", s.Line, s.Col, e.Line, e.Col, d.Code))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("diagnostics %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFieldElements(t *testing.T) {
	src := "<workflow><t><output-schema>\n  <!-- c -->\n  <field name=\"a\" type=\"string\"/>\n  <field name=\"b\"><field name=\"c\"/></field>\n</output-schema><output-schema>{a: string}</output-schema></t></workflow>"
	root, ds, f := parseFenced(src)
	if len(ds) > 0 {
		t.Fatal(diagString(ds))
	}
	t1, t2 := root.Children[0].Children[0], root.Children[0].Children[1]
	ok, ds := ParseFieldElements(f, t1, testIsText)
	if !ok || len(ds) > 0 {
		t.Fatalf("ok=%v %s", ok, diagString(ds))
	}
	if got, want := dump(t1), `output-schema(field[name="a" type="string"]/ field[name="b"](field[name="c"]/))`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if t1.Children[1].Parent != t1 {
		t.Error("parent not set")
	}
	if ok, _ := ParseFieldElements(f, t2, testIsText); ok || t2.Text == nil {
		t.Error("DSL text taken for elements")
	}
	// Errors inside are reported.
	src = "<workflow><t><output-schema><field name=\"a\"><x></output-schema></t></workflow>"
	root, _, f = parseFenced(src)
	_, ds = ParseFieldElements(f, root.Children[0].Children[0], testIsText)
	if got := diagString(ds); !strings.Contains(got, "1:29-1:35 S204") || !strings.Contains(got, "1:45-1:47 S204") {
		t.Errorf("got %s", got)
	}
}

// Regression: hints naming a line used to resolve a full position, whose
// cost is the length of the line, so many errors on one long line were
// quadratic; and a pathological body could record millions of diagnostics.
func TestParseBodyManyErrorsOnOneLine(t *testing.T) {
	src := "<workflow>" + strings.Repeat(`<x a="1" a="1"/>`, 20000) + "</workflow>"
	_, ds, _ := parseFenced(src)
	if len(ds) != MaxBodyDiagnostics {
		t.Errorf("%d diagnostics, want the cap %d", len(ds), MaxBodyDiagnostics)
	}
	if ds[0].Code != "S208" || ds[0].Hints[0] != `"a" is first given on line 1` {
		t.Errorf("first diagnostic %s %q", ds[0].Code, ds[0].Hints)
	}
}

func TestLineOf(t *testing.T) {
	for _, src := range []string{"", "a", "a\n", "a\nbc\n\nd", "\n\n"} {
		f := source.NewFile("x", []byte(src))
		for off := 0; off <= len(src); off++ {
			if got, want := lineOf(f, off), f.Position(off).Line; got != want {
				t.Errorf("%q: lineOf(%d) = %d, want %d", src, off, got, want)
			}
		}
	}
}
