package value

// smallObject is the size up to which lookups scan the keys instead of
// using an index map: most objects (records, rows) are small, and a scan
// of a few strings is faster than hashing and saves an allocation.
const smallObject = 8

// Object is an ordered map from string keys to values. Keys keep insertion
// order; replacing a value keeps the key's position. The zero value is not
// usable: create objects with NewObject.
type Object struct {
	keys []string
	vals []any
	idx  map[string]int // built when the object grows past smallObject
}

// NewObject returns an empty object with room for n keys.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

func (o *Object) find(k string) int {
	if o.idx != nil {
		if i, ok := o.idx[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range o.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// NewObjectWithKeys returns an object whose keys are keys (shared, never
// modified: the slice must not change afterwards, and adding a key copies
// it) and whose values are vals (owned by the object). keys must be
// distinct. Object literals with fixed keys use it to build each value
// with one allocation less.
func NewObjectWithKeys(keys []string, vals []any) *Object {
	o := &Object{keys: keys[:len(keys):len(keys)], vals: vals}
	if len(keys) > smallObject {
		o.idx = make(map[string]int, len(keys))
		for i, k := range keys {
			o.idx[k] = i
		}
	}
	return o
}

// Get returns the value of key k and whether it is present.
func (o *Object) Get(k string) (any, bool) {
	if o == nil {
		return nil, false
	}
	if i := o.find(k); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// Set sets key k to v, appending k if it is new.
func (o *Object) Set(k string, v any) {
	if i := o.find(k); i >= 0 {
		o.vals[i] = v
		return
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	if o.idx != nil {
		o.idx[k] = len(o.keys) - 1
	} else if len(o.keys) > smallObject {
		o.idx = make(map[string]int, len(o.keys)*2)
		for i, key := range o.keys {
			o.idx[key] = i
		}
	}
}

// Delete removes key k if present.
func (o *Object) Delete(k string) {
	i := o.find(k)
	if i < 0 {
		return
	}
	o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
	o.vals = append(o.vals[:i:i], o.vals[i+1:]...)
	if o.idx != nil {
		delete(o.idx, k)
		for j := i; j < len(o.keys); j++ {
			o.idx[o.keys[j]] = j
		}
	}
}

// Has reports whether key k is present.
func (o *Object) Has(k string) bool {
	return o != nil && o.find(k) >= 0
}

// Len returns the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// Keys returns the keys in order. The slice must not be modified.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return o.keys
}

// At returns the i-th key and value (0 <= i < Len()).
func (o *Object) At(i int) (string, any) { return o.keys[i], o.vals[i] }

// Clone returns a shallow copy of o.
func (o *Object) Clone() *Object {
	c := &Object{keys: append([]string(nil), o.Keys()...)}
	if o != nil {
		c.vals = append([]any(nil), o.vals...)
		if o.idx != nil {
			c.idx = make(map[string]int, len(o.idx))
			for k, v := range o.idx {
				c.idx[k] = v
			}
		}
	}
	return c
}

// ObjectOf builds an object from alternating keys and values, for tests and
// literals: ObjectOf("a", 1.0, "b", "x").
func ObjectOf(kv ...any) *Object {
	o := NewObject(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}
