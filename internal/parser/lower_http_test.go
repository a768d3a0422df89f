package parser

import "testing"

// TestHTTPExtractValidated: a written extract that is not valid JSONPath
// or JMESPath is N305 at validate time, in a readable wording; it used to
// pass validate and fail the node with R601 after the request was sent.
func TestHTTPExtractValidated(t *testing.T) {
	const hint = "\n  hint: extract is JSONPath (RFC 9535) when it starts with \"$\", else JMESPath"
	tests := []struct {
		name, body, want string
	}{
		{"JMESPath attribute", `  <sink id="x" type="http" url="http://x/" extract="id[["/>`,
			`w.flow.md:6:53: error[N305]: "extract": invalid JMESPath "id[[": unexpected "[" at position 4` + hint},
		{"JSONPath attribute", `  <source id="x" type="http" url="http://x/" extract="$.[["/>`,
			`w.flow.md:6:55: error[N305]: "extract": invalid JSONPath "$.[[": unexpected '[' at position 3` + hint},
		{"response block", `  <source id="x" type="http" url="http://x/">
    <response>
      extract: foo bar
    </response>
  </source>`, `w.flow.md:8:16: error[N305]: "extract": invalid JMESPath "foo bar": unexpected "bar" at position 5` + hint},
		{"field element", `  <source id="x" type="http" url="http://x/">
    <extract>items[?</extract>
  </source>`, `w.flow.md:7:14: error[N305]: "extract": invalid JMESPath "items[?": unexpected end of expression` + hint},
		{"valid JSONPath", `  <source id="x" type="http" url="http://x/" extract="$.items[?@.n > 1].id"/>`, ``},
		{"valid JMESPath", `  <source id="x" type="http" url="http://x/" extract="items[*].{id: id, n: n}"/>`, ``},
		{"empty", `  <source id="x" type="http" url="http://x/" extract=""/>`, ``},
		{"a template is not allowed (str field)", `  <source id="x" type="http" url="http://x/" extract="{{ 'a' }}"/>`,
			`w.flow.md:6:55: error[N305]: field "extract" is not a template
  hint: this field is not a template; its text is used as written`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseBody(t, tt.body); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestHTTPAuthWithAuthorizationHeader: "auth" with a written
// Authorization header is N307 at validate time (nodes.md §2.2), at the
// field written second; it used to fail the node at run time. A header
// that is null (dropped), a template, or in a whole-value template is left
// to the runtime.
func TestHTTPAuthWithAuthorizationHeader(t *testing.T) {
	const hint = "\n  hint: \"auth\" sets the Authorization header itself; remove the header or \"auth\""
	tests := []struct {
		name, body, want string
	}{
		{"attributes", `  <source id="a" type="http" url="http://x/" auth="{type: bearer, token: x}" headers="{authorization: 'Bearer y'}"/>`,
			`w.flow.md:6:78: error[N307]: "auth" cannot be used with an "Authorization" header` + hint},
		{"headers first", `  <source id="a" type="http" url="http://x/" headers="{AUTHORIZATION: 'Bearer y'}" auth="{type: bearer, token: x}"/>`,
			`w.flow.md:6:84: error[N307]: "auth" cannot be used with an "Authorization" header` + hint},
		{"request block", `  <source id="a" type="http">
    <request>
      url: http://x/
      auth: {type: basic, username: u, password: "{{ $run.id }}"}
      headers:
        X-A: "{{ $run.id }}"
        Authorization: Basic abc
    </request>
  </source>`, `w.flow.md:10:7: error[N307]: "auth" cannot be used with an "Authorization" header` + hint},
		{"a null header is dropped", `  <source id="a" type="http" url="http://x/" auth="{type: bearer, token: x}" headers="{Authorization: null}"/>`, ``},
		{"a template header", `  <source id="a" type="http" url="http://x/" auth="{type: bearer, token: x}" headers="{Authorization: '{{ null }}'}"/>`, ``},
		{"headers from a template", `  <source id="a" type="http" url="http://x/" auth="{type: bearer, token: x}" headers="{{ {Authorization: 'x'} }}"/>`, ``},
		{"auth from a template", `  <source id="a" type="http" url="http://x/" auth="{{ null }}" headers="{Authorization: x}"/>`, ``},
		{"other headers", `  <source id="a" type="http" url="http://x/" auth="{type: bearer, token: x}" headers="{X-Authorization: x}"/>`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseBody(t, tt.body); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
