package portal

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/octroi/octroi/internal/engine"
)

// matchingCommunities returns, in id order, up to limit communities the
// actor may view whose id or a word of whose name starts with the folded
// prefix, other than skip: the beneficiary search of a new permission, at
// each keystroke. The candidates are read from the in-memory copy's names
// (folded once) a batch at a time, and only they are checked against the
// engine, in one bulk check a batch: the search used to look up every
// community the actor may view (all 5,000 for a platform administrator)
// before looking at a name.
func (s *Service) matchingCommunities(ctx context.Context, actor, prefix, skip string, limit int) ([]Named, error) {
	match := func(id string, g memGroup) bool {
		return id != skip && (strings.HasPrefix(strings.ToLower(id), prefix) || hasKeyPrefix(g.folded, prefix))
	}
	var out []Named
	after := ""
	for len(out) < limit {
		cands, more, err := s.mem.groupsMatching(ctx, kindCommunity, after, 2*limit, match)
		if err != nil {
			return nil, err
		}
		if len(cands) == 0 {
			break
		}
		reqs := make([]engine.CheckRequest, len(cands))
		for i, c := range cands {
			reqs[i] = engine.CheckRequest{Resource: communityRef(c.ID), Permission: "view", Subject: user(actor)}
		}
		res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
		if err != nil {
			return nil, err
		}
		for i, c := range cands {
			if errs[i] == nil && res[i].Result == engine.HasPermission && len(out) < limit {
				out = append(out, c)
			}
		}
		if !more {
			break
		}
		after = cands[len(cands)-1].ID
	}
	return out, nil
}

// groupsMatching returns up to n groups of record kind k that match, in
// id order after `after`, and whether more may follow; match runs under
// the copy's read lock and must not call the service.
func (r *records) groupsMatching(ctx context.Context, k, after string, n int, match func(id string, g memGroup) bool) ([]Named, bool, error) {
	if err := r.fresh(ctx); err != nil {
		return nil, false, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	mk := r.kinds[k]
	if mk == nil {
		return nil, false, nil
	}
	i, found := slices.BinarySearch(mk.ids, after)
	if found {
		i++
	}
	var out []Named
	for _, id := range mk.ids[i:] {
		if g, ok := mk.groups[id]; ok && match(id, g) {
			if len(out) == n {
				return out, true, nil
			}
			out = append(out, Named{ID: id, Name: g.Name})
		}
	}
	return out, false, nil
}

// hasKeyPrefix reports whether one of foldedKeys(name) starts with
// prefix, without building them: every community's name is looked at on
// each keystroke.
func hasKeyPrefix(name, prefix string) bool {
	if strings.HasPrefix(name, prefix) {
		return true
	}
	sep := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
	start := -1 // of the current word; the first is the name's start
	first := true
	for i, r := range name {
		switch {
		case sep(r):
			if start >= 0 && !first && strings.HasPrefix(name[start:i], prefix) {
				return true
			}
			if start >= 0 {
				first = false
			}
			start = -1
		case start < 0:
			start = i
		}
	}
	return start >= 0 && !first && strings.HasPrefix(name[start:], prefix)
}
