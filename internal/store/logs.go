package store

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/progress"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// ReadJournal returns the journal of run ref (an id or "last", see Load)
// as stored, and the run id.
func (s *Store) ReadJournal(ref, workflowAbs string) ([]byte, string, error) {
	id, err := s.resolve(ref, workflowAbs)
	if err != nil {
		return nil, "", err
	}
	data, err := os.ReadFile(filepath.Join(s.runDir(id), JournalFile))
	if err != nil {
		return nil, id, fmt.Errorf("run %q: cannot read events.ndjson: %v", id, err)
	}
	return data, id, nil
}

// ReadWorkflow returns the run's copy of its workflow file.
func (s *Store) ReadWorkflow(id string) ([]byte, error) {
	return os.ReadFile(filepath.Join(s.runDir(id), WorkflowFile))
}

// PlainOptions configure WritePlain.
type PlainOptions struct {
	// Nodes is the node count for the run line (0: the number of
	// top-level nodes in the plan event).
	Nodes int
	// Node keeps only the lines of this instance key and its iterations.
	Node string
}

// FilterRaw keeps the journal lines of node key (and its iterations).
func FilterRaw(data []byte, key string) ([]byte, error) {
	var out []byte
	err := eachEvent(data, func(line []byte, ev *value.Object) {
		if matchNode(str(ev, "node"), key) {
			out = append(out, line...)
			out = append(out, '\n')
		}
	})
	return out, err
}

func matchNode(node, key string) bool {
	return node != "" && (node == key || strings.HasPrefix(node, key+"[") || strings.HasPrefix(node, key+"/"))
}

func eachEvent(data []byte, fn func(line []byte, ev *value.Object)) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	n := 0
	for sc.Scan() {
		n++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		v, err := value.ParseJSON(sc.Bytes())
		o, ok := v.(*value.Object)
		if err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("not a JSON object")
			}
			return fmt.Errorf("events.ndjson line %d: %v", n, err)
		}
		fn(sc.Bytes(), o)
	}
	return nil
}

func str(o *value.Object, k string) string {
	v, _ := o.Get(k)
	s, _ := v.(string)
	return s
}

func num(o *value.Object, k string) int64 {
	v, _ := o.Get(k)
	f, _ := v.(float64)
	return int64(f)
}

func obj(o *value.Object, k string) *value.Object {
	v, _ := o.Get(k)
	x, _ := v.(*value.Object)
	return x
}

func word(w string) string {
	if len(w) >= 6 {
		return w + " "
	}
	return w + strings.Repeat(" ", 6-len(w))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func elapsed(ms int64) string { return units.FormatElapsed(time.Duration(ms) * time.Millisecond) }

// WritePlain renders a journal as the plain progress lines of
// spec/cli.md §12.3 (the diagnostic that follows a failure is not part of
// the journal and is not printed).
func WritePlain(w io.Writer, data []byte, o PlainOptions) error {
	var evs []*value.Object
	if err := eachEvent(data, func(_ []byte, ev *value.Object) { evs = append(evs, ev) }); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	inWave := false
	waves := 0
	line := func(s string) {
		if inWave && o.Node == "" {
			s = "  " + s
		}
		bw.WriteString(s)
		bw.WriteByte('\n')
	}
	for i, ev := range evs {
		kind := str(ev, "event")
		node := str(ev, "node")
		if o.Node != "" && !matchNode(node, o.Node) {
			continue
		}
		switch kind {
		case "run.start":
			inWave = false
			waves = 0
			var plan *value.Object
			reused := 0
			for _, next := range evs[i+1:] {
				t := str(next, "event")
				if t == "run.start" {
					break
				}
				if t == "plan" && plan == nil {
					plan = next
				}
				if t == "node.reused" {
					reused++
				}
			}
			nodes := o.Nodes
			if plan != nil {
				ws, _ := plan.Get("waves")
				wl, _ := ws.([]any)
				waves = len(wl)
				if nodes == 0 {
					for _, w := range wl {
						ids, _ := w.([]any)
						nodes += len(ids)
					}
				}
			}
			wf := obj(ev, "workflow")
			attempt := num(ev, "attempt")
			if v, _ := ev.Get("resumed"); v == true || attempt > 1 {
				line(fmt.Sprintf("resume %s (attempt %d): reusing %d nodes", str(ev, "run"), attempt, reused))
				continue
			}
			line(fmt.Sprintf("run %s %s %s: %d nodes, %d waves, max concurrency %d", str(ev, "run"),
				str(wf, "name"), str(wf, "version"), nodes, waves, num(obj(ev, "options"), "max_concurrency")))
		case exec.EvWaveStart:
			if str(ev, "scope") != "" {
				continue
			}
			inWave = false
			nv, _ := ev.Get("nodes")
			nl, _ := nv.([]any)
			ids := make([]string, len(nl))
			for k, n := range nl {
				ids[k], _ = n.(string)
			}
			line(fmt.Sprintf("wave %d/%d: %s", num(ev, "wave"), waves, strings.Join(ids, ", ")))
			inWave = true
		case exec.EvWaveEnd:
			if str(ev, "scope") == "" {
				inWave = false
			}
		case exec.EvNodeStart:
			if num(ev, "attempt") > 1 {
				continue
			}
			line(word("start") + node + " (" + str(ev, "kind") + ")")
		case exec.EvNodeLog:
			sep := " | "
			if str(ev, "stream") == "stderr" {
				sep = " ! "
			}
			line(node + sep + str(ev, "line"))
		case exec.EvNodeRetry:
			e := obj(ev, "error")
			line(fmt.Sprintf("%s%s in %s: attempt %d failed: [%s] %s", word("retry"), node,
				elapsed(num(ev, "delay_ms")), num(ev, "attempt"), str(e, "code"), firstLine(str(e, "message"))))
		case exec.EvNodeSkip:
			line(word("skip") + node + ": " + str(ev, "reason"))
		case exec.EvNodeEnd:
			switch str(ev, "status") {
			case exec.StatusSuccess:
				s := word("ok") + node + " " + elapsed(num(ev, "duration_ms"))
				if h := str(ev, "recovered_by"); h != "" {
					s += " (recovered by " + h + ")"
				}
				line(s)
			case exec.StatusFailed:
				e := obj(ev, "error")
				line(fmt.Sprintf("%s%s %s: [%s] %s", word("FAIL"), node, elapsed(num(ev, "duration_ms")),
					str(e, "code"), firstLine(str(e, "message"))))
			case exec.StatusCancelled:
				line(word("cancel") + node)
			}
		case "checkpoint.wait":
			line(word("wait") + node + ": " + firstLine(str(ev, "prompt")))
		case "checkpoint.decision":
			line(fmt.Sprintf("%s%s: %s (by %s)", word("decide"), node, str(ev, "action"), str(ev, "by")))
		case "run.end":
			inWave = false
			c := obj(ev, "counts")
			counts := exec.Counts{Success: int(num(c, "success")), Failed: int(num(c, "failed")),
				Skipped: int(num(c, "skipped")), Cancelled: int(num(c, "cancelled")), NotRun: int(num(c, "not_run"))}
			line(fmt.Sprintf("done %s in %s: %s", str(ev, "status"), elapsed(num(ev, "duration_ms")), progress.Counts(counts)))
		}
	}
	return bw.Flush()
}
