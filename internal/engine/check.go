package engine

import (
	"context"
	"fmt"

	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/tuple"
)

// CheckRequest asks whether Subject has Permission (a permission or a
// relation) on Resource. Context supplies caveat parameters; a
// relationship's own context wins over it.
type CheckRequest struct {
	Resource   tuple.ObjectRef
	Permission string
	Subject    tuple.SubjectRef
	Context    map[string]any
}

// CheckResult is the answer to a CheckRequest.
type CheckResult struct {
	Result Result
	// Missing lists the caveat parameters that would decide a Conditional
	// result.
	Missing []string
}

// Check answers one check at the revision at says. Errors: ErrNoSchema,
// ErrUnknownType, ErrUnknownMember, ErrDepth, ErrCaveat, the index's
// ErrRevisionUnavailable, and ctx's error when ctx ends during the walk
// (looked at every ctxEvery steps and before every caveat).
func (e *Engine) Check(ctx context.Context, req CheckRequest, at At) (CheckResult, uint64, error) {
	var snap index.Snapshot
	p, err := e.open(at, &snap)
	if err != nil {
		return CheckResult{}, 0, err
	}
	defer snap.Close()
	r, err := e.check(ctx, p, &snap, &req, nil)
	return r, snap.Revision(), err
}

// CheckBulk answers several checks on one snapshot. The i-th error is that of
// the i-th check (a bad item does not fail the others); the returned error
// is for the whole call only: ctx's error when ctx ends.
func (e *Engine) CheckBulk(ctx context.Context, reqs []CheckRequest, at At) ([]CheckResult, []error, uint64, error) {
	res, errs, rev, err := e.AppendCheckBulk(ctx, make([]CheckResult, 0, len(reqs)), make([]error, 0, len(reqs)), reqs, at)
	if err != nil {
		return nil, nil, 0, err
	}
	return res, errs, rev, nil
}

// AppendCheckBulk is CheckBulk appending the answers to res and their
// errors to errs, and returning the extended slices (the i-th check's
// answer at res[len(res)+i] of the res passed, its error likewise): with
// room for reqs in both (arrays on the caller's stack, say), it allocates
// nothing but the Missing parameters of a conditional answer: it is
// CheckBulk for the callers on every request (the gateway). On a
// whole-call error it returns res and errs as they were passed.
func (e *Engine) AppendCheckBulk(ctx context.Context, res []CheckResult, errs []error, reqs []CheckRequest, at At) ([]CheckResult, []error, uint64, error) {
	var snap index.Snapshot
	p, err := e.open(at, &snap)
	if err != nil {
		return res, errs, 0, err
	}
	defer snap.Close()
	n0, e0 := len(res), len(errs)
	for i := range reqs {
		if i%64 == 0 && ctx.Err() != nil {
			return res[:n0], errs[:e0], 0, ctx.Err()
		}
		r, err := e.check(ctx, p, &snap, &reqs[i], nil)
		if err != nil && ctx.Err() != nil {
			return res[:n0], errs[:e0], 0, ctx.Err() // the item failed because the call ended
		}
		res, errs = append(res, r), append(errs, err)
	}
	return res, errs, snap.Revision(), nil
}

func (e *Engine) check(ctx context.Context, p *plan, snap *index.Snapshot, req *CheckRequest, tr *tracer) (CheckResult, error) {
	m, err := p.permissionOf(req.Resource.Type, req.Permission)
	if err != nil {
		return CheckResult{}, err
	}
	var c checker
	if err := e.initChecker(&c, ctx, p, snap, req.Subject, req.Context); err != nil {
		return CheckResult{}, err
	}
	c.tr = tr
	res, ok := snap.NodeIn(m.typeID, req.Resource.ID)
	var t truth
	if ok {
		t = c.member(res, m)
	} else if tr != nil {
		tr.missingObject(req.Resource, m)
	}
	if c.err != nil {
		return CheckResult{}, c.err
	}
	return CheckResult{Result: resultOf(t), Missing: t.miss}, nil
}

// checker walks from a resource towards one fixed subject. Lookups and
// Expand walk with one too.
//
// It holds the caller's context, against Go's custom of passing one as the
// first parameter: member, relation, expr, arrow and direct recurse into one
// another at every step of a walk, and a context passed through them costs
// 8% more instructions in the walk (about 290 a check, 1.7% of all a check
// executes, counted with cachegrind on BenchmarkCheck/100k), while only one
// step in ctxEvery, and caveats, read it. A checker lives for one query.
type checker struct {
	ctx       context.Context // the caller's: evaluation stops when it ends
	p         *plan
	snap      index.Snapshot // a copy of the query's, which closes it: a pointer here would move the query's to the heap
	subj      uint32         // the subject's node; 0 when the index has never seen it
	srel      uint16         // the subject's relation member; 0 for a plain object
	wild      uint32         // the wildcard node of the subject's type, 0 if none
	caveatCtx map[string]any
	depth     int
	max       int
	steps     uint32               // members entered, counting towards the next look at ctx
	stack     [maxDepthLimit]frame // the path walked, stack[:depth]
	err       error
	tr        *tracer
}

// ctxEvery is how many members a walk enters between two looks at its
// context: a look costs more than a step (a chain of calls up the
// context's parents), and at well under a microsecond a step, a walk still
// notices within a fraction of a millisecond.
const ctxEvery = 1024

// stopped reports whether the walk must end now: an error has decided the
// answer already, or the caller's context has ended (then recorded as the
// error). Every member a walk enters goes through it.
func (c *checker) stopped() bool {
	if c.err != nil {
		return true
	}
	if c.steps++; c.steps%ctxEvery == 0 {
		if err := c.ctx.Err(); err != nil {
			c.err = err
			return true
		}
	}
	return false
}

type frame struct {
	node uint32
	m    uint16
}

// initChecker prepares c to walk towards subject s, with the caller's ctx
// and the request's caveat context.
func (e *Engine) initChecker(c *checker, ctx context.Context, p *plan, snap *index.Snapshot, s tuple.SubjectRef, caveatCtx map[string]any) error {
	sm, err := p.subjectOf(s)
	if err != nil {
		return err
	}
	c.ctx, c.p, c.snap, c.caveatCtx, c.max = ctx, p, *snap, caveatCtx, e.maxDepth
	if sm != nil {
		c.srel = sm.id
	}
	t := p.typeIDs[s.Type]
	c.subj, _ = snap.NodeIn(t, s.ID)
	if s.Relation == "" && s.ID != tuple.Wildcard {
		c.wild, _ = snap.NodeIn(t, tuple.Wildcard)
	}
	return nil
}

// member evaluates whether the subject is in m on node res.
func (c *checker) member(res uint32, m *member) truth {
	if m == nil || c.stopped() {
		return tNo
	}
	if c.srel == m.id && res == c.subj && c.subj != 0 {
		// A subject set is a member of itself: group:x#member ∈ group:x#member.
		if c.tr != nil {
			c.tr.self(c, res, m)
		}
		return tYes
	}
	for _, f := range c.stack[:c.depth] {
		if f.node == res && f.m == m.id {
			if c.tr != nil {
				c.tr.cycle(c, res, m)
			}
			return tNo // a loop grants nothing by itself (least fixed point)
		}
	}
	if c.depth >= c.max {
		if c.err == nil {
			c.err = fmt.Errorf("%w (%d) at %s#%s: the data nests deeper than the limit, or the schema recurses without end",
				ErrDepth, c.max, c.snap.Object(res), m.name)
		}
		return tNo
	}
	c.stack[c.depth] = frame{res, m.id}
	c.depth++
	var t truth
	if c.tr != nil {
		c.tr.enter(c, res, m)
	}
	if m.rel != nil {
		t = c.relation(res, m)
	} else {
		t = c.expr(res, m.expr)
	}
	if c.tr != nil {
		c.tr.leave(t)
	}
	c.depth--
	return t
}

// relation evaluates a relation: direct subjects, wildcards, subject sets.
func (c *checker) relation(res uint32, m *member) truth {
	best := tNo
	if c.subj != 0 && c.direct(c.snap.FwdSubject(res, m.id, c.srel, c.subj), &best) {
		return best
	}
	if c.wild != 0 && c.direct(c.snap.FwdSubject(res, m.id, 0, c.wild), &best) {
		return best
	}
	if !m.hasSets {
		return best
	}
	for _, edge := range c.snap.FwdSets(res, m.id) {
		if !c.snap.Visible(edge) {
			continue
		}
		if edge.Node == c.subj && edge.Srel == c.srel {
			continue // counted above as a direct match
		}
		if c.tr != nil {
			c.tr.via(c, edge)
		}
		t := c.member(edge.Node, c.p.memberAt(edge.Srel))
		if t.v != no {
			t = and(t, c.caveatOf(edge))
		}
		if c.tr != nil {
			c.tr.leave(t)
		}
		if best = or(best, t); best.v == yes && c.tr == nil {
			return best
		}
	}
	return best
}

// direct or's into best the relationships of edges that name the subject
// (or its wildcard), and reports whether the answer is settled.
func (c *checker) direct(edges []index.Edge, best *truth) bool {
	for _, edge := range edges {
		if c.snap.Visible(edge) {
			t := c.caveatOf(edge)
			if c.tr != nil {
				c.tr.edge(c, edge, t)
			}
			if *best = or(*best, t); best.v == yes && c.tr == nil {
				return true
			}
		}
	}
	return false
}

func (p *plan) memberAt(id uint16) *member {
	if int(id) < len(p.members) {
		return p.members[id]
	}
	return nil
}

func (c *checker) expr(res uint32, n *enode) truth {
	if c.tr != nil && n.op != opRef {
		c.tr.op(c, res, n)
		defer func() { c.tr.close() }()
	}
	switch n.op {
	case opRef:
		return c.member(res, n.ref)
	// Union and intersection are one loop with yes and no swapped, kept
	// apart: folding them into one with the deciding value in a variable
	// costs 9% more instructions in expr (cachegrind, BenchmarkCheck/100k).
	case opUnion:
		best := tNo
		for _, k := range n.kids {
			if best = or(best, c.expr(res, k)); best.v == yes && c.tr == nil {
				return best
			}
		}
		c.tr.result(best)
		return best
	case opInter:
		acc := tYes
		for _, k := range n.kids {
			if acc = and(acc, c.expr(res, k)); acc.v == no && c.tr == nil {
				return acc
			}
		}
		c.tr.result(acc)
		return acc
	case opExcl:
		base := c.expr(res, n.kids[0])
		if base.v == no && c.tr == nil {
			return base
		}
		sub := c.expr(res, n.kids[1])
		t := and(base, not(sub))
		c.tr.result(t)
		return t
	case opArrow:
		t := c.arrow(res, n)
		c.tr.result(t)
		return t
	}
	c.tr.result(tNo)
	return tNo
}

// arrow evaluates tupleset->computed (any) or tupleset.all(computed).
func (c *checker) arrow(res uint32, n *enode) truth {
	if n.tupleset == nil {
		return tNo
	}
	acc, seen := tNo, false
	if n.all {
		acc = tYes
	}
	for _, edge := range c.snap.FwdRel(res, n.tupleset.id) {
		if !c.snap.Visible(edge) {
			continue
		}
		seen = true
		if c.tr != nil {
			c.tr.via(c, edge)
		}
		t := c.member(edge.Node, n.targets[c.snap.NodeType(edge.Node)])
		if t.v != no {
			t = and(t, c.caveatOf(edge))
		}
		if c.tr != nil {
			c.tr.leave(t)
		}
		if n.all {
			if acc = and(acc, t); acc.v == no && c.tr == nil {
				return acc
			}
		} else if acc = or(acc, t); acc.v == yes && c.tr == nil {
			return acc
		}
	}
	if !seen {
		return tNo
	}
	return acc
}

// caveatOf evaluates the caveat of edge's relationship with the request
// context.
func (c *checker) caveatOf(edge index.Edge) truth {
	name, rctx := c.snap.Caveat(edge)
	if name == "" {
		return tYes
	}
	t, err := evalCaveat(c.ctx, c.p, name, rctx, c.caveatCtx)
	if err != nil && c.err == nil {
		c.err = err
	}
	return t
}
