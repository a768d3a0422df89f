package dag

import (
	"slices"
	"strings"

	"github.com/flowscript/flowscript/internal/ast"
)

// plan groups the lifted edges by dependent, builds the graph of every
// scope, its waves (execution.md §4) and reports the cycles (G501).
func (b *builder) plan(p *Plan, edges []edge) {
	n := len(b.flow.Nodes)
	nodes := b.flow.Nodes

	// Counting sort by dependent, then by dependency (stable: the first
	// raw edge of a pair is kept for the cycle notes).
	start := make([]int32, n+1)
	for _, e := range edges {
		start[e.a+1]++
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	sorted := make([]edge, len(edges))
	fill := make([]int32, n)
	copy(fill, start[:n])
	for _, e := range edges {
		sorted[fill[e.a]] = e
		fill[e.a]++
	}
	backing := make([]*ast.Node, 0, len(edges))
	why := make([]int32, 0, len(edges))
	p.Deps = make([][]*ast.Node, n)
	depWhy := make([][]int32, n)
	for i := 0; i < n; i++ {
		group := sorted[start[i]:start[i+1]]
		if len(group) == 0 {
			continue
		}
		if len(group) > 1 {
			slices.SortStableFunc(group, func(x, y edge) int { return int(x.b - y.b) })
		}
		from := len(backing)
		last := int32(-1)
		for _, e := range group {
			if e.b == last {
				continue
			}
			last = e.b
			backing = append(backing, nodes[e.b])
			why = append(why, e.raw)
		}
		p.Deps[i] = backing[from:len(backing):len(backing)]
		depWhy[i] = why[from:len(why):len(why)]
	}

	p.Wave = make([]int, n)
	p.Pos = make([]int, n)
	for i := range p.Pos {
		p.Pos[i] = -1
	}
	p.Root = b.graph(p, b.flow.Root, depWhy)
	for _, nd := range nodes {
		for _, s := range nd.Scopes {
			b.graph(p, s, depWhy)
		}
	}
	if b.flow.OnError != nil {
		p.OnError = b.graph(p, b.flow.OnError, depWhy)
	}
}

// graph builds the graph and waves of scope s.
func (b *builder) graph(p *Plan, s *ast.Scope, depWhy [][]int32) *Graph {
	g := &Graph{Scope: s}
	p.Graphs = append(p.Graphs, g)
	p.byScope[s] = g
	if s == nil {
		return g
	}
	g.Nodes = make([]*ast.Node, 0, len(s.Nodes))
	for _, nd := range s.Nodes {
		if nd.Handler {
			g.Handlers = append(g.Handlers, nd)
			continue
		}
		p.Pos[nd.Index] = len(g.Nodes)
		g.Nodes = append(g.Nodes, nd)
	}
	m := len(g.Nodes)
	// Dependents in one backing array.
	count := make([]int, m+1)
	indeg := make([]int, m)
	for q, nd := range g.Nodes {
		for _, d := range p.Deps[nd.Index] {
			if pos := p.Pos[d.Index]; pos >= 0 {
				count[pos+1]++
				indeg[q]++
			}
		}
	}
	for i := 1; i <= m; i++ {
		count[i] += count[i-1]
	}
	back := make([]int, count[m])
	next := make([]int, m)
	copy(next, count[:m])
	for q, nd := range g.Nodes {
		for _, d := range p.Deps[nd.Index] {
			if pos := p.Pos[d.Index]; pos >= 0 {
				back[next[pos]] = q
				next[pos]++
			}
		}
	}
	g.Dependents = make([][]int, m)
	for i := 0; i < m; i++ {
		g.Dependents[i] = back[count[i]:count[i+1]:count[i+1]]
	}

	// Kahn levels.
	level := make([]int, m)
	queue := make([]int, 0, m)
	for q := 0; q < m; q++ {
		if indeg[q] == 0 {
			level[q] = 1
			queue = append(queue, q)
		}
	}
	maxLevel := 0
	for h := 0; h < len(queue); h++ {
		q := queue[h]
		if level[q] > maxLevel {
			maxLevel = level[q]
		}
		for _, r := range g.Dependents[q] {
			if level[q]+1 > level[r] {
				level[r] = level[q] + 1
			}
			indeg[r]--
			if indeg[r] == 0 {
				queue = append(queue, r)
			}
		}
	}
	sizes := make([]int, maxLevel+1)
	for _, q := range queue {
		sizes[level[q]]++
	}
	waveBack := make([]*ast.Node, len(queue))
	g.Waves = make([][]*ast.Node, maxLevel)
	off := 0
	for k := 1; k <= maxLevel; k++ {
		g.Waves[k-1] = waveBack[off : off : off+sizes[k]]
		off += sizes[k]
	}
	placed := len(queue)
	for q, nd := range g.Nodes {
		if indeg[q] == 0 && level[q] > 0 {
			g.Waves[level[q]-1] = append(g.Waves[level[q]-1], nd)
			p.Wave[nd.Index] = level[q]
		}
	}
	if placed < m {
		b.cycles(p, g, indeg, depWhy)
	}
	return g
}

// cycles reports one G501 per strongly connected component among the
// nodes Kahn could not place, with the shortest cycle through its first
// node in document order.
func (b *builder) cycles(p *Plan, g *Graph, indeg []int, depWhy [][]int32) {
	m := len(g.Nodes)
	// Tarjan's algorithm, iterative, over the unplaced nodes.
	const unvisited = -1
	index := make([]int, m)
	low := make([]int, m)
	onStack := make([]bool, m)
	comp := make([]int, m)
	for i := range index {
		index[i] = unvisited
		comp[i] = -1
	}
	var stack []int
	type frame struct{ v, i int }
	var call []frame
	counter, ncomp := 0, 0
	deps := func(v int) []*ast.Node { return p.Deps[g.Nodes[v].Index] }
	for root := 0; root < m; root++ {
		if indeg[root] == 0 || index[root] != unvisited {
			continue
		}
		call = append(call[:0], frame{root, 0})
		index[root], low[root] = counter, counter
		counter++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			ds := deps(f.v)
			if f.i < len(ds) {
				w := p.Pos[ds[f.i].Index]
				f.i++
				if w < 0 || indeg[w] == 0 {
					continue
				}
				if index[w] == unvisited {
					index[w], low[w] = counter, counter
					counter++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] && index[w] < low[f.v] {
					low[f.v] = index[w]
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				if low[v] < low[u] {
					low[u] = low[v]
				}
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = ncomp
					if w == v {
						break
					}
				}
				ncomp++
			}
		}
	}
	// For each component with a cycle, in order of its first node.
	reported := make([]bool, ncomp)
	prev := make([]int, m)
	for u := 0; u < m; u++ {
		c := comp[u]
		if c < 0 || reported[c] {
			continue
		}
		// BFS from u along dependencies inside the component back to u.
		for i := range prev {
			prev[i] = -2
		}
		queue := []int{u}
		prev[u] = -1
		end := -1
		for h := 0; h < len(queue) && end < 0; h++ {
			v := queue[h]
			for _, d := range deps(v) {
				w := p.Pos[d.Index]
				if w < 0 || comp[w] != c {
					continue
				}
				if w == u {
					end = v
					break
				}
				if prev[w] == -2 {
					prev[w] = v
					queue = append(queue, w)
				}
			}
		}
		if end < 0 {
			continue // a single node without a self-loop
		}
		reported[c] = true
		var path []int
		for v := end; v != -1; v = prev[v] {
			path = append(path, v)
		}
		slices.Reverse(path)
		path = append(path, u)
		names := make([]string, len(path))
		for i, v := range path {
			names[i] = g.Nodes[v].ID
		}
		head := g.Nodes[u]
		d := b.diags.Add(b.file, head.TagSpan, "G501", "dependency cycle: %s", strings.Join(names, " -> "))
		for i := 0; i+1 < len(path); i++ {
			a, t := g.Nodes[path[i]], g.Nodes[path[i+1]]
			k := slices.Index(p.Deps[a.Index], t)
			r := b.raw[depWhy[a.Index][k]]
			d.Notes = append(d.Notes, b.note(r.span, b.edgeText(r)))
		}
	}
}

// edgeText describes a raw edge for a cycle note.
func (b *builder) edgeText(r rawEdge) string {
	q := func(n *ast.Node) string { return `"` + n.ID + `"` }
	switch r.kind {
	case byGoto:
		return q(r.from) + " is a goto target of " + q(r.to)
	case byPhase:
		return q(r.from) + " is in a phase after " + q(r.to)
	case byBreak:
		return q(r.from) + " comes after the break " + q(r.to)
	}
	return q(r.via) + " uses " + q(r.to)
}
