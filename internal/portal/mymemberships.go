package portal

import (
	"context"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/store"
)

// CommunityMembershipPage is one page of an account's communities.
type CommunityMembershipPage struct {
	Communities []CommunityMembership `json:"communities"`
	// Next is the cursor of the next page ("" after the last).
	Next string `json:"next,omitempty"`
	// Total is how many communities the account belongs to in all.
	Total int `json:"total"`
}

// CommunityMemberships is a page of an account's communities (its role in
// each, as Profile lists them), in id order after the cursor `after` (""
// for the first page; a cursor is a community id, that of the last
// community of the previous page), to the account itself or to account
// managers. A platform administrator belongs to every community they
// created, thousands of them: a screen that shows a page of them asks for
// that page, where Profile names them all.
func (s *Service) CommunityMemberships(ctx context.Context, actor, id, after string, limit int) (CommunityMembershipPage, error) {
	if after != "" {
		if err := checkID("after", after); err != nil {
			return CommunityMembershipPage{}, err
		}
	}
	if err := s.authorize(ctx, actor, guard{self: id, rights: []right{{s.platformRef(), "manage_accounts"}}}); err != nil {
		return CommunityMembershipPage{}, err
	}
	if _, err := s.read().account(ctx, id); err != nil {
		return CommunityMembershipPage{}, err
	}
	all, err := s.objectRoles(ctx, "community", id, communityRoleNames)
	if err != nil {
		return CommunityMembershipPage{}, err
	}
	i, found := slices.BinarySearchFunc(all, after, func(r rankedSubject, id string) int { return strings.Compare(r.id, id) })
	if found {
		i++
	}
	win, next, _ := pageOf(all[i:], pageSize(limit), func(r rankedSubject) string { return r.id })
	cs, err := s.communityMemberships(ctx, win)
	if err != nil {
		return CommunityMembershipPage{}, err
	}
	return CommunityMembershipPage{Communities: cs, Next: next, Total: len(all)}, nil
}

// ProfileFirst is Profile with only the first `communities` of the
// account's communities (CommunityMemberships pages the rest), and how
// many it belongs to in all: what "my account" shows. The platform and
// content roles an account holds through its communities are those of
// all of them.
func (s *Service) ProfileFirst(ctx context.Context, actor, id string, communities int) (Profile, int, error) {
	if err := s.authorize(ctx, actor, guard{self: id, rights: []right{{s.platformRef(), "manage_accounts"}}}); err != nil {
		return Profile{}, 0, err
	}
	return s.profile(ctx, id, max(communities, 0))
}

// objectRoles reads the objects of typ on which an account holds one of
// roles (relation names, from the lowest) directly, each once with its
// highest role (rank: its index in roles), in id order. From the engine's
// index, the index's own strings: no relationship is built, where the
// relationships of a platform administrator's 5,000 communities were 5 MB
// of garbage per page.
func (s *Service) objectRoles(ctx context.Context, typ, account string, roles []string) ([]rankedSubject, error) {
	var out []rankedSubject
	e := s.engine()
	if sch := e.Schema(); sch == nil || sch.Definition(typ) == nil {
		// No schema: the database, as indexRels does.
		rs, err := s.indexRels(ctx, store.Filter{ResourceType: typ, SubjectType: "user", SubjectID: account, SubjectRelation: new("")})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if i := slices.Index(roles, r.Relation); i >= 0 {
				out = append(out, rankedSubject{r.Resource.ID, i})
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
		n, ok := snap.Node("user", account)
		if !ok {
			return nil, nil
		}
		size := 0
		for _, rel := range rels {
			if rel != 0 {
				size += len(snap.RevRel(n, 0, rel))
			}
		}
		out = make([]rankedSubject, 0, size)
		for i, rel := range rels {
			if rel == 0 {
				continue
			}
			for _, e := range snap.RevRel(n, 0, rel) {
				if snap.Visible(e) {
					out = append(out, rankedSubject{snap.NodeID(e.Node), i})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b rankedSubject) int {
		if c := strings.Compare(a.id, b.id); c != 0 {
			return c
		}
		return b.rank - a.rank // highest role first
	})
	return slices.CompactFunc(out, func(a, b rankedSubject) bool { return a.id == b.id }), nil
}

// communityMemberships names held communities, in order.
func (s *Service) communityMemberships(ctx context.Context, held []rankedSubject) ([]CommunityMembership, error) {
	ids := make([]string, len(held))
	for i, h := range held {
		ids[i] = h.id
	}
	names, err := s.mem.groupNames(ctx, kindCommunity, ids)
	if err != nil {
		return nil, err
	}
	out := make([]CommunityMembership, len(held))
	for i, h := range held {
		out[i] = CommunityMembership{Community: h.id, Name: names[i], Role: communityRoles[h.rank]}
	}
	return out, nil
}
