package parser

import (
	"strings"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/source"
)

func TestAdversarialTiming(t *testing.T) {
	pats := []string{"<a", "<a b=\"", "<!--", "<![CDATA[", "</", "&#1111", "<a>", "</a>", "<?", "<!x", "a=", "<t><template>", "<a b c d", "<a b='>", "\n<workflow>\n", "```flowscript\n", "`", "\n    x\n", "<x a=\"1\" a=\"1\"", "<x\n<y\n"}
	for _, p := range pats {
		s := "<workflow>" + strings.Repeat(p, (1<<20)/len(p))
		f := source.NewFile("x", []byte(s))
		t0 := time.Now()
		ParseBody(f, 0, len(s), true, testIsText)
		ParseBody(f, 0, len(s), false, testIsText)
		d1 := time.Since(t0)
		t0 = time.Now()
		LocateBody(f, 0)
		d2 := time.Since(t0)
		t.Logf("%-20q parse %v locate %v", p, d1, d2)
	}
}
