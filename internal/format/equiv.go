package format

import (
	"fmt"
	"slices"

	"github.com/flowscript/flowscript/internal/ast"
)

// Equivalent reports, as an error naming the first difference, whether
// two parsed flows mean the same: the same nodes (ids, kinds, placement in
// scopes and phases), the same field values as written (after entity
// decoding and dedent), the same sub-elements and error handling, and the
// same bytes before and after the body. Positions are not compared.
func Equivalent(a, b *ast.Flow) error {
	if pa, pb := string(a.File.Src[:a.BodyStart]), string(b.File.Src[:b.BodyStart]); pa != pb {
		return fmt.Errorf("the text before the body differs")
	}
	if fa, fb := string(a.File.Src[a.BodyEnd:]), string(b.File.Src[b.BodyEnd:]); fa != fb {
		return fmt.Errorf("the text after the body differs")
	}
	if len(a.Nodes) != len(b.Nodes) {
		return fmt.Errorf("%d nodes, then %d", len(a.Nodes), len(b.Nodes))
	}
	for i, x := range a.Nodes {
		if err := sameNode(x, b.Nodes[i]); err != nil {
			return fmt.Errorf("node %q: %w", x.ID, err)
		}
	}
	if err := sameScope(a.Root, b.Root); err != nil {
		return err
	}
	if (a.OnError == nil) != (b.OnError == nil) {
		return fmt.Errorf("on-workflow-error differs")
	}
	if a.OnError != nil {
		if err := sameScope(a.OnError, b.OnError); err != nil {
			return err
		}
	}
	if len(a.Phases) != len(b.Phases) {
		return fmt.Errorf("%d phases, then %d", len(a.Phases), len(b.Phases))
	}
	for i, x := range a.Phases {
		y := b.Phases[i]
		if x.Name != y.Name || !sameIDs(x.Nodes, y.Nodes) {
			return fmt.Errorf("phase %q differs", x.Name)
		}
	}
	if !slices.Equal(a.Vars, b.Vars) {
		return fmt.Errorf("variables differ")
	}
	return nil
}

func sameIDs(a, b []*ast.Node) bool {
	return slices.EqualFunc(a, b, func(x, y *ast.Node) bool { return x.ID == y.ID })
}

func sameScope(a, b *ast.Scope) error {
	if a.Name != b.Name || a.Tag != b.Tag || !sameIDs(a.Nodes, b.Nodes) {
		return fmt.Errorf("scope %q differs", a.Name)
	}
	if err := sameFields(a.Fields, b.Fields); err != nil {
		return fmt.Errorf("scope %q: %w", a.Name, err)
	}
	return nil
}

func sameNode(x, y *ast.Node) error {
	switch {
	case x.ID != y.ID:
		return fmt.Errorf("id %q, then %q", x.ID, y.ID)
	case x.Kind != y.Kind:
		return fmt.Errorf("kind %q, then %q", x.Kind, y.Kind)
	case x.Generated != y.Generated:
		return fmt.Errorf("generated id differs")
	case (x.Parent == nil) != (y.Parent == nil) || x.Parent != nil && x.Parent.ID != y.Parent.ID:
		return fmt.Errorf("parent differs")
	case (x.Phase == nil) != (y.Phase == nil) || x.Phase != nil && x.Phase.Name != y.Phase.Name:
		return fmt.Errorf("phase differs")
	case len(x.Scopes) != len(y.Scopes):
		return fmt.Errorf("%d inner scopes, then %d", len(x.Scopes), len(y.Scopes))
	}
	if err := sameFields(x.Fields, y.Fields); err != nil {
		return err
	}
	for i, s := range x.Scopes {
		if err := sameScope(s, y.Scopes[i]); err != nil {
			return err
		}
	}
	if len(x.Subs) != len(y.Subs) {
		return fmt.Errorf("%d sub-elements, then %d", len(x.Subs), len(y.Subs))
	}
	for i, s := range x.Subs {
		t := y.Subs[i]
		if s.Tag != t.Tag {
			return fmt.Errorf("sub-element <%s>, then <%s>", s.Tag, t.Tag)
		}
		if err := sameFields(s.Fields, t.Fields); err != nil {
			return fmt.Errorf("<%s>: %w", s.Tag, err)
		}
	}
	if (x.OnError == nil) != (y.OnError == nil) {
		return fmt.Errorf("on-error differs")
	}
	if x.OnError != nil {
		ex, ey := x.OnError, y.OnError
		if (ex.Retry == nil) != (ey.Retry == nil) || (ex.Fallback == nil) != (ey.Fallback == nil) {
			return fmt.Errorf("on-error differs")
		}
		if ex.Retry != nil {
			if err := sameFields(ex.Retry.Fields, ey.Retry.Fields); err != nil {
				return fmt.Errorf("retry: %w", err)
			}
		}
		if ex.Fallback != nil && ex.Fallback.ID != ey.Fallback.ID {
			return fmt.Errorf("fallback differs")
		}
	}
	return nil
}

func sameFields(a, b map[string]*ast.Field) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d fields, then %d", len(a), len(b))
	}
	for name, f := range a {
		g := b[name]
		if g == nil {
			return fmt.Errorf("field %q lost", name)
		}
		if f.Raw != g.Raw {
			return fmt.Errorf("field %q: %q, then %q", name, f.Raw, g.Raw)
		}
	}
	return nil
}
