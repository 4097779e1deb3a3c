package api

import (
	"net/http"

	"github.com/octroi/octroi/internal/portal"
)

// POST /api/v1/organisations
func (a *api) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	var req CreateOrganisationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	first := req.FirstAdmin
	if first == "" {
		first = actor(r)
	}
	o, err := a.Portal.Organisations.CreateOrganisation(r.Context(), actor(r), portal.Organisation{ID: req.ID, Name: req.Name, Type: req.Type, Contact: req.Contact}, first)
	if err != nil {
		return err
	}
	return created(w, organisationOut(o))
}

// GET /api/v1/organisations?type=&name=&cursor=&limit=: type filters by
// organisation type, name by a part of the name (ignoring case and
// accents).
func (a *api) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	orgs, err := a.Portal.Organisations.Organisations(r.Context(), actor(r), portal.OrgType(q.Get("type")), q.Get("name"), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, OrganisationList{Organisations: each(orgs, organisationOut), Cursor: nextCursor(len(orgs), limit, func() string { return orgs[len(orgs)-1].ID })})
}

// GET /api/v1/organisations/{id}
func (a *api) getOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := a.Portal.Organisations.Organisation(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, organisationOut(o))
}

// PUT /api/v1/organisations/{id}: name, type and contact (delegated
// admins).
func (a *api) updateOrganisation(w http.ResponseWriter, r *http.Request) error {
	var req UpdateOrganisationRequest
	if err := decodeUpdate(r, &req, hintID, hintCreated); err != nil {
		return err
	}
	o, err := a.Portal.Organisations.UpdateOrganisation(r.Context(), actor(r), portal.Organisation{ID: r.PathValue("id"), Name: req.Name, Type: req.Type, Contact: req.Contact})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, organisationOut(o))
}

// GET /api/v1/organisations/{id}/members?cursor=&limit=
func (a *api) listMembers(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	ms, err := a.Portal.Members.Members(r.Context(), actor(r), r.PathValue("id"), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, MemberList{Members: each(ms, memberOut), Cursor: nextCursor(len(ms), limit, func() string { return ms[len(ms)-1].Account })})
}

// POST /api/v1/organisations/{id}/members: an existing account, or a new
// one created on the way (as DataSud's delegated admins do).
func (a *api) addMember(w http.ResponseWriter, r *http.Request) error {
	var req AddMemberRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	org := r.PathValue("id")
	var (
		m   portal.Member
		err error
	)
	switch {
	case req.Account != "" && req.NewAccount != nil:
		return badRequest("give either account (an existing account's id) or new_account, not both")
	case req.NewAccount != nil:
		m, err = a.Portal.Members.AddNewMember(r.Context(), actor(r), org,
			portal.Account{Email: req.NewAccount.Email, Name: req.NewAccount.Name, Status: portal.AccountActive}, req.Role)
	case req.Account != "":
		m, err = a.Portal.Members.AddMember(r.Context(), actor(r), org, req.Account, req.Role)
	default:
		return badRequest("account (an existing account's id) or new_account ({email, name}) is required")
	}
	if err != nil {
		return err
	}
	return created(w, memberOut(m))
}

// PUT /api/v1/organisations/{id}/members/{account}: change the role.
func (a *api) setMemberRole(w http.ResponseWriter, r *http.Request) error {
	var req RoleRequest
	if err := decodeUpdate(r, &req, hintAccount); err != nil {
		return err
	}
	m, err := a.Portal.Members.SetMemberRole(r.Context(), actor(r), r.PathValue("id"), r.PathValue("account"), portal.OrgRole(req.Role))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, memberOut(m))
}

// DELETE /api/v1/organisations/{id}/members/{account}: the account stays.
func (a *api) removeMember(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Members.RemoveMember(r.Context(), actor(r), r.PathValue("id"), r.PathValue("account")); err != nil {
		return err
	}
	return noContent(w)
}

func joinStatus(r *http.Request) portal.JoinStatus {
	return portal.JoinStatus(r.URL.Query().Get("status"))
}

// GET /api/v1/organisations/{id}/join-requests?status=&cursor=&limit=
func (a *api) listJoinRequests(w http.ResponseWriter, r *http.Request) error {
	return a.joinRequests(w, r, r.PathValue("id"))
}

// joinRequests answers a page of the join requests of org ("": the
// caller's own).
func (a *api) joinRequests(w http.ResponseWriter, r *http.Request, org string) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	js, err := a.Portal.JoinRequests.JoinRequests(r.Context(), actor(r), org, joinStatus(r), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, JoinRequestList{JoinRequests: each(js, joinRequestOut), Cursor: nextCursor(len(js), limit, func() string { return js[len(js)-1].ID })})
}

// POST /api/v1/organisations/{id}/join-requests: the caller asks to join.
func (a *api) requestJoin(w http.ResponseWriter, r *http.Request) error {
	var req JoinRequestCreate
	if err := decode(r, &req); err != nil {
		return err
	}
	j, err := a.Portal.JoinRequests.RequestJoin(r.Context(), actor(r), r.PathValue("id"), req.Message)
	if err != nil {
		return err
	}
	return created(w, joinRequestOut(j))
}

// POST /api/v1/join-requests/{id}/decision (the organisation's delegated
// admins)
func (a *api) decideJoinRequest(w http.ResponseWriter, r *http.Request) error {
	var req JoinDecision
	if err := decode(r, &req); err != nil {
		return err
	}
	var accept bool
	switch req.Decision {
	case "accept":
		accept = true
		if req.Role == "" {
			req.Role = portal.RoleRegistered
		}
	case "refuse":
	default:
		return badRequest("decision %q: want accept or refuse", req.Decision)
	}
	j, err := a.Portal.JoinRequests.DecideJoinRequest(r.Context(), actor(r), r.PathValue("id"), accept, req.Role, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, joinRequestOut(j))
}

// POST /api/v1/join-requests/{id}/cancel (the requester): the request is
// kept, as cancelled.
func (a *api) cancelJoinRequest(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	j, err := a.Portal.JoinRequests.CancelJoinRequest(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, joinRequestOut(j))
}
