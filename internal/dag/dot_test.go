package dag_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/dag"
	"github.com/flowscript/flowscript/internal/load"
)

// TestDOTRendersWithGraphviz feeds the DOT output of plans with containers
// and phases to Graphviz's dot (Debian's graphviz), which must accept it
// and produce SVG naming every node.
func TestDOTRendersWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("dot (graphviz) is not installed; .ci/run installs it")
		}
		t.Skip("dot (graphviz) is not installed; apt-get install graphviz to run this test")
	}
	src := `---
name: plan-dot
version: 1
---
<workflow>
  <phase name="gather">
    <source id="ticket" type="exec" command="echo '{}'" stdout="json"/>
  </phase>
  <branch id="route" input="ticket">
    <match pattern="{ type: 'urgent' }">
      <transform id="page" type="template" template="page #1 \ on-call"/>
    </match>
    <otherwise>
      <foreach id="each" collection="[1, 2]">
        <transform id="line" type="template" template="{{ item }}"/>
      </foreach>
    </otherwise>
  </branch>
  <sink id="save" type="file" input="route" path="out/route.txt"/>
</workflow>
`
	_, plan, diags := load.Source("t.flow.md", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var b bytes.Buffer
	plan.WriteDOT(&b, dag.RenderOptions{Scheduler: "waves", MaxConcurrency: 10})
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = &b
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("dot rejected the plan: %v\n%s\ninput:\n%s", err, errb.String(), b.String())
	}
	svg := out.String()
	for _, id := range []string{"ticket", "route", "page", "each", "line", "save"} {
		if !strings.Contains(svg, ">"+id+"<") {
			t.Errorf("SVG has no node %q", id)
		}
	}
}
