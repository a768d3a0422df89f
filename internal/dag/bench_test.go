package dag

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/flowscript/flowscript/internal/ast"
)

// benchFlow builds a flow of about n nodes: a chain of hubs, each with
// nine nodes fanning out from it (reading the hub and an earlier node),
// and every 100 nodes an if whose arm reads the outside and is read from
// outside (lifted edges), plus a variable per 1000 nodes written in those arms.
func benchFlow(tb testing.TB, n int) *ast.Flow {
	b := newFB(tb, "bench")
	hub := "h0"
	b.leaf("source/exec", hub, "command=date")
	count := 2
	lastIf := ""
	prev := hub
	v := "v0"
	b.leaf("set", "", "var=v0", "expr=0")
	for count < n {
		switch {
		case count%100 == 0:
			if count%1000 == 0 {
				v = fmt.Sprintf("v%d", count)
				b.leaf("set", "", "var="+v, "expr=0")
				count++
			}
			lastIf = fmt.Sprintf("if%d", count)
			b.open("if", lastIf, "condition="+hub+" != null")
			b.arm("then")
			b.leaf("transform/template", fmt.Sprintf("in%d", count), "template={{ "+hub+" }}")
			b.leaf("set", "", "var="+v, "expr="+v+" + 1")
			b.end()
			b.end()
			count += 3
		case count%10 == 0:
			next := fmt.Sprintf("h%d", count)
			tmpl := "template={{ " + hub + " }}"
			if lastIf != "" {
				tmpl = "template={{ " + hub + " }}{{ in" + lastIf[2:] + " }}"
			}
			b.leaf("transform/template", next, tmpl)
			hub = next
			count++
		default:
			id := fmt.Sprintf("n%d", count)
			b.leaf("transform/template", id, "template={{ "+hub+".x }} {{ "+prev+" }}")
			prev = id
			count++
		}
	}
	b.leaf("transform/template", "sum", "template={{ "+v+" }}")
	return b.done()
}

func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		flow := benchFlow(b, n)
		b.Run(fmt.Sprintf("nodes=%d", len(flow.Nodes)), func(b *testing.B) {
			b.ReportAllocs()
			runtime.GC() // the garbage of benchFlow is not Build's
			for b.Loop() {
				if _, diags := Build(flow); len(diags) > 0 {
					b.Fatal(diags[0].Error())
				}
			}
		})
	}
}
