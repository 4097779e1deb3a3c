package portal

import (
	"context"
	"github.com/octroi/octroi/internal/messages"
	"slices"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// communityRoles lists community roles from the lowest.
var communityRoles = []CommunityRole{CommunityParticipant, CommunityAdministrator, CommunitySupervisor}

// communityRoleNames are communityRoles as relation names, for rolePage.
var communityRoleNames = func() []string {
	out := make([]string, len(communityRoles))
	for i, r := range communityRoles {
		out[i] = string(r)
	}
	return out
}()

func communityRef(id string) tuple.ObjectRef { return obj("community", id) }

// communityGuard needs one of perms on the community, and hides the
// communities the actor may not view.
func communityGuard(id string, perms ...string) guard {
	g := guard{hide: &right{communityRef(id), "view"}}
	for _, p := range perms {
		g.rights = append(g.rights, right{communityRef(id), p})
	}
	return g
}

func listedRel(id string) tuple.Relationship {
	return rel(communityRef(id), "listed", tuple.SubjectRef{Type: "user", ID: tuple.Wildcard})
}

// communityMembers reads a community's members and roles (the highest of
// each person's); only the account only, when set: a change about one
// person reads that person's relationships, not those of every member of a
// community that may have tens of thousands.
func (v view) communityMembers(ctx context.Context, id, only string) (map[string]CommunityRole, error) {
	rs, err := v.rels(ctx, store.Filter{ResourceType: "community", ResourceID: id, SubjectType: "user", SubjectID: only, SubjectRelation: new("")})
	if err != nil {
		return nil, err
	}
	out := map[string]CommunityRole{}
	for _, r := range rs {
		role := CommunityRole(r.Relation)
		if i := slices.Index(communityRoles, role); i >= 0 && i > slices.Index(communityRoles, out[r.Subject.ID]) {
			out[r.Subject.ID] = role
		}
	}
	return out, nil
}

// community reads a community; Public and Supervisor come from its
// relationships.
func (v view) community(ctx context.Context, id string) (Community, error) {
	var c Community
	if err := v.get(ctx, kindCommunity, id, &c); err != nil {
		return Community{}, err
	}
	// Two relations, not every member's (or invitee's: a large community
	// has tens of thousands).
	var rs []tuple.Relationship
	for _, rel := range []string{"listed", string(CommunitySupervisor)} {
		got, err := v.rels(ctx, store.Filter{ResourceType: "community", ResourceID: id, Relation: rel, SubjectType: "user"})
		if err != nil {
			return Community{}, err
		}
		rs = append(rs, got...)
	}
	c.Public, c.Supervisor = false, ""
	for _, r := range rs {
		switch {
		case r.Relation == "listed" && r.Subject.ID == tuple.Wildcard:
			c.Public = true
		case r.Relation == string(CommunitySupervisor):
			c.Supervisor = r.Subject.ID
		}
	}
	return c, nil
}

func (s *Service) checkCommunity(c Community, create bool) (Community, error) {
	var err error
	if create && c.ID == "" {
		c.ID = s.newID()
	} else if err := checkID("community id", c.ID); err != nil {
		return Community{}, err
	}
	if c.Name, err = cleanText("name", c.Name, maxName, false); err != nil {
		return Community{}, err
	}
	return c, nil
}

// CreateCommunity creates a community, for any active account, which
// becomes its supervisor for good (c.Supervisor is empty or the actor).
func (s *Service) CreateCommunity(ctx context.Context, actor string, c Community) (Community, error) {
	c, err := s.checkCommunity(c, true)
	if err != nil {
		return Community{}, err
	}
	if c.Supervisor != "" && c.Supervisor != actor {
		return Community{}, invalid("invalid.supervisor_given", messages.Quote(c.Supervisor))
	}
	err = s.do(ctx, actor, guard{active: true}, func(t *txn) error {
		if ok, err := t.exists(ctx, kindCommunity, c.ID); err != nil {
			return err
		} else if ok {
			return conflict("conflict.community_id_taken", messages.Quote(c.ID))
		}
		c.Supervisor, c.Created = actor, t.at
		if err := t.put(kindCommunity, c.ID, "", "", Community{ID: c.ID, Name: c.Name, Created: c.Created}); err != nil {
			return err
		}
		t.touch(t.s.platformLink(communityRef(c.ID)))
		t.touch(rel(communityRef(c.ID), string(CommunitySupervisor), user(actor)))
		if c.Public {
			t.touch(listedRel(c.ID))
		}
		return t.audit("community.create", "community:"+c.ID, nil, c)
	})
	return c, err
}

// Community returns a community to whoever may view it (everyone for a
// public one); to others it does not exist.
func (s *Service) Community(ctx context.Context, actor, id string) (Community, error) {
	if err := s.authorize(ctx, actor, communityGuard(id, "view")); err != nil {
		return Community{}, err
	}
	return s.read().community(ctx, id)
}

// Communities lists, in id order after `after`, the communities the actor
// may view.
func (s *Service) Communities(ctx context.Context, actor string, after string, limit int) ([]Community, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	ids, err := s.lookup(ctx, actor, "community", "view", after, pageSize(limit))
	if err != nil {
		return nil, err
	}
	out := make([]Community, 0, len(ids))
	v := s.read()
	for _, id := range ids {
		c, err := v.community(ctx, id)
		if isPortalNotFound(err) {
			continue // relationships without a record: not a community of the portal
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// lookup returns, in id order, up to limit ids after `after` of the objects
// of typ on which actor has perm.
//
// A page comes from the engine's sorted pages: the engine selects the page
// among what the actor reaches (linear), where returning every resource (an
// administrator reaches all 106k datasets) and sorting them here cost the
// whole set. Conditional results are not permissions here, so pages follow
// one another, at the first one's revision, until limit ids are found.
// Limits beyond any page (everything, for the access table) read the whole
// set at once.
func (s *Service) lookup(ctx context.Context, actor, typ, perm, after string, limit int) ([]string, error) {
	req := engine.LookupResourcesRequest{ResourceType: typ, Permission: perm, Subject: user(actor)}
	if limit <= maxLookupPage {
		req.Limit, req.After = limit, after
	}
	var ids []string
	for {
		res, next, _, err := s.engine().LookupResources(ctx, req, engine.At{})
		if err != nil {
			return nil, err
		}
		ids = slices.Grow(ids, len(res)) // one allocation per page, not one per doubling: an administrator's lookups run to thousands
		for _, r := range res {
			if r.Result == engine.HasPermission && r.ID > after {
				ids = append(ids, r.ID)
			}
		}
		if req.Limit == 0 || next == "" || len(ids) >= limit {
			break
		}
		req.Cursor = next
	}
	if req.Limit == 0 {
		slices.Sort(ids)
	}
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}

// maxLookupPage is the largest limit lookup asks the engine for as a page.
const maxLookupPage = 1 << 20

// UpdateCommunity renames a community and lists it publicly or not
// (manage). Its supervisor never changes: c.Supervisor is empty or the
// current one.
func (s *Service) UpdateCommunity(ctx context.Context, actor string, c Community) (Community, error) {
	c, err := s.checkCommunity(c, false)
	if err != nil {
		return Community{}, err
	}
	err = s.do(ctx, actor, communityGuard(c.ID, "manage"), func(t *txn) error {
		before, err := t.community(ctx, c.ID)
		if err != nil {
			return err
		}
		if c.Supervisor != "" && c.Supervisor != before.Supervisor {
			return invalid("invalid.supervisor_fixed", messages.Quote(c.Supervisor))
		}
		c.Supervisor, c.Created = before.Supervisor, before.Created
		if c == before {
			return nil
		}
		if err := t.put(kindCommunity, c.ID, "", "", Community{ID: c.ID, Name: c.Name, Created: c.Created}); err != nil {
			return err
		}
		if c.Public {
			t.touch(listedRel(c.ID))
		} else {
			t.remove(listedRel(c.ID))
		}
		return t.audit("community.update", "community:"+c.ID, before, c)
	})
	return c, err
}

// DeleteCommunity deletes a community (delete: its supervisor, or a
// platform administrator), its relationships and the levels it held on
// datasets. A community that alone owns a map is not deleted: the map
// would lose its last owner (ErrConflict, naming the map).
func (s *Service) DeleteCommunity(ctx context.Context, actor, id string) error {
	return s.do(ctx, actor, communityGuard(id, "delete"), func(t *txn) error {
		before, err := t.community(ctx, id)
		if err != nil {
			return err
		}
		invited, err := t.rels(t.ctx, store.Filter{ResourceType: "community", ResourceID: id, Relation: "invited"})
		if err != nil {
			return err
		}
		for _, r := range invited {
			if _, err := t.endInvitation(id, r.Subject.ID); err != nil {
				return err
			}
		}
		if err := t.keepMapOwners(Holder{Kind: HolderCommunity, ID: id}); err != nil {
			return err
		}
		if err := t.forgetCommunity(id); err != nil { // grants.go
			return err
		}
		if err := t.forgetCommunityOrigins(id); err != nil { // integrity.go
			return err
		}
		if err := t.auditGroupLeaves(Holder{Kind: HolderCommunity, ID: id}); err != nil { // integrity.go
			return err
		}
		if err := t.removeObject(communityRef(id)); err != nil {
			return err
		}
		if err := t.deleteDoc(kindCommunity, id); err != nil {
			return err
		}
		return t.audit("community.delete", "community:"+id, before, nil)
	})
}

// removeObject deletes every relationship of an object: as a resource, and
// as a subject (the levels a group holds, a group's place in a platform
// role).
func (t *txn) removeObject(o tuple.ObjectRef) error {
	for _, f := range []store.Filter{
		{ResourceType: o.Type, ResourceID: o.ID},
		{SubjectType: o.Type, SubjectID: o.ID},
	} {
		rs, err := t.rels(t.ctx, f)
		if err != nil {
			return err
		}
		for _, r := range rs {
			t.remove(r)
		}
	}
	return nil
}

// CommunityMembers lists a community's members, in account order, to its
// members and managers.
func (s *Service) CommunityMembers(ctx context.Context, actor, id string) ([]CommunityMember, error) {
	if err := s.authorize(ctx, actor, communityGuard(id, "member", "manage")); err != nil {
		return nil, err
	}
	v := s.read()
	// In account order from the index's edges, without building every
	// relationship, a map and a sort of them.
	members, err := s.rolePage(ctx, "community", id, communityRoleNames, "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]CommunityMember, 0, len(members))
	for _, p := range members {
		acc := p.id
		m := CommunityMember{Account: acc, Role: communityRoles[p.rank]}
		var a Account
		if err := v.get(ctx, kindAccount, acc, &a); err == nil {
			m.Name = a.Name
		} else if !isPortalNotFound(err) {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// SetCommunityMember changes a member's role (manage): role participant or
// administrator. The supervisor's role never changes; an account that is
// not a member is invited instead (InviteCommunityMember), since nobody is
// made a member without consent.
func (s *Service) SetCommunityMember(ctx context.Context, actor, id, account string, role CommunityRole) (CommunityMember, error) {
	if err := checkMemberRole(account, role); err != nil {
		return CommunityMember{}, err
	}
	var m CommunityMember
	err := s.do(ctx, actor, communityGuard(id, "manage"), func(t *txn) error {
		if err := t.mustExist(kindCommunity, id); err != nil {
			return err
		}
		var a Account
		if err := t.get(ctx, kindAccount, account, &a); err != nil {
			return err
		}
		roles, err := t.communityMembers(ctx, id, account)
		if err != nil {
			return err
		}
		cur := roles[account]
		switch cur {
		case CommunitySupervisor:
			return conflict("conflict.supervisor_role", account, id)
		case "":
			return conflict("conflict.not_member_consent", account, id, id)
		}
		m = CommunityMember{Account: account, Name: a.Name, Role: role}
		if cur == role {
			return nil
		}
		t.setCommunityRole(id, account, role)
		return t.audit("community.member.set", "community:"+id, CommunityMember{Account: account, Role: cur}, m)
	})
	return m, err
}

// checkMemberRole checks the role an account is given in a community: the
// supervisor is who created it, never a role given later.
func checkMemberRole(account string, role CommunityRole) error {
	if role != CommunityParticipant && role != CommunityAdministrator {
		return invalid("invalid.community_role", messages.Quote(role))
	}
	return checkAccountID("account", account)
}

// setCommunityRole makes role the account's only role in the community
// ("" removes it); it never touches the supervisor relation.
func (t *txn) setCommunityRole(id, account string, role CommunityRole) {
	for _, r := range []CommunityRole{CommunityParticipant, CommunityAdministrator} {
		if r == role {
			t.touch(rel(communityRef(id), string(r), user(account)))
		} else {
			t.remove(rel(communityRef(id), string(r), user(account)))
		}
	}
}

// RemoveCommunityMember removes a member (manage); never the supervisor.
func (s *Service) RemoveCommunityMember(ctx context.Context, actor, id, account string) error {
	return s.do(ctx, actor, communityGuard(id, "manage"), func(t *txn) error {
		roles, err := t.communityMembers(ctx, id, account)
		if err != nil {
			return err
		}
		switch cur := roles[account]; cur {
		case "":
			return notFound("notfound.community_member", messages.Quote(account), id)
		case CommunitySupervisor:
			return conflict("conflict.supervisor_stays", account, id)
		default:
			t.setCommunityRole(id, account, "")
			return t.audit("community.member.remove", "community:"+id, CommunityMember{Account: account, Role: cur}, nil)
		}
	})
}
