package portal

import (
	"context"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/store"
)

// Profile is who an account is on the platform: the account (with its
// status and direct platform roles), its role in each organisation and
// community, and its platform and content roles with where each comes
// from.
type Profile struct {
	Account       Account               `json:"account"`
	Organisations []OrgMembership       `json:"organisations"`
	Communities   []CommunityMembership `json:"communities"`
	PlatformRoles []PlatformRoleGrant   `json:"platform_roles"`
	ContentRoles  []ContentRoleGrant    `json:"content_roles"`
}

// OrgMembership is an account's role in one organisation.
type OrgMembership struct {
	Organisation string  `json:"organisation"`
	Name         string  `json:"name"`
	Role         OrgRole `json:"role"`
}

// CommunityMembership is an account's role in one community.
type CommunityMembership struct {
	Community string        `json:"community"`
	Name      string        `json:"name"`
	Role      CommunityRole `json:"role"`
}

// PlatformRoleGrant is a platform role an account holds, directly
// (Community "") or as a member of a community that holds it.
type PlatformRoleGrant struct {
	Role      PlatformRole `json:"role"`
	Community string       `json:"community,omitempty"`
}

// Profile returns an account's profile, to itself or to account managers.
// Memberships are read from the relationships, the source of truth, in id
// order; a disabled account keeps them (the schema takes their rights
// away), and its status says so.
func (s *Service) Profile(ctx context.Context, actor, id string) (Profile, error) {
	if err := s.authorize(ctx, actor, guard{self: id, rights: []right{{s.platformRef(), "manage_accounts"}}}); err != nil {
		return Profile{}, err
	}
	p, _, err := s.profile(ctx, id, -1)
	return p, err
}

// profile is an authorized Profile with the first `communities` of the
// account's communities (< 0: all of them), and how many it belongs to.
func (s *Service) profile(ctx context.Context, id string, communities int) (Profile, int, error) {
	v := s.read()
	a, err := v.account(ctx, id)
	if err != nil {
		return Profile{}, 0, err
	}
	p := Profile{Account: a, Organisations: []OrgMembership{}, Communities: []CommunityMembership{}, PlatformRoles: []PlatformRoleGrant{}}
	orgs, err := v.roles(ctx, "organisation", id, func(r string) int { return roleRank(OrgRole(r)) })
	if err != nil {
		return Profile{}, 0, err
	}
	orgNames, err := s.heldNames(ctx, kindOrg, orgs)
	if err != nil {
		return Profile{}, 0, err
	}
	for i, o := range orgs {
		p.Organisations = append(p.Organisations, OrgMembership{Organisation: o.id, Name: orgNames[i], Role: OrgRole(o.role)})
	}
	// Every membership, unnamed, for the roles held through communities;
	// only those shown are named (objectRoles: a platform administrator's
	// thousands of memberships cost no relationship each).
	coms, err := s.objectRoles(ctx, "community", id, communityRoleNames)
	if err != nil {
		return Profile{}, 0, err
	}
	p.Communities = make([]CommunityMembership, len(coms))
	for i, c := range coms {
		p.Communities[i] = CommunityMembership{Community: c.id, Role: communityRoles[c.rank]}
	}
	member := func(c string) bool {
		_, ok := slices.BinarySearchFunc(coms, c, func(r rankedSubject, id string) int { return strings.Compare(r.id, id) })
		return ok
	}
	for _, r := range a.PlatformRoles {
		p.PlatformRoles = append(p.PlatformRoles, PlatformRoleGrant{Role: r})
	}
	held, err := v.rels(ctx, store.Filter{ResourceType: "platform", ResourceID: s.platform, SubjectType: "community", SubjectRelation: new("member")})
	if err != nil {
		return Profile{}, 0, err
	}
	for _, r := range held {
		if pr := PlatformRole(r.Relation); member(r.Subject.ID) && slices.Contains(platformRoles, pr) {
			p.PlatformRoles = append(p.PlatformRoles, PlatformRoleGrant{Role: pr, Community: r.Subject.ID})
		}
	}
	slices.SortFunc(p.PlatformRoles, func(a, b PlatformRoleGrant) int {
		if c := strings.Compare(string(a.Role), string(b.Role)); c != 0 {
			return c
		}
		return strings.Compare(a.Community, b.Community)
	})
	if p.ContentRoles, err = v.contentGrants(ctx, id, p); err != nil {
		return Profile{}, 0, err
	}
	total := len(coms)
	if communities >= 0 && communities < total {
		coms = coms[:communities]
	}
	if p.Communities, err = s.communityMemberships(ctx, coms); err != nil {
		return Profile{}, 0, err
	}
	return p, total, nil
}

// heldRole is an account's highest role on one object.
type heldRole struct{ id, role string }

// roles reads an account's roles on objects of typ — one per object, the
// highest by rank (rank < 0: not a role) — in object id order.
func (v view) roles(ctx context.Context, typ, account string, rank func(string) int) ([]heldRole, error) {
	rs, err := v.rels(ctx, store.Filter{ResourceType: typ, SubjectType: "user", SubjectID: account, SubjectRelation: new("")})
	if err != nil {
		return nil, err
	}
	best := make(map[string]string, len(rs))
	for _, r := range rs {
		if rank(r.Relation) < 0 {
			continue
		}
		if cur, ok := best[r.Resource.ID]; !ok || rank(r.Relation) > rank(cur) {
			best[r.Resource.ID] = r.Relation
		}
	}
	out := make([]heldRole, 0, len(best))
	for id, role := range best {
		out = append(out, heldRole{id, role})
	}
	slices.SortFunc(out, func(a, b heldRole) int { return strings.Compare(a.id, b.id) })
	return out, nil
}
