package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/octroi/octroi/internal/caveat"
	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/tuple"
)

// Step is one node of an explanation: what was evaluated, and its outcome.
// Kinds: "permission", "relation" (a member evaluated on an object), "union",
// "intersection", "exclusion", "arrow", "nil" (an operator of a permission),
// "relationship" (a stored relationship naming the subject, or the wildcard),
// "via" (a relationship followed to another object), "self" (a subject set
// is a member of itself), "cycle" (a path that loops back, granting nothing),
// "unknown-object" (an object with no relationships at all).
type Step struct {
	Kind         string   `json:"kind"`
	Object       string   `json:"object,omitempty"`
	Member       string   `json:"member,omitempty"`
	Expression   string   `json:"expression,omitempty"`
	Relationship string   `json:"relationship,omitempty"`
	Result       Result   `json:"result"`
	Missing      []string `json:"missing,omitempty"`
	Steps        []*Step  `json:"steps,omitempty"`
}

// Explanation is the full account of one check.
type Explanation struct {
	CheckResult
	Revision uint64
	Root     *Step
}

// Explain evaluates a check without short-cuts and records every path it
// took: the paths that grant the permission, or every branch that failed.
func (e *Engine) Explain(ctx context.Context, req CheckRequest, at At) (*Explanation, error) {
	snap := new(index.Snapshot) // on the stack unless the query keeps it
	p, err := e.open(at, snap)
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	tr := &tracer{root: &Step{Kind: "check"}}
	tr.stack = []*Step{tr.root}
	r, err := e.check(ctx, p, snap, &req, tr)
	if err != nil {
		return nil, err
	}
	root := tr.root
	if len(root.Steps) == 1 {
		root = root.Steps[0]
	}
	return &Explanation{CheckResult: r, Revision: snap.Revision(), Root: root}, nil
}

// tracer records a checker's walk. Its methods are no-ops on a nil tracer,
// so the checker calls them unconditionally where that reads better.
type tracer struct {
	root  *Step
	stack []*Step
}

func (t *tracer) push(s *Step) {
	top := t.stack[len(t.stack)-1]
	top.Steps = append(top.Steps, s)
	t.stack = append(t.stack, s)
}

func (t *tracer) add(s *Step) {
	top := t.stack[len(t.stack)-1]
	top.Steps = append(top.Steps, s)
}

func setResult(s *Step, v truth) {
	s.Result = resultOf(v)
	s.Missing = v.miss
}

func (t *tracer) enter(c *checker, res uint32, m *member) {
	s := &Step{Kind: "relation", Object: c.snap.Object(res).String(), Member: m.name}
	if m.perm != nil {
		s.Kind = "permission"
		s.Expression = schema.FormatExpr(m.perm.Expr)
	}
	t.push(s)
}

func (t *tracer) leave(v truth) {
	setResult(t.stack[len(t.stack)-1], v)
	t.stack = t.stack[:len(t.stack)-1]
}

func (t *tracer) op(c *checker, res uint32, n *enode) {
	kind := map[opKind]string{opUnion: "union", opInter: "intersection", opExcl: "exclusion", opArrow: "arrow", opNil: "nil"}[n.op]
	t.push(&Step{Kind: kind, Object: c.snap.Object(res).String(), Expression: schema.FormatExpr(n.src)})
}

func (t *tracer) result(v truth) {
	if t != nil {
		setResult(t.stack[len(t.stack)-1], v)
	}
}

func (t *tracer) close() {
	if t != nil {
		t.stack = t.stack[:len(t.stack)-1]
	}
}

func (t *tracer) edge(c *checker, edge index.Edge, v truth) {
	s := &Step{Kind: "relationship", Relationship: tuple.Format(c.snap.Relationship(edge))}
	setResult(s, v)
	t.add(s)
}

func (t *tracer) via(c *checker, edge index.Edge) {
	t.push(&Step{Kind: "via", Relationship: tuple.Format(c.snap.Relationship(edge))})
}

func (t *tracer) self(c *checker, res uint32, m *member) {
	s := &Step{Kind: "self", Object: c.snap.Object(res).String(), Member: m.name}
	setResult(s, tYes)
	t.add(s)
}

func (t *tracer) cycle(c *checker, res uint32, m *member) {
	s := &Step{Kind: "cycle", Object: c.snap.Object(res).String(), Member: m.name}
	setResult(s, tNo)
	t.add(s)
}

func (t *tracer) missingObject(o tuple.ObjectRef, m *member) {
	s := &Step{Kind: "unknown-object", Object: o.String(), Member: m.name}
	setResult(s, tNo)
	t.add(s)
}

// Text renders the explanation as an indented outline, one line per step:
// "✓" has, "✗" no, "?" conditional. With onlyGranting, branches that did
// not contribute to a granted result are left out.
func (x *Explanation) Text(onlyGranting bool) string {
	var b strings.Builder
	writeStep(&b, x.Root, 0, onlyGranting && x.Result != NoPermission)
	return b.String()
}

func writeStep(b *strings.Builder, s *Step, depth int, onlyGranting bool) {
	mark := map[Result]string{HasPermission: "✓", NoPermission: "✗", Conditional: "?"}[s.Result]
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString(mark + " ")
	switch s.Kind {
	case "permission":
		fmt.Fprintf(b, "%s#%s = %s", s.Object, s.Member, s.Expression)
	case "relation":
		fmt.Fprintf(b, "%s#%s", s.Object, s.Member)
	case "relationship":
		fmt.Fprintf(b, "relationship %s", s.Relationship)
	case "via":
		fmt.Fprintf(b, "via %s", s.Relationship)
	case "self":
		fmt.Fprintf(b, "%s#%s is the subject itself", s.Object, s.Member)
	case "cycle":
		fmt.Fprintf(b, "%s#%s loops back: no access through this path", s.Object, s.Member)
	case "unknown-object":
		fmt.Fprintf(b, "%s has no relationships", s.Object)
	default:
		fmt.Fprintf(b, "%s %s", s.Kind, s.Expression)
	}
	if len(s.Missing) > 0 {
		fmt.Fprintf(b, " (missing %s)", strings.Join(s.Missing, ", "))
	}
	if s.Kind == "relation" && len(s.Steps) == 0 {
		b.WriteString(": no matching relationship")
	}
	b.WriteByte('\n')
	for _, k := range s.Steps {
		if onlyGranting && k.Result == NoPermission {
			continue
		}
		writeStep(b, k, depth+1, onlyGranting)
	}
}

// evalCaveat evaluates caveat name with a relationship's context rctx and the
// request's context req (rctx wins), until ctx ends. When it ends the error
// is ctx's own, not ErrCaveat: the request gave up, the caveat is not at
// fault.
func evalCaveat(ctx context.Context, p *plan, name string, rctx, req map[string]any) (truth, error) {
	prog := p.caveats[name]
	if prog == nil {
		return tNo, fmt.Errorf("%w: relationship uses caveat %q, which the schema does not define", ErrCaveat, name)
	}
	res, err := prog.Eval(ctx, rctx, req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return tNo, ctxErr
		}
		return tNo, fmt.Errorf("%w: %s: %w", ErrCaveat, name, err)
	}
	return truthOf(res), nil
}

func truthOf(r caveat.Result) truth {
	if len(r.Missing) > 0 {
		return truth{v: unknown, miss: r.Missing}
	}
	if r.Value {
		return tYes
	}
	return tNo
}
