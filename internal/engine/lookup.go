package engine

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/index"
	"github.com/octroi/octroi/internal/tuple"
)

// LookupResourcesRequest asks for every resource of ResourceType on which
// Subject has Permission.
type LookupResourcesRequest struct {
	ResourceType string
	Permission   string
	Subject      tuple.SubjectRef
	Context      map[string]any
	// Limit caps the results of one page (0: all, in no particular order).
	// With a limit, results come sorted by id and a cursor resumes after the
	// last one, at the same revision.
	Limit  int
	Cursor string
	// After starts a first page (no Cursor) after this id, at the revision
	// At asks for: callers that keep their own cursor, an id (the portal's
	// lists), page through the engine's sorted pages rather than sorting
	// every resource themselves.
	After string
}

// LookupResult is one resource found, with Result HasPermission or
// Conditional (and then the parameters missing to decide).
type LookupResult struct {
	ID      string
	Result  Result
	Missing []string
}

// LookupResources returns the resources found (one page when req.Limit is
// set), the cursor of the next page ("" after the last) and the revision
// read. The lookup is computed set-wise from the subject outwards: it costs
// about what the subject reaches, not what the schema holds.
func (e *Engine) LookupResources(ctx context.Context, req LookupResourcesRequest, at At) ([]LookupResult, string, uint64, error) {
	after := req.After
	if req.Cursor != "" {
		rev, last, err := decodeCursor(req.Cursor)
		if err != nil {
			return nil, "", 0, err
		}
		at.Revision, after = rev, last
	}
	snap := new(index.Snapshot) // on the stack unless the query keeps it
	p, m, err := e.openMember(at, snap, req.ResourceType, req.Permission)
	if err != nil {
		return nil, "", 0, err
	}
	defer snap.Close()
	c := &checker{}
	if err := e.initChecker(c, ctx, p, snap, req.Subject, req.Context); err != nil {
		return nil, "", 0, err
	}
	l := &lookup{c: c, memo: newMemo[*member](len(p.members), rset(nil)), unknowns: [][]string{nil}}
	set, err := l.run(m)
	if err != nil {
		return nil, "", 0, err
	}
	items := []item(set)
	if req.Limit > 0 {
		items = l.page(items, after, req.Limit)
	}
	out := make([]LookupResult, len(items))
	for i, it := range items {
		t := l.truthOf(it.u)
		out[i] = LookupResult{ID: snap.NodeID(it.node), Result: resultOf(t), Missing: t.miss}
	}
	next := ""
	if req.Limit > 0 && len(out) == req.Limit {
		next = encodeCursor(snap.Revision(), out[len(out)-1].ID)
	}
	return out, next, snap.Revision(), nil
}

// item is a node with a truth: u 0 is "yes", otherwise an index in the
// lookup's table of unknowns. Sets are []item sorted by node, unique.
type item struct {
	node uint32
	u    uint32
}

type rset []item

// lookup computes resource sets outwards from the subject, one per member.
type lookup struct {
	c        *checker
	memo     memo[*member, rset]
	unknowns [][]string // by item.u: the parameters an unknown truth misses; 0 is unused
}

// run computes the set of m, iterating to a fixed point when m's evaluation
// meets itself (recursive data such as nested groups or folder parents).
func (l *lookup) run(m *member) (rset, error) {
	return l.memo.fixpoint(l.c, func() rset { return l.member(m) }, l.equal)
}

func (l *lookup) member(m *member) rset {
	if m == nil {
		return nil
	}
	return l.memo.set(m, func() rset {
		var s rset
		if m.rel != nil {
			s = l.relation(m)
		} else {
			s = l.expr(m.expr)
		}
		if c := l.c; c.srel == m.id && c.subj != 0 {
			s = l.union(s, rset{{node: c.subj}})
		}
		return s
	})
}

func (l *lookup) relation(m *member) rset {
	c := l.c
	var direct, wild rset
	if c.subj != 0 {
		direct = l.appendResources(nil, c.snap.RevRel(c.subj, c.srel, m.id), 0) // sorted by resource: a set
	}
	if c.wild != 0 {
		wild = l.appendResources(nil, c.snap.RevRel(c.wild, 0, m.id), 0)
	}
	out := l.union(direct, wild)
	var viaSets []item
	for _, sm := range m.setTypes {
		for _, g := range l.member(sm) {
			if g.node == c.subj && sm.id == c.srel {
				continue // the subject's own records: counted as direct
			}
			viaSets = l.appendResources(viaSets, c.snap.RevRel(g.node, sm.id, m.id), g.u)
		}
	}
	return l.union(out, l.normalize(viaSets))
}

// appendResources appends the resources at the far end of reverse edges,
// each resource's truth being its relationship's caveat and'ed with u. Edges
// of one subject and relation come sorted by resource, so appended to nil
// they form a set.
func (l *lookup) appendResources(items []item, edges []index.Edge, u uint32) []item {
	c := l.c
	for _, edge := range edges {
		if !c.snap.Visible(edge) {
			continue
		}
		t := l.truthOf(u)
		if c.snap.HasExtra(edge) {
			t = and(t, c.caveatOf(edge))
		}
		if t.v != no {
			items = append(items, item{node: edge.Node, u: l.intern(t)})
		}
	}
	return items
}

// normalize sorts items by node and merges duplicates with "or".
func (l *lookup) normalize(items []item) rset {
	slices.SortFunc(items, func(a, b item) int { return cmp.Compare(a.node, b.node) })
	out := items[:0]
	for _, it := range items {
		if n := len(out); n > 0 && out[n-1].node == it.node {
			out[n-1].u = l.intern(or(l.truthOf(out[n-1].u), l.truthOf(it.u)))
			continue
		}
		out = append(out, it)
	}
	return out
}

func (l *lookup) expr(n *enode) rset {
	switch n.op {
	case opRef:
		return l.member(n.ref)
	case opUnion:
		var s rset
		for _, k := range n.kids {
			s = l.union(s, l.expr(k))
		}
		return s
	case opInter:
		s := l.expr(n.kids[0])
		for _, k := range n.kids[1:] {
			s = l.inter(s, l.expr(k))
		}
		return s
	case opExcl:
		base := l.expr(n.kids[0])
		if len(base) == 0 {
			return nil
		}
		return l.minus(base, l.expr(n.kids[1]))
	case opArrow:
		return l.arrow(n)
	}
	return nil
}

func (l *lookup) arrow(n *enode) rset {
	if n.tupleset == nil {
		return nil
	}
	c := l.c
	sets := map[uint16]rset{}
	var items []item
	for typ, target := range n.targets {
		x := l.member(target)
		sets[typ] = x
		for _, srel := range n.srels[typ] {
			for _, g := range x {
				items = l.appendResources(items, c.snap.RevRel(g.node, srel, n.tupleset.id), g.u)
			}
		}
	}
	cands := l.normalize(items)
	if !n.all {
		return cands
	}
	// .all(): a candidate qualifies only if every object it points to does.
	out := cands[:0]
	for _, cand := range cands {
		acc, seen := tYes, false
		for _, edge := range c.snap.FwdRel(cand.node, n.tupleset.id) {
			if !c.snap.Visible(edge) {
				continue
			}
			seen = true
			t := l.find(sets[c.snap.NodeType(edge.Node)], edge.Node)
			if t.v != no && c.snap.HasExtra(edge) {
				t = and(t, c.caveatOf(edge))
			}
			if acc = and(acc, t); acc.v == no {
				break
			}
		}
		if seen && acc.v != no {
			out = append(out, item{node: cand.node, u: l.intern(acc)})
		}
	}
	return out
}

func (l *lookup) find(s rset, node uint32) truth {
	i, ok := slices.BinarySearchFunc(s, node, func(it item, n uint32) int { return cmp.Compare(it.node, n) })
	if !ok {
		return tNo
	}
	return l.truthOf(s[i].u)
}

func (l *lookup) truthOf(u uint32) truth {
	if u == 0 {
		return tYes
	}
	return truth{v: unknown, miss: l.unknowns[u]}
}

func (l *lookup) intern(t truth) uint32 {
	if t.v == yes {
		return 0
	}
	l.unknowns = append(l.unknowns, t.miss)
	return uint32(len(l.unknowns) - 1)
}

func (l *lookup) union(a, b rset) rset {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make(rset, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].node < b[j].node:
			out = append(out, a[i])
			i++
		case a[i].node > b[j].node:
			out = append(out, b[j])
			j++
		default:
			u := a[i].u
			if u != 0 && b[j].u != 0 {
				u = l.intern(or(l.truthOf(u), l.truthOf(b[j].u)))
			} else {
				u = 0
			}
			out = append(out, item{a[i].node, u})
			i, j = i+1, j+1
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func (l *lookup) inter(a, b rset) rset {
	var out rset
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].node < b[j].node:
			i++
		case a[i].node > b[j].node:
			j++
		default:
			t := and(l.truthOf(a[i].u), l.truthOf(b[j].u))
			out = append(out, item{a[i].node, l.intern(t)})
			i, j = i+1, j+1
		}
	}
	return out
}

func (l *lookup) minus(a, b rset) rset {
	out := make(rset, 0, len(a))
	j := 0
	for _, it := range a {
		for j < len(b) && b[j].node < it.node {
			j++
		}
		if j < len(b) && b[j].node == it.node {
			t := and(l.truthOf(it.u), not(l.truthOf(b[j].u)))
			if t.v != no {
				out = append(out, item{it.node, l.intern(t)})
			}
			continue
		}
		out = append(out, it)
	}
	return out
}

func (l *lookup) equal(a, b rset) bool {
	return slices.EqualFunc(a, b, func(x, y item) bool {
		return x.node == y.node && l.truthOf(x.u).equal(l.truthOf(y.u))
	})
}

// page returns, sorted by id, the first limit items whose id sorts after
// after.
//
// A page is small and the set may be every resource (106k datasets for an
// administrator), so the page is kept in a bounded max-heap while the set is
// scanned once: most items cost one comparison with the heap's largest id,
// where a quickselect compared and moved every item several times.
func (l *lookup) page(items []item, after string, limit int) []item {
	snap := &l.c.snap
	type entry struct {
		id string
		it item
	}
	h := make([]entry, 0, min(len(items), limit))
	down := func(i int) { // restores the max-heap below i
		for {
			big, c := i, 2*i+1
			if c < len(h) && h[c].id > h[big].id {
				big = c
			}
			if c+1 < len(h) && h[c+1].id > h[big].id {
				big = c + 1
			}
			if big == i {
				return
			}
			h[i], h[big] = h[big], h[i]
			i = big
		}
	}
	for _, it := range items {
		id := snap.NodeID(it.node)
		switch {
		case id <= after:
		case len(h) < limit:
			h = append(h, entry{id, it})
			for i := len(h) - 1; i > 0 && h[(i-1)/2].id < h[i].id; i = (i - 1) / 2 {
				h[i], h[(i-1)/2] = h[(i-1)/2], h[i]
			}
		case id < h[0].id:
			h[0] = entry{id, it}
			down(0)
		}
	}
	slices.SortFunc(h, func(a, b entry) int { return strings.Compare(a.id, b.id) })
	out := make([]item, len(h))
	for i, e := range h {
		out[i] = e.it
	}
	return out
}

func encodeCursor(rev uint64, last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("1:" + strconv.FormatUint(rev, 10) + ":" + last))
}

func decodeCursor(s string) (uint64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, "", fmt.Errorf("%w: not a cursor this server issued", ErrCursor)
	}
	parts := strings.SplitN(string(b), ":", 3)
	if len(parts) != 3 || parts[0] != "1" {
		return 0, "", fmt.Errorf("%w: not a cursor this server issued", ErrCursor)
	}
	rev, err := strconv.ParseUint(parts[1], 10, 64)
	if err != nil || rev == 0 {
		return 0, "", fmt.Errorf("%w: not a cursor this server issued", ErrCursor)
	}
	return rev, parts[2], nil
}
