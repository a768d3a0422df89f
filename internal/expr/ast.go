package expr

// node is a parsed expression. Positions are byte offsets in the source
// string being parsed (a template's whole source for template segments).
type node interface{ span() (int, int) }

type pos struct{ start, end int }

func (p pos) span() (int, int) { return p.start, p.end }

// litNode is a number, string, boolean or null literal.
type litNode struct {
	pos
	val any
}

// nameNode is a bare name: an identifier, a $name, this or @index.
type nameNode struct {
	pos
	name string
}

// memberNode is x.name or x?.name.
type memberNode struct {
	pos
	x         node
	name      string
	nameStart int
	optional  bool
}

// indexNode is x[index] or x?.[index].
type indexNode struct {
	pos
	x, index node
	optional bool
}

// callNode is name(args), also the result of a pipe.
type callNode struct {
	pos
	name    string
	nameEnd int
	nameBeg int
	args    []node
}

// unaryNode is !x, -x, +x or typeof x.
type unaryNode struct {
	pos
	op string
	x  node
}

// binaryNode is an arithmetic, comparison or logical operation.
type binaryNode struct {
	pos
	op   string
	l, r node
}

// condNode is c ? a : b.
type condNode struct {
	pos
	c, a, b node
}

// arrayNode is an array literal; spread[i] marks "...items[i]".
type arrayNode struct {
	pos
	items  []node
	spread []bool
}

// objectNode is an object literal.
type objectNode struct {
	pos
	props []prop
}

// prop is one object literal entry: key: value, [keyNode]: value, or
// ...value when spread.
type prop struct {
	pos
	key     string
	keyNode node
	value   node
	spread  bool
}

// arrowNode is (params) => body.
type arrowNode struct {
	pos
	params   []string
	paramPos []int
	body     node
}

// parenNode is ( x ); it marks x as parenthesised for the "??" rule and
// gives run-time messages the written span.
type parenNode struct {
	pos
	x node
}
