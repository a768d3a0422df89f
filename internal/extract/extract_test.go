package extract

import (
	"errors"
	"testing"
)

// TestCompile: Compile, which the validator calls, words a
// bad expression by its text and position instead of the JMESPath
// library's token names ("Expected TOKStar, received: TOKLbracket").
func TestCompile(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"$.user.name", ""},
		{"  items[*].id ", ""},
		{"abs(store)", ""}, // an unknown or misapplied function fails at run time
		{"id[[", `invalid JMESPath "id[[": unexpected "[" at position 4`},
		{" id[[ ", `invalid JMESPath "id[[": unexpected "[" at position 4`},
		{"foo bar", `invalid JMESPath "foo bar": unexpected "bar" at position 5`},
		{"#", `invalid JMESPath "#": unexpected "#" at position 1`},
		{"é[[", `invalid JMESPath "é[[": unexpected "é" at position 1`},
		{"items[?", `invalid JMESPath "items[?": unexpected end of expression`},
		{"$.[[", `invalid JSONPath "$.[[": unexpected '[' at position 3`},
	}
	for _, tt := range tests {
		err := Compile(tt.expr)
		got := ""
		if err != nil {
			got = err.Error()
			var ee *Error
			if !errors.As(err, &ee) || ee.Err == nil {
				t.Errorf("%q: %T is not an *Error with its cause", tt.expr, err)
			}
		}
		if got != tt.want {
			t.Errorf("Compile(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}
