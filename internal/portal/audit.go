package portal

import (
	"context"
	"strings"

	"github.com/octroi/octroi/internal/store"
)

// Audit returns audit entries matching q, oldest first: all of them to
// platform administrators; to others only those of one resource they
// manage — q.Resource "dataset:ID" (manage_access), "organisation:ID"
// (manage_members) or "community:ID" (manage).
func (s *Service) Audit(ctx context.Context, actor string, q store.AuditQuery) ([]store.AuditEntry, error) {
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return nil, invalidf("until %s is not after since %s", q.Until, q.Since)
	}
	g := guard{rights: []right{{s.platformRef(), "administer"}}}
	if typ, id, ok := strings.Cut(q.Resource, ":"); ok && id != "" {
		switch typ {
		case "dataset":
			g.rights = append(g.rights, right{datasetRef(id), "manage_access"})
		case "organisation":
			g.rights = append(g.rights, right{orgRef(id), "manage_members"})
		case "community":
			g.rights = append(g.rights, right{communityRef(id), "manage"})
		}
	}
	if err := s.authorize(ctx, actor, g); err != nil {
		return nil, err
	}
	q.Limit = pageSize(q.Limit)
	return s.docs.Audit(ctx, q)
}

// Notices lists the actor's own notices, oldest first, after the notice id
// `after`.
func (s *Service) Notices(ctx context.Context, actor string, after string, limit int) ([]Notice, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	return list[Notice](ctx, s.read(), kindNotice, actor, after, pageSize(limit))
}
