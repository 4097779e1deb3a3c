package index

import (
	"fmt"
	"slices"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

// Snapshot is a consistent view of the index at one revision and one
// instant (relationships expired at that instant are invisible). It holds
// the index's read lock until Close. A Snapshot is for one goroutine. A
// copy of an open Snapshot (a small value) reads the same view under the
// same lock: exactly one of the copies is closed, and none is used after.
//
// The range methods return slices of edges that may include versions
// invisible at the snapshot's revision: callers test each with Visible.
// The slices must not be modified or kept after Close.
type Snapshot struct {
	x   *Index
	rev uint64
	now int64
}

// ErrRevisionUnavailable is returned by Read for a revision that the index
// has not reached or has already forgotten.
var ErrRevisionUnavailable = fmt.Errorf("revision unavailable")

// Read opens a snapshot at revision rev (0 means the latest) and instant now.
// A revision newer than the index's, or older than what GC has kept, is an
// error wrapping ErrRevisionUnavailable.
func (x *Index) Read(rev uint64, now time.Time) (*Snapshot, error) {
	s := new(Snapshot)
	if err := x.ReadInto(s, rev, now); err != nil {
		return nil, err
	}
	return s, nil
}

// ReadInto is Read opening the snapshot in *s, which the caller provides
// (a variable on its stack, say), so that a query allocates no snapshot:
// the queries of the engine run at every request of the gateway. On
// error *s is unchanged and needs no Close. An open snapshot is not to
// be opened again before its Close.
func (x *Index) ReadInto(s *Snapshot, rev uint64, now time.Time) error {
	x.mu.RLock()
	if rev == 0 {
		rev = x.rev
	}
	if rev > x.rev {
		cur := x.rev
		x.mu.RUnlock()
		return fmt.Errorf("revision %d is newer than the index's %d: %w", rev, cur, ErrRevisionUnavailable)
	}
	if rev < x.oldest {
		oldest := x.oldest
		x.mu.RUnlock()
		return fmt.Errorf("revision %d is older than the oldest kept, %d: %w", rev, oldest, ErrRevisionUnavailable)
	}
	*s = Snapshot{x: x, rev: rev, now: now.UnixMicro()}
	return nil
}

// Close releases the snapshot. It must be called exactly once.
func (s *Snapshot) Close() { s.x.mu.RUnlock() }

// Revision returns the snapshot's revision.
func (s *Snapshot) Revision() uint64 { return s.rev }

// Now returns the snapshot's instant.
func (s *Snapshot) Now() time.Time { return time.UnixMicro(s.now) }

// Node returns the node of object typ:id, if the index has ever seen it.
func (s *Snapshot) Node(typ, id string) (uint32, bool) {
	t, ok := s.x.typeIDs[typ]
	if !ok {
		return 0, false
	}
	n, ok := s.x.objects[t][id]
	return n, ok
}

// NodeIn returns the node of object id of type t (see TypeID).
func (s *Snapshot) NodeIn(t uint16, id string) (uint32, bool) {
	if int(t) >= len(s.x.objects) {
		return 0, false
	}
	n, ok := s.x.objects[t][id]
	return n, ok
}

// TypeName returns the name of a type id.
func (s *Snapshot) TypeName(t uint16) string { return s.x.types[t] }

// NodeType returns a node's type id.
func (s *Snapshot) NodeType(n uint32) uint16 { return s.x.nodes[n].typ }

// NodeID returns a node's object id.
func (s *Snapshot) NodeID(n uint32) string { return s.x.nodes[n].id }

// Object returns a node as an object reference.
func (s *Snapshot) Object(n uint32) tuple.ObjectRef {
	nd := &s.x.nodes[n]
	return tuple.ObjectRef{Type: s.x.types[nd.typ], ID: nd.id}
}

// MemberName returns the name of a member id ("" for 0).
func (s *Snapshot) MemberName(m uint16) string { return s.x.members[m].name }

// Visible reports whether e's record is live at the snapshot's revision
// and not expired at its instant.
func (s *Snapshot) Visible(e Edge) bool {
	if e.plain() {
		return true
	}
	r := s.x.rec(e.ID())
	if r.created > s.rev || r.deleted <= s.rev {
		return false
	}
	if r.extra != 0 {
		if exp := s.x.extras[r.extra].expires; exp != 0 && exp <= s.now {
			return false
		}
	}
	return true
}

// HasExtra reports whether e's record has a caveat or an expiration.
func (s *Snapshot) HasExtra(e Edge) bool {
	return !e.plain() && s.x.rec(e.ID()).extra != 0
}

// Caveat returns e's record's caveat name and context ("" if uncaveated).
func (s *Snapshot) Caveat(e Edge) (string, map[string]any) {
	if e.plain() {
		return "", nil
	}
	r := s.x.rec(e.ID())
	if r.extra == 0 {
		return "", nil
	}
	x := &s.x.extras[r.extra]
	return x.caveat, x.context
}

// Expiration returns e's record's expiration, or nil.
func (s *Snapshot) Expiration(e Edge) *time.Time {
	if e.plain() {
		return nil
	}
	r := s.x.rec(e.ID())
	if r.extra == 0 || s.x.extras[r.extra].expires == 0 {
		return nil
	}
	t := time.UnixMicro(s.x.extras[r.extra].expires).UTC()
	return &t
}

// Relationship rebuilds e's record as a relationship.
func (s *Snapshot) Relationship(e Edge) tuple.Relationship {
	r := s.x.rec(e.ID())
	out := tuple.Relationship{
		Resource: s.Object(r.res),
		Relation: s.x.members[r.rel].name,
		Subject: tuple.SubjectRef{
			Type:     s.x.types[s.x.nodes[r.subj].typ],
			ID:       s.x.nodes[r.subj].id,
			Relation: s.x.members[r.srel].name,
		},
	}
	if r.extra != 0 {
		x := &s.x.extras[r.extra]
		if x.caveat != "" {
			out.Caveat = &tuple.Caveat{Name: x.caveat, Context: x.context}
		}
		out.Expiration = s.Expiration(e)
	}
	return out
}

// FwdRel returns the edges of relation rel on resource n, sorted by
// (subject relation, subject).
func (s *Snapshot) FwdRel(n uint32, rel uint16) []Edge {
	return span(s.x.nodes[n].fwd, func(e Edge) int { return cmpU16(e.Rel, rel) })
}

// FwdSubject returns the edges of the fact "subj (with subject relation
// srel) has relation rel on resource n": at most one visible. The edges come
// from whichever of the two lists is shorter, so their Node is either end:
// use them for their record only.
func (s *Snapshot) FwdSubject(n uint32, rel, srel uint16, subj uint32) []Edge {
	// A person belongs to a few organisations; an organisation may have
	// thousands of members.
	if rev := s.x.nodes[subj].rev; len(rev) < len(s.x.nodes[n].fwd) {
		return span(rev, func(e Edge) int {
			if c := cmpU16(e.Srel, srel); c != 0 {
				return c
			}
			if c := cmpU16(e.Rel, rel); c != 0 {
				return c
			}
			return cmpU32(e.Node, n)
		})
	}
	return span(s.x.nodes[n].fwd, func(e Edge) int {
		if c := cmpU16(e.Rel, rel); c != 0 {
			return c
		}
		if c := cmpU16(e.Srel, srel); c != 0 {
			return c
		}
		return cmpU32(e.Node, subj)
	})
}

// FwdSets returns the edges of relation rel on resource n whose subject is a
// subject set (Srel not 0).
func (s *Snapshot) FwdSets(n uint32, rel uint16) []Edge {
	all := s.FwdRel(n, rel)
	i, _ := slices.BinarySearchFunc(all, uint16(1), func(e Edge, min uint16) int { return cmpU16(e.Srel, min) })
	return all[i:]
}

// RevRel returns the edges from subject n (with subject relation srel) in
// relation rel, sorted by resource.
func (s *Snapshot) RevRel(n uint32, srel, rel uint16) []Edge {
	return span(s.x.nodes[n].rev, func(e Edge) int {
		if c := cmpU16(e.Srel, srel); c != 0 {
			return c
		}
		return cmpU16(e.Rel, rel)
	})
}

// span returns the run of list for which cmp is 0; list is sorted so that
// cmp is non-decreasing along it. Runs are usually short (one fact) or the
// whole list is small, so the end is found by galloping from the start.
func span(list []Edge, cmp func(e Edge) int) []Edge {
	lo := 0
	if len(list) <= 16 {
		for lo < len(list) && cmp(list[lo]) < 0 {
			lo++
		}
	} else {
		lo, _ = slices.BinarySearchFunc(list, 0, func(e Edge, _ int) int {
			if cmp(e) < 0 {
				return -1
			}
			return 1
		})
	}
	// Gallop: double the step while still inside the run, then bisect.
	hi, step := lo, 1
	for hi < len(list) && cmp(list[hi]) == 0 {
		hi += step
		step *= 2
	}
	if hi > len(list) {
		hi = len(list)
	}
	if hi > lo && step > 1 {
		prev := hi - step/2 // the last position known inside the run
		k, _ := slices.BinarySearchFunc(list[prev:hi], 0, func(e Edge, _ int) int {
			if cmp(e) <= 0 {
				return -1
			}
			return 1
		})
		hi = prev + k
	}
	return list[lo:hi]
}

// Each calls fn with every visible edge of every resource, in node order,
// until fn returns false.
func (s *Snapshot) Each(fn func(Edge) bool) {
	for n := range s.x.nodes {
		for _, e := range s.x.nodes[n].fwd {
			if s.Visible(e) && !fn(e) {
				return
			}
		}
	}
}

// All returns every relationship visible at the latest revision and instant
// now. It copies everything: for tools and tests, not for serving.
func (x *Index) All(now time.Time) []tuple.Relationship {
	s, err := x.Read(0, now)
	if err != nil {
		return nil
	}
	defer s.Close()
	var out []tuple.Relationship
	s.Each(func(e Edge) bool {
		out = append(out, s.Relationship(e))
		return true
	})
	return out
}
