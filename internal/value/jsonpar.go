package value

import "sync"

// parallelThreshold is the size from which a top-level array is read in
// two halves at once: large data files are mostly allocation and page
// faults, which two cores do in half the time.
const parallelThreshold = 8 << 20

// parseParallel reads the top-level array starting at data[start] ('[')
// in two halves concurrently. ok is false when it does not apply (no
// split point) or either half failed: the caller then parses sequentially
// for the exact error.
func parseParallel(data []byte, start int) (v []any, ok bool) {
	split := splitPoint(data, start, len(data)/2)
	if split < 0 {
		return nil, false
	}
	var a, b [][]any
	var errA, errB error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p := &jsonParser{data: data[:split], pos: start + 1, depth: 1}
		a, errA = p.elements(false)
	}()
	p := &jsonParser{data: data, pos: split + 1, depth: 1}
	b, errB = p.elements(true)
	if errB == nil {
		p.skip()
		if p.pos < len(p.data) {
			errB = p.errorf("unexpected data after the value")
		}
	}
	wg.Wait()
	if errA != nil || errB != nil {
		return nil, false
	}
	return joinSegments(append(a, b...)), true
}

// joinSegments copies segments into one slice of the exact size.
func joinSegments(segs [][]any) []any {
	n := 0
	for _, s := range segs {
		n += len(s)
	}
	out := make([]any, 0, n)
	for _, s := range segs {
		out = append(out, s...)
	}
	return out
}

// elements reads array elements separated by commas: up to the end of
// the data (first half), or up to and including the closing bracket.
func (p *jsonParser) elements(closing bool) ([][]any, error) {
	// Elements go into fixed-size segments, joined once at the end: growing
	// one slice would copy it again and again.
	var segs [][]any
	a := make([]any, 0, 1<<14)
	join := func() [][]any { return append(segs, a) }
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if len(a) == cap(a) {
			segs = append(segs, a)
			a = make([]any, 0, 1<<16)
		}
		a = append(a, v)
		p.skip()
		if p.pos >= len(p.data) {
			if closing {
				return nil, p.unexpected()
			}
			return join(), nil
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			if !closing {
				return nil, p.unexpected()
			}
			p.pos++
			return join(), nil
		default:
			return nil, p.unexpected()
		}
	}
}

// splitPoint finds a comma between two elements of the array at
// data[start] at or after offset from, skipping strings; -1 if none.
func splitPoint(data []byte, start, from int) int {
	depth, inStr := 0, false
	for i := start; i < len(data); i++ {
		c := data[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return -1 // the array ended before the middle
			}
		case ',':
			if depth == 1 && i >= from {
				return i
			}
		}
	}
	return -1
}
