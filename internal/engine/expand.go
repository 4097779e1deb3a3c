package engine

import (
	"context"
	"time"

	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/tuple"
)

// ExpandNode is one set of an expansion tree. A "leaf" lists the
// relationships of a relation; "union", "intersection" and "exclusion"
// combine their children (an exclusion's first child minus the others);
// an arrow is a "union" (or, for .all, an "intersection") over the objects
// it walks to; "nil" is empty.
type ExpandNode struct {
	Object     tuple.ObjectRef `json:"object"`
	Member     string          `json:"member,omitempty"`
	Op         string          `json:"op"`
	Expression string          `json:"expression,omitempty"`
	Children   []*ExpandNode   `json:"children,omitempty"`
	Subjects   []ExpandSubject `json:"subjects,omitempty"`
	// Caveat, on the set an arrow walked to, says that the step there was
	// caveated: the set counts only when the caveat holds.
	Caveat *tuple.Caveat `json:"caveat,omitempty"`
}

// ExpandSubject is a subject of a leaf. When the subject is a subject set
// and the expansion goes deeper, Expanded is that set's own tree; Cycle says
// the set was already being expanded higher up (it adds nothing new).
type ExpandSubject struct {
	Subject    tuple.SubjectRef `json:"subject"`
	Caveat     *tuple.Caveat    `json:"caveat,omitempty"`
	Expiration *time.Time       `json:"expiration,omitempty"`
	Expanded   *ExpandNode      `json:"expanded,omitempty"`
	Cycle      bool             `json:"cycle,omitempty"`
}

// ExpandRequest asks for the tree of Permission on Resource. Depth bounds how
// many hops (subject sets, arrows) are followed: 1 expands only the
// resource's own relationships, 0 follows everything.
type ExpandRequest struct {
	Resource   tuple.ObjectRef
	Permission string
	Depth      int
}

// Expand returns the expansion tree and the revision read.
func (e *Engine) Expand(ctx context.Context, req ExpandRequest, at At) (*ExpandNode, uint64, error) {
	snap := new(index.Snapshot) // on the stack unless the query keeps it
	p, m, err := e.openMember(at, snap, req.Resource.Type, req.Permission)
	if err != nil {
		return nil, 0, err
	}
	defer snap.Close()
	x := &expander{c: &checker{ctx: ctx, p: p, snap: *snap, max: e.maxDepth}, limit: req.Depth}
	res, ok := snap.Node(req.Resource.Type, req.Resource.ID)
	var n *ExpandNode
	if ok {
		n = x.member(res, m, 0)
	} else {
		n = &ExpandNode{Object: req.Resource, Member: m.name, Op: "leaf"}
	}
	if x.c.err != nil {
		return nil, 0, x.c.err
	}
	return n, snap.Revision(), nil
}

type expander struct {
	c     *checker
	limit int
	path  []frame
}

func (x *expander) member(res uint32, m *member, hops int) *ExpandNode {
	obj := x.c.snap.Object(res)
	if x.c.stopped() {
		return &ExpandNode{Object: obj, Member: m.name, Op: "nil"}
	}
	if len(x.path) >= x.c.max {
		if x.c.err == nil {
			x.c.err = ErrDepth
		}
		return &ExpandNode{Object: obj, Member: m.name, Op: "nil"}
	}
	x.path = append(x.path, frame{res, m.id})
	defer func() { x.path = x.path[:len(x.path)-1] }()
	if m.rel == nil {
		n := x.expr(res, m.expr, hops)
		if n.Member != "" {
			// A permission that names another member: keep both levels.
			n = &ExpandNode{Op: "union", Children: []*ExpandNode{n}}
		}
		n.Object, n.Member = obj, m.name
		return n
	}
	n := &ExpandNode{Object: obj, Member: m.name, Op: "leaf"}
	snap := &x.c.snap
	for _, edge := range snap.FwdRel(res, m.id) {
		if !snap.Visible(edge) {
			continue
		}
		rel := snap.Relationship(edge)
		s := ExpandSubject{Subject: rel.Subject, Caveat: rel.Caveat, Expiration: rel.Expiration}
		if edge.Srel != 0 && x.deeper(hops) {
			if x.onPath(edge.Node, edge.Srel) {
				s.Cycle = true
			} else if sm := x.c.p.memberAt(edge.Srel); sm != nil {
				s.Expanded = x.member(edge.Node, sm, hops+1)
			}
		}
		n.Subjects = append(n.Subjects, s)
	}
	return n
}

func (x *expander) deeper(hops int) bool { return x.limit == 0 || hops+1 < x.limit }

func (x *expander) onPath(node uint32, m uint16) bool {
	for _, f := range x.path {
		if f.node == node && f.m == m {
			return true
		}
	}
	return false
}

func (x *expander) expr(res uint32, n *enode, hops int) *ExpandNode {
	obj := x.c.snap.Object(res)
	out := &ExpandNode{Object: obj, Expression: schema.FormatExpr(n.src)}
	switch n.op {
	case opRef:
		if n.ref == nil {
			out.Op = "nil"
			return out
		}
		if x.onPath(res, n.ref.id) {
			out.Op, out.Member = "nil", n.ref.name
			return out
		}
		return x.member(res, n.ref, hops)
	case opUnion, opInter, opExcl:
		out.Op = map[opKind]string{opUnion: "union", opInter: "intersection", opExcl: "exclusion"}[n.op]
		for _, k := range n.kids {
			out.Children = append(out.Children, x.expr(res, k, hops))
		}
	case opArrow:
		out.Op = "union"
		if n.all {
			out.Op = "intersection"
		}
		if n.tupleset == nil || !x.deeper(hops) {
			return out
		}
		snap := &x.c.snap
		for _, edge := range snap.FwdRel(res, n.tupleset.id) {
			if !snap.Visible(edge) {
				continue
			}
			t := n.targets[snap.NodeType(edge.Node)]
			if t == nil {
				continue
			}
			if x.onPath(edge.Node, t.id) {
				out.Children = append(out.Children, &ExpandNode{Object: snap.Object(edge.Node), Member: t.name, Op: "nil"})
				continue
			}
			child := x.member(edge.Node, t, hops+1)
			if snap.HasExtra(edge) {
				child.Caveat = snap.Relationship(edge).Caveat
			}
			out.Children = append(out.Children, child)
		}
	default:
		out.Op = "nil"
	}
	return out
}
