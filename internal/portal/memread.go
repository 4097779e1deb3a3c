package portal

import (
	"context"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// indexRels reads the live relationships matching f from the engine's
// index rather than from the database: the index holds every relationship
// in memory and follows the store's changelog on every node, and a change
// made through this service waits for it (Config.Sync), so the caller sees
// its own changes. That is what lets the service's reads (levels, roles,
// memberships of every row of a list) cost a few binary searches rather
// than a database query each. The answer is in no particular order (the
// index's): callers that show a list sort what they show, which is cheaper
// than sorting every relationship of a large organisation.
//
// f names a resource type and either a resource or a subject (every read
// of the service does); other filters, or an engine without a schema, are
// read from the database.
func (s *Service) indexRels(ctx context.Context, f store.Filter) ([]tuple.Relationship, error) {
	e := s.engine()
	sch := e.Schema()
	if sch == nil || sch.Definition(f.ResourceType) == nil || (f.ResourceID == "" && (f.SubjectType == "" || f.SubjectID == "")) {
		return s.readAllRels(ctx, f)
	}
	x := e.Index()
	// Member ids are interned under the index's write lock: before the
	// snapshot, which holds its read lock.
	var rels []uint16
	for _, r := range sch.Definition(f.ResourceType).Relations {
		if f.Relation == "" || f.Relation == r.Name {
			rels = append(rels, x.Member(f.ResourceType, r.Name))
		}
	}
	var srels []uint16 // by subject, the subject relations to follow
	if f.ResourceID == "" {
		srels = []uint16{0}
		if f.SubjectRelation == nil || *f.SubjectRelation != "" {
			if d := sch.Definition(f.SubjectType); d != nil {
				for _, r := range d.Relations {
					if f.SubjectRelation == nil || *f.SubjectRelation == r.Name {
						srels = append(srels, x.Member(f.SubjectType, r.Name))
					}
				}
				for _, p := range d.Permissions {
					if f.SubjectRelation == nil || *f.SubjectRelation == p.Name {
						srels = append(srels, x.Member(f.SubjectType, p.Name))
					}
				}
			}
		}
	}
	snap, err := x.Read(0, s.now())
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	var out []tuple.Relationship
	if f.ResourceID != "" {
		n, ok := snap.Node(f.ResourceType, f.ResourceID)
		if !ok {
			return nil, nil
		}
		for _, rel := range rels {
			for _, e := range snap.FwdRel(n, rel) {
				if snap.Visible(e) {
					if r := snap.Relationship(e); f.Matches(r) {
						out = append(out, r)
					}
				}
			}
		}
	} else {
		n, ok := snap.Node(f.SubjectType, f.SubjectID)
		if !ok {
			return nil, nil
		}
		for _, srel := range srels {
			for _, rel := range rels {
				for _, e := range snap.RevRel(n, srel, rel) {
					if snap.Visible(e) {
						if r := snap.Relationship(e); f.Matches(r) {
							out = append(out, r)
						}
					}
				}
			}
		}
	}
	return out, nil
}

// rankedSubject is a subject holding one of a resource's roles: rank is the
// position of its highest role in the list asked for.
type rankedSubject struct {
	id   string
	rank int
}

// rolePage reads the users (no subject relation) that hold one of roles
// directly on resource typ:id, each once with its highest role, in id order
// after `after`, up to limit of them (limit ≤ 0: all).
//
// The index sorts a resource's edges by interned node number, not by id,
// so a page cannot start at `after` with a binary search. It is selected
// while walking the edges instead: the ids are the index's own strings and
// no relationship is built, and only the candidates that can make the page
// are sorted (a quickselect first keeps limit×len(roles) of them: a user's
// entries number at most len(roles), so the page's users have all theirs
// among these). A page of the largest organisation (30k members) thus costs
// a scan, not 30k relationships, a map and a sort.
func (s *Service) rolePage(ctx context.Context, typ, id string, roles []string, after string, limit int) ([]rankedSubject, error) {
	var cands []rankedSubject
	e := s.engine()
	sch := e.Schema()
	if sch == nil || sch.Definition(typ) == nil {
		// No schema: the database, as indexRels does.
		rs, err := s.indexRels(ctx, store.Filter{ResourceType: typ, ResourceID: id, SubjectType: "user", SubjectRelation: new("")})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if i := slices.Index(roles, r.Relation); i >= 0 && r.Subject.ID > after {
				cands = append(cands, rankedSubject{r.Subject.ID, i})
			}
		}
	} else {
		x := e.Index()
		rels := roleMembers(e, typ, roles)
		snap, err := x.Read(0, s.now())
		if err != nil {
			return nil, err
		}
		defer snap.Close()
		n, ok := snap.Node(typ, id)
		if !ok {
			return nil, nil
		}
		for i, rel := range rels {
			if rel == 0 {
				continue
			}
			for _, e := range snap.FwdRel(n, rel) {
				if e.Srel != 0 {
					break // subject sets come after plain subjects
				}
				if snap.TypeName(snap.NodeType(e.Node)) != "user" {
					continue
				}
				if sub := snap.NodeID(e.Node); sub > after && snap.Visible(e) {
					cands = append(cands, rankedSubject{sub, i})
				}
			}
		}
	}
	byID := func(a, b rankedSubject) int {
		if c := strings.Compare(a.id, b.id); c != 0 {
			return c
		}
		return b.rank - a.rank // highest role first
	}
	if k := limit * len(roles); limit > 0 && len(cands) > k {
		selectSmallest(cands, k, byID)
		cands = cands[:k]
	}
	slices.SortFunc(cands, byID)
	cands = slices.CompactFunc(cands, func(a, b rankedSubject) bool { return a.id == b.id })
	if limit > 0 && len(cands) > limit {
		cands = cands[:limit]
	}
	return cands, nil
}

// selectSmallest reorders s so that its k smallest elements come first (in
// no particular order): quickselect, linear on average, where a sort of
// every candidate would be n log n.
func selectSmallest[T any](s []T, k int, cmp func(a, b T) int) {
	lo, hi := 0, len(s)-1
	for lo < hi {
		p := s[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for cmp(s[i], p) < 0 {
				i++
			}
			for cmp(s[j], p) > 0 {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i, j = i+1, j-1
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

// roleMembers interns the index's member ids of the relations roles of
// typ (0 for one the schema lacks). Ids are interned under the index's
// write lock: call it before taking a snapshot, which holds its read lock.
func roleMembers(e *engine.Engine, typ string, roles []string) []uint16 {
	def, x := e.Schema().Definition(typ), e.Index()
	rels := make([]uint16, len(roles))
	for i, name := range roles {
		if def.Relation(name) != nil {
			rels[i] = x.Member(typ, name)
		}
	}
	return rels
}
