package portal

import (
	"context"
	"slices"
	"strings"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Community invitations: nobody is made a member of a community without
// consent. A manager of the community invites an account, with the role it
// will have; the relationship community:C#invited@user:A lets the person
// see the community (and grants nothing else), and a record keeps the role
// and the inviter. The person accepts (becoming a member with that role)
// or declines; a manager may withdraw it before. Each step is audited and
// noticed to the other side.
//
// The record's id is "community/account": neither id may hold "/"
// (IDAlphabet), so it names one invitation, and its parent is the account,
// so that one lists one's own invitations.

func invitationID(community, account string) string { return community + "/" + account }

func invitedRel(community, account string) tuple.Relationship {
	return rel(communityRef(community), "invited", user(account))
}

// InviteCommunityMember invites an account to a community (manage), with
// the role it will have once it accepts: participant or administrator. An
// invitation pending for the account is replaced (its role updated); a
// member cannot be invited. The invited account gets a notice.
func (s *Service) InviteCommunityMember(ctx context.Context, actor, id, account string, role CommunityRole) (CommunityInvitation, error) {
	if err := checkMemberRole(account, role); err != nil {
		return CommunityInvitation{}, err
	}
	var inv CommunityInvitation
	err := s.do(ctx, actor, communityGuard(id, "manage"), func(t *txn) error {
		if err := t.mustExist(kindCommunity, id); err != nil {
			return err
		}
		if err := t.mustExist(kindAccount, account); err != nil {
			return err
		}
		roles, err := t.communityMembers(ctx, id, account)
		if err != nil {
			return err
		}
		if cur := roles[account]; cur != "" {
			return conflict("conflict.community_member", account, id, cur, id, account)
		}
		var before *CommunityInvitation
		var old CommunityInvitation
		switch err := t.get(ctx, kindInvitation, invitationID(id, account), &old); {
		case err == nil:
			if old.Role == role {
				inv = old
				return nil
			}
			before = &old
		case !isPortalNotFound(err):
			return err
		}
		inv = CommunityInvitation{Community: id, Account: account, Role: role, InvitedBy: actor, Created: t.at}
		if err := t.put(kindInvitation, invitationID(id, account), "", account, inv); err != nil {
			return err
		}
		t.touch(invitedRel(id, account))
		if err := t.notify(account, "community.invitation.created", map[string]string{"community": id, "role": string(role), "by": actor}); err != nil {
			return err
		}
		if before != nil {
			return t.audit("community.invitation.update", "community:"+id, *before, inv)
		}
		return t.audit("community.invitation.create", "community:"+id, nil, inv)
	})
	return inv, err
}

// CommunityInvitations lists a community's pending invitations, in account
// order (manage).
func (s *Service) CommunityInvitations(ctx context.Context, actor, id string) ([]CommunityInvitation, error) {
	if err := s.authorize(ctx, actor, communityGuard(id, "manage")); err != nil {
		return nil, err
	}
	v := s.read()
	rs, err := v.rels(ctx, store.Filter{ResourceType: "community", ResourceID: id, Relation: "invited"})
	if err != nil {
		return nil, err
	}
	out := make([]CommunityInvitation, 0, len(rs))
	for _, r := range rs {
		var inv CommunityInvitation
		if err := v.get(ctx, kindInvitation, invitationID(id, r.Subject.ID), &inv); err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	slices.SortFunc(out, func(a, b CommunityInvitation) int { return strings.Compare(a.Account, b.Account) })
	return out, nil
}

// MyCommunityInvitations lists the actor's pending invitations, in
// community order (an active account).
func (s *Service) MyCommunityInvitations(ctx context.Context, actor string) ([]CommunityInvitation, error) {
	if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
		return nil, err
	}
	return list[CommunityInvitation](ctx, s.read(), kindInvitation, actor, "", 0)
}

// AnswerCommunityInvitation accepts (the actor becomes a member with the
// invited role) or declines the actor's invitation to a community
// (answer_invitation: the invited person, active). The inviter gets a
// notice.
func (s *Service) AnswerCommunityInvitation(ctx context.Context, actor, id string, accept bool) (CommunityInvitation, error) {
	g := guard{rights: []right{{communityRef(id), "answer_invitation"}}, hide: &right{communityRef(id), "answer_invitation"}}
	var inv CommunityInvitation
	err := s.do(ctx, actor, g, func(t *txn) error {
		var err error
		if inv, err = t.endInvitation(id, actor); err != nil {
			return err
		}
		action, notice := "community.invitation.decline", "community.invitation.declined"
		if accept {
			action, notice = "community.invitation.accept", "community.invitation.accepted"
			t.setCommunityRole(id, actor, inv.Role)
		}
		if err := t.notify(inv.InvitedBy, notice, map[string]string{"community": id, "account": actor, "role": string(inv.Role)}); err != nil {
			return err
		}
		var after any
		if accept {
			after = CommunityMember{Account: actor, Role: inv.Role}
		}
		return t.audit(action, "community:"+id, inv, after)
	})
	return inv, err
}

// WithdrawCommunityInvitation withdraws a pending invitation (manage). The
// account that was invited gets a notice.
func (s *Service) WithdrawCommunityInvitation(ctx context.Context, actor, id, account string) error {
	return s.do(ctx, actor, communityGuard(id, "manage"), func(t *txn) error {
		inv, err := t.endInvitation(id, account)
		if err != nil {
			return err
		}
		if err := t.notify(account, "community.invitation.withdrawn", map[string]string{"community": id, "by": t.actor}); err != nil {
			return err
		}
		return t.audit("community.invitation.withdraw", "community:"+id, inv, nil)
	})
}

// endInvitation deletes a pending invitation and returns it.
func (t *txn) endInvitation(community, account string) (CommunityInvitation, error) {
	var inv CommunityInvitation
	if err := t.get(t.ctx, kindInvitation, invitationID(community, account), &inv); isPortalNotFound(err) {
		return CommunityInvitation{}, notFound("notfound.invitation", account, community)
	} else if err != nil {
		return CommunityInvitation{}, err
	}
	if err := t.deleteDoc(kindInvitation, invitationID(community, account)); err != nil {
		return CommunityInvitation{}, err
	}
	t.remove(invitedRel(community, account))
	return inv, nil
}
