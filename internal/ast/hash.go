package ast

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// DefinitionHash is the SHA-256 of a node's canonical form (execution.md
// §14): element name, type, every field with its canonical name and
// written value in name order, its <on-error>, and its action, bind, arg
// and set children; not its child nodes and not its description. For
// include and call the sub-workflow's content is covered too.
func DefinitionHash(n *Node) string {
	h := sha256.New()
	w := func(parts ...string) {
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
	}
	w("node", n.Tag, n.Type)
	writeFields(w, n.Fields)
	if n.OnError != nil {
		w("on-error")
		if n.OnError.Retry != nil {
			w("retry")
			writeFields(w, n.OnError.Retry.Fields)
		}
		if n.OnError.Fallback != nil {
			w("fallback", n.OnError.Fallback.ID)
		}
	}
	for _, s := range n.Subs {
		w("sub", s.Tag)
		writeFields(w, s.Fields)
	}
	for _, s := range n.Scopes {
		w("scope", s.Name) // arm headings carry their pattern or condition
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func writeFields(w func(...string), m map[string]*Field) {
	names := make([]string, 0, len(m))
	for k := range m {
		if k != "description" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		w("field", k, strings.TrimSpace(m[k].Raw))
	}
}

// SubflowHash extends a definition hash with a sub-workflow's source.
func SubflowHash(def string, sub *Flow) string {
	if sub == nil || sub.File == nil {
		return def
	}
	h := sha256.New()
	h.Write([]byte(def))
	h.Write(sub.File.Src)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
