package store

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/flowscript/flowscript/internal/ast"
	fexec "github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/redact"
	"github.com/flowscript/flowscript/internal/value"
)

// BenchmarkRecorder feeds the events of a 10,000-node run (100 waves of
// 100 nodes: wave.start, node.start and node.end per node, wave.end)
// through a Recorder writing a real store, and reports ns per event. For
// comparison, BenchmarkRunNoop in package exec measures the executor at
// about 7 µs per node.
func BenchmarkRecorder(b *testing.B) {
	const n = 10000
	nodes := make([]*ast.Node, n)
	insts := make([]*fexec.Instance, n)
	for i := range nodes {
		nodes[i] = &ast.Node{Index: i, ID: fmt.Sprintf("n%d", i), Tag: "source", Type: "exec", Kind: "source/exec"}
		insts[i] = &fexec.Instance{Key: nodes[i].ID, Node: nodes[i], Status: fexec.StatusSuccess,
			Output: value.ObjectOf("id", float64(i), "ok", true, "name", "item"), Attempts: 1, Start: clock, End: clock.Add(time.Millisecond)}
	}
	for _, secrets := range []bool{false, true} {
		name := "no-secrets"
		var vals []string
		if secrets {
			name, vals = "secrets", []string{"s3cr3t-value"}
		}
		b.Run(name, func(b *testing.B) { benchRecorder(b, nodes, insts, redact.New(vals)) })
	}
}

func benchRecorder(b *testing.B, nodes []*ast.Node, insts []*fexec.Instance, m *redact.Masker) {
	const width = 100
	n := len(nodes)
	dir := b.TempDir()
	events := 0
	cpu0 := cpuTime()
	b.ReportAllocs()
	b.ResetTimer()
	for it := range b.N {
		s, err := Open(filepath.Join(dir, fmt.Sprint(it)))
		if err != nil {
			b.Fatal(err)
		}
		run, err := s.Create(testID, nil)
		if err != nil {
			b.Fatal(err)
		}
		st := NewState(testID, Workflow{Name: "bench"}, Options{MaxConcurrency: 10}, clock)
		rec := NewRecorder(run, st, m.String, m.Value)
		rec.Start("bench.flow.md", false)
		events = 1
		for w := 0; w < n/width; w++ {
			ids := make([]string, width)
			for k := range ids {
				ids[k] = nodes[w*width+k].ID
			}
			rec.Event(&fexec.Event{Type: fexec.EvWaveStart, Time: clock, Wave: w + 1, Waves: n / width, Nodes: ids})
			for k := range width {
				in := insts[w*width+k]
				rec.Event(&fexec.Event{Type: fexec.EvNodeStart, Time: clock, Inst: in, Attempt: 1})
				rec.Event(&fexec.Event{Type: fexec.EvNodeEnd, Time: clock, Inst: in, Status: in.Status})
			}
			rec.Event(&fexec.Event{Type: fexec.EvWaveEnd, Time: clock, Wave: w + 1, Status: "success"})
			events += 2 + 2*width
		}
		if err := rec.Finish(&fexec.Report{Status: fexec.RunSuccess, Instances: insts, Start: clock, End: clock}, 0); err != nil {
			b.Fatal(err)
		}
		events++
		run.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
	// CPU time of the whole process (all goroutines, the background
	// writers included): steadier than wall time on a loaded machine.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*events), "cpu-ns/event")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/node")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
