package builtin

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

// specDir is the shared specification, relative to this package.
const specDir = "../../../../shared/spec"

// specExample is one `call` → `result` of a function table.
type specExample struct {
	line      int
	src, want string
	loose     bool // "→ e.g. …": any value will do
}

// exampleRE matches `expression` → `result`, `expression` → e.g. `result`
// and `expression` → error `CODE: message` in a table cell.
var exampleRE = regexp.MustCompile("`([^`]+)` → (e\\.g\\. |error )?`([^`]+)`")

// specFunctionExamples reads every example of the function tables of
// expressions.md §12 (the last column of each row).
func specFunctionExamples(t *testing.T) []specExample {
	data, err := os.ReadFile(filepath.Join(specDir, "expressions.md"))
	if err != nil {
		t.Skipf("%s not found: the spec examples are checked only beside the shared spec", specDir)
	}
	var out []specExample
	in12 := false
	for i, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "## ") {
			in12 = strings.HasPrefix(line, "## 12.")
		}
		if !in12 || !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := splitRow(line)
		for _, m := range exampleRE.FindAllStringSubmatch(cells[len(cells)-1], -1) {
			ex := specExample{line: i + 1, src: m[1], want: m[3], loose: m[2] == "e.g. "}
			if m[2] == "error " {
				ex.want = "error " + m[3]
			}
			out = append(out, ex)
		}
	}
	return out
}

// splitRow splits a markdown table row on the bars outside code spans.
func splitRow(line string) []string {
	var cells []string
	code := false
	start := 1
	for i := 1; i < len(line); i++ {
		switch line[i] {
		case '`':
			code = !code
		case '|':
			if !code {
				cells = append(cells, strings.TrimSpace(line[start:i]))
				start = i + 1
			}
		}
	}
	return cells
}

// TestSpecFunctionExamples evaluates every example of the spec's function
// tables through the expression language, with the spec's clock
// (2026-11-25T10:15:00.123Z) and zone (UTC).
func TestSpecFunctionExamples(t *testing.T) {
	saved := testInvoke
	testInvoke = nil
	defer func() { testInvoke = saved }()
	examples := specFunctionExamples(t)
	if len(examples) < 130 {
		t.Fatalf("only %d examples found in the function tables", len(examples))
	}
	clock := time.Date(2026, 11, 25, 10, 15, 0, 123_000_000, time.UTC)
	for _, ex := range examples {
		p, errs := expr.Compile(ex.src, nil, &expr.Names{Funcs: Table()})
		if len(errs) > 0 {
			t.Errorf("expressions.md:%d: %s: compile: %v", ex.line, ex.src, errs[0])
			continue
		}
		got, err := p.Eval(&expr.Env{Runtime: &expr.Runtime{Now: func() time.Time { return clock }, Loc: time.UTC}})
		if wantErr, ok := strings.CutPrefix(ex.want, "error "); ok {
			var ee *expr.EvalError
			if !errors.As(err, &ee) || ee.Code+": "+ee.Message != wantErr {
				t.Errorf("expressions.md:%d: %s = %s, %v; want error %s", ex.line, ex.src, value.JSON(got), err, wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("expressions.md:%d: %s: %v", ex.line, ex.src, err)
			continue
		}
		if g := value.JSON(got); !ex.loose && g != ex.want {
			t.Errorf("expressions.md:%d: %s = %s, want %s", ex.line, ex.src, g, ex.want)
		}
	}
	t.Logf("%d examples", len(examples))
}
