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
