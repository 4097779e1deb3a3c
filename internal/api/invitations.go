package api

import (
	"net/http"

	"github.com/octroi/octroi/internal/portal"
)

// Invitations to communities: nobody is made a member of a community
// without consent. Its managers invite, the invited person accepts or
// declines under /me, the managers may withdraw a pending invitation.

// POST /api/v1/communities/{id}/invitations (its managers)
func (a *api) inviteCommunityMember(w http.ResponseWriter, r *http.Request) error {
	var req InvitationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	inv, err := a.Portal.Invitations.InviteCommunityMember(r.Context(), actor(r), r.PathValue("id"), req.Account, portal.CommunityRole(req.Role))
	if err != nil {
		return err
	}
	return created(w, invitationOut(inv))
}

// GET /api/v1/communities/{id}/invitations (its managers)
func (a *api) listCommunityInvitations(w http.ResponseWriter, r *http.Request) error {
	invs, err := a.Portal.Invitations.CommunityInvitations(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, CommunityInvitationList{Invitations: each(invs, invitationOut)})
}

// DELETE /api/v1/communities/{id}/invitations/{account} (its managers)
func (a *api) withdrawCommunityInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Invitations.WithdrawCommunityInvitation(r.Context(), actor(r), r.PathValue("id"), r.PathValue("account")); err != nil {
		return err
	}
	return noContent(w)
}

// GET /api/v1/me/community-invitations
func (a *api) listMyCommunityInvitations(w http.ResponseWriter, r *http.Request) error {
	invs, err := a.Portal.Invitations.MyCommunityInvitations(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, CommunityInvitationList{Invitations: each(invs, invitationOut)})
}

// POST /api/v1/me/community-invitations/{id}/accept: {id} is the
// community's.
func (a *api) acceptCommunityInvitation(w http.ResponseWriter, r *http.Request) error {
	return a.answerInvitation(w, r, true)
}

// POST /api/v1/me/community-invitations/{id}/decline
func (a *api) declineCommunityInvitation(w http.ResponseWriter, r *http.Request) error {
	return a.answerInvitation(w, r, false)
}

func (a *api) answerInvitation(w http.ResponseWriter, r *http.Request, accept bool) error {
	inv, err := a.Portal.Invitations.AnswerCommunityInvitation(r.Context(), actor(r), r.PathValue("id"), accept)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, invitationOut(inv))
}
