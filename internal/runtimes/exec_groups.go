package runtimes

import (
	"os"
	"sync"
)

// running tracks the process groups exec nodes started, so a forced exit
// (a second Ctrl-C, execution.md §17) can kill them all at once.
var running = &groups{m: map[*os.Process]bool{}}

type groups struct {
	mu sync.Mutex
	m  map[*os.Process]bool
}

func (g *groups) add(p *os.Process) {
	g.mu.Lock()
	g.m[p] = true
	g.mu.Unlock()
}

func (g *groups) remove(p *os.Process) {
	g.mu.Lock()
	delete(g.m, p)
	g.mu.Unlock()
}

// KillAll sends SIGKILL to every process group started by exec nodes that
// is still running, and returns how many it signalled.
func KillAll() int {
	running.mu.Lock()
	defer running.mu.Unlock()
	n := 0
	for p := range running.m {
		if signalGroup(p, true) == nil {
			n++
		}
	}
	return n
}
