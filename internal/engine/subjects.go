package engine

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/tuple"
)

// LookupSubjectsRequest asks for every subject of SubjectType (with
// SubjectRelation, when set) that has Permission on Resource.
type LookupSubjectsRequest struct {
	Resource        tuple.ObjectRef
	Permission      string
	SubjectType     string
	SubjectRelation string
	Context         map[string]any
}

// SubjectResult is one subject found. For the wildcard (ID "*"), Excluded
// lists the subjects it does not reach (Result NoPermission: never;
// Conditional: depending on the Missing parameters).
type SubjectResult struct {
	Subject  tuple.SubjectRef
	Result   Result
	Missing  []string
	Excluded []SubjectResult
}

// LookupSubjects returns the subjects found, sorted by id with the wildcard
// first, and the revision read.
func (e *Engine) LookupSubjects(ctx context.Context, req LookupSubjectsRequest, at At) ([]SubjectResult, uint64, error) {
	snap := new(index.Snapshot) // on the stack unless the query keeps it
	p, m, err := e.openMember(at, snap, req.Resource.Type, req.Permission)
	if err != nil {
		return nil, 0, err
	}
	defer snap.Close()
	target := tuple.SubjectRef{Type: req.SubjectType, Relation: req.SubjectRelation}
	sm, err := p.subjectOf(target)
	if err != nil {
		return nil, 0, err
	}
	c := &checker{ctx: ctx, p: p, snap: *snap, caveatCtx: req.Context, max: e.maxDepth}
	s := &subjects{c: c, typ: p.typeIDs[req.SubjectType], memo: newMemo[frame](0, emptySet)}
	if sm != nil {
		s.srel = sm.id
	}
	res, ok := snap.Node(req.Resource.Type, req.Resource.ID)
	if !ok {
		return nil, snap.Revision(), nil
	}
	set, err := s.run(res, m)
	if err != nil {
		return nil, 0, err
	}
	return s.results(set, req), snap.Revision(), nil
}

// sset is a set of subjects with wildcard algebra: x is a member when
// conc[x] holds or, failing that, w(x) holds, where w(x) is wex[x] when x is
// an exception and wild otherwise.
type sset struct {
	conc map[uint32]truth
	wild truth
	wex  map[uint32]truth
}

func (s *sset) w(x uint32) truth {
	if v, ok := s.wex[x]; ok {
		return v
	}
	return s.wild
}

func (s *sset) in(x uint32) truth {
	return or(s.concOf(x), s.w(x))
}

func (s *sset) concOf(x uint32) truth {
	if v, ok := s.conc[x]; ok {
		return v
	}
	return tNo
}

func (s *sset) empty() bool { return len(s.conc) == 0 && s.wild.v == no && len(s.wex) == 0 }

func (s *sset) equal(o *sset) bool {
	eq := func(a, b map[uint32]truth) bool {
		return maps.EqualFunc(a, b, func(x, y truth) bool { return x.equal(y) })
	}
	return s.wild.equal(o.wild) && eq(s.conc, o.conc) && eq(s.wex, o.wex)
}

// combine builds the set whose membership is op(membership in a, in b):
// wildcards by op over the wildcard parts, concrete subjects by op over
// whole memberships.
func combine(a, b *sset, wop func(x, y truth) truth, mop func(x, y truth) truth) *sset {
	out := &sset{conc: map[uint32]truth{}, wex: map[uint32]truth{}, wild: wop(a.wild, b.wild)}
	for _, src := range []*sset{a, b} {
		for x := range src.wex {
			if v := wop(a.w(x), b.w(x)); !v.equal(out.wild) {
				out.wex[x] = v
			}
		}
	}
	for _, src := range []*sset{a, b} {
		for x := range src.conc {
			if v := mop(a.in(x), b.in(x)); v.v != no {
				out.conc[x] = v
			}
			// The wildcard part of an exclusion depends on the whole
			// membership of the subtracted side.
			if v := wop(a.w(x), b.w(x)); !v.equal(out.wild) {
				out.wex[x] = v
			}
		}
	}
	return out
}

func unionSet(a, b *sset) *sset { return combine(a, b, or, or) }
func interSet(a, b *sset) *sset { return combine(a, b, and, and) }

func minusSet(a, b *sset) *sset {
	out := &sset{conc: map[uint32]truth{}, wex: map[uint32]truth{}, wild: and(a.wild, not(b.wild))}
	keys := map[uint32]bool{}
	for _, m := range []map[uint32]truth{a.wex, b.wex, b.conc, a.conc} {
		for x := range m {
			keys[x] = true
		}
	}
	for x := range keys {
		if v := and(a.w(x), not(b.in(x))); !v.equal(out.wild) {
			out.wex[x] = v
		}
		if _, ok := a.conc[x]; ok {
			if v := and(a.in(x), not(b.in(x))); v.v != no {
				out.conc[x] = v
			}
		}
	}
	return out
}

// andSet restricts every membership of s by k (a caveat on the path).
func andSet(s *sset, k truth) *sset {
	if k.v == yes {
		return s
	}
	out := &sset{conc: map[uint32]truth{}, wex: map[uint32]truth{}, wild: and(s.wild, k)}
	for x, v := range s.conc {
		if v = and(v, k); v.v != no {
			out.conc[x] = v
		}
	}
	for x, v := range s.wex {
		if v = and(v, k); !v.equal(out.wild) {
			out.wex[x] = v
		}
	}
	return out
}

// subjects computes subject sets forward from a resource, one per (object,
// member).
type subjects struct {
	c    *checker
	typ  uint16 // the wanted subject type
	srel uint16 // the wanted subject relation, 0 for plain objects
	memo memo[frame, *sset]
}

var emptySet = &sset{}

func (s *subjects) run(res uint32, m *member) (*sset, error) {
	return s.memo.fixpoint(s.c, func() *sset { return s.member(res, m) }, (*sset).equal)
}

func (s *subjects) member(res uint32, m *member) *sset {
	if m == nil {
		return emptySet
	}
	return s.memo.set(frame{res, m.id}, func() *sset {
		var out *sset
		if m.rel != nil {
			out = s.relation(res, m)
		} else {
			out = s.expr(res, m.expr)
		}
		if m.id == s.srel && s.c.snap.NodeType(res) == s.typ {
			// An object's relation holds the subject set itself.
			out = unionSet(out, &sset{conc: map[uint32]truth{res: tYes}})
		}
		return out
	})
}

func (s *subjects) relation(res uint32, m *member) *sset {
	c := s.c
	out := &sset{conc: map[uint32]truth{}, wex: map[uint32]truth{}}
	for _, edge := range c.snap.FwdRel(res, m.id) {
		if !c.snap.Visible(edge) {
			continue
		}
		k := tYes
		if c.snap.HasExtra(edge) {
			if k = c.caveatOf(edge); k.v == no {
				continue
			}
		}
		if edge.Srel == s.srel && c.snap.NodeType(edge.Node) == s.typ {
			if c.snap.NodeID(edge.Node) == tuple.Wildcard {
				out = unionSet(out, &sset{wild: k})
			} else {
				out.conc[edge.Node] = or(out.concOf(edge.Node), k)
			}
		}
		if edge.Srel != 0 {
			out = unionSet(out, andSet(s.member(edge.Node, c.p.memberAt(edge.Srel)), k))
		}
	}
	return out
}

func (s *subjects) expr(res uint32, n *enode) *sset {
	switch n.op {
	case opRef:
		return s.member(res, n.ref)
	case opUnion:
		out := emptySet
		for _, k := range n.kids {
			out = unionSet(out, s.expr(res, k))
		}
		return out
	case opInter:
		out := s.expr(res, n.kids[0])
		for _, k := range n.kids[1:] {
			out = interSet(out, s.expr(res, k))
		}
		return out
	case opExcl:
		base := s.expr(res, n.kids[0])
		if base.empty() {
			return emptySet
		}
		return minusSet(base, s.expr(res, n.kids[1]))
	case opArrow:
		return s.arrow(res, n)
	}
	return emptySet
}

func (s *subjects) arrow(res uint32, n *enode) *sset {
	if n.tupleset == nil {
		return emptySet
	}
	c := s.c
	var out *sset
	for _, edge := range c.snap.FwdRel(res, n.tupleset.id) {
		if !c.snap.Visible(edge) {
			continue
		}
		sub := emptySet
		if t := n.targets[c.snap.NodeType(edge.Node)]; t != nil {
			sub = s.member(edge.Node, t)
		}
		if c.snap.HasExtra(edge) {
			sub = andSet(sub, c.caveatOf(edge))
		}
		switch {
		case out == nil:
			out = sub
		case n.all:
			out = interSet(out, sub)
		default:
			out = unionSet(out, sub)
		}
	}
	if out == nil {
		return emptySet
	}
	return out
}

// results lists a set: the wildcard first (with its exclusions), then
// concrete subjects sorted by id.
func (s *subjects) results(set *sset, req LookupSubjectsRequest) []SubjectResult {
	snap := &s.c.snap
	ref := func(x uint32) tuple.SubjectRef {
		return tuple.SubjectRef{Type: req.SubjectType, ID: snap.NodeID(x), Relation: req.SubjectRelation}
	}
	var out []SubjectResult
	if set.wild.v != no {
		w := SubjectResult{Subject: tuple.SubjectRef{Type: req.SubjectType, ID: tuple.Wildcard}, Result: resultOf(set.wild), Missing: set.wild.miss}
		for x := range set.wex {
			if in := set.in(x); in.v != yes && !in.equal(set.wild) {
				w.Excluded = append(w.Excluded, SubjectResult{Subject: ref(x), Result: resultOf(in), Missing: in.miss})
			}
		}
		slices.SortFunc(w.Excluded, func(a, b SubjectResult) int { return cmp.Compare(a.Subject.ID, b.Subject.ID) })
		out = append(out, w)
	}
	start := len(out)
	concrete := func(x uint32) {
		if snap.NodeID(x) == tuple.Wildcard {
			return
		}
		in := set.in(x)
		_, listed := set.conc[x]
		// A subject is listed on its own when it was found as itself, or
		// when it gets more than the wildcard alone gives it.
		if in.v != no && (listed || set.wild.v == no || (in.v == yes && set.wild.v != yes)) {
			out = append(out, SubjectResult{Subject: ref(x), Result: resultOf(in), Missing: in.miss})
		}
	}
	for x := range set.conc {
		concrete(x)
	}
	for x := range set.wex {
		if _, dup := set.conc[x]; !dup {
			concrete(x)
		}
	}
	slices.SortFunc(out[start:], func(a, b SubjectResult) int { return cmp.Compare(a.Subject.ID, b.Subject.ID) })
	return out
}
