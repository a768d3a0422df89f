package testrun

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/flowscript/flowscript/internal/ast"
	"github.com/flowscript/flowscript/internal/exec"
	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/expr/builtin"
	"github.com/flowscript/flowscript/internal/fields"
	"github.com/flowscript/flowscript/internal/frontmatter"
	"github.com/flowscript/flowscript/internal/runtimes"
	"github.com/flowscript/flowscript/internal/source"
	"github.com/flowscript/flowscript/internal/units"
	"github.com/flowscript/flowscript/internal/value"
)

// Keys of the mappings of a test file (spec/cli.md §6), in the spec's
// order (the order of suggestions).
var (
	caseKeys      = []string{"name", "description", "config", "input", "env", "secrets", "now", "seed", "approve", "mocks", "expect", "expect_output", "expect_status", "expect_error", "timeout", "live"}
	mockKeys      = []string{"output", "error", "sequence", "delay"}
	stepKeys      = []string{"output", "error", "delay"}
	mockErrKeys   = []string{"message", "code", "retryable", "status", "exit_code"}
	expectKeys    = []string{"status", "output", "output_matches", "input", "fields", "attempts", "runs", "error"}
	expErrKeys    = []string{"code", "message"}
	caseErrKeys   = []string{"code", "node", "message"}
	nodeStatuses  = []string{exec.StatusSuccess, exec.StatusFailed, exec.StatusSkipped, exec.StatusCancelled, exec.StatusPending}
	runStatuses   = []string{exec.RunSuccess, exec.RunFailed, exec.RunRejected, exec.RunTimedOut}
	codePattern   = regexp.MustCompile(`^[A-Z][0-9]{3}$`)
	mockableKinds = "data nodes, include, call, checkpoint and delay"
)

// DefaultTimeout is the virtual-time limit of a case without `timeout`.
const DefaultTimeout = 60 * time.Second

// Case is one decoded test case.
type Case struct {
	Name        string
	Description string

	config  *value.Object // resolved: defaults plus the case's values
	input   any           // checked against the input schema
	env     *value.Object // $env
	secrets *value.Object // $secrets
	given   map[string]any
	envIn   map[string]any

	now     time.Time
	hasNow  bool
	seed    uint64
	hasSeed bool
	timeout time.Duration

	approve map[string]*exec.Decision // by checkpoint id or instance key
	mocks   map[string]*mock          // by node id or instance key
	live    []string

	expect       []*expectation
	expectOutput any
	hasOutput    bool
	expectStatus string
	expectError  *errorExpect
}

// mock replaces a node's runtime (spec/cli.md §6.2).
type mock struct {
	key      string
	node     *ast.Node
	steps    []mockStep // one for output/error; the sequence otherwise
	delay    time.Duration
	decision *exec.Decision // for checkpoints
}

type mockStep struct {
	output   any
	err      *runtimes.Error
	delay    time.Duration
	hasDelay bool
}

// expectation is the expectations of one node key (spec/cli.md §6.3).
type expectation struct {
	key  string
	node *ast.Node

	status     string
	output     any
	hasOutput  bool
	matches    *expr.Pattern
	matchesSrc string
	input      any
	hasInput   bool
	fields     []fieldExpect
	attempts   int
	runs       int
	hasAtt     bool
	hasRuns    bool
	err        *errorExpect
}

type fieldExpect struct {
	name, canon string
	want        any
}

// errorExpect matches an error: Sub is a message substring (the text
// form); Code, Node and Message are the object form (each optional).
type errorExpect struct {
	sub                 string
	isSub               bool
	code, node, message string
}

// decoder reads cases from yaml nodes whose positions are relative to a
// frontmatter block starting at file line line0.
type decoder struct {
	f     *source.File
	line0 int
	flow  *ast.Flow
	diags source.List
}

type entry struct {
	name     string
	key, val *yaml.Node
}

// span converts a yaml node position into a file span.
func (d *decoder) span(n *yaml.Node) source.Span {
	off := d.f.LineStart(d.line0 + n.Line - 1)
	src := d.f.Src
	for c := 1; c < n.Column && off < len(src) && src[off] != '\n'; c++ {
		_, w := utf8.DecodeRune(src[off:])
		off += w
	}
	end := off + 1
	if n.Kind == yaml.ScalarNode && n.Value != "" {
		end = off + len(n.Value)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			end += 2
		}
	}
	if nl := strings.IndexByte(string(src[off:min(end, len(src))]), '\n'); nl >= 0 {
		end = off + nl
	}
	return source.Sp(off, end)
}

func (d *decoder) errf(n *yaml.Node, code, format string, args ...any) *source.Diagnostic {
	return d.diags.Add(d.f, d.span(n), code, format, args...)
}

func got(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.ShortTag() == "!!null" {
		return "null"
	}
	return fmt.Sprintf("%q", n.Value)
}

// canonical spells a key in snake_case: expect-status and expectStatus
// become expect_status.
func canonical(k string) string {
	var b strings.Builder
	for i, r := range k {
		switch {
		case r == '-':
			b.WriteByte('_')
		case r >= 'A' && r <= 'Z':
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r + 'a' - 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mapping returns the known keys of a mapping; unknown keys are F107 with
// a suggestion and repeated ones F110. where names the mapping ("" for the
// top level).
func (d *decoder) mapping(n *yaml.Node, known []string, where string) []entry {
	var out []entry
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := canonical(k.Value)
		if !contains(known, name) {
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if where != "" {
				msg = fmt.Sprintf("unknown key %q in %s", k.Value, where)
			}
			diag := d.errf(k, "F107", "%s", msg)
			source.SuggestHint(diag, k.Value, known)
			continue
		}
		if seen[name] {
			d.errf(k, "F110", "duplicate key %q", k.Value)
			continue
		}
		seen[name] = true
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		out = append(out, entry{name: name, key: k, val: v})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errf(n, "F109", "invalid %q: expected a string, got %s", what, got(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	v, err := value.FromYAML(n)
	f, ok := v.(float64)
	if err != nil || !ok || f != math.Trunc(f) || f < 0 || f > 1e15 {
		d.errf(n, "F109", "invalid %q: expected a whole number, got %s", what, got(n))
		return 0, false
	}
	return int(f), true
}

func (d *decoder) val(n *yaml.Node) any {
	v, err := value.FromYAML(n)
	if err != nil {
		d.errf(n, "F109", "invalid value: %s", err)
	}
	return v
}

func (d *decoder) object(n *yaml.Node, what string) (*value.Object, bool) {
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid %q: expected a mapping, got %s", what, got(n))
		return nil, false
	}
	o, _ := d.val(n).(*value.Object)
	return o, o != nil
}

func (d *decoder) duration(n *yaml.Node, what string) (time.Duration, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return 0, false
	}
	ms, err := units.ParseDuration(s)
	if err != nil || ms < 0 {
		d.errf(n, "F109", "invalid %q: expected a duration such as 30s, got %q", what, s)
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

// cases decodes the `tests` list.
func (d *decoder) cases(list *yaml.Node) []*Case {
	var out []*Case
	names := map[string]bool{}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			d.errf(item, "F109", "invalid test case: expected a mapping, got %s", got(item))
			continue
		}
		c := d.testCase(item)
		if c == nil {
			continue
		}
		if names[c.Name] {
			for i := 0; i+1 < len(item.Content); i += 2 {
				if canonical(item.Content[i].Value) == "name" {
					d.errf(item.Content[i+1], "N309", "duplicate test name %q", c.Name)
				}
			}
			continue
		}
		names[c.Name] = true
		out = append(out, c)
	}
	return out
}

// testCase decodes one case and checks it against the workflow.
func (d *decoder) testCase(n *yaml.Node) *Case {
	fm := d.flow.Front
	c := &Case{timeout: DefaultTimeout, expectStatus: exec.RunSuccess}
	var hasName bool
	var cfg *value.Object
	var cfgNode, inNode *yaml.Node
	input := any(value.NewObject(0))
	for _, e := range d.mapping(n, caseKeys, "a test case") {
		v := e.val
		switch e.name {
		case "name":
			if s, ok := d.str(v, "name"); ok {
				c.Name, hasName = s, true
			}
		case "description":
			c.Description, _ = d.str(v, "description")
		case "config":
			if isNull(v) {
				continue
			}
			cfg, _ = d.object(v, "config")
			cfgNode = v
		case "input":
			input, inNode = d.val(v), v
		case "env":
			c.envIn = d.names(v, "env", fm.EnvNames(), "N312", "undeclared env variable %q")
		case "secrets":
			c.given = d.names(v, "secrets", fm.SecretNames(), "N312", "undeclared secret %q")
		case "now":
			s, ok := d.str(v, "now")
			if !ok {
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				d.errf(v, "F109", "invalid \"now\": expected an RFC 3339 time such as 2026-11-25T10:15:00Z, got %q", s)
				continue
			}
			c.now, c.hasNow = t, true
		case "seed":
			if i, ok := d.integer(v, "seed"); ok {
				c.seed, c.hasSeed = uint64(i), true
			}
		case "approve":
			d.approvals(c, v)
		case "mocks":
			d.mocks(c, v)
		case "expect":
			d.expectations(c, v)
		case "expect_output":
			c.expectOutput, c.hasOutput = d.val(v), true
		case "expect_status":
			if s, ok := d.str(v, "expect_status"); ok {
				if !contains(runStatuses, s) {
					diag := d.errf(v, "F109", "invalid \"expect_status\": %q is not one of %s", s, strings.Join(runStatuses, ", "))
					source.SuggestHint(diag, s, runStatuses)
					continue
				}
				c.expectStatus = s
			}
		case "expect_error":
			c.expectError = d.errorExpect(v, caseErrKeys, "expect_error", false)
		case "timeout":
			if t, ok := d.duration(v, "timeout"); ok && t > 0 {
				c.timeout = t
			}
		case "live":
			if v.Kind != yaml.SequenceNode {
				d.errf(v, "F109", "invalid \"live\": expected a list of node ids, got %s", got(v))
				continue
			}
			for _, it := range v.Content {
				if s, ok := d.str(it, "live"); ok && d.node(it, s) != nil {
					c.live = append(c.live, s)
				}
			}
		}
	}
	if !hasName {
		d.errf(n, "F108", "test case without a \"name\"")
		return nil
	}
	at := n
	if cfgNode != nil {
		at = cfgNode
	}
	if cfg == nil {
		cfg = value.NewObject(0)
	}
	conf, errs := frontmatter.ResolveConfigValues(fm, cfg, "config")
	for _, u := range errs {
		d.errf(at, "R619", "test %q: %s", c.Name, u.Message).Hints = u.Hints
	}
	c.config = conf
	checked, probs := frontmatter.CheckInput(fm, input)
	for _, p := range probs {
		where := n
		if inNode != nil {
			where = inNode
		}
		d.errf(where, "R617", "test %q: %s", c.Name, p)
	}
	c.input = checked
	c.secrets = value.NewObject(len(fm.Secrets))
	for _, s := range fm.Secrets {
		v, ok := c.given[s.Name]
		if !ok {
			v = ""
		}
		c.secrets.Set(s.Name, v)
	}
	c.env = envValues(fm, c.envIn)
	return c
}

// envValues is $env: the case's value, else the default, else null.
func envValues(fm *frontmatter.Frontmatter, given map[string]any) *value.Object {
	// The case's env replaces the process environment: resolved like it.
	return frontmatter.ResolveEnv(fm, func(name string) (string, bool) {
		v, ok := given[name]
		if !ok {
			return "", false
		}
		if s, isStr := v.(string); isStr {
			return s, true
		}
		return value.Render(v), true
	})
}

// names decodes a mapping of declared names to text values (env,
// secrets).
func (d *decoder) names(n *yaml.Node, what string, declared []string, code, msg string) map[string]any {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid %q: expected a mapping, got %s", what, got(n))
		return nil
	}
	out := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !contains(declared, k.Value) {
			source.SuggestHint(d.errf(k, code, msg, k.Value), k.Value, declared)
			continue
		}
		if v.Kind != yaml.ScalarNode {
			d.errf(v, "F109", "invalid %s %q: expected a text value, got %s", what, k.Value, got(v))
			continue
		}
		if isNull(v) {
			out[k.Value] = nil
			continue
		}
		out[k.Value] = v.Value
	}
	return out
}

// node resolves a node key written in the test file: an id, or an
// instance key such as costs[1]/line or users/fetch (into a sub-workflow).
// Unknown names are N310 with a suggestion.
func (d *decoder) node(at *yaml.Node, key string) *ast.Node {
	n, flow, bad := resolveKey(d.flow, key)
	if n != nil {
		return n
	}
	var ids []string
	for _, x := range flow.Nodes {
		if !x.Generated {
			ids = append(ids, x.ID)
		}
	}
	if bad == key {
		source.SuggestHint(d.errf(at, "N310", "unknown node %q", key), key, ids)
	} else {
		source.SuggestHint(d.errf(at, "N310", "unknown node %q in %q", bad, key), bad, ids)
	}
	return nil
}

// resolveKey finds the node a key names. On failure it returns the flow
// searched and the segment that was not found.
func resolveKey(flow *ast.Flow, key string) (*ast.Node, *ast.Flow, string) {
	segs := strings.Split(key, "/")
	var n *ast.Node
	for i, seg := range segs {
		id := seg
		if j := strings.IndexByte(seg, '['); j > 0 && strings.HasSuffix(seg, "]") {
			id = seg[:j]
		}
		n = flow.ByID[id]
		if n == nil {
			return nil, flow, id
		}
		if i < len(segs)-1 {
			if sub := flow.Subflows[n]; sub != nil {
				flow = sub
			} else if len(n.Scopes) == 0 {
				return nil, flow, segs[i+1]
			}
		}
	}
	return n, flow, ""
}

// mockable reports whether a node may be mocked (spec/cli.md §6.2).
func mockable(n *ast.Node) bool {
	if n.Type != "" {
		return true
	}
	switch n.Tag {
	case "include", "call", "checkpoint", "delay":
		return true
	}
	return false
}

func (d *decoder) mocks(c *Case, n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid \"mocks\": expected a mapping of node ids, got %s", got(n))
		return
	}
	c.mocks = map[string]*mock{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		node := d.node(k, k.Value)
		if node == nil {
			continue
		}
		if !mockable(node) {
			d.errf(k, "F109", "node %q (%s) cannot be mocked", k.Value, node.Kind).
				Hints = []string{"mockable: " + mockableKinds}
			continue
		}
		if m := d.mock(k.Value, node, v); m != nil {
			c.mocks[k.Value] = m
		}
	}
}

func (d *decoder) mock(key string, node *ast.Node, n *yaml.Node) *mock {
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid mock of %q: expected a mapping with output, error or sequence, got %s", key, got(n))
		return nil
	}
	m := &mock{key: key, node: node}
	given := 0
	for _, e := range d.mapping(n, mockKeys, "a mock") {
		switch e.name {
		case "output":
			given++
			m.steps = []mockStep{{output: d.val(e.val)}}
		case "error":
			given++
			m.steps = []mockStep{{err: d.mockError(e.val)}}
		case "sequence":
			given++
			if e.val.Kind != yaml.SequenceNode || len(e.val.Content) == 0 {
				g := got(e.val)
				if e.val.Kind == yaml.SequenceNode {
					g = "an empty list"
				}
				d.errf(e.val, "F109", "invalid \"sequence\": expected a list of {output: …} or {error: …}, got %s", g)
				continue
			}
			for _, it := range e.val.Content {
				m.steps = append(m.steps, d.step(it))
			}
		case "delay":
			m.delay, _ = d.duration(e.val, "delay")
		}
	}
	if given != 1 {
		d.errf(n, "F109", "mock of %q needs exactly one of output, error or sequence", key)
		return nil
	}
	if node.Tag == "checkpoint" {
		if len(m.steps) != 1 || m.steps[0].err != nil {
			d.errf(n, "F109", "a checkpoint mock takes an \"output\": the action, \"ACTION:TEXT\" or {action, input}")
			return nil
		}
		dec, ok := decisionOf(m.steps[0].output)
		if !ok || !hasAction(node, dec.Action) {
			diag := d.errf(n, "F109", "mock of checkpoint %q: expected one of its actions (%s)", key, strings.Join(actionIDs(node), ", "))
			source.SuggestHint(diag, dec.Action, actionIDs(node))
			return nil
		}
		m.decision = dec
	}
	return m
}

func (d *decoder) step(n *yaml.Node) mockStep {
	var st mockStep
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid sequence item: expected {output: …} or {error: …}, got %s", got(n))
		return st
	}
	given := 0
	for _, e := range d.mapping(n, stepKeys, "a sequence item") {
		switch e.name {
		case "output":
			given++
			st.output = d.val(e.val)
		case "error":
			given++
			st.err = d.mockError(e.val)
		case "delay":
			st.delay, st.hasDelay = d.duration(e.val, "delay")
		}
	}
	if given != 1 {
		d.errf(n, "F109", "a sequence item needs exactly one of output or error")
	}
	return st
}

// mockError decodes `error`: a message, or {message, code, retryable,
// status, exit_code}.
func (d *decoder) mockError(n *yaml.Node) *runtimes.Error {
	re := &runtimes.Error{Code: "R601", Message: "mock error"}
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		re.Message = n.Value
		return re
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid \"error\": expected a message or a mapping, got %s", got(n))
		return re
	}
	for _, e := range d.mapping(n, mockErrKeys, "a mock error") {
		switch e.name {
		case "message":
			re.Message, _ = d.str(e.val, "message")
		case "code":
			if s, ok := d.str(e.val, "code"); ok {
				if !codePattern.MatchString(s) {
					d.errf(e.val, "F109", "invalid \"code\": expected a code such as R601, got %q", s)
					continue
				}
				re.Code = s
			}
		case "retryable":
			b, ok := d.val(e.val).(bool)
			if !ok {
				d.errf(e.val, "F109", "invalid \"retryable\": expected true or false, got %s", got(e.val))
			}
			re.Retryable = b
		case "status":
			re.Status, _ = d.integer(e.val, "status")
		case "exit_code":
			if x, ok := d.integer(e.val, "exit_code"); ok {
				re.ExitCode = &x
			}
		}
	}
	return re
}

func (d *decoder) approvals(c *Case, n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid \"approve\": expected a mapping of checkpoint ids, got %s", got(n))
		return
	}
	c.approve = map[string]*exec.Decision{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		node := d.node(k, k.Value)
		if node == nil {
			continue
		}
		if node.Tag != "checkpoint" {
			d.errf(k, "F109", "node %q is not a checkpoint", k.Value)
			continue
		}
		s, ok := d.str(v, "approve")
		if !ok {
			continue
		}
		dec, _ := decisionOf(s)
		if !hasAction(node, dec.Action) {
			diag := d.errf(v, "F109", "checkpoint %q has no action %q", k.Value, dec.Action)
			source.SuggestHint(diag, dec.Action, actionIDs(node))
			continue
		}
		c.approve[k.Value] = dec
	}
}

// decisionOf reads "ACTION", "ACTION:TEXT" or {action, input}.
func decisionOf(v any) (*exec.Decision, bool) {
	switch x := v.(type) {
	case string:
		a, text, has := strings.Cut(x, ":")
		dec := &exec.Decision{Action: strings.TrimSpace(a), By: "test"}
		if has {
			dec.Input = text
		}
		return dec, true
	case *value.Object:
		a, _ := x.Get("action")
		s, ok := a.(string)
		in, _ := x.Get("input")
		return &exec.Decision{Action: s, By: "test", Input: in}, ok
	}
	return &exec.Decision{}, false
}

// actionIDs lists a checkpoint's actions (nodes.md §7).
func actionIDs(n *ast.Node) []string {
	var ids []string
	for _, s := range n.Subs {
		if s.Tag == "action" {
			if f := s.Field("id"); f != nil {
				if id, ok := f.Static.(string); ok {
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) == 0 {
		ids = []string{"approve", "reject"}
	}
	return ids
}

func hasAction(n *ast.Node, action string) bool { return contains(actionIDs(n), action) }

func (d *decoder) expectations(c *Case, n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid \"expect\": expected a mapping of node ids, got %s", got(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		node := d.node(k, k.Value)
		if node == nil {
			continue
		}
		if v.Kind != yaml.MappingNode {
			d.errf(v, "F109", "invalid expectations of %q: expected a mapping, got %s", k.Value, got(v))
			continue
		}
		x := &expectation{key: k.Value, node: node}
		for _, e := range d.mapping(v, expectKeys, "expectations") {
			switch e.name {
			case "status":
				if s, ok := d.str(e.val, "status"); ok {
					if !contains(nodeStatuses, s) {
						diag := d.errf(e.val, "F109", "invalid \"status\": %q is not one of %s", s, strings.Join(nodeStatuses, ", "))
						source.SuggestHint(diag, s, nodeStatuses)
						continue
					}
					x.status = s
				}
			case "output":
				x.output, x.hasOutput = d.val(e.val), true
			case "output_matches":
				s, ok := d.str(e.val, "output_matches")
				if !ok {
					continue
				}
				p, errs := expr.CompilePattern(s, nil, &expr.Names{Funcs: builtin.Table()})
				if len(errs) > 0 {
					d.errf(e.val, "X408", "invalid pattern %q: %s", s, errs[0].Message)
					continue
				}
				x.matches, x.matchesSrc = p, s
			case "input":
				x.input, x.hasInput = d.val(e.val), true
			case "fields":
				d.fieldExpects(x, e.val)
			case "attempts":
				x.attempts, x.hasAtt = d.integer(e.val, "attempts")
			case "runs":
				x.runs, x.hasRuns = d.integer(e.val, "runs")
			case "error":
				x.err = d.errorExpect(e.val, expErrKeys, "error", true)
			}
		}
		c.expect = append(c.expect, x)
	}
}

func (d *decoder) fieldExpects(x *expectation, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid \"fields\": expected a mapping of field names, got %s", got(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		canon := fields.Canonical(k.Value)
		if spec := x.node.Spec; spec != nil {
			f := spec.Field(k.Value)
			if f == nil {
				diag := d.errf(k, "N303", "node %q (%s) has no field %q", x.key, x.node.Kind, k.Value)
				source.SuggestHint(diag, k.Value, spec.FieldNames())
				continue
			}
			canon = f.Name
		}
		x.fields = append(x.fields, fieldExpect{name: k.Value, canon: canon, want: d.val(v)})
	}
}

// errorExpect decodes an error expectation: a message substring when sub
// is allowed, or a mapping of keys.
func (d *decoder) errorExpect(n *yaml.Node, keys []string, what string, sub bool) *errorExpect {
	x := &errorExpect{}
	if sub && n.Kind == yaml.ScalarNode && !isNull(n) {
		x.sub, x.isSub = n.Value, true
		return x
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "F109", "invalid %q: expected a mapping of %s, got %s", what, strings.Join(keys, ", "), got(n))
		return nil
	}
	for _, e := range d.mapping(n, keys, what) {
		s, ok := d.str(e.val, e.name)
		if !ok {
			continue
		}
		switch e.name {
		case "code":
			x.code = s
		case "node":
			if d.node(e.val, s) == nil {
				continue
			}
			x.node = s
		case "message":
			x.message = s
		}
	}
	return x
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
