package api

import (
	"net/http"

	"github.com/octroi/octroi/internal/portal"
)

// Content pages (source 003), maps (source 004) and the roles over all of
// them. The portal authorizes every action as the caller; reading a page
// is open to anonymous visitors (a public page is for everyone who may
// reach the portal) and to a front-end acting for its users with an
// operator token, like the catalogue filters.

// POST /api/v1/pages: for an organisation (its publishers) or for the
// platform (no owner: "edit all pages").
func (a *api) createPage(w http.ResponseWriter, r *http.Request) error {
	var req CreatePageRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := a.Portal.Pages.CreatePage(r.Context(), actor(r), portal.Page{ID: req.ID, Title: req.Title, Body: req.Body, Owner: req.Owner,
		Public: req.Public, Visualisations: each(req.Visualisations, visualisationIn)})
	if err != nil {
		return err
	}
	return created(w, pageOut(p))
}

// GET /api/v1/pages?cursor=&limit=: the pages the caller may view.
func (a *api) listPages(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	ps, err := a.Portal.Pages.Pages(r.Context(), actor(r), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, PageList{Pages: each(ps, pageSummaryOut), Cursor: nextCursor(len(ps), limit, func() string { return ps[len(ps)-1].ID })})
}

// GET /api/v1/pages/{id}: the page rendered for the caller, each
// visualisation saying whether it loads.
func (a *api) renderPage(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Portal.Pages.RenderPage(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderedPageOut(p))
}

// PUT /api/v1/pages/{id}: title, and body and visualisations when sent
// (edit).
func (a *api) updatePage(w http.ResponseWriter, r *http.Request) error {
	var req UpdatePageRequest
	if err := decodeUpdate(r, &req, hintID, hintCreated, fieldHint{"owner", "a page's owner never changes"},
		fieldHint{"public", "set the access policy with PUT /api/v1/pages/{id}/policy"},
		fieldHint{"updated", "the server records it at each change"}); err != nil {
		return err
	}
	u := portal.PageUpdate{ID: r.PathValue("id"), Title: req.Title, Body: req.Body}
	if req.Visualisations != nil {
		u.Visualisations = nonNil(each(*req.Visualisations, visualisationIn))
	}
	p, err := a.Portal.Pages.UpdatePage(r.Context(), actor(r), u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOut(p))
}

// DELETE /api/v1/pages/{id}
func (a *api) deletePage(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Pages.DeletePage(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// PUT /api/v1/pages/{id}/policy: public or private.
func (a *api) setPagePolicy(w http.ResponseWriter, r *http.Request) error {
	var req PagePolicyRequest
	if err := decodeUpdate(r, &req); err != nil {
		return err
	}
	if req.Public == nil {
		return say(http.StatusBadRequest, CodeInvalidArgument, "api.page_public_required")
	}
	p, err := a.Portal.Pages.SetPagePolicy(r.Context(), actor(r), r.PathValue("id"), *req.Public)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageOut(p))
}

// GET /api/v1/pages/{id}/members
func (a *api) listPageMembers(w http.ResponseWriter, r *http.Request) error {
	ms, err := a.Portal.Pages.PageMembers(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, PageMemberList{Members: nonNil(each(ms, pageMemberOut))})
}

func pathHolder(r *http.Request, idParam string) portal.Holder {
	return portal.Holder{Kind: portal.HolderKind(r.PathValue("kind")), ID: r.PathValue(idParam)}
}

// PUT /api/v1/pages/{id}/members/{kind}/{member}: add a person or group
// (view), and give or take edit.
func (a *api) setPageMember(w http.ResponseWriter, r *http.Request) error {
	var req PageMemberRequest
	if err := decodeUpdate(r, &req, fieldHint{"holder", "the member is the one in the path ({kind}/{member})"}); err != nil {
		return err
	}
	view := req.View == nil || *req.View
	m, err := a.Portal.Pages.SetPageMember(r.Context(), actor(r), r.PathValue("id"), portal.PageMember{Holder: pathHolder(r, "member"), View: view, Edit: req.Edit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pageMemberOut(m))
}

// DELETE /api/v1/pages/{id}/members/{kind}/{member}: view and edit go.
func (a *api) removePageMember(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Pages.RemovePageMember(r.Context(), actor(r), r.PathValue("id"), pathHolder(r, "member")); err != nil {
		return err
	}
	return noContent(w)
}

// POST /api/v1/maps: owned by the role named.
func (a *api) createMap(w http.ResponseWriter, r *http.Request) error {
	var req CreateMapRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Owner == nil {
		return say(http.StatusBadRequest, CodeInvalidArgument, "api.map_owner_required")
	}
	m, err := a.Portal.Maps.CreateMap(r.Context(), actor(r), portal.Map{ID: req.ID, Name: req.Name, Icon: req.Icon, Resources: each(req.Resources, mapResourceIn)},
		portal.Holder{Kind: req.Owner.Kind, ID: req.Owner.ID})
	if err != nil {
		return err
	}
	return created(w, mapOut(m))
}

// GET /api/v1/maps?cursor=&limit=: the maps the caller may view.
func (a *api) listMaps(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	ms, err := a.Portal.Maps.Maps(r.Context(), actor(r), after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, MapList{Maps: each(ms, mapSummaryOut), Cursor: nextCursor(len(ms), limit, func() string { return ms[len(ms)-1].ID })})
}

// GET /api/v1/maps/{id}: with every resource, for whoever may view it.
func (a *api) getMap(w http.ResponseWriter, r *http.Request) error {
	m, err := a.Portal.Maps.Map(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mapOut(m))
}

// PUT /api/v1/maps/{id}: name and icon (owners).
func (a *api) updateMap(w http.ResponseWriter, r *http.Request) error {
	var req UpdateMapRequest
	if err := decodeUpdate(r, &req, hintID, hintCreated, fieldHint{"resources", "set them with PUT /api/v1/maps/{id}/resources"},
		fieldHint{"owner", "share the map with PUT /api/v1/maps/{id}/shares/{kind}/{group}"}); err != nil {
		return err
	}
	m, err := a.Portal.Maps.UpdateMap(r.Context(), actor(r), portal.Map{ID: r.PathValue("id"), Name: req.Name, Icon: req.Icon})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mapOut(m))
}

// DELETE /api/v1/maps/{id}
func (a *api) deleteMap(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Maps.DeleteMap(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// PUT /api/v1/maps/{id}/resources (edit): what it adds, the caller must
// be able to consult.
func (a *api) setMapResources(w http.ResponseWriter, r *http.Request) error {
	var req MapResourcesRequest
	if err := decodeUpdate(r, &req); err != nil {
		return err
	}
	m, err := a.Portal.Maps.SetMapResources(r.Context(), actor(r), r.PathValue("id"), each(req.Resources, mapResourceIn))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mapOut(m))
}

// GET /api/v1/maps/{id}/shares
func (a *api) listMapShares(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.Portal.Maps.MapShares(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, MapShareList{Shares: nonNil(each(ss, mapShareOut))})
}

// PUT /api/v1/maps/{id}/shares/{kind}/{group}: a role's privilege; null
// or "none" removes it. The last owner is never removed.
func (a *api) setMapShare(w http.ResponseWriter, r *http.Request) error {
	var req MapShareRequest
	if err := decodeUpdate(r, &req, fieldHint{"group", "the group is the one in the path ({kind}/{group})"}); err != nil {
		return err
	}
	l := portal.MapNone
	if req.Level != nil && *req.Level != "none" {
		l = portal.MapLevel(*req.Level)
		if l == portal.MapNone {
			return say(http.StatusBadRequest, CodeInvalidArgument, "invalid.map_level", `""`)
		}
	}
	s, err := a.Portal.Maps.SetMapShare(r.Context(), actor(r), r.PathValue("id"), pathHolder(r, "group"), l)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mapShareChangeOut(s))
}

// GET /api/v1/content-roles (platform administrators)
func (a *api) listContentRoles(w http.ResponseWriter, r *http.Request) error {
	hs, err := a.Portal.ContentRoles.ContentRoleHolders(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ContentRoleList{Holders: nonNil(each(hs, contentRoleHolderOut))})
}

// PUT /api/v1/content-roles/{role}/{kind}/{holder}
func (a *api) addContentRole(w http.ResponseWriter, r *http.Request) error {
	return a.setContentRole(w, r, true)
}

// DELETE /api/v1/content-roles/{role}/{kind}/{holder}
func (a *api) removeContentRole(w http.ResponseWriter, r *http.Request) error {
	return a.setContentRole(w, r, false)
}

func (a *api) setContentRole(w http.ResponseWriter, r *http.Request, hold bool) error {
	h, err := a.Portal.ContentRoles.SetContentRole(r.Context(), actor(r), portal.ContentRole(r.PathValue("role")), pathHolder(r, "holder"), hold)
	if err != nil {
		return err
	}
	if !hold {
		return noContent(w)
	}
	return writeJSON(w, http.StatusOK, contentRoleHolderOut(h))
}
