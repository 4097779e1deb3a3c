package index

import (
	"fmt"
	"slices"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

// Snapshot is a consistent view of the index at one revision and one
// instant (relationships expired at that instant are invisible). It holds
// the index's read lock until Close. A Snapshot is for one goroutine.
//
// The range methods return slices of record ids that may include versions
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
	x.mu.RLock()
	if rev == 0 {
		rev = x.rev
	}
	if rev > x.rev {
		cur := x.rev
		x.mu.RUnlock()
		return nil, fmt.Errorf("revision %d is newer than the index's %d: %w", rev, cur, ErrRevisionUnavailable)
	}
	if rev < x.oldest {
		oldest := x.oldest
		x.mu.RUnlock()
		return nil, fmt.Errorf("revision %d is older than the oldest kept, %d: %w", rev, oldest, ErrRevisionUnavailable)
	}
	return &Snapshot{x: x, rev: rev, now: now.UnixMicro()}, nil
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

// TypeID returns the id of a type name, if the index knows it.
func (s *Snapshot) TypeID(name string) (uint16, bool) {
	t, ok := s.x.typeIDs[name]
	return t, ok
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

// MemberID returns the id of member name of type t, if interned.
func (s *Snapshot) MemberID(t uint16, name string) (uint16, bool) {
	id, ok := s.x.memberID[memberKey{t, name}]
	return id, ok
}

// MemberName returns the name of a member id ("" for 0).
func (s *Snapshot) MemberName(m uint16) string { return s.x.members[m].name }

// Objects returns every node of type t, in no particular order. Nodes stay
// known after their relationships are deleted.
func (s *Snapshot) Objects(t uint16) []uint32 {
	if int(t) >= len(s.x.objects) {
		return nil
	}
	out := make([]uint32, 0, len(s.x.objects[t]))
	for _, n := range s.x.objects[t] {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Rec describes one record.
type Rec struct {
	Res, Subj uint32
	Rel, Srel uint16 // Srel 0: the subject is a plain object
	HasExtra  bool   // a caveat or an expiration
}

// Rec returns record id's fields.
func (s *Snapshot) Rec(id uint32) Rec {
	r := s.x.rec(id)
	return Rec{Res: r.res, Subj: r.subj, Rel: r.rel, Srel: r.srel, HasExtra: r.extra != 0}
}

// Visible reports whether record id is live at the snapshot's revision and
// not expired at its instant.
func (s *Snapshot) Visible(id uint32) bool {
	r := s.x.rec(id)
	if r.created > s.rev || r.deleted <= s.rev {
		return false
	}
	if r.extra != 0 {
		if e := s.x.extras[r.extra].expires; e != 0 && e <= s.now {
			return false
		}
	}
	return true
}

// Caveat returns record id's caveat name and context ("" if uncaveated).
func (s *Snapshot) Caveat(id uint32) (string, map[string]any) {
	r := s.x.rec(id)
	if r.extra == 0 {
		return "", nil
	}
	e := &s.x.extras[r.extra]
	return e.caveat, e.context
}

// Expiration returns record id's expiration, or nil.
func (s *Snapshot) Expiration(id uint32) *time.Time {
	r := s.x.rec(id)
	if r.extra == 0 || s.x.extras[r.extra].expires == 0 {
		return nil
	}
	t := time.UnixMicro(s.x.extras[r.extra].expires).UTC()
	return &t
}

// Relationship rebuilds record id as a relationship.
func (s *Snapshot) Relationship(id uint32) tuple.Relationship {
	r := s.x.rec(id)
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
		e := &s.x.extras[r.extra]
		if e.caveat != "" {
			out.Caveat = &tuple.Caveat{Name: e.caveat, Context: e.context}
		}
		out.Expiration = s.Expiration(id)
	}
	return out
}

// Fwd returns the records whose resource is node n, sorted by
// (relation, subject relation, subject).
func (s *Snapshot) Fwd(n uint32) []uint32 { return s.x.nodes[n].fwd }

// Rev returns the records whose subject is node n, sorted by
// (subject relation, relation, resource).
func (s *Snapshot) Rev(n uint32) []uint32 { return s.x.nodes[n].rev }

// FwdRel returns the records of relation rel on resource n.
func (s *Snapshot) FwdRel(n uint32, rel uint16) []uint32 {
	return s.span(s.x.nodes[n].fwd, func(r *rec) int { return cmpU16(r.rel, rel) })
}

// FwdSubject returns the records of relation rel on resource n whose subject
// is exactly subj (with subject relation srel): at most one visible.
func (s *Snapshot) FwdSubject(n uint32, rel, srel uint16, subj uint32) []uint32 {
	// Both lists hold the answer; search the shorter one. A person belongs to
	// a few organisations, an organisation may have thousands of members.
	if rev := s.x.nodes[subj].rev; len(rev) < len(s.x.nodes[n].fwd) {
		return s.span(rev, func(r *rec) int {
			if c := cmpU16(r.srel, srel); c != 0 {
				return c
			}
			if c := cmpU16(r.rel, rel); c != 0 {
				return c
			}
			return cmpU32(r.res, n)
		})
	}
	return s.span(s.x.nodes[n].fwd, func(r *rec) int {
		if c := cmpU16(r.rel, rel); c != 0 {
			return c
		}
		if c := cmpU16(r.srel, srel); c != 0 {
			return c
		}
		return cmpU32(r.subj, subj)
	})
}

// FwdSets returns the records of relation rel on resource n whose subject is
// a subject set (subject relation not 0).
func (s *Snapshot) FwdSets(n uint32, rel uint16) []uint32 {
	all := s.FwdRel(n, rel)
	i, _ := slices.BinarySearchFunc(all, uint16(1), func(id uint32, min uint16) int {
		return cmpU16(s.x.rec(id).srel, min)
	})
	return all[i:]
}

// RevRel returns the records whose subject is node n with subject relation
// srel, in relation rel, sorted by resource.
func (s *Snapshot) RevRel(n uint32, srel, rel uint16) []uint32 {
	return s.span(s.x.nodes[n].rev, func(r *rec) int {
		if c := cmpU16(r.srel, srel); c != 0 {
			return c
		}
		return cmpU16(r.rel, rel)
	})
}

// span returns the run of list for which cmp is 0; list is sorted so that
// cmp is non-decreasing along it.
func (s *Snapshot) span(list []uint32, cmp func(r *rec) int) []uint32 {
	if len(list) <= 8 {
		lo := 0
		for lo < len(list) && cmp(s.x.rec(list[lo])) < 0 {
			lo++
		}
		hi := lo
		for hi < len(list) && cmp(s.x.rec(list[hi])) == 0 {
			hi++
		}
		return list[lo:hi]
	}
	lo, _ := slices.BinarySearchFunc(list, 0, func(id uint32, _ int) int {
		if cmp(s.x.rec(id)) < 0 {
			return -1
		}
		return 1
	})
	hi, _ := slices.BinarySearchFunc(list[lo:], 0, func(id uint32, _ int) int {
		if cmp(s.x.rec(id)) <= 0 {
			return -1
		}
		return 1
	})
	return list[lo : lo+hi]
}

// Each calls fn with every visible record, resources in node order, until
// fn returns false.
func (s *Snapshot) Each(fn func(id uint32) bool) {
	for n := range s.x.nodes {
		for _, id := range s.x.nodes[n].fwd {
			if s.Visible(id) && !fn(id) {
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
	s.Each(func(id uint32) bool {
		out = append(out, s.Relationship(id))
		return true
	})
	return out
}
