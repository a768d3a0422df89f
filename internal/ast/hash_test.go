package ast

import (
	"testing"

	"github.com/flowscript/flowscript/internal/fields"
)

func TestDefinitionHash(t *testing.T) {
	mk := func(raw, desc string) *Node {
		n := &Node{Tag: "source", Type: "exec", Fields: map[string]*Field{
			"command": {Name: "command", Raw: raw, Spec: &fields.Field{Name: "command"}},
		}}
		if desc != "" {
			n.Fields["description"] = &Field{Name: "description", Raw: desc}
		}
		return n
	}
	a, b, c := DefinitionHash(mk("echo a", "")), DefinitionHash(mk("echo a", "words")), DefinitionHash(mk("echo b", ""))
	if a != b {
		t.Error("the description changed the hash")
	}
	if a == c {
		t.Error("a changed command kept the hash")
	}
	if len(a) != len("sha256:")+64 {
		t.Errorf("hash %q", a)
	}
}
