package portal

import "context"

// groupNames returns the names of the groups ids of record kind k
// (organisations, communities, groups of organisations), from the decoded
// names the in-memory copy keeps for access tables; a group without a
// record has no name (""). A profile names every organisation and
// community its account belongs to: decoding each record's JSON for that
// cost a platform administrator who created 5,000 communities 37 ms per
// page that shows the profile.
func (r *records) groupNames(ctx context.Context, k string, ids []string) ([]string, error) {
	if err := r.fresh(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	mk := r.kinds[k]
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = mk.groups[id].Name
	}
	return out, nil
}

// heldNames names held roles' objects of record kind k, in order.
func (s *Service) heldNames(ctx context.Context, k string, held []heldRole) ([]string, error) {
	ids := make([]string, len(held))
	for i, h := range held {
		ids[i] = h.id
	}
	return s.mem.groupNames(ctx, k, ids)
}

// eachGroupOf calls fn with each of the groups ids of record kind k that
// has a record, in order, until fn returns false; fn runs under the copy's
// read lock and must not call the service.
func (r *records) eachGroupOf(ctx context.Context, k string, ids []string, fn func(id string, g memGroup) bool) error {
	if err := r.fresh(ctx); err != nil {
		return err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	mk := r.kinds[k]
	for _, id := range ids {
		if g, ok := mk.groups[id]; ok && !fn(id, g) {
			return nil
		}
	}
	return nil
}
