package portal

import (
	"context"

	"github.com/octroi/octroi/internal/store"
)

// PlatformAudit returns the audit entries matching q to platform
// administrators only (administer), whatever q names: the administrators'
// screen of the whole log, where Audit would give a manager the entries of
// what they manage. q.Resources is ignored; the other filters only narrow.
// Dates are checked as Audit checks them.
func (s *Service) PlatformAudit(ctx context.Context, actor string, q store.AuditQuery) ([]store.AuditEntry, error) {
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return nil, invalid("invalid.until_before_since", q.Until, q.Since)
	}
	if err := s.authorize(ctx, actor, guard{rights: []right{{s.platformRef(), "administer"}}}); err != nil {
		return nil, err
	}
	q.Resources = nil
	q.Limit = pageSize(q.Limit)
	return s.docs.Audit(ctx, q)
}
