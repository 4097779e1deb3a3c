package portal

import (
	"context"
	"github.com/octroi/octroi/internal/messages"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// orgRoles lists organisation roles from the lowest.
var orgRoles = []OrgRole{RoleRegistered, RoleEditor, RoleDelegatedAdmin}

// orgRoleNames are orgRoles as relation names, for rolePage.
var orgRoleNames = func() []string {
	out := make([]string, len(orgRoles))
	for i, r := range orgRoles {
		out[i] = string(r)
	}
	return out
}()

func roleRank(r OrgRole) int { return slices.Index(orgRoles, r) }

func orgRef(id string) tuple.ObjectRef { return obj("organisation", id) }

func (s *Service) orgGuard(id string, perms ...string) guard {
	g := guard{exists: &docRef{kindOrg, id}}
	for _, p := range perms {
		g.rights = append(g.rights, right{orgRef(id), p})
	}
	return g
}

// orgMembers reads an organisation's members and their roles (a person's
// highest role, should several be written), in account order.
func (v view) orgMembers(ctx context.Context, org string) (map[string]OrgRole, error) {
	rs, err := v.rels(ctx, store.Filter{ResourceType: "organisation", ResourceID: org, SubjectType: "user", SubjectRelation: new("")})
	if err != nil {
		return nil, err
	}
	out := map[string]OrgRole{}
	for _, r := range rs {
		role := OrgRole(r.Relation)
		if roleRank(role) > roleRank(out[r.Subject.ID]) {
			out[r.Subject.ID] = role
		}
	}
	return out, nil
}

// orgRole reads one account's role in an organisation ("" if none).
func (v view) orgRole(ctx context.Context, org, account string) (OrgRole, error) {
	rs, err := v.rels(ctx, store.Filter{ResourceType: "organisation", ResourceID: org, SubjectType: "user", SubjectID: account, SubjectRelation: new("")})
	if err != nil {
		return "", err
	}
	var role OrgRole
	for _, r := range rs {
		if r := OrgRole(r.Relation); roleRank(r) > roleRank(role) {
			role = r
		}
	}
	return role, nil
}

// setOrgRole makes role the account's only role in org ("" removes it).
func (t *txn) setOrgRole(org, account string, role OrgRole) {
	for _, r := range orgRoles {
		if r == role {
			t.touch(rel(orgRef(org), string(r), user(account)))
		} else {
			t.remove(rel(orgRef(org), string(r), user(account)))
		}
	}
}

// keepAnAdmin refuses a change that would leave org without a delegated
// administrator. It reads inside the transaction, which is serialised with
// every other write: two concurrent removals cannot both pass.
func (t *txn) keepAnAdmin(org, account string) error {
	rs, err := t.rels(t.ctx, store.Filter{ResourceType: "organisation", ResourceID: org, Relation: string(RoleDelegatedAdmin), SubjectType: "user"})
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.Subject.ID != account {
			return nil
		}
	}
	return conflict("conflict.last_delegated_admin", account, org)
}

func (s *Service) checkOrganisation(o Organisation, create bool) (Organisation, error) {
	var err error
	if create && o.ID == "" {
		o.ID = s.newID()
	} else if err := checkID("organisation id", o.ID); err != nil {
		return Organisation{}, err
	}
	if o.Name, err = cleanText("name", o.Name, maxName, false); err != nil {
		return Organisation{}, err
	}
	if err := checkOrgType("type", o.Type); err != nil {
		return Organisation{}, err
	}
	if o.Contact != "" {
		if o.Contact, err = cleanEmail("contact", o.Contact); err != nil {
			return Organisation{}, err
		}
	}
	return o, nil
}

// CreateOrganisation creates an organisation (administer on the platform)
// with firstAdmin, an existing account, as its delegated administrator.
func (s *Service) CreateOrganisation(ctx context.Context, actor string, o Organisation, firstAdmin string) (Organisation, error) {
	o, err := s.checkOrganisation(o, true)
	if err != nil {
		return Organisation{}, err
	}
	if err := checkAccountID("first admin", firstAdmin); err != nil {
		return Organisation{}, err
	}
	err = s.do(ctx, actor, guard{rights: []right{{s.platformRef(), "administer"}}}, func(t *txn) error {
		if ok, err := t.exists(ctx, kindOrg, o.ID); err != nil {
			return err
		} else if ok {
			return conflict("conflict.organisation_id_taken", messages.Quote(o.ID))
		}
		// The id of a deleted organisation stays its own: its join and
		// access requests and its audit log are filed under it, and a new
		// organisation must not inherit them.
		if retired, err := t.exists(ctx, kindDeleted, kindOrg+"/"+o.ID); err != nil {
			return err
		} else if retired {
			return conflict("conflict.organisation_id_retired", messages.Quote(o.ID))
		}
		switch ok, err := t.exists(ctx, kindAccount, firstAdmin); {
		case err != nil:
			return err
		case !ok:
			return notFound("notfound.first_admin", messages.Quote(firstAdmin))
		}
		o.Created = t.at
		if err := t.put(kindOrg, o.ID, "", "", o); err != nil {
			return err
		}
		t.touch(t.s.platformLink(orgRef(o.ID)))
		t.setOrgRole(o.ID, firstAdmin, RoleDelegatedAdmin)
		if err := t.audit("organisation.create", "organisation:"+o.ID, nil, o); err != nil {
			return err
		}
		return t.audit("organisation.member.add", "organisation:"+o.ID, nil, Member{Account: firstAdmin, Role: RoleDelegatedAdmin})
	})
	return o, err
}

// Organisation returns an organisation to any active account.
func (s *Service) Organisation(ctx context.Context, actor, id string) (Organisation, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return Organisation{}, err
	}
	var o Organisation
	return o, s.read().get(ctx, kindOrg, id, &o)
}

// Organisations lists organisations in id order after `after`, of type typ
// and whose name contains name (ignoring case and accents: "frejus" finds
// "Fréjus") when those are set, to any active account.
func (s *Service) Organisations(ctx context.Context, actor string, typ OrgType, name string, after string, limit int) ([]Organisation, error) {
	if typ != "" {
		if err := checkOrgType("type", typ); err != nil {
			return nil, err
		}
	}
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	name = fold(strings.TrimSpace(name))
	// The records in memory keep every organisation's folded name:
	// no record is decoded, no name folded, but those of the page.
	var ids []string
	err := s.mem.groups(ctx, kindOrg, func(id string, g memGroup) {
		if id > after && len(ids) < pageSize(limit) && (typ == "" || g.Type == typ) && strings.Contains(g.folded, name) {
			ids = append(ids, id)
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]Organisation, len(ids))
	for i, id := range ids {
		if err := s.read().get(ctx, kindOrg, id, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateOrganisation changes an organisation's name, type and contact
// (manage_members).
func (s *Service) UpdateOrganisation(ctx context.Context, actor string, o Organisation) (Organisation, error) {
	o, err := s.checkOrganisation(o, false)
	if err != nil {
		return Organisation{}, err
	}
	err = s.do(ctx, actor, s.orgGuard(o.ID, "manage_members"), func(t *txn) error {
		var before Organisation
		if err := t.get(ctx, kindOrg, o.ID, &before); err != nil {
			return err
		}
		o.Created = before.Created
		if o == before {
			return nil
		}
		if err := t.put(kindOrg, o.ID, "", "", o); err != nil {
			return err
		}
		return t.audit("organisation.update", "organisation:"+o.ID, before, o)
	})
	return o, err
}

// Members lists an organisation's members, in account order after the
// account id `after`, up to limit, to its members and to whoever manages
// them. E-mail addresses are shown only to the latter.
func (s *Service) Members(ctx context.Context, actor, org, after string, limit int) ([]Member, error) {
	if err := s.authorize(ctx, actor, s.orgGuard(org, "member", "manage_members")); err != nil {
		return nil, err
	}
	manager, err := s.has(ctx, actor, orgRef(org), "manage_members")
	if err != nil {
		return nil, err
	}
	v := s.read()
	// One page of memberships, not all of them: the largest organisations
	// have tens of thousands of members.
	page, err := s.rolePage(ctx, "organisation", org, orgRoleNames, after, pageSize(limit))
	if err != nil {
		return nil, err
	}
	out := make([]Member, 0, len(page))
	for _, p := range page {
		id := p.id
		m := Member{Account: id, Role: orgRoles[p.rank]}
		var a Account
		if err := v.get(ctx, kindAccount, id, &a); err == nil {
			m.Name = a.Name
			if manager {
				m.Email = a.Email
			}
		} else if !isPortalNotFound(err) {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// addMember gives an account with no role in org the role role.
func (t *txn) addMember(org, account string, role OrgRole) (Member, error) {
	var a Account
	if err := t.get(t.ctx, kindAccount, account, &a); err != nil {
		return Member{}, err
	}
	cur, err := t.orgRole(t.ctx, org, account)
	if err != nil {
		return Member{}, err
	}
	if cur != "" {
		return Member{}, conflict("conflict.org_member", account, org, cur)
	}
	t.setOrgRole(org, account, role)
	m := Member{Account: account, Name: a.Name, Email: a.Email, Role: role}
	return m, t.audit("organisation.member.add", "organisation:"+org, nil, m)
}

// AddMember adds an existing account to an organisation (manage_members).
func (s *Service) AddMember(ctx context.Context, actor, org, account string, role OrgRole) (Member, error) {
	if err := checkOrgRole("role", role); err != nil {
		return Member{}, err
	}
	if err := checkAccountID("account", account); err != nil {
		return Member{}, err
	}
	var m Member
	err := s.do(ctx, actor, s.orgGuard(org, "manage_members"), func(t *txn) error {
		if err := t.mustExist(kindOrg, org); err != nil {
			return err
		}
		var err error
		m, err = t.addMember(org, account, role)
		return err
	})
	return m, err
}

// AddNewMember creates an account and adds it to an organisation
// (manage_members), as a delegated administrator does for someone who has
// no account yet. The new account gets a notice (the welcome e-mail) with
// a link to set its password (see passwords.go).
// Platform roles cannot be given this way.
func (s *Service) AddNewMember(ctx context.Context, actor, org string, a Account, role OrgRole) (Member, error) {
	if err := checkOrgRole("role", role); err != nil {
		return Member{}, err
	}
	if len(a.PlatformRoles) > 0 {
		return Member{}, invalid("invalid.new_member_roles")
	}
	a, err := s.checkNewAccount(a)
	if err != nil {
		return Member{}, err
	}
	var m Member
	err = s.do(ctx, actor, s.orgGuard(org, "manage_members"), func(t *txn) error {
		if err := t.mustExist(kindOrg, org); err != nil {
			return err
		}
		if a, err = t.createAccount(a); err != nil {
			return err
		}
		if m, err = t.addMember(org, a.ID, role); err != nil {
			return err
		}
		return t.sendLink(a.ID, LinkInvitation, NoticeAccountCreated, map[string]string{"organisation": org, "role": string(role), "by": actor})
	})
	return m, err
}

// SetMemberRole changes a member's role (manage_members). The last
// delegated administrator is never demoted (ErrConflict).
func (s *Service) SetMemberRole(ctx context.Context, actor, org, account string, role OrgRole) (Member, error) {
	if err := checkOrgRole("role", role); err != nil {
		return Member{}, err
	}
	var m Member
	err := s.do(ctx, actor, s.orgGuard(org, "manage_members"), func(t *txn) error {
		cur, err := t.orgRole(ctx, org, account)
		if err != nil {
			return err
		}
		if cur == "" {
			return notFound("notfound.org_member", messages.Quote(account), org)
		}
		var a Account
		if err := t.get(ctx, kindAccount, account, &a); err != nil && !isPortalNotFound(err) {
			return err
		}
		m = Member{Account: account, Name: a.Name, Email: a.Email, Role: role}
		if cur == role {
			return nil
		}
		if cur == RoleDelegatedAdmin {
			if err := t.keepAnAdmin(org, account); err != nil {
				return err
			}
		}
		t.setOrgRole(org, account, role)
		return t.audit("organisation.member.role", "organisation:"+org, Member{Account: account, Role: cur}, Member{Account: account, Role: role})
	})
	return m, err
}

// RemoveMember removes a member from an organisation (manage_members); the
// account stays. The last delegated administrator is never removed
// (ErrConflict).
func (s *Service) RemoveMember(ctx context.Context, actor, org, account string) error {
	return s.do(ctx, actor, s.orgGuard(org, "manage_members"), func(t *txn) error {
		cur, err := t.orgRole(ctx, org, account)
		if err != nil {
			return err
		}
		if cur == "" {
			return notFound("notfound.org_member", messages.Quote(account), org)
		}
		if cur == RoleDelegatedAdmin {
			if err := t.keepAnAdmin(org, account); err != nil {
				return err
			}
		}
		t.setOrgRole(org, account, "")
		return t.audit("organisation.member.remove", "organisation:"+org, Member{Account: account, Role: cur}, nil)
	})
}

// mustExist fails with ErrNotFound unless the record exists (read inside
// the transaction, so it cannot vanish before the commit).
func (t *txn) mustExist(kind, id string) error {
	ok, err := t.exists(t.ctx, kind, id)
	if err != nil || !ok {
		return notFoundOr(err, kind, id)
	}
	return nil
}
