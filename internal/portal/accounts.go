package portal

import (
	"context"
	"github.com/octroi/octroi/internal/messages"
	"slices"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// account reads an account with its status and roles.
func (v view) account(ctx context.Context, id string) (Account, error) {
	var a Account
	if err := v.get(ctx, kindAccount, id, &a); err != nil {
		return Account{}, err
	}
	return v.withRoles(ctx, a)
}

// withRoles fills an account's status and platform roles from the
// platform's relationships.
func (v view) withRoles(ctx context.Context, a Account) (Account, error) {
	rs, err := v.rels(ctx, store.Filter{ResourceType: "platform", ResourceID: v.s.platform, SubjectType: "user", SubjectID: a.ID, SubjectRelation: new("")})
	if err != nil {
		return Account{}, err
	}
	a.Status, a.PlatformRoles = AccountActive, nil
	for _, r := range rs {
		if r.Relation == "disabled" {
			a.Status = AccountDisabled
		} else if pr := PlatformRole(r.Relation); slices.Contains(platformRoles, pr) {
			a.PlatformRoles = append(a.PlatformRoles, pr)
		}
	}
	slices.Sort(a.PlatformRoles)
	return a, nil
}

// checkNewAccount validates an account to create and returns it cleaned,
// with a fresh id when it has none.
func (s *Service) checkNewAccount(a Account) (Account, error) {
	var err error
	if a.ID == "" {
		a.ID = s.newID()
	} else if err := checkAccountID("account id", a.ID); err != nil {
		return Account{}, err
	}
	if a.Email, err = cleanEmail("email", a.Email); err != nil {
		return Account{}, err
	}
	if a.Name, err = cleanText("name", a.Name, maxName, false); err != nil {
		return Account{}, err
	}
	if a.Language, err = checkLanguage("language", a.Language); err != nil {
		return Account{}, err
	}
	switch a.Status {
	case "":
		a.Status = AccountActive
	case AccountActive, AccountDisabled:
	default:
		return Account{}, invalid("invalid.account_status", messages.Quote(a.Status))
	}
	if a.PlatformRoles, err = checkPlatformRoles("platform_roles", a.PlatformRoles); err != nil {
		return Account{}, err
	}
	return a, nil
}

// createAccount writes a new account, its status and roles. The e-mail is
// the record's alternate key, so two accounts never share one.
func (t *txn) createAccount(a Account) (Account, error) {
	if ok, err := t.exists(t.ctx, kindAccount, a.ID); err != nil {
		return Account{}, err
	} else if ok {
		return Account{}, conflict("conflict.account_id_taken", messages.Quote(a.ID))
	}
	if _, err := t.docs.DocByAlt(t.ctx, kindAccount, a.Email); err == nil {
		return Account{}, conflict("conflict.email_taken", a.Email)
	} else if !isNotFound(err) {
		return Account{}, err
	}
	a.Created = t.at
	if err := t.put(kindAccount, a.ID, a.Email, "", accountRecord(a)); err != nil {
		return Account{}, err
	}
	t.setRoles(a.ID, nil, a.PlatformRoles)
	if a.Status == AccountDisabled {
		t.touch(t.s.disabledRel(a.ID))
	}
	return a, t.audit("account.create", "account:"+a.ID, nil, a)
}

func accountRecord(a Account) Account {
	return Account{ID: a.ID, Email: a.Email, Name: a.Name, Created: a.Created, Language: a.Language, MailOff: a.MailOff}
}

func (s *Service) disabledRel(id string) tuple.Relationship {
	return rel(s.platformRef(), "disabled", user(id))
}

// keepAPlatformAdmin refuses a change that would leave the platform
// without an active administrator other than account (nobody could then
// grant the role again). A community holding the role counts: its members
// are administrators. Read inside the transaction, like keepAnAdmin.
func (t *txn) keepAPlatformAdmin(account string) error {
	p := t.s.platformRef()
	admins, err := t.rels(t.ctx, store.Filter{ResourceType: p.Type, ResourceID: p.ID, Relation: string(PlatformAdministrator)})
	if err != nil {
		return err
	}
	disabled, err := t.rels(t.ctx, store.Filter{ResourceType: p.Type, ResourceID: p.ID, Relation: "disabled"})
	if err != nil {
		return err
	}
	off := map[string]bool{account: true}
	for _, r := range disabled {
		off[r.Subject.ID] = true
	}
	for _, r := range admins {
		if r.Subject.Type != "user" || !off[r.Subject.ID] {
			return nil
		}
	}
	return conflict("conflict.last_platform_admin", account)
}

// actOnAccount refuses an action on account target unless the actor may
// act on it: only a platform administrator acts on a platform
// administrator (disables or re-enables them, changes their roles, revokes
// their tokens), since an account manager who could would hold the
// administrators' power over the platform (disable every one of them, or
// re-enable one they trust). The schema cannot say it (it has no object per
// account, only platform-wide roles), so the portal checks it here, inside
// the transaction: whether target holds the administrator role, then the
// actor's administer through the engine. what names the action in the
// refusal.
func (t *txn) actOnAccount(target string, what messages.Key) error {
	switch admin, err := t.holdsAdministrator(target); {
	case err != nil:
		return err
	case !admin:
		return nil
	}
	switch ok, err := t.s.has(t.ctx, t.actor, t.s.platformRef(), "administer"); {
	case err != nil:
		return err
	case !ok:
		return refuse(ErrForbidden, "portal.admin_only", target, messages.New(what))
	}
	return nil
}

// holdsAdministrator reports whether account holds the platform's
// administrator role, directly or through a community that holds it,
// disabled or not (the engine's answer leaves disabled accounts out, and
// re-enabling an administrator gives the role's power back). Read in the
// transaction.
func (t *txn) holdsAdministrator(account string) (bool, error) {
	p := t.s.platformRef()
	rs, err := t.rels(t.ctx, store.Filter{ResourceType: p.Type, ResourceID: p.ID, Relation: string(PlatformAdministrator)})
	if err != nil {
		return false, err
	}
	for _, r := range rs {
		switch {
		case r.Subject == user(account):
			return true, nil
		case r.Subject.Type == "community" && r.Subject.Relation == "member":
			roles, err := t.communityMembers(t.ctx, r.Subject.ID, account)
			if err != nil {
				return false, err
			}
			if roles[account] != "" {
				return true, nil
			}
		}
	}
	return false, nil
}

// setRoles writes the difference between two sets of platform roles.
func (t *txn) setRoles(id string, old, roles []PlatformRole) {
	for _, r := range platformRoles {
		had, want := slices.Contains(old, r), slices.Contains(roles, r)
		switch {
		case want && !had:
			t.touch(rel(t.s.platformRef(), string(r), user(id)))
		case had && !want:
			t.remove(rel(t.s.platformRef(), string(r), user(id)))
		}
	}
}

// Bootstrap creates an account with platform roles as the system (for
// `octroi admin create-user`), and a personal token for it, whose secret is
// returned once. It is idempotent on the e-mail: for an existing account it
// adds the missing roles (never removes any) and issues a new token.
func (s *Service) Bootstrap(ctx context.Context, email, name string, roles []PlatformRole) (Account, string, error) {
	return s.BootstrapUntil(ctx, email, name, roles, nil)
}

// BootstrapUntil is Bootstrap with a token valid until expires (nil: until
// revoked).
func (s *Service) BootstrapUntil(ctx context.Context, email, name string, roles []PlatformRole, expires *time.Time) (Account, string, error) {
	a, err := s.checkNewAccount(Account{Email: email, Name: name, PlatformRoles: roles})
	if err != nil {
		return Account{}, "", err
	}
	var secret string
	err = s.transact(ctx, systemActor, func(t *txn) error {
		d, err := t.docs.DocByAlt(ctx, kindAccount, a.Email)
		switch {
		case err == nil:
			if a, err = t.account(ctx, d.ID); err != nil {
				return err
			}
			before := a
			added := slices.Clone(a.PlatformRoles)
			for _, r := range roles {
				if !slices.Contains(added, r) {
					added = append(added, r)
				}
			}
			slices.Sort(added)
			if !slices.Equal(added, a.PlatformRoles) {
				t.setRoles(a.ID, a.PlatformRoles, added)
				a.PlatformRoles = added
				if err := t.audit("account.roles", "account:"+a.ID, before, a); err != nil {
					return err
				}
			}
		case isNotFound(err):
			if a, err = t.createAccount(a); err != nil {
				return err
			}
		default:
			return err
		}
		_, secret, err = t.createToken(a.ID, "bootstrap", expires)
		return err
	})
	if err != nil {
		return Account{}, "", err
	}
	return a, secret, nil
}

// CreateAccount creates an account (manage_accounts on the platform; only
// administrators may give it platform roles). The id is generated when
// empty; the e-mail is unique. The new account's owner is sent an
// invitation: a link to set its password (see passwords.go).
func (s *Service) CreateAccount(ctx context.Context, actor string, a Account) (Account, error) {
	a, err := s.checkNewAccount(a)
	if err != nil {
		return Account{}, err
	}
	need := right{s.platformRef(), "manage_accounts"}
	if len(a.PlatformRoles) > 0 {
		need = right{s.platformRef(), "administer"}
	}
	err = s.do(ctx, actor, guard{rights: []right{need}}, func(t *txn) error {
		if a, err = t.createAccount(a); err != nil {
			return err
		}
		return t.sendLink(a.ID, LinkInvitation, NoticeAccountCreated, map[string]string{"by": actor})
	})
	return a, err
}

// Account returns an account, to itself or to account managers.
func (s *Service) Account(ctx context.Context, actor, id string) (Account, error) {
	if err := s.authorize(ctx, actor, guard{self: id, rights: []right{{s.platformRef(), "manage_accounts"}}}); err != nil {
		return Account{}, err
	}
	return s.read().account(ctx, id)
}

// Accounts lists accounts in id order after `after` (manage_accounts).
func (s *Service) Accounts(ctx context.Context, actor string, after string, limit int) ([]Account, error) {
	if err := s.authorize(ctx, actor, guard{rights: []right{{s.platformRef(), "manage_accounts"}}}); err != nil {
		return nil, err
	}
	v := s.read()
	as, err := list[Account](ctx, v, kindAccount, "", after, pageSize(limit))
	if err != nil {
		return nil, err
	}
	for i := range as {
		if as[i], err = v.withRoles(ctx, as[i]); err != nil {
			return nil, err
		}
	}
	return as, nil
}

// SetAccountStatus disables or re-enables an account (manage_accounts; on
// a platform administrator, administer: see actOnAccount).
// Disabling writes the platform's disabled relationship, which takes every
// right away at once; memberships are untouched, so re-enabling (deleting
// it) gives every right back.
func (s *Service) SetAccountStatus(ctx context.Context, actor, id string, st AccountStatus) (Account, error) {
	if st != AccountActive && st != AccountDisabled {
		return Account{}, invalid("invalid.account_status", messages.Quote(st))
	}
	var a Account
	err := s.do(ctx, actor, guard{rights: []right{{s.platformRef(), "manage_accounts"}}}, func(t *txn) error {
		var err error
		if a, err = t.account(t.ctx, id); err != nil {
			return err
		}
		if a.Status == st {
			return nil
		}
		if err := t.actOnAccount(id, map[AccountStatus]messages.Key{AccountActive: "act.enable", AccountDisabled: "act.disable"}[st]); err != nil {
			return err
		}
		before := a
		a.Status = st
		if st == AccountDisabled {
			if err := t.keepAPlatformAdmin(id); err != nil {
				return err
			}
			t.touch(t.s.disabledRel(id))
			// Its sessions end at once on every node, and do not come
			// back when it is re-enabled.
			if _, err := t.endSessions(id, func(sessionRec) bool { return true }); err != nil {
				return err
			}
			return t.audit("account.disable", "account:"+id, before, a)
		}
		t.remove(t.s.disabledRel(id))
		return t.audit("account.enable", "account:"+id, before, a)
	})
	return a, err
}

// SetPlatformRoles sets an account's platform roles exactly (administer).
func (s *Service) SetPlatformRoles(ctx context.Context, actor, id string, roles []PlatformRole) (Account, error) {
	roles, err := checkPlatformRoles("platform_roles", roles)
	if err != nil {
		return Account{}, err
	}
	var a Account
	err = s.do(ctx, actor, guard{rights: []right{{s.platformRef(), "administer"}}}, func(t *txn) error {
		var err error
		if a, err = t.account(t.ctx, id); err != nil {
			return err
		}
		if slices.Equal(a.PlatformRoles, roles) {
			return nil
		}
		if !slices.Contains(roles, PlatformAdministrator) {
			if err := t.keepAPlatformAdmin(id); err != nil {
				return err
			}
		}
		before := a
		t.setRoles(id, a.PlatformRoles, roles)
		a.PlatformRoles = roles
		return t.audit("account.roles", "account:"+id, before, a)
	})
	return a, err
}
