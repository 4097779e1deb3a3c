package api

import (
	"net/http"

	"github.com/octroi/octroi/internal/portal"
)

// POST /api/v1/communities: the caller becomes its supervisor.
func (a *api) createCommunity(w http.ResponseWriter, r *http.Request) error {
	var req CommunityRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := a.Portal.Communities.CreateCommunity(r.Context(), actor(r), portal.Community{ID: req.ID, Name: req.Name, Public: req.Public, Supervisor: req.Supervisor})
	if err != nil {
		return err
	}
	return created(w, communityOut(c))
}

// GET /api/v1/communities?cursor=&limit=: the communities the caller may
// see (listed ones and their own).
func (a *api) listCommunities(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	cs, err := a.Portal.Communities.Communities(r.Context(), actor(r), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, CommunityList{Communities: each(cs, communityOut), Cursor: nextCursor(len(cs), limit, func() string { return cs[len(cs)-1].ID })})
}

// GET /api/v1/communities/{id}
func (a *api) getCommunity(w http.ResponseWriter, r *http.Request) error {
	c, err := a.Portal.Communities.Community(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, communityOut(c))
}

// PUT /api/v1/communities/{id}: name and listing, nothing else.
func (a *api) updateCommunity(w http.ResponseWriter, r *http.Request) error {
	var req UpdateCommunityRequest
	if err := decodeUpdate(r, &req, hintID, hintCreated,
		fieldHint{"supervisor", "a community's supervisor is the account that created it, and never changes"}); err != nil {
		return err
	}
	c, err := a.Portal.Communities.UpdateCommunity(r.Context(), actor(r), portal.Community{ID: r.PathValue("id"), Name: req.Name, Public: req.Public})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, communityOut(c))
}

// DELETE /api/v1/communities/{id}
func (a *api) deleteCommunity(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Communities.DeleteCommunity(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// GET /api/v1/communities/{id}/members
func (a *api) listCommunityMembers(w http.ResponseWriter, r *http.Request) error {
	ms, err := a.Portal.CommunityMembers.CommunityMembers(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, CommunityMemberList{Members: each(ms, communityMemberOut)})
}

// PUT /api/v1/communities/{id}/members/{account}: add, or change the role.
func (a *api) setCommunityMember(w http.ResponseWriter, r *http.Request) error {
	var req RoleRequest
	if err := decodeUpdate(r, &req, hintAccount); err != nil {
		return err
	}
	m, err := a.Portal.CommunityMembers.SetCommunityMember(r.Context(), actor(r), r.PathValue("id"), r.PathValue("account"), portal.CommunityRole(req.Role))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, communityMemberOut(m))
}

// DELETE /api/v1/communities/{id}/members/{account}
func (a *api) removeCommunityMember(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.CommunityMembers.RemoveCommunityMember(r.Context(), actor(r), r.PathValue("id"), r.PathValue("account")); err != nil {
		return err
	}
	return noContent(w)
}

// POST /api/v1/org-groups (platform administrators)
func (a *api) createOrgGroup(w http.ResponseWriter, r *http.Request) error {
	var req OrgGroupRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	g, err := a.Portal.OrgGroups.CreateOrgGroup(r.Context(), actor(r), portal.OrgGroup{ID: req.ID, Name: req.Name, Organisations: req.Organisations})
	if err != nil {
		return err
	}
	return created(w, orgGroupOut(g))
}

// GET /api/v1/org-groups?cursor=&limit=
func (a *api) listOrgGroups(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	gs, err := a.Portal.OrgGroups.OrgGroups(r.Context(), actor(r), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, OrgGroupList{OrgGroups: each(gs, orgGroupOut), Cursor: nextCursor(len(gs), limit, func() string { return gs[len(gs)-1].ID })})
}

// GET /api/v1/org-groups/{id}
func (a *api) getOrgGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := a.Portal.OrgGroups.OrgGroup(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, orgGroupOut(g))
}

// PUT /api/v1/org-groups/{id}: renames the group.
func (a *api) renameOrgGroup(w http.ResponseWriter, r *http.Request) error {
	var req OrgGroupUpdate
	if err := decode(r, &req); err != nil {
		return err
	}
	g, err := a.Portal.OrgGroups.RenameOrgGroup(r.Context(), actor(r), r.PathValue("id"), req.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, orgGroupOut(g))
}

// PUT /api/v1/org-groups/{id}/organisations: replaces the member
// organisations.
func (a *api) setOrgGroupOrganisations(w http.ResponseWriter, r *http.Request) error {
	var req OrgGroupOrganisations
	if err := decodeUpdate(r, &req, hintID); err != nil {
		return err
	}
	g, err := a.Portal.OrgGroups.SetOrgGroupOrganisations(r.Context(), actor(r), r.PathValue("id"), nonNil(req.Organisations))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, orgGroupOut(g))
}

// DELETE /api/v1/org-groups/{id}
func (a *api) deleteOrgGroup(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.OrgGroups.DeleteOrgGroup(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}
