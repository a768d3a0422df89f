package value

import "io"

// streamChunk is how much encoded text WriteJSON gathers before a write.
const streamChunk = 256 << 10

// WriteJSON writes the compact JSON text of v to w (the same text as
// AppendJSON) through one small buffer, so encoding a large value never
// builds its whole text in memory. It returns the number of bytes written.
func WriteJSON(w io.Writer, v any) (int64, error) {
	s := jsonStream{w: w, buf: make([]byte, 0, streamChunk+streamChunk/4)}
	s.value(v)
	s.flush()
	return s.n, s.err
}

type jsonStream struct {
	w   io.Writer
	buf []byte
	n   int64
	err error
}

// value encodes v; arrays and objects go element by element so that no
// single append grows the buffer far past a chunk.
func (s *jsonStream) value(v any) {
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			s.buf = append(s.buf, '[')
			for i, it := range x {
				if i > 0 {
					s.buf = append(s.buf, ',')
				}
				s.value(it)
				if s.err != nil {
					return
				}
			}
			s.buf = append(s.buf, ']')
			return
		}
	case *Object:
		if x.Len() > 0 {
			s.buf = append(s.buf, '{')
			for i, k := range x.keys {
				if i > 0 {
					s.buf = append(s.buf, ',')
				}
				s.buf = AppendQuoted(s.buf, k)
				s.buf = append(s.buf, ':')
				s.value(x.vals[i])
				if s.err != nil {
					return
				}
			}
			s.buf = append(s.buf, '}')
			return
		}
	}
	s.buf = appendJSON(s.buf, v, "", "")
	if len(s.buf) >= streamChunk {
		s.flush()
	}
}

func (s *jsonStream) flush() {
	if s.err != nil || len(s.buf) == 0 {
		return
	}
	n, err := s.w.Write(s.buf)
	s.n += int64(n)
	s.err = err
	s.buf = s.buf[:0]
}

// MinJSONSize returns a lower bound of the length of v's compact JSON
// text, counting strings and keys without escapes and numbers as one
// digit. It stops walking once the bound passes stop, so telling a large
// value from a small one costs little and allocates nothing.
func MinJSONSize(v any, stop int) int {
	n := 0
	minJSONSize(v, stop, &n)
	return n
}

func minJSONSize(v any, stop int, n *int) {
	switch x := v.(type) {
	case nil, bool:
		*n += 4
	case string:
		*n += len(x) + 2
	case []any:
		*n += 1 + max(len(x), 1)
		for _, it := range x {
			if *n > stop {
				return
			}
			minJSONSize(it, stop, n)
		}
	case *Object:
		*n += 1 + max(len(x.keys), 1)
		for i, k := range x.keys {
			if *n > stop {
				return
			}
			*n += len(k) + 3
			minJSONSize(x.vals[i], stop, n)
		}
	default:
		*n++
	}
}
