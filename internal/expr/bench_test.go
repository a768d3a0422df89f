package expr

import (
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

func benchItems(n int) []any {
	items := make([]any, n)
	for i := range items {
		items[i] = value.ObjectOf("score", float64(i%100), "active", i%3 == 0, "name", "item")
	}
	return items
}

func itemProgram(t testing.TB) (*Program, *Env) {
	n := &Names{Locals: []string{"item", "index"}}
	p, errs := Compile(`item.score > 50 && item.active`, nil, n)
	if errs != nil {
		t.Fatal(errs[0])
	}
	return p, &Env{}
}

// BenchmarkEval evaluates item.score > 50 && item.active over 100k items
// (one op is one item).
func BenchmarkEval(b *testing.B) {
	p, env := itemProgram(b)
	items := benchItems(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(items)
		env.SetItem(items[k], k, k == 0, k == len(items)-1, items)
		if _, err := p.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEvalAllocatesNothing(t *testing.T) {
	p, env := itemProgram(t)
	items := benchItems(1000)
	count := 0
	allocs := testing.AllocsPerRun(5, func() {
		for k, it := range items {
			env.SetItem(it, k, k == 0, k == len(items)-1, items)
			v, err := p.Eval(env)
			if err != nil {
				t.Fatal(err)
			}
			if v == true {
				count++
			}
		}
	})
	if allocs != 0 {
		t.Errorf("allocations per 1000 items = %v, want 0", allocs)
	}
	want := 0
	for i := range items {
		if i%100 > 50 && i%3 == 0 {
			want++
		}
	}
	if count != 6*want {
		t.Errorf("matched %d items per run, want %d", count/6, want)
	}
}

// BenchmarkTemplate renders a template of 20 segments (10 expressions and
// 10 texts).
func BenchmarkTemplate(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 10; i++ {
		sb.WriteString("name: {{ input.name }} score ")
		if i%2 == 0 {
			sb.WriteString("{{ input.score + 1 }}")
		} else {
			sb.WriteString("{{ input.tags[0] }}")
		}
	}
	tp, errs := CompileTemplate(sb.String(), nil, testNames())
	if errs != nil {
		b.Fatal(errs[0])
	}
	env := testEnv()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tp.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}
