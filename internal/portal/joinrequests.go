package portal

import (
	"cmp"
	"context"
	"github.com/octroi/octroi/internal/messages"
)

// pendingKey is the alternate key of a pending join request: unique, so the
// store itself refuses a second pending request of one account for one
// organisation. Decided requests drop it.
func pendingKey(org, account string) string { return org + "|" + account }

func (t *txn) putJoinRequest(r JoinRequest) error {
	alt := ""
	if r.Status == JoinPending {
		alt = pendingKey(r.Organisation, r.Account)
	}
	return t.put(kindJoinRequest, r.ID, alt, r.Organisation, r)
}

// RequestJoin asks to join an organisation, for an active account that is
// not a member; one pending request per account and organisation. The
// organisation's delegated administrators get a notice.
func (s *Service) RequestJoin(ctx context.Context, actor, org, message string) (JoinRequest, error) {
	message, err := cleanMessage("message", message, true)
	if err != nil {
		return JoinRequest{}, err
	}
	var r JoinRequest
	err = s.do(ctx, actor, guard{active: true}, func(t *txn) error {
		if err := t.mustExist(kindOrg, org); err != nil {
			return err
		}
		members, err := t.orgMembers(ctx, org)
		if err != nil {
			return err
		}
		if role := members[actor]; role != "" {
			return conflict("conflict.already_member", org, role)
		}
		if _, err := t.docs.DocByAlt(ctx, kindJoinRequest, pendingKey(org, actor)); err == nil {
			return conflict("conflict.pending_request", org)
		} else if !isNotFound(err) {
			return err
		}
		r = JoinRequest{ID: t.s.newID(), Organisation: org, Account: actor, Message: message, Status: JoinPending, Created: t.at}
		if err := t.putJoinRequest(r); err != nil {
			return err
		}
		if err := t.put(kindJoinByAccount, r.ID, "", actor, joinIndex{ID: r.ID, Organisation: org}); err != nil {
			return err
		}
		for id, role := range members {
			if role == RoleDelegatedAdmin {
				if err := t.notify(id, "join_request.created", map[string]string{"request": r.ID, "organisation": org, "account": actor}); err != nil {
					return err
				}
			}
		}
		return t.audit("organisation.join_request.create", "organisation:"+org, nil, r)
	})
	return r, err
}

// CancelJoinRequest cancels a pending request, by its requester only.
func (s *Service) CancelJoinRequest(ctx context.Context, actor, id string) (JoinRequest, error) {
	var r JoinRequest
	if err := s.read().get(ctx, kindJoinRequest, id, &r); err != nil {
		return JoinRequest{}, err
	}
	err := s.do(ctx, actor, guard{self: r.Account}, func(t *txn) error {
		if err := t.get(ctx, kindJoinRequest, id, &r); err != nil {
			return err
		}
		if r.Status != JoinPending {
			return conflict("conflict.join_not_pending", id, words("join.", string(r.Status)))
		}
		before := r
		r.Status = JoinCancelled
		if err := t.putJoinRequest(r); err != nil {
			return err
		}
		return t.audit("organisation.join_request.cancel", "organisation:"+r.Organisation, before, r)
	})
	return r, err
}

// DecideJoinRequest accepts or refuses a pending request (manage_members of
// its organisation). Accepting adds the requester with role (default
// registered) — or keeps the role of a requester who became a member
// meanwhile. The requester gets a notice either way (the e-mail).
func (s *Service) DecideJoinRequest(ctx context.Context, actor, id string, accept bool, role OrgRole, reason string) (JoinRequest, error) {
	if role == "" {
		role = RoleRegistered
	}
	if err := checkOrgRole("role", role); err != nil {
		return JoinRequest{}, err
	}
	reason, err := cleanMessage("reason", reason, true)
	if err != nil {
		return JoinRequest{}, err
	}
	var r JoinRequest
	if err := s.read().get(ctx, kindJoinRequest, id, &r); err != nil {
		return JoinRequest{}, err
	}
	err = s.do(ctx, actor, s.orgGuard(r.Organisation, "manage_members"), func(t *txn) error {
		if err := t.get(ctx, kindJoinRequest, id, &r); err != nil {
			return err
		}
		if r.Status != JoinPending {
			return conflict("conflict.join_not_pending", id, words("join.", string(r.Status)))
		}
		before := r
		at := t.at
		r.DecidedBy, r.DecidedAt, r.Reason = actor, &at, reason
		kind := "join_request.refused"
		r.Status = JoinRefused
		if accept {
			kind = "join_request.accepted"
			r.Status = JoinAccepted
			cur, err := t.orgRole(ctx, r.Organisation, r.Account)
			if err != nil {
				return err
			}
			r.Role = cur
			if cur == "" {
				if _, err := t.addMember(r.Organisation, r.Account, role); err != nil {
					return err
				}
				r.Role = role
			}
		}
		if err := t.putJoinRequest(r); err != nil {
			return err
		}
		data := map[string]string{"request": r.ID, "organisation": r.Organisation, "reason": reason}
		if accept {
			data["role"] = string(r.Role)
		}
		if err := t.notify(r.Account, kind, data); err != nil {
			return err
		}
		return t.audit("organisation.join_request.decide", "organisation:"+r.Organisation, before, r)
	})
	return r, err
}

// JoinRequests lists an organisation's join requests, oldest first (in id
// order) after the request id `after`, up to limit, to whoever manages its
// members; with org "" it lists the actor's own. A status filters when set.
func (s *Service) JoinRequests(ctx context.Context, actor, org string, status JoinStatus, after string, limit int) ([]JoinRequest, error) {
	switch status {
	case "", JoinPending, JoinAccepted, JoinRefused, JoinCancelled:
	default:
		return nil, invalid("invalid.join_status", messages.Quote(status))
	}
	v := s.read()
	limit = pageSize(limit)
	id := func(r joinIndex) string { return r.ID }
	if org == "" {
		if err := s.authorize(ctx, actor, guard{active: true}); err != nil {
			return nil, err
		}
		// The account's index holds no status: read each request as the
		// filter meets it.
		var out []JoinRequest
		var failed error
		_, err := filtered(ctx, v, kindJoinByAccount, actor, after, limit, id, func(m joinIndex) bool {
			var r JoinRequest
			if failed != nil {
				return false
			}
			if failed = v.get(ctx, kindJoinRequest, m.ID, &r); failed != nil || (status != "" && r.Status != status) {
				return false
			}
			out = append(out, r)
			return true
		})
		return out, cmp.Or(err, failed)
	}
	if err := s.authorize(ctx, actor, s.orgGuard(org, "manage_members")); err != nil {
		return nil, err
	}
	out, err := filtered(ctx, v, kindJoinRequest, org, after, limit, func(r JoinRequest) string { return r.ID },
		func(r JoinRequest) bool { return status == "" || r.Status == status })
	// Who asks, for whoever decides.
	for i := range out {
		if err != nil {
			break
		}
		var a Account
		if a, err = v.account(ctx, out[i].Account); err == nil {
			out[i].Name, out[i].Email = a.Name, a.Email
		}
	}
	return out, err
}

// joinIndex lists a requester's join requests (join_request records are
// listed by organisation).
type joinIndex struct {
	recordHead
	ID           string `json:"id"`
	Organisation string `json:"organisation"`
}
