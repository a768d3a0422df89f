package exec

import "time"

// Event kinds (execution.md §13).
const (
	EvWaveStart = "wave.start"
	EvWaveEnd   = "wave.end"
	EvNodeStart = "node.start"
	EvNodeLog   = "node.log"
	EvNodeRetry = "node.retry"
	EvNodeSkip  = "node.skip"
	EvNodeEnd   = "node.end"
	EvNodeReuse = "node.reused"
	// EvForeachItems tells how many items a foreach's collection holds
	// (Count), once evaluated: for progress displays only; it is not an
	// event of the journal.
	EvForeachItems = "foreach.items"
)

// Event is one thing that happened during a run.
type Event struct {
	Type  string
	Time  time.Time
	Scope string // instance key of the container ("" top level)
	Wave  int
	Waves int // number of waves of the scope (wave.start)
	Nodes []string

	Inst    *Instance // node events
	Attempt int
	Stream  string // node.log
	Line    string
	DelayMS int64      // node.retry
	Error   *NodeError // node.retry, node.end
	Status  string     // wave.end, node.end
	Count   int        // foreach.items

	Checkpoint *CheckpointRequest // checkpoint.wait
	Decision   *Decision          // checkpoint.decision
}

// Observer receives events. Calls may come from several goroutines; an
// observer serialises what it needs.
type Observer interface {
	Event(ev *Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ev *Event)

// Event calls f.
func (f ObserverFunc) Event(ev *Event) { f(ev) }
