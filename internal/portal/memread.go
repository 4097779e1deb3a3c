package portal

import (
	"context"

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
