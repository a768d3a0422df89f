package value

// Object is an ordered map from string keys to values. Keys keep insertion
// order; replacing a value keeps the key's position. The zero value is not
// usable: create objects with NewObject.
type Object struct {
	keys []string
	m    map[string]any
}

// NewObject returns an empty object with room for n keys.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), m: make(map[string]any, n)}
}

// Get returns the value of key k and whether it is present.
func (o *Object) Get(k string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.m[k]
	return v, ok
}

// Set sets key k to v, appending k if it is new.
func (o *Object) Set(k string, v any) {
	if _, ok := o.m[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.m[k] = v
}

// Delete removes key k if present.
func (o *Object) Delete(k string) {
	if _, ok := o.m[k]; !ok {
		return
	}
	delete(o.m, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
}

// Has reports whether key k is present.
func (o *Object) Has(k string) bool {
	if o == nil {
		return false
	}
	_, ok := o.m[k]
	return ok
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

// Clone returns a shallow copy of o.
func (o *Object) Clone() *Object {
	c := NewObject(o.Len())
	for _, k := range o.Keys() {
		c.Set(k, o.m[k])
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
