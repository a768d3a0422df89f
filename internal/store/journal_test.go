package store

import (
	"bytes"
	"testing"

	"github.com/flowscript/flowscript/internal/ast"
	fexec "github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/redact"
)

// TestFastPathMatchesEventObject checks that the Recorder's direct
// encoding writes the same bytes as Append(EventObject(ev)).
func TestFastPathMatchesEventObject(t *testing.T) {
	node := &ast.Node{ID: "fetch", Kind: "source/http"}
	ok := &fexec.Instance{Key: "items[2]/fetch", Node: node, Status: "success", Attempts: 2, Start: clock,
		End: clock.Add(1500), Output: map[string]any(nil), RecoveredBy: "backup"}
	failed := &fexec.Instance{Key: "fetch", Node: node, Status: "failed", Attempts: 1, Start: clock, End: clock,
		Err: &fexec.NodeError{Code: "R606", Message: "HTTP 500 from tok-s3cr3t"}}
	skipped := &fexec.Instance{Key: "fetch", Node: node, Status: "skipped", Reason: "branch not taken"}
	events := []*fexec.Event{
		{Type: fexec.EvWaveStart, Time: clock, Scope: "", Wave: 1, Nodes: []string{"a", "b"}},
		{Type: fexec.EvWaveEnd, Time: clock, Scope: "loop[1]", Wave: 2, Status: "failed"},
		{Type: fexec.EvNodeStart, Time: clock, Inst: ok, Attempt: 2},
		{Type: fexec.EvNodeLog, Time: clock, Inst: ok, Stream: "stderr", Line: "token tok-s3cr3t \"quoted\""},
		{Type: fexec.EvNodeRetry, Time: clock, Inst: failed, Attempt: 1, DelayMS: 250, Error: failed.Err},
		{Type: fexec.EvNodeSkip, Time: clock, Inst: skipped},
		{Type: fexec.EvNodeEnd, Time: clock, Inst: ok, Status: "success"},
		{Type: fexec.EvNodeEnd, Time: clock, Inst: failed, Status: "failed", Error: failed.Err},
	}
	m := redact.New([]string{"tok-s3cr3t"})
	var slow, fast bytes.Buffer
	js := NewJournal(testID, &slow)
	js.SetMask(m.Value)
	jf := NewJournal(testID, &fast)
	rec := &Recorder{maskValue: m.Value}
	for _, ev := range events {
		js.Append(ev.Time, EventObject(ev))
		preview := ""
		if ev.Type == fexec.EvNodeEnd && ev.Inst.Status == "success" {
			preview = Preview(ev.Inst.Output)
		}
		jf.appendExec(ev, ev.Time, rec.maskStr, preview, true)
	}
	js.Close()
	jf.Close()
	if slow.String() != fast.String() {
		t.Errorf("fast path differs:\n%s\nwant:\n%s", fast.String(), slow.String())
	}
	if bytes.Contains(fast.Bytes(), []byte("s3cr3t")) {
		t.Errorf("secret in journal:\n%s", fast.String())
	}
}
