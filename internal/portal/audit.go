package portal

import (
	"context"
	"strings"

	"github.com/octroi/octroi/internal/store"
)

// Audit returns audit entries matching q, oldest first: all of them to
// platform administrators; to others only those of what they manage —
// one such resource named by q.Resource, "dataset:ID" (manage_access),
// "organisation:ID" (manage_members), "community:ID", "service:ID",
// "grant:ID" or "page:ID" (manage) or "map:ID" (share), or, without
// q.Resource, those of every organisation, dataset, community, service,
// grant, page and map the engine says they manage. Someone who manages
// nothing is refused.
func (s *Service) Audit(ctx context.Context, actor string, q store.AuditQuery) ([]store.AuditEntry, error) {
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return nil, invalid("invalid.until_before_since", q.Until, q.Since)
	}
	q.Resources = nil // only this method narrows the log
	admin := right{s.platformRef(), "administer"}
	g := guard{rights: []right{admin}}
	typ, id, _ := strings.Cut(q.Resource, ":")
	switch m, ok := managed[typ]; {
	case ok && id != "":
		g.rights = append(g.rights, right{obj(typ, id), m})
	case q.Resource == "" && actor != "":
		isAdmin, err := s.has(ctx, actor, admin.res, admin.perm)
		if err != nil {
			return nil, err
		}
		if isAdmin {
			break // the guard passes them
		}
		if q.Resources, err = s.managedResources(ctx, actor); err != nil {
			return nil, err
		}
		if len(q.Resources) > 0 {
			g = guard{active: true}
		}
	}
	if err := s.authorize(ctx, actor, g); err != nil {
		return nil, err
	}
	q.Limit = pageSize(q.Limit)
	es, err := s.docs.Audit(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.contentAsSeen(ctx, actor, es) // audit_content.go
}

// managed names, for each kind of resource whose audit entries a manager
// reads, the permission that makes one its manager.
var managed = map[string]string{
	"organisation": "manage_members",
	"dataset":      "manage_access",
	"community":    "manage",
	"service":      "manage",
	"grant":        "manage",
	"page":         "manage",
	"map":          "share",
}

// managedKinds are the keys of managed, in the order they are read.
var managedKinds = []string{"organisation", "dataset", "community", "service", "grant", "page", "map"}

// managedResources lists, as audit resources ("dataset:ID"…), everything
// actor manages, as the engine answers it.
func (s *Service) managedResources(ctx context.Context, actor string) ([]string, error) {
	var out []string
	for _, typ := range managedKinds { // in order: the same refusal every time
		perm := managed[typ]
		ids, err := s.lookup(ctx, actor, typ, perm, "", maxManaged+1)
		if err != nil {
			return nil, err
		}
		if len(ids) > maxManaged {
			// Leaving some out would hide entries without a word.
			return nil, invalid("invalid.too_many_managed", maxManaged, typ, typ)
		}
		for _, id := range ids {
			out = append(out, typ+":"+id)
		}
	}
	return out, nil
}

// maxManaged bounds the resources of one manager's audit query (each kind),
// so that the query stays within what the databases take as parameters;
// beyond it the manager names one resource.
const maxManaged = 5000

// Notices lists the actor's own notices, oldest first, after the notice id
// `after`.
func (s *Service) Notices(ctx context.Context, actor string, after string, limit int) ([]Notice, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	ns, err := list[Notice](ctx, s.read(), kindNotice, actor, after, pageSize(limit))
	for _, n := range ns {
		if noticeCarriesSecret[n.Kind] {
			// The link reaches its owner by e-mail only (see passwords.go).
			delete(n.Data, NoticeSecret)
		}
	}
	return ns, err
}
